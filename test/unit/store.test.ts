import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, allMigrations, type Store } from '../../main/store';
import { migrate, openDb } from '../../main/store/db';

let dir: string;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
function fresh(): Store {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-store-'));
  store = openStore(dir);
  return store;
}

describe('store', () => {
  it('creates the database in the data dir and records every migration once', async () => {
    fresh();
    await store!.close();
    const db = new Database(path.join(dir, 'edgebench.sqlite'));
    const rows = db.prepare('SELECT domain, version FROM schema_migrations').all();
    expect(rows.length).toBe(allMigrations.length);
    db.close();
    // re-opening applies nothing new
    const again = openDb(path.join(dir, 'edgebench.sqlite'));
    expect(migrate(again, allMigrations).applied).toEqual([]);
    again.close();
    store = openStore(dir);
  });

  it('refuses migrations that are not numbered 1..n per domain', () => {
    const db = openDb(':memory:');
    expect(() => migrate(db, [{ domain: 'x', version: 2, description: 'gap', sql: 'SELECT 1' }])).toThrow(
      /numbered/,
    );
    db.close();
  });

  it('profiles: put replaces by name and keeps created time', async () => {
    const s = fresh();
    const a = await s.profiles.put({ name: 'site-a', userData: '#cloud-config\n' });
    const b = await s.profiles.put({
      name: 'site-a',
      description: 'd',
      userData: '#cloud-config\nstylus: {}\n',
    });
    expect(b.createdAt).toBe(a.createdAt);
    expect(b.userData).toContain('stylus');
    expect((await s.profiles.list()).map((p) => p.name)).toEqual(['site-a']);
    expect(await s.profiles.delete('site-a')).toBe(true);
    expect(await s.profiles.get('site-a')).toBeUndefined();
  });

  it('hosts: normalises MACs, refuses a MAC owned by another host, searches and keeps history', async () => {
    const s = fresh();
    const h = await s.hosts.upsert({
      id: 'edge-001',
      mac: '52-54-00-AA-bb-01',
      site: 'plant-7',
      values: { ipAddress: '10.0.0.5' },
    });
    expect(h.mac).toBe('52:54:00:aa:bb:01');
    expect((await s.hosts.getByMac('52:54:00:AA:BB:01'))?.id).toBe('edge-001');
    await expect(s.hosts.upsert({ id: 'edge-002', mac: '52:54:00:aa:bb:01' })).rejects.toMatchObject({
      code: 'ECONFLICT',
    });
    await expect(s.hosts.upsert({ id: 'edge-003', mac: 'zz:00' })).rejects.toMatchObject({
      code: 'EINVALID',
    });
    await s.hosts.upsert({ id: 'edge-004', site: 'plant_8' });
    expect((await s.hosts.list({ query: '10.0.0.5' })).map((x) => x.id)).toEqual(['edge-001']);
    // LIKE wildcards in the query are literal
    expect((await s.hosts.list({ query: 'plant_' })).map((x) => x.id)).toEqual(['edge-004']);
    expect((await s.hosts.list({ site: 'plant-7' })).length).toBe(1);
    await s.hosts.addEvent('edge-001', 'flash', 'flashed /dev/sdb', { verified: true });
    await s.hosts.addEvent('edge-001', 'register', 'registered');
    const ev = await s.hosts.events('edge-001');
    expect(ev.map((e) => e.kind)).toEqual(['register', 'flash']);
    expect(ev[1].data).toEqual({ verified: true });
    expect(await s.hosts.count()).toBe(2);
  });

  it('artifacts and jobs round-trip with JSON fields and ordered job events', async () => {
    const s = fresh();
    const a = await s.artifacts.add({
      kind: 'iso',
      path: '/x.iso',
      sha256: 'ab',
      size: 3,
      profile: 'p',
      meta: { base: 'cd' },
    });
    expect((await s.artifacts.list({ kind: 'iso' }))[0]).toEqual(a);
    const j = await s.jobs.create({ kind: 'register', payload: { host: 'edge-1' } });
    expect(j.state).toBe('queued');
    await s.jobs.addEvent(j.id, 'start');
    await s.jobs.addEvent(j.id, 'posted', { status: 201 });
    const done = await s.jobs.update(j.id, { state: 'done', result: { uid: 'edge-1' } });
    expect(done.payload).toEqual({ host: 'edge-1' });
    expect(done.result).toEqual({ uid: 'edge-1' });
    expect((await s.jobs.events(j.id)).map((e) => [e.seq, e.kind])).toEqual([
      [1, 'start'],
      [2, 'posted'],
    ]);
    expect((await s.jobs.events(j.id, 1)).length).toBe(1);
    await expect(s.jobs.update('nope', { state: 'done' })).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('survives a reopen: data is durable', async () => {
    const s = fresh();
    await s.settings.set('palette', { endpoint: 'api.example.com' });
    await s.close();
    store = openStore(dir);
    expect(await store.settings.get('palette')).toEqual({ endpoint: 'api.example.com' });
  });
});
