// DHCPv4 packets (RFC 2131/2132): parse and serialize, with strict bounds checks. A malformed
// packet throws PacketError; callers log and skip it.

export class PacketError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PacketError';
  }
}

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
export const MAGIC_COOKIE = 0x63825363;
/** Fixed header (236) + magic cookie (4). */
export const HEADER_LEN = 240;
/** Largest packet we accept (a UDP datagram on Ethernet without fragmentation is 1472 bytes; allow jumbo). */
export const MAX_PACKET = 9000;

export enum MessageType {
  DISCOVER = 1,
  OFFER = 2,
  REQUEST = 3,
  DECLINE = 4,
  ACK = 5,
  NAK = 6,
  RELEASE = 7,
  INFORM = 8,
}

export const Opt = {
  PAD: 0,
  SUBNET_MASK: 1,
  ROUTER: 3,
  DNS: 6,
  HOSTNAME: 12,
  VENDOR_SPECIFIC: 43,
  REQUESTED_IP: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAM_REQUEST: 55,
  MESSAGE: 56,
  MAX_MESSAGE_SIZE: 57,
  VENDOR_CLASS: 60,
  CLIENT_ID: 61,
  TFTP_SERVER: 66,
  BOOTFILE: 67,
  USER_CLASS: 77,
  CLIENT_ARCH: 93,
  CLIENT_NDI: 94,
  CLIENT_UUID: 97,
  IPXE_ENCAP: 175,
  END: 255,
} as const;

export interface DhcpPacket {
  op: number;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** 16 bytes; the first `hlen` are the hardware address. */
  chaddr: Buffer;
  sname: string;
  file: string;
  /** Option code -> value (repeated options are concatenated, RFC 3396). Order kept. */
  options: Map<number, Buffer>;
}

