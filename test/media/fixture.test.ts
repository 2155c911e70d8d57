// The shared installer fixture (test/fixtures/build-installer.sh) and the QEMU helper's parser.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ensureInstallerFixture } from '../helpers/installer-fixture';
import { cleanSerial, parseUserData, qemuArgs } from '../helpers/qemu';

const fx = await ensureInstallerFixture();

function report(iso: string): string {
  const r = spawnSync(
    'xorriso',
    ['-indev', iso, '-report_el_torito', 'plain', '-report_system_area', 'plain'],
    {
      encoding: 'utf8',
    },
  );
  return r.stdout + r.stderr;
}
function files(iso: string): string[] {
  const out = execFileSync('xorriso', ['-indev', iso, '-find', '/', '-type', 'f'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out
    .split('\n')
    .filter((l) => l.startsWith("'"))
    .map((l) => l.slice(1, -1));
}

describe.skipIf(!!fx.skipReason)(
  `installer fixture${fx.skipReason ? ` (skipped: ${fx.skipReason})` : ''}`,
  () => {
    it('is cached: a second call returns the same folder without rebuilding', async () => {
      const before = fs.statSync(fx.iso).mtimeMs;
      const again = await ensureInstallerFixture();
      expect(again.dir).toBe(fx.dir);
      const out = execFileSync('bash', ['test/fixtures/build-installer.sh'], { encoding: 'utf8' }).trim();
      expect(out).toBe(fx.dir);
      expect(fs.statSync(fx.iso).mtimeMs).toBe(before);
    });

    it('is laid out like a Kairos live ISO, BIOS + UEFI, isohybrid MBR + GPT', () => {
      const r = report(fx.iso);
      expect(r).toMatch(/Volume id\s+: 'COS_LIVE'/);
      expect(r).toMatch(/El Torito boot img :\s+1\s+BIOS/);
      expect(r).toMatch(/El Torito boot img :\s+2\s+UEFI/);
      expect(r).toMatch(/System area summary: MBR isohybrid.*GPT/);
      const f = files(fx.iso);
      for (const p of [
        '/boot/kernel',
        '/boot/initrd',
        '/config.yaml',
        '/isolinux/isolinux.bin',
        '/EFI/BOOT/BOOTX64.EFI',
      ])
        expect(f).toContain(p);
      expect(fx.baseUserData.startsWith('#cloud-config\n')).toBe(true);
      expect(fs.readFileSync(fx.kernel).subarray(0x202, 0x206).toString('latin1')).toBe('HdrS');
      expect(fs.readFileSync(fx.initrd).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    });

    it('has BIOS-only, CD-only and boot-less variants', () => {
      const bios = report(fx.biosOnlyIso);
      expect(bios).toMatch(/El Torito boot img :\s+1\s+BIOS/);
      expect(bios).not.toMatch(/UEFI/);
      expect(bios).toMatch(/System area summary: MBR isohybrid/);
      expect(bios).not.toMatch(/GPT/);
      const cd = report(fx.cdOnlyIso);
      expect(cd).toMatch(/BIOS/);
      expect(cd).not.toMatch(/MBR/);
      expect(report(fx.noBootIso)).not.toMatch(/El Torito boot img/);
    });
  },
);

describe('QEMU helper', () => {
  it('parses markers through console noise', () => {
    const raw =
      'Booting from DVD/CD...\r\n\x1b[?7l\x1b[2JEB-FIXTURE-START\r\nEB-USERDATA-BEGIN /config.yaml\r\n#cloud-config\r\na: 1\r\n' +
      'EB-USERDATA-END\r\nEB-USERDATA-BEGIN cidata:/user-data\r\n#cloud-config\r\nEB-USERDATA-END\r\nEB-FIXTURE-DONE\r\n';
    expect(parseUserData(cleanSerial(raw))).toEqual([
      { source: '/config.yaml', text: '#cloud-config\na: 1\n' },
      { source: 'cidata:/user-data', text: '#cloud-config\n' },
    ]);
  });

  it('builds TCG args with read-only inputs and no network by default', () => {
    const a = qemuArgs({ cdrom: 'x.iso', disks: [{ file: 'd.img', if: 'usb', boot: true }], timeoutMs: 1 });
    expect(a).not.toContain('-enable-kvm');
    expect(a.join(' ')).toContain('-nic none');
    expect(a.join(' ')).toContain('file=x.iso,format=raw,media=cdrom,readonly=on');
    expect(a.join(' ')).toContain('file=d.img,format=raw,snapshot=on');
    expect(a.join(' ')).toContain('usb-storage,bus=ebxhci.0,drive=ebusb0,bootindex=0');
  });
});
