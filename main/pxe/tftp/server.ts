// Read-only TFTP server: RFC 1350 with blksize/tsize/timeout (RFC 2347-2349) and windowsize
// (RFC 7440), retransmission on timeout, many transfers at once (one socket per transfer, as
// the RFC's transfer IDs want). Writes are refused; names cannot leave the served folder.
import dgram from 'node:dgram';
import fs from 'node:fs';
import { bindUdp, closeUdp } from '../dhcp/udp';
import {
  dataHeader,
  errorPacket,
  negotiate,
  oackPacket,
  Op,
  parseRequest,
  TftpErr,
  TftpError,
  toNetascii,
  type ReadRequest,
} from './packet';
import { resolveInside } from './safe-path';
import { FileCache, type FileSource } from './file-cache';

export interface TransferResult {
  file: string;
  address: string;
  port: number;
  bytes: number;
  size: number;
  ok: boolean;
  /** The client only asked for the size (OACK answered with error 8), as PXE ROMs do. */
  queryOnly?: boolean;
  error?: string;
  ms: number;
  blksize: number;
  windowsize: number;
}

export interface TftpConfig {
  root: string;
  port?: number;
  bindAddress?: string;
  maxTransfers?: number;
  maxBlksize?: number;
  maxWindowsize?: number;
  /** Retransmissions of one window before giving up. */
  retries?: number;
  defaultTimeoutMs?: number;
  onTransfer?: (r: TransferResult) => void;
  onRefused?: (r: { file: string; address: string; reason: string }) => void;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

export class TftpServer {
  private sock?: dgram.Socket;
  private realRoot = '';
  private readonly active = new Map<string, Transfer>();
  readonly cache = new FileCache();
  readonly stats = { requests: 0, malformed: 0, refused: 0, transfers: 0 };

  constructor(readonly cfg: TftpConfig) {}

  get port(): number {
    return this.sock?.address().port ?? 0;
  }
  get activeTransfers(): number {
    return this.active.size;
  }

  async start(): Promise<void> {
    this.realRoot = await fs.promises.realpath(this.cfg.root);
    this.sock = await bindUdp(this.cfg.port ?? 69, this.cfg.bindAddress ?? '0.0.0.0', 'TFTP server');
    this.sock.on('error', (e) => this.log('warn', `TFTP socket: ${e.message}`));
    this.sock.on('message', (msg, rinfo) => this.onRequest(msg, rinfo));
  }

  /** The listening socket stops keeping the process alive (transfers still do while they run). */
  unref(): void {
    this.sock?.unref();
  }

  async stop(): Promise<void> {
    const s = this.sock;
    this.sock = undefined;
    for (const t of [...this.active.values()]) t.abort('server stopping');
    await closeUdp(s);
    this.cache.clear();
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', m: string) {
    this.cfg.log?.(level, m);
  }

  private refuse(rinfo: dgram.RemoteInfo, code: number, message: string, file = '') {
    this.stats.refused++;
    this.sock?.send(errorPacket(code, message), rinfo.port, rinfo.address);
    if (file) this.cfg.onRefused?.({ file, address: rinfo.address, reason: message });
  }

  private onRequest(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    this.stats.requests++;
    let req: ReadRequest;
    try {
      req = parseRequest(msg);
    } catch (e) {
      this.stats.malformed++;
      // Answer only things that look like requests; stray DATA/ACK/garbage is dropped.
      const op = msg.length >= 2 ? msg.readUInt16BE(0) : 0;
      if (op === Op.RRQ || op === Op.WRQ)
        this.refuse(rinfo, (e as TftpError).code ?? TftpErr.ILLEGAL, (e as Error).message);
      return;
    }
    if (req.op === Op.WRQ)
      return this.refuse(rinfo, TftpErr.ACCESS, 'this TFTP server is read-only', req.filename);
    const key = `${rinfo.address}:${rinfo.port}`;
    if (this.active.has(key)) return; // a retransmitted RRQ: the transfer already answers it
    if (this.active.size >= (this.cfg.maxTransfers ?? 512))
      return this.refuse(rinfo, TftpErr.NOT_DEFINED, 'server busy, try again');
    const t = new Transfer(this, req, rinfo, () => this.active.delete(key));
    this.active.set(key, t);
    this.stats.transfers++;
    t.run().catch((e: unknown) =>
      this.log('error', `TFTP transfer of ${req.filename}: ${(e as Error).message}`),
    );
  }

