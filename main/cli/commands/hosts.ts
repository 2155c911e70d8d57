// `edgebench hosts ...`: the inventory.
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import type { CliContext } from '../context';

function parseKv(list: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const i = item.indexOf('=');
    if (i <= 0) throw new AppError('EUSAGE', `expected KEY=VALUE, got "${item}"`);
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}
const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerHostCommands(program: Command, cli: CliContext): void {
  const hosts = program.command('hosts').description('the host inventory: list, show, add or remove hosts');
  hosts
    .command('list')
    .description('list hosts')
    .option('-q, --query <text>', 'filter by ID, serial, MAC, site or value')
    .option('--site <site>', 'only hosts of this site')
    .option('--json', 'JSON output')
    .action(async (o: { query?: string; site?: string; json?: boolean }) => {
      const list = await cli.app.store.hosts.list({ query: o.query, site: o.site });
      if (cli.json(o)) return cli.jsonLine({ ok: true, hosts: list });
      if (!list.length) return cli.out('No hosts.');
      cli.out(['ID', 'MAC', 'SERIAL', 'SITE', 'PROFILE'].join('\t'));
      for (const h of list)
        cli.out([h.id, h.mac ?? '-', h.serial ?? '-', h.site ?? '-', h.profile ?? '-'].join('\t'));
    });
  hosts
    .command('show <id>')
    .description('one host with its history')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { json?: boolean }) => {
      const host = await cli.app.store.hosts.get(id);
      if (!host) throw new AppError('ENOTFOUND', `no host with ID ${id}`);
      const events = await cli.app.store.hosts.events(id);
      if (cli.json(o)) return cli.jsonLine({ ok: true, host, events });
      cli.out(
        `${host.id}  mac=${host.mac ?? '-'} serial=${host.serial ?? '-'} site=${host.site ?? '-'} profile=${host.profile ?? '-'}`,
      );
      for (const [k, v] of Object.entries(host.values))
        cli.out(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
      for (const e of events) cli.out(`  ${e.time}  ${e.kind}  ${e.message}`);
    });
  hosts
    .command('add <id>')
    .description('add or update a host')
    .option('--mac <mac>', 'MAC address of the boot NIC')
    .option('--serial <serial>', 'serial number')
    .option('--site <site>', 'site name')
    .option('--profile <profile>', 'user-data profile')
    .option(
      '--set <key=value>',
      'per-host value (repeatable): ipAddress, mask, gateway, nameserver, nic, hostName...',
      collect,
    )
    .option('--tag <key=value>', 'tag (repeatable)', collect)
    .option('--json', 'JSON output')
    .action(
      async (
        id: string,
        o: {
          mac?: string;
          serial?: string;
          site?: string;
          profile?: string;
          set?: string[];
          tag?: string[];
          json?: boolean;
        },
      ) => {
        const values: Record<string, unknown> = parseKv(o.set);
        const tags = parseKv(o.tag);
        if (Object.keys(tags).length) values.tags = tags;
        const host = await cli.app.store.hosts.upsert({
          id,
          mac: o.mac,
          serial: o.serial,
          site: o.site,
          profile: o.profile,
          values: values as never,
        });
        if (cli.json(o)) return cli.jsonLine({ ok: true, host });
        cli.out(`Saved host ${host.id}.`);
      },
    );
  hosts
    .command('remove <id>')
    .description('remove a host record (its history stays in reports)')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { json?: boolean }) => {
      const deleted = await cli.app.store.hosts.delete(id);
      if (!deleted) throw new AppError('ENOTFOUND', `no host with ID ${id}`);
      if (cli.json(o)) return cli.jsonLine({ ok: true, deleted });
      cli.out(`Removed host ${id}.`);
    });
}
