// Which machines PXE boots and with what user-data: hosts from the store (by MAC, rendered from
// their profile), rows of a hosts CSV file, and optionally unknown MACs with a default profile.
import path from 'node:path';
import type { Host } from '../../shared/contract/hosts';
import { AppError } from '../../shared/errors';
import { readTextFile } from '../core/fs-safe';
import type { Store } from '../store';
import { renderHostUserData } from '../userdata';
import { DEFAULT_CMDLINE_TEMPLATE } from './cmdline';
import type { HostLookup } from './policy';

export interface BootHost {
  hostId: string;
  mac: string;
  source: 'store' | 'csv' | 'default';
  profile?: string;
  /** A ready user-data file (CSV column `userdata`), used as is. */
  userDataFile?: string;
  values: Host['values'];
  site?: string;
  serial?: string;
}

export function normalizeMacLoose(s: string): string | undefined {
  const hex = s.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 12 || !/^[0-9a-f:.-]+$/i.test(s.trim())) return undefined;
  return hex.match(/../g)!.join(':');
}

/** RFC 4180-ish CSV: quotes, doubled quotes, commas and newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') q = false;
      else field += c;
    } else if (c === '"' && field === '') q = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (q) throw new AppError('EINVALID', 'the hosts file has an unterminated quoted field');
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

const VALUE_COLUMNS: Record<string, string> = {
  ip: 'ipAddress',
  ipaddress: 'ipAddress',
  mask: 'mask',
  netmask: 'mask',
  gateway: 'gateway',
  nameserver: 'nameserver',
  dns: 'nameserver',
  nic: 'nic',
  hostname: 'hostName',
};

/**
 * Reads a hosts CSV (header: mac,name,profile,ip,mask,gateway,... and optionally `userdata`, a
 * user-data file path relative to the CSV). Every row needs a MAC, a name and either a profile or
 * a user-data file. All problems are reported together with their line numbers.
 */
export async function readHostsCsv(file: string): Promise<BootHost[]> {
  const text = await readTextFile(file, { what: 'hosts CSV file', maxBytes: 16 * 1024 * 1024 });
  const rows = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!rows.length)
    throw new AppError('EINVALID', `${file} is empty; expected a header line mac,name,profile,...`);
  const header = rows[0].map((h) =>
    h
      .trim()
      .toLowerCase()
      .replace(/[\s_-]/g, ''),
  );
  const col = (n: string) => header.indexOf(n);
  if (col('mac') < 0 || col('name') < 0)
    throw new AppError(
      'EINVALID',
      `${file}: the header must name at least the columns mac and name (got: ${rows[0].join(',')})`,
    );
  const problems: string[] = [];
  const out: BootHost[] = [];
  const seen = new Map<string, number>();
  rows.slice(1).forEach((r, i) => {
    const line = i + 2;
    const get = (n: string) => (col(n) >= 0 ? (r[col(n)] ?? '').trim() : '');
    const mac = normalizeMacLoose(get('mac'));
    const name = get('name');
    if (!mac) problems.push(`line ${line}: "${get('mac')}" is not a MAC address`);
    if (!name) problems.push(`line ${line}: the name is empty`);
    if (mac && seen.has(mac)) problems.push(`line ${line}: MAC ${mac} is already on line ${seen.get(mac)}`);
    if (mac) seen.set(mac, line);
    const ud = get('userdata');
    const profile = get('profile');
    if (!ud && !profile) problems.push(`line ${line}: give a profile or a userdata file`);
    const values: Record<string, string> = {};
    header.forEach((h, j) => {
      const v = (r[j] ?? '').trim();
      if (!v || ['mac', 'name', 'profile', 'userdata', 'site', 'serial'].includes(h)) return;
      values[VALUE_COLUMNS[h] ?? rows[0][j].trim()] = v;
    });
    if (mac && name)
      out.push({
        hostId: name,
        mac,
        source: 'csv',
        profile: profile || undefined,
        userDataFile: ud ? path.resolve(path.dirname(file), ud) : undefined,
        values: values as Host['values'],
        site: get('site') || undefined,
        serial: get('serial') || undefined,
      });
  });
  if (problems.length)
    throw new AppError(
      'EINVALID',
      `${file} has ${problems.length} problem(s): ${problems.slice(0, 10).join('; ')}`,
      {
        problems,
      },
    );
  return out;
}

