// One pass from the image to many targets with etcher-sdk's multi-write (decompressThenFlash),
// read-back verification on by default. Block devices are written with direct I/O
// (sourceDestination.BlockDevice on a Drive object built from sysfs, so loop devices work too);
// regular files with sourceDestination.File. Each target's streams are instrumented for its own
// progress and failure; one failing target never stops the others; cancel tears every stream down.
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { sourceDestination } from 'etcher-sdk';
import { etcher } from './etcher';
import { AppError, CancelledError } from '../../shared/errors';
import type { FlashPhase } from '../../shared/contract/flash';
import { sha256InWorker } from './image-hash';
import { classifyFailure } from './failure';
import { sysDirOf, type DevId } from './sysblock';

type Dest = InstanceType<typeof sourceDestination.File>;
type Stream = Readable & { destroy(e?: Error): void };

export interface WriteTarget {
  path: string;
  kind: 'block' | 'file';
  description: string;
  size: number | null;
  id?: DevId;
  readOnly?: boolean;
}

export interface TargetProgress {
  target: string;
  phase: FlashPhase;
  percent?: number;
  bytesDone: number;
  bytesTotal?: number;
  speed?: number;
  etaSeconds?: number;
}

export interface WriteOutcome {
  target: string;
  ok: boolean;
  error?: AppError;
  bytesWritten: number;
  /** Average write speed in bytes/s over the flashing phase. */
  speed: number;
  verify: 'passed' | 'failed' | 'skipped' | 'not-reached';
  startedAt: string;
  endedAt: string;
}

export interface WriteOptions {
  image: string;
  /** Decompressed image size when known (for percentages). */
  imageSize?: number;
  /** An estimate of the size when the format only guesses it (gzip). */
  imageSizeEstimate?: number;
  targets: WriteTarget[];
  verify: boolean;
  signal?: AbortSignal;
  onProgress?: (p: TargetProgress) => void;
  /** Buffers in flight (etcher-sdk numBuffers). */
  numBuffers?: number;
  /** Bytes per read of the image (etcher-sdk reads 1 MiB; larger chunks mean fewer syscalls per target). */
  chunkSize?: number;
}

function blockSizes(id: DevId | undefined): { logical: number; physical: number } {
  const dir = id ? sysDirOf(id) : undefined;
  const read = (f: string) => {
    try {
      return Number(fs.readFileSync(`${dir}/queue/${f}`, 'utf8').trim()) || 512;
    } catch {
      return 512;
    }
  };
  return dir
    ? { logical: read('logical_block_size'), physical: read('physical_block_size') }
    : { logical: 512, physical: 512 };
}

/** A drivelist-shaped Drive for any block device (drivelist hides loop devices). */
export function driveObject(t: WriteTarget) {
  const bs = blockSizes(t.id);
  return {
    device: t.path,
    raw: t.path,
    devicePath: null,
    description: t.description,
    displayName: t.path,
    size: t.size,
    blockSize: Math.max(bs.logical, bs.physical, 512),
    logicalBlockSize: bs.logical,
    mountpoints: [],
    isReadOnly: Boolean(t.readOnly),
    isSystem: false,
    isVirtual: false,
    isRemovable: true,
    isCard: null,
    isSCSI: null,
    isUSB: null,
    isUAS: null,
    busType: 'UNKNOWN' as const,
    busVersion: null,
    enumerator: 'edgebench',
    error: null,
    partitionTableType: null,
  };
}

interface State {
  t: WriteTarget;
  dest: Dest;
  phase: FlashPhase;
  bytes: number;
  /** Bytes written by the write stream (not the read-back position). */
  written: number;
  /** The target's write stream, for its live position when it fails. */
  ws?: { bytesWritten?: number; position?: number };
  error?: AppError;
  verifyFailed: boolean;
  writeStart?: number;
  writeEnd?: number;
  startedAt: string;
  speed: number;
}

const DEFAULT_CHUNK = 4 * 1024 * 1024;

/** Reading the image failed part-way: truncated, corrupt, or an I/O error on its disk. */
export function imageError(e: unknown, image: string, target: string): AppError {
  const err = e as NodeJS.ErrnoException;
  const msg = err instanceof Error ? err.message : String(e);
  const at = `${target}: not written completely: reading the image ${image} failed`;
  if (err?.code === 'EIO')
    return new AppError('EIO', `${at}: input/output error on the image's disk`, { target });
  if (/unexpected end|truncat|premature/i.test(msg))
    return new AppError('ETRUNCATED', `${at}: the image file ends early (${msg})`, { target });
  return new AppError('EINVALID', `${at}: the image is corrupt (${msg})`, { target });
}

