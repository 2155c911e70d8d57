// IPv4 addresses, masks and subnets for manifest validation (pure, no I/O).

export function parseIpv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p, i) => p > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith('0')))) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export function prefixToMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** "255.255.255.0" or "24" or "/24" -> 24; undefined when not a contiguous mask. */
export function parseMask(s: string): number | undefined {
  const t = s.trim().replace(/^\//, '');
  if (/^\d{1,2}$/.test(t)) {
    const p = Number(t);
    return p >= 0 && p <= 32 ? p : undefined;
  }
  const n = parseIpv4(t);
  if (n === undefined) return undefined;
  for (let p = 0; p <= 32; p++) if (prefixToMask(p) === n) return p;
  return undefined;
}

export interface Cidr {
  network: number;
  prefix: number;
  text: string;
}

/** "10.0.10.0/24" -> Cidr; host bits must be zero. Returns an error message on failure. */
export function parseCidr(s: string): Cidr | string {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s.trim());
  if (!m) return `"${s}" is not a subnet in CIDR form (e.g. 10.0.10.0/24)`;
  const ip = parseIpv4(m[1]);
  const prefix = Number(m[2]);
  if (ip === undefined) return `"${m[1]}" is not an IPv4 address`;
  if (prefix > 32) return `/${prefix} is not a valid prefix length (0-32)`;
  const network = (ip & prefixToMask(prefix)) >>> 0;
  if (network !== ip) return `"${s}" has host bits set; the network is ${formatIpv4(network)}/${prefix}`;
  return { network, prefix, text: `${formatIpv4(network)}/${prefix}` };
}

export function inCidr(ip: number, c: Cidr): boolean {
  return (ip & prefixToMask(c.prefix)) >>> 0 === c.network;
}

/** Network or broadcast address of a subnet with room for hosts (/30 and wider). */
export function isReservedInCidr(ip: number, c: Cidr): 'network' | 'broadcast' | undefined {
  if (c.prefix >= 31) return undefined;
  if (ip === c.network) return 'network';
  const bcast = (c.network | (~prefixToMask(c.prefix) >>> 0)) >>> 0;
  return ip === bcast ? 'broadcast' : undefined;
}
