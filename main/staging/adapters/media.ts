// Adapter over the media capability. Until main/iso exposes its remaster API, this adapter bakes
// user-data with xorriso directly (the method in the team's field notes: map /config.yaml into a
// copy, replay the boot setup), checks the result, and builds cidata images with genisoimage.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { run } from '../../core/exec';
import { sha256File } from '../../core/hash';
import type { BuiltMedia } from '../services';

async function built(file: string, signal: AbortSignal): Promise<BuiltMedia> {
  return { path: file, sha256: await sha256File(file, signal), size: fs.statSync(file).size };
}

/** The base must be an ISO 9660 image (primary volume descriptor at 32 KiB). */
export async function inspectBaseImage(base: string, signal: AbortSignal): Promise<BuiltMedia> {
  const fd = fs.openSync(base, 'r');
  try {
    const buf = Buffer.alloc(6);
    fs.readSync(fd, buf, 0, 6, 0x8000);
    if (buf[0] !== 1 || buf.subarray(1, 6).toString('latin1') !== 'CD001')
      throw new AppError(
        'ENOTISO',
        `${base} is not an ISO 9660 image (no primary volume descriptor at 32 KiB)`,
        { path: base },
      );
  } finally {
    fs.closeSync(fd);
  }
  return built(base, signal);
}

export async function buildInstallerIso(a: {
  base: string;
  userData: string;
  out: string;
  signal: AbortSignal;
}): Promise<BuiltMedia> {
  await inspectBaseImage(a.base, a.signal);
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-stage-iso-'));
  const cfg = path.join(tmpDir, 'config.yaml');
  const tmpOut = `${a.out}.part`;
  try {
    fs.writeFileSync(cfg, a.userData, { mode: 0o600 });
    fs.rmSync(tmpOut, { force: true });
    const r = await run(
      'xorriso',
      ['-indev', a.base, '-outdev', tmpOut, '-map', cfg, '/config.yaml', '-boot_image', 'any', 'replay'],
      { signal: a.signal, pkg: 'xorriso' },
    );
    if (r.code !== 0 || /FAILURE|SORRY/.test(r.stderr))
      throw new AppError(
        'EBUILD',
        `xorriso could not remaster ${a.base}: ${r.stderr.split('\n').filter((l) => /FAILURE|SORRY/.test(l))[0] ?? `exit ${r.code}`}`,
      );
    // Self-check: the output holds exactly this user-data and still has its boot records.
    const back = path.join(tmpDir, 'back.yaml');
    const x = await run('xorriso', ['-osirrox', 'on', '-indev', tmpOut, '-extract', '/config.yaml', back], {
      signal: a.signal,
      pkg: 'xorriso',
    });
    if (x.code !== 0 || !fs.existsSync(back) || fs.readFileSync(back, 'utf8') !== a.userData)
      throw new AppError(
        'EVERIFY',
        `the built ISO for ${path.basename(a.out)} does not contain the intended /config.yaml`,
      );
    const rep = await run('xorriso', ['-indev', tmpOut, '-report_el_torito', 'plain'], {
      signal: a.signal,
      pkg: 'xorriso',
    });
    if (!/El Torito boot img/i.test(rep.stdout))
      throw new AppError('ENOBOOT', `the built ISO ${path.basename(a.out)} has no boot records`);
    fs.renameSync(tmpOut, a.out);
    return built(a.out, a.signal);
  } finally {
    fs.rmSync(tmpOut, { force: true });
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

export async function buildCidataImage(a: {
  userData: string;
  hostId: string;
  out: string;
  signal: AbortSignal;
}): Promise<BuiltMedia> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-stage-cidata-'));
  const tmpOut = `${a.out}.part`;
  try {
    fs.writeFileSync(path.join(dir, 'user-data'), a.userData, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'meta-data'), `instance-id: ${a.hostId}\nlocal-hostname: ${a.hostId}\n`);
    const r = await run(
      'genisoimage',
      [
        '-quiet',
        '-output',
        tmpOut,
        '-volid',
        'cidata',
        '-joliet',
        '-rock',
        path.join(dir, 'user-data'),
        path.join(dir, 'meta-data'),
      ],
      { signal: a.signal, pkg: 'genisoimage' },
    );
    if (r.code !== 0)
      throw new AppError(
        'EBUILD',
        `genisoimage could not build the cidata image for ${a.hostId}: ${r.stderr.trim().split('\n')[0]}`,
      );
    fs.renameSync(tmpOut, a.out);
    return built(a.out, a.signal);
  } finally {
    fs.rmSync(tmpOut, { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
