// Turn what went wrong on one target into a specific code and a sentence a technician
// understands. A vanished device (node gone, kernel entry gone, capacity dropped to zero) is an
// unplug, whatever errno the write got.
import fs from 'node:fs';
import { AppError, isAppError, type ErrorCode } from '../../shared/errors';
import { formatBytes } from '../../shared/format';
import { majMinOf, splitDev, sysDirOf, type DevId } from './sysblock';

export interface FailureContext {
  target: string;
  kind: 'block' | 'file';
  /** major:minor of the block device as opened. */
  id?: DevId;
  /** Size of the device when we started. */
  size?: number | null;
  phase: 'opening' | 'flashing' | 'verifying';
  bytesWritten: number;
  /** Image size (or its estimate), to tell "drive full" from "image larger than the drive". */
  imageSize?: number;
}

/** Is the block device still there, as the same device, with its capacity? */
export function deviceVanished(target: string, id: DevId): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    return `its device node ${target} disappeared`;
  }
  if (!st.isBlockDevice()) return `${target} is no longer a block device`;
  const now = splitDev(st.rdev);
  if (majMinOf(now) !== majMinOf(id)) return `${target} now names a different device`;
  const dir = sysDirOf(id);
  if (!dir) return 'the kernel removed the device';
  try {
    if (Number(fs.readFileSync(`${dir}/size`, 'utf8').trim()) === 0) return 'its capacity dropped to zero';
  } catch {
    return 'the kernel removed the device';
  }
  return undefined;
}

const ERRNO: Record<string, ErrorCode> = {
  EIO: 'EIO',
  EACCES: 'EACCES',
  EPERM: 'EPERM',
  EROFS: 'EROFS',
  ENOSPC: 'ENOSPC',
  EDQUOT: 'ENOSPC',
  EBUSY: 'EBUSY',
  ENOENT: 'ENOTFOUND',
};

const VERB = { opening: 'opening', flashing: 'writing', verifying: 'reading back' } as const;

export function classifyFailure(err: unknown, c: FailureContext): AppError {
  const e = err as NodeJS.ErrnoException & { code?: string };
  if (isAppError(err) && err.code === 'ECANCELLED') return err;
  if (e?.code === 'EVALIDATION' || e?.name === 'ChecksumVerificationError')
    return new AppError(
      'EVALIDATION',
      `${c.target}: the bytes read back differ from the image (verification failed); the drive may be faulty or counterfeit`,
      { target: c.target },
    );
  if (c.kind === 'block' && c.id) {
    const why = deviceVanished(c.target, c.id);
    if (why)
      return new AppError(
        'EUNPLUGGED',
        `${c.target} was unplugged while ${VERB[c.phase]} (${why}) after ${formatBytes(c.bytesWritten)}`,
        { target: c.target, errno: e?.code },
      );
    if (['ENXIO', 'ENODEV', 'ENOMEDIUM'].includes(e?.code ?? ''))
      return new AppError('EUNPLUGGED', `${c.target}: the drive or its medium is gone (${e.code})`, {
        target: c.target,
        errno: e.code,
      });
    if (
      (e?.code === 'ENOSPC' || e?.code === 'EINVAL') &&
      c.size &&
      (c.bytesWritten >= c.size - 4 * 1024 ** 2 || (c.imageSize !== undefined && c.imageSize > c.size))
    )
      return new AppError(
        'ETOOSMALL',
        `${c.target} is full after ${formatBytes(c.bytesWritten)}: the image is larger than the drive`,
        { target: c.target },
      );
    if (e?.code === 'EBUSY')
      return new AppError(
        'EBUSY',
        `${c.target} is in use by another program or still mounted; close it and retry`,
        { target: c.target },
      );
  }
  const code = (e?.code && ERRNO[e.code]) || undefined;
  if (code) {
    const at = c.phase === 'opening' ? '' : ` after ${formatBytes(c.bytesWritten)}`;
    const what: Record<string, string> = {
      EIO: 'input/output error: the drive failed',
      EACCES: 'permission denied',
      EPERM: 'operation not permitted',
      EROFS: 'the drive is read-only (write-protect switch?)',
      ENOSPC: 'no space left on the device',
      EBUSY: 'the device is busy',
      ENOTFOUND: 'no such drive or file',
    };
    return new AppError(code, `${c.target}: ${what[code]} while ${VERB[c.phase]}${at} (${e.code})`, {
      target: c.target,
      errno: e.code,
    });
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new AppError('EIO', `${c.target}: ${VERB[c.phase]} failed: ${msg}`, {
    target: c.target,
    errno: e?.code,
  });
}
