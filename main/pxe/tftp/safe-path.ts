// Maps a requested TFTP/HTTP file name to a path inside the served folder, or refuses it:
// `..` segments, absolute paths, control characters (NUL included), and symlinks that lead out
// of the folder are all refused.
import fs from 'node:fs';
import path from 'node:path';
import { TftpErr, TftpError } from './packet';

/** Syntactic checks only; returns the relative path with forward slashes. */
export function checkRequestedName(name: string): string {
  if (/[\x00-\x1f\x7f]/.test(name))
    throw new TftpError(TftpErr.ACCESS, 'file name contains control characters');
  const n = name.replace(/\\/g, '/');
  if (n.startsWith('/') || /^[a-zA-Z]:/.test(n))
    throw new TftpError(TftpErr.ACCESS, 'absolute paths are not served');
  const segs = n.split('/').filter((s) => s !== '' && s !== '.');
  if (segs.some((s) => s === '..')) throw new TftpError(TftpErr.ACCESS, '".." is not allowed in file names');
  if (!segs.length) throw new TftpError(TftpErr.ACCESS, 'no file named');
  return segs.join('/');
}

/**
 * Resolves `name` under `root` (whose real path is `realRoot`), following symlinks, and checks
 * the result is still inside. Returns the real path of a regular file.
 */
export async function resolveInside(realRoot: string, name: string): Promise<string> {
  const rel = checkRequestedName(name);
  const joined = path.join(realRoot, rel);
  let real: string;
  try {
    real = await fs.promises.realpath(joined);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new TftpError(TftpErr.NOT_FOUND, 'file not found');
    throw new TftpError(TftpErr.ACCESS, 'file cannot be read');
  }
  if (real !== realRoot && !real.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep))
    throw new TftpError(TftpErr.ACCESS, 'file is outside the served folder');
  return real;
}
