// CLI commands of the register capability: palette login/hosts/profiles, register, sync, site,
// cluster, labels and export terraform. See docs/register.md.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { SiteInput } from '../../../shared/contract/register';
import { AppError } from '../../../shared/errors';
import { PaletteClient } from '../../palette/client';
import { isTransient } from '../../palette/errors';
import { loadSettings, logout, readCaFile, saveLogin } from '../../palette/credentials';
import { createOrExtendCluster, deleteCluster, refreshPaletteHosts } from '../../register/cluster';
import { httpOptionsFromEnv, paletteClient } from '../../register/connect';
import { hostsForLabels, labelData, requireRegistrationURL, writeLabels } from '../../register/labels';
import { enqueueRegistration, syncRegistrations } from '../../register/queue';
import { connectionView, listProfiles } from '../../register/service';
import { getSite, putSite } from '../../register/sites';
import { exportTerraform } from '../../register/terraform';
import { writeFileAtomic } from '../../core/fs-safe';
import type { CliContext } from '../context';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function parseTags(s?: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!s) return out;
  for (const part of s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0) throw new AppError('EUSAGE', `--tags takes k=v,k=v; "${part}" has no "="`);
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

/** The API key: PALETTE_API_KEY, else a hidden prompt on a terminal, else one line from stdin. */
async function readApiKey(cli: CliContext): Promise<string> {
  if (process.env.PALETTE_API_KEY) return process.env.PALETTE_API_KEY.trim();
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(c as Buffer);
    const key = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0].trim();
    if (!key) throw new AppError('EUSAGE', 'no API key: set PALETTE_API_KEY or type it at the prompt');
    return key;
  }
  process.stderr.write('Palette API key (input hidden): ');
  return new Promise((resolve, reject) => {
    let key = '';
    stdin.setRawMode(true);
    stdin.resume();
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          cleanup();
          process.stderr.write('\n');
          return key.trim() ? resolve(key.trim()) : reject(new AppError('EUSAGE', 'empty API key'));
        }
        if (ch === '\u0003') {
          cleanup();
          return reject(new AppError('ECANCELLED', 'Cancelled'));
        }
        if (ch === '\u007f') key = key.slice(0, -1);
        else key += ch;
      }
    };
    const cleanup = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
    stdin.on('data', onData);
    void cli;
  });
}

function table(cli: CliContext, head: string[], rows: string[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (c ?? '').padEnd(w[i]))
      .join('  ')
      .trimEnd();
  cli.out(line(head));
  for (const r of rows) cli.out(line(r));
}

