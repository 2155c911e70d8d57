// Full network boots in QEMU (TCG) through taps on a bridge in a namespace, beside the lab's own
// dnsmasq (addresses only, IPv6 RA): a legacy BIOS VM (SeaBIOS + QEMU's iPXE ROM) and a UEFI VM
// (OVMF + its iPXE EFI ROM), different MACs, booted at the same time. Each VM's initrd fetches
// config_url and prints it: each must print its own user-data. Root only.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../main/store';
import { renderHostUserData } from '../../main/userdata';
import { BIN } from '../helpers/cli';
import { skipReason, tempDir } from '../helpers/env';
import { ensureInstallerFixture, type InstallerFixture } from '../helpers/installer-fixture';
import { leftoverNamespaces } from '../helpers/netns';
import { bootQemu, OVMF, type QemuResult } from '../helpers/qemu';
import { buildPxeLab, startCliServe, type PxeLab, type RunningCli } from './lab';

const reason =
  skipReason({
    root: true,
    tools: ['ip', 'dnsmasq', 'qemu-system-x86_64', 'xorriso'],
    files: [
      BIN,
      OVMF,
      '/usr/lib/ipxe/undionly.kpxe',
      '/usr/lib/ipxe/ipxe.efi',
      '/usr/lib/ipxe/qemu/efi-virtio.rom',
    ],
  }) ?? (fs.existsSync(BIN) ? undefined : 'needs the built CLI: npm run build');

const MAC_BIOS = '52:54:00:eb:05:01';
const MAC_UEFI = '52:54:00:eb:05:02';
// AuroraBoot's line (the default) plus two test-only knobs: panic=-1 ends a failed boot at once,
// eb.wait=1 shortens the fixture's wait for an installer medium that a netboot does not have.
const CMDLINE =
  'rd.neednet=1 ip=dhcp rd.cos.disable {{root}} netboot nodepair.enable {{config}} rd.live.overlay.overlayfs {{console}} panic=-1 eb.wait=1';

let tmp: { dir: string; cleanup(): void };
let l: PxeLab | undefined;
let srv: RunningCli | undefined;
let fx: InstallerFixture;
let bios: QemuResult;
let uefiUserData = '';
const PROFILE = `#cloud-config
stylus:
  site:
    paletteEndpoint: api.spectrocloud.com
    edgeHostToken: test-token
    name: "{{hostName}}"
install:
  poweroff: true
`;
let uefi: QemuResult;

