// The TFTP server on loopback (an unprivileged port) with real clients: tftp-hpa, atftp
// (blksize, tsize, windowsize) and busybox; option negotiation on the wire; refusals.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { negotiate, parseRequest, TftpErr, toNetascii } from '../../main/pxe/tftp/packet';
import { checkRequestedName } from '../../main/pxe/tftp/safe-path';
import { TftpServer, type TransferResult } from '../../main/pxe/tftp/server';
import { hasTool, tempDir } from '../helpers/env';

let tmp: { dir: string; cleanup(): void };
let root: string;
let server: TftpServer;
const results: TransferResult[] = [];
const refused: string[] = [];
let big: Buffer;

/** Runs a client without blocking the event loop (the server lives in this process). */
function spawnAsync(cmd: string, args: string[], o: { timeout: number; encoding?: string }) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const c = spawn(cmd, args);
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => c.kill('SIGKILL'), o.timeout);
    c.on('close', (status) => {
      clearTimeout(t);
      resolve({ status, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  tmp = tempDir('eb-tftp-');
  root = path.join(tmp.dir, 'root');
  fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
  big = crypto.randomBytes(3 * 1024 * 1024 + 77);
  fs.writeFileSync(path.join(root, 'big.bin'), big);
  fs.writeFileSync(path.join(root, 'sub', 'hello.txt'), 'hello\nworld\n');
  fs.writeFileSync(path.join(root, 'exact.bin'), crypto.randomBytes(1024)); // multiple of 512
  fs.writeFileSync(path.join(tmp.dir, 'secret.txt'), 'outside');
  fs.symlinkSync(path.join(tmp.dir, 'secret.txt'), path.join(root, 'escape'));
  fs.symlinkSync('sub/hello.txt', path.join(root, 'inside-link'));
  server = new TftpServer({
    root,
    port: 0,
    bindAddress: '127.0.0.1',
    onTransfer: (r) => results.push(r),
    onRefused: (r) => refused.push(`${r.file}: ${r.reason}`),
  });
  await server.start();
});
afterAll(async () => {
  await server?.stop();
  tmp?.cleanup();
});

function rrq(name: string, opts: Record<string, string> = {}, mode = 'octet'): Buffer {
  const parts = [name, mode, ...Object.entries(opts).flat()].map((s) => s + '\0').join('');
  return Buffer.concat([Buffer.from([0, 1]), Buffer.from(parts, 'latin1')]);
}

/** Sends one packet from a fresh socket and returns the first reply. */
function ask(pkt: Buffer): Promise<{ msg: Buffer; port: number; sock: dgram.Socket }> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const t = setTimeout(() => {
      sock.close();
      reject(new Error('no reply'));
    }, 5000);
    sock.on('message', (msg, r) => {
      clearTimeout(t);
      resolve({ msg, port: r.port, sock });
    });
    sock.bind(0, '127.0.0.1', () => sock.send(pkt, server.port, '127.0.0.1'));
  });
}

describe('TFTP packets', () => {
  it('parses requests and negotiates options within RFC ranges', () => {
    const r = parseRequest(
      rrq('a/b', { BLKSIZE: '1468', tsize: '0', timeout: '3', windowsize: '16', foo: 'x' }),
    );
    expect(r.filename).toBe('a/b');
    const n = negotiate(r, 5000, { maxBlksize: 65464, maxWindowsize: 64, defaultTimeoutMs: 1000 });
    expect(n.blksize).toBe(1468);
    expect(n.windowsize).toBe(16);
    expect(n.timeoutMs).toBe(3000);
    expect([...n.oack.entries()]).toEqual([
      ['blksize', '1468'],
      ['timeout', '3'],
      ['tsize', '5000'],
      ['windowsize', '16'],
    ]);
    const clamp = negotiate(
      parseRequest(rrq('x', { blksize: '99999', windowsize: '5000', timeout: '0' })),
      1,
      {
        maxBlksize: 65464,
        maxWindowsize: 64,
        defaultTimeoutMs: 1000,
      },
    );
    expect(clamp.blksize).toBe(65464);
    expect(clamp.windowsize).toBe(64);
    expect(clamp.oack.has('timeout')).toBe(false);
    expect(() => parseRequest(rrq('x', {}, 'mail'))).toThrow(/mode/);
    expect(() => parseRequest(Buffer.from([0, 1, 0x61, 0, 0x62]))).toThrow(/NUL/);
    expect(() => parseRequest(Buffer.concat([rrq('x'), Buffer.alloc(1100)]))).toThrow(/too long/);
    expect(toNetascii(Buffer.from('a\nb\r'))).toEqual(Buffer.from('a\r\nb\r\0'));
  });

  it('refuses names that could leave the folder', () => {
    for (const bad of ['../etc/passwd', 'sub/../../x', '/etc/passwd', '\\..\\x', 'C:/x', 'a\x01b', '..'])
      expect(() => checkRequestedName(bad), bad).toThrow();
    expect(checkRequestedName('./sub//hello.txt')).toBe('sub/hello.txt');
    expect(checkRequestedName('pxelinux.cfg\\default')).toBe('pxelinux.cfg/default');
  });
});

