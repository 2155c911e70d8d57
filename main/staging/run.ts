// The staging run engine: takes every host of a run through render -> media -> deliver ->
// register -> label. Each (host, step) state is durable, so a run resumes after a crash, SIGKILL
// or Ctrl-C without redoing finished steps; a failed host never stops the others.
import fs from 'node:fs';
import path from 'node:path';
import { AppError, isCancelled } from '../../shared/errors';
import type {
  ManifestHost,
  RunOptions,
  RunState,
  StagingProgress,
  StepName,
} from '../../shared/contract/staging';
import type { Store } from '../store';
import { sha256 } from '../core/hash';
import type { RunManifest } from './run-create';
import type { StagingServices } from './services';
import { RunTracker, errorInfo } from './tracker';
import { deliverPxe, deliverUsb, registerAndLabel } from './run-stages';
import { mediaStage } from './run-media';
import { pidAlive } from '../core/process';
import { hostValuesFor } from './host-values';

export interface ExecuteOptions {
  store: Store;
  services: StagingServices;
  runId: string;
  signal?: AbortSignal;
  onEvent?: (e: StagingProgress) => void;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Override the run's stored options for this session (targets may change between sessions). */
  targets?: string[];
  pxeTimeoutSeconds?: number;
  /** Called before every USB batch after the first (e.g. to let the technician swap sticks). */
  beforeBatch?: BeforeBatch;
}

export type BeforeBatch = (b: {
  batch: number;
  batches: number;
  targets: string[];
  hosts: string[];
  signal: AbortSignal;
}) => Promise<void>;

export interface RunContext {
  store: Store;
  services: StagingServices;
  runId: string;
  options: RunOptions & { workDir: string };
  hosts: ManifestHost[];
  manifest: RunManifest;
  tracker: RunTracker;
  signal: AbortSignal;
  userData: Map<string, string>;
  pxeTimeoutSeconds: number;
  beforeBatch?: BeforeBatch;
  hostEvent(hostId: string, kind: string, message: string, data?: unknown): Promise<void>;
  /** Run a step with durable state; returns false when it failed (the host stops). */
  step(
    h: ManifestHost,
    s: StepName,
    fn: () => Promise<{ result: Record<string, unknown>; message: string; skipped?: boolean }>,
  ): Promise<boolean>;
}

const STALE_MS = 30_000;
/** Runs this process is executing now (the store's owner PID cannot tell two of ours apart). */
const activeHere = new Set<string>();

export async function executeRun(o: ExecuteOptions): Promise<RunState> {
  if (activeHere.has(o.runId))
    throw new AppError('EBUSY', `run ${o.runId} is already running in this process`);
  activeHere.add(o.runId);
  try {
    return await executeOwned(o);
  } finally {
    activeHere.delete(o.runId);
  }
}

