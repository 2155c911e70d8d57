// The helper runs as root on behalf of an unprivileged user: every path it is given is checked
// again here. Images must be regular files the invoking user could read themselves; targets must
// be whole block devices, or regular files inside the allowed folders that the user owns (or new
// files there). No symlinked files, nothing outside the allowed set.
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';

export interface Caller {
  uid: number;
  gids: number[];
}

function readableBy(st: fs.Stats, c: Caller): boolean {
  if (c.uid === 0) return true;
  if (st.uid === c.uid) return (st.mode & 0o400) !== 0;
  if (c.gids.includes(st.gid)) return (st.mode & 0o040) !== 0;
  return (st.mode & 0o004) !== 0;
}

function permits(st: fs.Stats, c: Caller, bits: { owner: number; group: number; other: number }): boolean {
  if (c.uid === 0) return true;
  if (st.uid === c.uid) return (st.mode & bits.owner) !== 0;
  if (c.gids.includes(st.gid)) return (st.mode & bits.group) !== 0;
  return (st.mode & bits.other) !== 0;
}

/** Could the caller reach this path (search permission on every folder above it)? */
function reachableBy(p: string, c: Caller): boolean {
  for (let d = path.dirname(p); ; d = path.dirname(d)) {
    try {
      if (!permits(fs.statSync(d), c, { owner: 0o100, group: 0o010, other: 0o001 })) return false;
    } catch {
      return false;
    }
    if (d === path.dirname(d)) return true;
  }
}

export function checkHelperImage(p: string, c: Caller): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    throw new AppError('ENOTFOUND', `image ${p} does not exist`, { path: p });
  }
  if (!st.isFile()) throw new AppError('EINVALID', `image ${p} is not a regular file`, { path: p });
  if (!readableBy(st, c) || !reachableBy(fs.realpathSync(p), c))
    throw new AppError('EACCES', `image ${p} is not readable by the calling user (uid ${c.uid})`, {
      path: p,
    });
  return p;
}

function inside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export function checkHelperTarget(p: string, allowedDirs: string[], c: Caller): string {
  let lst: fs.Stats | undefined;
  try {
    lst = fs.lstatSync(p);
  } catch {
    lst = undefined;
  }
  if (lst?.isSymbolicLink()) {
    const real = fs.realpathSync(p);
    if (fs.statSync(real).isBlockDevice()) return p; // /dev/disk/by-id/... links
    throw new AppError('EPERM', `target ${p} is a symbolic link to a file; give the real path`, { path: p });
  }
  if (lst?.isBlockDevice()) return p;
  if (lst && !lst.isFile())
    throw new AppError('EINVALID', `target ${p} is neither a block device nor a regular file`, { path: p });
  let parent: string;
  try {
    parent = fs.realpathSync(path.dirname(p));
  } catch {
    throw new AppError('ENOTFOUND', `the folder of target ${p} does not exist`, { path: p });
  }
  const real = path.join(parent, path.basename(p));
  const allowed = allowedDirs.map((d) => {
    try {
      return fs.realpathSync(d);
    } catch {
      return path.resolve(d);
    }
  });
  if (!allowed.some((d) => inside(d, real)))
    throw new AppError(
      'EPERM',
      `target file ${p} is outside the folders the helper may write (${allowedDirs.join(', ') || 'none'})`,
      { path: p },
    );
  if (lst && c.uid !== 0 && lst.uid !== c.uid)
    throw new AppError('EPERM', `target file ${p} belongs to another user (uid ${lst.uid})`, { path: p });
  return p;
}
