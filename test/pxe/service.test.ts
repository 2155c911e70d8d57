// The whole service on loopback with unprivileged ports: HTTP script/user-data/artifacts with
// curl, per-MAC user-data from a hosts CSV and from the store, unknown MACs, the 4011 path,
// and the boot timeline in the store.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BootEvent } from '../../shared/contract/pxe';
import { openStore, type Store } from '../../main/store';
import {
  clientMac,
  messageType,
  MessageType,
  Opt,
  parsePacket,
  serializePacket,
} from '../../main/pxe/dhcp/packet';
import { readHostsCsv } from '../../main/pxe/hosts';
import { startPxeService, type PxeService } from '../../main/pxe/service';
import { hasTool, tempDir } from '../helpers/env';
import { ipxeDiscoverBytes, spawnAsync, udpAsk } from './helpers';

let tmp: { dir: string; cleanup(): void };
let svc: PxeService;
let store: Store;
const events: BootEvent[] = [];
const MAC_A = '52:54:00:aa:00:01';
const MAC_B = '52:54:00:bb:00:02';

beforeAll(async () => {
  tmp = tempDir('eb-pxe-svc-');
  const d = tmp.dir;
  fs.writeFileSync(path.join(d, 'kernel'), Buffer.alloc(300_000, 7));
  fs.writeFileSync(path.join(d, 'initrd'), Buffer.from('initrd-bytes'.repeat(1000)));
  fs.writeFileSync(path.join(d, 'a.yaml'), '#cloud-config\nhostname: host-a\n');
  fs.writeFileSync(
    path.join(d, 'hosts.csv'),
    `mac,name,profile,ip,mask,gateway,userdata\n${MAC_A.toUpperCase()},host-a,,10.0.0.11,255.255.255.0,10.0.0.1,a.yaml\n`,
  );
  store = openStore(path.join(d, 'data'));
  await store.hosts.upsert({ id: 'host-b', mac: MAC_B, profile: 'edge', values: {} });
  svc = await startPxeService({
    interface: 'lo',
    artifacts: { kernel: path.join(d, 'kernel'), initrd: path.join(d, 'initrd') },
    hosts: path.join(d, 'hosts.csv'),
    httpPort: 0,
    ports: { dhcp: 0, proxy: 0, tftp: 0 },
    udpBindAddress: '127.0.0.1',
    store,
    cacheDir: path.join(d, 'cache'),
    cmdlineTemplate: 'console=ttyS0 {{config}} {{root}} panic=-1',
    onEvent: (e) => events.push(e),
  });
});
afterAll(async () => {
  await svc?.stop();
  await store?.close();
  tmp?.cleanup();
});

async function curl(args: string[]) {
  return spawnAsync('curl', ['-sS', '--max-time', '20', ...args], { timeout: 30_000 });
}