async function executeOwned(o: ExecuteOptions): Promise<RunState> {
  const { store, runId } = o;
  const run = await store.staging.getRun(runId);
  if (!run) throw new AppError('ENOTFOUND', `no staging run ${runId}; see edgebench stage list`);
  const pid = process.pid;
  if (!(await store.staging.claimRun(runId, pid, pidAlive, STALE_MS)))
    throw new AppError(
      'EBUSY',
      `run ${runId} is being worked on by process ${run.ownerPid}; wait for it or stop it first`,
    );
  const ac = new AbortController();
  const onAbort = () => ac.abort(o.signal?.reason);
  if (o.signal?.aborted) ac.abort(o.signal.reason);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const beat = setInterval(() => void store.staging.heartbeat(runId, pid).catch(() => undefined), 5000);
  beat.unref();
  const manifest = run.manifest as RunManifest;
  const options = { ...(run.options as RunOptions & { workDir: string }) };
  if (o.targets && o.targets.length) options.targets = o.targets;
  const tracker = new RunTracker(
    store,
    runId,
    manifest.hosts.map((h) => h.id),
    o.onEvent ?? (() => undefined),
  );
  await tracker.load();
  // Steps left "running" by a process that died are started again (they are idempotent), and
  // failed steps get another attempt: a resume is how a technician retries after fixing the cause.
  for (const s of await store.staging.steps(runId)) {
    if (s.state === 'failed') {
      await store.staging.updateStep(runId, s.hostId, s.step, {
        state: 'pending',
        message: 'failed before; retried on resume',
      });
      await store.staging.updateHost(runId, s.hostId, { state: 'pending' });
      await store.staging.addTimeline({
        runId,
        hostId: s.hostId,
        step: s.step,
        kind: 'retry',
        message: `${s.step} failed before; trying again`,
      });
    }
    if (s.state === 'running') {
      await store.staging.updateStep(runId, s.hostId, s.step, {
        state: 'pending',
        message: 'interrupted; run again on resume',
      });
      await store.staging.addTimeline({
        runId,
        hostId: s.hostId,
        step: s.step,
        kind: 'recovered',
        message: `${s.step} was interrupted (process ended); it runs again`,
      });
    }
  }
  await tracker.load();
  const resumed = run.state !== 'queued';
  await store.staging.updateRun(runId, {
    state: 'running',
    startedAt: run.startedAt ?? new Date().toISOString(),
    finishedAt: undefined,
    error: undefined,
  });
  await store.jobs.update(runId, { state: 'running' }).catch(() => undefined);
  await store.staging.addTimeline({
    runId,
    kind: resumed ? 'resumed' : 'started',
    message: `${resumed ? 'resumed' : 'started'} by process ${pid}`,
  });
  o.onEvent?.(tracker.snapshot({ state: 'running', message: resumed ? 'resumed' : 'started' }));
  const ctx: RunContext = {
    store,
    services: o.services,
    runId,
    options,
    hosts: manifest.hosts,
    manifest,
    tracker,
    signal: ac.signal,
    userData: new Map(),
    pxeTimeoutSeconds: o.pxeTimeoutSeconds ?? 1800,
    beforeBatch: o.beforeBatch,
    async hostEvent(hostId, kind, message, data) {
      await store.hosts.addEvent(hostId, kind, message, { runId, ...(data as object) });
    },
    async step(h, s, fn) {
      if (tracker.isFinished(h.id, s)) return true;
      if (ac.signal.aborted) return false;
      await tracker.start(h.id, s);
      try {
        const r = await fn();
        await tracker.finish(h.id, s, r.result, r.message, r.skipped ? 'skipped' : 'done');
        return true;
      } catch (e) {
        await tracker.fail(h.id, s, e);
        if (!isCancelled(e)) o.log?.('warn', `${h.id}: ${s} failed: ${errorInfo(e).message}`);
        return false;
      }
    },
  };
  let final: RunState;
  try {
    fs.mkdirSync(path.join(options.workDir, 'user-data'), { recursive: true });
    await renderStage(ctx);
    await mediaStage(ctx);
    const registering = registerAndLabel(ctx);
    await Promise.all([deliverUsb(ctx, registering.push), deliverPxe(ctx, registering.push)]);
    registering.close();
    await registering.done;
    await labelSheet(ctx);
    final = ac.signal.aborted ? 'cancelled' : finalState(tracker);
  } catch (e) {
    final = isCancelled(e) || ac.signal.aborted ? 'cancelled' : 'failed';
    await store.staging.updateRun(runId, { error: errorInfo(e) });
    if (final === 'failed') o.log?.('error', `run ${runId} failed: ${errorInfo(e).message}`);
  } finally {
    clearInterval(beat);
    o.signal?.removeEventListener('abort', onAbort);
  }
  // Hosts that were mid-way when the run stopped wait for the next session.
  for (const h of await store.staging.hosts(runId))
    if (h.state === 'running') await store.staging.updateHost(runId, h.hostId, { state: 'pending' });
  await store.staging.updateRun(runId, { state: final, finishedAt: new Date().toISOString() });
  await store.jobs
    .update(runId, {
      state: final === 'done' ? 'done' : final === 'cancelled' ? 'cancelled' : 'failed',
      result: { state: final, ...tracker.hostCounts() },
    })
    .catch(() => undefined);
  await store.staging.addTimeline({
    runId,
    kind: 'finished',
    message: `run ${final}: ${tracker.hostCounts().done} of ${manifest.hosts.length} hosts done, ${tracker.hostCounts().failed} failed`,
  });
  await store.staging.releaseRun(runId, pid);
  o.onEvent?.(tracker.snapshot({ state: final, message: `run ${final}` }));
  return final;
}

