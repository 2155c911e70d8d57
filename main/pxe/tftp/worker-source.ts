// The code of a TFTP transfer thread, as plain JavaScript run with `new Worker(src, { eval: true })`
// (a string, so it runs the same from the esbuild bundles and from vitest's TypeScript sources).
// The main thread parses the request, confines the path, opens the file and negotiates options;
// a thread gets the file bytes (a SharedArrayBuffer view from the file cache, not a copy) and runs
// the transfer: its own socket (new transfer ID), DATA from a preallocated ring of packets, one
// refreshed retransmit timer, windowsize, block-number rollover. This is the same state machine
// as `Transfer` in server.ts (which still serves files too large to keep in memory); keep both
// in step. Messages in: {type:'start',...} {type:'abort',id,reason} {type:'stop'}; out:
// {type:'end',id,ok,error,queryOnly,bytesAcked} and {type:'stopped'}.
export const TRANSFER_THREAD_SOURCE = String.raw`
'use strict';
const { parentPort } = require('node:worker_threads');
const dgram = require('node:dgram');
const DATA = 3, ACK = 4, ERROR = 5, ERR_UNDEFINED = 0, ERR_OPTION = 8;
const transfers = new Map();

function errorPacket(code, message) {
  const msg = Buffer.from(String(message).slice(0, 200), 'latin1');
  const out = Buffer.alloc(4 + msg.length + 1);
  out.writeUInt16BE(ERROR, 0);
  out.writeUInt16BE(code, 2);
  msg.copy(out, 4);
  return out;
}

class Transfer {
  constructor(m) {
    this.id = m.id;
    this.data = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
    this.size = this.data.length;
    this.blksize = m.blksize;
    this.window = m.windowsize;
    this.timeoutMs = m.timeoutMs;
    this.retries = m.retries;
    this.oack = m.oack ? Buffer.from(m.oack) : undefined;
    this.waitingOack = !!this.oack;
    this.lastBlock = Math.floor(this.size / this.blksize) + 1;
    this.base = 1;
    this.sentUpTo = 0;
    this.tries = 0;
    this.done = false;
    this.bytesAcked = 0;
    this.timer = undefined;
    this.sock = undefined;
    this.slots = new Array(Math.min(this.window, this.lastBlock));
  }

  start(m) {
    const sock = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    this.sock = sock;
    let connected = false;
    sock.on('error', (e) => {
      if (!connected) this.finish(false, 'cannot open a UDP socket for the transfer: ' + e.message);
    });
    sock.on('message', (msg) => this.onMessage(msg));
    sock.bind(0, m.bindAddress, () => {
      if (this.done) return;
      // Connected: the kernel drops datagrams from other transfer IDs, send() needs no address.
      sock.connect(m.port, m.address, () => {
        connected = true;
        if (this.done) return;
        if (this.waitingOack) {
          this.send(this.oack);
          this.arm();
        } else this.sendWindow();
      });
    });
  }

  send(b) {
    try {
      if (this.sock) this.sock.send(b);
    } catch {
      /* socket closed or not connected yet */
    }
  }

  arm() {
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(() => this.onTimeout(), this.timeoutMs);
  }

  onTimeout() {
    if (this.done) return;
    if (++this.tries > this.retries) {
      this.send(errorPacket(ERR_UNDEFINED, 'timed out waiting for an acknowledgement'));
      this.finish(false, 'client stopped acknowledging at block ' + this.base);
      return;
    }
    this.timer = undefined;
    if (this.waitingOack) {
      this.send(this.oack);
      this.arm();
    } else {
      this.sentUpTo = this.base - 1;
      this.sendWindow();
    }
  }

  /** DATA packet of absolute block b, built in its slot of the ring (one slot per window place). */
  packet(b) {
    const i = b % this.slots.length;
    const off = (b - 1) * this.blksize;
    const len = Math.max(0, Math.min(this.blksize, this.size - off));
    let p = this.slots[i];
    // A slot is rewritten only once its block is acknowledged; if the kernel queue was full and
    // Node still holds a packet for sending, take a fresh buffer rather than touch it.
    if (!p || this.sock.getSendQueueCount() > 0) p = this.slots[i] = Buffer.allocUnsafe(4 + this.blksize);
    p.writeUInt16BE(DATA, 0);
    p.writeUInt16BE(b & 0xffff, 2);
    this.data.copy(p, 4, off, off + len);
    return len === this.blksize ? p : p.subarray(0, 4 + len);
  }

  sendWindow() {
    if (this.done || !this.sock) return;
    const from = Math.max(this.base, this.sentUpTo + 1);
    const to = Math.min(this.base + this.window - 1, this.lastBlock);
    if (from > to) return;
    for (let b = from; b <= to; b++) this.send(this.packet(b));
    this.sentUpTo = to;
    this.arm();
  }

  onMessage(msg) {
    if (this.done || msg.length < 4) return;
    const op = msg.readUInt16BE(0);
    if (op === ERROR) {
      const code = msg.readUInt16BE(2);
      const nul = msg.indexOf(0, 4);
      const text = msg.subarray(4, nul < 0 ? msg.length : nul).toString('latin1');
      // Code 8 after an OACK is a client that only wanted tsize (PXE ROMs do that).
      if (code === ERR_OPTION && this.waitingOack) this.finish(false, 'size query only', true);
      else this.finish(false, 'client ended the transfer: ' + (text || 'error ' + code));
      return;
    }
    if (op !== ACK) return;
    const wire = msg.readUInt16BE(2);
    if (this.waitingOack) {
      if (wire !== 0) return;
      this.waitingOack = false;
      this.tries = 0;
      this.sendWindow();
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
    this.bytesAcked = Math.min(abs * this.blksize, this.size);
    if (abs >= this.lastBlock) {
      this.finish(true);
      return;
    }
    if (abs < this.sentUpTo) this.sentUpTo = abs; // the client saw a gap: resend from there
    if (this.base > this.sentUpTo) this.sendWindow();
  }

  abort(reason) {
    if (this.done) return;
    this.send(errorPacket(ERR_UNDEFINED, reason));
    this.finish(false, reason);
  }

  finish(ok, error, queryOnly) {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    const sock = this.sock;
    this.sock = undefined;
    // Let the last packets leave before closing.
    if (sock)
      setImmediate(() => {
        try {
          sock.close();
        } catch {
          /* already closed */
        }
      });
    transfers.delete(this.id);
    this.data = Buffer.alloc(0);
    parentPort.postMessage({ type: 'end', id: this.id, ok, error, queryOnly: !!queryOnly, bytesAcked: this.bytesAcked });
  }
}

parentPort.on('message', (m) => {
  if (m.type === 'start') {
    const t = new Transfer(m);
    transfers.set(m.id, t);
    t.start(m);
  } else if (m.type === 'abort') {
    const t = transfers.get(m.id);
    if (t) t.abort(m.reason);
  } else if (m.type === 'stop') {
    for (const t of [...transfers.values()]) t.abort(m.reason);
    parentPort.postMessage({ type: 'stopped' });
  }
});
`;
