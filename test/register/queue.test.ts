// The durable registration queue in-process: offline queueing, replay in order, no doubles,
// survival across a process restart (a new app on the same data dir).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../main/app';
import { enqueueRegistration, syncRegistrations } from '../../main/register/queue';
import { hostRows } from '../../main/register/service';
import { skipReason } from '../helpers/env';
import { addHosts, newEnv, type Env } from './harness';

const skip = skipReason({ tools: ['openssl'] });

describe.skipIf(skip)('registration queue', () => {
  let env: Env;
  beforeAll(async () => {
    env = await newEnv();
    await addHosts(env.app, ['edge-q1', 'edge-q2', 'edge-q3']);
  });
  afterAll(async () => env?.close());

  it('rejects IDs Palette would refuse and hosts not in the store', async () => {
    await env.app.store.hosts.upsert({ id: 'bad.id', values: {} });
    await expect(enqueueRegistration(env.app, { hostId: 'bad.id' })).rejects.toMatchObject({
      code: 'EINVALID',
    });
    await expect(enqueueRegistration(env.app, { hostId: 'nobody' })).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
    await env.app.store.hosts.delete('bad.id');
  });

  it('queues while Palette is unreachable and keeps the jobs across a restart', async () => {
    await env.sim.stop();
    for (const id of ['edge-q1', 'edge-q2', 'edge-q3'])
      await enqueueRegistration(env.app, { hostId: id, tags: { batch: '7' } });
    // enqueueing the same host again updates its open job instead of adding one
    await enqueueRegistration(env.app, { hostId: 'edge-q2', tags: { extra: 'yes' } });
    const r = await syncRegistrations(env.app);
    expect(r.done).toBe(0);
    expect(r.pending).toBe(3);
    expect(r.stoppedBy?.code).toBe('EUNAVAILABLE');
    const rows = await hostRows(env.app);
    expect(rows.map((x) => x.edgebench)).toEqual(['queued', 'queued', 'queued']);
    // "restart": close the app and open the same data dir again
    await env.app.close();
    env.app = createApp({ dataDir: env.dataDir });
    const jobs = await env.app.store.register.openJobs();
    expect(jobs.map((j) => j.hostId)).toEqual(['edge-q1', 'edge-q2', 'edge-q3']);
    expect(jobs[1].labels).toEqual({ batch: '7', extra: 'yes' });
    expect(jobs[0].attempts).toBe(1);
  });

  it('replays in order when Palette is back, each host created exactly once', async () => {
    await env.sim.start();
    const progress: string[] = [];
    const r = await syncRegistrations(env.app, { onProgress: (p) => p.item && progress.push(p.item) });
    expect(r).toEqual({ done: 3, failed: 0, pending: 0 });
    expect(progress).toEqual(['edge-q1', 'edge-q2', 'edge-q3']);
    const creates = env.sim.log.filter((l) => l.created).map((l) => l.created);
    expect(creates).toEqual(['edge-q1', 'edge-q2', 'edge-q3']);
    // edge-q1 was tried before (refused), so it was looked up first
    expect(env.sim.log.some((l) => l.method === 'GET' && l.path === '/v1/edgehosts/edge-q1')).toBe(true);
    expect(env.sim.hosts.get('edge-q2')!.labels).toEqual({ batch: '7', extra: 'yes' });
    const rows = await hostRows(env.app);
    expect(rows.every((x) => x.edgebench === 'registered')).toBe(true);
    const again = await syncRegistrations(env.app);
    expect(again).toEqual({ done: 0, failed: 0, pending: 0 });
  });

  it('a conflicting record fails that job and the others still go', async () => {
    await addHosts(env.app, ['edge-q4', 'edge-q5']);
    env.sim.hosts.set('edge-q4', {
      uid: 'edge-q4',
      name: 'not-ours',
      labels: {},
      spec: {},
      paired: true,
      createdAt: '',
    });
    await enqueueRegistration(env.app, { hostId: 'edge-q4' });
    await enqueueRegistration(env.app, { hostId: 'edge-q5' });
    const r = await syncRegistrations(env.app);
    expect(r).toEqual({ done: 1, failed: 1, pending: 0 });
    const [failed] = await env.app.store.register.listJobs({ hostId: 'edge-q4' });
    expect(failed.state).toBe('failed');
    expect(failed.lastError?.code).toBe('ECONFLICT');
    // fixed in Palette, retried: now it matches
    env.sim.hosts.get('edge-q4')!.name = 'edge-q4';
    await env.app.store.register.retry(failed.id);
    expect(await syncRegistrations(env.app)).toEqual({ done: 1, failed: 0, pending: 0 });
  });

  it('EAUTH stops the sync and keeps the job queued', async () => {
    await addHosts(env.app, ['edge-q6']);
    await enqueueRegistration(env.app, { hostId: 'edge-q6' });
    env.sim.fault({ kind: '401', method: 'POST' });
    const r = await syncRegistrations(env.app);
    expect(r.stoppedBy?.code).toBe('EAUTH');
    expect(r.pending).toBe(1);
    expect((await syncRegistrations(env.app)).done).toBe(1);
  });
});
