// The flash capability's in-process API, used by the CLI, the API handlers and the staging run:
// flashImage() writes one image to many targets, in-process when we are root (or every target is
// a plain file), otherwise through the privileged helper; then records every write.
import path from 'node:path';
import { AppError, CancelledError } from '../../shared/errors';
import type { FlashTargetResult } from '../../shared/contract/flash';
import type { ProgressEvent } from '../../shared/progress';
import type { AppContext } from '../app';
import { HelperClient } from '../privileged/client';
import { runFlashJob, type FlashJobResult } from './engine';
import { recordFlash } from './records';
import fs from 'node:fs';

export interface FlashImageOptions {
  image: string;
  targets: string[];
  verify?: boolean;
  hostId?: string;
  /** A host per target (target path -> host ID), so one pass can record several hosts' sticks. */
  targetHosts?: Record<string, string>;
  /** The device path typed back by the user to allow a system drive. */
  allowSystemDrive?: string;
  /** Large-drive warnings acknowledged: target paths, or true for all. */
  ackLarge?: string[] | boolean;
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
  /** Where the records go; without it nothing is recorded. */
  app?: AppContext;
  /** auto: in-process when root or only file targets, else the privileged helper. */
  via?: 'auto' | 'in-process' | 'helper';
  env?: NodeJS.ProcessEnv;
}

export interface FlashImageResult {
  ok: boolean;
  image: string;
  sha256: string;
  imageSize?: number;
  results: FlashTargetResult[];
  via: 'in-process' | 'helper';
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function isBlockPath(p: string): boolean {
  try {
    return fs.statSync(p).isBlockDevice();
  } catch {
    return false;
  }
}

export function chooseVia(o: Pick<FlashImageOptions, 'via' | 'targets' | 'env'>): 'in-process' | 'helper' {
  const env = o.env ?? process.env;
  if (o.via && o.via !== 'auto') return o.via;
  if (env.EDGEBENCH_FLASH_VIA_HELPER === '1') return 'helper';
  if (isRoot()) return 'in-process';
  return o.targets.some(isBlockPath) ? 'helper' : 'in-process';
}

async function viaHelper(o: FlashImageOptions, targets: string[], image: string): Promise<FlashJobResult> {
  const helper = new HelperClient({ env: o.env });
  try {
    await helper.start();
    const jobs = await helper.flash(
      {
        images: [image],
        targets,
        options: {
          verify: o.verify ?? true,
          allowSystemDrive: o.allowSystemDrive,
          ackLarge: o.ackLarge === true ? targets : o.ackLarge || undefined,
        },
      },
      { signal: o.signal, onProgress: o.onProgress },
    );
    return jobs[0];
  } finally {
    await helper.close();
  }
}

/** Targets being written by this process (two benches, two tabs: never the same drive twice). */
const busy = new Set<string>();

export async function flashImage(o: FlashImageOptions): Promise<FlashImageResult> {
  if (o.signal?.aborted) throw new CancelledError();
  if (!o.targets.length) throw new AppError('EUSAGE', 'give at least one target');
  const image = path.resolve(o.image);
  const targets = o.targets.map((t) => path.resolve(t));
  const taken = targets.filter((t) => busy.has(t));
  if (taken.length)
    throw new AppError(
      'EBUSY',
      `${taken.join(', ')} ${taken.length === 1 ? 'is' : 'are'} being flashed already; wait for it to finish`,
      {
        targets: taken,
      },
    );
  targets.forEach((t) => busy.add(t));
  try {
    return await flashLocked(o, image, targets);
  } finally {
    targets.forEach((t) => busy.delete(t));
  }
}

async function flashLocked(
  o: FlashImageOptions,
  image: string,
  targets: string[],
): Promise<FlashImageResult> {
  const via = chooseVia({ ...o, targets });
  const job =
    via === 'helper'
      ? await viaHelper(o, targets, image)
      : await runFlashJob({
          image,
          targets,
          verify: o.verify ?? true,
          allowSystemDrive: o.allowSystemDrive,
          ackLarge: o.ackLarge,
          signal: o.signal,
          onProgress: o.onProgress,
        });
  if (o.app)
    await recordFlash(o.app, {
      hostId: o.hostId,
      targetHosts: Object.fromEntries(
        Object.entries(o.targetHosts ?? {}).map(([t, h]) => [path.resolve(t), h]),
      ),
      image: job.image,
      imageSize: job.imageSize,
      sha256: job.sha256,
      results: job.results,
      verify: o.verify ?? true,
    });
  const result: FlashImageResult = {
    ok: job.results.every((r) => r.ok),
    image: job.image,
    sha256: job.sha256,
    imageSize: job.imageSize,
    results: job.results,
    via,
  };
  if (o.signal?.aborted)
    throw new AppError('ECANCELLED', 'flashing was cancelled; the drives hold partial images', {
      results: result.results,
    });
  return result;
}
