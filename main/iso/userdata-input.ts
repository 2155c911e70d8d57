// Where a build's user-data comes from (a file, text, or a profile rendered for a host), and the
// schema check every build runs first: invalid user-data never reaches an image.
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { formatDiagnostic } from '../../shared/userdata/diagnostics';
import type { AppContext } from '../app';
import { readTextFile } from '../core/fs-safe';
import { renderHostUserData, validateUserDataText } from '../userdata';

export interface UserDataSpec {
  userDataFile?: string;
  userDataText?: string;
  profile?: string;
  hostId?: string;
  /**
   * Site user-data holds only the keys to add or override, so document-level completeness rules
   * (paletteEndpoint, registration) do not apply to it. Syntax, types and typos still do.
   */
  partial?: boolean;
}

/** Completeness rules that a partial (site) document need not satisfy. */
const COMPLETENESS_RULES = new Set(['missing-endpoint', 'missing-registration']);

export interface ResolvedUserData {
  text: string;
  /** For people and records: the file, `profile NAME`, `profile NAME for host ID`, or `text`. */
  source: string;
  /** Name used in diagnostics (FILE:LINE:COL). */
  fileName: string;
  profile?: string;
  hostId?: string;
  warnings: string[];
}

export async function resolveUserData(app: AppContext, s: UserDataSpec): Promise<ResolvedUserData> {
  if (s.hostId && s.profile === undefined && s.userDataFile === undefined && s.userDataText === undefined) {
    // --host alone: the host's own profile.
    const host = await app.store.hosts.get(s.hostId);
    if (!host) throw new AppError('ENOTFOUND', `no host with ID ${s.hostId} (see edgebench hosts list)`);
    if (!host.profile)
      throw new AppError('EUSAGE', `host ${s.hostId} has no profile; pass --profile NAME to choose one`);
    s = { ...s, profile: host.profile };
  }
  const given = [s.userDataFile, s.userDataText, s.profile].filter((x) => x !== undefined).length;
  if (given !== 1)
    throw new AppError(
      'EUSAGE',
      'give exactly one user-data source: --user-data FILE or --profile NAME (optionally with --host ID)',
    );
  if (s.hostId && !s.profile)
    throw new AppError('EUSAGE', '--host renders a profile: it cannot be combined with --user-data');
  let text: string;
  let source: string;
  let fileName: string;
  if (s.userDataFile !== undefined) {
    text = await readTextFile(s.userDataFile, { what: 'user-data file', maxBytes: 2 * 1024 * 1024 });
    source = path.resolve(s.userDataFile);
    fileName = s.userDataFile;
  } else if (s.userDataText !== undefined) {
    text = s.userDataText;
    source = 'text';
    fileName = '<user-data>';
  } else {
    const profile = await app.store.profiles.get(s.profile!);
    if (!profile)
      throw new AppError('ENOTFOUND', `no profile named ${s.profile} (see edgebench profiles list)`);
    if (s.hostId) {
      const host = await app.store.hosts.get(s.hostId);
      if (!host) throw new AppError('ENOTFOUND', `no host with ID ${s.hostId} (see edgebench hosts list)`);
      text = renderHostUserData(profile.userData, host);
      source = `profile ${profile.name} for host ${host.id}`;
    } else {
      text = profile.userData;
      source = `profile ${profile.name}`;
    }
    fileName = `profile:${profile.name}${s.hostId ? `@${s.hostId}` : ''}`;
  }
  const report = validateUserDataText(text, fileName);
  if (s.partial) report.errors = report.errors.filter((d) => !COMPLETENESS_RULES.has(d.rule));
  if (report.errors.length) {
    const lines = report.errors.map((d) => formatDiagnostic(d, fileName));
    throw new AppError(
      'EINVALID',
      `the user-data from ${source} is not valid (${report.errors.length} error(s)); nothing was built\n${lines.join('\n')}`,
      { diagnostics: report.errors, lines },
    );
  }
  return {
    text,
    source,
    fileName,
    profile: s.profile,
    hostId: s.hostId,
    warnings: report.warnings.map((d) => formatDiagnostic(d, fileName)),
  };
}