describe('PXE service on loopback', () => {
  it('normalises MACs of hosts given in-process (upper case, hyphens)', async () => {
    const { HostDirectory } = await import('../../main/pxe/hosts');
    const d = new HostDirectory({
      csvHosts: [{ hostId: 'x', mac: '52-54-00-AB-CD-EF', source: 'csv', values: {} }],
    });
    expect(await d.hostIdFor('52:54:00:ab:cd:ef')).toBe('x');
    expect(
      () => new HostDirectory({ csvHosts: [{ hostId: 'y', mac: 'nope', source: 'csv', values: {} }] }),
    ).toThrow(/not a MAC/);
  });

  it('reads the hosts CSV with clear errors per line', async () => {
    const bad = path.join(tmp.dir, 'bad.csv');
    fs.writeFileSync(bad, 'mac,name,profile\nzz:zz,h1,p\n52:54:00:00:00:01,,p\n52:54:00:00:00:02,h3,\n');
    await expect(readHostsCsv(bad)).rejects.toThrow(
      /line 2: "zz:zz" is not a MAC.*line 3: the name is empty.*line 4: give a profile/,
    );
    const rows = await readHostsCsv(path.join(tmp.dir, 'hosts.csv'));
    expect(rows[0]).toMatchObject({
      mac: MAC_A,
      hostId: 'host-a',
      values: { ipAddress: '10.0.0.11', gateway: '10.0.0.1' },
    });
  });

  it('serves the per-MAC iPXE script with initrd=initrd and config_url', async () => {
    if (!hasTool('curl')) return expect.fail('curl missing');
    const r = await curl([`${svc.urls.http}/pxe/52-54-00-aa-00-01/boot.ipxe`]);
    expect(r.stdout).toMatch(/^#!ipxe\n/);
    expect(r.stdout).toContain(`initrd --name initrd ${svc.urls.http}/pxe/52-54-00-aa-00-01/initrd`);
    expect(r.stdout).toContain(
      `kernel ${svc.urls.http}/pxe/52-54-00-aa-00-01/kernel initrd=initrd console=ttyS0 config_url=${svc.urls.http}/pxe/52-54-00-aa-00-01/user-data panic=-1`,
    );
    expect(r.stdout).toMatch(/\nboot \|\| goto failed\n/);
  });

  it('serves each MAC its own user-data (CSV file) and names the problem for a missing profile', async () => {
    const a = await curl([`${svc.urls.http}/pxe/52:54:00:AA:00:01/user-data`]);
    expect(a.stdout).toBe('#cloud-config\nhostname: host-a\n');
    const b = await curl(['-w', '%{http_code}', `${svc.urls.http}/pxe/52-54-00-bb-00-02/user-data`]);
    expect(b.stdout).toMatch(/profile "edge", which does not exist/);
    expect(b.stdout).toMatch(/500$/);
  });

  it('ignores unknown MACs with 404 and a timeline event', async () => {
    const r = await curl(['-w', '%{http_code}', `${svc.urls.http}/pxe/02-00-00-00-00-09/boot.ipxe`]);
    expect(r.stdout).toMatch(/404$/);
    const u = await curl(['-w', '%{http_code}', `${svc.urls.http}/pxe/02-00-00-00-00-09/user-data`]);
    expect(u.stdout).toMatch(/404$/);
    const junk = await curl([
      '-w',
      '%{http_code}',
      '-o',
      '/dev/null',
      `${svc.urls.http}/pxe/../../etc/passwd`,
      '--path-as-is',
    ]);
    expect(junk.stdout).toBe('404');
  });

  it('serves artifacts with Range and refuses oversize or odd requests', async () => {
    const full = await curl([
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{size_download}',
      `${svc.urls.http}/pxe/52-54-00-aa-00-01/kernel`,
    ]);
    expect(full.stdout).toBe('200 300000');
    const part = await curl([
      '-r',
      '100-199',
      '-D',
      '-',
      '-o',
      '/dev/null',
      `${svc.urls.http}/pxe/52-54-00-aa-00-01/kernel`,
    ]);
    expect(part.stdout).toMatch(/^HTTP\/1.1 206/);
    expect(part.stdout).toMatch(/Content-Range: bytes 100-199\/300000/i);
    expect(part.stdout).toMatch(/Content-Length: 100/i);
    const tail = await curl(['-r', '-12', `${svc.urls.http}/pxe/52-54-00-aa-00-01/initrd`]);
    expect(tail.stdout).toBe('initrd-bytes');
    const bad = await curl([
      '-r',
      '999999-',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `${svc.urls.http}/pxe/52-54-00-aa-00-01/kernel`,
    ]);
    expect(bad.stdout).toBe('416');
    const long = await curl([
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `${svc.urls.http}/pxe/${'a'.repeat(3000)}`,
    ]);
    expect(long.stdout).toBe('414');
    const hdr = await curl([
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-H',
      `X-Big: ${'b'.repeat(20000)}`,
      `${svc.urls.http}/healthz`,
    ]);
    expect(hdr.stdout).toBe('431');
    const post = await curl([
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-X',
      'POST',
      `${svc.urls.http}/pxe/52-54-00-aa-00-01/kernel`,
    ]);
    expect(post.stdout).toBe('405');
  });

  it('answers a PXE REQUEST on the 4011 port by unicast with the iPXE script URL', async () => {
    const req = parsePacket(ipxeDiscoverBytes('525400aa0001', 7, true));
    req.options.set(Opt.MESSAGE_TYPE, Buffer.from([MessageType.REQUEST]));
    req.ciaddr = '127.0.0.1';
    const reply = parsePacket(await udpAsk(serializePacket(req), svc.ports.proxy));
    expect(messageType(reply)).toBe(MessageType.ACK);
    expect(clientMac(reply)).toBe(MAC_A);
    expect(reply.file).toBe(`${svc.urls.http}/pxe/52-54-00-aa-00-01/boot.ipxe`);
    expect(reply.yiaddr).toBe('0.0.0.0');
  });

  it('records the boot timeline per MAC in the store, in order', async () => {
    await new Promise((r) => setTimeout(r, 200));
    const a = await store.pxe.events({ mac: MAC_A });
    const kinds = a.map((e) => e.kind);
    expect(kinds).toContain('http-script');
    expect(kinds).toContain('userdata-fetched');
    expect(kinds).toContain('http-kernel');
    expect(kinds).toContain('dhcp-discover');
    expect(kinds).toContain('proxy-offer');
    expect(a.every((e) => e.hostId === 'host-a')).toBe(true);
    expect(a.map((e) => e.id)).toEqual([...a.map((e) => e.id!)].sort((x, y) => x - y));
    const unknown = await store.pxe.events({ mac: '02:00:00:00:00:09' });
    expect(unknown.map((e) => e.kind)).toEqual(['ignored', 'ignored']);
    const b = await store.pxe.events({ mac: MAC_B });
    expect(b.some((e) => e.kind === 'error' && /does not exist/.test(e.message))).toBe(true);
    expect((await store.hosts.events('host-b')).some((e) => e.kind === 'pxe-error')).toBe(true);
    expect(events.length).toBeGreaterThanOrEqual(a.length);
  });
});
