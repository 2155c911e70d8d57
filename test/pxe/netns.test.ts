// Edgebench's ProxyDHCP beside a lab dnsmasq (addresses only), real clients in another
// namespace: busybox udhcpc as a PXE client per architecture, tftp-hpa, curl. Root only.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../main/store';
import { BIN } from '../helpers/cli';
import { skipReason, tempDir } from '../helpers/env';
import { ensureInstallerFixture, type InstallerFixture } from '../helpers/installer-fixture';
import { leftoverNamespaces } from '../helpers/netns';
import { buildPxeLab, startCliServe, waitFor, type PxeLab, type RunningCli } from './lab';

const reason =
  skipReason({
    root: true,
    tools: ['ip', 'dnsmasq', 'busybox', 'tftp', 'curl', 'xorriso'],
    files: [BIN, '/usr/lib/ipxe/undionly.kpxe'],
  }) ?? (fs.existsSync(BIN) ? undefined : 'needs the built CLI: npm run build');

let tmp: { dir: string; cleanup(): void };
let l: PxeLab | undefined;
let srv: RunningCli | undefined;
let fx: InstallerFixture;
const MAC_BIOS = '02:eb:00:00:00:10';
const MAC_EFI = '02:eb:00:00:00:11';
// a fresh MAC per udhcpc probe: dnsmasq then pings before its offer, so ours is always first
const MAC_IPXE = '02:eb:00:00:00:12';

