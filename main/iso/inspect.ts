// What an installer ISO holds: volume, boot paths (BIOS El Torito, UEFI, hybrid MBR/GPT), the Kairos
// layout (/boot/kernel, /boot/initrd, rootfs.squashfs) and every embedded #cloud-config file, validated.
import { type LongWorkOptions } from '../../shared/progress';
import type { UserDataReport } from '../../shared/userdata/diagnostics';
import { sha256File } from '../core/hash';
import { validateUserDataText } from '../userdata';
import { checkBase } from './remaster';
import { describeBoot, type ImageProbe } from './probe';
import { listIsoFiles, readIsoFiles } from './xorriso';

/** Kairos reads config files up to about 1-2 MB; bigger YAML files are not user-data. */
const MAX_USERDATA = 2 * 1024 * 1024;

export interface EmbeddedUserData {
  path: string;
  size: number;
  text: string;
  /** undefined when the validator could not run (reported in validationError). */
  report?: UserDataReport;
  validationError?: string;
}

export interface IsoInspection {
  path: string;
  size: number;
  sha256?: string;
  probe: ImageProbe;
  boot: string[];
  warnings: Array<{ code: string; message: string }>;
  fileCount: number;
  kairos: { kernel?: string; initrd?: string; squashfs?: string; isKairosLayout: boolean };
  userData: EmbeddedUserData[];
}

export function validateSafely(
  text: string,
  file: string,
): Pick<EmbeddedUserData, 'report' | 'validationError'> {
  try {
    return { report: validateUserDataText(text, file) };
  } catch (e) {
    return { validationError: `user-data validator unavailable: ${(e as Error).message}` };
  }
}

export async function inspectIso(
  iso: string,
  o: LongWorkOptions & { hash?: boolean } = {},
): Promise<IsoInspection> {
  o.onProgress?.({ phase: 'probe', percent: 0 });
  const { probe, warnings } = await checkBase(iso);
  const files = await listIsoFiles(iso, o.signal);
  const has = (p: string) => files.find((f) => f.path === p)?.path;
  const squash = files.find((f) => /(^|\/)rootfs\.squashfs$/.test(f.path))?.path;
  const kairos = {
    kernel: has('/boot/kernel'),
    initrd: has('/boot/initrd'),
    squashfs: squash,
    isKairosLayout: Boolean(has('/boot/kernel') && has('/boot/initrd')),
  };
  const yamls = files.filter((f) => /\.ya?ml$/i.test(f.path) && f.size <= MAX_USERDATA);
  const contents = await readIsoFiles(
    iso,
    yamls.map((f) => f.path),
    o.signal,
  );
  const userData: EmbeddedUserData[] = [];
  for (const f of yamls) {
    const buf = contents.get(f.path);
    if (!buf) continue;
    const text = buf.toString('utf8');
    if (!text.startsWith('#cloud-config')) continue;
    userData.push({ path: f.path, size: f.size, text, ...validateSafely(text, `${iso}:${f.path}`) });
  }
  let sha256: string | undefined;
  if (o.hash !== false) {
    o.onProgress?.({ phase: 'hash', percent: 50, message: 'SHA-256' });
    sha256 = await sha256File(iso, o.signal);
  }
  o.onProgress?.({ phase: 'done', percent: 100 });
  return {
    path: iso,
    size: probe.size,
    sha256,
    probe,
    boot: describeBoot(probe),
    warnings,
    fileCount: files.length,
    kairos,
    userData,
  };
}
