// Small helpers shared by the PXE tests.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';

/** Runs a tool without blocking the event loop (servers under test live in this process). */
export function spawnAsync(
  cmd: string,
  args: string[],
  o: { timeout: number; input?: string } = { timeout: 60_000 },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args);
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('error', (e) => (stderr += String(e)));
    const t = setTimeout(() => c.kill('SIGKILL'), o.timeout);
    c.on('close', (status) => {
      clearTimeout(t);
      resolve({ status, stdout, stderr });
    });
    if (o.input !== undefined) c.stdin.end(o.input);
    else c.stdin.end();
  });
}

/** Sends a UDP packet and waits for the first reply. */
export function udpAsk(pkt: Buffer, port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const t = setTimeout(() => {
      sock.close();
      reject(new Error(`no reply from ${host}:${port}`));
    }, timeoutMs);
    sock.on('message', (msg) => {
      clearTimeout(t);
      sock.close();
      resolve(msg);
    });
    sock.bind(0, '127.0.0.1', () => sock.send(pkt, port, host));
  });
}

/**
 * A DHCPDISCOVER laid out as QEMU's iPXE ROM (virtio-net, BIOS) sends it: options 53, 57, 93,
 * 94, 60 "PXEClient:Arch:00000:UNDI:002001", 77 "iPXE", 55, 175 (iPXE features), 61, 97, END.
 */
export function ipxeDiscoverBytes(mac = '525400990042', arch = 0, ipxe = true): Buffer {
  const hdr = Buffer.alloc(240);
  hdr[0] = 1;
  hdr[1] = 1;
  hdr[2] = 6;
  hdr.writeUInt32BE(0x2b3c4d5e, 4);
  hdr.writeUInt16BE(4, 8);
  hdr.writeUInt16BE(0x8000, 10);
  Buffer.from(mac, 'hex').copy(hdr, 28);
  hdr.writeUInt32BE(0x63825363, 236);
  const vc = `PXEClient:Arch:${String(arch).padStart(5, '0')}:UNDI:002001`;
  const opts: number[] = [
    53,
    1,
    1,
    57,
    2,
    0x05,
    0xc0,
    93,
    2,
    0,
    arch,
    94,
    3,
    1,
    2,
    1,
    60,
    vc.length,
    ...Buffer.from(vc),
    ...(ipxe ? [77, 4, ...Buffer.from('iPXE'), 175, 6, 0xb1, 0x05, 0x01, 0x10, 0xec, 0x10] : []),
    55,
    6,
    1,
    3,
    6,
    43,
    60,
    67,
    61,
    7,
    1,
    ...Buffer.from(mac, 'hex'),
    97,
    17,
    0,
    ...Buffer.alloc(16, 0xab),
    255,
  ];
  return Buffer.concat([hdr, Buffer.from(opts), Buffer.alloc(20)]);
}
