// The installer build service (CLI `iso build`, the Media screen, staging runs): validate the
// user-data, remaster the base, check the output, store the artifact linked to profile/host.
import fs from 'node:fs';
import path from 'node:path';
import { AppError, isAppError, isCancelled } from '../../shared/errors';
import type { LongWorkOptions } from '../../shared/progress';
import type { AppContext } from '../app';
import type { Artifact } from '../store/types';
import { describeBoot } from './probe';
import { remasterIso, type RemasterResult } from './remaster';
import { resolveUserData, type UserDataSpec } from './userdata-input';

/** Artifact kinds the media capability produces. */
export const MEDIA_KINDS = ['iso', 'site-iso', 'site-fat', 'raw', 'qcow2', 'vmdk', 'ova', 'ami'];

export interface BuildIsoRequest extends UserDataSpec, LongWorkOptions {
  /** A path, or the ID / SHA-256 prefix of a stored base ISO. */
  base: string;
  out?: string;
  force?: boolean;
  /** Write a fresh compact image instead of appending to a copy (see remaster.ts). */
  compact?: boolean;
}

export interface BuildIsoResult extends RemasterResult {
  artifact: Artifact;
  userDataSource: string;
  userDataWarnings: string[];
}

/** Resolve a base given as a stored ID/hash or a path; a stored base brings its known SHA-256. */
export async function resolveBase(app: AppContext, base: string): Promise<{ path: string; sha256?: string }> {
  if (!fs.existsSync(base)) {
    const stored = await app.store.media.getBase(base);
    if (stored) return { path: stored.path, sha256: stored.sha256 };
    throw new AppError(
      'ENOTFOUND',
      `base ISO ${base} does not exist (neither a file nor a stored base ISO ID)`,
      {
        path: base,
      },
    );
  }
  const st = fs.statSync(base);
  const stored = (await app.store.media.listBases()).find(
    (b) =>
      path.resolve(b.path) === path.resolve(base) &&
      b.size === st.size &&
      Date.parse(b.addedAt) >= st.mtimeMs,
  );
  return { path: base, sha256: stored?.sha256 };
}

export function defaultOutPath(app: AppContext, stem: string, ext: string): string {
  const dir = path.join(app.dataDir, 'media');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return path.join(dir, `${stem.replace(/[^A-Za-z0-9._-]+/g, '_')}-${stamp}.${ext}`);
}

export async function buildInstallerIso(app: AppContext, req: BuildIsoRequest): Promise<BuildIsoResult> {
  const t0 = Date.now();
  req.onProgress?.({ phase: 'validate', percent: 0, message: 'checking the user-data' });
  const ud = await resolveUserData(app, req);
  const base = await resolveBase(app, req.base);
  const out = req.out ?? defaultOutPath(app, `installer-${ud.hostId ?? ud.profile ?? 'custom'}`, 'iso');
  try {
    const r = await remasterIso({
      base: base.path,
      baseSha256: base.sha256,
      userData: ud.text,
      out,
      force: req.force,
      compact: req.compact,
      signal: req.signal,
      onProgress: req.onProgress,
    });
    const artifact = await app.store.artifacts.add({
      kind: 'iso',
      path: r.path,
      sha256: r.sha256,
      size: r.size,
      profile: ud.profile,
      hostId: ud.hostId,
      meta: {
        base: path.resolve(base.path),
        baseSha256: r.baseSha256,
        userDataSha256: r.userDataSha256,
        userDataSource: ud.source,
        volumeId: r.output.volumeId,
        boot: describeBoot(r.output),
        bootsBios: r.output.bootsBios,
        bootsUefi: r.output.bootsUefi,
        hybrid: r.output.hybrid,
        warnings: r.warnings,
        mode: req.compact ? 'compact' : 'append',
      },
    });
    await app.store.media.recordBuild({
      kind: 'iso',
      state: 'done',
      baseSha256: r.baseSha256,
      userDataSha256: r.userDataSha256,
      profile: ud.profile,
      hostId: ud.hostId,
      out: r.path,
      artifactId: artifact.id,
      ms: Date.now() - t0,
    });
    if (ud.hostId)
      await app.store.hosts.addEvent(
        ud.hostId,
        'media.built',
        `installer ISO ${path.basename(r.path)} (sha256 ${r.sha256.slice(0, 12)})`,
        {
          artifactId: artifact.id,
          sha256: r.sha256,
        },
      );
    app.bus.emit('media.changed', { kind: 'artifact', id: artifact.id });
    app.log(
      'info',
      'media',
      `built ${r.path} sha256=${r.sha256} from ${base.path} with user-data from ${ud.source}`,
    );
    return { ...r, artifact, userDataSource: ud.source, userDataWarnings: ud.warnings };
  } catch (e) {
    const err = isAppError(e) ? e : new AppError('EINTERNAL', String(e));
    await app.store.media
      .recordBuild({
        kind: 'iso',
        state: isCancelled(e) ? 'cancelled' : 'failed',
        profile: ud.profile,
        hostId: ud.hostId,
        out: path.resolve(out),
        error: { code: err.code, message: err.message },
        ms: Date.now() - t0,
      })
      .catch(() => undefined);
    throw e;
  }
}
