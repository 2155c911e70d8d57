// Boot artifacts out of an installer ISO: kernel, initrd and (Kairos) rootfs.squashfs, extracted
// once per ISO (path, size, mtime) into a cache folder and reused.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { throwIfAborted } from '../core/abort';
import { fsError } from '../core/fs-errors';
import { run } from '../core/exec';
import { extractFromIso } from '../iso/extract';

export interface BootArtifactFiles {
  iso: string;
  dir: string;
  kernel: string;
  initrd: string;
  rootfs?: string;
  /** Paths inside the ISO they came from. */
  from: { kernel: string; initrd: string; rootfs?: string };
}

export const KERNEL_PATHS = [
  '/boot/kernel',
  '/boot/vmlinuz',
  '/vmlinuz',
  '/boot/bzImage',
  '/isolinux/vmlinuz',
  '/casper/vmlinuz',
  '/live/vmlinuz',
];
export const INITRD_PATHS = [
  '/boot/initrd',
  '/boot/initrd.gz',
  '/boot/initrd.img',
  '/initrd.img',
  '/initrd.gz',
  '/isolinux/initrd.gz',
  '/isolinux/initrd.img',
  '/casper/initrd',
  '/live/initrd.img',
];
export const ROOTFS_PATHS = ['/rootfs.squashfs'];

/** ISO 9660: "CD001" at byte 32769 (sector 16, after the type byte). */
export async function assertIso(iso: string): Promise<void> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(iso, 'r');
  } catch (e) {
    throw fsError(e, iso);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory())
      throw new AppError('EINVALID', `${iso} is a folder, not an ISO image`, { path: iso });
    const b = Buffer.alloc(5);
    const { bytesRead } = await fh.read(b, 0, 5, 32769);
    if (bytesRead < 5 || b.toString('latin1') !== 'CD001')
      throw new AppError('ENOTISO', `${iso} is not an ISO 9660 image (no CD001 volume descriptor)`, {
        path: iso,
      });
  } finally {
    await fh.close();
  }
}

export async function listIsoFiles(iso: string, signal?: AbortSignal): Promise<Set<string>> {
  const r = await run('xorriso', ['-indev', iso, '-find', '/', '-type', 'f'], { signal, pkg: 'xorriso' });
  if (r.code !== 0)
    throw new AppError('EBUILD', `xorriso could not list ${iso}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  const out = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^'(.*)'$/.exec(line.trim());
    if (m) out.add(m[1].replace(/'"'"'/g, "'"));
  }
  return out;
}

/**
 * Extracts (or reuses) the boot artifacts of `iso` under `cacheRoot`. Throws ENOBOOT when the
 * ISO has no kernel or initrd at any of the known places.
 */
export async function prepareArtifacts(
  iso: string,
  cacheRoot: string,
  opts: { signal?: AbortSignal } = {},
): Promise<BootArtifactFiles> {
  const abs = path.resolve(iso);
  await assertIso(abs);
  const st = await fs.promises.stat(abs);
  const key = crypto
    .createHash('sha256')
    .update(`${abs}\0${st.size}\0${st.mtimeMs}`)
    .digest('hex')
    .slice(0, 16);
  const dir = path.join(cacheRoot, key);
  const manifest = path.join(dir, 'artifacts.json');
  try {
    const cached = JSON.parse(await fs.promises.readFile(manifest, 'utf8')) as BootArtifactFiles;
    if (fs.existsSync(cached.kernel) && fs.existsSync(cached.initrd)) return cached;
  } catch {
    /* not cached yet */
  }
  const files = await listIsoFiles(abs, opts.signal);
  const kernel = KERNEL_PATHS.find((p) => files.has(p));
  const initrd = INITRD_PATHS.find((p) => files.has(p));
  const rootfs = ROOTFS_PATHS.find((p) => files.has(p));
  if (!kernel || !initrd)
    throw new AppError(
      'ENOBOOT',
      `${iso} has no ${!kernel ? 'kernel' : 'initrd'} at a known place (looked for ${(!kernel ? KERNEL_PATHS : INITRD_PATHS).join(', ')}); it cannot be netbooted`,
      { path: iso },
    );
  await fs.promises.mkdir(cacheRoot, { recursive: true });
  const tmp = await fs.promises.mkdtemp(path.join(cacheRoot, `.${key}-`));
  try {
    const out: BootArtifactFiles = {
      iso: abs,
      dir,
      kernel: path.join(dir, 'kernel'),
      initrd: path.join(dir, 'initrd'),
      rootfs: rootfs ? path.join(dir, 'rootfs.squashfs') : undefined,
      from: { kernel, initrd, rootfs },
    };
    await extractFromIso(abs, kernel, path.join(tmp, 'kernel'), opts);
    throwIfAborted(opts.signal);
    await extractFromIso(abs, initrd, path.join(tmp, 'initrd'), opts);
    if (rootfs) await extractFromIso(abs, rootfs, path.join(tmp, 'rootfs.squashfs'), opts);
    await fs.promises.writeFile(path.join(tmp, 'artifacts.json'), JSON.stringify(out, null, 2));
    await fs.promises.rm(dir, { recursive: true, force: true });
    await fs.promises.rename(tmp, dir);
    return out;
  } catch (e) {
    await fs.promises.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}
