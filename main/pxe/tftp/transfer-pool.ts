// A small pool of transfer threads (worker_threads running TRANSFER_THREAD_SOURCE). One Node
// thread tops out at the kernel's cost of sending lock-step DATA packets; with the transfers
// spread over threads (the server thread takes its share), 50 PXE clients use every core, as
// in.tftpd's process per transfer does.
// Idle threads do not keep the process alive; a thread that dies fails only its own transfers.
import { Worker } from 'node:worker_threads';
import { TRANSFER_THREAD_SOURCE } from './worker-source';

export interface PooledTransfer {
  address: string;
  port: number;
  bindAddress: string;
  /** The whole file; a view of a SharedArrayBuffer is shared with the thread, not copied. */
  data: Uint8Array;
  blksize: number;
  windowsize: number;
  timeoutMs: number;
  retries: number;
  oack?: Buffer;
}

export interface PooledEnd {
  ok: boolean;
  error?: string;
  queryOnly: boolean;
  bytesAcked: number;
}

interface Thread {
  worker: Worker;
  alive: boolean;
  ends: Map<number, (e: PooledEnd) => void>;
  stopped?: () => void;
}

export class TransferPool {
  private readonly threads: Thread[] = [];
  private nextId = 1;

  constructor(
    count: number,
    private readonly log: (m: string) => void,
  ) {
    for (let i = 0; i < count; i++) this.threads.push(this.spawn());
  }

  get size(): number {
    return this.threads.filter((t) => t.alive).length;
  }

  private spawn(): Thread {
    const worker = new Worker(TRANSFER_THREAD_SOURCE, { eval: true });
    const t: Thread = { worker, alive: true, ends: new Map() };
    worker.unref();
    worker.on('message', (m: { type: string; id: number } & PooledEnd) => {
      if (m.type === 'stopped') t.stopped?.();
      if (m.type !== 'end') return;
      const cb = t.ends.get(m.id);
      t.ends.delete(m.id);
      if (!t.ends.size) worker.unref();
      cb?.({ ok: m.ok, error: m.error, queryOnly: m.queryOnly, bytesAcked: m.bytesAcked });
    });
    const fail = (why: string) => {
      if (!t.alive) return;
      t.alive = false;
      this.log(`TFTP transfer thread stopped: ${why}`);
      for (const cb of t.ends.values())
        cb({ ok: false, error: `transfer thread failed: ${why}`, queryOnly: false, bytesAcked: 0 });
      t.ends.clear();
      t.stopped?.();
    };
    worker.on('error', (e) => fail(e.message));
    worker.on('exit', (code) => fail(`exit code ${code}`));
    return t;
  }

  /**
   * Runs a transfer on the least busy thread, unless the calling thread (running `localLoad`
   * transfers) is no busier: a lone transfer stays there. `onEnd` is called once when it ends.
   * Returns the function that aborts it (sends the client an ERROR), or undefined when the
   * caller should run it itself.
   */
  run(
    job: PooledTransfer,
    localLoad: number,
    onEnd: (e: PooledEnd) => void,
  ): ((reason: string) => void) | undefined {
    let best: Thread | undefined;
    for (const t of this.threads) if (t.alive && (!best || t.ends.size < best.ends.size)) best = t;
    if (!best || localLoad <= best.ends.size) return undefined;
    const t = best;
    const id = this.nextId++;
    t.ends.set(id, onEnd);
    if (t.ends.size === 1) t.worker.ref(); // a running transfer keeps the process alive
    t.worker.postMessage({
      type: 'start',
      id,
      ...job,
      oack: job.oack ? new Uint8Array(job.oack) : undefined,
    });
    return (reason) => {
      if (t.alive && t.ends.has(id)) t.worker.postMessage({ type: 'abort', id, reason });
    };
  }

  /** Aborts every transfer (clients get an ERROR), waits for their ends, then ends the threads. */
  async stop(reason: string): Promise<void> {
    await Promise.all(
      this.threads.map(async (t) => {
        if (t.alive) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 2000);
            t.stopped = () => {
              clearTimeout(timer);
              resolve();
            };
            t.worker.postMessage({ type: 'stop', reason });
          });
        }
        t.alive = false;
        await t.worker.terminate();
      }),
    );
  }
}
