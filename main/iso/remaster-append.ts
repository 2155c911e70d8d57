// The fast remaster path: copy the base in the kernel (copy_file_range / reflink via fs.copyFile),
// then let xorriso add the user-data to the copy in place (`-dev COPY ... -commit`). On a file
// (overwriteable medium) xorriso appends the new directory tree and boot catalog after the old data
// and rewrites the superblock and system area (volume descriptors, MBR/GPT), so only a few MB are
// written. The base's old, no longer referenced files stay in the image as unused bytes; use the
// compact (rewrite) path when that matters.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { AppError, CancelledError } from '../../shared/errors';
import { SpeedMeter, type LongWorkOptions } from '../../shared/progress';
import { fsError } from '../core/fs-errors';
import { run } from '../core/exec';
import { xorrisoProblems } from './xorriso';

/** A failure while writing an ISO to `tmp`: ENOSPC (and quota) says how much room is needed. */
export function isoWriteError(e: unknown, tmp: string, size: number): AppError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new AppError(
      'ENOSPC',
      `no space left on ${path.dirname(tmp)} while writing the ISO (about ${Math.ceil(size / 1048576)} MiB needed); nothing was kept`,
      { path: tmp, needed: size },
    );
  return fsError(e, tmp);
}

/**
 * Copy in the kernel: GNU cp uses copy_file_range (and reflinks where the filesystem can), which is
 * faster than Node's sendfile-based copyFile. Falls back to fs.copyFile where cp is missing.
 */
async function kernelCopy(src: string, dest: string, signal?: AbortSignal): Promise<void> {
  let r;
  try {
    r = await run('cp', ['--reflink=auto', '--', src, dest], { signal });
  } catch (e) {
    if ((e as AppError).code !== 'ETOOLMISSING') throw e;
    await fsp.copyFile(src, dest, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE);
    return;
  }
  if (r.code !== 0) {
    const err = new Error(r.stderr.trim()) as NodeJS.ErrnoException;
    err.code = /No space left/i.test(r.stderr)
      ? 'ENOSPC'
      : /Permission denied/i.test(r.stderr)
        ? 'EACCES'
        : 'EIO';
    throw err;
  }
}

export async function appendRemaster(
  base: string,
  userDataFile: string,
  target: string,
  tmp: string,
  baseSize: number,
  o: LongWorkOptions,
): Promise<{ notes: string[] }> {
  const meter = new SpeedMeter();
  const timer = setInterval(() => {
    const done = fs.statSync(tmp, { throwIfNoEntry: false })?.size ?? 0;
    const { speed } = meter.sample(done, Date.now());
    o.onProgress?.({
      phase: 'remaster',
      message: 'copying the base',
      percent: Math.min(95, (done / baseSize) * 95),
      bytesDone: done,
      bytesTotal: baseSize,
      speed,
      etaSeconds: SpeedMeter.eta(done, baseSize, speed),
    });
  }, 250);
  try {
    await kernelCopy(base, tmp, o.signal);
  } catch (e) {
    throw isoWriteError(e, tmp, baseSize);
  } finally {
    clearInterval(timer);
  }
  if (o.signal?.aborted) throw new CancelledError('Build cancelled; nothing was kept');
  await fsp.chmod(tmp, 0o644); // cp keeps a read-only base's mode; xorriso writes to the copy
  o.onProgress?.({ phase: 'remaster', percent: 96, message: 'adding the user-data' });
  const r = await run(
    'xorriso',
    ['-dev', tmp, '-map', userDataFile, target, '-boot_image', 'any', 'replay', '-commit'],
    {
      signal: o.signal,
      pkg: 'xorriso',
    },
  );
  if (/No space left|Failed to write|ENOSPC/i.test(r.stderr) && /space/i.test(r.stderr))
    throw new AppError(
      'ENOSPC',
      `no space left on ${path.dirname(tmp)} while adding the user-data; nothing was kept`,
      {
        path: tmp,
      },
    );
  const problems = xorrisoProblems(r.stderr);
  if (r.code !== 0 || problems.length)
    throw new AppError(
      'EBUILD',
      `xorriso could not remaster ${base}: ${problems[0] ?? `exit code ${r.code}`}`,
      {
        base,
        problems,
        exitCode: r.code,
      },
    );
  const notes = r.stderr
    .split('\n')
    .filter((l) => /NOTE :|WARNING :/.test(l))
    .map((l) => l.replace(/^\S+\s*:\s*/, '').trim());
  return { notes };
}
