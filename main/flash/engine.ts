// The privileged part of a flash: check the image, resolve and judge the targets again, unmount,
// write and verify. Runs in-process when we are root, otherwise inside the privileged helper.
// It never touches the store: the caller records the results.
import fs from 'node:fs';
import path from 'node:path';
import { sha256File } from '../core/hash';
import { AppError, CancelledError, isAppError } from '../../shared/errors';
import type { FlashTargetResult } from '../../shared/contract/flash';
import type { ProgressEvent } from '../../shared/progress';
import { judgeTargets, type GuardOptions } from './guards';
import { inspectImage } from './image';
import { resolveTarget, type ResolvedTarget } from './target-facts';
import { unmountDrive } from './unmount';
import { writeImage } from './writer';
import { drivelistSystemIds } from './drives';
import { systemDisks } from './sysblock';

export interface FlashJob {
  image: string;
  targets: string[];
  verify: boolean;
  allowSystemDrive?: string;
  ackLarge?: string[] | boolean;
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
}

export interface FlashJobResult {
  image: string;
  imageSize?: number;
  sha256: string;
  results: FlashTargetResult[];
}

function failed(t: ResolvedTarget | { path: string }, e: AppError, extra: Partial<FlashTargetResult> = {}) {
  const r = t as Partial<ResolvedTarget>;
  const now = new Date().toISOString();
  return {
    target: t.path,
    ok: false,
    code: e.code,
    message: e.message,
    bytesWritten: 0,
    speed: 0,
    verified: false,
    sha256: '',
    description: r.description,
    size: r.size ?? null,
    serial: r.serial,
    startedAt: now,
    endedAt: now,
    ...extra,
  } satisfies FlashTargetResult;
}

/** Resolve and judge every target; throws when the selection itself is wrong. */
export async function planTargets(
  job: Pick<FlashJob, 'image' | 'targets' | 'allowSystemDrive' | 'ackLarge'>,
) {
  const info = await inspectImage(job.image);
  const system = systemDisks();
  const dl = await drivelistSystemIds();
  const resolved: Array<ResolvedTarget | { path: string; error: AppError }> = job.targets.map((t) => {
    try {
      return resolveTarget(t, { image: info.path, system, drivelistSystem: dl });
    } catch (e) {
      if (isAppError(e)) return { path: t, error: e };
      throw e;
    }
  });
  const guardOpts: GuardOptions = {
    imageSize: info.size,
    imageSizeIsEstimate: info.sizeIsEstimate,
    allowSystemDrive: job.allowSystemDrive,
    ackLarge: job.ackLarge,
  };
  const judged = judgeTargets(
    resolved.filter((r): r is ResolvedTarget => !('error' in r)),
    guardOpts,
  );
  return { info, resolved, judged };
}

export async function runFlashJob(input: FlashJob): Promise<FlashJobResult> {
  if (input.signal?.aborted) throw new CancelledError();
  const job = { ...input, targets: input.targets.map((t) => path.resolve(t)) };
  const { info, resolved, judged } = await planTargets(job);
  const results = new Map<string, FlashTargetResult>();
  const toWrite: ResolvedTarget[] = [];
  for (const r of resolved) {
    if ('error' in r) {
      results.set(r.path, failed(r, r.error));
      continue;
    }
    const v = judged.find((x) => x.target === r.path)!;
    if (!v.ok) results.set(r.path, failed(r, v.error));
    else toWrite.push(r);
  }
  const unmounted = new Map<string, string[]>();
  const ready: ResolvedTarget[] = [];
  for (const t of toWrite) {
    if (t.kind === 'block' && t.disk && t.mountpoints.length) {
      job.onProgress?.({ phase: 'unmounting', item: t.path, message: t.mountpoints.join(', ') });
      try {
        unmounted.set(t.path, await unmountDrive(t.path, t.disk.id, job.signal));
      } catch (e) {
        results.set(t.path, failed(t, isAppError(e) ? e : new AppError('EBUSY', String(e))));
        continue;
      }
    }
    ready.push(t);
  }
  let sha256 = '';
  if (ready.length) {
    const started = new Date().toISOString();
    const { outcomes, sha256: sum } = await writeImage({
      image: info.path,
      imageSize: info.sizeIsEstimate ? undefined : info.size,
      imageSizeEstimate: info.sizeIsEstimate ? info.size : undefined,
      verify: job.verify,
      signal: job.signal,
      targets: ready.map((t) => ({
        path: t.path,
        kind: t.kind,
        description: t.description,
        size: t.size,
        id: t.disk?.id,
        readOnly: t.readOnly,
      })),
      onProgress: (p) =>
        job.onProgress?.({
          phase: p.phase,
          item: p.target,
          percent: p.percent,
          bytesDone: p.bytesDone,
          bytesTotal: p.bytesTotal,
          speed: p.speed,
          etaSeconds: p.etaSeconds,
          message:
            info.compressed && p.phase === 'flashing' ? 'decompressing the image on the fly' : undefined,
        }),
    });
    sha256 = sum;
    for (const o of outcomes) {
      const t = ready.find((x) => x.path === o.target)!;
      results.set(o.target, {
        target: o.target,
        ok: o.ok,
        code: o.error?.code,
        message: o.error?.message,
        bytesWritten: o.bytesWritten,
        speed: o.speed,
        verified: o.verify === 'passed',
        sha256,
        unmounted: unmounted.get(o.target),
        description: t.description,
        size: t.kind === 'file' ? safeSize(t.path) : t.size,
        serial: t.serial,
        startedAt: started,
        endedAt: o.endedAt,
      });
    }
  }
  if (!sha256 && !job.signal?.aborted) sha256 = await sha256File(info.path, job.signal);
  const ordered = job.targets.map((t) => results.get(t)!);
  for (const r of ordered) if (!r.sha256) r.sha256 = sha256;
  return { image: info.path, imageSize: info.size, sha256, results: ordered };
}

function safeSize(p: string): number | null {
  try {
    return fs.statSync(p).size;
  } catch {
    return null;
  }
}
