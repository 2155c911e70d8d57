// Reading user-data files from disk with specific errors (missing, folder, too large, binary,
// UTF-16, not UTF-8). Kairos reads cloud-config files of up to about 1-2 MB; we allow 1 MiB.
import { readTextFile } from '../core/fs-safe';

export const USERDATA_MAX_BYTES = 1024 * 1024;

export function readUserDataFile(file: string): Promise<string> {
  return readTextFile(file, { maxBytes: USERDATA_MAX_BYTES, what: 'user-data file' });
}
