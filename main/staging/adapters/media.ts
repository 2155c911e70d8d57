// Adapter over the media capability (main/iso): the remaster (user-data baked in as /config.yaml,
// boot records kept, self-check before the rename) and the cidata site media.
import fs from 'node:fs';
import { AppError } from '../../../shared/errors';
import { writeViaTemp } from '../../core/fs-safe';
import { sha256File } from '../../core/hash';
import { checkBase, remasterIso } from '../../iso/remaster';
import { writeSiteMedia } from '../../iso/site-media';
import type { BuiltMedia } from '../services';

async function built(file: string, signal: AbortSignal): Promise<BuiltMedia> {
  return { path: file, sha256: await sha256File(file, signal), size: fs.statSync(file).size };
}

/** A base used as is (cidata mode's shared installer): must be an ISO; hashed for the record. */
export async function inspectBaseImage(base: string, signal: AbortSignal): Promise<BuiltMedia> {
  const { warnings } = await checkBase(base);
  const noBoot = warnings.find((w) => w.code === 'ENOBOOT');
  if (noBoot) throw new AppError('ENOBOOT', noBoot.message, { path: base });
  return built(base, signal);
}

export async function buildInstallerIso(a: {
  base: string;
  userData: string;
  out: string;
  signal: AbortSignal;
  onProgress?: (percent: number, message?: string) => void;
}): Promise<BuiltMedia> {
  const r = await remasterIso({
    base: a.base,
    userData: a.userData,
    out: a.out,
    force: true,
    signal: a.signal,
    onProgress: (e) => a.onProgress?.(e.percent ?? 0, e.message),
  });
  const noBoot = r.warnings.find((w) => w.code === 'ENOBOOT');
  if (noBoot) {
    fs.rmSync(r.path, { force: true });
    throw new AppError('ENOBOOT', noBoot.message, { path: a.base });
  }
  return { path: r.path, sha256: r.sha256, size: r.size };
}

export async function buildCidataImage(a: {
  userData: string;
  hostId: string;
  out: string;
  signal: AbortSignal;
}): Promise<BuiltMedia> {
  await writeViaTemp(a.out, { force: true }, (tmp) =>
    writeSiteMedia(
      tmp,
      'iso',
      a.userData,
      `instance-id: ${a.hostId}\nlocal-hostname: ${a.hostId}\n`,
      a.signal,
    ),
  );
  return built(a.out, a.signal);
}
