// Reading a manifest (CSV or YAML) into raw rows that remember where every value came from, so
// validation can name the row and column of each problem.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { ManifestIssue, StagingSite } from '../../shared/contract/staging';
import { columnLetter, parseCsv } from './csv';

export const FIELDS = [
  'name',
  'serial',
  'mac',
  'site',
  'profile',
  'ip',
  'mask',
  'gateway',
  'nameserver',
  'nic',
  'hostname',
  'tags',
  'delivery',
] as const;
export type Field = (typeof FIELDS)[number];

const ALIASES: Record<string, Field> = {
  name: 'name',
  id: 'name',
  hostid: 'name',
  edgehostid: 'name',
  host: 'name',
  serial: 'serial',
  serialnumber: 'serial',
  sn: 'serial',
  mac: 'mac',
  macaddress: 'mac',
  site: 'site',
  profile: 'profile',
  ip: 'ip',
  ipaddress: 'ip',
  address: 'ip',
  mask: 'mask',
  netmask: 'mask',
  prefix: 'mask',
  subnetmask: 'mask',
  gateway: 'gateway',
  gw: 'gateway',
  nameserver: 'nameserver',
  nameservers: 'nameserver',
  dns: 'nameserver',
  nic: 'nic',
  interface: 'nic',
  hostname: 'hostname',
  tags: 'tags',
  delivery: 'delivery',
  via: 'delivery',
};

export function canonicalField(header: string): Field | undefined {
  return ALIASES[header.toLowerCase().replace(/[^a-z0-9]/g, '')];
}

export interface Pos {
  row: number;
  column: number;
  where: string;
}

export interface RawValue extends Pos {
  value: string;
  /** The name the file used (CSV header or YAML key). */
  name: string;
}

export interface RawHost {
  anchor: Pos;
  values: Partial<Record<Field, RawValue>>;
  /** YAML tags given as a map keep their pairs. */
  tagMap?: Record<string, string>;
}

export interface RawSite extends Pos {
  site: Partial<StagingSite>;
  subnetPos: Record<number, Pos>;
  gatewayPos?: Pos;
}

export interface RawManifest {
  format: 'csv' | 'yaml';
  hosts: RawHost[];
  sites: RawSite[];
  issues: ManifestIssue[];
}

export function issue(
  pos: Pos,
  field: string,
  message: string,
  severity: 'error' | 'warning' = 'error',
): ManifestIssue {
  return { severity, row: pos.row, column: pos.column, field, where: pos.where, message };
}

export function detectFormat(fileName: string, text: string): 'csv' | 'yaml' {
  if (/\.ya?ml$/i.test(fileName)) return 'yaml';
  if (/\.csv$/i.test(fileName)) return 'csv';
  const first = text.split(/\r?\n/).find((l) => l.trim() && !l.trim().startsWith('#')) ?? '';
  return /^(hosts|sites)\s*:/.test(first.trim()) || first.trim().startsWith('- ') ? 'yaml' : 'csv';
}

const csvPos = (row: number, column: number): Pos => ({
  row,
  column,
  where: `${columnLetter(column)}${row}`,
});

export function readCsvManifest(text: string): RawManifest {
  const { records, problems } = parseCsv(text);
  const issues: ManifestIssue[] = problems.map((p) => issue(csvPos(p.row, p.column), 'csv', p.message));
  const hosts: RawHost[] = [];
  if (!records.length) {
    issues.push(
      issue(
        csvPos(1, 1),
        'header',
        'the manifest is empty; the first row must name the columns (name,mac,site,profile,...)',
      ),
    );
    return { format: 'csv', hosts, sites: [], issues };
  }
  const header = records[0];
  const columns: Array<Field | undefined> = [];
  const seen = new Map<Field, number>();
  for (const h of header) {
    const f = canonicalField(h.value);
    const pos = csvPos(h.row, h.column);
    if (!h.value.trim()) {
      issues.push(issue(pos, 'header', `column ${h.column} has no name in the header row`));
    } else if (!f) {
      issues.push(
        issue(
          pos,
          h.value,
          `unknown column "${h.value}"; known columns: ${FIELDS.join(', ')} (and ipAddress, prefix, dns)`,
        ),
      );
    } else if (seen.has(f)) {
      issues.push(
        issue(pos, h.value, `column "${h.value}" repeats column ${columnLetter(seen.get(f)!)} (${f})`),
      );
    } else seen.set(f, h.column);
    columns.push(f && seen.get(f) === h.column ? f : undefined);
  }
  for (const req of ['name', 'site', 'profile'] as const) {
    if (!seen.has(req))
      issues.push(
        issue(
          csvPos(1, header.length + 1),
          req,
          `the header has no "${req}" column; every manifest needs name, site and profile`,
        ),
      );
  }
  for (const rec of records.slice(1)) {
    const anchor = csvPos(rec[0].row, 1);
    if (rec.length !== header.length) {
      const col = Math.min(rec.length, header.length) + (rec.length > header.length ? 1 : 0);
      issues.push(
        issue(
          csvPos(rec[0].row, col),
          'csv',
          `this row has ${rec.length} fields but the header has ${header.length}; check for an unquoted comma`,
        ),
      );
    }
    const values: RawHost['values'] = {};
    rec.forEach((cell, i) => {
      const f = columns[i];
      if (!f) return;
      values[f] = { ...csvPos(cell.row, cell.column), value: cell.value.trim(), name: header[i].value };
    });
    hosts.push({ anchor, values });
  }
  return { format: 'csv', hosts, sites: [], issues };
}

