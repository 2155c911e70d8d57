// Semantic rules over the parsed user-data value: what the installer needs to register and
// network the host. Each finding names its key path; validate.ts turns paths into line:col.
import { checkEdgeHostId } from './edge-host-id';
import { formatIpv4, maskToPrefix, networkOf, parseIpv4, sameSubnet, splitCidr } from './ipv4';
import { checkCaCert, checkSshPublicKey } from './ssh-keys';
import { suggestKey } from './typos';
import type { PathSeg } from './yaml-doc';

export interface Finding {
  severity: 'error' | 'warning';
  rule: string;
  path: PathSeg[];
  /** Point at the key (or, when the path does not exist, at its deepest existing key) or the value. */
  at: 'key' | 'value';
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

/** Placeholders ({{host.id}}) are masked before analysis; values holding one are checked per host. */
export const PLACEHOLDER_MARK = '\u27e6\u27e6';
const isPlaceholder = (v: unknown) => typeof v === 'string' && v.includes(PLACEHOLDER_MARK);

export const HASHED_PASSWORD = /^\$(1|2[aby]|5|6|7|y|gy|sha1|md5)\$/;
export function isPlainPassword(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && !HASHED_PASSWORD.test(v) && !isPlaceholder(v);
}

const HOST_NAME =
  /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:\d{1,5})?$/;

export function checkRules(data: Obj): Finding[] {
  const out: Finding[] = [];
  const err = (path: PathSeg[], rule: string, message: string, at: 'key' | 'value' = 'value') =>
    out.push({ severity: 'error', rule, path, at, message });
  const warn = (path: PathSeg[], rule: string, message: string, at: 'key' | 'value' = 'value') =>
    out.push({ severity: 'warning', rule, path, at, message });

  const stylus = isObj(data.stylus) ? data.stylus : {};
  const site = isObj(stylus.site) ? stylus.site : {};
  const S = ['stylus', 'site'];

  // --- registration
  const mode = stylus.managementMode ?? 'central';
  /** ` (found "paletteEndPoint": a misspelling?)` when the site has a near-miss of `key`. */
  const nearMiss = (key: string) => {
    const k = Object.keys(site).find((x) => x !== key && suggestKey(x, [key]) === key);
    return k ? ` (found "${k}": a misspelling?)` : '';
  };
  if (mode === 'central') {
    if (!str(site.paletteEndpoint))
      err(
        [...S, 'paletteEndpoint'],
        'missing-endpoint',
        `paletteEndpoint is required with central management (the default; set stylus.managementMode: local for a locally managed host)${nearMiss('paletteEndpoint')}`,
        'key',
      );
    if (!str(site.edgeHostToken) && !str(site.registrationURL))
      err(
        [...S, 'edgeHostToken'],
        'missing-registration',
        `central management needs edgeHostToken (auto-registration) or registrationURL (QR registration)${nearMiss('edgeHostToken') || nearMiss('registrationURL')}`,
        'key',
      );
  }
  const ep = str(site.paletteEndpoint);
  if (ep && !isPlaceholder(ep)) {
    const m = /^[a-z][a-z0-9+.-]*:\/\/([^/]*)/i.exec(ep);
    if (m)
      err(
        [...S, 'paletteEndpoint'],
        'endpoint-format',
        `paletteEndpoint must be a host name without a scheme: write "${m[1]}", not "${ep}"`,
      );
    else if (ep.includes('/'))
      err(
        [...S, 'paletteEndpoint'],
        'endpoint-format',
        `paletteEndpoint must be a host name without a path: write "${ep.split('/')[0]}", not "${ep}"`,
      );
    else if (!HOST_NAME.test(ep))
      err([...S, 'paletteEndpoint'], 'endpoint-format', `paletteEndpoint "${ep}" is not a valid host name`);
  }
  checkUrl(site.registrationURL, [...S, 'registrationURL'], 'registrationURL', ['http:', 'https:'], err);

  // --- identity
  const name = str(site.name);
  if (name !== undefined && !isPlaceholder(name)) {
    const problem = checkEdgeHostId(name);
    if (problem) err([...S, 'name'], 'edge-host-id', problem);
  }
  const hostName = str(site.hostName);
  if (
    hostName &&
    !isPlaceholder(hostName) &&
    (!/^[A-Za-z0-9-.]+$/.test(hostName) || !HOST_NAME.test(hostName))
  )
    err(
      [...S, 'hostName'],
      'hostname',
      `hostName "${hostName}" is not a valid host name (letters, digits and "-", labels of at most 63 characters)`,
    );
  const prefix = str(site.prefix);
  if (prefix !== undefined && !isPlaceholder(prefix) && !/^[A-Za-z0-9-]+$/.test(prefix))
    err([...S, 'prefix'], 'prefix', `prefix "${prefix}" may contain only letters, digits and "-"`);
  if (Array.isArray(site.deviceUIDPaths))
    site.deviceUIDPaths.forEach((d, i) => {
      if (isObj(d) && typeof d.regex === 'string') {
        try {
          new RegExp(d.regex);
        } catch {
          err(
            [...S, 'deviceUIDPaths', i, 'regex'],
            'regex',
            `regex "${d.regex}" is not a valid regular expression`,
          );
        }
      }
    });
  if (Array.isArray(site.caCerts))
    site.caCerts.forEach((c, i) => {
      if (typeof c !== 'string' || isPlaceholder(c)) return;
      const problem = checkCaCert(c);
      if (problem) err([...S, 'caCerts', i], 'ca-cert', `CA certificate ${i + 1} ${problem}`);
    });

  // --- network
  const net = isObj(site.network) ? site.network : undefined;
  if (net) {
    const N = [...S, 'network'];
    checkUrl(net.httpProxy, [...N, 'httpProxy'], 'httpProxy', ['http:', 'https:', 'socks5:'], err);
    checkUrl(net.httpsProxy, [...N, 'httpsProxy'], 'httpsProxy', ['http:', 'https:', 'socks5:'], err);
    checkNameservers(net.nameserver, [...N, 'nameserver'], err);
    if (isFlatNetwork(net)) {
      warn(
        N,
        'network-old-form',
        'old flat network form (type, ipAddress, mask, gateway directly under network); write it as interfaces.<nic> — "edgebench userdata convert FILE" does this',
        'key',
      );
      checkNic(net, N, 'network', err, warn);
    }
    if (isObj(net.interfaces))
      for (const [nic, v] of Object.entries(net.interfaces))
        if (isObj(v)) checkNic(v, [...N, 'interfaces', nic], nic, err, warn);
  }

  // --- users
  if (isObj(data.stages))
    for (const [stage, steps] of Object.entries(data.stages)) {
      if (!Array.isArray(steps)) continue;
      steps.forEach((step, i) => {
        if (isObj(step) && isObj(step.users))
          for (const [u, user] of Object.entries(step.users))
            if (isObj(user)) checkUser(user, ['stages', stage, i, 'users', u], u, err, warn);
      });
    }
  // Users the Palette agent creates (stylus.site.users): a list or a map keyed by user name.
  if (Array.isArray(site.users))
    site.users.forEach((user, i) => {
      if (isObj(user)) checkUser(user, [...S, 'users', i], str(user.name) ?? `#${i + 1}`, err, warn);
    });
  else if (isObj(site.users))
    for (const [u, user] of Object.entries(site.users))
      if (isObj(user)) checkUser(user, [...S, 'users', u], u, err, warn);
  if (Array.isArray(data.users))
    data.users.forEach((user, i) => {
      if (isObj(user)) checkUser(user, ['users', i], str(user.name) ?? `#${i + 1}`, err, warn);
    });

  // --- install
  const install = isObj(data.install) ? data.install : {};
  if (install.poweroff === true && install.reboot === true)
    warn(
      ['install', 'reboot'],
      'poweroff-and-reboot',
      'install sets both poweroff and reboot; the host powers off',
    );
  return out;
}