/** File.createReadStream with a chosen chunk size (etcher-sdk fixes it at 1 MiB). */
function chunkedReader(root: Dest, chunkSize: number, minBuffers = 2): Dest['createReadStream'] {
  const brs = require('etcher-sdk/build/block-read-stream') as {
    BlockReadStream: new (o: object) => unknown;
    ProgressBlockReadStream: new (o: object) => unknown;
  };
  return async ({ emitProgress = false, start = 0, end, alignment, numBuffers } = {}) => {
    await root.open();
    const { size } = await root.getMetadata();
    if (size) end = end === undefined ? size - 1 : Math.min(end, size - 1);
    const Cls = emitProgress ? brs.ProgressBlockReadStream : brs.BlockReadStream;
    return new Cls({
      source: root,
      alignment,
      start,
      end,
      numBuffers: Math.max(numBuffers ?? 2, minBuffers),
      chunkSize,
    }) as never;
  };
}

/** A stream torn down by us may still emit late errors (reads in flight): swallow them. */
function quiet(s: Stream): Stream {
  if (!s.listenerCount('error') || !s.listeners('error').includes(ignore)) s.on('error', ignore);
  return s;
}
const ignore = () => undefined;

export async function writeImage(o: WriteOptions): Promise<{ outcomes: WriteOutcome[]; sha256: string }> {
  if (o.signal?.aborted) throw new CancelledError();
  const startedAt = new Date().toISOString();
  const streams = new Set<Stream>();
  const states = new Map<Dest, State>();
  let aggregatePercent: number | undefined;

  // The image; its SHA-256 is computed in a worker thread while the drives are written.
  const { multiWrite, sourceDestination: sd } = etcher();
  const root = new sd.File({ path: o.image });
  const rootReader = chunkedReader(root, o.chunkSize ?? DEFAULT_CHUNK);
  root.createReadStream = async (opts) => {
    const s = await rootReader(opts);
    streams.add(s as unknown as Stream);
    return s;
  };
  const hashAc = new AbortController();
  const hashing = sha256InWorker(o.image, hashAc.signal);
  hashing.catch(() => undefined);

  const emit = (st: State) => {
    const total = o.imageSize;
    const percent =
      st.phase === 'done'
        ? 100
        : total
          ? Math.min(100, (st.bytes / total) * 100)
          : st.phase === 'flashing'
            ? aggregatePercent
            : undefined;
    o.onProgress?.({
      target: st.t.path,
      phase: st.phase,
      percent,
      bytesDone: st.bytes,
      bytesTotal: total,
      speed: st.speed,
      etaSeconds: total && st.speed > 0 ? Math.max(0, (total - st.bytes) / st.speed) : undefined,
    });
  };

  for (const t of o.targets) {
    const dest: Dest =
      t.kind === 'block'
        ? new sd.BlockDevice({ drive: driveObject(t) as never, write: true, direct: true })
        : new sd.File({ path: t.path, write: true });
    const st: State = {
      t,
      dest,
      phase: 'flashing',
      bytes: 0,
      written: 0,
      verifyFailed: false,
      startedAt,
      speed: 0,
    };
    states.set(dest, st);
    instrument(dest, st);
  }

  function instrument(dest: Dest, st: State) {
    const cws = dest.createWriteStream.bind(dest);
    dest.createWriteStream = async (opts) => {
      const s = await cws(opts);
      streams.add(s as unknown as Stream);
      st.ws = s as unknown as State['ws'];
      st.writeStart = Date.now();
      s.on('progress', (p: { bytes: number; speed: number; position: number }) => {
        st.bytes = st.written = p.position ?? p.bytes;
        st.speed = p.speed;
        emit(st);
      });
      s.on('finish', () => {
        st.writeEnd = Date.now();
        const w = s as unknown as { bytesWritten?: number; position?: number };
        st.written = Math.max(st.written, w.position ?? w.bytesWritten ?? 0);
      });
      return s;
    };
    // The read-back: 4 MiB reads with 4 buffers in flight (etcher-sdk: 1 MiB, 2 buffers).
    const crs = chunkedReader(dest, o.chunkSize ?? DEFAULT_CHUNK, 4);
    dest.createReadStream = async (opts) => {
      const s = await crs(opts);
      streams.add(s as unknown as Stream);
      return s;
    };
    const cv = dest.createVerifier.bind(dest);
    dest.createVerifier = (...args: Parameters<typeof cv>) => {
      const v = cv(...args);
      st.phase = 'verifying';
      st.bytes = 0;
      emit(st);
      v.on('progress', (p: { position: number; speed: number }) => {
        st.bytes = p.position;
        st.speed = p.speed;
        emit(st);
      });
      return v;
    };
  }

  const onFail = (dest: unknown, err: Error) => {
    const st = states.get(dest as Dest);
    if (!st || st.error) return;
    if (o.signal?.aborted) {
      st.error = new CancelledError(`${st.t.path}: cancelled; the drive holds a partial image`);
    } else {
      st.error = classifyFailure(err, {
        target: st.t.path,
        kind: st.t.kind,
        id: st.t.id,
        size: st.t.size,
        phase: st.writeStart === undefined ? 'opening' : st.phase === 'verifying' ? 'verifying' : 'flashing',
        bytesWritten: Math.max(st.written, st.ws?.position ?? 0, st.ws?.bytesWritten ?? 0),
        imageSize: o.imageSize ?? o.imageSizeEstimate,
      });
      if (st.error.code === 'EVALIDATION') st.verifyFailed = true;
    }
    st.writeEnd ??= Date.now();
    st.phase = 'failed';
    emit(st);
  };

  let abortReject: (e: Error) => void = () => undefined;
  const aborted = new Promise<never>((_r, reject) => (abortReject = reject));
  aborted.catch(() => undefined);
  const onAbort = () => {
    for (const st of states.values())
      if (!st.error && st.phase !== 'done') onFail(st.dest, new CancelledError());
    const err = new CancelledError();
    for (const s of streams) quiet(s).destroy(err);
    abortReject(err);
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });

  let rejected: unknown;
  const run = (async () => {
    await root.open();
    return multiWrite.decompressThenFlash({
      source: root,
      destinations: [...states.keys()],
      onFail,
      onProgress: (p) => {
        aggregatePercent = p.percentage;
      },
      verify: o.verify,
      numBuffers: o.numBuffers ?? 16,
    });
  })();
  try {
    await Promise.race([run, aborted]);
  } catch (e) {
    rejected = e;
    // The pipeline broke as a whole (the image could not be read, or cancel): every unfinished
    // target fails with the image's problem, not a drive code.
    for (const st of states.values())
      if (!st.error) {
        if (o.signal?.aborted) onFail(st.dest, e as Error);
        else {
          st.error = imageError(e, o.image, st.t.path);
          st.writeEnd ??= Date.now();
          st.phase = 'failed';
          emit(st);
        }
      }
    // Let the pipeline settle before closing what it holds.
    await Promise.race([run.catch(() => undefined), new Promise((r) => setTimeout(r, 3000).unref())]);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    for (const s of streams) if (!s.destroyed && rejected) quiet(s).destroy();
    await Promise.allSettled([...states.keys()].map((d) => d.close()));
    await root.close().catch(() => undefined);
  }
  if (o.signal?.aborted) {
    hashAc.abort();
    return { outcomes: outcomesOf(), sha256: '' };
  }
  function outcomesOf(): WriteOutcome[] {
    const endedAt = new Date().toISOString();
    return [...states.values()].map((st) => {
      st.written = Math.max(st.written, st.ws?.position ?? 0, st.ws?.bytesWritten ?? 0);
      const secs =
        st.writeStart !== undefined && st.writeEnd !== undefined ? (st.writeEnd - st.writeStart) / 1000 : 0;
      return {
        target: st.t.path,
        ok: !st.error,
        error: st.error,
        bytesWritten: st.written,
        speed: secs > 0 ? Math.round(st.written / secs) : 0,
        verify: !o.verify ? 'skipped' : st.verifyFailed ? 'failed' : st.error ? 'not-reached' : 'passed',
        startedAt: st.startedAt,
        endedAt,
      };
    });
  }

  for (const st of states.values())
    if (!st.error) {
      st.phase = 'done';
      emit(st);
    }
  const sha256 = await hashing;
  return { outcomes: outcomesOf(), sha256 };
}
