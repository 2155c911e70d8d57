// The contract handlers through the Dispatcher: drive list with warnings for an image, the
// drivesChanged event stream, flash.start with per-target progress (item = target) and records.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../main/app';
import { Dispatcher } from '../../main/api/dispatch';
import { Bench, sameBytes, sha256 } from './util';

describe('flash API handlers', () => {
  const b = new Bench('eb-flashapi-');
  const list = path.join(b.dir, 'drives.json');
  const t1 = path.join(b.dir, 'stick-a.img');
  const t2 = path.join(b.dir, 'stick-b.img');
  fs.writeFileSync(list, JSON.stringify([t1, { path: t2, description: 'stick B' }]));
  const prev = process.env.EDGEBENCH_TEST_DRIVES;
  process.env.EDGEBENCH_TEST_DRIVES = list;
  const app = createApp({ dataDir: path.join(b.dir, 'data') });
  const d = new Dispatcher(app, 'http');
  afterAll(async () => {
    await app.close();
    if (prev === undefined) delete process.env.EDGEBENCH_TEST_DRIVES;
    else process.env.EDGEBENCH_TEST_DRIVES = prev;
    b.cleanup();
  });

  it('lists test drives, and pushes flash.drivesChanged when the list changes', async () => {
    const r = await d.invoke('1', 'flash.drives', {});
    expect(r.ok).toBe(true);
    const drives = (r as { value: { drives: Array<{ path: string; test?: boolean }> } }).value.drives;
    expect(drives.filter((x) => x.test).map((x) => x.path)).toEqual([t1, t2]);
    const changed = new Promise<Array<{ path: string; size: number | null }>>((resolve) => {
      const off = app.bus.on('flash.drivesChanged', (p) => {
        off();
        resolve(p.drives);
      });
    });
    fs.writeFileSync(t1, Buffer.alloc(4096));
    const next = await changed;
    expect(next.find((x) => x.path === t1)?.size).toBe(4096);
  });

  it('resolves an artifact ID, flashes with progress per target and records each write', async () => {
    const img = b.image('api.iso', 4);
    await app.store.artifacts.add({
      id: 'iso-1',
      kind: 'iso',
      path: img,
      sha256: sha256(img),
      size: 4 << 20,
      meta: {},
    });
    const imgs = await d.invoke('2', 'flash.images', {});
    expect((imgs as { value: { images: Array<{ id: string; exists: boolean }> } }).value.images).toEqual([
      expect.objectContaining({ id: 'iso-1', exists: true }),
    ]);
    const items = new Set<string>();
    const off = app.bus.on('progress', (p) => {
      if (p.requestId === '3' && p.item) items.add(p.item);
    });
    const r = await d.invoke('3', 'flash.start', { image: 'iso-1', targets: [t1, t2] });
    off();
    expect(r.ok).toBe(true);
    const v = (r as { value: { ok: boolean; results: Array<{ ok: boolean; recordId?: number }> } }).value;
    expect(v.ok).toBe(true);
    expect([...items].sort()).toEqual([t1, t2].sort());
    expect(sameBytes(img, t1) && sameBytes(img, t2)).toBe(true);
    const recs = await d.invoke('4', 'flash.records', {});
    expect((recs as { value: { records: unknown[] } }).value.records).toHaveLength(2);
  });

  it('refuses a request with unknown fields or no targets', async () => {
    expect(await d.invoke('5', 'flash.start', { image: 'x', targets: [] })).toMatchObject({
      ok: false,
      error: { code: 'EINVALID' },
    });
    expect(
      await d.invoke('6', 'flash.start', { image: 'x', targets: ['/tmp/a'], force: true }),
    ).toMatchObject({
      ok: false,
      error: { code: 'EINVALID' },
    });
    expect(await d.invoke('7', 'flash.start', { image: 'no-such-artifact', targets: [t1] })).toMatchObject({
      ok: false,
      error: { code: 'ENOTFOUND' },
    });
  });
});

describe('flash concurrency', () => {
  it('refuses a target that this process is already writing (EBUSY)', async () => {
    const { flashImage } = await import('../../main/flash/service');
    const b = new Bench('eb-flashbusy-');
    try {
      const img = b.image('busy.img', 64);
      const out = path.join(b.dir, 'busy-out.img');
      const first = flashImage({ image: img, targets: [out] });
      await expect(flashImage({ image: img, targets: [out] })).rejects.toMatchObject({ code: 'EBUSY' });
      expect((await first).ok).toBe(true);
      expect((await flashImage({ image: img, targets: [out] })).ok).toBe(true);
    } finally {
      b.cleanup();
    }
  });
});
