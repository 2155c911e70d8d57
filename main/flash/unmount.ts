// Unmount every mounted partition of a drive before writing it, and say which were unmounted.
import { AppError } from '../../shared/errors';
import { run } from '../core/exec';
import type { DevId } from './sysblock';
import { mountsOfDisk } from './target-facts';

/** Unmounts the drive's filesystems (deepest first). Returns the mount points it unmounted. */
export async function unmountDrive(target: string, disk: DevId, signal?: AbortSignal): Promise<string[]> {
  const mounts = mountsOfDisk(disk)
    .map((m) => m.mountpoint)
    .sort((a, b) => b.length - a.length);
  const done: string[] = [];
  for (const mp of mounts) {
    if (mp === '/' || mp === '/boot' || mp === '/usr')
      throw new AppError('ESYSTEMDRIVE', `${target} holds ${mp}; refusing to unmount it`, { target });
    const r = await run('umount', [mp], { signal, pkg: 'mount' });
    if (r.code !== 0)
      throw new AppError(
        'EBUSY',
        `${target}: cannot unmount ${mp}: ${r.stderr.trim() || `umount exited with ${r.code}`}; close the files open on it and retry`,
        { target, mountpoint: mp },
      );
    done.push(mp);
  }
  return done;
}