export interface HostDirectoryOptions {
  store?: Store;
  csvHosts?: BootHost[];
  allowUnknown?: boolean;
  defaultProfile?: string;
  /** Overrides every profile's template (tests, the staging run). */
  cmdlineTemplate?: string;
}

export class HostDirectory implements HostLookup {
  private readonly csv = new Map<string, BootHost>();
  readonly allowUnknown: boolean;

  constructor(private readonly opts: HostDirectoryOptions) {
    // Rows given in-process (the staging run) may spell MACs any way: key them like the wire does.
    for (const h of opts.csvHosts ?? []) {
      const mac = normalizeMacLoose(h.mac);
      if (!mac) throw new AppError('EINVALID', `host ${h.hostId}: "${h.mac}" is not a MAC address`);
      this.csv.set(mac, { ...h, mac });
    }
    this.allowUnknown = Boolean(opts.allowUnknown);
  }

  async lookup(mac: string): Promise<BootHost | undefined> {
    const c = this.csv.get(mac);
    if (c) return c;
    const h = this.opts.store ? await this.opts.store.hosts.getByMac(mac).catch(() => undefined) : undefined;
    if (h)
      return {
        hostId: h.id,
        mac,
        source: 'store',
        profile: h.profile,
        values: h.values,
        site: h.site,
        serial: h.serial,
      };
    if (this.allowUnknown && this.opts.defaultProfile)
      return {
        hostId: `pxe-${mac.replace(/:/g, '')}`,
        mac,
        source: 'default',
        profile: this.opts.defaultProfile,
        values: {},
      };
    return undefined;
  }

  async hostIdFor(mac: string): Promise<string | undefined> {
    const h = await this.lookup(mac);
    return h && h.source !== 'default' ? h.hostId : undefined;
  }

  /** Known hosts with a MAC (for status and the UI table). */
  async list(): Promise<Array<{ mac: string; hostId: string; source: 'store' | 'csv' }>> {
    const out: Array<{ mac: string; hostId: string; source: 'store' | 'csv' }> = [...this.csv.values()].map(
      (h) => ({
        mac: h.mac,
        hostId: h.hostId,
        source: 'csv' as const,
      }),
    );
    if (this.opts.store)
      for (const h of await this.opts.store.hosts.list({ limit: 100000 }))
        if (h.mac && !this.csv.has(h.mac)) out.push({ mac: h.mac, hostId: h.id, source: 'store' });
    return out;
  }

  /** Whether a machine gets user-data at all (decides config_url on its kernel line). */
  async hasUserData(mac: string): Promise<boolean> {
    const h = await this.lookup(mac);
    return Boolean(h && (h.userDataFile || h.profile));
  }

  /** Renders (or reads) the user-data of a MAC. Undefined for machines this service does not know. */
  async userData(mac: string): Promise<{ text: string; host: BootHost; from: string } | undefined> {
    const h = await this.lookup(mac);
    if (!h) return undefined;
    if (h.userDataFile)
      return {
        text: await readTextFile(h.userDataFile, { what: 'user-data file' }),
        host: h,
        from: h.userDataFile,
      };
    if (!h.profile)
      throw new AppError('ENOTFOUND', `host ${h.hostId} (${mac}) has no profile and no user-data file`);
    const store = this.opts.store;
    if (!store)
      throw new AppError('ENOTFOUND', `host ${h.hostId} names profile ${h.profile} but no store is open`);
    const profile = await store.profiles.get(h.profile);
    if (!profile)
      throw new AppError(
        'ENOTFOUND',
        `host ${h.hostId} (${mac}) names profile "${h.profile}", which does not exist`,
      );
    const text = renderHostUserData(profile.userData, {
      id: h.hostId,
      values: h.values,
      site: h.site,
      mac: h.mac,
      serial: h.serial,
    });
    return { text, host: h, from: `profile ${h.profile}` };
  }

  async cmdlineTemplate(mac: string): Promise<string> {
    if (this.opts.cmdlineTemplate) return this.opts.cmdlineTemplate;
    const h = await this.lookup(mac);
    if (h?.profile && this.opts.store) {
      const t = await this.opts.store.pxe.cmdlineTemplate(h.profile).catch(() => undefined);
      if (t) return t;
    }
    return DEFAULT_CMDLINE_TEMPLATE;
  }
}
