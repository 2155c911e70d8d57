// Gather the facts the guards judge: for each target path, what it is (whole block device or
// regular file), its size, read-only flag, mounts, whether it holds the system or the image.
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { TargetFacts } from './guards';
import {
  diskFacts,
  diskHolding,
  majMinOf,
  readMounts,
  splitDev,
  systemDisks,
  wholeDiskOf,
  type DevId,
  type DiskFacts,
} from './sysblock';

export interface ResolvedTarget extends TargetFacts {
  /** Whole disk behind a block target. */
  disk?: DiskFacts;
  /** A file target that does not exist yet (it is created). */
  create?: boolean;
  serial?: string;
  vendor?: string;
  model?: string;
  bus: string;
}

export function describeDisk(d: DiskFacts): string {
  const vm = [d.vendor, d.model].filter(Boolean).join(' ');
  if (vm) return vm;
  if (d.bus === 'loop')
    return d.backingFile ? `loop device (${path.basename(d.backingFile)})` : 'loop device';
  return `${d.bus} disk ${d.name}`;
}

/** Mount points on a disk or any of its partitions. */
export function mountsOfDisk(disk: DevId): Array<{ mountpoint: string; source: string }> {
  const key = majMinOf(disk);
  return readMounts()
    .filter((m) => m.id.major !== 0 && majMinOf(wholeDiskOf(m.id)?.disk ?? m.id) === key)
    .map((m) => ({ mountpoint: m.mountpoint, source: m.source }));
}

export interface FactOptions {
  /** Image path: the disk holding it is refused. */
  image?: string;
  /** Extra "system" flags from drivelist, by major:minor. */
  drivelistSystem?: Set<string>;
  /** Precomputed system disks (major:minor -> why). */
  system?: Map<string, string>;
}

export function resolveTarget(target: string, o: FactOptions = {}): ResolvedTarget {
  const abs = path.resolve(target);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (!st) {
    const dir = path.dirname(abs);
    if (!fs.existsSync(dir))
      throw new AppError('ENOTFOUND', `${abs}: no such drive or file, and its folder ${dir} does not exist`, {
        target: abs,
      });
    if (abs.startsWith('/dev/'))
      throw new AppError('ENOTFOUND', `${abs}: no such drive (is it plugged in?)`, { target: abs });
    return {
      path: abs,
      kind: 'file',
      description: 'new image file',
      size: null,
      readOnly: false,
      holdsSource: false,
      mountpoints: [],
      create: true,
      bus: 'file',
    };
  }
  if (st.isFile()) {
    let holdsSource = false;
    if (o.image) {
      try {
        const is = fs.statSync(o.image);
        holdsSource = is.ino === st.ino && is.dev === st.dev;
      } catch {
        holdsSource = false;
      }
    }
    return {
      path: abs,
      kind: 'file',
      description: 'image file',
      size: null,
      readOnly: false,
      holdsSource,
      mountpoints: [],
      bus: 'file',
    };
  }
  if (!st.isBlockDevice())
    throw new AppError('EINVALID', `${abs} is neither a drive (block device) nor a regular file`, {
      target: abs,
    });
  const id = splitDev(st.rdev);
  const whole = wholeDiskOf(id);
  if (!whole)
    throw new AppError('EUNPLUGGED', `${abs}: the kernel no longer knows this drive`, { target: abs });
  if (whole.isPartition)
    throw new AppError(
      'EINVALID',
      `${abs} is a partition of ${whole.name}; flash the whole drive (/dev/${whole.name})`,
      { target: abs },
    );
  const disk = diskFacts(whole.disk);
  if (!disk) throw new AppError('EUNPLUGGED', `${abs}: the drive went away`, { target: abs });
  const key = majMinOf(disk.id);
  const system = o.system ?? systemDisks();
  let systemReason = system.get(key);
  if (!systemReason && o.drivelistSystem?.has(key)) systemReason = 'the system reports it as a system drive';
  const srcDisk = o.image ? diskHolding(o.image) : undefined;
  return {
    path: abs,
    kind: 'block',
    description: describeDisk(disk),
    size: disk.size,
    readOnly: disk.readOnly,
    systemReason,
    holdsSource: srcDisk !== undefined && majMinOf(srcDisk) === key,
    mountpoints: mountsOfDisk(disk.id).map((m) => m.mountpoint),
    disk,
    serial: disk.serial,
    vendor: disk.vendor,
    model: disk.model,
    bus: disk.bus,
  };
}
