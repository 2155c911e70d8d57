// Validation of user-data text: header, YAML syntax, duplicate keys, Palette-docs mistakes,
// typos, the zod schema and the semantic rules — each finding with line:col and key path.
import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import type { z } from 'zod';
import type { Diagnostic, UserDataReport } from './diagnostics';
import { checkRules, PLACEHOLDER_MARK, type Finding } from './rules';
import { UserDataSchema } from './schema';
import { knownKeysAt } from './schema';
import { suggestKey } from './typos';
import {
  duplicateKeys,
  parseYaml,
  pathToString,
  posAt,
  positionOf,
  syntaxDiagnostics,
  type ParsedYaml,
  type PathSeg,
} from './yaml-doc';

export const CLOUD_CONFIG_HEADER = '#cloud-config';

/** {{host.id}}, {{host.ipAddress}}, {{values.site}}: filled per host by render. */
export const PLACEHOLDER_RE = /\{\{\s*((?:host|values)\.[A-Za-z0-9_.-]+)\s*\}\}/g;

/** Replace placeholder braces by same-length marks so the YAML parses and columns stay right. */
export function maskPlaceholders(text: string): string {
  return text.replace(PLACEHOLDER_RE, (m) => PLACEHOLDER_MARK + m.slice(2, -2) + '\u27e7\u27e7');
}

export interface Analysis {
  report: UserDataReport;
  parsed?: ParsedYaml;
  /** The document as plain data (undefined when the YAML does not parse). */
  data?: Record<string, unknown>;
}

function finish(diags: Diagnostic[]): UserDataReport {
  const sorted = [...diags].sort((a, b) => a.line - b.line || a.column - b.column);
  const errors = sorted.filter((d) => d.severity === 'error');
  return { valid: errors.length === 0, errors, warnings: sorted.filter((d) => d.severity === 'warning') };
}

export function checkHeader(text: string): Diagnostic | undefined {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  if (first.trimEnd() === CLOUD_CONFIG_HEADER) return undefined;
  const elsewhere = text.split(/\r?\n/).findIndex((l) => l.trimEnd() === CLOUD_CONFIG_HEADER);
  const message =
    elsewhere > 0
      ? `the first line must be "#cloud-config" but it is on line ${elsewhere + 1}; move it to the top, or Kairos ignores the file`
      : /^#\s+cloud-config\s*$/.test(first)
        ? `the first line must be exactly "#cloud-config" (no space after "#"); Kairos ignores the file otherwise`
        : `the first line must be "#cloud-config"; Kairos ignores the file otherwise`;
  return { severity: 'error', rule: 'cloud-config-header', path: '', line: 1, column: 1, message };
}

export interface AnalyzeOptions {
  /**
   * true (default): the text may be a profile template, so {{host.id}}-style placeholders are
   * a warning. false: the text is final user-data (to bake or serve), so an unfilled placeholder
   * is an error.
   */
  template?: boolean;
}

