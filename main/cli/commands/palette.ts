// CLI: edgebench palette login|logout|status|hosts|tokens|profiles. See docs/register.md.
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { PaletteClient } from '../../palette/client';
import { loadSettings, logout, readCaFile, saveLogin } from '../../palette/credentials';
import { refreshPaletteHosts } from '../../register/cluster';
import { httpOptionsFromEnv, paletteClient } from '../../register/connect';
import { connectionView, listProfiles } from '../../register/service';
import type { CliContext } from '../context';
import { table } from './register-shared';

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

export function registerPalette(program: Command, cli: CliContext): void {
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
