// A staging manifest: one row per host (CSV with a header row, or the same as YAML), validated as
// a whole before anything runs. Every issue names its row and column. Pure: the caller passes
// the known profiles and sites.
import crypto from 'node:crypto';
import type { ManifestCheck, ManifestHost, ManifestIssue, StagingSite } from '../../shared/contract/staging';
import { checkEdgeHostId } from './adapters/userdata';
import {
  formatIpv4,
  inCidr,
  isReservedInCidr,
  parseCidr,
  parseIpv4,
  parseMask,
  prefixToMask,
  type Cidr,
} from './ipv4';
import {
  detectFormat,
  issue,
  readCsvManifest,
  readYamlManifest,
  type Pos,
  type RawHost,
  type RawValue,
} from './manifest-read';

export interface ManifestContext {
  /** Profile names that exist in the store. */
  profiles: string[];
  /** Sites from the store or a --sites file; a YAML manifest may add its own. */
  sites: StagingSite[];
  /** Delivery for rows that leave it empty (--via). */
  via?: 'usb' | 'pxe';
  /** Which host of the inventory already has this (normalised) MAC, if any. */
  macOwner?: (mac: string) => string | undefined;
}

const MAC_RE =
  /^([0-9a-f]{2})([:-]?)([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i;
const NIC_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/;
const TAG_KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;

export function normalizeMacText(s: string): string | undefined {
  const m = MAC_RE.exec(s.trim());
  if (!m) return undefined;
  return [m[1], m[3], m[4], m[5], m[6], m[7]].join(':').toLowerCase();
}

interface SiteInfo {
  site: StagingSite;
  cidrs: Cidr[];
}

function resolveSites(
  external: StagingSite[],
  raw: ReturnType<typeof readYamlManifest>['sites'],
  issues: ManifestIssue[],
): { list: StagingSite[]; byName: Map<string, SiteInfo> } {
  const byName = new Map<string, SiteInfo>();
  const list: StagingSite[] = [];
  const add = (site: StagingSite, posOf?: (i: number) => Pos, gwPos?: Pos) => {
    const cidrs: Cidr[] = [];
    site.subnets.forEach((s, i) => {
      const c = parseCidr(s);
      if (typeof c === 'string') {
        if (posOf) issues.push(issue(posOf(i), 'subnet', `site ${site.name}: ${c}`));
      } else cidrs.push(c);
    });
    if (site.gateway && gwPos) {
      const g = parseIpv4(site.gateway);
      if (g === undefined)
        issues.push(issue(gwPos, 'gateway', `site ${site.name}: "${site.gateway}" is not an IPv4 address`));
      else if (cidrs.length && !cidrs.some((c) => inCidr(g, c)))
        issues.push(
          issue(
            gwPos,
            'gateway',
            `site ${site.name}: gateway ${site.gateway} is outside its subnets ${site.subnets.join(', ')}`,
          ),
        );
    }
    byName.set(site.name, { site, cidrs });
    list.push(site);
  };
  for (const s of external) add(s);
  for (const rs of raw) {
    if (!rs.site.name) {
      issues.push(issue(rs, 'name', 'a site needs a name'));
      continue;
    }
    if (byName.has(rs.site.name) && !external.some((e) => e.name === rs.site.name)) {
      issues.push(issue(rs, 'name', `site "${rs.site.name}" is listed twice`));
      continue;
    }
    // A site in the manifest replaces a stored one of the same name for this run.
    const i = list.findIndex((x) => x.name === rs.site.name);
    if (i >= 0) list.splice(i, 1);
    add(
      {
        name: rs.site.name,
        subnets: rs.site.subnets ?? [],
        gateway: rs.site.gateway || undefined,
        nameserver: rs.site.nameserver || undefined,
        description: rs.site.description,
      },
      (i2) => rs.subnetPos[i2] ?? rs,
      rs.gatewayPos,
    );
  }
  return { list, byName };
}

function parseTags(raw: RawHost, issues: ManifestIssue[]): Record<string, string> {
  const out: Record<string, string> = {};
  const v = raw.values.tags;
  if (!v) return out;
  const pairs: Array<[string, string]> = raw.tagMap
    ? Object.entries(raw.tagMap)
    : v.value
      ? v.value
          .split(';')
          .map((p) => p.trim())
          .filter(Boolean)
          .map((p) => {
            const i = p.indexOf('=');
            if (i <= 0) {
              issues.push(issue(v, v.name, `tag "${p}" is not key=value (write tags as k=v;k=v)`));
              return ['', ''] as [string, string];
            }
            return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as [string, string];
          })
      : [];
  for (const [k, val] of pairs) {
    if (!k) continue;
    if (!TAG_KEY_RE.test(k))
      issues.push(issue(v, v.name, `tag key "${k}" may only contain letters, digits, . _ - /`));
    else if (k in out) issues.push(issue(v, v.name, `tag "${k}" is given twice`));
    else out[k] = val;
  }
  return out;
}

function validateHost(
  raw: RawHost,
  ctx: ManifestContext,
  sites: Map<string, SiteInfo>,
  profiles: Set<string>,
  issues: ManifestIssue[],
): ManifestHost | undefined {
  const before = issues.filter((i) => i.severity === 'error').length;
  const val = (f: keyof RawHost['values']): RawValue | undefined => {
    const v = raw.values[f];
    return v && v.value !== '' ? v : undefined;
  };
  const where = (f: keyof RawHost['values']): Pos => raw.values[f] ?? raw.anchor;
  const name = val('name');
  if (!name) issues.push(issue(where('name'), 'name', 'the edge host ID (name) is empty'));
  else {
    const why = checkEdgeHostId(name.value);
    if (why) issues.push(issue(name, name.name, `"${name.value}": ${why}`));
  }
  const deliveryRaw = val('delivery');
  let delivery: 'usb' | 'pxe' | undefined;
  if (deliveryRaw) {
    const d = deliveryRaw.value.toLowerCase();
    if (d === 'usb' || d === 'pxe') delivery = d;
    else
      issues.push(
        issue(deliveryRaw, deliveryRaw.name, `delivery "${deliveryRaw.value}" is neither usb nor pxe`),
      );
  } else if (ctx.via) delivery = ctx.via;
  else
    issues.push(
      issue(where('delivery'), 'delivery', 'delivery is empty; write usb or pxe, or pass --via usb|pxe'),
    );
  const macRaw = val('mac');
  let mac: string | undefined;
  if (macRaw) {
    mac = normalizeMacText(macRaw.value);
    if (!mac)
      issues.push(
        issue(
          macRaw,
          macRaw.name,
          `"${macRaw.value}" is not a MAC address (six hex bytes, e.g. 52:54:00:12:34:56)`,
        ),
      );
    else if (/^(00:){5}00$|^(ff:){5}ff$/.test(mac) || parseInt(mac.slice(0, 2), 16) & 1)
      issues.push(issue(macRaw, macRaw.name, `${mac} is not a unicast NIC address`));
    else {
      const owner = ctx.macOwner?.(mac);
      if (owner && owner !== name?.value)
        issues.push(
          issue(
            macRaw,
            macRaw.name,
            `MAC ${mac} already belongs to host ${owner} in the inventory; remove that host or fix the MAC`,
          ),
        );
    }
  } else if (delivery === 'pxe')
    issues.push(
      issue(
        where('mac'),
        'mac',
        'a PXE host needs its MAC address: the PXE service recognises it by its MAC',
      ),
    );
  const siteRaw = val('site');
  let site: SiteInfo | undefined;
  if (!siteRaw) issues.push(issue(where('site'), 'site', 'site is empty'));
  else {
    site = sites.get(siteRaw.value);
    if (!site)
      issues.push(
        issue(
          siteRaw,
          siteRaw.name,
          `unknown site "${siteRaw.value}"${sites.size ? `; known sites: ${[...sites.keys()].slice(0, 10).join(', ')}` : '; define sites in the YAML "sites:" section or with --sites FILE'}`,
        ),
      );
  }
  const profileRaw = val('profile');
  if (!profileRaw) issues.push(issue(where('profile'), 'profile', 'profile is empty'));
  else if (!profiles.has(profileRaw.value))
    issues.push(
      issue(
        profileRaw,
        profileRaw.name,
        `unknown profile "${profileRaw.value}"${profiles.size ? `; known profiles: ${[...profiles].slice(0, 10).join(', ')}` : '; no profiles are stored yet'}`,
      ),
    );
  // Static network
  const network: ManifestHost['network'] = { nameservers: [] };
  const ipRaw = val('ip');
  const maskRaw = val('mask');
  let ipNum: number | undefined;
  let prefix: number | undefined;
  let cidr: Cidr | undefined;
  if (ipRaw) {
    const [addr, pfx] = ipRaw.value.split('/');
    ipNum = parseIpv4(addr);
    if (ipNum === undefined) issues.push(issue(ipRaw, ipRaw.name, `"${addr}" is not an IPv4 address`));
    if (pfx !== undefined) {
      prefix = parseMask(pfx);
      if (prefix === undefined)
        issues.push(issue(ipRaw, ipRaw.name, `"/${pfx}" is not a prefix length (0-32)`));
    }
  }
  if (maskRaw) {
    const p = parseMask(maskRaw.value);
    if (p === undefined)
      issues.push(
        issue(maskRaw, maskRaw.name, `"${maskRaw.value}" is not a netmask (255.255.255.0) or prefix (/24)`),
      );
    else if (prefix !== undefined && p !== prefix)
      issues.push(
        issue(maskRaw, maskRaw.name, `mask /${p} disagrees with the /${prefix} written on the IP address`),
      );
    else prefix = p;
    if (!ipRaw)
      issues.push(
        issue(maskRaw, maskRaw.name, 'a mask without an IP address; fill in ip or leave both empty for DHCP'),
      );
  }
  if (ipNum !== undefined && site) {
    cidr = site.cidrs.find((c) => inCidr(ipNum!, c));
    if (!site.cidrs.length)
      issues.push(
        issue(
          ipRaw!,
          ipRaw!.name,
          `site "${site.site.name}" has no subnet, so this static IP cannot be checked; add the site's subnet (--sites FILE)`,
          'warning',
        ),
      );
    else if (!cidr)
      issues.push(
        issue(
          ipRaw!,
          ipRaw!.name,
          `${formatIpv4(ipNum)} is outside site "${site.site.name}" (subnet ${site.site.subnets.join(', ')})`,
        ),
      );
    else {
      const r = isReservedInCidr(ipNum, cidr);
      if (r)
        issues.push(issue(ipRaw!, ipRaw!.name, `${formatIpv4(ipNum)} is the ${r} address of ${cidr.text}`));
      if (prefix !== undefined && prefix !== cidr.prefix)
        issues.push(
          issue(
            maskRaw ?? ipRaw!,
            (maskRaw ?? ipRaw!).name,
            `prefix /${prefix} differs from the site subnet ${cidr.text}`,
          ),
        );
      prefix ??= cidr.prefix;
    }
  }
  if (ipNum !== undefined) {
    network.ipAddress = formatIpv4(ipNum);
    if (prefix !== undefined) {
      network.prefix = prefix;
      network.mask = formatIpv4(prefixToMask(prefix));
    }
  }
  const gwRaw = val('gateway');
  const gwText = gwRaw?.value ?? (ipRaw ? site?.site.gateway : undefined);
  if (gwRaw && !ipRaw)
    issues.push(
      issue(
        gwRaw,
        gwRaw.name,
        'a gateway without a static IP; fill in ip or leave the gateway empty for DHCP',
      ),
    );
  else if (gwText) {
    const g = parseIpv4(gwText);
    const pos = gwRaw ?? ipRaw!;
    if (g === undefined) issues.push(issue(pos, pos.name, `gateway "${gwText}" is not an IPv4 address`));
    else {
      const net =
        cidr ??
        (ipNum !== undefined && prefix !== undefined
          ? { network: (ipNum & prefixToMask(prefix)) >>> 0, prefix, text: '' }
          : undefined);
      if (net && !inCidr(g, net))
        issues.push(
          issue(
            pos,
            pos.name,
            `gateway ${gwText} is outside the host's subnet ${cidr?.text ?? `${formatIpv4(net.network)}/${net.prefix}`}`,
          ),
        );
      else if (g === ipNum) issues.push(issue(pos, pos.name, `gateway ${gwText} is the host's own address`));
      network.gateway = formatIpv4(g);
    }
  }
  const nsRaw = val('nameserver');
  const nsText = nsRaw?.value ?? (ipRaw ? site?.site.nameserver : undefined);
  if (nsText) {
    for (const ns of nsText.split(/[;,\s]+/).filter(Boolean)) {
      if (parseIpv4(ns) === undefined)
        issues.push(
          issue(nsRaw ?? ipRaw!, (nsRaw ?? ipRaw!).name, `nameserver "${ns}" is not an IPv4 address`),
        );
      else network.nameservers.push(ns);
    }
  }
  const nicRaw = val('nic');
  if (nicRaw) {
    if (!NIC_RE.test(nicRaw.value))
      issues.push(
        issue(nicRaw, nicRaw.name, `"${nicRaw.value}" is not a network interface name (e.g. eth0, enp1s0)`),
      );
    else network.nic = nicRaw.value;
  }
  const hostNameRaw = val('hostname');
  if (hostNameRaw && !/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(hostNameRaw.value))
    issues.push(
      issue(
        hostNameRaw,
        hostNameRaw.name,
        `"${hostNameRaw.value}" is not a valid hostname (letters, digits, -)`,
      ),
    );
  const tags = parseTags(raw, issues);
  const errors = issues.filter((i) => i.severity === 'error').length;
  if (errors > before || !name || !siteRaw || !profileRaw || !delivery) return undefined;
  return {
    id: name.value,
    serial: val('serial')?.value,
    mac,
    site: siteRaw.value,
    profile: profileRaw.value,
    delivery,
    hostName: hostNameRaw?.value,
    network,
    tags,
    row: raw.anchor.row,
  };
}

function checkDuplicates(
  hosts: Array<{ raw: RawHost; host: ManifestHost | undefined }>,
  issues: ManifestIssue[],
): void {
  const seen = new Map<string, Map<string, RawValue>>();
  const check = (
    kind: string,
    v: RawValue | undefined,
    key: string | undefined,
    severity: 'error' | 'warning',
    what: string,
  ) => {
    if (!v || !key) return;
    const m = seen.get(kind) ?? new Map<string, RawValue>();
    seen.set(kind, m);
    const first = m.get(key);
    if (first)
      issues.push(issue(v, v.name, `${what} "${v.value}" is already used at ${first.where}`, severity));
    else m.set(key, v);
  };
  for (const { raw } of hosts) {
    const v = raw.values;
    check('name', v.name?.value ? v.name : undefined, v.name?.value.toLowerCase(), 'error', 'edge host ID');
    check(
      'mac',
      v.mac?.value ? v.mac : undefined,
      v.mac ? normalizeMacText(v.mac.value) : undefined,
      'error',
      'MAC address',
    );
    check(
      'ip',
      v.ip?.value ? v.ip : undefined,
      v.ip ? v.ip.value.split('/')[0] : undefined,
      'error',
      'IP address',
    );
    check(
      'serial',
      v.serial?.value ? v.serial : undefined,
      v.serial?.value.toLowerCase(),
      'warning',
      'serial number',
    );
  }
}

export function manifestHash(hosts: ManifestHost[], sites: StagingSite[]): string {
  const norm = {
    hosts: hosts.map(({ row: _row, ...h }) => h),
    sites: [...sites].sort((a, b) => a.name.localeCompare(b.name)),
  };
  return crypto.createHash('sha256').update(JSON.stringify(norm)).digest('hex');
}

/** Validate a whole manifest. Never throws for bad content: problems come back as issues. */
export function validateManifest(text: string, fileName: string, ctx: ManifestContext): ManifestCheck {
  const format = detectFormat(fileName, text);
  const raw = format === 'yaml' ? readYamlManifest(text) : readCsvManifest(text);
  const issues = [...raw.issues];
  const { list: sites, byName } = resolveSites(ctx.sites, raw.sites, issues);
  const profiles = new Set(ctx.profiles);
  const checked = raw.hosts.map((r) => ({ raw: r, host: validateHost(r, ctx, byName, profiles, issues) }));
  checkDuplicates(checked, issues);
  if (!raw.hosts.length && !issues.some((i) => i.severity === 'error'))
    issues.push(
      issue(
        { row: 2, column: 1, where: format === 'csv' ? 'A2' : 'line 1, column 1' },
        'hosts',
        'the manifest lists no hosts',
      ),
    );
  issues.sort((a, b) => a.row - b.row || a.column - b.column);
  const hosts = checked.map((c) => c.host).filter((h): h is ManifestHost => !!h);
  const ok = !issues.some((i) => i.severity === 'error');
  const usedSites = sites.filter((s) => hosts.some((h) => h.site === s.name));
  return {
    ok,
    format,
    fileName,
    manifestSha256: manifestHash(hosts, usedSites),
    hosts: ok ? hosts : hosts,
    sites: usedSites,
    issues,
    counts: {
      hosts: raw.hosts.length,
      usb: hosts.filter((h) => h.delivery === 'usb').length,
      pxe: hosts.filter((h) => h.delivery === 'pxe').length,
      sites: new Set(hosts.map((h) => h.site)).size,
      profiles: new Set(hosts.map((h) => h.profile)).size,
    },
  };
}

/** One line per issue, for the CLI. */
export function formatIssue(fileName: string, i: ManifestIssue): string {
  return `${fileName}: row ${i.row}, column ${i.column} (${i.where}, ${i.field}): ${i.severity}: ${i.message}`;
}
