// Write + verify with etcher-sdk to regular files and to real loop devices, one and four at once,
// plain and compressed sources; bytes on every target are compared with the source.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFlashJob } from '../../main/flash/engine';
import { flashImage } from '../../main/flash/service';
import { createApp } from '../../main/app';
import { hasTool, skipReason } from '../helpers/env';
import { Bench, sameBytes, sha256 } from './util';

const rootSkip = skipReason({ root: true, tools: ['losetup'] });

describe('flash to regular files (no root needed)', () => {
  const b = new Bench();
  afterAll(() => b.cleanup());

  it('writes and verifies one new file, with the image SHA-256 and a record', async () => {
    const img = b.image('one.img', 8);
    const out = path.join(b.dir, 'out-one.img');
    const app = createApp({ dataDir: path.join(b.dir, 'data') });
    const phases = new Set<string>();
    const r = await flashImage({
      app,
      image: img,
      targets: [out],
      onProgress: (e) => phases.add(e.phase),
    });
    expect(r.ok).toBe(true);
    expect(r.via).toBe('in-process');
    expect(r.results[0]).toMatchObject({
      target: out,
      ok: true,
      verified: true,
      bytesWritten: 8 * 1024 * 1024,
    });
    expect(r.sha256).toBe(sha256(img));
    expect(sameBytes(img, out)).toBe(true);
    expect(phases.has('verifying')).toBe(true);
    const recs = await app.store.flash.list();
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ drivePath: out, ok: true, verify: 'passed', imageSha256: sha256(img) });
    await app.close();
  });

  it('writes four files in one pass', async () => {
    const img = b.image('four.img', 8);
    const outs = [1, 2, 3, 4].map((i) => path.join(b.dir, `out4-${i}.img`));
    const r = await runFlashJob({ image: img, targets: outs, verify: true });
    expect(r.results.map((x) => x.ok)).toEqual([true, true, true, true]);
    for (const o of outs) expect(sameBytes(img, o)).toBe(true);
  });

  it('skips verification with verify=false and says so', async () => {
    const img = b.image('nv.img', 2);
    const out = path.join(b.dir, 'nv-out.img');
    const r = await runFlashJob({ image: img, targets: [out], verify: false });
    expect(r.results[0]).toMatchObject({ ok: true, verified: false });
    expect(sameBytes(img, out)).toBe(true);
  });

  it.each([
    ['gz', ['gzip', '-k', '-1']],
    ['xz', ['xz', '-k', '-0', '-T1']],
  ])('decompresses a .%s source on the fly', async (ext, cmd) => {
    expect(hasTool(cmd[0]), `${cmd[0]} must be installed (see .ci/apt-packages.txt)`).toBe(true);
    const img = b.image(`c-${ext}.img`, 6);
    execFileSync(cmd[0], [...cmd.slice(1), img]);
    const out = path.join(b.dir, `c-${ext}-out.img`);
    const r = await runFlashJob({ image: `${img}.${ext}`, targets: [out], verify: true });
    expect(r.results[0]).toMatchObject({ ok: true, verified: true });
    expect(r.sha256).toBe(sha256(`${img}.${ext}`));
    expect(sameBytes(img, out)).toBe(true);
  });

  it.skipIf(!hasTool('zip'))('decompresses a .zip source (needs zip)', async () => {
    const img = b.image('z.img', 4);
    execFileSync('zip', ['-q', '-j', path.join(b.dir, 'z.zip'), img]);
    const out = path.join(b.dir, 'z-out.img');
    const r = await runFlashJob({ image: path.join(b.dir, 'z.zip'), targets: [out], verify: true });
    expect(r.results[0]).toMatchObject({ ok: true, verified: true });
    expect(r.sha256).toBe(sha256(path.join(b.dir, 'z.zip')));
    expect(sameBytes(img, out)).toBe(true);
  });

  it('refuses an image that is missing, a folder, or empty, with its own code', async () => {
    const out = path.join(b.dir, 'never.img');
    await expect(
      runFlashJob({ image: path.join(b.dir, 'nope.img'), targets: [out], verify: true }),
    ).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
    await expect(runFlashJob({ image: b.dir, targets: [out], verify: true })).rejects.toMatchObject({
      code: 'EINVALID',
    });
    fs.writeFileSync(path.join(b.dir, 'empty.img'), '');
    await expect(
      runFlashJob({ image: path.join(b.dir, 'empty.img'), targets: [out], verify: true }),
    ).rejects.toMatchObject({ code: 'EINVALID' });
    expect(fs.existsSync(out)).toBe(false);
  });

  it('reports a truncated compressed image as the image problem, not a drive failure', async () => {
    const img = b.image('tr.img', 8);
    execFileSync('gzip', ['-k', '-1', img]);
    execFileSync('xz', ['-k', '-0', '-T1', img]);
    const cut = (src: string, dest: string) =>
      fs.writeFileSync(dest, fs.readFileSync(src).subarray(0, 3_000_000));
    cut(`${img}.gz`, path.join(b.dir, 'cut.img.gz'));
    cut(`${img}.xz`, path.join(b.dir, 'cut.img.xz'));
    const outs = [path.join(b.dir, 'cut-1.img'), path.join(b.dir, 'cut-2.img')];
    const r = await runFlashJob({ image: path.join(b.dir, 'cut.img.gz'), targets: outs, verify: true });
    expect(r.results.map((x) => x.code)).toEqual(['ETRUNCATED', 'ETRUNCATED']);
    expect(r.results[0].message).toContain('cut.img.gz');
    // xz keeps its index at the end: the cut is found before anything is written
    await expect(
      runFlashJob({
        image: path.join(b.dir, 'cut.img.xz'),
        targets: [path.join(b.dir, 'cut-3.img')],
        verify: true,
      }),
    ).rejects.toMatchObject({ code: 'EINVALID' });
    expect(fs.existsSync(path.join(b.dir, 'cut-3.img'))).toBe(false);
  });

  it('refuses writing the image onto itself', async () => {
    const img = b.image('self.img', 1);
    await expect(runFlashJob({ image: img, targets: [img], verify: true })).rejects.toMatchObject({
      code: 'ESOURCEDRIVE',
    });
  });
});