function registerPalette(program: Command, cli: CliContext): void {
  const p = program
    .command('palette')
    .description('the Palette connection: login, status, hosts and profiles');
  p.command('login')
    .description(
      'save the Palette endpoint, project and API key (key from $PALETTE_API_KEY or a hidden prompt); checked with one call first',
    )
    .requiredOption(
      '--endpoint <host>',
      'Palette API host, e.g. api.spectrocloud.com (or 127.0.0.1:PORT for a simulator)',
    )
    .option('--project <uid>', 'project UID (sent as the ProjectUid header); omit for tenant scope')
    .option(
      '--ca <file>',
      'PEM file with CA certificates to trust (self-hosted Palette, TLS-inspecting proxy)',
    )
    .option('--insecure', 'do not verify the TLS certificate (only when you accept the risk)')
    .option('--proxy <url>', 'HTTP(S) proxy, e.g. http://proxy.example:3128')
    .option('--no-check', 'save without checking the key against Palette')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      '\nThe key goes to the OS keychain (secret-tool) when available, else to a 0600 file in the data dir.\nExample:\n  PALETTE_API_KEY=... edgebench palette login --endpoint api.spectrocloud.com --project 64f0...',
    )
    .action(
      async (o: {
        endpoint: string;
        project?: string;
        ca?: string;
        insecure?: boolean;
        proxy?: string;
        check: boolean;
        json?: boolean;
      }) => {
        const apiKey = await readApiKey(cli);
        const caPem = o.ca ? readCaFile(o.ca) : undefined;
        if (o.check) {
          const probe = new PaletteClient(
            {
              endpoint: o.endpoint,
              projectUid: o.project,
              apiKey,
              caPem,
              insecure: o.insecure,
              proxy: o.proxy,
            },
            { ...httpOptionsFromEnv(cli.app), retry: { attempts: 1 } },
          );
          try {
            await probe.ping(cli.signal);
          } finally {
            await probe.close();
          }
        }
        await saveLogin(cli.app, {
          endpoint: o.endpoint,
          projectUid: o.project,
          apiKey,
          caFile: o.ca,
          caPem,
          insecure: o.insecure,
          proxy: o.proxy,
        });
        const v = await connectionView(cli.app);
        if (cli.json(o)) return cli.jsonLine({ ok: true, ...v });
        cli.out(
          `Logged in to Palette at ${v.endpoint}${v.projectUid ? ` (project ${v.projectUid})` : ''}; key stored in the ${v.keyStorage === 'keychain' ? 'OS keychain' : 'data dir (0600 file)'}.`,
        );
        if (o.insecure) cli.err('Warning: TLS verification is off for this connection.');
      },
    );
  p.command('logout')
    .description('forget the Palette connection and remove the stored key')
    .action(async () => {
      await logout(cli.app);
      cli.out('Palette connection removed.');
    });
  p.command('status')
    .description('show the Palette connection (never the key) and whether it answers')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const v = await connectionView(cli.app);
      let reachable: boolean | undefined;
      let error: unknown;
      if (v.configured) {
        try {
          const c = await paletteClient(cli.app, { retry: { attempts: 1 } });
          try {
            await c.ping(cli.signal);
            reachable = true;
          } finally {
            await c.close();
          }
        } catch (e) {
          reachable = false;
          error = e instanceof AppError ? e.toData() : String(e);
        }
      }
      const pending = await cli.app.store.register.countPending();
      if (cli.json(o)) return cli.jsonLine({ ok: true, ...v, reachable, error, pending });
      if (!v.configured) return cli.out('Not logged in to Palette. Run `edgebench palette login`.');
      cli.out(
        `Endpoint: ${v.endpoint}\nProject:  ${v.projectUid ?? '(tenant scope)'}\nCA:       ${v.hasCa ? 'custom' : 'system'}${v.insecure ? ' (verification OFF)' : ''}\nProxy:    ${v.proxy ?? 'none'}\nKey:      ${v.keyStorage}`,
      );
      cli.out(
        `Reachable: ${reachable ? 'yes' : `no (${(error as { code?: string })?.code ?? ''} ${(error as { message?: string })?.message ?? ''})`}\nQueued registrations: ${pending}`,
      );
    });
  p.command('hosts')
    .description('edge hosts in Palette (state, health, cluster) beside what Edgebench registered')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const c = await paletteClient(cli.app);
      try {
        const hosts = await refreshPaletteHosts(cli.app, c, cli.signal);
        const regs = new Set((await cli.app.store.register.listRegistrations()).map((r) => r.hostId));
        if (cli.json(o))
          return cli.jsonLine({
            ok: true,
            hosts: hosts.map((h) => ({ ...h, registeredByEdgebench: regs.has(h.uid) })),
          });
        if (!hosts.length) return cli.out('Palette has no edge hosts in this project.');
        table(
          cli,
          ['UID', 'STATE', 'HEALTH', 'CLUSTER', 'EDGEBENCH'],
          hosts.map((h) => [
            h.uid,
            h.state ?? '-',
            h.health ?? '-',
            h.clusters.join(',') || '-',
            regs.has(h.uid) ? 'registered' : '-',
          ]),
        );
      } finally {
        await c.close();
      }
    });
  p.command('tokens')
    .description('registration tokens (edgeHostToken for user-data): list, or create one with --create NAME')
    .option('--create <name>', 'create a token with this name')
    .option('--expiry <date>', 'expiry for --create (ISO date; default 90 days)')
    .option('--show', 'print token values in full (they are secrets; masked by default)')
    .option('--json', 'JSON output')
    .action(async (o: { create?: string; expiry?: string; show?: boolean; json?: boolean }) => {
      const c = await paletteClient(cli.app);
      try {
        if (o.create) {
          const exp = o.expiry ? new Date(o.expiry) : new Date(Date.now() + 90 * 86400_000);
          if (Number.isNaN(exp.getTime()))
            throw new AppError('EUSAGE', `--expiry "${o.expiry}" is not a date`);
          const s = await loadSettings(cli.app);
          const uid = await c.createToken(o.create, exp.toISOString(), s?.projectUid, cli.signal);
          if (cli.json(o)) return cli.jsonLine({ ok: true, uid });
          return cli.out(`Created token ${o.create} (${uid}), expires ${exp.toISOString()}.`);
        }
        const mask = (t?: string | null) => (!t ? '-' : o.show ? t : `${t.slice(0, 4)}…`);
        const items = (await c.listTokens(cli.signal)).map((t) => ({
          uid: t.metadata.uid,
          name: t.metadata.name,
          token: mask(t.spec?.token),
          expiry: t.spec?.expiry ?? undefined,
          active: t.status?.isActive ?? undefined,
        }));
        if (cli.json(o)) return cli.jsonLine({ ok: true, tokens: items });
        if (!items.length) return cli.out('No registration tokens.');
        table(
          cli,
          ['NAME', 'TOKEN', 'EXPIRY', 'ACTIVE'],
          items.map((t) => [t.name ?? '-', t.token, t.expiry ?? '-', String(t.active ?? '-')]),
        );
      } finally {
        await c.close();
      }
    });
  p.command('profiles')
    .description('edge-native cluster profiles in Palette (UIDs for `edgebench site add`)')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const profiles = await listProfiles(cli.app, cli.signal);
      if (cli.json(o)) return cli.jsonLine({ ok: true, profiles });
      if (!profiles.length) return cli.out('No edge-native cluster profiles.');
      table(
        cli,
        ['UID', 'NAME', 'VERSION', 'TYPE'],
        profiles.map((p) => [p.uid, p.name, p.version ?? '-', p.type ?? '-']),
      );
    });
}

