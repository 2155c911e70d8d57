// Fuzz: over 100,000 malformed or random DHCP and TFTP packets at the running service on loopback
// (unprivileged ports), in a bounded loop. The process must not crash, and afterwards a real
// client must still be served: a 4011 PXE REQUEST gets its ACK, tftp-hpa fetches a file,
// curl gets the script.
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageType, MessageType, Opt, parsePacket, serializePacket } from '../../main/pxe/dhcp/packet';
import { startPxeService, type PxeService } from '../../main/pxe/service';
import { hasTool, tempDir } from '../helpers/env';
import { ipxeDiscoverBytes, spawnAsync, udpAsk } from './helpers';

let tmp: { dir: string; cleanup(): void };
let svc: PxeService;
const MAC = '52:54:00:f0:00:01';

beforeAll(async () => {
  tmp = tempDir('eb-pxe-fuzz-');
  fs.writeFileSync(path.join(tmp.dir, 'kernel'), crypto.randomBytes(100_000));
  fs.writeFileSync(path.join(tmp.dir, 'initrd'), crypto.randomBytes(50_000));
  fs.writeFileSync(path.join(tmp.dir, 'u.yaml'), '#cloud-config\nhostname: fuzz\n');
  svc = await startPxeService({
    interface: 'lo',
    artifacts: { kernel: path.join(tmp.dir, 'kernel'), initrd: path.join(tmp.dir, 'initrd') },
    hosts: [
      { hostId: 'fuzz', mac: MAC, source: 'csv', userDataFile: path.join(tmp.dir, 'u.yaml'), values: {} },
    ],
    httpPort: 0,
    ports: { dhcp: 0, proxy: 0, tftp: 0 },
    udpBindAddress: '127.0.0.1',
    cacheDir: path.join(tmp.dir, 'cache'),
  });
});
afterAll(async () => {
  await svc?.stop();
  tmp?.cleanup();
});

function mutate(seed: Buffer, rnd: () => number): Buffer {
  const b = Buffer.from(seed);
  const kind = rnd() % 6;
  if (kind === 0) return crypto.randomBytes(rnd() % 1600); // pure noise, any length (0 included)
  if (kind === 1) return b.subarray(0, rnd() % b.length); // truncated
  if (kind === 2) return Buffer.concat([b, crypto.randomBytes(rnd() % 2000)]); // oversize tail
  const flips = 1 + (rnd() % 8);
  for (let i = 0; i < flips; i++) b[rnd() % b.length] = rnd() & 0xff; // byte flips
  if (kind === 4 && b.length > 242) b[240 + (rnd() % Math.min(60, b.length - 240))] = 0xff; // early END / bad lengths
  return b;
}

/**
 * Sends mutated packets until the server has received `want` of them (or `maxSend` were sent),
 * pacing on `received()` so the kernel's socket buffer does not drop most of them. Bounded.
 */
async function blast(
  port: number,
  seeds: Buffer[],
  want: number,
  received: () => number,
  maxSend = want * 2,
): Promise<number> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let x = 12345 + port;
  const rnd = () => (x = (x * 1103515245 + 12345) >>> 0) >>> 8;
  const base = received();
  let sent = 0;
  while (received() - base < want && sent < maxSend) {
    const batch = 64;
    await Promise.all(
      Array.from({ length: batch }, () => {
        const pkt = mutate(seeds[rnd() % seeds.length], rnd);
        return new Promise<void>((r) => sock.send(pkt, port, '127.0.0.1', () => r()));
      }),
    );
    sent += batch;
    // let the server catch up; stop waiting once it makes no progress for 20 ms (datagrams lost)
    let last = received();
    let idleSince = Date.now();
    while (received() - base < sent - 8 && Date.now() - idleSince < 20) {
      await new Promise((r) => setImmediate(r));
      if (received() !== last) {
        last = received();
        idleSince = Date.now();
      }
    }
  }
  sock.close();
  return sent;
}

describe('fuzzing the DHCP and TFTP servers', () => {
  it('survives over 100,000 malformed packets and still serves real clients', async () => {
    const dhcpSeeds = [
      ipxeDiscoverBytes('525400f00001', 0, true),
      ipxeDiscoverBytes('525400f00001', 7, false),
      ipxeDiscoverBytes('0a0000000001', 16, false),
    ];
    const tftpSeeds = [
      Buffer.from('\0\x01kernel\0octet\0blksize\x001468\0tsize\x000\0windowsize\x008\0', 'latin1'),
      Buffer.from('\0\x01undionly.kpxe\0netascii\0', 'latin1'),
      Buffer.from('\0\x02upload\0octet\0', 'latin1'),
      Buffer.from('\0\x04\0\x01', 'latin1'),
      Buffer.from('\0\x01../../etc/passwd\0octet\0', 'latin1'),
    ];
    const st = svc.stats() as {
      proxy: { packets: number; malformed: number };
      tftp: { requests: number; malformed: number };
    };
    const sent =
      (await blast(svc.ports.dhcp!, dhcpSeeds, 35_000, () => st.proxy.packets)) +
      (await blast(svc.ports.proxy, dhcpSeeds, 25_000, () => st.proxy.packets)) +
      (await blast(svc.ports.tftp!, tftpSeeds, 50_000, () => st.tftp.requests));
    console.log(`fuzz: sent ${sent} packets`);
    // paced, so (nearly) all reached the servers: at least 100,000 parsed or refused
    console.log(
      `fuzz: DHCP ${st.proxy.packets} received (${st.proxy.malformed} malformed), TFTP ${st.tftp.requests} (${st.tftp.malformed} malformed)`,
    );
    expect(st.proxy.packets + st.tftp.requests).toBeGreaterThanOrEqual(100_000);
    expect(st.proxy.malformed).toBeGreaterThan(10_000);
    expect(st.tftp.malformed).toBeGreaterThan(10_000);

    // a real PXE client is still answered on 4011
    const req = parsePacket(ipxeDiscoverBytes('525400f00001', 7, true));
    req.options.set(Opt.MESSAGE_TYPE, Buffer.from([MessageType.REQUEST]));
    req.ciaddr = '127.0.0.1';
    const ack = parsePacket(await udpAsk(serializePacket(req), svc.ports.proxy, '127.0.0.1', 10_000));
    expect(messageType(ack)).toBe(MessageType.ACK);
    expect(ack.file).toMatch(/\/pxe\/52-54-00-f0-00-01\/boot\.ipxe$/);

    // tftp-hpa still fetches, byte-identical
    if (!hasTool('tftp')) return expect.fail('tftp-hpa missing');
    const out = path.join(tmp.dir, 'out.kpxe');
    const r = await spawnAsync(
      'tftp',
      ['127.0.0.1', String(svc.ports.tftp), '-m', 'binary', '-c', 'get', 'undionly.kpxe', out],
      { timeout: 60_000 },
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(fs.readFileSync(out).equals(fs.readFileSync('/usr/lib/ipxe/undionly.kpxe'))).toBe(true);

    const c = await spawnAsync(
      'curl',
      ['-sS', '--max-time', '20', `${svc.urls.http}/pxe/52-54-00-f0-00-01/user-data`],
      { timeout: 30_000 },
    );
    expect(c.stdout).toBe('#cloud-config\nhostname: fuzz\n');
  }, 300_000);
});