describe.skipIf(rootSkip)('flash to loop devices (root)', () => {
  const b = new Bench();
  let img: string;
  beforeAll(() => {
    img = b.image('src.img', 48);
  });
  afterAll(() => b.cleanup());

  it('writes and verifies one loop device with direct I/O', async () => {
    const dev = b.loop(b.sparse('l1.img', 64));
    const r = await runFlashJob({ image: img, targets: [dev], verify: true });
    expect(r.results[0]).toMatchObject({
      target: dev,
      ok: true,
      verified: true,
      bytesWritten: 48 * 1024 * 1024,
    });
    expect(r.results[0].description).toMatch(/loop device/);
    expect(sameBytes(img, dev)).toBe(true);
  });

  it('writes four loop devices in one pass, each with its own progress', async () => {
    const devs = [1, 2, 3, 4].map((i) => b.loop(b.sparse(`l4-${i}.img`, 64)));
    const seen = new Map<string, Set<string>>();
    const r = await runFlashJob({
      image: img,
      targets: devs,
      verify: true,
      onProgress: (e) => {
        if (!seen.has(e.item!)) seen.set(e.item!, new Set());
        seen.get(e.item!)!.add(e.phase);
      },
    });
    expect(r.results.every((x) => x.ok && x.verified)).toBe(true);
    for (const d of devs) {
      expect(sameBytes(img, d)).toBe(true);
      expect([...(seen.get(d) ?? [])]).toEqual(expect.arrayContaining(['verifying', 'done']));
    }
  });

  it.skipIf(!hasTool('xz'))('writes an .xz image to a loop device and a file together', async () => {
    const small = b.image('x.img', 8);
    execFileSync('xz', ['-k', '-0', '-T1', small]);
    const dev = b.loop(b.sparse('lx.img', 16));
    const out = path.join(b.dir, 'x-out.img');
    const r = await runFlashJob({ image: `${small}.xz`, targets: [dev, out], verify: true });
    expect(r.results.every((x) => x.ok && x.verified)).toBe(true);
    expect(sameBytes(small, dev)).toBe(true);
    expect(sameBytes(small, out)).toBe(true);
  });
});

describe('records per target host', () => {
  it('records each target on its own host in one pass', async () => {
    const b = new Bench('eb-flashhosts-');
    const app = createApp({ dataDir: path.join(b.dir, 'data') });
    try {
      await app.store.hosts.upsert({ id: 'edge-a', values: {} });
      await app.store.hosts.upsert({ id: 'edge-b', values: {} });
      const img = b.image('hh.img', 2);
      const [ta, tb] = [path.join(b.dir, 'a.img'), path.join(b.dir, 'b.img')];
      const r = await flashImage({
        app,
        image: img,
        targets: [ta, tb],
        targetHosts: { [ta]: 'edge-a', [tb]: 'edge-b' },
      });
      expect(r.ok).toBe(true);
      expect((await app.store.flash.list({ hostId: 'edge-a' })).map((x) => x.drivePath)).toEqual([ta]);
      expect((await app.store.flash.list({ hostId: 'edge-b' })).map((x) => x.drivePath)).toEqual([tb]);
      expect((await app.store.hosts.events('edge-b'))[0].message).toContain(tb);
    } finally {
      await app.close();
      b.cleanup();
    }
  });
});
