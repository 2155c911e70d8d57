// CLI: edgebench site add|list|show|remove and cluster create|delete|list. See docs/register.md.
import type { Command } from 'commander';
import type { SiteInput } from '../../../shared/contract/register';
import { AppError } from '../../../shared/errors';
import { createOrExtendCluster, deleteCluster } from '../../register/cluster';
import { getSite, putSite } from '../../register/sites';
import type { CliContext } from '../context';
import { collect, parseTags, table } from './register-shared';

export function registerSites(program: Command, cli: CliContext): void {
  const s = program
    .command('site')
    .description(
      'sites: cluster profiles, control-plane endpoint, node roles, PIN for the registration page',
    );
  s.command('add <name>')
    .description('create or replace a site')
    .option('--location <text>', 'where the site is')
    .option('--cluster-name <name>', 'cluster name in Palette (default: the site name)')
    .option('--infra-profile <uid>', 'infrastructure cluster profile UID (see `edgebench palette profiles`)')
    .option('--os <os>', 'OS of the infrastructure profile: openSUSE | Ubuntu')
    .option('--k8s <k8s>', 'Kubernetes: "Palette Optimized K3s" | RKE2 | PXK-E')
    .option('--cni <cni>', 'CNI: Calico | Flannel')
    .option('--addon-profile <uid>', 'add-on cluster profile UID (repeatable)', collect)
    .option('--vip <ip>', 'control-plane VIP')
    .option('--ddns <host>', 'control-plane DDNS host name (instead of a VIP)')
    .option('--ddns-search-domain <domain>', 'DDNS search domain')
    .option(
      '--overlay-cidr <cidr>',
      'overlay network CIDR (its first address is the VIP when --vip is not given)',
    )
    .option('--control-plane <host>', 'host ID with the control-plane role (repeatable)', collect)
    .option('--worker <host>', 'host ID with the worker role (repeatable)', collect)
    .option('--ssh-key <key>', 'SSH public key (repeatable)', collect)
    .option('--ntp <server>', 'NTP server (repeatable)', collect)
    .option('--tags <k=v,...>', 'tags added to every host registered for this site')
    .option(
      '--pin <pin>',
      'PIN for the self-hosted registration page ("" removes it); or $EDGEBENCH_SITE_PIN',
    )
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      '\nExample:\n  edgebench site add store-042 --location "Store 42, Lyon" --infra-profile 6650... --os Ubuntu --k8s "Palette Optimized K3s" --cni Calico --vip 10.42.0.10 --pin 4711',
    )
    .action(async (name: string, o: Record<string, unknown>) => {
      const old = (await cli.app.store.register.getSite(name))?.site;
      const nodeRoles: Record<string, 'control-plane' | 'worker'> = { ...(old?.nodeRoles ?? {}) };
      for (const h of (o.controlPlane as string[]) ?? []) nodeRoles[h] = 'control-plane';
      for (const h of (o.worker as string[]) ?? []) nodeRoles[h] = 'worker';
      const infraUid = (o.infraProfile as string) ?? old?.profiles.infrastructure?.uid;
      const input: SiteInput = {
        name,
        location: (o.location as string) ?? old?.location,
        clusterName: (o.clusterName as string) ?? old?.clusterName,
        profiles: {
          infrastructure: infraUid
            ? {
                uid: infraUid,
                os: ((o.os as string) ?? old?.profiles.infrastructure?.os) as never,
                k8s: ((o.k8s as string) ?? old?.profiles.infrastructure?.k8s) as never,
                cni: ((o.cni as string) ?? old?.profiles.infrastructure?.cni) as never,
              }
            : undefined,
          addons: o.addonProfile
            ? (o.addonProfile as string[]).map((uid) => ({ uid }))
            : (old?.profiles.addons ?? []),
        },
        endpoint:
          o.ddns || o.ddnsSearchDomain
            ? {
                type: 'DDNS',
                host: o.ddns as string | undefined,
                ddnsSearchDomain: o.ddnsSearchDomain as string | undefined,
              }
            : o.vip
              ? { type: 'VIP', host: o.vip as string }
              : (old?.endpoint ?? { type: 'VIP' }),
        overlayCidr: (o.overlayCidr as string) ?? old?.overlayCidr,
        nodeRoles,
        sshKeys: (o.sshKey as string[]) ?? old?.sshKeys ?? [],
        ntpServers: (o.ntp as string[]) ?? old?.ntpServers ?? [],
        tags: o.tags ? parseTags(o.tags as string) : (old?.tags ?? {}),
        pin: (o.pin as string | undefined) ?? process.env.EDGEBENCH_SITE_PIN,
      };
      const site = await putSite(cli.app, input);
      if (cli.json(o as { json?: boolean })) return cli.jsonLine({ ok: true, site });
      cli.out(`Saved site ${site.name}${site.hasPin ? ' (registration page PIN set)' : ''}.`);
    });
  s.command('list')
    .description('list sites')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const sites = await cli.app.store.register.listSites();
      if (cli.json(o)) return cli.jsonLine({ ok: true, sites });
      if (!sites.length) return cli.out('No sites. Add one with `edgebench site add NAME ...`.');
      table(
        cli,
        ['NAME', 'LOCATION', 'ENDPOINT', 'INFRA PROFILE', 'PIN'],
        sites.map((x) => [
          x.name,
          x.location ?? '-',
          `${x.endpoint.type} ${x.endpoint.host ?? x.endpoint.ddnsSearchDomain ?? x.overlayCidr ?? ''}`.trim(),
          x.profiles.infrastructure?.uid ?? '-',
          x.hasPin ? 'yes' : 'no',
        ]),
      );
    });
  s.command('show <name>')
    .description('one site with its hosts and cluster')
    .option('--json', 'JSON output')
    .action(async (name: string, o: { json?: boolean }) => {
      const site = await getSite(cli.app, name);
      const hosts = await cli.app.store.hosts.list({ site: name, limit: 100000 });
      const cluster = await cli.app.store.register.clusterForSite(name);
      if (cli.json(o)) return cli.jsonLine({ ok: true, site, hosts: hosts.map((h) => h.id), cluster });
      cli.out(JSON.stringify(site, null, 2));
      cli.out(`Hosts: ${hosts.map((h) => h.id).join(', ') || 'none'}`);
      cli.out(
        `Cluster: ${cluster ? `${cluster.name} (${cluster.state}${cluster.uid ? ', ' + cluster.uid : ''})` : 'none'}`,
      );
    });
  s.command('remove <name>')
    .description('delete a site (refused while it has a cluster)')
    .action(async (name: string) => {
      const c = await cli.app.store.register.clusterForSite(name);
      if (c)
        throw new AppError(
          'EBUSY',
          `site ${name} has cluster ${c.name} (${c.state}); delete the cluster first`,
        );
      if (!(await cli.app.store.register.deleteSite(name)))
        throw new AppError('ENOTFOUND', `no site ${name}`);
      cli.out(`Removed site ${name}.`);
    });
}