/** Validate user-data text. Never throws for bad input. */
export function analyzeUserData(text: string, opts: AnalyzeOptions = {}): Analysis {
  const diags: Diagnostic[] = [];
  if (!text.trim()) {
    return {
      report: finish([
        {
          severity: 'error',
          rule: 'empty',
          path: '',
          line: 1,
          column: 1,
          message: 'the file is empty; user-data starts with "#cloud-config" followed by YAML keys',
        },
      ]),
    };
  }
  const header = checkHeader(text);
  if (header) diags.push(header);
  const masked = maskPlaceholders(text);
  const parsed = parseYaml(masked);
  const syntax = syntaxDiagnostics(parsed);
  diags.push(...syntax);
  if (syntax.some((d) => d.severity === 'error')) return { report: finish(diags), parsed };
  diags.push(...duplicateKeys(parsed));

  const root = parsed.doc.contents as Node | null;
  if (root && !isMap(root)) {
    const pos = root.range ? posAt(parsed, root.range[0]) : { line: 1, column: 1 };
    diags.push({
      severity: 'error',
      rule: 'root-not-map',
      path: '',
      ...pos,
      message: `the document must be a map of keys (stylus:, install:, stages:), not ${isSeq(root) ? 'a list' : 'a single value'}`,
    });
    return { report: finish(diags), parsed };
  }
  let data: Record<string, unknown>;
  try {
    data = (parsed.doc.toJS({ maxAliasCount: 1000 }) ?? {}) as Record<string, unknown>;
  } catch {
    // yaml refuses documents whose aliases expand exponentially ("billion laughs").
    diags.push({
      severity: 'error',
      rule: 'yaml-aliases',
      path: '',
      ...posAt(parsed, (root?.range ?? [0])[0]),
      message: 'the document expands its YAML aliases (*name) too many times; write the values out instead',
    });
    return { report: finish(diags), parsed };
  }

  const handled: PathSeg[][] = [];
  const emit = (f: Finding) => {
    const pos = positionOf(parsed, f.path, f.at);
    diags.push({
      severity: f.severity,
      rule: f.rule,
      path: pathToString(f.path),
      line: pos.line,
      column: pos.column,
      message: f.message,
    });
  };
  for (const f of docsMistakes(parsed)) {
    handled.push(f.path);
    // `stages:` left empty by the mis-indentation is part of the same mistake.
    if (f.rule === 'initramfs-misplaced' && data.stages === null) handled.push(['stages']);
    emit(f);
  }
  for (const f of typoFindings(root as YAMLMap | null, [])) {
    if (!handled.some((h) => startsWith(f.path, h))) emit(f);
  }
  const res = UserDataSchema.safeParse(data);
  if (!res.success)
    for (const issue of res.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      if (handled.some((h) => startsWith(path, h))) continue;
      const value = valueAt(data, path);
      const key = String(path[path.length - 1] ?? '');
      // `stylus:` with nothing under it: harmless to the installer, but most likely unfinished.
      if (
        value === null &&
        issue.code === 'invalid_type' &&
        ['object', 'array', 'record'].includes(issue.expected)
      )
        emit({
          severity: 'warning',
          rule: 'empty-value',
          path,
          at: 'key',
          message: `${key} is empty; add its ${issue.expected === 'array' ? 'items' : 'keys'} or remove it`,
        });
      else
        emit({ severity: 'error', rule: 'schema', path, at: 'value', message: schemaMessage(issue, value) });
    }
  for (const f of checkRules(data)) emit(f);

  const ph = PLACEHOLDER_RE.exec(text);
  PLACEHOLDER_RE.lastIndex = 0;
  if (ph) {
    const pos = posAt(parsed, ph.index);
    diags.push(
      opts.template === false
        ? {
            severity: 'error',
            rule: 'placeholder-unfilled',
            path: '',
            ...pos,
            message: `placeholder {{${ph[1]}}} is not filled in; render the profile for a host first ("edgebench userdata render --profile NAME --host ID")`,
          }
        : {
            severity: 'warning',
            rule: 'placeholders',
            path: '',
            ...pos,
            message: `this is a profile template: placeholders such as {{${ph[1]}}} are filled in per host by "edgebench userdata render"`,
          },
    );
  }
  return { report: finish(diags), parsed, data };
}

const startsWith = (p: PathSeg[], prefix: PathSeg[]) => prefix.every((s, i) => String(p[i]) === String(s));

function valueAt(data: unknown, path: PathSeg[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg as string];
  }
  return cur;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing (an empty value)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `"${v.length > 60 ? v.slice(0, 57) + '...' : v}" (text)`;
  return `${String(v)} (a ${typeof v})`;
}

