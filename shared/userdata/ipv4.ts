// IPv4 helpers for the network rules: address syntax, masks and prefixes, subnet membership.

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The address as a 32-bit unsigned number, or undefined when it is not dotted-quad IPv4. */
export function parseIpv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** A dotted netmask (255.255.255.0) or a prefix length ("24", "/24") as a prefix length. */
export function maskToPrefix(mask: string): number | undefined {
  const m = mask.trim().replace(/^\//, '');
  if (/^\d{1,2}$/.test(m)) {
    const n = Number(m);
    return n >= 0 && n <= 32 ? n : undefined;
  }
  const v = parseIpv4(m);
  if (v === undefined) return undefined;
  const bits = v.toString(2).padStart(32, '0');
  if (!/^1*0*$/.test(bits)) return undefined;
  return bits.indexOf('0') === -1 ? 32 : bits.indexOf('0');
}

export function prefixToMask(prefix: number): string {
  return formatIpv4(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}

/** Splits "10.0.0.5/24" into address and prefix. */
export function splitCidr(s: string): { address: string; prefix?: string } {
  const i = s.indexOf('/');
  return i === -1 ? { address: s.trim() } : { address: s.slice(0, i).trim(), prefix: s.slice(i + 1).trim() };
}

export function networkOf(addr: number, prefix: number): number {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (addr & mask) >>> 0;
}

export function sameSubnet(a: number, b: number, prefix: number): boolean {
  return networkOf(a, prefix) === networkOf(b, prefix);
}
