// Drive rules as pure functions: which targets may be written, which need an explicit override,
// and which are refused. Facts come in (gathered by target-facts.ts), decisions come out.
import { AppError } from '../../shared/errors';
import type { DriveWarning } from '../../shared/contract/flash';
import { formatBytes } from '../../shared/format';

/** Drives above this size get the "is this really a USB stick?" warning. */
export const LARGE_DRIVE_BYTES = 128e9;

export interface TargetFacts {
  /** The path as given. */
  path: string;
  kind: 'block' | 'file';
  description: string;
  /** Bytes; null when unknown (regular files grow, so they have no limit). */
  size: number | null;
  readOnly: boolean;
  /** Why this disk is a system disk, when it is. */
  systemReason?: string;
  /** True when the image file lives on this disk. */
  holdsSource: boolean;
  /** Mount points on this disk (or its partitions). */
  mountpoints: string[];
}

export interface GuardOptions {
  /** Image size in bytes (decompressed); estimated sizes do not refuse, the write will tell. */
  imageSize?: number;
  imageSizeIsEstimate?: boolean;
  /** The device path typed back by the user to allow writing this system drive. */
  allowSystemDrive?: string;
  /** Target paths whose large-drive warning was acknowledged (or true for all). */
  ackLarge?: string[] | boolean;
}

/** Every warning that applies to a target, for display before anything is written. */
export function driveWarnings(t: TargetFacts, o: GuardOptions = {}): DriveWarning[] {
  const w: DriveWarning[] = [];
  if (t.systemReason)
    w.push({
      code: 'ESYSTEMDRIVE',
      level: 'refuse',
      message: `${t.path} (${t.description}) is a system drive: ${t.systemReason}`,
    });
  if (t.holdsSource)
    w.push({
      code: 'ESOURCEDRIVE',
      level: 'refuse',
      message: `${t.path} (${t.description}) holds the image being written`,
    });
  if (t.readOnly)
    w.push({ code: 'EROFS', level: 'refuse', message: `${t.path} (${t.description}) is read-only` });
  if (t.kind === 'block' && t.size !== null && o.imageSize !== undefined && !o.imageSizeIsEstimate) {
    if (t.size < o.imageSize)
      w.push({
        code: 'ETOOSMALL',
        level: 'refuse',
        message: `${t.path} holds ${formatBytes(t.size)}, the image needs ${formatBytes(o.imageSize)}`,
      });
  }
  if (t.kind === 'block' && t.size !== null && t.size > LARGE_DRIVE_BYTES)
    w.push({
      code: 'ELARGEDRIVE',
      level: 'ack',
      message: `${t.path} (${t.description}) is ${formatBytes(t.size)}: is this really a USB stick?`,
    });
  return w;
}

export type Verdict =
  | { target: string; ok: true; warnings: DriveWarning[] }
  | { target: string; ok: false; error: AppError; warnings: DriveWarning[] };

/**
 * Decide per target. Selection mistakes (system drive without the typed confirmation, the drive
 * holding the source, an unacknowledged large drive) throw: nothing is written when the
 * selection is wrong. Drive conditions (read-only, too small) fail only that target.
 */
export function judgeTargets(targets: TargetFacts[], o: GuardOptions = {}): Verdict[] {
  const seen = new Set<string>();
  const verdicts: Verdict[] = [];
  for (const t of targets) {
    if (seen.has(t.path))
      throw new AppError('EUSAGE', `${t.path} is listed twice as a target`, { target: t.path });
    seen.add(t.path);
    const warnings = driveWarnings(t, o);
    for (const w of warnings) {
      if (w.code === 'ESYSTEMDRIVE' && o.allowSystemDrive !== t.path)
        throw new AppError(
          'ESYSTEMDRIVE',
          `${w.message}. Refused; to really erase it, allow it by typing its path back (--allow-system-drive ${t.path})`,
          { target: t.path },
        );
      if (w.code === 'ESOURCEDRIVE')
        throw new AppError('ESOURCEDRIVE', `${w.message}; writing it would destroy the source. Refused`, {
          target: t.path,
        });
      if (w.code === 'ELARGEDRIVE' && !largeAcked(t.path, o.ackLarge))
        throw new AppError('ELARGEDRIVE', `${w.message} Acknowledge it (--allow-large) to write it`, {
          target: t.path,
        });
    }
    const fail = warnings.find((w) => w.code === 'EROFS' || w.code === 'ETOOSMALL');
    verdicts.push(
      fail
        ? {
            target: t.path,
            ok: false,
            warnings,
            error: new AppError(fail.code, fail.message, { target: t.path }),
          }
        : { target: t.path, ok: true, warnings },
    );
  }
  return verdicts;
}

function largeAcked(p: string, ack: GuardOptions['ackLarge']): boolean {
  return ack === true || (Array.isArray(ack) && ack.includes(p));
}

/** The typed confirmation for a system drive must be the exact device path. */
export function checkTypedConfirmation(expected: string, typed: string | undefined): void {
  if ((typed ?? '').trim() !== expected)
    throw new AppError('ENOTCONFIRMED', `the confirmation did not match ${expected}; nothing was written`, {
      target: expected,
    });
}
