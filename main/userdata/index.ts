// Public surface of the user-data model for other capabilities (media, PXE, staging, register).
// Implementation lives in the files beside this one; keep these signatures stable.
import type { Host } from '../../shared/contract/hosts';
import type { UserDataReport } from '../../shared/userdata/diagnostics';

export type { UserDataReport, Diagnostic } from '../../shared/userdata/diagnostics';

/** Validate user-data text (YAML with #cloud-config header). Never throws for bad input. */
export function validateUserDataText(text: string, fileName?: string): UserDataReport {
  void text;
  void fileName;
  throw new Error('not implemented yet');
}

/**
 * Render one host's user-data from a profile template and the host's values: sets
 * stylus.site.name to the host ID, static network values, tags. Throws AppError('EINVALID')
 * with diagnostics when the result is not valid.
 */
export function renderHostUserData(
  profileUserData: string,
  host: Pick<Host, 'id' | 'values' | 'site' | 'mac' | 'serial'>,
): string {
  void profileUserData;
  void host;
  throw new Error('not implemented yet');
}

/** The edge host ID rule (<=128 chars, none of / ? # & + % , $ ~ ! @ * ( ) { } | = ; : < > ' . ^ "). Returns an error message or undefined. */
export function checkEdgeHostId(id: string): string | undefined {
  void id;
  throw new Error('not implemented yet');
}
