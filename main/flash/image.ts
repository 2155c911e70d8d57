// The source image: a regular file, possibly compressed (.xz, .gz, .zip, .bz2), opened with
// etcher-sdk to learn the size it will have on the drive.
import fs from 'node:fs';
import path from 'node:path';
import { etcher } from './etcher';
import { AppError } from '../../shared/errors';
import { fsError } from '../core/fs-errors';

export interface ImageInfo {
  path: string;
  /** Bytes of the file itself. */
  fileSize: number;
  /** Bytes written to each drive (decompressed); undefined when the format does not say. */
  size?: number;
  sizeIsEstimate: boolean;
  compressed: boolean;
}

/** Check the path names a readable regular file (never a folder, device or missing file). */
export function checkImagePath(image: string): { abs: string; st: fs.Stats } {
  const abs = path.resolve(image);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    const err = fsError(e, abs);
    if (err.code === 'ENOTFOUND')
      throw new AppError('ENOTFOUND', `image ${abs} does not exist`, { path: abs });
    throw err;
  }
  if (!st.isFile())
    throw new AppError('EINVALID', `image ${abs} is not a regular file (a folder or a device)`, {
      path: abs,
    });
  if (st.size === 0) throw new AppError('EINVALID', `image ${abs} is empty`, { path: abs });
  return { abs, st };
}

export async function inspectImage(image: string): Promise<ImageInfo> {
  const { abs, st } = checkImagePath(image);
  const src = new (etcher().sourceDestination.File)({ path: abs });
  try {
    await src.open();
    const inner = await src.getInnerSource();
    const meta = await inner.getMetadata();
    const compressed = inner !== src || Boolean(meta.isCompressed);
    if (inner !== src) await inner.close().catch(() => undefined);
    return {
      path: abs,
      fileSize: st.size,
      size: meta.size ?? (compressed ? undefined : st.size),
      sizeIsEstimate: Boolean(meta.isSizeEstimated),
      compressed,
    };
  } catch (e) {
    if (e instanceof AppError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    if (/^E[A-Z]+$/.test(String((e as NodeJS.ErrnoException).code ?? ''))) throw fsError(e, abs);
    throw new AppError(
      'EINVALID',
      `image ${abs} cannot be read as a disk image (corrupt or truncated?): ${msg}`,
      {
        path: abs,
      },
    );
  } finally {
    await src.close().catch(() => undefined);
  }
}
