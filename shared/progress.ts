// Typed progress for long work. Every long operation takes an AbortSignal and an onProgress callback.

export interface ProgressEvent {
  /** What is being done, e.g. 'remaster', 'flashing', 'verifying', 'download'. */
  phase: string;
  /** Optional item this progress is about (a drive path, a host ID). */
  item?: string;
  /** 0..100 when known. */
  percent?: number;
  bytesDone?: number;
  bytesTotal?: number;
  /** Bytes per second, smoothed. */
  speed?: number;
  /** Seconds left, when it can be estimated. */
  etaSeconds?: number;
  message?: string;
}

export type ProgressFn = (e: ProgressEvent) => void;

export interface LongWorkOptions {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

/** Speed and ETA from a stream of (time, bytes) samples, smoothed over a short window. */
export class SpeedMeter {
  private samples: Array<{ t: number; b: number }> = [];
  constructor(private readonly windowMs = 3000) {}
  sample(bytesDone: number, now: number): { speed: number } {
    this.samples.push({ t: now, b: bytesDone });
    while (this.samples.length > 2 && now - this.samples[0].t > this.windowMs) this.samples.shift();
    const first = this.samples[0];
    const dt = (now - first.t) / 1000;
    return { speed: dt > 0 ? (bytesDone - first.b) / dt : 0 };
  }
  static eta(bytesDone: number, bytesTotal: number | undefined, speed: number): number | undefined {
    if (!bytesTotal || speed <= 0) return undefined;
    return Math.max(0, (bytesTotal - bytesDone) / speed);
  }
}
