// Edge-native clusters from sites: the definition is built from the site and its registered
// hosts, validated by Palette, then created. Deleting returns the hosts to ready. The record is
// saved before each call to Palette so a crash leaves a visible state.
import type { ClusterRecord, PaletteHost, Site } from '../../shared/contract/register';
import type { Host } from '../../shared/contract/hosts';
import { AppError } from '../../shared/errors';
import type { LongWorkOptions } from '../../shared/progress';
import type { AppContext } from '../app';
import { toErrorData } from '../api/dispatch';
import type { PaletteClient } from '../palette/client';
import type {
  EdgeHostDevice,
  EdgeNativeClusterEntity,
  EdgeNativeHostEntity,
  EdgeNativeMachinePool,
} from '../palette/schemas';
import { paletteClient } from './connect';
import { getSite } from './sites';

export const CP_POOL = 'control-plane-pool';
export const WORKER_POOL = 'worker-pool';

function maskOf(values: Host['values']): { ip?: string; subnet?: string } {
  const ip = values.ipAddress;
  if (!ip) return {};
  const [addr, prefix] = ip.split('/');
  return { ip: addr, subnet: values.mask ?? prefix };
}

export function hostEntity(h: Host): EdgeNativeHostEntity {
  const { ip, subnet } = maskOf(h.values);
  const e: EdgeNativeHostEntity = { hostUid: h.id, hostName: h.values.hostName ?? h.id };
  if (ip)
    e.nic = {
      ...(h.values.nic ? { nicName: h.values.nic } : {}),
      ip,
      ...(subnet ? { subnet } : {}),
      ...(h.values.gateway ? { gateway: h.values.gateway } : {}),
      ...(h.values.nameserver ? { dns: h.values.nameserver.split(/[ ,]+/).filter(Boolean) } : {}),
    };
  return e;
}

/** Roles for the hosts: the site's nodeRoles; with no control plane named, the first host is one. */
export function rolesFor(site: Site, hostIds: string[]): Map<string, 'control-plane' | 'worker'> {
  const ids = [...hostIds].sort();
  const m = new Map<string, 'control-plane' | 'worker'>();
  for (const id of ids) m.set(id, site.nodeRoles[id] ?? 'worker');
  if (ids.length && ![...m.values()].includes('control-plane')) m.set(ids[0], 'control-plane');
  return m;
}

