// One host's user-data from a profile template: placeholders ({{host.id}}, {{values.X}}) are
// filled, then structured overrides are applied (edge host ID, host name, static NIC, tags),
// passwords are hashed, and the result is validated. Comments of the template survive.
import type { Document } from 'yaml';
import type { Host } from '../../shared/contract/hosts';
import { AppError } from '../../shared/errors';
import type { Diagnostic } from '../../shared/userdata/diagnostics';
import { convertFlatNetworkInDoc } from '../../shared/userdata/network-convert';
import { analyzeUserData, PLACEHOLDER_RE } from '../../shared/userdata/validate';
import { editUserData, setValue } from '../../shared/userdata/yaml-edit';
import { hashPasswordsInDoc } from './passwords';

export type RenderHost = Pick<Host, 'id' | 'values' | 'site' | 'mac' | 'serial'>;

export interface RenderOptions {
  /** Keep plain-text passwords as they are (on purpose). Default: hash them. */
  keepPlainPasswords?: boolean;
}

function lookup(name: string, host: RenderHost): string | undefined {
  const [scope, ...rest] = name.split('.');
  const key = rest.join('.');
  const values = host.values as Record<string, unknown>;
  let v: unknown;
  if (scope === 'host') {
    v = (host as Record<string, unknown>)[key];
    if (v === undefined) v = values[key];
  } else v = values[key];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/** Fill {{host.X}} / {{values.X}} placeholders; missing values are errors with line:col. */
export function fillPlaceholders(text: string, host: RenderHost): { text: string; missing: Diagnostic[] } {
  const missing: Diagnostic[] = [];
  const out = text.replace(PLACEHOLDER_RE, (m: string, name: string, offset: number) => {
    const v = lookup(name, host);
    if (v !== undefined) return v;
    const before = text.slice(0, offset).split('\n');
    missing.push({
      severity: 'error',
      rule: 'placeholder-missing',
      path: '',
      line: before.length,
      column: before[before.length - 1].length + 1,
      message: `placeholder ${m} has no value for host ${host.id}; set it with "edgebench hosts add ${host.id} --set ${name.replace(/^(host|values)\./, '')}=..."`,
    });
    return m;
  });
  return { text: out, missing };
}

function applyHost(doc: Document, host: RenderHost): void {
  const v = host.values;
  const site = ['stylus', 'site'];
  setValue(doc, [...site, 'name'], host.id);
  if (v.hostName) setValue(doc, [...site, 'hostName'], v.hostName);
  if (v.ipAddress) {
    const nic = v.nic || 'eth0';
    convertFlatNetworkInDoc(doc, nic);
    const P = [...site, 'network', 'interfaces', nic];
    setValue(doc, [...P, 'type'], 'static');
    setValue(doc, [...P, 'ipAddress'], v.ipAddress);
    if (v.mask) setValue(doc, [...P, 'mask'], v.mask);
    if (v.gateway) setValue(doc, [...P, 'gateway'], v.gateway);
    if (v.nameserver) setValue(doc, [...P, 'nameserver'], v.nameserver);
  }
  for (const [k, val] of Object.entries(v.tags ?? {})) setValue(doc, [...site, 'tags', k], String(val));
}

export function renderHost(profileUserData: string, host: RenderHost, opts: RenderOptions = {}): string {
  const filled = fillPlaceholders(profileUserData, host);
  if (filled.missing.length)
    throw new AppError('EINVALID', `${filled.missing[0].message} (line ${filled.missing[0].line})`, {
      hostId: host.id,
      diagnostics: filled.missing,
    });
  const text = editUserData(filled.text, (doc) => {
    applyHost(doc, host);
    if (!opts.keepPlainPasswords) hashPasswordsInDoc(doc);
  });
  const report = analyzeUserData(text).report;
  if (!report.valid) {
    const d = report.errors[0];
    throw new AppError(
      'EINVALID',
      `user-data for host ${host.id} is invalid: line ${d.line}, column ${d.column} ${d.path} ${d.message}${report.errors.length > 1 ? ` (and ${report.errors.length - 1} more)` : ''}`,
      { hostId: host.id, diagnostics: report.errors, text },
    );
  }
  return text;
}

/** A profile as written for one host, or (without a host) as-is when it has no placeholders. */
export function renderProfileText(
  profileUserData: string,
  host: RenderHost | undefined,
  opts: RenderOptions = {},
): string {
  if (host) return renderHost(profileUserData, host, opts);
  const ph = PLACEHOLDER_RE.exec(profileUserData);
  PLACEHOLDER_RE.lastIndex = 0;
  if (ph)
    throw new AppError(
      'EINVALID',
      `the profile contains placeholders such as ${ph[0]}; render it for a host (--host ID)`,
    );
  const text = opts.keepPlainPasswords
    ? profileUserData
    : editUserData(profileUserData, (doc) => {
        hashPasswordsInDoc(doc);
      });
  const report = analyzeUserData(text).report;
  if (!report.valid) {
    const d = report.errors[0];
    throw new AppError(
      'EINVALID',
      `the profile is invalid: line ${d.line}, column ${d.column} ${d.path} ${d.message}`,
      { diagnostics: report.errors },
    );
  }
  return text;
}