describe('TFTP server with real clients (loopback)', () => {
  it('serves tftp-hpa (RFC 1350, 512-byte blocks) byte-identical', async () => {
    if (!hasTool('tftp')) return expect.fail('tftp-hpa client missing');
    const out = path.join(tmp.dir, 'hpa.bin');
    const r = await spawnAsync(
      'tftp',
      ['127.0.0.1', String(server.port), '-m', 'binary', '-c', 'get', 'big.bin', out],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(fs.readFileSync(out).equals(big)).toBe(true);
    const res = results.find((x) => x.file === 'big.bin' && x.blksize === 512);
    expect(res?.ok).toBe(true);
  });

  it('serves atftp with blksize + tsize, and with windowsize (RFC 7440)', async () => {
    if (!hasTool('atftp')) return expect.fail('atftp missing (apt-get install atftp)');
    for (const [name, opts] of [
      ['blk', ['--option', 'blksize 1468', '--option', 'tsize 0']],
      ['win', ['--option', 'blksize 1468', '--option', 'windowsize 8', '--option', 'tsize 0']],
      ['big', ['--option', 'blksize 8192', '--option', 'windowsize 4']],
    ] as const) {
      const out = path.join(tmp.dir, `atftp-${name}.bin`);
      const r = await spawnAsync(
        'atftp',
        ['--verbose', ...opts, '-g', '-r', 'big.bin', '-l', out, '127.0.0.1', String(server.port)],
        {
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
      expect(r.status, `${name}: ${r.stderr}${r.stdout}`).toBe(0);
      expect(fs.readFileSync(out).equals(big), name).toBe(true);
    }
    expect(results.some((x) => x.ok && x.blksize === 1468 && x.windowsize === 8)).toBe(true);
    expect(results.some((x) => x.ok && x.blksize === 8192 && x.windowsize === 4)).toBe(true);
  });

  it('answers tsize in the OACK and ends files whose size is a multiple of the block size with an empty block', async () => {
    const { msg, port, sock } = await ask(rrq('exact.bin', { tsize: '0' }));
    expect(msg.readUInt16BE(0)).toBe(6);
    expect(msg.subarray(2).toString('latin1')).toBe('tsize\u00001024\u0000');
    const blocks: number[] = [];
    await new Promise<void>((resolve) => {
      sock.on('message', (m) => {
        const b = m.readUInt16BE(2);
        blocks.push(m.length - 4);
        sock.send(Buffer.from([0, 4, b >> 8, b & 0xff]), port, '127.0.0.1');
        if (m.length - 4 < 512) resolve();
      });
      sock.send(Buffer.from([0, 4, 0, 0]), port, '127.0.0.1');
    });
    sock.close();
    expect(blocks).toEqual([512, 512, 0]);
  });

  it('retransmits when an ACK is lost', async () => {
    const { msg, port, sock } = await ask(rrq('sub/hello.txt', { timeout: '1' }));
    expect(msg.readUInt16BE(0)).toBe(6);
    sock.send(Buffer.from([0, 4, 0, 0]), port, '127.0.0.1');
    const copies: Buffer[] = [];
    await new Promise<void>((resolve) => {
      sock.on('message', (m) => {
        copies.push(m);
        if (copies.length === 2) resolve(); // first DATA 1, then its retransmission
      });
    });
    sock.send(Buffer.from([0, 4, 0, 1]), port, '127.0.0.1');
    sock.close();
    expect(copies[0].equals(copies[1])).toBe(true);
    expect(copies[0].subarray(4).toString()).toBe('hello\nworld\n');
  });

  it('refuses writes, traversal, absolute paths, symlinks out, and missing files with TFTP errors', async () => {
    const wrq = Buffer.concat([Buffer.from([0, 2]), Buffer.from('new.txt\0octet\0')]);
    const w = await ask(wrq);
    w.sock.close();
    expect(w.msg.readUInt16BE(0)).toBe(5);
    expect(w.msg.readUInt16BE(2)).toBe(TftpErr.ACCESS);
    for (const [name, code] of [
      ['../secret.txt', TftpErr.ACCESS],
      ['/etc/passwd', TftpErr.ACCESS],
      ['escape', TftpErr.ACCESS],
      ['nope.bin', TftpErr.NOT_FOUND],
      ['sub', TftpErr.ACCESS],
    ] as const) {
      const r = await ask(rrq(name));
      r.sock.close();
      expect(r.msg.readUInt16BE(0), name).toBe(5);
      expect(r.msg.readUInt16BE(2), name).toBe(code);
    }
    const ok = await ask(rrq('inside-link'));
    ok.sock.close();
    expect(ok.msg.readUInt16BE(0)).toBe(3); // a symlink that stays inside is served
    expect(fs.existsSync(path.join(root, 'new.txt'))).toBe(false);
    expect(refused.some((r) => r.startsWith('escape'))).toBe(true);
  });

  it('refuses through the real tftp-hpa client too', async () => {
    const out = path.join(tmp.dir, 'stolen.txt');
    const r = await spawnAsync(
      'tftp',
      ['127.0.0.1', String(server.port), '-m', 'binary', '-c', 'get', '../secret.txt', out],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(r.stdout + r.stderr).toMatch(/Error code 2/);
    expect(fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '').not.toContain('outside');
  });

  it('serves netascii with line-ending conversion (busybox tftp -b asks octet)', async () => {
    const out = path.join(tmp.dir, 'ascii.txt');
    const r = await spawnAsync(
      'tftp',
      ['127.0.0.1', String(server.port), '-m', 'netascii', '-c', 'get', 'sub/hello.txt', out],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(r.status).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe('hello\nworld\n');
    const out2 = path.join(tmp.dir, 'bb.bin');
    const b = await spawnAsync(
      'busybox',
      ['tftp', '-g', '-b', '1400', '-r', 'big.bin', '-l', out2, '127.0.0.1', String(server.port)],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(b.status, b.stderr).toBe(0);
    expect(fs.readFileSync(out2).equals(big)).toBe(true);
  });
});