describe.skipIf(reason)('ProxyDHCP beside a lab DHCP server, clients in a namespace', () => {
  beforeAll(async () => {
    tmp = tempDir('eb-pxe-ns-');
    fx = await ensureInstallerFixture();
    if (fx.skipReason) throw new Error(fx.skipReason);
    // dnsmasq pings before offering (its default), so udhcpc, which takes the first offer, takes ours.
    l = await buildPxeLab(77, 0, tmp.dir, { ping: true });
    fs.writeFileSync(path.join(tmp.dir, 'bios.yaml'), '#cloud-config\nhostname: ns-bios\n');
    fs.writeFileSync(path.join(tmp.dir, 'efi.yaml'), '#cloud-config\nhostname: ns-efi\n');
    fs.writeFileSync(
      path.join(tmp.dir, 'hosts.csv'),
      `mac,name,userdata\n${MAC_BIOS},ns-bios,bios.yaml\n${MAC_EFI},ns-efi,efi.yaml\n${MAC_IPXE},ns-ipxe,efi.yaml\n`,
    );
    srv = await startCliServe(
      l,
      ['--image', fx.iso, '--hosts', path.join(tmp.dir, 'hosts.csv'), '--http-port', '8067'],
      path.join(tmp.dir, 'data'),
    );
  }, 300_000);

  afterAll(async () => {
    const code = await srv?.stop();
    await l?.lab.destroy();
    tmp?.cleanup();
    expect(leftoverNamespaces('ebpx').filter((n) => l && n.includes(l.lab.id))).toEqual([]);
    if (srv) expect(code).toBe(0);
  });

  /** busybox udhcpc as a PXE client: -V PXEClient plus option 93; the script records what it got. */
  async function pxeDhcp(mac: string, arch: number, userClass?: string) {
    const lab = l!;
    lab.lab.ip(lab.C, 'link', 'set', lab.clientIf, 'down');
    lab.lab.ip(lab.C, 'link', 'set', lab.clientIf, 'address', mac);
    lab.lab.ip(lab.C, 'link', 'set', lab.clientIf, 'up');
    const out = path.join(tmp.dir, `udhcpc-${arch}-${userClass ?? ''}.env`);
    const script = path.join(tmp.dir, 'udhcpc.sh');
    fs.writeFileSync(script, `#!/bin/sh\n[ "$1" = bound ] && env > ${out}\nexit 0\n`, { mode: 0o755 });
    const args = [
      'udhcpc',
      '-i',
      lab.clientIf,
      '-V',
      'PXEClient',
      '-x',
      `0x5d:${arch.toString(16).padStart(4, '0')}`,
    ];
    if (userClass) args.push('-x', `0x4d:${Buffer.from(userClass).toString('hex')}`);
    args.push('-n', '-q', '-f', '-t', '5', '-T', '2', '-s', script, '-O', 'bootfile');
    const r = await lab.lab.exec(lab.C, 'busybox', args, 60_000);
    const env = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
    fs.rmSync(out, { force: true });
    return {
      r,
      env: Object.fromEntries(
        env
          .split('\n')
          .filter((x) => x.includes('='))
          .map((x) => [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1)]),
      ),
    };
  }

  it('udhcpc (BIOS, arch 0) gets undionly.kpxe from the proxy and siaddr = Edgebench', async () => {
    const { r, env } = await pxeDhcp(MAC_BIOS, 0);
    expect(r.status, r.stderr).toBe(0);
    expect(env.boot_file).toBe('undionly.kpxe');
    expect(env.siaddr).toBe(l!.serverIp);
    expect(env.serverid).toBe(l!.serverIp);
    expect(env.ip).toBe('0.0.0.0'); // a ProxyDHCP offer carries no address
  });

  it('udhcpc (UEFI x64, arch 7) gets ipxe.efi; as iPXE it gets its per-MAC script URL', async () => {
    const efi = await pxeDhcp(MAC_EFI, 7);
    expect(efi.env.boot_file, JSON.stringify(efi)).toBe('ipxe.efi');
    const ipxe = await pxeDhcp(MAC_IPXE, 7, 'iPXE');
    expect(ipxe.env.boot_file).toBe(`http://${l!.serverIp}:8067/pxe/02-eb-00-00-00-12/boot.ipxe`);
  });

  it('a non-PXE client gets its address from the lab dnsmasq; Edgebench stays silent', async () => {
    const lab = l!;
    const mac = '02:eb:00:00:00:99';
    lab.lab.ip(lab.C, 'link', 'set', lab.clientIf, 'down');
    lab.lab.ip(lab.C, 'link', 'set', lab.clientIf, 'address', mac);
    lab.lab.ip(lab.C, 'link', 'set', lab.clientIf, 'up');
    const r = await lab.lab.exec(lab.C, 'busybox', [
      'udhcpc',
      '-i',
      lab.clientIf,
      '-n',
      '-q',
      '-f',
      '-t',
      '5',
      '-T',
      '3',
      '-s',
      '/bin/true',
    ]);
    expect(r.stderr).toMatch(
      new RegExp(
        `lease of ${lab.net.replace(/\./g, '\\.')}\\.1[0-5]\\d obtained from ${lab.net.replace(/\./g, '\\.')}\\.254`,
      ),
    );
    expect(srv!.lines.some((x) => x.mac === mac)).toBe(false);
  });

  it('tftp-hpa fetches the iPXE loader (and busybox tftp with blksize + tsize) byte-identical', async () => {
    const lab = l!;
    lab.lab.ip(lab.C, 'link', 'set', lab.clientIf, 'down');
    lab.lab.ip(lab.C, 'link', 'set', lab.clientIf, 'address', MAC_EFI);
    lab.lab.ip(lab.C, 'link', 'set', lab.clientIf, 'up');
    lab.lab.ip(lab.C, 'addr', 'add', `${lab.net}.50/24`, 'dev', lab.clientIf);
    const out = path.join(tmp.dir, 'undionly.kpxe');
    const r = await lab.lab.exec(lab.C, 'tftp', [
      lab.serverIp,
      '-m',
      'binary',
      '-c',
      'get',
      'undionly.kpxe',
      out,
    ]);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(fs.readFileSync(out).equals(fs.readFileSync('/usr/lib/ipxe/undionly.kpxe'))).toBe(true);
    const out2 = path.join(tmp.dir, 'ipxe.efi');
    const b = await lab.lab.exec(lab.C, 'busybox', [
      'tftp',
      '-g',
      '-b',
      '1428',
      '-r',
      'ipxe.efi',
      '-l',
      out2,
      lab.serverIp,
    ]);
    expect(b.status, b.stderr).toBe(0);
    expect(fs.readFileSync(out2).equals(fs.readFileSync('/usr/lib/ipxe/ipxe.efi'))).toBe(true);
    const bad = await lab.lab.exec(lab.C, 'tftp', [
      lab.serverIp,
      '-m',
      'binary',
      '-c',
      'get',
      '../../etc/passwd',
      path.join(tmp.dir, 'x'),
    ]);
    expect(bad.stdout + bad.stderr).toMatch(/Error code 2/);
  });

  it('curl gets the per-MAC script, kernel and user-data; each MAC its own', async () => {
    const lab = l!;
    const base = `http://${lab.serverIp}:8067/pxe`;
    const s = await lab.lab.exec(lab.C, 'curl', [
      '-sS',
      '--max-time',
      '20',
      `${base}/02-eb-00-00-00-10/boot.ipxe`,
    ]);
    expect(s.stdout).toMatch(/^#!ipxe/);
    expect(s.stdout).toContain('rd.neednet=1 ip=dhcp rd.cos.disable');
    expect(s.stdout).toContain(`config_url=${base}/02-eb-00-00-00-10/user-data`);
    expect(s.stdout).toContain('initrd=initrd');
    const a = await lab.lab.exec(lab.C, 'curl', [
      '-sS',
      '--max-time',
      '20',
      `${base}/02-eb-00-00-00-10/user-data`,
    ]);
    expect(a.stdout).toBe('#cloud-config\nhostname: ns-bios\n');
    const b = await lab.lab.exec(lab.C, 'curl', [
      '-sS',
      '--max-time',
      '20',
      `${base}/02-eb-00-00-00-11/user-data`,
    ]);
    expect(b.stdout).toBe('#cloud-config\nhostname: ns-efi\n');
    const k = await lab.lab.exec(lab.C, 'curl', [
      '-sS',
      '--max-time',
      '60',
      '-o',
      path.join(tmp.dir, 'k'),
      `${base}/02-eb-00-00-00-10/kernel`,
    ]);
    expect(k.status).toBe(0);
    expect(fs.readFileSync(path.join(tmp.dir, 'k')).equals(fs.readFileSync(fx.kernel))).toBe(true);
    await waitFor(
      () => srv!.lines.find((x) => x.kind === 'userdata-fetched' && x.mac === MAC_EFI),
      10_000,
      'userdata event',
    );
  });

  it('the timeline is in the store: `edgebench pxe events` shows it per MAC', async () => {
    const code = await srv!.stop();
    expect(code).toBe(0);
    expect(srv!.lines.at(-1)).toEqual({ type: 'stopped' });
    const store = openStore(path.join(tmp.dir, 'data'));
    const ev = await store.pxe.events({ mac: MAC_BIOS });
    // the TFTP fetches ran while the client carried MAC_EFI (attributed by the neighbour table)
    const efi = await store.pxe.events({ mac: MAC_EFI });
    await store.close();
    const kinds = ev.map((e) => e.kind);
    for (const k of ['dhcp-discover', 'proxy-offer', 'http-script', 'http-kernel', 'userdata-fetched'])
      expect(kinds, k).toContain(k);
    expect(ev.every((e) => e.hostId === 'ns-bios')).toBe(true);
    expect(efi.filter((e) => e.kind === 'tftp-file').map((e) => e.data?.file)).toEqual([
      'undionly.kpxe',
      'ipxe.efi',
    ]);
    expect(efi.every((e) => e.hostId === 'ns-efi')).toBe(true);
    const cli = spawnSync(
      process.execPath,
      [BIN, '--data-dir', path.join(tmp.dir, 'data'), 'pxe', 'events', '--mac', MAC_EFI],
      {
        encoding: 'utf8',
      },
    );
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/02:eb:00:00:00:11\s+ns-efi\s+tftp-file\s+TFTP undionly.kpxe/);
  });
});
