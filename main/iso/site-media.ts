// Site user-data media: a small non-bootable ISO (volume id `cidata`, files `user-data` and an empty
// `meta-data`, Joliet + Rock Ridge) or a FAT image labelled `CIDATA` with the same files, ready to
// flash to a stick. Kairos (and Palette's "site user data") read it at first boot.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { LongWorkOptions } from '../../shared/progress';
import type { AppContext } from '../app';
import { run } from '../core/exec';
import { writeViaTemp } from '../core/fs-safe';
import { sha256, sha256File } from '../core/hash';
import type { Artifact } from '../store/types';
import { defaultOutPath } from './build';
import { probeImage } from './probe';
import { resolveUserData, type UserDataSpec } from './userdata-input';
import { readIsoFiles, xorrisoProblems } from './xorriso';

export interface SiteMediaRequest extends UserDataSpec, LongWorkOptions {
  format: 'iso' | 'fat';
  out?: string;
  force?: boolean;
  /** Content of meta-data (default empty). */
  metaData?: string;
}

/** Write the cidata ISO or FAT image to `tmp` and check it holds exactly this user-data. */
export async function writeSiteMedia(
  tmp: string,
  format: 'iso' | 'fat',
  userData: string,
  metaData = '',
  signal?: AbortSignal,
): Promise<void> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'eb-cidata-'));
  try {
    const ud = path.join(dir, 'user-data');
    const md = path.join(dir, 'meta-data');
    await fsp.writeFile(ud, userData, { mode: 0o600 });
    await fsp.writeFile(md, metaData);
    if (format === 'iso') {
      const r = await run(
        'xorriso',
        ['-as', 'mkisofs', '-quiet', '-o', tmp, '-V', 'cidata', '-J', '-R', ud, md],
        {
          signal,
          pkg: 'xorriso',
        },
      );
      const problems = xorrisoProblems(r.stderr);
      if (/No space left/i.test(r.stderr))
        throw new AppError('ENOSPC', `no space left on ${path.dirname(tmp)}`);
      if (r.code !== 0 || problems.length)
        throw new AppError(
          'EBUILD',
          `xorriso could not build the cidata ISO: ${problems[0] ?? `exit code ${r.code}`}`,
        );
      const probe = await probeImage(tmp);
      if (probe.volumeId !== 'cidata')
        throw new AppError('EVERIFY', `the site ISO has volume id ${probe.volumeId}, not cidata`);
      const back = (await readIsoFiles(tmp, ['/user-data', '/meta-data'], signal)).get('/user-data');
      if (!back || back.toString('utf8') !== userData)
        throw new AppError('EVERIFY', 'the site ISO does not hold the intended user-data');
    } else {
      // FAT12/16 image: room for the files plus filesystem overhead, at least 1.44 MB.
      const kib = Math.max(
        1440,
        Math.ceil((Buffer.byteLength(userData) + Buffer.byteLength(metaData)) / 1024) * 2 + 512,
      );
      const mk = await run('mkfs.vfat', ['-n', 'CIDATA', '-C', tmp, String(kib)], {
        signal,
        pkg: 'dosfstools',
      });
      if (mk.code !== 0)
        throw new AppError('EBUILD', `mkfs.vfat failed: ${mk.stderr.trim() || mk.stdout.trim()}`);
      const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
      const cp = await run('mcopy', ['-i', tmp, ud, md, '::/'], { signal, pkg: 'mtools', env });
      if (cp.code !== 0) throw new AppError('EBUILD', `mcopy failed: ${cp.stderr.trim()}`);
      const back = await run('mtype', ['-i', tmp, '::/user-data'], { signal, pkg: 'mtools', env });
      if (back.code !== 0 || back.stdout !== userData)
        throw new AppError('EVERIFY', 'the CIDATA image does not hold the intended user-data');
    }
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

export async function buildSiteMedia(app: AppContext, req: SiteMediaRequest): Promise<Artifact> {
  req.onProgress?.({ phase: 'validate', percent: 0 });
  const ud = await resolveUserData(app, { ...req, partial: true });
  const out =
    req.out ??
    defaultOutPath(app, `site-${ud.hostId ?? ud.profile ?? 'custom'}`, req.format === 'iso' ? 'iso' : 'img');
  req.onProgress?.({ phase: 'write', percent: 30 });
  await writeViaTemp(out, { force: req.force }, (tmp) =>
    writeSiteMedia(tmp, req.format, ud.text, req.metaData ?? '', req.signal),
  );
  req.onProgress?.({ phase: 'hash', percent: 90 });
  const st = await fsp.stat(out);
  const artifact = await app.store.artifacts.add({
    kind: req.format === 'iso' ? 'site-iso' : 'site-fat',
    path: path.resolve(out),
    sha256: await sha256File(out, req.signal),
    size: st.size,
    profile: ud.profile,
    hostId: ud.hostId,
    meta: {
      userDataSha256: sha256(ud.text),
      userDataSource: ud.source,
      label: req.format === 'iso' ? 'cidata' : 'CIDATA',
    },
  });
  app.bus.emit('media.changed', { kind: 'artifact', id: artifact.id });
  req.onProgress?.({ phase: 'done', percent: 100 });
  return artifact;
}