export function isFlatNetwork(net: Obj): boolean {
  return ['type', 'ipAddress', 'mask', 'gateway'].some((k) => k in net);
}

type Emit = (path: PathSeg[], rule: string, message: string, at?: 'key' | 'value') => void;

function checkUrl(v: unknown, path: PathSeg[], key: string, schemes: string[], err: Emit) {
  const s = str(v);
  if (!s || isPlaceholder(s)) return;
  let ok: boolean;
  try {
    const u = new URL(s);
    ok = schemes.includes(u.protocol) && !!u.hostname;
  } catch {
    ok = false;
  }
  if (!ok)
    err(
      path,
      'url',
      `${key} "${s}" is not a valid URL; write it with a scheme, like ${schemes[0]}//host${key === 'registrationURL' ? '/path' : ':3128'}`,
    );
}

function checkNameservers(v: unknown, path: PathSeg[], err: Emit) {
  const s = str(v);
  if (!s || isPlaceholder(s)) return;
  for (const ns of s.split(/[\s,]+/).filter(Boolean))
    if (/^[\d.]+$/.test(ns) && parseIpv4(ns) === undefined)
      err(path, 'ipv4', `nameserver "${ns}" is not a valid IPv4 address`);
}

function checkNic(nic: Obj, P: PathSeg[], name: string, err: Emit, warn: Emit) {
  const type = nic.type;
  const ipRaw = str(nic.ipAddress);
  const maskRaw = str(nic.mask);
  const gwRaw = str(nic.gateway);
  checkNameservers(nic.nameserver, [...P, 'nameserver'], err);
  const label = name === 'network' ? 'the static network' : `static interface ${name}`;
  if (type !== 'static') {
    if (type === 'dhcp' && (ipRaw || gwRaw))
      warn(
        P,
        'dhcp-ignores-static',
        `interface ${name} uses dhcp, so its ipAddress and gateway are ignored`,
        'key',
      );
    else if (type === undefined && ipRaw)
      warn(
        P,
        'nic-type-missing',
        `interface ${name} has an ipAddress but no type; add "type: static"`,
        'key',
      );
    return;
  }
  let addr: number | undefined;
  let prefix: number | undefined;
  const anyPlaceholder = [ipRaw, maskRaw, gwRaw].some((v) => v !== undefined && isPlaceholder(v));
  if (!ipRaw) err([...P, 'ipAddress'], 'missing-ip', `${label} needs ipAddress`, 'key');
  else if (!isPlaceholder(ipRaw)) {
    const { address, prefix: pfx } = splitCidr(ipRaw);
    addr = parseIpv4(address);
    if (addr === undefined)
      err([...P, 'ipAddress'], 'ipv4', `ipAddress "${address}" is not a valid IPv4 address`);
    if (pfx !== undefined) {
      prefix = /^\d{1,2}$/.test(pfx) ? maskToPrefix(pfx) : undefined;
      if (prefix === undefined)
        err(
          [...P, 'ipAddress'],
          'prefix-length',
          `"/${pfx}" on ipAddress is not a valid prefix length (0-32)`,
        );
    }
  }
  if (maskRaw && !isPlaceholder(maskRaw)) {
    const mp = maskToPrefix(maskRaw);
    if (mp === undefined)
      err(
        [...P, 'mask'],
        'mask',
        `mask "${maskRaw}" is not a valid subnet mask (write it like 255.255.255.0 or as a prefix length like 24)`,
      );
    else if (prefix !== undefined && prefix !== mp)
      warn(
        [...P, 'mask'],
        'mask-mismatch',
        `mask ${maskRaw} (/${mp}) disagrees with the /${prefix} on ipAddress`,
      );
    else prefix = mp;
  } else if (!maskRaw && ipRaw && !isPlaceholder(ipRaw) && splitCidr(ipRaw).prefix === undefined)
    err([...P, 'mask'], 'missing-mask', `${label} needs mask (or a /prefix on ipAddress)`, 'key');
  if (!gwRaw) err([...P, 'gateway'], 'missing-gateway', `${label} needs gateway`, 'key');
  else if (!isPlaceholder(gwRaw)) {
    const gw = parseIpv4(gwRaw);
    if (gw === undefined) err([...P, 'gateway'], 'ipv4', `gateway "${gwRaw}" is not a valid IPv4 address`);
    else if (addr !== undefined && prefix !== undefined && !anyPlaceholder) {
      const ipText = splitCidr(ipRaw!).address;
      if (gw === addr)
        err([...P, 'gateway'], 'gateway-is-address', `gateway ${gwRaw} is the host's own ipAddress`);
      else if (!sameSubnet(gw, addr, prefix))
        err(
          [...P, 'gateway'],
          'gateway-outside-subnet',
          `gateway ${gwRaw} is outside the subnet ${formatIpv4(networkOf(addr, prefix))}/${prefix} of ipAddress ${ipText}`,
        );
    }
  }
  if (addr !== undefined && prefix !== undefined && prefix <= 30 && !anyPlaceholder) {
    const size = 2 ** (32 - prefix);
    const net = networkOf(addr, prefix);
    if (addr === net || addr === net + size - 1)
      err(
        [...P, 'ipAddress'],
        'ip-not-host',
        `ipAddress ${formatIpv4(addr)} is the ${addr === net ? 'network' : 'broadcast'} address of ${formatIpv4(net)}/${prefix}, not a host address`,
      );
  }
}

function checkUser(user: Obj, P: PathSeg[], name: string, err: Emit, warn: Emit) {
  if (isPlainPassword(user.passwd))
    warn(
      [...P, 'passwd'],
      'plain-password',
      `password of user ${name} is plain text; it is hashed (SHA-512 crypt) when rendered, exported or saved, unless you keep plain passwords on purpose`,
    );
  if (Array.isArray(user.ssh_authorized_keys))
    user.ssh_authorized_keys.forEach((k, i) => {
      if (typeof k !== 'string' || isPlaceholder(k)) return;
      const problem = checkSshPublicKey(k);
      if (problem)
        err([...P, 'ssh_authorized_keys', i], 'ssh-key', `${problem} (user ${name}, key ${i + 1})`);
    });
}
