// Public surface of the user-data model for other capabilities (media, PXE, staging, register).
// Implementation lives in the files beside this one; keep these signatures stable.
import type { Host } from '../../shared/contract/hosts';
import type { UserDataReport } from '../../shared/userdata/diagnostics';
import { checkEdgeHostId as checkId } from '../../shared/userdata/edge-host-id';
import { analyzeUserData } from '../../shared/userdata/validate';
import { renderHost, type RenderOptions } from './render';

export type { UserDataReport, Diagnostic } from '../../shared/userdata/diagnostics';
export { formatDiagnostic } from '../../shared/userdata/diagnostics';
export { readUserDataFile, USERDATA_MAX_BYTES } from './files';
export { hashPlainPasswords } from './passwords';
export { sha512Crypt } from './sha512-crypt';
export { fillPlaceholders, renderProfileText, type RenderOptions } from './render';
export { convertFlatNetwork } from '../../shared/userdata/network-convert';
export * from './profiles';
export * from './installer-env';

/**
 * Validate user-data text (YAML with #cloud-config header). Never throws for bad input.
 * This checks final user-data (what gets baked or served): an unfilled {{placeholder}} is an
 * error here, while profile templates (analyzeUserData, `userdata validate`) only warn.
 */
export function validateUserDataText(text: string, fileName?: string): UserDataReport {
  void fileName; // diagnostics carry positions; callers format them with the file name
  try {
    return analyzeUserData(text, { template: false }).report;
  } catch (e) {
    // Defensive: a parser bug must not escape as an exception to callers that trust this.
    return {
      valid: false,
      errors: [
        {
          severity: 'error',
          rule: 'internal',
          path: '',
          line: 1,
          column: 1,
          message: `could not analyse the file: ${e instanceof Error ? e.message : String(e)}`,
        },
      ],
      warnings: [],
    };
  }
}

/**
 * Render one host's user-data from a profile template and the host's values: sets
 * stylus.site.name to the host ID, static network values, tags. Throws AppError('EINVALID')
 * with diagnostics when the result is not valid.
 */
export function renderHostUserData(
  profileUserData: string,
  host: Pick<Host, 'id' | 'values' | 'site' | 'mac' | 'serial'>,
  opts: RenderOptions = {},
): string {
  return renderHost(profileUserData, host, opts);
}

/** The edge host ID rule (<=128 chars, none of / ? # & + % , $ ~ ! @ * ( ) { } | = ; : < > ' . ^ "). Returns an error message or undefined. */
export function checkEdgeHostId(id: string): string | undefined {
  return checkId(id);
}