describe.skipIf(reason)('PXE boots in QEMU beside a lab DHCP server', () => {
  beforeAll(async () => {
    tmp = tempDir('eb-pxe-qemu-');
    fx = await ensureInstallerFixture();
    if (fx.skipReason) throw new Error(fx.skipReason);
    l = await buildPxeLab(78, 2, tmp.dir);
    fs.writeFileSync(path.join(tmp.dir, 'bios.yaml'), '#cloud-config\nhostname: pxe-bios-vm\n');
    // the BIOS VM comes from a hosts CSV with a user-data file; the UEFI VM is a host in the
    // store whose user-data is rendered from its profile and values
    fs.writeFileSync(path.join(tmp.dir, 'hosts.csv'), `mac,name,userdata\n${MAC_BIOS},vm-bios,bios.yaml\n`);
    const store = openStore(path.join(tmp.dir, 'data'));
    await store.profiles.put({ name: 'pxe-lab', userData: PROFILE });
    const host = await store.hosts.upsert({
      id: 'vm-uefi',
      mac: MAC_UEFI,
      profile: 'pxe-lab',
      values: { hostName: 'vm-uefi', ipAddress: '10.78.0.42', mask: '255.255.255.0', gateway: '10.78.0.254' },
    });
    uefiUserData = renderHostUserData(PROFILE, host);
    await store.close();
    srv = await startCliServe(
      l,
      ['--image', fx.iso, '--hosts', path.join(tmp.dir, 'hosts.csv'), '--cmdline', CMDLINE],
      path.join(tmp.dir, 'data'),
    );
    const vm = (mac: string, tap: string, uefiFw: boolean, name: string) =>
      bootQemu({
        wrapper: ['ip', 'netns', 'exec', l!.E],
        uefi: uefiFw,
        netdev: [
          '-netdev',
          `tap,id=n0,ifname=${tap},script=no,downscript=no`,
          '-device',
          `virtio-net-pci,netdev=n0,mac=${mac},bootindex=0`,
        ],
        extraArgs: ['-boot', 'n'],
        timeoutMs: 300_000,
        logName: name,
      });
    [bios, uefi] = await Promise.all([
      vm(MAC_BIOS, l.taps[0], false, 'pxe-bios'),
      vm(MAC_UEFI, l.taps[1], true, 'pxe-uefi'),
    ]);
  }, 600_000);

  afterAll(async () => {
    await srv?.stop();
    await l?.lab.destroy();
    tmp?.cleanup();
    expect(leftoverNamespaces('ebpx').filter((n) => l && n.includes(l.lab.id))).toEqual([]);
  });

  it('legacy BIOS (SeaBIOS + iPXE ROM) boots the installer and fetches its own user-data', () => {
    expect(bios.timedOut, bios.output.slice(-3000)).toBe(false);
    expect(bios.done).toBe(true);
    const ud = bios.userData.find((u) => u.source.includes('/pxe/52-54-00-eb-05-01/user-data'));
    expect(ud?.text).toBe('#cloud-config\nhostname: pxe-bios-vm\n');
    console.log(`BIOS PXE boot to user-data: ${(bios.ms / 1000).toFixed(1)} s`);
  });

  it('UEFI (OVMF + iPXE EFI) boots and fetches user-data rendered from its profile in the store', () => {
    expect(uefi.timedOut, uefi.output.slice(-3000)).toBe(false);
    expect(uefi.done).toBe(true);
    const ud = uefi.userData.find((u) => u.source.includes('/pxe/52-54-00-eb-05-02/user-data'));
    expect(ud?.text).toBe(uefiUserData);
    expect(ud?.text).toContain('name: "vm-uefi"');
    expect(ud?.text).toContain('ipAddress: 10.78.0.42');
    console.log(`UEFI PXE boot to user-data: ${(uefi.ms / 1000).toFixed(1)} s`);
  });

  it('each VM got its address from the lab dnsmasq and its boot file from Edgebench', () => {
    for (const r of [bios, uefi])
      expect(r.output).toMatch(new RegExp(`EB-FIXTURE-INFO dhcp \\S+ 10\\.78\\.0\\.1[0-5]\\d/`));
    const offers = srv!.lines.filter((x) => x.type === 'boot' && x.kind === 'proxy-offer');
    expect(
      offers.some(
        (x) => x.mac === MAC_BIOS && String((x.data as { file: string }).file).endsWith('/boot.ipxe'),
      ),
    ).toBe(true);
    expect(
      offers.some(
        (x) => x.mac === MAC_UEFI && String((x.data as { file: string }).file).endsWith('/boot.ipxe'),
      ),
    ).toBe(true);
  });

  it('the boot timeline per MAC is complete and in order', async () => {
    expect(await srv!.stop()).toBe(0);
    const store = openStore(path.join(tmp.dir, 'data'));
    for (const [mac, host] of [
      [MAC_BIOS, 'vm-bios'],
      [MAC_UEFI, 'vm-uefi'],
    ]) {
      const kinds = (await store.pxe.events({ mac })).map((e) => e.kind);
      const order = [
        'dhcp-discover',
        'proxy-offer',
        'http-script',
        'http-initrd',
        'http-kernel',
        'userdata-fetched',
      ];
      for (const k of order) expect(kinds, `${host}: ${kinds.join(',')}`).toContain(k);
      expect(kinds.indexOf('proxy-offer')).toBeLessThan(kinds.indexOf('http-script'));
      expect(kinds.indexOf('http-kernel')).toBeLessThan(kinds.lastIndexOf('userdata-fetched'));
      expect(kinds).not.toContain('error');
    }
    await store.close();
  });
});
