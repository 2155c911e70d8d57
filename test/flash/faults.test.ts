// Fault injection on real block devices (device-mapper is not available in this machine's kernel,
// see machine-field-notes §8). Each fault must yield its own code on that target only, while the
// other targets in the same multi-write finish and verify.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFlashJob } from '../../main/flash/engine';
import { formatBytes } from '../../shared/format';
import { skipReason } from '../helpers/env';
import { Bench, sameBytes } from './util';

const rootSkip = skipReason({ root: true, tools: ['losetup', 'mknod', 'mkfs.ext4'] });

describe.skipIf(rootSkip)('flash faults on real loop devices (root)', () => {
  const b = new Bench('eb-flashfault-');
  let img: string;
  beforeAll(() => {
    img = b.image('src.img', 64);
  });
  afterAll(() => b.cleanup());

  it('a real write error (loop over a full tmpfs) fails that target only; the others verify', async () => {
    // 80 MiB sparse backing file on a 40 MiB tmpfs: writes fail once the tmpfs is full (the
    // kernel logs "critical space allocation error"); with O_DIRECT the error reaches us.
    const fs40 = b.tmpfs('tmpfs40', 40);
    const bad = b.loop(b.sparse('bad.img', 80, fs40));
    const good = b.loop(b.sparse('good.img', 80));
    const file = path.join(b.dir, 'good-file.img');
    const r = await runFlashJob({ image: img, targets: [bad, good, file], verify: true });
    const [rb, rg, rf] = r.results;
    expect(rb.ok).toBe(false);
    expect(['ENOSPC', 'EIO']).toContain(rb.code);
    expect(rb.message).toContain(bad);
    expect(rb.bytesWritten).toBeLessThan(64 * 1024 * 1024);
    expect(rb.bytesWritten).toBeGreaterThan(0);
    expect(rb.message).toContain(`after ${formatBytes(rb.bytesWritten)}`);
    expect(rg).toMatchObject({ ok: true, verified: true });
    expect(rf).toMatchObject({ ok: true, verified: true });
    expect(sameBytes(img, good)).toBe(true);
    expect(sameBytes(img, file)).toBe(true);
  });

  it('a read-only drive (losetup -r) is refused with EROFS; the other target is written', async () => {
    const ro = b.loop(b.sparse('ro.img', 80), { readOnly: true });
    const ok = b.loop(b.sparse('rw.img', 80));
    const r = await runFlashJob({ image: img, targets: [ro, ok], verify: true });
    expect(r.results[0]).toMatchObject({ target: ro, ok: false, code: 'EROFS', bytesWritten: 0 });
    expect(r.results[1]).toMatchObject({ ok: true, verified: true });
    expect(sameBytes(img, ok)).toBe(true);
  });

  it('a drive smaller than the image is refused with ETOOSMALL and left untouched', async () => {
    const backing = b.sparse('small.img', 32);
    const small = b.loop(backing);
    const ok = path.join(b.dir, 'small-peer.img');
    const r = await runFlashJob({ image: img, targets: [small, ok], verify: true });
    expect(r.results[0]).toMatchObject({ ok: false, code: 'ETOOSMALL' });
    expect(r.results[0].message).toMatch(/32\.0 MiB/);
    expect(r.results[1]).toMatchObject({ ok: true });
    // nothing written: the sparse backing file still has no data blocks
    expect(fs.statSync(backing).blocks).toBe(0);
  });

  it('an image whose size is only estimated (.gz) fails as ETOOSMALL when the drive fills up', async () => {
    const gzSrc = b.image('est.img', 40);
    execFileSync('gzip', ['-k', '-1', gzSrc]);
    const small = b.loop(b.sparse('small2.img', 24));
    const r = await runFlashJob({ image: `${gzSrc}.gz`, targets: [small], verify: true });
    expect(r.results[0].ok).toBe(false);
    expect(r.results[0].code).toBe('ETOOSMALL');
  });

  it('corruption after the write is caught by read-back verification (EVALIDATION)', async () => {
    // The loop devices' backing files are changed between the write phase and the read-back:
    // when a target enters "verifying" (before any byte is read back), we flip one byte in its
    // backing file, as a counterfeit or failing stick would return other bytes than written.
    const backing = b.sparse('flip.img', 80);
    const flip = b.loop(backing);
    const clean = b.loop(b.sparse('clean.img', 80));
    let flipped = false;
    const r = await runFlashJob({
      image: img,
      targets: [flip, clean],
      verify: true,
      onProgress: (e) => {
        if (e.item === flip && e.phase === 'verifying' && !flipped) {
          flipped = true;
          const fd = fs.openSync(backing, 'r+');
          const one = Buffer.alloc(1);
          fs.readSync(fd, one, 0, 1, 40 * 1024 * 1024);
          one[0] ^= 0xff;
          fs.writeSync(fd, one, 0, 1, 40 * 1024 * 1024);
          fs.fsyncSync(fd);
          fs.closeSync(fd);
        }
      },
    });
    expect(flipped).toBe(true);
    expect(r.results[0]).toMatchObject({ target: flip, ok: false, code: 'EVALIDATION', verified: false });
    expect(r.results[0].bytesWritten).toBe(64 * 1024 * 1024);
    expect(r.results[1]).toMatchObject({ ok: true, verified: true });
  });

  it('a drive that goes away mid-write is reported as EUNPLUGGED; the other target finishes', async () => {
    // Simulating an unplug as faithfully as this machine allows: we write through our own
    // device node for a loop device; after the first progress event we (1) remove that node, as
    // udev removes /dev/sdX on unplug, and (2) drop the device's capacity to zero (truncate the
    // backing file, losetup -c), as the kernel does for a vanished USB disk ("detected capacity
    // change to 0"). The next writes fail, and the node is gone.
    const big = b.image('big.img', 256);
    const backing = b.sparse('unplug.img', 300);
    const loop = b.loop(backing);
    const node = b.node(loop, 'usbstick');
    const peer = b.loop(b.sparse('peer.img', 300));
    let pulled = false;
    const r = await runFlashJob({
      image: big,
      targets: [node, peer],
      verify: true,
      onProgress: (e) => {
        if (!pulled && e.item === node && e.phase === 'flashing' && (e.bytesDone ?? 0) > 0) {
          pulled = true;
          fs.rmSync(node);
          fs.truncateSync(backing, 0);
          execFileSync('losetup', ['-c', loop]);
        }
      },
    });
    expect(pulled).toBe(true);
    expect(r.results[0]).toMatchObject({ target: node, ok: false, code: 'EUNPLUGGED' });
    expect(r.results[0].message).toMatch(/unplugged/);
    expect(r.results[1]).toMatchObject({ ok: true, verified: true });
    expect(sameBytes(big, peer)).toBe(true);
  });

  it('mounted partitions are unmounted first and reported', async () => {
    const backing = b.sparse('mounted.img', 80);
    const dev = b.loop(backing);
    execFileSync('mkfs.ext4', ['-q', '-F', dev], { stdio: 'ignore' });
    const mp = b.mount(dev, 'mnt-target');
    const r = await runFlashJob({ image: img, targets: [dev], verify: true });
    expect(r.results[0]).toMatchObject({ ok: true, verified: true, unmounted: [mp] });
    expect(fs.readFileSync('/proc/self/mounts', 'utf8')).not.toContain(mp);
    expect(sameBytes(img, dev)).toBe(true);
  });

  it('cancel mid-write stops every target with ECANCELLED and leaves nothing open', async () => {
    const big = b.image('cancel.img', 256);
    const devs = [b.loop(b.sparse('c1.img', 300)), b.loop(b.sparse('c2.img', 300))];
    const ac = new AbortController();
    const r = await runFlashJob({
      image: big,
      targets: devs,
      verify: true,
      signal: ac.signal,
      onProgress: (e) => {
        if (e.phase === 'flashing' && (e.bytesDone ?? 0) > 0) ac.abort();
      },
    });
    expect(r.results.map((x) => x.code)).toEqual(['ECANCELLED', 'ECANCELLED']);
    // The devices are closed: an exclusive open (O_EXCL, as the writer uses) succeeds again.
    for (const d of devs) fs.closeSync(fs.openSync(d, fs.constants.O_RDWR | fs.constants.O_EXCL));
  });
});
