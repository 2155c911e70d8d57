// End to end: bake user-data with the real CLI, then boot the results in QEMU (TCG) and check the
// installer fixture's /init printed exactly the user-data that was baked in.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { skipReason, tempDir } from '../helpers/env';
import { ensureInstallerFixture } from '../helpers/installer-fixture';
import { bootQemu, OVMF } from '../helpers/qemu';

const fx = await ensureInstallerFixture();
const skip =
  fx.skipReason ?? skipReason({ tools: ['qemu-system-x86_64', 'qemu-img', 'mkfs.vfat'], files: [OVMF] });

const USER_DATA = `#cloud-config
# baked by the Edgebench media boot test
stylus:
  site:
    paletteEndpoint: api.spectrocloud.com
    edgeHostToken: boot-test-token-7f3a
    name: edge-boot-test-01
install:
  poweroff: true
`;
const SITE_DATA = `#cloud-config
stylus:
  site:
    name: site-override-42
`;
const BOOT_TIMEOUT = 300_000;

describe.skipIf(!!skip)(`installer media boots in QEMU${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const t = tempDir('eb-media-boot-');
  const data = path.join(t.dir, 'data');
  const ud = path.join(t.dir, 'user-data.yaml');
  const iso = path.join(t.dir, 'installer-baked.iso');
  const times: Record<string, number> = {};

  beforeAll(() => {
    fs.writeFileSync(ud, USER_DATA);
    const r = runCli(['iso', 'build', '--base', fx.iso, '--user-data', ud, '-o', iso, '--json'], {
      dataDir: data,
    });
    expect(r.code, r.stderr + r.stdout).toBe(0);
  });
  afterAll(() => {
    fs.mkdirSync('test-artifacts', { recursive: true });
    fs.writeFileSync('test-artifacts/media-boot-times.json', JSON.stringify(times, null, 2));
    t.cleanup();
  });

  it(
    'boots as a CD with BIOS and prints exactly the baked user-data',
    async () => {
      const r = await bootQemu({ cdrom: iso, timeoutMs: BOOT_TIMEOUT, logName: 'media-bios-cd' });
      times.biosCd = r.ms;
      expect(r.done, r.output.slice(-2000)).toBe(true);
      expect(r.userData).toEqual([{ source: '/config.yaml', text: USER_DATA }]);
      expect(r.output).toContain('installer medium /dev/sr0');
    },
    BOOT_TIMEOUT + 10_000,
  );

  it(
    'boots the same file as a USB disk (isohybrid)',
    async () => {
      const r = await bootQemu({
        disks: [{ file: iso, if: 'usb', boot: true }],
        timeoutMs: BOOT_TIMEOUT,
        logName: 'media-usb',
      });
      times.biosUsb = r.ms;
      expect(r.done, r.output.slice(-2000)).toBe(true);
      expect(r.userData).toEqual([{ source: '/config.yaml', text: USER_DATA }]);
      expect(r.output).toContain('installer medium /dev/sda');
    },
    BOOT_TIMEOUT + 10_000,
  );

  it(
    'boots with UEFI (OVMF) through GRUB EFI',
    async () => {
      const r = await bootQemu({ cdrom: iso, uefi: true, timeoutMs: BOOT_TIMEOUT, logName: 'media-uefi-cd' });
      times.uefiCd = r.ms;
      expect(r.done, r.output.slice(-2000)).toBe(true);
      expect(r.userData).toEqual([{ source: '/config.yaml', text: USER_DATA }]);
    },
    BOOT_TIMEOUT + 10_000,
  );

  it(
    'the QCOW2 variant boots as a disk',
    async () => {
      const qcow = path.join(t.dir, 'installer.qcow2');
      const b = runCli(
        ['variant', 'build', '--base', fx.iso, '--user-data', ud, '-o', qcow, '--format', 'qcow2', '--json'],
        {
          dataDir: data,
        },
      );
      expect(b.code, b.stderr + b.stdout).toBe(0);
      expect(fs.readFileSync(qcow).subarray(0, 4).toString('latin1')).toBe('QFI\xfb');
      const r = await bootQemu({
        disks: [{ file: qcow, if: 'virtio', format: 'qcow2', boot: true }],
        timeoutMs: BOOT_TIMEOUT,
        logName: 'media-qcow2',
      });
      times.qcow2Disk = r.ms;
      expect(r.done, r.output.slice(-2000)).toBe(true);
      expect(r.userData).toEqual([{ source: '/config.yaml', text: USER_DATA }]);
      expect(r.output).toContain('installer medium /dev/vda');
    },
    BOOT_TIMEOUT + 60_000,
  );

  it(
    'reads a cidata ISO and a CIDATA FAT stick attached beside the installer',
    async () => {
      const site = path.join(t.dir, 'site.yaml');
      fs.writeFileSync(site, SITE_DATA);
      const siteIso = path.join(t.dir, 'site.iso');
      const siteImg = path.join(t.dir, 'site.img');
      for (const [out, format] of [
        [siteIso, 'iso'],
        [siteImg, 'fat'],
      ]) {
        const b = runCli(['site-media', '--user-data', site, '-o', out, '--format', format, '--json'], {
          dataDir: data,
        });
        expect(b.code, b.stderr + b.stdout).toBe(0);
      }
      const r = await bootQemu({
        cdrom: iso,
        disks: [
          { file: siteIso, if: 'virtio' },
          { file: siteImg, if: 'virtio' },
        ],
        timeoutMs: BOOT_TIMEOUT,
        logName: 'media-cidata',
      });
      times.withCidata = r.ms;
      expect(r.done, r.output.slice(-2000)).toBe(true);
      expect(r.userData).toEqual([
        { source: '/config.yaml', text: USER_DATA },
        { source: 'cidata:/user-data', text: SITE_DATA },
        { source: 'CIDATA:/user-data', text: SITE_DATA },
      ]);
    },
    BOOT_TIMEOUT + 30_000,
  );
});
