// Real block devices for the flash tests: loop devices over sparse files (optionally on a small
// tmpfs, to get real write errors), mounts, and byte comparisons. Everything created here is
// removed by cleanup(), even when a test fails.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/env';

export class Bench {
  private folder?: { dir: string; cleanup(): void };
  private loops: string[] = [];
  private mounts: string[] = [];
  private nodes: string[] = [];
  constructor(private readonly prefix = 'eb-flash-') {}
  /** The temporary folder, created on first use (a filtered-out suite leaves nothing behind). */
  get dir(): string {
    this.folder ??= tempDir(this.prefix);
    return this.folder.dir;
  }
  /** Random bytes image of `mib` MiB. */
  image(name: string, mib: number): string {
    const p = path.join(this.dir, name);
    const fd = fs.openSync(p, 'w');
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < mib; i++) {
      crypto.randomFillSync(chunk);
      fs.writeSync(fd, chunk);
    }
    fs.closeSync(fd);
    return p;
  }
  sparse(name: string, mib: number, dir = this.dir): string {
    const p = path.join(dir, name);
    fs.writeFileSync(p, '');
    fs.truncateSync(p, mib * 1024 * 1024);
    return p;
  }
  loop(backing: string, opts: { readOnly?: boolean; partscan?: boolean } = {}): string {
    const args = [
      '-f',
      '--show',
      ...(opts.readOnly ? ['-r'] : []),
      ...(opts.partscan ? ['-P'] : []),
      backing,
    ];
    const dev = execFileSync('losetup', args, { encoding: 'utf8' }).trim();
    this.loops.push(dev);
    return dev;
  }
  /** A small tmpfs (real ENOSPC on write-back once full). */
  tmpfs(name: string, mib: number): string {
    const p = path.join(this.dir, name);
    fs.mkdirSync(p);
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}M`, 'tmpfs', p]);
    this.mounts.push(p);
    return p;
  }
  mount(dev: string, name: string): string {
    const p = path.join(this.dir, name);
    fs.mkdirSync(p, { recursive: true });
    execFileSync('mount', [dev, p]);
    this.mounts.push(p);
    return p;
  }
  /** Our own device node for a loop device (so removing it never touches /dev). */
  node(dev: string, name: string): string {
    const st = fs.statSync(dev);
    const major = Math.floor(st.rdev / 256) & 0xfff;
    const minor = (st.rdev & 0xff) | ((st.rdev >>> 12) & ~0xff);
    const p = path.join(this.dir, name);
    execFileSync('mknod', [p, 'b', String(major), String(minor)]);
    this.nodes.push(p);
    return p;
  }
  cleanup(): void {
    for (const m of this.mounts.reverse()) spawnSync('umount', ['-l', m]);
    for (const l of this.loops) spawnSync('losetup', ['-d', l]);
    for (const n of this.nodes) fs.rmSync(n, { force: true });
    this.folder?.cleanup();
  }
}

/** True when the first `len` bytes of a and b are equal (read in 4 MiB chunks). */
export function sameBytes(a: string, b: string, len = fs.statSync(a).size): boolean {
  const fa = fs.openSync(a, 'r');
  const fb = fs.openSync(b, 'r');
  const ba = Buffer.alloc(4 * 1024 * 1024);
  const bb = Buffer.alloc(4 * 1024 * 1024);
  try {
    for (let off = 0; off < len; off += ba.length) {
      const n = Math.min(ba.length, len - off);
      const ra = fs.readSync(fa, ba, 0, n, off);
      const rb = fs.readSync(fb, bb, 0, n, off);
      if (ra !== n || rb !== n || !ba.subarray(0, n).equals(bb.subarray(0, n))) return false;
    }
    return true;
  } finally {
    fs.closeSync(fa);
    fs.closeSync(fb);
  }
}

export function sha256(p: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
}
