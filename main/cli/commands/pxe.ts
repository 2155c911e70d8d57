// `edgebench pxe ...`: network-boot lab machines into the installer (ProxyDHCP or DHCP, TFTP,
// HTTP), the boot timeline, interfaces, and per-profile kernel command lines. See docs/pxe.md.
import path from 'node:path';
import type { Command } from 'commander';
import type { BootEvent } from '../../../shared/contract/pxe';
import { AppError } from '../../../shared/errors';
import { checkCmdlineTemplate, DEFAULT_CMDLINE_TEMPLATE } from '../../pxe/cmdline';
import { normalizeMacLoose } from '../../pxe/hosts';
import { listInterfaces, startPxeService } from '../../pxe/service';
import type { CliContext } from '../context';

interface ServeOpts {
  interface?: string;
  image?: string;
  hosts?: string;
  proxy?: boolean;
  dhcpRange?: string;
  httpPort: string;
  allowUnknown?: boolean;
  defaultProfile?: string;
  tftp: boolean;
  cmdline?: string;
  ipxeBios?: string;
  ipxeEfi?: string;
  json?: boolean;
}

function eventLine(e: BootEvent): string {
  const t = e.time.slice(11, 19);
  return `${t}  ${e.mac}  ${(e.hostId ?? '-').padEnd(14)} ${e.kind.padEnd(16)} ${e.message}`;
}

function parsePort(s: string): number {
  const n = Number(s);
  if (!/^\d{1,5}$/.test(s) || n < 1 || n > 65535)
    throw new AppError('EUSAGE', `--http-port takes 1..65535, not "${s}"`);
  return n;
}