export function firstIpOfCidr(cidr: string): string {
  const [a] = cidr.split('/');
  const o = a.split('.').map(Number);
  const n = ((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3] + 1;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function machinePools(site: Site, hosts: Host[]): EdgeNativeMachinePool[] {
  const roles = rolesFor(
    site,
    hosts.map((h) => h.id),
  );
  const byId = new Map(hosts.map((h) => [h.id, h]));
  const cp = [...roles].filter(([, r]) => r === 'control-plane').map(([id]) => hostEntity(byId.get(id)!));
  const wk = [...roles].filter(([, r]) => r === 'worker').map(([id]) => hostEntity(byId.get(id)!));
  const pools: EdgeNativeMachinePool[] = [
    {
      cloudConfig: { edgeHosts: cp },
      poolConfig: {
        name: CP_POOL,
        size: cp.length,
        labels: ['control-plane'],
        isControlPlane: true,
        useControlPlaneAsWorker: true,
      },
    },
  ];
  if (wk.length)
    pools.push({
      cloudConfig: { edgeHosts: wk },
      poolConfig: { name: WORKER_POOL, size: wk.length, labels: ['worker'], isControlPlane: false },
    });
  return pools;
}

/** The v1SpectroEdgeNativeClusterEntity for a site and its hosts, and problems found locally. */
export function buildClusterEntity(
  site: Site,
  hosts: Host[],
): { entity: EdgeNativeClusterEntity; problems: string[] } {
  const problems: string[] = [];
  if (!site.profiles.infrastructure)
    problems.push(`site ${site.name} has no infrastructure cluster profile (set --infra-profile UID)`);
  if (!hosts.length) problems.push(`site ${site.name} has no registered hosts yet`);
  const pools = machinePools(site, hosts);
  const cpCount = pools[0].poolConfig.size;
  if (cpCount > 1 && cpCount % 2 === 0)
    problems.push(`${cpCount} control-plane hosts: use an odd number (1, 3, 5) for etcd quorum`);
  const staticIp = hosts.some((h) => Boolean(h.values.ipAddress));
  const ep = site.endpoint;
  const entity: EdgeNativeClusterEntity = {
    metadata: { name: site.clusterName ?? site.name, labels: { 'edgebench-site': site.name } },
    spec: {
      cloudConfig: {
        controlPlaneEndpoint: {
          type: ep.type,
          ...(ep.host
            ? { host: ep.host }
            : ep.type === 'VIP' && site.overlayCidr
              ? { host: firstIpOfCidr(site.overlayCidr) }
              : {}),
          ...(ep.ddnsSearchDomain ? { ddnsSearchDomain: ep.ddnsSearchDomain } : {}),
        },
        ...(site.sshKeys.length ? { sshKeys: site.sshKeys } : {}),
        ...(site.ntpServers.length ? { ntpServers: site.ntpServers } : {}),
        staticIp,
        ...(site.overlayCidr
          ? { overlayNetworkConfiguration: { enable: true, cidr: site.overlayCidr } }
          : {}),
      },
      profiles: [
        ...(site.profiles.infrastructure ? [{ uid: site.profiles.infrastructure.uid }] : []),
        ...site.profiles.addons.map((a) => ({ uid: a.uid })),
      ],
      machinepoolconfig: pools,
    },
  };
  return { entity, problems };
}

/** Hosts of the site that Palette has (registration done). */
export async function registeredSiteHosts(
  app: AppContext,
  site: string,
): Promise<{ hosts: Host[]; notYet: string[] }> {
  const regs = await app.store.register.listRegistrations();
  const regIds = new Set(regs.map((r) => r.hostId));
  const storeHosts = await app.store.hosts.list({ site, limit: 100000 });
  const ids = new Set([
    ...regs.filter((r) => r.site === site).map((r) => r.hostId),
    ...storeHosts.map((h) => h.id),
  ]);
  const hosts: Host[] = [];
  const notYet: string[] = [];
  for (const id of [...ids].sort()) {
    if (!regIds.has(id)) {
      notYet.push(id);
      continue;
    }
    const h = (await app.store.hosts.get(id)) ?? { id, values: {}, createdAt: '', updatedAt: '' };
    hosts.push(h);
  }
  return { hosts, notYet };
}

export function toPaletteHost(d: EdgeHostDevice, now = new Date().toISOString()): PaletteHost {
  const clusters = [...(d.status?.inUseClustersRef ?? []), ...(d.status?.inUseClusters ?? [])]
    .map((c) => c.name ?? c.uid ?? '')
    .filter(Boolean);
  return {
    uid: d.metadata.uid ?? d.metadata.name ?? '?',
    name: d.metadata.name,
    state: d.status?.state,
    health: d.status?.health?.state,
    clusters: [...new Set(clusters)],
    labels: d.metadata.labels ?? {},
    fetchedAt: now,
  };
}

export async function refreshPaletteHosts(
  app: AppContext,
  client: PaletteClient,
  signal?: AbortSignal,
): Promise<PaletteHost[]> {
  const list = (await client.searchEdgeHosts({}, signal)).map((d) => toPaletteHost(d));
  await app.store.register.cachePaletteHosts(list, true);
  app.bus.emit('register.changed', { reason: 'palette-hosts' });
  return list;
}

async function withClient<T>(
  app: AppContext,
  given: PaletteClient | undefined,
  f: (c: PaletteClient) => Promise<T>,
): Promise<T> {
  const c = given ?? (await paletteClient(app));
  try {
    return await f(c);
  } finally {
    if (!given) await c.close();
  }
}

export interface CreateClusterOptions extends LongWorkOptions {
  dryRun?: boolean;
  client?: PaletteClient;
}

export interface CreateClusterResult {
  cluster?: ClusterRecord;
  definition: EdgeNativeClusterEntity;
  problems: string[];
  /** 'created' | 'extended' | 'unchanged' | 'dry-run' */
  action: string;
}

/**
 * Create the site's cluster, or extend it with hosts registered since (machine pools replaced).
 * Local problems and Palette's validation problems stop it with EINVALID (listed in details).
 */
export async function createOrExtendCluster(
  app: AppContext,
  siteName: string,
  opts: CreateClusterOptions = {},
): Promise<CreateClusterResult> {
  const site = await getSite(app, siteName);
  const { hosts, notYet } = await registeredSiteHosts(app, siteName);
  const { entity, problems } = buildClusterEntity(site, hosts);
  const notes = notYet.length ? [`not registered yet, left out: ${notYet.join(', ')}`] : [];
  const existing0 = await app.store.register.clusterForSite(siteName);
  opts.onProgress?.({ phase: 'build', percent: 10, message: `${hosts.length} hosts` });
  if (problems.length) {
    if (opts.dryRun) return { definition: entity, problems: [...problems, ...notes], action: 'dry-run' };
    throw new AppError('EINVALID', `cannot define the cluster for site ${siteName}: ${problems.join('; ')}`, {
      problems,
    });
  }
  return withClient(app, opts.client, async (client) => {
    let existing = existing0;
    // A create that was interrupted (crash, timeout) may have reached Palette: look it up by name
    // before creating, and adopt it instead of creating a second one.
    const name0 = entity.metadata.name;
    const found =
      existing?.state === 'created' ? undefined : await client.findClusterByName(name0, opts.signal);
    if (found) {
      const prior = existing ?? (await app.store.register.getCluster(name0));
      if (!prior || prior.site !== siteName || !['creating', 'failed'].includes(prior.state))
        throw new AppError(
          'ECONFLICT',
          `Palette already has a cluster named ${name0} that Edgebench did not create for site ${siteName}; set another --cluster-name on the site`,
          { uid: found },
        );
      const priorHosts =
        (prior.definition as EdgeNativeClusterEntity | null)?.spec.machinepoolconfig.flatMap((p) =>
          p.cloudConfig.edgeHosts.map((h) => h.hostUid),
        ) ?? prior.hostIds;
      existing = await app.store.register.putCluster({
        ...prior,
        uid: found,
        state: 'created',
        hostIds: priorHosts,
        error: undefined,
      });
      app.log(
        'info',
        'register',
        `cluster ${name0} was already in Palette (${found}); adopted, not created again`,
      );
    }
    if (existing?.state === 'created' && existing.uid) {
      const have = new Set(existing.hostIds);
      const added = hosts.filter((h) => !have.has(h.id));
      if (!added.length)
        return { cluster: existing, definition: entity, problems: notes, action: 'unchanged' };
      if (opts.dryRun) return { cluster: existing, definition: entity, problems: notes, action: 'dry-run' };
      opts.onProgress?.({
        phase: 'extend',
        percent: 50,
        message: `adding ${added.map((h) => h.id).join(', ')}`,
      });
      for (const pool of entity.spec.machinepoolconfig)
        await client.putMachinePool(existing.uid, pool, opts.signal);
      const rec = await app.store.register.putCluster({
        ...existing,
        hostIds: hosts.map((h) => h.id),
        definition: entity,
        error: undefined,
      });
      for (const h of added)
        await app.store.hosts.addEvent(h.id, 'cluster', `added to cluster ${rec.name}`, {
          cluster: rec.name,
        });
      app.bus.emit('register.changed', { reason: 'cluster' });
      return { cluster: rec, definition: entity, problems: notes, action: 'extended' };
    }
    opts.onProgress?.({ phase: 'validate', percent: 30 });
    const vproblems = await client.validateEdgeNativeCluster(entity, opts.signal);
    if (vproblems.length) {
      if (opts.dryRun) return { definition: entity, problems: [...vproblems, ...notes], action: 'dry-run' };
      throw new AppError(
        'EINVALID',
        `Palette rejected the cluster definition for site ${siteName}: ${vproblems.join('; ')}`,
        { problems: vproblems },
      );
    }
    if (opts.dryRun) return { definition: entity, problems: notes, action: 'dry-run' };
    const name = entity.metadata.name;
    const base = { name, site: siteName, hostIds: hosts.map((h) => h.id), definition: entity };
    await app.store.register.putCluster({ ...base, state: 'creating', uid: existing?.uid });
    opts.onProgress?.({ phase: 'create', percent: 60 });
    try {
      const uid = await client.createEdgeNativeCluster(entity, opts.signal);
      const rec = await app.store.register.putCluster({ ...base, state: 'created', uid });
      for (const h of hosts)
        await app.store.hosts.addEvent(h.id, 'cluster', `in cluster ${name} (${uid})`, {
          cluster: name,
          uid,
        });
      app.bus.emit('register.changed', { reason: 'cluster' });
      opts.onProgress?.({ phase: 'create', percent: 100 });
      return { cluster: rec, definition: entity, problems: notes, action: 'created' };
    } catch (e) {
      await app.store.register.putCluster({ ...base, state: 'failed', error: toErrorData(e) });
      app.bus.emit('register.changed', { reason: 'cluster' });
      throw e;
    }
  });
}

export interface DeleteClusterOptions extends LongWorkOptions {
  force?: boolean;
  client?: PaletteClient;
  /** How long to wait for the hosts to leave in-use (default 120 s). */
  waitMs?: number;
}

export async function deleteCluster(
  app: AppContext,
  name: string,
  opts: DeleteClusterOptions = {},
): Promise<{ cluster: ClusterRecord; hosts: PaletteHost[] }> {
  const rec = await app.store.register.getCluster(name);
  if (!rec)
    throw new AppError('ENOTFOUND', `Edgebench has no cluster ${name}; see \`edgebench cluster list\``);
  if (!rec.uid)
    throw new AppError('ENOTFOUND', `cluster ${name} was never created in Palette (state ${rec.state})`);
  return withClient(app, opts.client, async (client) => {
    await app.store.register.putCluster({ ...rec, state: 'deleting' });
    opts.onProgress?.({ phase: 'delete', percent: 10 });
    await client.deleteCluster(rec.uid!, { force: opts.force, signal: opts.signal });
    const done = await app.store.register.putCluster({ ...rec, state: 'deleted', error: undefined });
    app.bus.emit('register.changed', { reason: 'cluster' });
    const deadline = Date.now() + (opts.waitMs ?? 120_000);
    let hosts: PaletteHost[];
    for (;;) {
      hosts = [];
      for (const id of rec.hostIds) {
        const d = await client.getEdgeHost(id, opts.signal);
        if (d) hosts.push(toPaletteHost(d));
      }
      await app.store.register.cachePaletteHosts(hosts, false);
      const busy = hosts.filter((h) => h.state === 'in-use').length;
      opts.onProgress?.({
        phase: 'wait-hosts',
        percent: 50,
        message: `${hosts.length - busy}/${hosts.length} hosts released`,
      });
      if (!busy || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    for (const h of rec.hostIds)
      await app.store.hosts.addEvent(h, 'cluster', `cluster ${name} deleted`, { cluster: name });
    app.bus.emit('register.changed', { reason: 'palette-hosts' });
    return { cluster: done, hosts };
  });
}