function finalState(t: RunTracker): RunState {
  const { done, failed } = t.hostCounts();
  if (failed === 0 && done === t.hostIds.length) return 'done';
  if (done === 0 && failed > 0) return 'failed';
  return 'partial';
}

async function renderStage(ctx: RunContext): Promise<void> {
  for (const h of ctx.hosts) {
    if (ctx.signal.aborted) return;
    const file = path.join(ctx.options.workDir, 'user-data', `${h.id}.yaml`);
    if (ctx.tracker.isFinished(h.id, 'render')) {
      // Recover the text rendered in an earlier session (deterministic: re-render if the file is gone).
      const prior = (await ctx.store.staging.steps(ctx.runId, h.id)).find((s) => s.step === 'render')?.result
        .userDataSha256 as string | undefined;
      let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
      if (text === undefined || sha256(text) !== prior)
        text = ctx.services.render(ctx.manifest.profiles[h.profile], h);
      if (prior && sha256(text) !== prior)
        throw new AppError(
          'EINTERNAL',
          `${h.id}: user-data rendered again differs from the first session (${prior.slice(0, 12)})`,
        );
      ctx.userData.set(h.id, text);
      continue;
    }
    await ctx.step(h, 'render', async () => {
      const existing = await ctx.store.hosts.get(h.id);
      await ctx.store.hosts.upsert({
        id: h.id,
        serial: h.serial,
        mac: h.mac,
        site: h.site,
        profile: h.profile,
        values: { ...(existing?.values ?? {}), ...hostValuesFor(h).values },
      });
      const text = ctx.services.render(ctx.manifest.profiles[h.profile], h);
      fs.writeFileSync(file, text, { mode: 0o600 });
      ctx.userData.set(h.id, text);
      const userDataSha256 = sha256(text);
      await ctx.store.staging.updateHost(ctx.runId, h.id, { userDataSha256 });
      await ctx.hostEvent(
        h.id,
        'staging.render',
        `user-data rendered from profile ${h.profile} (sha256 ${userDataSha256.slice(0, 12)})`,
        { userDataSha256 },
      );
      return {
        result: { userDataSha256, bytes: Buffer.byteLength(text), path: file, profile: h.profile },
        message: `user-data ${userDataSha256.slice(0, 12)}`,
      };
    });
  }
}

/** The labels of every host that has one, on one sheet to print (labels/labels.pdf). */
async function labelSheet(ctx: RunContext): Promise<void> {
  const hosts = ctx.hosts.filter((h) => ctx.tracker.isFinished(h.id, 'label'));
  if (!hosts.length || !ctx.services.labelSheet || ctx.signal.aborted) return;
  const out = path.join(ctx.options.workDir, 'labels', 'labels.pdf');
  try {
    const r = await ctx.services.labelSheet({ hosts, out });
    await ctx.store.staging.addTimeline({
      runId: ctx.runId,
      kind: 'labels',
      message: `label sheet ${r.path} (${hosts.length} labels, sha256 ${r.sha256.slice(0, 12)})`,
      data: r,
    });
  } catch (e) {
    await ctx.store.staging.addTimeline({
      runId: ctx.runId,
      kind: 'labels-failed',
      message: `label sheet not written: ${errorInfo(e).message}`,
    });
  }
}
