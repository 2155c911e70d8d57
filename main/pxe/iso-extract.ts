// One file out of an ISO with xorriso. The media capability is building main/iso with an
// exported extractFromIso of the same signature; this small module stands in until it lands.
import fs from 'node:fs';
import { AppError } from '../../shared/errors';
import { run } from '../core/exec';

export async function extractFromIso(
  iso: string,
  pathInIso: string,
  outFile: string,
  opts: { signal?: AbortSignal } = {},
): Promise<void> {
  const r = await run('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', pathInIso, outFile], {
    signal: opts.signal,
    pkg: 'xorriso',
  });
  // xorriso can exit 0 after a FAILURE: check the output file as well.
  if (r.code !== 0 || /FAILURE/.test(r.stderr) || !fs.existsSync(outFile)) {
    const why = r.stderr.split('\n').find((l) => /FAILURE|SORRY/.test(l)) ?? `exit code ${r.code}`;
    throw new AppError('EBUILD', `could not extract ${pathInIso} from ${iso}: ${why.trim()}`, {
      iso,
      pathInIso,
    });
  }
  await fs.promises.chmod(outFile, 0o644).catch(() => undefined);
}