  /** Opens the requested file (checks included) as a block source. */
  async openSource(req: ReadRequest): Promise<FileSource> {
    const real = await resolveInside(this.realRoot, req.filename);
    const src = await this.cache.open(real).catch((e: NodeJS.ErrnoException) => {
      if (e instanceof TftpError) throw e;
      throw new TftpError(e.code === 'ENOENT' ? TftpErr.NOT_FOUND : TftpErr.ACCESS, 'file cannot be read');
    });
    if (req.mode === 'netascii') {
      if (src.size > 16 * 1024 * 1024) {
        src.release();
        throw new TftpError(TftpErr.ILLEGAL, 'netascii transfers are limited to 16 MiB; use octet mode');
      }
      const whole = await src.read(0, src.size);
      src.release();
      const conv = toNetascii(whole);
      return {
        size: conv.length,
        read: async (o, l) => conv.subarray(o, o + l),
        readSync: (o, l) => conv.subarray(o, o + l),
        release: () => undefined,
      };
    }
    return src;
  }
}

class Transfer {
  private sock?: dgram.Socket;
  private timer?: NodeJS.Timeout;
  private done = false;
  private src?: FileSource;
  private blksize = 512;
  private window = 1;
  private timeoutMs = 1000;
  private lastBlock = 0;
  /** First block not yet acknowledged, and the highest block sent (absolute numbers). */
  private base = 1;
  private sentUpTo = 0;
  private tries = 0;
  private waitingOack = false;
  private oack?: Buffer;
  private readonly t0 = Date.now();
  private bytesAcked = 0;

  constructor(
    private readonly server: TftpServer,
    private readonly req: ReadRequest,
    private readonly peer: dgram.RemoteInfo,
    private readonly onEnd: () => void,
  ) {}

  async run(): Promise<void> {
    const cfg = this.server.cfg;
    try {
      this.sock = await bindUdp(0, cfg.bindAddress ?? '0.0.0.0', 'TFTP transfer', { reuseAddr: false });
    } catch (e) {
      this.finish(false, (e as Error).message);
      return;
    }
    this.sock.on('error', () => undefined);
    this.sock.on('message', (m, r) => this.onMessage(m, r));
    // A connected socket: the kernel drops datagrams from other transfer IDs, and send() skips
    // the per-packet address lookup (the fast path of lock-step transfers).
    const sock = this.sock;
    await new Promise<void>((resolve) => sock.connect(this.peer.port, this.peer.address, () => resolve()));
    try {
      const src = await this.server.openSource(this.req);
      if (this.done) return src.release(); // aborted (server stopping) while the file was opened
      this.src = src;
    } catch (e) {
      const te = e instanceof TftpError ? e : new TftpError(TftpErr.NOT_DEFINED, (e as Error).message);
      this.send(errorPacket(te.code, te.message));
      this.server.cfg.onRefused?.({
        file: this.req.filename,
        address: this.peer.address,
        reason: te.message,
      });
      this.finish(false, te.message);
      return;
    }
    const n = negotiate(this.req, this.src.size, {
      maxBlksize: cfg.maxBlksize ?? 65464,
      maxWindowsize: cfg.maxWindowsize ?? 64,
      defaultTimeoutMs: cfg.defaultTimeoutMs ?? 1000,
    });
    this.blksize = n.blksize;
    this.window = n.windowsize;
    this.timeoutMs = n.timeoutMs;
    this.lastBlock = Math.floor(this.src.size / this.blksize) + 1;
    if (n.oack.size) {
      this.waitingOack = true;
      this.oack = oackPacket(n.oack);
      this.send(this.oack);
      this.arm();
    } else await this.sendWindow();
  }

  abort(reason: string): void {
    if (this.done) return;
    this.send(errorPacket(TftpErr.NOT_DEFINED, reason));
    this.finish(false, reason);
  }

