// Pull one file out of an ISO (PXE uses it for /boot/kernel, /boot/initrd, /rootfs.squashfs).
// Written through a temporary file beside the output and renamed into place.
import fsp from 'node:fs/promises';
import { AppError } from '../../shared/errors';
import { writeViaTemp } from '../core/fs-safe';
import { probeImage } from './probe';
import { listIsoFiles, xorriso, xorrisoProblems } from './xorriso';

export interface ExtractOptions {
  signal?: AbortSignal;
  force?: boolean;
}

export interface ExtractResult {
  iso: string;
  pathInIso: string;
  out: string;
  size: number;
}

function normalise(p: string): string {
  return '/' + p.replace(/^\/+/, '');
}

/** Extract `pathInIso` from `iso` to `outFile`. Replaces an existing output (in-process callers); the CLI passes force explicitly. */
export async function extractFromIso(
  iso: string,
  pathInIso: string,
  outFile: string,
  opts: ExtractOptions = {},
): Promise<ExtractResult> {
  await probeImage(iso);
  const want = normalise(pathInIso);
  const files = await listIsoFiles(iso, opts.signal);
  const hit = files.find((f) => f.path === want);
  if (!hit) {
    const near = files
      .filter((f) => f.path.toLowerCase().endsWith(want.split('/').pop()!.toLowerCase()))
      .map((f) => f.path)
      .slice(0, 3);
    throw new AppError(
      'ENOTFOUND',
      `${iso} has no file ${want}${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`,
      { iso, pathInIso: want },
    );
  }
  return writeViaTemp(outFile, { force: opts.force ?? true }, async (tmp) => {
    const r = await xorriso(['-osirrox', 'on', '-indev', iso, '-extract', want, tmp], opts.signal);
    const problems = xorrisoProblems(r.stderr);
    if (/No space left/i.test(r.stderr))
      throw new AppError(
        'ENOSPC',
        `no space left on the device while writing ${outFile} (${hit.size} bytes needed)`,
        {
          path: outFile,
        },
      );
    if (r.code !== 0 || problems.length)
      throw new AppError(
        'EBUILD',
        `could not extract ${want} from ${iso}: ${problems[0] ?? `exit code ${r.code}`}`,
        {
          iso,
          pathInIso: want,
        },
      );
    const st = await fsp.stat(tmp).catch(() => undefined);
    if (!st || st.size !== hit.size)
      throw new AppError(
        'EVERIFY',
        `extracting ${want} from ${iso} gave ${st?.size ?? 0} bytes, expected ${hit.size}`,
      );
    await fsp.chmod(tmp, 0o644);
    return { iso, pathInIso: want, out: outFile, size: hit.size };
  });
}
