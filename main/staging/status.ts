// A run as the contract shows it: summary with counts, every host with its steps, the media.
import {
  STEPS,
  type RunDetail,
  type RunOptions,
  type RunState,
  type RunSummary,
  type StepRecord,
} from '../../shared/contract/staging';
import { AppError } from '../../shared/errors';
import type { Store } from '../store';
import type { StagingRunRow } from '../store/staging-repo';
import { pidAlive } from '../core/process';

/** A run stored as "running" whose process is gone was interrupted (crash, kill -9, power). */
export function effectiveState(r: StagingRunRow): RunState {
  if (r.state === 'running' && (!r.ownerPid || (r.ownerPid !== process.pid && !pidAlive(r.ownerPid))))
    return 'interrupted';
  return r.state as RunState;
}

export async function runSummary(store: Store, r: StagingRunRow): Promise<RunSummary> {
  const hosts = await store.staging.hosts(r.id);
  const counts = { total: hosts.length, done: 0, failed: 0, running: 0, pending: 0 };
  for (const h of hosts) {
    if (h.state === 'done') counts.done++;
    else if (h.state === 'failed') counts.failed++;
    else if (h.state === 'running') counts.running++;
    else counts.pending++;
  }
  const err = r.error as RunSummary['error'] | undefined;
  return {
    id: r.id,
    state: effectiveState(r),
    fileName: r.fileName,
    manifestSha256: r.manifestSha256,
    options: r.options as RunOptions,
    counts,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    ...(err ? { error: err } : {}),
  };
}

export async function runDetail(store: Store, runId: string): Promise<RunDetail> {
  const r = await store.staging.getRun(runId);
  if (!r) throw new AppError('ENOTFOUND', `no staging run ${runId}; see edgebench stage list`);
  const summary = await runSummary(store, r);
  const hosts = await store.staging.hosts(runId);
  const steps = await store.staging.steps(runId);
  const byHost = new Map<string, StepRecord[]>();
  for (const s of steps) {
    const rec: StepRecord = {
      step: s.step as StepRecord['step'],
      state: s.state as StepRecord['state'],
      attempts: s.attempts,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
      message: s.message,
      result: s.result ?? {},
      ...(s.error ? { error: s.error as StepRecord['error'] } : {}),
    };
    byHost.set(s.hostId, [...(byHost.get(s.hostId) ?? []), rec]);
  }
  const order = (s: StepRecord) => STEPS.indexOf(s.step);
  return {
    ...summary,
    hosts: hosts.map((h) => ({
      hostId: h.hostId,
      index: h.index,
      delivery: h.delivery as 'usb' | 'pxe',
      site: h.site,
      profile: h.profile,
      mac: h.mac,
      serial: h.serial,
      state: h.state as 'pending' | 'running' | 'done' | 'failed',
      userDataSha256: h.userDataSha256,
      mediaSha256: h.mediaSha256,
      steps: (byHost.get(h.hostId) ?? []).sort((a, b) => order(a) - order(b)),
    })),
    media: (await store.staging.media(runId)).map((m) => ({
      key: m.key,
      kind: m.kind,
      path: m.path,
      sha256: m.sha256,
      size: m.size,
      hosts: m.hosts,
    })),
  };
}