function yamlPosFactory(lc: LineCounter) {
  return (node: YamlNode | null | undefined, fallback: Pos): Pos => {
    const off = node?.range?.[0];
    if (off === undefined) return fallback;
    const { line, col } = lc.linePos(off);
    return { row: line, column: col, where: `line ${line}, column ${col}` };
  };
}

function scalarText(node: unknown): string | undefined {
  if (isScalar(node)) return node.value === null || node.value === undefined ? '' : String(node.value);
  return undefined;
}

export function readYamlManifest(text: string): RawManifest {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const at = yamlPosFactory(lc);
  const top: Pos = { row: 1, column: 1, where: 'line 1, column 1' };
  const issues: ManifestIssue[] = [];
  for (const e of doc.errors) {
    const p = e.linePos?.[0] ?? { line: 1, col: 1 };
    issues.push(
      issue(
        { row: p.line, column: p.col, where: `line ${p.line}, column ${p.col}` },
        'yaml',
        e.message.split('\n')[0],
      ),
    );
  }
  const hosts: RawHost[] = [];
  const sites: RawSite[] = [];
  if (issues.length) return { format: 'yaml', hosts, sites, issues };
  let hostSeq: unknown = doc.contents;
  let siteSeq: unknown;
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      const k = scalarText(pair.key);
      if (k === 'hosts') hostSeq = pair.value;
      else if (k === 'sites') siteSeq = pair.value;
      else
        issues.push(
          issue(
            at(pair.key as YamlNode, top),
            String(k),
            `unknown top-level key "${k}"; expected hosts and sites`,
          ),
        );
    }
    if (hostSeq === doc.contents) hostSeq = undefined;
  }
  if (!isSeq(hostSeq)) {
    issues.push(
      issue(
        at(hostSeq as YamlNode, top),
        'hosts',
        'the manifest needs a "hosts:" list with one entry per host',
      ),
    );
    return { format: 'yaml', hosts, sites, issues };
  }
  for (const item of hostSeq.items) {
    const anchor = at(item as YamlNode, top);
    if (!isMap(item)) {
      issues.push(issue(anchor, 'hosts', 'each host must be a map (name: ..., mac: ..., site: ...)'));
      continue;
    }
    const raw: RawHost = { anchor, values: {} };
    for (const pair of item.items) {
      const key = scalarText(pair.key) ?? '';
      const f = canonicalField(key);
      const kpos = at(pair.key as YamlNode, anchor);
      if (!f) {
        issues.push(issue(kpos, key, `unknown key "${key}"; known keys: ${FIELDS.join(', ')}`));
        continue;
      }
      const vpos = at(pair.value as YamlNode, kpos);
      if (f === 'tags' && isMap(pair.value)) {
        raw.tagMap = {};
        for (const tp of pair.value.items) raw.tagMap[scalarText(tp.key) ?? ''] = scalarText(tp.value) ?? '';
        raw.values.tags = { ...vpos, value: '', name: key };
        continue;
      }
      if (f === 'nameserver' && isSeq(pair.value)) {
        raw.values[f] = {
          ...vpos,
          value: pair.value.items.map((x) => scalarText(x) ?? '').join(';'),
          name: key,
        };
        continue;
      }
      const v = scalarText(pair.value);
      if (v === undefined) {
        issues.push(issue(vpos, key, `"${key}" must be a single value`));
        continue;
      }
      raw.values[f] = { ...vpos, value: v.trim(), name: key };
    }
    hosts.push(raw);
  }
  if (siteSeq !== undefined) sites.push(...readYamlSites(siteSeq, at, top, issues));
  return { format: 'yaml', hosts, sites, issues };
}

function readYamlSites(
  seq: unknown,
  at: ReturnType<typeof yamlPosFactory>,
  top: Pos,
  issues: ManifestIssue[],
): RawSite[] {
  const out: RawSite[] = [];
  if (!isSeq(seq)) {
    issues.push(
      issue(at(seq as YamlNode, top), 'sites', '"sites:" must be a list of {name, subnet(s), gateway}'),
    );
    return out;
  }
  for (const item of seq.items) {
    const pos = at(item as YamlNode, top);
    if (!isMap(item)) {
      issues.push(issue(pos, 'sites', 'each site must be a map (name, subnet, gateway)'));
      continue;
    }
    const rs: RawSite = { ...pos, site: {}, subnetPos: {} };
    for (const pair of item.items) {
      const key = scalarText(pair.key) ?? '';
      const vpos = at(pair.value as YamlNode, pos);
      if (key === 'subnets' && isSeq(pair.value)) {
        rs.site.subnets = pair.value.items.map((x, i) => {
          rs.subnetPos[i] = at(x as YamlNode, vpos);
          return scalarText(x) ?? '';
        });
      } else if (key === 'subnet' || key === 'subnets') {
        rs.site.subnets = [scalarText(pair.value) ?? ''];
        rs.subnetPos[0] = vpos;
      } else if (key === 'name' || key === 'gateway' || key === 'nameserver' || key === 'description') {
        rs.site[key] = scalarText(pair.value) ?? '';
        if (key === 'gateway') rs.gatewayPos = vpos;
      } else {
        issues.push(
          issue(
            at(pair.key as YamlNode, pos),
            key,
            `unknown site key "${key}"; expected name, subnet(s), gateway, nameserver`,
          ),
        );
      }
    }
    out.push(rs);
  }
  return out;
}
