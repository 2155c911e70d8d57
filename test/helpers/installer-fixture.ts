// The shared installer fixture: a small bootable stand-in for the Palette (Kairos) installer ISO,
// built from Debian packages by test/fixtures/build-installer.sh and cached by script hash under
// /var/tmp/edgebench-fixtures/<hash>/ (env EB_FIXTURE_CACHE overrides the folder).
//
//   const fx = await ensureInstallerFixture();     // builds once (about 10 s), then reuses the cache
//   if (fx.skipReason) it.skip(...)
//   fx.iso      BIOS + UEFI isohybrid ISO, volume COS_LIVE, /boot/kernel, /boot/initrd, /config.yaml
//   fx.kernel   the same kernel as a separate file (PXE netboot)
//   fx.initrd   the same initrd (its /init prints EB-USERDATA-* markers, see test/helpers/qemu.ts)
//
// Never write into fx.dir: it is shared by all test workers. Copy what you modify.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, skipReason as envSkipReason } from './env';

export const FIXTURE_SCRIPT = path.join(REPO_ROOT, 'test', 'fixtures', 'build-installer.sh');

export interface InstallerFixture {
  /** Folder holding everything below (shared, read-only by convention). */
  dir: string;
  /** BIOS (isolinux) + UEFI (GRUB EFI) El Torito, isohybrid MBR + GPT, volume id COS_LIVE. */
  iso: string;
  kernel: string;
  initrd: string;
  /** isolinux El Torito + hybrid MBR, no UEFI entry, no GPT. */
  biosOnlyIso: string;
  /** isolinux El Torito only, not hybrid: boots as a CD, not as a disk. */
  cdOnlyIso: string;
  /** Same files, no boot records. */
  noBootIso: string;
  /** The /config.yaml baked into every fixture ISO. */
  baseUserData: string;
  /** Kernel command line the ISO boots with (add config_url=... for netboot). */
  cmdline: string;
  kernelVersion: string;
  /** Set when the machine cannot build the fixture; the other fields are then empty strings. */
  skipReason?: string;
}

const TOOLS = [
  'xorriso',
  'grub-mkimage',
  'mkfs.vfat',
  'mcopy',
  'cpio',
  'dpkg-deb',
  'depmod',
  'apt-get',
  'flock',
];
const FILES = [
  '/usr/lib/ISOLINUX/isolinux.bin',
  '/usr/lib/syslinux/modules/bios/ldlinux.c32',
  '/usr/lib/grub/x86_64-efi',
];

let pending: Promise<InstallerFixture> | undefined;

/**
 * Build (or reuse) the installer fixture. Safe to call from many workers at once (flock in the
 * script). If a file of the cached fixture has disappeared (some code deleted it), it is rebuilt.
 */
export async function ensureInstallerFixture(): Promise<InstallerFixture> {
  pending ??= build();
  const fx = await pending;
  if (
    fx.skipReason ||
    [fx.iso, fx.kernel, fx.initrd, fx.biosOnlyIso, fx.cdOnlyIso, fx.noBootIso].every((f) => fs.existsSync(f))
  )
    return fx;
  pending = build();
  return pending;
}

function empty(reason: string): InstallerFixture {
  return {
    dir: '',
    iso: '',
    kernel: '',
    initrd: '',
    biosOnlyIso: '',
    cdOnlyIso: '',
    noBootIso: '',
    baseUserData: '',
    cmdline: '',
    kernelVersion: '',
    skipReason: reason,
  };
}

async function build(): Promise<InstallerFixture> {
  const reason = envSkipReason({ tools: TOOLS, files: FILES });
  if (reason) return empty(reason);
  let dir: string;
  try {
    dir = await new Promise<string>((resolve, reject) => {
      execFile(
        'bash',
        [FIXTURE_SCRIPT],
        { maxBuffer: 16 * 1024 * 1024, timeout: 600_000 },
        (err, stdout, stderr) => {
          if (err)
            reject(new Error(`${FIXTURE_SCRIPT} failed: ${stderr.trim().split('\n').slice(-5).join('\n')}`));
          else resolve(stdout.trim().split('\n').pop() ?? '');
        },
      );
    });
  } catch (e) {
    // The only expected failure on a healthy machine is apt having no package lists (offline).
    const msg = (e as Error).message;
    if (/apt-get download|apt-cache depends/.test(msg))
      return empty(`cannot fetch Debian packages for the fixture: ${msg}`);
    throw e;
  }
  const info = JSON.parse(fs.readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as {
    cmdline: string;
    kernelVersion: string;
  };
  return {
    dir,
    iso: path.join(dir, 'installer.iso'),
    kernel: path.join(dir, 'kernel'),
    initrd: path.join(dir, 'initrd'),
    biosOnlyIso: path.join(dir, 'bios-only.iso'),
    cdOnlyIso: path.join(dir, 'cd-only.iso'),
    noBootIso: path.join(dir, 'noboot.iso'),
    baseUserData: fs.readFileSync(path.join(dir, 'base-user-data.yaml'), 'utf8'),
    cmdline: info.cmdline,
    kernelVersion: info.kernelVersion,
  };
}