async function serve(cli: CliContext, o: ServeOpts): Promise<void> {
  if (!o.interface)
    throw new AppError('EUSAGE', 'pxe serve needs --interface IF (see `edgebench pxe interfaces`)');
  if (!o.image) throw new AppError('EUSAGE', 'pxe serve needs --image ISO (the installer image to boot)');
  if (o.proxy && o.dhcpRange) throw new AppError('EUSAGE', 'choose --proxy or --dhcp-range, not both');
  if (o.defaultProfile && !o.allowUnknown)
    throw new AppError('EUSAGE', '--default-profile only applies with --allow-unknown');
  if (o.cmdline) checkCmdlineTemplate(o.cmdline);
  const json = cli.json(o);
  const app = cli.app;
  const svc = await startPxeService({
    interface: o.interface,
    image: path.resolve(o.image),
    hosts: o.hosts ? path.resolve(o.hosts) : undefined,
    mode: o.dhcpRange ? 'dhcp' : 'proxy',
    dhcpRange: o.dhcpRange,
    httpPort: parsePort(o.httpPort),
    tftp: o.tftp,
    allowUnknown: o.allowUnknown,
    defaultProfile: o.defaultProfile,
    cmdlineTemplate: o.cmdline,
    ipxe: { bios: o.ipxeBios, efi: o.ipxeEfi },
    store: app.store,
    bus: app.bus,
    cacheDir: path.join(app.dataDir, 'pxe-cache'),
    log: (level, m) => app.log(level, 'pxe', m),
    signal: cli.signal,
    onEvent: (e) => (json ? cli.jsonLine({ type: 'boot', ...e }) : cli.out(eventLine(e))),
  });
  const st = await svc.status();
  if (json) cli.jsonLine({ type: 'listening', ...st, ports: svc.ports });
  else {
    cli.out(
      `PXE service on ${st.interface} (${st.address}), ${st.mode === 'dhcp' ? 'full DHCP' : 'ProxyDHCP'} mode`,
    );
    cli.out(`  iPXE script  ${st.urls?.script}`);
    cli.out(`  user-data    ${st.urls?.userData}`);
    cli.out(
      `  hosts        ${st.hosts.length} known${o.allowUnknown ? `, unknown MACs allowed${o.defaultProfile ? ` (profile ${o.defaultProfile})` : ''}` : ', unknown MACs ignored'}`,
    );
    cli.out('Waiting for machines; press Ctrl-C to stop.');
  }
  await new Promise<void>((resolve) => {
    if (cli.signal.aborted) return resolve();
    cli.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await svc.stop();
  if (json) cli.jsonLine({ type: 'stopped' });
  else cli.out('Stopped.');
}

export function registerPxeCommands(program: Command, cli: CliContext): void {
  const pxe = program
    .command('pxe')
    .description('network-boot lab machines into the installer, each MAC with its own user-data');

  pxe
    .command('serve')
    .description(
      'serve PXE boots on one interface: ProxyDHCP beside the lab DHCP server (default) or full DHCP, TFTP for the iPXE loaders, HTTP for the iPXE script, kernel, initrd and per-MAC user-data. Needs root for UDP 67/69/4011. Runs until Ctrl-C.',
    )
    .option('--interface <if>', 'network interface facing the machines (e.g. eth1)')
    .option('--image <iso>', 'installer ISO to boot (kernel, initrd and rootfs.squashfs are taken from it)')
    .option(
      '--hosts <file>',
      'hosts CSV: mac,name,profile,ip,mask,gateway,...,userdata (else hosts in the store, by MAC)',
    )
    .option('--proxy', 'ProxyDHCP mode: another DHCP server gives the addresses (the default)')
    .option(
      '--dhcp-range <from,to,mask>',
      'full DHCP mode for an isolated bench, e.g. 10.0.0.100,10.0.0.150,255.255.255.0',
    )
    .option('--http-port <n>', 'HTTP port for scripts, artifacts and user-data', '8067')
    .option('--allow-unknown', 'also boot MACs that are not in the hosts list')
    .option('--default-profile <name>', 'with --allow-unknown: the profile whose user-data unknown MACs get')
    .option('--no-tftp', 'do not run TFTP (machines that already run iPXE or use UEFI HTTP boot)')
    .option(
      '--cmdline <template>',
      `kernel command line for this run (placeholders {{root}} {{config}} {{console}}...; default: ${DEFAULT_CMDLINE_TEMPLATE})`,
    )
    .option('--ipxe-bios <file>', 'BIOS iPXE loader (default /usr/lib/ipxe/undionly.kpxe)')
    .option('--ipxe-efi <file>', 'UEFI iPXE loader (default /usr/lib/ipxe/ipxe.efi)')
    .option('--json', 'print boot events as JSON, one per line')
    .addHelpText(
      'after',
      `
Examples:
  sudo edgebench pxe serve --interface eth1 --image palette-installer.iso --hosts bench.csv
  sudo edgebench pxe serve --interface eth1 --image installer.iso --dhcp-range 10.9.0.100,10.9.0.150,255.255.255.0
  sudo edgebench pxe serve --interface eth1 --image installer.iso --allow-unknown --default-profile lab --json

Exit codes: 0 stopped with Ctrl-C; 7 not root (UDP 67/69/4011 need root); 5 interface, image or profile
not found; 1 bad image or hosts file; 3 a port is in use or another failure.`,
    )
    .action(async (o: ServeOpts) => serve(cli, o));

  pxe
    .command('events')
    .description('the boot timeline from the store (newest last)')
    .option('--mac <mac>', 'only this machine')
    .option('--limit <n>', 'at most this many events', '200')
    .option('--json', 'JSON output')
    .action(async (o: { mac?: string; limit: string; json?: boolean }) => {
      let mac: string | undefined;
      if (o.mac) {
        mac = normalizeMacLoose(o.mac);
        if (!mac) throw new AppError('EINVALID', `"${o.mac}" is not a MAC address`);
      }
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10000)
        throw new AppError('EUSAGE', '--limit takes 1..10000');
      const events = await cli.app.store.pxe.events({ mac, limit });
      if (cli.json(o)) return cli.jsonLine({ ok: true, events });
      if (!events.length) return cli.out(mac ? `No boot events for ${mac}.` : 'No boot events.');
      for (const e of events) cli.out(`${e.time.slice(0, 10)} ${eventLine(e)}`);
    });

  pxe
    .command('interfaces')
    .description('network interfaces with an IPv4 address (where PXE can serve)')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const list = listInterfaces();
      if (cli.json(o)) return cli.jsonLine({ ok: true, interfaces: list });
      if (!list.length) return cli.out('No interface has an IPv4 address.');
      for (const i of list)
        cli.out(
          `${i.name.padEnd(12)} ${i.address}/${i.netmask}  broadcast ${i.broadcast}  ${i.mac}${i.internal ? '  (loopback)' : ''}`,
        );
    });

  pxe
    .command('cmdline')
    .description("show or set a profile's netboot kernel command-line template")
    .requiredOption('--profile <name>', 'the profile')
    .option('--set <template>', 'store this template for the profile')
    .option('--reset', "go back to the default (AuroraBoot's Kairos netboot line)")
    .option('--json', 'JSON output')
    .action(async (o: { profile: string; set?: string; reset?: boolean; json?: boolean }) => {
      const store = cli.app.store;
      if (!(await store.profiles.get(o.profile)))
        throw new AppError('ENOTFOUND', `no profile named "${o.profile}"`);
      if (o.set && o.reset) throw new AppError('EUSAGE', 'choose --set or --reset');
      if (o.set) {
        checkCmdlineTemplate(o.set);
        await store.pxe.setCmdlineTemplate(o.profile, o.set);
      } else if (o.reset) await store.pxe.setCmdlineTemplate(o.profile, undefined);
      const custom = await store.pxe.cmdlineTemplate(o.profile);
      const template = custom ?? DEFAULT_CMDLINE_TEMPLATE;
      if (cli.json(o))
        return cli.jsonLine({ ok: true, profile: o.profile, template, custom: Boolean(custom) });
      cli.out(`${o.profile}: ${template}${custom ? '' : '  (default)'}`);
    });
}