function registerRegisterSync(program: Command, cli: CliContext): void {
  program
    .command('register <host...>')
    .description(
      'pre-register hosts from the store in Palette (queued durably; queued for later when Palette is unreachable)',
    )
    .option('--tags <k=v,...>', 'extra tags (Palette labels)')
    .option('--site <site>', 'assign the hosts to this site first')
    .option('--queue-only', 'queue without sending now')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      '\nExamples:\n  edgebench register edge-0001 edge-0002 --site store-042 --tags rack=3,env=prod\n  edgebench sync          # replay anything queued while offline',
    )
    .action(
      async (hosts: string[], o: { tags?: string; site?: string; queueOnly?: boolean; json?: boolean }) => {
        const tags = parseTags(o.tags);
        const jobs = [];
        for (const h of hosts)
          jobs.push(await enqueueRegistration(cli.app, { hostId: h, tags, site: o.site }));
        if (o.queueOnly || !(await loadSettings(cli.app))) {
          if (cli.json(o)) return cli.jsonLine({ ok: true, queued: jobs.map((j) => j.id), sync: null });
          return cli.out(
            `Queued ${jobs.length} registration(s). ${o.queueOnly ? '' : 'No Palette login yet: run `edgebench palette login`, then `edgebench sync`.'}`,
          );
        }
        const r = await syncRegistrations(cli.app, {
          signal: cli.signal,
          onProgress: cli.progressPrinter(o),
        });
        const states = await Promise.all(jobs.map(async (j) => (await cli.app.store.register.getJob(j.id))!));
        if (cli.json(o)) {
          cli.jsonLine({
            ok: !r.stoppedBy || isTransientCode(r.stoppedBy.code),
            queued: jobs.map((j) => j.id),
            sync: r,
            jobs: states,
          });
        } else {
          for (const j of states)
            cli.out(
              `${j.hostId}: ${j.state === 'done' ? (j.created ? 'registered' : 'already registered (matching record)') : j.state === 'failed' ? `FAILED ${j.lastError?.code}: ${j.lastError?.message}` : `queued (${j.lastError?.code ?? 'not sent yet'})`}`,
            );
          if (r.stoppedBy && isTransientCode(r.stoppedBy.code))
            cli.out(
              `Palette is unreachable (${r.stoppedBy.code}): ${r.pending} registration(s) stay queued; run \`edgebench sync\` later.`,
            );
        }
        if (r.stoppedBy && !isTransientCode(r.stoppedBy.code)) throw AppError.fromData(r.stoppedBy as never);
        if (r.failed) process.exitCode = 4;
      },
    );

  program
    .command('sync')
    .description('replay queued registrations in order (safe to interrupt: nothing is lost or sent twice)')
    .option('--list', 'only list the queue (and failed jobs)')
    .option('--retry-failed', 'put failed jobs back in the queue first')
    .option('--json', 'JSON output')
    .action(async (o: { list?: boolean; retryFailed?: boolean; json?: boolean }) => {
      const repo = cli.app.store.register;
      if (o.retryFailed)
        for (const j of await repo.listJobs()) if (j.state === 'failed') await repo.retry(j.id);
      if (o.list) {
        const jobs = await repo.listJobs();
        if (cli.json(o)) return cli.jsonLine({ ok: true, jobs });
        if (!jobs.length) return cli.out('The registration queue is empty.');
        table(
          cli,
          ['SEQ', 'HOST', 'STATE', 'ATTEMPTS', 'LAST ERROR'],
          jobs.map((j) => [
            String(j.seq),
            j.hostId,
            j.state,
            String(j.attempts),
            j.lastError ? `${j.lastError.code}: ${j.lastError.message}` : '-',
          ]),
        );
        return;
      }
      const r = await syncRegistrations(cli.app, { signal: cli.signal, onProgress: cli.progressPrinter(o) });
      if (cli.json(o)) cli.jsonLine({ ok: !r.stoppedBy, ...r });
      else {
        cli.out(`${r.done} registered, ${r.failed} failed, ${r.pending} still queued.`);
        if (r.stoppedBy) cli.out(`Stopped: ${r.stoppedBy.code}: ${r.stoppedBy.message}`);
      }
      if (r.stoppedBy) throw AppError.fromData(r.stoppedBy as never);
      if (r.failed) process.exitCode = 4;
    });
}

