// TFTP packets (RFC 1350) and option negotiation (RFC 2347 options, 2348 blksize, 2349
// timeout/tsize, 7440 windowsize). Parsing throws TftpError with the error code to answer.

export const Op = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

export const TftpErr = {
  NOT_DEFINED: 0,
  NOT_FOUND: 1,
  ACCESS: 2,
  DISK_FULL: 3,
  ILLEGAL: 4,
  UNKNOWN_TID: 5,
  EXISTS: 6,
  NO_USER: 7,
  OPTION: 8,
} as const;

export class TftpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'TftpError';
  }
}

/** Largest request we read (RFC 1350 requests fit 512 bytes; options may add a little). */
export const MAX_REQUEST = 1024;
export const MAX_FILENAME = 255;

export interface ReadRequest {
  op: 1 | 2;
  filename: string;
  mode: 'octet' | 'netascii';
  /** Lower-case option name -> value, as sent. */
  options: Map<string, string>;
}

export function parseRequest(buf: Buffer): ReadRequest {
  if (buf.length < 4) throw new TftpError(TftpErr.ILLEGAL, 'request too short');
  if (buf.length > MAX_REQUEST)
    throw new TftpError(TftpErr.ILLEGAL, `request too long (${buf.length} bytes)`);
  const op = buf.readUInt16BE(0);
  if (op !== Op.RRQ && op !== Op.WRQ) throw new TftpError(TftpErr.ILLEGAL, `unexpected opcode ${op}`);
  if (buf[buf.length - 1] !== 0) throw new TftpError(TftpErr.ILLEGAL, 'request is not NUL-terminated');
  const fields = buf
    .subarray(2, buf.length - 1)
    .toString('latin1')
    .split('\0');
  if (fields.length < 2 || fields.length % 2 !== 0)
    throw new TftpError(TftpErr.ILLEGAL, 'malformed request fields');
  const [filename, modeRaw] = fields;
  if (!filename) throw new TftpError(TftpErr.ILLEGAL, 'empty file name');
  if (filename.length > MAX_FILENAME) throw new TftpError(TftpErr.ILLEGAL, 'file name too long');
  const mode = modeRaw.toLowerCase();
  if (mode !== 'octet' && mode !== 'netascii')
    throw new TftpError(
      TftpErr.ILLEGAL,
      `transfer mode "${modeRaw.slice(0, 20)}" is not supported (octet or netascii)`,
    );
  const options = new Map<string, string>();
  for (let i = 2; i < fields.length; i += 2) {
    const name = fields[i].toLowerCase();
    if (!name) throw new TftpError(TftpErr.ILLEGAL, 'empty option name');
    options.set(name, fields[i + 1]);
  }
  return { op: op as 1 | 2, filename, mode, options };
}

export function errorPacket(code: number, message: string): Buffer {
  const msg = Buffer.from(message.slice(0, 200), 'latin1');
  const out = Buffer.alloc(4 + msg.length + 1);
  out.writeUInt16BE(Op.ERROR, 0);
  out.writeUInt16BE(code, 2);
  msg.copy(out, 4);
  return out;
}

export function ackPacket(block: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt16BE(Op.ACK, 0);
  out.writeUInt16BE(block & 0xffff, 2);
  return out;
}

export function oackPacket(opts: Map<string, string>): Buffer {
  const parts: Buffer[] = [Buffer.from([0, Op.OACK])];
  for (const [k, v] of opts) parts.push(Buffer.from(`${k}\0${v}\0`, 'latin1'));
  return Buffer.concat(parts);
}

export function dataHeader(block: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt16BE(Op.DATA, 0);
  out.writeUInt16BE(block & 0xffff, 2);
  return out;
}

export interface Negotiated {
  blksize: number;
  windowsize: number;
  timeoutMs: number;
  /** Options to acknowledge in an OACK (empty: no OACK, start with DATA 1). */
  oack: Map<string, string>;
}

export interface Limits {
  maxBlksize: number;
  maxWindowsize: number;
  defaultTimeoutMs: number;
}

/** RFC 2347: accept what we support within range, leave out the rest. */
export function negotiate(req: ReadRequest, size: number, lim: Limits): Negotiated {
  const n: Negotiated = { blksize: 512, windowsize: 1, timeoutMs: lim.defaultTimeoutMs, oack: new Map() };
  const int = (v: string) => (/^\d{1,10}$/.test(v) ? Number(v) : NaN);
  const blk = req.options.get('blksize');
  if (blk !== undefined) {
    const v = int(blk);
    if (v >= 8) {
      n.blksize = Math.min(v, 65464, lim.maxBlksize);
      n.oack.set('blksize', String(n.blksize));
    }
  }
  const to = req.options.get('timeout');
  if (to !== undefined) {
    const v = int(to);
    if (v >= 1 && v <= 255) {
      n.timeoutMs = v * 1000;
      n.oack.set('timeout', String(v));
    }
  }
  if (req.options.has('tsize')) n.oack.set('tsize', String(size));
  const win = req.options.get('windowsize');
  if (win !== undefined) {
    const v = int(win);
    if (v >= 1 && v <= 65535) {
      n.windowsize = Math.min(v, lim.maxWindowsize);
      n.oack.set('windowsize', String(n.windowsize));
    }
  }
  return n;
}

/** RFC 1350 netascii: LF -> CR LF, CR -> CR NUL. */
export function toNetascii(b: Buffer): Buffer {
  let extra = 0;
  for (const c of b) if (c === 10 || c === 13) extra++;
  const out = Buffer.alloc(b.length + extra);
  let j = 0;
  for (const c of b) {
    if (c === 10) {
      out[j++] = 13;
      out[j++] = 10;
    } else if (c === 13) {
      out[j++] = 13;
      out[j++] = 0;
    } else out[j++] = c;
  }
  return out;
}
