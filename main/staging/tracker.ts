// Durable step states of one run, mirrored in memory: every change goes to the store first, then
// to the progress stream (overall and per host, with an ETA from this session's pace).
import { describeError, isAppError, isCancelled, type ErrorData } from '../../shared/errors';
import type { ErrorInfo, StagingProgress, StepName, StepState } from '../../shared/contract/staging';
import { toErrorData } from '../api/dispatch';
import type { Store } from '../store';

export function errorInfo(e: unknown): ErrorInfo {
  const data: ErrorData = isAppError(e) ? e.toData() : toErrorData(e);
  const d = describeError(data);
  return { code: data.code, message: data.message, title: d.title, hint: d.hint };
}

export class RunTracker {
  private readonly states = new Map<string, StepState>();
  private readonly hostFailed = new Set<string>();
  private readonly t0 = Date.now();
  private doneAtStart = 0;
  constructor(
    private readonly store: Store,
    readonly runId: string,
    readonly hostIds: string[],
    private readonly onEvent: (e: StagingProgress) => void,
  ) {}

  private key(h: string, s: StepName) {
    return `${h}\0${s}`;
  }

  async load(): Promise<void> {
    this.states.clear();
    this.hostFailed.clear();
    for (const r of await this.store.staging.steps(this.runId))
      this.states.set(this.key(r.hostId, r.step as StepName), r.state as StepState);
    for (const r of await this.store.staging.hosts(this.runId))
      if (r.state === 'failed') this.hostFailed.add(r.hostId);
    this.doneAtStart = this.count((s) => s === 'done' || s === 'skipped');
  }

  state(h: string, s: StepName): StepState {
    return this.states.get(this.key(h, s)) ?? 'pending';
  }
  isFinished(h: string, s: StepName): boolean {
    const st = this.state(h, s);
    return st === 'done' || st === 'skipped';
  }
  private count(pred: (s: StepState) => boolean): number {
    let n = 0;
    for (const s of this.states.values()) if (pred(s)) n++;
    return n;
  }

  async start(h: string, s: StepName, message?: string): Promise<void> {
    const cur = await this.store.staging.steps(this.runId, h);
    const attempts = (cur.find((c) => c.step === s)?.attempts ?? 0) + 1;
    await this.store.staging.updateStep(this.runId, h, s, {
      state: 'running',
      attempts,
      startedAt: new Date().toISOString(),
      finishedAt: undefined,
      error: undefined,
      message,
    });
    if (this.hostFailed.delete(h)) await this.store.staging.updateHost(this.runId, h, { state: 'running' });
    else if (s === 'render' || attempts === 1)
      await this.store.staging.updateHost(this.runId, h, { state: 'running' });
    this.states.set(this.key(h, s), 'running');
    this.emit({ hostId: h, step: s, state: 'running', message });
  }

  async finish(
    h: string,
    s: StepName,
    result: Record<string, unknown>,
    message: string,
    state: 'done' | 'skipped' = 'done',
  ): Promise<void> {
    await this.store.staging.updateStep(this.runId, h, s, {
      state,
      finishedAt: new Date().toISOString(),
      result,
      message,
      error: undefined,
    });
    await this.store.staging.addTimeline({
      runId: this.runId,
      hostId: h,
      step: s,
      kind: state,
      message,
      data: result,
    });
    this.states.set(this.key(h, s), state);
    await this.refreshHost(h);
    this.emit({ hostId: h, step: s, state, message });
  }

  /** A step failed (or was cancelled: then it goes back to pending and can be resumed). */
  async fail(h: string, s: StepName, e: unknown): Promise<void> {
    if (isCancelled(e)) {
      await this.store.staging.updateStep(this.runId, h, s, {
        state: 'pending',
        message: 'cancelled; resume to continue',
      });
      this.states.set(this.key(h, s), 'pending');
      this.emit({ hostId: h, step: s, state: 'pending', message: 'cancelled' });
      return;
    }
    const error = errorInfo(e);
    await this.store.staging.updateStep(this.runId, h, s, {
      state: 'failed',
      finishedAt: new Date().toISOString(),
      error,
      message: error.message,
    });
    await this.store.staging.addTimeline({
      runId: this.runId,
      hostId: h,
      step: s,
      kind: 'failed',
      message: `${error.code}: ${error.message}`,
      data: error,
    });
    this.states.set(this.key(h, s), 'failed');
    this.hostFailed.add(h);
    await this.store.staging.updateHost(this.runId, h, { state: 'failed' });
    this.emit({ hostId: h, step: s, state: 'failed', message: `${error.code}: ${error.message}` });
  }

  hostHasFailed(h: string): boolean {
    return this.hostFailed.has(h);
  }

  private async refreshHost(h: string): Promise<void> {
    const all = [...this.states.entries()].filter(([k]) => k.startsWith(h + '\0')).map(([, v]) => v);
    if (all.every((v) => v === 'done' || v === 'skipped'))
      await this.store.staging.updateHost(this.runId, h, { state: 'done' });
  }

  hostCounts(): { done: number; failed: number } {
    let done = 0;
    for (const h of this.hostIds) {
      let all = true;
      for (const s of ['render', 'media', 'deliver', 'register', 'label'] as StepName[])
        if (!this.isFinished(h, s)) all = false;
      if (all) done++;
    }
    return { done, failed: this.hostFailed.size };
  }

  emit(e: Partial<StagingProgress>): void {
    this.onEvent(this.snapshot(e));
  }

  /** The overall progress now, merged with `e`. */
  snapshot(e: Partial<StagingProgress> = {}): StagingProgress {
    const total = this.states.size;
    const finished = this.count((s) => s === 'done' || s === 'skipped');
    const failedSteps = this.count((s) => s === 'failed');
    const elapsed = (Date.now() - this.t0) / 1000;
    const sessionDone = finished - this.doneAtStart;
    const remaining = total - finished - failedSteps;
    const etaSeconds =
      sessionDone > 0 && remaining > 0
        ? (elapsed / sessionDone) * remaining
        : remaining === 0
          ? 0
          : undefined;
    const hc = this.hostCounts();
    return {
      runId: this.runId,
      stepsDone: finished,
      stepsTotal: total,
      hostsDone: hc.done,
      hostsFailed: hc.failed,
      hostsTotal: this.hostIds.length,
      percent: total ? Math.round(((finished + failedSteps) / total) * 1000) / 10 : 100,
      etaSeconds: etaSeconds === undefined ? undefined : Math.round(etaSeconds),
      elapsedSeconds: Math.round(elapsed * 10) / 10,
      ...e,
    };
  }
}
