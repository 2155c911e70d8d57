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
  /** Counters kept in step with `states`, so progress costs O(1) per event even for 500 hosts. */
  private finished = 0;
  private failedSteps = 0;
  private readonly finishedPerHost = new Map<string, number>();
  private hostsAllDone = 0;
  private static readonly STEP_COUNT = 5;
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
    this.finished = 0;
    this.failedSteps = 0;
    this.finishedPerHost.clear();
    this.hostsAllDone = 0;
    for (const r of await this.store.staging.steps(this.runId))
      this.set(r.hostId, r.step as StepName, r.state as StepState);
    for (const r of await this.store.staging.hosts(this.runId))
      if (r.state === 'failed') this.hostFailed.add(r.hostId);
    this.doneAtStart = this.finished;
  }

  private set(h: string, s: StepName, next: StepState): void {
    const k = this.key(h, s);
    const prev = this.states.get(k);
    const fin = (x?: StepState) => x === 'done' || x === 'skipped';
    if (fin(prev) !== fin(next)) {
      const before = this.finishedPerHost.get(h) ?? 0;
      const after = before + (fin(next) ? 1 : -1);
      this.finishedPerHost.set(h, after);
      this.finished += fin(next) ? 1 : -1;
      if (before === RunTracker.STEP_COUNT) this.hostsAllDone--;
      if (after === RunTracker.STEP_COUNT) this.hostsAllDone++;
    }
    if ((prev === 'failed') !== (next === 'failed')) this.failedSteps += next === 'failed' ? 1 : -1;
    this.states.set(k, next);
  }

  state(h: string, s: StepName): StepState {
    return this.states.get(this.key(h, s)) ?? 'pending';
  }
  isFinished(h: string, s: StepName): boolean {
    const st = this.state(h, s);
    return st === 'done' || st === 'skipped';
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
    this.set(h, s, 'running');
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
    this.set(h, s, state);
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
      this.set(h, s, 'pending');
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
    this.set(h, s, 'failed');
    this.hostFailed.add(h);
    await this.store.staging.updateHost(this.runId, h, { state: 'failed' });
    this.emit({ hostId: h, step: s, state: 'failed', message: `${error.code}: ${error.message}` });
  }

  hostHasFailed(h: string): boolean {
    return this.hostFailed.has(h);
  }

  private async refreshHost(h: string): Promise<void> {
    if ((this.finishedPerHost.get(h) ?? 0) === RunTracker.STEP_COUNT)
      await this.store.staging.updateHost(this.runId, h, { state: 'done' });
  }

  hostCounts(): { done: number; failed: number } {
    return { done: this.hostsAllDone, failed: this.hostFailed.size };
  }

  emit(e: Partial<StagingProgress>): void {
    this.onEvent(this.snapshot(e));
  }

  /** The overall progress now, merged with `e`. */
  snapshot(e: Partial<StagingProgress> = {}): StagingProgress {
    const total = this.states.size;
    const finished = this.finished;
    const failedSteps = this.failedSteps;
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