export function registerClusters(program: Command, cli: CliContext): void {
  const c = program.command('cluster').description('edge-native clusters built from sites');
  c.command('create')
    .description(
      "build the site's cluster from its registered hosts, validate it with Palette, then create it (or add new hosts)",
    )
    .requiredOption('--site <site>', 'site name')
    .option('--dry-run', 'build and validate only; print the definition')
    .option('--json', 'JSON output')
    .action(async (o: { site: string; dryRun?: boolean; json?: boolean }) => {
      const r = await createOrExtendCluster(cli.app, o.site, {
        dryRun: o.dryRun,
        signal: cli.signal,
        onProgress: cli.progressPrinter(o),
      });
      if (cli.json(o))
        return cli.jsonLine({
          ok: true,
          action: r.action,
          cluster: r.cluster,
          definition: r.definition,
          problems: r.problems,
        });
      if (o.dryRun) cli.out(JSON.stringify(r.definition, null, 2));
      for (const p of r.problems) cli.err(`note: ${p}`);
      const name = r.cluster?.name ?? r.definition.metadata.name;
      cli.out(
        r.action === 'dry-run'
          ? `Dry run: cluster ${name} ${r.problems.length ? 'has problems (above)' : 'is valid'}.`
          : r.action === 'created'
            ? `Created cluster ${name} (${r.cluster?.uid}) with ${r.cluster?.hostIds.length} host(s).`
            : r.action === 'extended'
              ? `Added hosts to cluster ${name}; it now has ${r.cluster?.hostIds.length}.`
              : `Cluster ${name} already has every registered host of site ${o.site}.`,
      );
    });
  c.command('delete <name>')
    .description('delete the cluster in Palette and show its hosts return to ready')
    .option('--force', 'force delete (Palette forceDelete)')
    .option('--json', 'JSON output')
    .action(async (name: string, o: { force?: boolean; json?: boolean }) => {
      const r = await deleteCluster(cli.app, name, {
        force: o.force,
        signal: cli.signal,
        onProgress: cli.progressPrinter(o),
      });
      if (cli.json(o)) return cli.jsonLine({ ok: true, ...r });
      cli.out(`Deleted cluster ${name}.`);
      table(
        cli,
        ['HOST', 'PALETTE STATE'],
        r.hosts.map((h) => [h.uid, h.state ?? '-']),
      );
    });
  c.command('list')
    .description('clusters Edgebench defined')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const list = await cli.app.store.register.listClusters();
      if (cli.json(o)) return cli.jsonLine({ ok: true, clusters: list });
      if (!list.length) return cli.out('No clusters.');
      table(
        cli,
        ['NAME', 'SITE', 'STATE', 'UID', 'HOSTS'],
        list.map((x) => [x.name, x.site, x.state, x.uid ?? '-', x.hostIds.join(',')]),
      );
    });
}
