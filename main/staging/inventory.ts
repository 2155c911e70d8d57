// The inventory: every host's state and history, gathered from the store (hosts and their events,
// staging runs, flash records, PXE boots, registrations, clusters). Searchable, exportable.
import type { HistoryEntry, InventoryRow } from '../../shared/contract/staging';
import { AppError } from '../../shared/errors';
import type { Store } from '../store';
import { toCsv } from './csv';
import { z } from 'zod';

type History = z.infer<typeof HistoryEntry>;

async function safe<T>(f: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await f();
  } catch {
    return fallback;
  }
}

export async function inventoryRows(
  store: Store,
  q: { query?: string; site?: string; limit?: number } = {},
): Promise<InventoryRow[]> {
  const hosts = await store.hosts.list({ site: q.site, limit: 100000 });
  const staged = new Map((await store.staging.latestHostRows()).map((r) => [r.hostId, r]));
  const steps = new Map<
    string,
    Map<string, { state: string; result: Record<string, unknown>; error?: unknown; finishedAt?: string }>
  >();
  for (const s of await store.staging.latestStepRows()) {
    const m = steps.get(s.hostId) ?? new Map();
    m.set(s.step, s);
    steps.set(s.hostId, m);
  }
  const runs = new Map((await store.staging.listRuns(100000)).map((r) => [r.id, r]));
  const flashes = await safe(() => store.flash.list({ limit: 1000000 }), []);
  const regs = new Map((await safe(() => store.register.listRegistrations(), [])).map((r) => [r.hostId, r]));
  const jobs = await safe(() => store.register.listJobs({ all: true }), []);
  const clusters = await safe(() => store.register.listClusters(), []);
  const pxe = await safe(() => store.pxe.events({ limit: 1000000 }), []);
  const rows: InventoryRow[] = [];
  for (const h of hosts) {
    const st = staged.get(h.id);
    const hs = steps.get(h.id);
    const reg = regs.get(h.id);
    const hostJobs = jobs.filter((j) => j.hostId === h.id);
    const lastJob = hostJobs[hostJobs.length - 1];
    const cluster = clusters.find((c) => c.hostIds.includes(h.id));
    const failures: InventoryRow['failures'] = [];
    for (const [step, s] of hs ?? []) {
      const err = s.error as { code?: string; message?: string } | undefined;
      if (s.state === 'failed' && err)
        failures.push({
          step,
          code: err.code ?? 'EINTERNAL',
          message: err.message ?? '',
          time: s.finishedAt ?? '',
        });
    }
    const drives = flashes
      .filter((f) => f.hostId === h.id)
      .map((f) => ({
        target: f.drivePath,
        serial: f.serial,
        verified: f.verify === 'passed',
        time: f.endedAt,
      }));
    const mac = h.mac?.toLowerCase();
    const pxeBoots = mac ? pxe.filter((e) => e.mac === mac && e.kind === 'userdata-fetched').length : 0;
    rows.push({
      hostId: h.id,
      serial: h.serial,
      mac: h.mac,
      site: h.site,
      profile: h.profile,
      ipAddress: typeof h.values.ipAddress === 'string' ? h.values.ipAddress : undefined,
      delivery: st?.delivery,
      state: st ? (st.state === 'done' ? 'staged' : st.state) : 'not staged',
      lastRunId: st?.runId,
      lastRunAt: st ? runs.get(st.runId)?.updatedAt : undefined,
      userDataSha256: st?.userDataSha256,
      mediaSha256: st?.mediaSha256,
      drives,
      pxeBoots,
      registration: reg
        ? 'registered'
        : lastJob
          ? lastJob.state
          : (hs?.get('register')?.result.registration as string | undefined),
      cluster: cluster?.name,
      label: hs?.get('label')?.result.path as string | undefined,
      tags: (h.values.tags as Record<string, string> | undefined) ?? {},
      failures,
    });
  }
  const needle = q.query?.trim().toLowerCase();
  const filtered = needle
    ? rows.filter((r) =>
        [
          r.hostId,
          r.serial,
          r.mac,
          r.site,
          r.profile,
          r.ipAddress,
          r.state,
          r.registration,
          r.cluster,
          r.lastRunId,
          ...Object.entries(r.tags).map(([k, v]) => `${k}=${v}`),
        ]
          .filter(Boolean)
          .some((v) => v!.toLowerCase().includes(needle)),
      )
    : rows;
  return q.limit ? filtered.slice(0, q.limit) : filtered;
}

export async function inventoryHost(
  store: Store,
  hostId: string,
): Promise<{ row: InventoryRow; history: History[]; runs: string[] }> {
  const row = (await inventoryRows(store)).find((r) => r.hostId === hostId);
  if (!row) throw new AppError('ENOTFOUND', `no host ${hostId} in the inventory`);
  const events = await store.hosts.events(hostId, 1000);
  const hist = await store.staging.hostHistory(hostId);
  const history: History[] = [
    ...events.map((e) => ({
      time: e.time,
      kind: e.kind,
      message: e.message,
      runId: (e.data as { runId?: string } | undefined)?.runId,
      data: e.data,
    })),
    ...hist.timeline
      .filter((t) => t.kind === 'failed' || t.kind === 'recovered')
      .map((t) => ({
        time: t.time,
        kind: `staging.${t.step}.${t.kind}`,
        message: t.message,
        runId: t.runId,
        data: t.data,
      })),
  ].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  return { row, history, runs: [...new Set(hist.runs.map((r) => r.runId))] };
}

export const INVENTORY_COLUMNS = [
  'host_id',
  'serial',
  'mac',
  'site',
  'profile',
  'ip_address',
  'delivery',
  'state',
  'last_run',
  'last_run_at',
  'user_data_sha256',
  'media_sha256',
  'drives',
  'drives_verified',
  'pxe_boots',
  'registration',
  'cluster',
  'label',
  'tags',
  'failures',
];

export async function inventoryExport(
  store: Store,
  format: 'csv' | 'json',
  query?: string,
): Promise<{ text: string; count: number }> {
  const rows = await inventoryRows(store, { query });
  if (format === 'json')
    return {
      text: JSON.stringify({ exportedAt: new Date().toISOString(), hosts: rows }, null, 2) + '\n',
      count: rows.length,
    };
  const text = toCsv(
    INVENTORY_COLUMNS,
    rows.map((r) => [
      r.hostId,
      r.serial,
      r.mac,
      r.site,
      r.profile,
      r.ipAddress,
      r.delivery,
      r.state,
      r.lastRunId,
      r.lastRunAt,
      r.userDataSha256,
      r.mediaSha256,
      r.drives.map((d) => `${d.target}${d.serial ? `(${d.serial})` : ''}`).join(';'),
      r.drives.filter((d) => d.verified).length,
      r.pxeBoots,
      r.registration,
      r.cluster,
      r.label,
      Object.entries(r.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(';'),
      r.failures.map((f) => `${f.step}: ${f.code}: ${f.message}`).join(' | '),
    ]),
  );
  return { text, count: rows.length };
}
