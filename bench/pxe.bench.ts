// TFTP throughput: Edgebench's TFTP server vs tftp-hpa's in.tftpd serving the same 64 MiB file
// to the same clients on loopback, in one run: tftp-hpa's client (RFC 1350, 512-byte blocks),
// atftp with blksize 1468 + tsize, and atftp with blksize 1468 + windowsize 16 (in.tftpd 5.2 does
// not implement windowsize, so it answers that request with blksize only). Then 50 concurrent
// downloads from each server (3 rounds, median), which must all finish (no timeout). Needs root for in.tftpd's chroot.
// Both servers run in their own processes: the bench process spawns 50 clients and reads back and
// compares their 8 MiB outputs, and that work must not stall the event loop of the server under
// test (in.tftpd never shared a process with it; an in-process Edgebench server lost ~20% to it).
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TftpServer } from '../main/pxe/tftp/server';
import { time, writeResult } from './util';

const MiB = 1024 * 1024;

function runTool(
  cmd: string,
  args: string[],
  timeoutMs = 600_000,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

type Client = 'tftp-hpa' | 'atftp-blksize' | 'atftp-window';

function clientArgs(client: Client, port: number, remote: string, local: string): [string, string[]] {
  if (client === 'tftp-hpa')
    return ['tftp', ['127.0.0.1', String(port), '-m', 'binary', '-c', 'get', remote, local]];
  const opts = ['--option', 'blksize 1468', '--option', 'tsize 0'];
  if (client === 'atftp-window') opts.push('--option', 'windowsize 16');
  return ['atftp', [...opts, '-g', '-r', remote, '-l', local, '127.0.0.1', String(port)]];
}

async function fetchOnce(client: Client, port: number, remote: string, local: string, expect: Buffer) {
  const [cmd, args] = clientArgs(client, port, remote, local);
  // Clients run niced for both servers: on a real bench they are other machines, and 50 local
  // client processes must not starve the server under test of CPU.
  const r = await time(() => runTool('nice', ['-n', '10', cmd, ...args]));
  const ok = r.value.code === 0 && fs.readFileSync(local).equals(expect);
  fs.rmSync(local, { force: true });
  if (!ok) throw new Error(`${client} from port ${port} failed: ${r.value.out.slice(0, 300)}`);
  return r.ms;
}

/** Edgebench's TFTP server in a child process (this same bundle, `--serve ROOT`). */
async function startOurs(root: string): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, [process.argv[1], '--serve', root], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`Edgebench TFTP server exited (${code})`)));
    child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
  });
  return { port, stop: () => child.kill('SIGTERM') };
}

async function serve(root: string) {
  const s = new TftpServer({ root, port: 0, bindAddress: '127.0.0.1', maxTransfers: 512 });
  await s.start();
  process.stdout.write(`${s.port}\n`);
  process.on('SIGTERM', () => void s.stop().then(() => process.exit(0)));
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('needs root (in.tftpd chroots into its folder)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-pxe-bench-'));
  const root = path.join(dir, 'root');
  fs.mkdirSync(root);
  const big = crypto.randomBytes(64 * MiB);
  const small = crypto.randomBytes(8 * MiB);
  fs.writeFileSync(path.join(root, 'big.bin'), big);
  fs.writeFileSync(path.join(root, 'small.bin'), small);
  const ours = await startOurs(root);
  const hpaPort = 20000 + Math.floor(Math.random() * 20000);
  const hpa: ChildProcess = spawn('in.tftpd', ['-L', '-s', root, '-a', `127.0.0.1:${hpaPort}`], {
    stdio: 'ignore',
  });
  await new Promise((r) => setTimeout(r, 300));
  const servers = { edgebench: ours.port, 'in.tftpd': hpaPort };
  const results: Record<string, Record<string, { ms: number[]; mibPerS: number }>> = {};
  try {
    // 3 rounds, servers alternating within each round, so load changes hit both alike; median.
    for (const client of ['tftp-hpa', 'atftp-blksize', 'atftp-window'] as Client[]) {
      const ms: Record<string, number[]> = { edgebench: [], 'in.tftpd': [] };
      for (let round = 0; round < 3; round++) {
        const order = Object.entries(servers);
        if (round % 2) order.reverse();
        for (const [name, port] of order)
          ms[name].push(await fetchOnce(client, port, 'big.bin', path.join(dir, `out-${name}`), big));
      }
      results[client] = {};
      for (const name of Object.keys(servers)) {
        const med = [...ms[name]].sort((a, b) => a - b)[1];
        results[client][name] = { ms: ms[name].map(Math.round), mibPerS: +(64 / (med / 1000)).toFixed(1) };
        console.log(
          `${client.padEnd(14)} ${name.padEnd(10)} median ${med.toFixed(0)} ms  ${results[client][name].mibPerS} MiB/s`,
        );
      }
    }
    // 50 concurrent downloads of 8 MiB: 3 rounds, servers alternating, median; every download
    // of every round must succeed byte-identical.
    const concurrent: Record<string, { ms: number[]; medianMs: number; ok: number; failed: number }> = {};
    for (const name of Object.keys(servers)) concurrent[name] = { ms: [], medianMs: 0, ok: 0, failed: 0 };
    for (let round = 0; round < 3; round++) {
      const order = Object.entries(servers);
      if (round % 2 === 0) order.reverse();
      for (const [name, port] of order) {
        const r = await time(() =>
          Promise.allSettled(
            Array.from({ length: 50 }, (_, i) =>
              fetchOnce('atftp-blksize', port, 'small.bin', path.join(dir, `c-${name}-${i}`), small),
            ),
          ),
        );
        const c = concurrent[name];
        c.ms.push(Math.round(r.ms));
        c.ok += r.value.filter((x) => x.status === 'fulfilled').length;
        c.failed += r.value.filter((x) => x.status === 'rejected').length;
        console.log(`50 x 8 MiB concurrent from ${name}, round ${round + 1}: ${r.ms.toFixed(0)} ms`);
      }
    }
    for (const [name, c] of Object.entries(concurrent)) {
      c.medianMs = [...c.ms].sort((a, b) => a - b)[1];
      console.log(
        `50 x 8 MiB concurrent from ${name}: ${c.ok} ok, ${c.failed} failed, median ${c.medianMs} ms`,
      );
    }
    const ratio = (c: Client) => +(results[c].edgebench.mibPerS / results[c]['in.tftpd'].mibPerS).toFixed(2);
    writeResult('pxe', {
      file: '64 MiB random, loopback, median of 3 (servers alternating), clients niced, each server in its own process',
      results,
      ratios: {
        'tftp-hpa client, 512-byte blocks': ratio('tftp-hpa'),
        'atftp blksize 1468 + tsize': ratio('atftp-blksize'),
        'atftp blksize 1468 + windowsize 16 (in.tftpd ignores windowsize)': ratio('atftp-window'),
      },
      concurrent50x8MiB: concurrent,
      concurrentRatio: +(concurrent['in.tftpd'].medianMs / concurrent.edgebench.medianMs).toFixed(2),
      machine: `${os.cpus().length} cores (shared), ${os.loadavg()[0].toFixed(1)} load`,
    });
  } finally {
    hpa.kill('SIGTERM');
    ours.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

(process.argv[2] === '--serve' ? serve(process.argv[3]) : main()).catch((e) => {
  console.error(e);
  process.exit(1);
});