function isTransientCode(code: string): boolean {
  return isTransient(new AppError(code as never, ''));
}

function registerSites(program: Command, cli: CliContext): void {
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

function registerClusters(program: Command, cli: CliContext): void {
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

function registerLabelsExport(program: Command, cli: CliContext): void {
  program
    .command('labels')
    .description('QR labels: a PDF sheet (-o labels.pdf) or PNG + SVG per host (-o DIR)')
    .option('--hosts <ids>', 'comma-separated host IDs')
    .option('--all', 'every host (of --site when given)')
    .option('--site <site>', 'only hosts of this site')
    .option('--url <registrationURL>', 'registration URL for the QR codes (saved for next time)')
    .option('--paper <size>', 'A4 | Letter', 'A4')
    .requiredOption('-o, --output <file.pdf|dir>', 'output PDF file or folder')
    .option('--force', 'replace existing files')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      "\nThe QR code holds REGISTRATION_URL?uid=HOST_ID (Edgebench's page reads `uid`).\nExample:\n  edgebench labels --all --site store-042 --url https://bench.local:8080/register -o labels.pdf",
    )
    .action(
      async (o: {
        hosts?: string;
        all?: boolean;
        site?: string;
        url?: string;
        paper: string;
        output: string;
        force?: boolean;
        json?: boolean;
      }) => {
        if (!o.hosts && !o.all) throw new AppError('EUSAGE', 'name hosts with --hosts ID,ID or pass --all');
        if (o.paper !== 'A4' && o.paper !== 'Letter') throw new AppError('EUSAGE', '--paper is A4 or Letter');
        const url = await requireRegistrationURL(cli.app, o.url);
        const ids = o.hosts
          ? o.hosts
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean)
          : [];
        const hosts = await hostsForLabels(cli.app, ids, o.site);
        const labels = hosts.map((h) => labelData(h, url));
        const r = await writeLabels(o.output, labels, { paper: o.paper, force: o.force });
        if (cli.json(o))
          return cli.jsonLine({
            ok: true,
            count: labels.length,
            files: r.files,
            urls: labels.map((l) => l.url),
          });
        cli.out(
          `Wrote ${labels.length} label(s): ${o.output.toLowerCase().endsWith('.pdf') ? o.output : `${r.files.length} files in ${o.output}`}`,
        );
      },
    );
  const ex = program.command('export').description('export Edgebench records for other tools');
  ex.command('terraform')
    .description(
      'HCL: spectrocloud_appliance per registered host, spectrocloud_cluster_edge_native per site cluster (no API key written)',
    )
    .option('-o, --output <dir>', 'output folder', 'terraform')
    .option('--force', 'replace existing files')
    .option('--json', 'JSON output')
    .action(async (o: { output: string; force?: boolean; json?: boolean }) => {
      const files = await exportTerraform(cli.app);
      fs.mkdirSync(o.output, { recursive: true });
      for (const f of files)
        await writeFileAtomic(path.join(o.output, f.name), f.content, { force: o.force });
      if (cli.json(o))
        return cli.jsonLine({ ok: true, files: files.map((f) => path.join(o.output, f.name)) });
      cli.out(`Wrote ${files.map((f) => path.join(o.output, f.name)).join(', ')}`);
    });
}

export function registerRegisterCommands(program: Command, cli: CliContext): void {
  registerPalette(program, cli);
  registerRegisterSync(program, cli);
  registerSites(program, cli);
  registerClusters(program, cli);
  registerLabelsExport(program, cli);
}
