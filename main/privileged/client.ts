// Talks to the privileged helper: starts it (elevated, or plain in tests), sends token-bearing
// requests on its stdin, reads progress and results from its stdout. One helper per operation:
// it is told to exit (stdin closed) when the operation ends or is cancelled, and is killed if it
// lingers and we are allowed to.
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { AppError, isErrorCode } from '../../shared/errors';
import type { ProgressEvent } from '../../shared/progress';
import type { DriveInfo } from '../../shared/contract/flash';
import type { FlashJobResult } from '../flash/engine';
import { defaultAllowDirs, launchPlan } from './elevation';
import { newToken, PROTOCOL_VERSION, tokenHash, type HelperMessage } from './protocol';

export interface HelperOptions {
  allowDirs?: string[];
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the helper to start (the password prompt counts). */
  startTimeoutMs?: number;
}

type Pending = {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onProgress?: (e: ProgressEvent) => void;
};

export class HelperClient {
  private readonly token = newToken();
  private child?: ChildProcess;
  private seq = 0;
  private readonly pending = new Map<string, Pending>();
  private stderr = '';
  private exited?: { code: number | null; signal: NodeJS.Signals | null };
  private exitWaiters: Array<() => void> = [];
  pid?: number;
  elevated = false;

  constructor(private readonly opts: HelperOptions = {}) {}

  async start(): Promise<void> {
    const plan = launchPlan(
      [
        '--token-sha256',
        tokenHash(this.token),
        '--parent-pid',
        String(process.pid),
        ...(this.opts.allowDirs ?? defaultAllowDirs()).flatMap((d) => ['--allow-dir', d]),
      ],
      this.opts.env,
    );
    this.elevated = plan.elevated;
    const child = spawn(plan.command, plan.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...plan.env },
    });
    this.child = child;
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-4000);
    });
    child.stdin!.on('error', () => undefined);
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new AppError(
              'EHELPER',
              `the privileged helper did not start within ${(this.opts.startTimeoutMs ?? 120_000) / 1000} s`,
            ),
          ),
        this.opts.startTimeoutMs ?? 120_000,
      );
      timer.unref();
      const rl = readline.createInterface({ input: child.stdout! });
      rl.on('line', (line) => {
        let m: HelperMessage;
        try {
          m = JSON.parse(line) as HelperMessage;
        } catch {
          return;
        }
        if (m.t === 'ready') {
          clearTimeout(timer);
          this.pid = m.pid;
          resolve();
        } else this.onMessage(m);
      });
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new AppError('EHELPER', `cannot start the privileged helper (${plan.command}): ${e.message}`));
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        this.exited = { code, signal };
        const why =
          code === 126 || code === 127
            ? 'authorization was refused or cancelled'
            : `it exited with ${signal ?? code}${this.stderr.trim() ? `: ${this.stderr.trim().split('\n').pop()}` : ''}`;
        const err = new AppError('EHELPER', `the privileged helper stopped: ${why}`);
        reject(err);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        this.exitWaiters.splice(0).forEach((f) => f());
      });
    });
    await ready;
  }

  private onMessage(m: HelperMessage): void {
    if (m.t === 'progress') {
      this.pending.get(m.id)?.onProgress?.(m.event as unknown as ProgressEvent);
      return;
    }
    if (m.t !== 'result') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else
      p.reject(
        new AppError(isErrorCode(m.error.code) ? m.error.code : 'EHELPER', m.error.message, m.error.details),
      );
  }

  /** Send one raw line (tests use this to send malformed requests). */
  sendRaw(line: string): void {
    this.child?.stdin?.write(line + '\n');
  }

  request<T>(
    op: string,
    args: unknown,
    onProgress?: (e: ProgressEvent) => void,
  ): { id: string; result: Promise<T> } {
    if (!this.child || this.exited) throw new AppError('EHELPER', 'the privileged helper is not running');
    const id = `r${++this.seq}`;
    const result = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
    });
    this.sendRaw(
      JSON.stringify({
        v: PROTOCOL_VERSION,
        id,
        token: this.token,
        op,
        ...(args === undefined ? {} : { args }),
      }),
    );
    return { id, result };
  }

  async listDrives(all = false): Promise<DriveInfo[]> {
    return (await this.request<{ drives: DriveInfo[] }>('listDrives', { all }).result).drives;
  }

  async flash(
    args: {
      images: string[];
      targets: string[];
      options: { verify: boolean; allowSystemDrive?: string; ackLarge?: string[] };
    },
    opts: { signal?: AbortSignal; onProgress?: (e: ProgressEvent) => void } = {},
  ): Promise<FlashJobResult[]> {
    const { id, result } = this.request<{ jobs: FlashJobResult[] }>('flash', args, opts.onProgress);
    const onAbort = () => {
      if (!this.exited) this.request('cancel', { id }).result.catch(() => undefined);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return (await result).jobs;
    } catch (e) {
      if (opts.signal?.aborted)
        throw new AppError('ECANCELLED', 'flashing was cancelled', { cause: String(e) });
      throw e;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Tell the helper to exit (stdin EOF) and wait; kill it if it lingers and we may. */
  async close(timeoutMs = 15_000): Promise<void> {
    if (!this.child || this.exited) return;
    const gone = new Promise<void>((r) => this.exitWaiters.push(r));
    this.child.stdin?.end();
    const t = setTimeout(() => {
      try {
        this.child?.kill('SIGKILL');
      } catch {
        // elevated: not ours to kill; it exits on its own when it notices we are gone
      }
    }, timeoutMs);
    await gone;
    clearTimeout(t);
  }

  get exitStatus() {
    return this.exited;
  }
}
