// Full DHCP mode on an isolated bench (no lab DHCP server, only router advertisements): real
// udhcpc clients in a namespace get addresses from the pool, PXE clients also their boot file,
// leases land in the store. And `pxe serve` as an unprivileged user says it needs root. Root only.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../main/store';
import { BIN } from '../helpers/cli';
import { skipReason, tempDir } from '../helpers/env';
import { ensureInstallerFixture, type InstallerFixture } from '../helpers/installer-fixture';
import { buildPxeLab, startCliServe, type PxeLab, type RunningCli } from './lab';

const reason =
  skipReason({
    root: true,
    tools: ['ip', 'dnsmasq', 'busybox', 'xorriso', 'setpriv'],
    files: [BIN, '/usr/lib/ipxe/undionly.kpxe'],
  }) ?? (fs.existsSync(BIN) ? undefined : 'needs the built CLI: npm run build');

let tmp: { dir: string; cleanup(): void };
let l: PxeLab | undefined;
let srv: RunningCli | undefined;
let fx: InstallerFixture;
const MAC_PXE = '02:eb:00:00:01:01';
const MAC_PLAIN = '02:eb:00:00:01:02';

describe.skipIf(reason)('full DHCP mode on an isolated bench', () => {
  beforeAll(async () => {
    tmp = tempDir('eb-pxe-dhcp-');
    fs.chmodSync(tmp.dir, 0o755);
    fx = await ensureInstallerFixture();
    if (fx.skipReason) throw new Error(fx.skipReason);
    l = await buildPxeLab(79, 0, tmp.dir, { labDhcp: false });
    fs.writeFileSync(path.join(tmp.dir, 'a.yaml'), '#cloud-config\nhostname: iso-a\n');
    fs.writeFileSync(path.join(tmp.dir, 'hosts.csv'), `mac,name,userdata\n${MAC_PXE},iso-a,a.yaml\n`);
    srv = await startCliServe(
      l,
      [
        '--image',
        fx.iso,
        '--hosts',
        path.join(tmp.dir, 'hosts.csv'),
        '--dhcp-range',
        '10.79.0.100,10.79.0.110,255.255.255.0',
      ],
      path.join(tmp.dir, 'data'),
    );
  }, 300_000);
  afterAll(async () => {
    await srv?.stop();
    await l?.lab.destroy();
    tmp?.cleanup();
  });

  async function udhcpc(mac: string, pxe: boolean) {
    const lab = l!;
    lab.lab.ip(lab.C, 'link', 'set', lab.clientIf, 'down');
    lab.lab.ip(lab.C, 'link', 'set', lab.clientIf, 'address', mac);
    lab.lab.ip(lab.C, 'link', 'set', lab.clientIf, 'up');
    const out = path.join(tmp.dir, `env-${mac.replace(/:/g, '')}`);
    const script = path.join(tmp.dir, 'script.sh');
    fs.writeFileSync(script, `#!/bin/sh\n[ "$1" = bound ] && env > ${out}\nexit 0\n`, { mode: 0o755 });
    const args = [
      'udhcpc',
      '-i',
      lab.clientIf,
      ...(pxe ? ['-V', 'PXEClient', '-x', '0x5d:0000'] : []),
      '-n',
      '-q',
      '-f',
      '-t',
      '5',
      '-T',
      '2',
      '-s',
      script,
    ];
    const r = await lab.lab.exec(lab.C, 'busybox', args, 60_000);
    const env = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
    const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(env)?.[1];
    return { r, ip: get('ip'), bootFile: get('boot_file'), serverId: get('serverid'), mask: get('mask') };
  }

  it('gives a PXE client an address from the pool and its boot file', async () => {
    const a = await udhcpc(MAC_PXE, true);
    expect(a.r.stderr).toMatch(/lease of 10\.79\.0\.100 obtained from 10\.79\.0\.1/);
    expect(a.ip).toBe('10.79.0.100');
    expect(a.mask).toBe('24');
    expect(a.bootFile).toBe('undionly.kpxe');
    // the same MAC again keeps its address
    const again = await udhcpc(MAC_PXE, true);
    expect(again.ip).toBe('10.79.0.100');
  });

  it('gives any other client an address only', async () => {
    const b = await udhcpc(MAC_PLAIN, false);
    expect(b.ip).toBe('10.79.0.101');
    expect(b.bootFile ?? '').toBe('');
  });

  it('keeps the leases in the store', async () => {
    expect(await srv!.stop()).toBe(0);
    const store = openStore(path.join(tmp.dir, 'data'));
    const leases = await store.pxe.leases();
    await store.close();
    expect(leases.filter((x) => x.state === 'bound').map((x) => [x.mac, x.ip])).toEqual([
      [MAC_PXE, '10.79.0.100'],
      [MAC_PLAIN, '10.79.0.101'],
    ]);
  });

  it('without privileges (no capabilities), pxe serve says UDP 67/69/4011 need root (exit 7)', () => {
    const data = path.join(tmp.dir, 'nobody-data');
    fs.mkdirSync(data, { mode: 0o777 });
    fs.chmodSync(data, 0o777);
    const r = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        l!.E,
        // Root's uid without any capability: the ports are refused exactly as for an ordinary
        // user, while the checkout stays readable wherever CI cloned it (even a 0700 folder).
        'setpriv',
        '--bounding-set=-all',
        '--inh-caps=-all',
        process.execPath,
        BIN,
        '--data-dir',
        data,
        'pxe',
        'serve',
        '--interface',
        l!.br,
        '--image',
        fx.iso,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.stderr).toMatch(/edgebench: EACCES: cannot open .* UDP .*need root/);
    expect(r.status).toBe(7);
  });
});
