// Small wrappers over xorriso for reading ISOs: list files, extract files. xorriso can exit 0
// after a FAILURE, so every call checks its messages as well as its exit code.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { run, type ExecResult } from '../core/exec';

export const XORRISO_PKG = 'xorriso';

/** xorriso's problem lines (FAILURE, SORRY, FATAL, ABORT), in order. */
export function xorrisoProblems(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => /:\s*(FAILURE|SORRY|FATAL|ABORT)\s*:/.test(l))
    .map((l) => l.replace(/^\S+\s*:\s*/, '').trim());
}

export async function xorriso(args: string[], signal?: AbortSignal): Promise<ExecResult> {
  return run('xorriso', args, { signal, pkg: XORRISO_PKG });
}

export interface IsoFile {
  path: string;
  size: number;
}

/** Every regular file in the ISO (Rock Ridge / Joliet names as xorriso shows them). */
export async function listIsoFiles(iso: string, signal?: AbortSignal): Promise<IsoFile[]> {
  const r = await xorriso(['-indev', iso, '-find', '/', '-type', 'f', '-exec', 'lsdl', '--'], signal);
  const problems = xorrisoProblems(r.stderr);
  if (r.code !== 0 || problems.length)
    throw new AppError('EBUILD', `xorriso could not list ${iso}: ${problems[0] ?? `exit code ${r.code}`}`, {
      path: iso,
    });
  const files: IsoFile[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^-\S+\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+\S+\s+'(.*)'$/.exec(line);
    if (m) files.push({ path: m[2].replace(/'"'"'/g, "'"), size: Number(m[1]) });
  }
  return files;
}

/**
 * Extract files from the ISO into a fresh temporary folder and return their bytes (missing ones are
 * absent from the map). For small files (user-data); use extractFromIso for big ones.
 */
export async function readIsoFiles(
  iso: string,
  paths: string[],
  signal?: AbortSignal,
): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (!paths.length) return out;
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'eb-isoread-'));
  try {
    const args = ['-osirrox', 'on', '-indev', iso];
    paths.forEach((p, i) => args.push('-extract', p, path.join(dir, String(i))));
    const r = await xorriso(args, signal);
    if (r.code !== 0 && !paths.some((_p, i) => fs.existsSync(path.join(dir, String(i)))))
      throw new AppError(
        'EBUILD',
        `xorriso could not read ${iso}: ${xorrisoProblems(r.stderr)[0] ?? `exit code ${r.code}`}`,
      );
    for (const [i, p] of paths.entries()) {
      const f = path.join(dir, String(i));
      if (fs.existsSync(f) && fs.statSync(f).isFile()) out.set(p, await fsp.readFile(f));
    }
    return out;
  } finally {
    await fsp.chmod(dir, 0o700).catch(() => undefined);
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
