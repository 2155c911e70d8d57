// The run engine in-process with the real capabilities (remaster with xorriso, flash to image
// files, registration into the Palette simulator, labels): a failing host does not stop the
// others and is retried on resume, cancelling keeps finished steps, Palette being unreachable
// queues registrations, a run is owned by one process at a time, the same manifest is the same run.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type AppContext } from '../../main/app';
import { checkManifest, execute, planFromCheck } from '../../main/staging/service';
import { runDetail } from '../../main/staging/status';
import { renderReport } from '../../main/staging/report';
import { inventoryExport, inventoryRows } from '../../main/staging/inventory';
import { parseCsv } from '../../main/staging/csv';
import { skipReason, tempDir } from '../helpers/env';
import { ensureInstallerFixture, type InstallerFixture } from '../helpers/installer-fixture';
import { newSim } from '../register/harness';
import type { PaletteSim } from '../palette-sim/sim';
import { API_KEY, copyFixture, manifestCsv, seedDataDir, SITES_YAML } from './lab';

const reason = skipReason({ tools: ['xorriso'] });

describe.skipIf(reason)('staging run engine', () => {
  let fx: InstallerFixture;
  let sim: PaletteSim;
  let work: ReturnType<typeof tempDir>;
  let iso: string;
  const apps: AppContext[] = [];

  beforeAll(async () => {
    fx = await ensureInstallerFixture();
    if (fx.skipReason) throw new Error(fx.skipReason);
    sim = await newSim();
    work = tempDir('ebst-run-');
    iso = copyFixture(fx.iso, work.dir);
  }, 300_000);
  afterAll(async () => {
    for (const a of apps) await a.close();
    await sim?.stop();
    work?.cleanup();
  });

  async function newApp(name: string, withSim = true): Promise<AppContext> {
    const dataDir = path.join(work.dir, name);
    await seedDataDir(dataDir, withSim ? sim : undefined);
    const app = createApp({ dataDir });
    apps.push(app);
    return app;
  }

  const why = async (app: AppContext, runId: string) => {
    const d = await runDetail(app.store, runId);
    return JSON.stringify([
      d.error,
      d.hosts.map((h) => `${h.hostId}:${h.state}:${h.steps.map((s) => s.state[0]).join('')}`).join(' '),
      ...d.hosts.flatMap((h) =>
        h.steps
          .filter((s) => s.error)
          .map((s) => `${h.hostId} ${s.step} ${s.error!.code} ${s.error!.message}`),
      ),
    ]).slice(0, 1500);
  };

  async function plan(
    app: AppContext,
    csv: string,
    opts: { targets?: string[]; newRun?: boolean; mediaMode?: 'per-host' | 'cidata' } = {},
  ) {
    const check = await checkManifest(app, { text: csv, fileName: 'hosts.csv', sitesText: SITES_YAML });
    expect(check.issues.filter((i) => i.severity === 'error')).toEqual([]);
    return planFromCheck(
      app,
      check,
      { image: iso, targets: opts.targets ?? [], mediaMode: opts.mediaMode ?? 'per-host' },
      opts.newRun,
    );
  }

  it('a failing drive fails only its host; resume with a good drive finishes it without redoing the others', async () => {
    const app = await newApp('fail');
    const good = path.join(work.dir, 'good.img');
    const bad = path.join(work.dir, 'no-such-folder', 'bad.img');
    const p = await plan(app, manifestCsv({ usb: 4, pxe: 0, prefix: 'fail' }), { targets: [good, bad] });
    const batches: Array<{ batch: number; batches: number; hosts: string[]; targets: string[] }> = [];
    expect(
      await execute(app, {
        runId: p.runId,
        beforeBatch: async (b) => {
          batches.push({ batch: b.batch, batches: b.batches, hosts: b.hosts, targets: b.targets });
          // The first batch is on the drives by now; the next waits for this hook.
          const d0 = await runDetail(app.store, p.runId);
          expect(d0.hosts[0].steps.find((s) => s.step === 'deliver')!.state).toBe('done');
          expect(d0.hosts[2].steps.find((s) => s.step === 'deliver')!.state).toBe('pending');
        },
      }),
      await why(app, p.runId),
    ).toBe('partial');
    expect(batches).toEqual([
      { batch: 2, batches: 2, hosts: ['fail-003', 'fail-004'], targets: [good, bad] },
    ]);
    let d = await runDetail(app.store, p.runId);
    expect(d.hosts.map((h) => h.state)).toEqual(['done', 'failed', 'done', 'failed']);
    const failed = d.hosts[1].steps.find((s) => s.step === 'deliver')!;
    expect(failed.state).toBe('failed');
    expect(failed.error!.message).toContain('bad.img');
    expect(failed.error!.hint!.length).toBeGreaterThan(10);
    const html = await renderReport(app.store, p.runId, 'html');
    expect(html).toContain('Failures (2)');
    expect(html).toContain(failed.error!.code);
    const doneBefore = d.hosts[0].steps.map((s) => [s.step, s.attempts, s.finishedAt]);

    // Resume with two good drives: only the failed hosts' remaining steps run.
    const good2 = path.join(work.dir, 'good2.img');
    expect(await execute(app, { runId: p.runId, targets: [good, good2] }), await why(app, p.runId)).toBe(
      'done',
    );
    d = await runDetail(app.store, p.runId);
    expect(d.hosts.every((h) => h.state === 'done')).toBe(true);
    expect(d.hosts[0].steps.map((s) => [s.step, s.attempts, s.finishedAt])).toEqual(doneBefore);
    expect(d.hosts[1].steps.find((s) => s.step === 'deliver')!.attempts).toBe(2);
    expect(d.hosts[1].steps.find((s) => s.step === 'media')!.attempts).toBe(1);
  }, 300_000);

  it('cancel keeps finished steps; the same manifest is the same run and resumes; a run has one owner', async () => {
    const app = await newApp('cancel');
    const csv = manifestCsv({ usb: 3, pxe: 0, prefix: 'cxl' });
    const p = await plan(app, csv);
    const ac = new AbortController();
    const first = execute(app, {
      runId: p.runId,
      signal: ac.signal,
      onEvent: (e) => {
        if (e.step === 'media' && e.state === 'done') ac.abort();
      },
    });
    // While it runs, nobody else may work on it.
    await expect(execute(app, { runId: p.runId })).rejects.toMatchObject({ code: 'EBUSY' });
    expect(await first).toBe('cancelled');
    const mid = await runDetail(app.store, p.runId);
    expect(mid.state).toBe('cancelled');
    const finished = mid.hosts.flatMap((h) =>
      h.steps.filter((s) => s.state === 'done').map((s) => `${h.hostId}/${s.step}/${s.finishedAt}`),
    );
    expect(finished.length).toBeGreaterThan(0);
    expect(mid.hosts.some((h) => h.state !== 'done')).toBe(true);

    const again = await plan(app, csv);
    expect(again).toMatchObject({ runId: p.runId, created: false });
    expect(await execute(app, { runId: p.runId }), await why(app, p.runId)).toBe('done');
    const end = await runDetail(app.store, p.runId);
    const after = new Set(
      end.hosts.flatMap((h) => h.steps.map((s) => `${h.hostId}/${s.step}/${s.finishedAt}`)),
    );
    for (const f of finished) expect(after.has(f)).toBe(true);
    // Deliver was skipped (no drive given) and says what to do.
    expect(end.hosts[0].steps.find((s) => s.step === 'deliver')).toMatchObject({ state: 'skipped' });
    expect((await plan(app, csv, { newRun: true })).runId).not.toBe(p.runId);
  }, 300_000);

  it('queues registrations while Palette is unreachable and says so', async () => {
    const app = await newApp('offline');
    await sim.stop();
    try {
      const p = await plan(app, manifestCsv({ usb: 2, pxe: 0, prefix: 'off' }));
      expect(await execute(app, { runId: p.runId }), await why(app, p.runId)).toBe('done');
      const d = await runDetail(app.store, p.runId);
      for (const h of d.hosts) {
        const r = h.steps.find((s) => s.step === 'register')!;
        expect(r.result.registration).toBe('queued');
        expect(r.message).toMatch(/queued/);
      }
      expect((await app.store.register.openJobs()).map((j) => j.hostId).sort()).toEqual([
        'off-001',
        'off-002',
      ]);
    } finally {
      await sim.start();
    }
  }, 300_000);

  it('500 hosts in cidata mode: one shared installer, media reused by a new run, all registered, report and inventory list all 500', async () => {
    const app = await newApp('big');
    const csv = manifestCsv({ usb: 500, pxe: 0, prefix: 'big', site: 'depot' });
    const before = sim.log.length;
    const p = await plan(app, csv, { mediaMode: 'cidata' });
    expect(await execute(app, { runId: p.runId }), await why(app, p.runId)).toBe('done');
    const d = await runDetail(app.store, p.runId);
    expect(d.counts).toMatchObject({ total: 500, done: 500, failed: 0 });
    expect(d.media.filter((m) => m.kind === 'installer')).toHaveLength(1);
    expect(d.media.find((m) => m.kind === 'installer')!.hosts).toHaveLength(500);
    expect(d.media.filter((m) => m.kind === 'cidata')).toHaveLength(500);
    const posts = sim.log
      .slice(before)
      .filter((l) => l.method === 'POST' && l.path === '/v1/edgehosts' && l.status === 201);
    expect(posts).toHaveLength(500);

    const csvReport = await renderReport(app.store, p.runId, 'csv', [API_KEY]);
    const rows = parseCsv(csvReport).records;
    expect(rows).toHaveLength(501);
    expect(new Set(rows.slice(1).map((r) => r[2].value)).size).toBe(500);
    const json = JSON.parse(await renderReport(app.store, p.runId, 'json'));
    expect(json.hosts).toHaveLength(500);
    const html = await renderReport(app.store, p.runId, 'html');
    expect(html.match(/<tr data-host=/g)).toHaveLength(500);
    expect((await inventoryRows(app.store)).filter((r) => r.state === 'staged')).toHaveLength(500);
    expect((await inventoryExport(app.store, 'csv')).count).toBe(500);

    // A new run of the same manifest reuses every built image and registers nothing twice.
    const n = sim.log.length;
    const p2 = await plan(app, csv, { mediaMode: 'cidata', newRun: true });
    expect(await execute(app, { runId: p2.runId }), await why(app, p2.runId)).toBe('done');
    const d2 = await runDetail(app.store, p2.runId);
    expect(d2.hosts.every((h) => h.steps.find((s) => s.step === 'media')!.result.reused === true)).toBe(true);
    expect(
      d2.hosts.every(
        (h) => h.steps.find((s) => s.step === 'register')!.result.registration === 'already-registered',
      ),
    ).toBe(true);
    expect(sim.log.length).toBe(n);
    expect(fs.existsSync(d2.media[0].path)).toBe(true);
  }, 900_000);
});