function schemaMessage(issue: z.core.$ZodIssue, value: unknown): string {
  const key = String(issue.path[issue.path.length - 1] ?? 'value');
  switch (issue.code) {
    case 'invalid_type': {
      const expected = issue.expected;
      if (expected === 'boolean') {
        const hint =
          typeof value === 'string' && /^(true|false|yes|no)$/i.test(value) ? ' (remove the quotes)' : '';
        return `${key} must be true or false, found ${describe(value)}${hint}`;
      }
      const what: Record<string, string> = {
        string: 'text',
        number: 'a number',
        array: 'a list',
        object: 'a map',
        record: 'a map',
      };
      return `${key} must be ${what[expected] ?? expected}, found ${describe(value)}`;
    }
    case 'invalid_value':
      return `${key} must be one of ${issue.values.map(String).join(', ')}, found ${describe(value)}`;
    case 'too_small':
    case 'too_big':
      return key === 'port'
        ? `${key} must be a port number from 1 to 65535, found ${describe(value)}`
        : `${key} is out of range: ${issue.message}`;
    case 'invalid_union':
      return `${key} must be text or a number, found ${describe(value)}`;
    default:
      return `${key}: ${issue.message}`;
  }
}

/** The two mistakes Palette's own docs show: `initramfs` beside `stages`, and `users` as a list. */
function docsMistakes(p: ParsedYaml): Finding[] {
  const out: Finding[] = [];
  const root = p.doc.contents;
  if (!isMap(root)) return out;
  const top = (k: string) => root.items.find((it) => isScalar(it.key) && it.key.value === k);
  const initramfs = top('initramfs');
  if (initramfs) {
    const stages = top('stages');
    out.push({
      severity: 'error',
      rule: 'initramfs-misplaced',
      path: ['initramfs'],
      at: 'key',
      message: `"initramfs" is at the top level${stages ? ' beside "stages"' : ''}, so Kairos ignores it and its users are never created; indent "initramfs:" (and everything under it) two spaces so it sits under "stages:"`,
    });
  }
  const checkSteps = (steps: unknown, path: PathSeg[]) => {
    if (!isSeq(steps)) return;
    steps.items.forEach((step, i) => {
      if (!isMap(step)) return;
      const users = step.items.find((it) => isScalar(it.key) && it.key.value === 'users');
      if (users && isSeq(users.value)) {
        const first = users.value.items[0];
        const nameNode = isMap(first)
          ? first.items.find((it) => isScalar(it.key) && it.key.value === 'name')
          : undefined;
        const name = nameNode && isScalar(nameNode.value) ? String(nameNode.value.value) : 'kairos';
        out.push({
          severity: 'error',
          rule: 'users-as-list',
          path: [...path, i, 'users'],
          at: 'key',
          message: `"users" is written as a list, but Kairos expects a map keyed by user name; write "users:" then "  ${name}:" with passwd, groups and ssh_authorized_keys indented under it, instead of "- name: ${name}"`,
        });
      }
    });
  };
  if (initramfs) checkSteps(initramfs.value, ['initramfs']);
  const stages = top('stages');
  if (stages && isMap(stages.value))
    for (const it of stages.value.items)
      if (isScalar(it.key)) checkSteps(it.value, ['stages', String(it.key.value)]);
  return out;
}

function typoFindings(node: YAMLMap | null, path: PathSeg[]): Finding[] {
  const out: Finding[] = [];
  const walk = (n: unknown, p: PathSeg[]) => {
    if (isMap(n)) {
      const known = knownKeysAt(p);
      for (const pair of n.items) {
        if (!isScalar(pair.key)) continue;
        const k = String(pair.key.value);
        if (known && !known.includes(k)) {
          const s = suggestKey(k, known);
          if (s)
            out.push({
              severity: 'warning',
              rule: 'typo',
              path: [...p, k],
              at: 'key',
              message: `unknown key "${k}": did you mean "${s}"? The installer ignores "${k}"`,
            });
        }
        walk(pair.value, [...p, k]);
      }
    } else if (isSeq(n)) n.items.forEach((it, i) => walk(it, [...p, i]));
  };
  walk(node, path);
  return out;
}