function ip(buf: Buffer, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

export function ipToBuffer(addr: string): Buffer {
  const parts = addr.split('.');
  if (parts.length !== 4) throw new PacketError(`not an IPv4 address: ${addr}`);
  const out = Buffer.alloc(4);
  parts.forEach((p, i) => {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new PacketError(`not an IPv4 address: ${addr}`);
    out[i] = Number(p);
  });
  return out;
}

function cstring(buf: Buffer): string {
  const end = buf.indexOf(0);
  return buf.subarray(0, end < 0 ? buf.length : end).toString('latin1');
}

/** Reads options from buf[start..end) into `into`; returns whether END was seen. */
function readOptions(buf: Buffer, start: number, end: number, into: Map<number, Buffer>): boolean {
  let i = start;
  while (i < end) {
    const code = buf[i];
    if (code === Opt.PAD) {
      i++;
      continue;
    }
    if (code === Opt.END) return true;
    if (i + 1 >= end) throw new PacketError(`option ${code} at offset ${i} has no length byte`);
    const len = buf[i + 1];
    if (i + 2 + len > end)
      throw new PacketError(`option ${code} at offset ${i} claims ${len} bytes past the end`);
    const val = buf.subarray(i + 2, i + 2 + len);
    const prev = into.get(code);
    into.set(code, prev ? Buffer.concat([prev, val]) : Buffer.from(val));
    i += 2 + len;
  }
  return false;
}

export function parsePacket(buf: Buffer): DhcpPacket {
  if (buf.length < HEADER_LEN) throw new PacketError(`packet too short (${buf.length} bytes)`);
  if (buf.length > MAX_PACKET) throw new PacketError(`packet too long (${buf.length} bytes)`);
  const op = buf[0];
  if (op !== BOOTREQUEST && op !== BOOTREPLY) throw new PacketError(`bad op ${op}`);
  const hlen = buf[2];
  if (hlen > 16) throw new PacketError(`bad hardware address length ${hlen}`);
  if (buf.readUInt32BE(236) !== MAGIC_COOKIE) throw new PacketError('no DHCP magic cookie');
  const options = new Map<number, Buffer>();
  readOptions(buf, HEADER_LEN, buf.length, options);
  const p: DhcpPacket = {
    op,
    htype: buf[1],
    hlen,
    hops: buf[3],
    xid: buf.readUInt32BE(4),
    secs: buf.readUInt16BE(8),
    flags: buf.readUInt16BE(10),
    ciaddr: ip(buf, 12),
    yiaddr: ip(buf, 16),
    siaddr: ip(buf, 20),
    giaddr: ip(buf, 24),
    chaddr: Buffer.from(buf.subarray(28, 44)),
    sname: cstring(buf.subarray(44, 108)),
    file: cstring(buf.subarray(108, 236)),
    options,
  };
  // Option overload (52): the file and/or sname fields carry options too.
  const overload = options.get(Opt.OVERLOAD);
  if (overload) {
    if (overload.length !== 1 || overload[0] < 1 || overload[0] > 3)
      throw new PacketError('bad option overload value');
    if (overload[0] & 1) {
      readOptions(buf, 108, 236, options);
      p.file = '';
    }
    if (overload[0] & 2) {
      readOptions(buf, 44, 108, options);
      p.sname = '';
    }
  }
  return p;
}

function writeCString(out: Buffer, off: number, max: number, s: string): void {
  const b = Buffer.from(s, 'latin1');
  if (b.length >= max) throw new PacketError(`field "${s.slice(0, 40)}..." longer than ${max - 1} bytes`);
  b.copy(out, off);
}

export function serializePacket(p: DhcpPacket): Buffer {
  const opts: Buffer[] = [];
  for (const [code, val] of p.options) {
    if (code === Opt.PAD || code === Opt.END) continue;
    // RFC 3396: values over 255 bytes are split into several instances of the option.
    for (let i = 0; i === 0 || i < val.length; i += 255) {
      const part = val.subarray(i, i + 255);
      opts.push(Buffer.from([code, part.length]), part);
    }
  }
  opts.push(Buffer.from([Opt.END]));
  const optBuf = Buffer.concat(opts);
  const len = Math.max(300, HEADER_LEN + optBuf.length);
  if (len > 1472) throw new PacketError(`reply would be ${len} bytes, over one Ethernet frame`);
  const out = Buffer.alloc(len);
  out[0] = p.op;
  out[1] = p.htype;
  out[2] = p.hlen;
  out[3] = p.hops;
  out.writeUInt32BE(p.xid >>> 0, 4);
  out.writeUInt16BE(p.secs & 0xffff, 8);
  out.writeUInt16BE(p.flags & 0xffff, 10);
  ipToBuffer(p.ciaddr).copy(out, 12);
  ipToBuffer(p.yiaddr).copy(out, 16);
  ipToBuffer(p.siaddr).copy(out, 20);
  ipToBuffer(p.giaddr).copy(out, 24);
  p.chaddr.copy(out, 28, 0, Math.min(16, p.chaddr.length));
  writeCString(out, 44, 64, p.sname);
  writeCString(out, 108, 128, p.file);
  out.writeUInt32BE(MAGIC_COOKIE, 236);
  optBuf.copy(out, HEADER_LEN);
  return out;
}

// ---- Accessors for what PXE needs ----

export function messageType(p: DhcpPacket): MessageType | undefined {
  const v = p.options.get(Opt.MESSAGE_TYPE);
  return v && v.length === 1 ? (v[0] as MessageType) : undefined;
}

/** Lower-case colon MAC from chaddr (Ethernet only: htype 1, hlen 6). */
export function clientMac(p: DhcpPacket): string | undefined {
  if (p.htype !== 1 || p.hlen !== 6) return undefined;
  return [...p.chaddr.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function optString(p: DhcpPacket, code: number): string | undefined {
  const v = p.options.get(code);
  return v ? v.toString('latin1') : undefined;
}

export function optIp(p: DhcpPacket, code: number): string | undefined {
  const v = p.options.get(code);
  return v && v.length === 4 ? ip(v, 0) : undefined;
}

/** Option 93 (RFC 4578): the first architecture type listed. */
export function clientArch(p: DhcpPacket): number | undefined {
  const v = p.options.get(Opt.CLIENT_ARCH);
  return v && v.length >= 2 && v.length % 2 === 0 ? v.readUInt16BE(0) : undefined;
}

/**
 * Option 77 user classes. iPXE sends the bare string "iPXE"; RFC 3004 clients send
 * length-prefixed entries. Both forms are returned.
 */
export function userClasses(p: DhcpPacket): string[] {
  const v = p.options.get(Opt.USER_CLASS);
  if (!v || !v.length) return [];
  const out = [v.toString('latin1')];
  let i = 0;
  const list: string[] = [];
  while (i < v.length) {
    const n = v[i];
    if (n === 0 || i + 1 + n > v.length) return out;
    list.push(v.subarray(i + 1, i + 1 + n).toString('latin1'));
    i += 1 + n;
  }
  return [...out, ...list];
}

export function isIpxe(p: DhcpPacket): boolean {
  return p.options.has(Opt.IPXE_ENCAP) || userClasses(p).includes('iPXE');
}

/** Returns the vendor class prefix when the client is a PXE or UEFI HTTP boot client. */
export function pxeClientClass(p: DhcpPacket): 'PXEClient' | 'HTTPClient' | undefined {
  const vc = optString(p, Opt.VENDOR_CLASS);
  if (vc?.startsWith('PXEClient')) return 'PXEClient';
  if (vc?.startsWith('HTTPClient')) return 'HTTPClient';
  return undefined;
}

/** A reply skeleton echoing the request's transaction fields. */
export function replyTo(req: DhcpPacket): DhcpPacket {
  return {
    op: BOOTREPLY,
    htype: req.htype,
    hlen: req.hlen,
    hops: 0,
    xid: req.xid,
    secs: 0,
    flags: req.flags,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: req.giaddr,
    chaddr: Buffer.from(req.chaddr),
    sname: '',
    file: '',
    options: new Map(),
  };
}

/** IPv4 helpers for pools and broadcast addresses. */
export function ipToInt(addr: string): number {
  return ipToBuffer(addr).readUInt32BE(0);
}
export function intToIp(n: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return ip(b, 0);
}
export function broadcastOf(address: string, netmask: string): string {
  return intToIp((ipToInt(address) & ipToInt(netmask)) | (~ipToInt(netmask) >>> 0));
}