  private send(b: Buffer | Buffer[]): void {
    try {
      this.sock?.send(b);
    } catch {
      /* socket closed */
    }
  }

  private arm(): void {
    // One timer per transfer, restarted with refresh() (no allocation per window).
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(() => this.onTimeout(), this.timeoutMs);
  }

  private onTimeout(): void {
    if (this.done) return;
    if (++this.tries > (this.server.cfg.retries ?? 5)) {
      this.send(errorPacket(TftpErr.NOT_DEFINED, 'timed out waiting for an acknowledgement'));
      this.finish(false, `client stopped acknowledging at block ${this.base}`);
      return;
    }
    this.timer = undefined;
    if (this.waitingOack && this.oack) {
      this.send(this.oack);
      this.arm();
    } else {
      this.sentUpTo = this.base - 1;
      void this.sendWindow();
    }
  }

  private async sendWindow(): Promise<void> {
    if (this.done || !this.src) return;
    const from = Math.max(this.base, this.sentUpTo + 1);
    const to = Math.min(this.base + this.window - 1, this.lastBlock);
    if (from > to) return;
    const off = (from - 1) * this.blksize;
    const len = Math.min(this.src.size, to * this.blksize) - off;
    const chunk = len > 0 ? await this.src.read(off, len) : Buffer.alloc(0);
    if (this.done) return;
    for (let b = from; b <= to; b++) {
      const s = (b - from) * this.blksize;
      this.send([dataHeader(b), chunk.subarray(s, s + this.blksize)]);
    }
    this.sentUpTo = to;
    this.arm();
  }

  private onMessage(msg: Buffer, r: dgram.RemoteInfo): void {
    if (this.done) return;
    if (r.address !== this.peer.address || r.port !== this.peer.port) return; // (connected: cannot happen)
    if (msg.length < 4) return;
    const op = msg.readUInt16BE(0);
    if (op === Op.ERROR) {
      const code = msg.readUInt16BE(2);
      const text = msg.subarray(4, msg.indexOf(0, 4) < 0 ? msg.length : msg.indexOf(0, 4)).toString('latin1');
      // Code 8 after an OACK is a client that only wanted tsize (PXE ROMs do that).
      if (code === TftpErr.OPTION && this.waitingOack) this.finish(false, 'size query only', true);
      else this.finish(false, `client ended the transfer: ${text || 'error ' + code}`);
      return;
    }
    if (op !== Op.ACK) return;
    const wire = msg.readUInt16BE(2);
    if (this.waitingOack) {
      if (wire !== 0) return;
      this.waitingOack = false;
      this.tries = 0;
      void this.sendWindow();
      return;
    }
    // Map the 16-bit block number into the window [base-1, sentUpTo] (block numbers roll over).
    let abs = -1;
    for (let b = this.sentUpTo; b >= this.base - 1; b--) {
      if ((b & 0xffff) === wire) {
        abs = b;
        break;
      }
    }
    if (abs < this.base) return; // duplicate or stale ACK: ignore (no Sorcerer's Apprentice)
    this.tries = 0;
    this.base = abs + 1;
    this.bytesAcked = Math.min(abs * this.blksize, this.src?.size ?? 0);
    if (abs >= this.lastBlock) {
      this.finish(true);
      return;
    }
    if (abs < this.sentUpTo) this.sentUpTo = abs; // the client saw a gap: resend from there
    if (this.base > this.sentUpTo) void this.sendWindow();
  }

  private finish(ok: boolean, error?: string, queryOnly = false): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    const sock = this.sock;
    this.sock = undefined;
    // Let the last packets leave before closing.
    setImmediate(() => void closeUdp(sock));
    this.src?.release();
    this.onEnd();
    const size = this.src?.size ?? 0;
    this.server.cfg.onTransfer?.({
      file: this.req.filename,
      address: this.peer.address,
      port: this.peer.port,
      bytes: ok ? size : this.bytesAcked,
      size,
      ok,
      queryOnly: queryOnly || undefined,
      error: ok ? undefined : error,
      ms: Date.now() - this.t0,
      blksize: this.blksize,
      windowsize: this.window,
    });
  }
}
