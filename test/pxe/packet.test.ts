// DHCP packet parse/serialize and the ProxyDHCP / full-DHCP decisions, on real-shaped bytes.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  clientArch,
  clientMac,
  isIpxe,
  messageType,
  MessageType,
  Opt,
  optIp,
  optString,
  PacketError,
  parsePacket,
  serializePacket,
  userClasses,
  broadcastOf,
  type DhcpPacket,
} from '../../main/pxe/dhcp/packet';
import { ProxyDhcp, PXE_VENDOR_OPTIONS } from '../../main/pxe/dhcp/proxy';
import { DhcpServer, MemoryLeaseStore, parseDhcpRange } from '../../main/pxe/dhcp/server';
import { DefaultBootPolicy, type BootEventInput } from '../../main/pxe/policy';
import { ipxeDiscoverBytes } from './helpers';

describe('DHCP packet', () => {
  it('parses an iPXE DISCOVER: MAC, type, arch, vendor class, user class, option 175', () => {
    const p = parsePacket(ipxeDiscoverBytes());
    expect(clientMac(p)).toBe('52:54:00:99:00:42');
    expect(messageType(p)).toBe(MessageType.DISCOVER);
    expect(clientArch(p)).toBe(0);
    expect(optString(p, Opt.VENDOR_CLASS)).toBe('PXEClient:Arch:00000:UNDI:002001');
    expect(userClasses(p)).toContain('iPXE');
    expect(isIpxe(p)).toBe(true);
    expect(p.xid).toBe(0x2b3c4d5e);
    expect(p.flags).toBe(0x8000);
    expect(p.options.get(Opt.CLIENT_UUID)?.length).toBe(17);
  });

  it('round-trips through serialize and keeps every option', () => {
    const p = parsePacket(ipxeDiscoverBytes('0a0b0c0d0e0f', 7));
    const again = parsePacket(serializePacket(p));
    expect(again.xid).toBe(p.xid);
    expect(clientMac(again)).toBe('0a:0b:0c:0d:0e:0f');
    expect([...again.options.keys()]).toEqual([...p.options.keys()]);
    for (const [k, v] of p.options) expect(again.options.get(k)?.equals(v)).toBe(true);
    expect(serializePacket(p).length).toBeGreaterThanOrEqual(300);
  });

  it('splits and joins options longer than 255 bytes (RFC 3396)', () => {
    const p = parsePacket(ipxeDiscoverBytes());
    p.options.set(Opt.BOOTFILE, Buffer.alloc(400, 0x61));
    const again = parsePacket(serializePacket(p));
    expect(again.options.get(Opt.BOOTFILE)?.length).toBe(400);
  });

  it('reads options from the file/sname fields when option 52 says so', () => {
    const b = ipxeDiscoverBytes();
    // put option 66 "x" into the file field and announce overload 1 instead of the first PAD
    b.set([66, 1, 0x78, 255], 108);
    const end = b.indexOf(255, 240);
    b.set([52, 1, 1, 255], end);
    const p = parsePacket(b);
    expect(optString(p, Opt.TFTP_SERVER)).toBe('x');
    expect(p.file).toBe('');
  });

  it('refuses malformed packets with a PacketError (bounds checks)', () => {
    const good = ipxeDiscoverBytes();
    expect(() => parsePacket(good.subarray(0, 239))).toThrow(PacketError);
    const noCookie = Buffer.from(good);
    noCookie.writeUInt32BE(0, 236);
    expect(() => parsePacket(noCookie)).toThrow(/cookie/);
    const badHlen = Buffer.from(good);
    badHlen[2] = 17;
    expect(() => parsePacket(badHlen)).toThrow(/hardware address length/);
    const overrun = Buffer.concat([good.subarray(0, 240), Buffer.from([60, 200, 1, 2, 3])]);
    expect(() => parsePacket(overrun)).toThrow(/past the end/);
    const noLen = Buffer.concat([good.subarray(0, 240), Buffer.from([60])]);
    expect(() => parsePacket(noLen)).toThrow(/no length/);
    expect(() => parsePacket(Buffer.alloc(10000))).toThrow(/too long/);
    const badOp = Buffer.from(good);
    badOp[0] = 9;
    expect(() => parsePacket(badOp)).toThrow(/bad op/);
  });

  it('computes the subnet-directed broadcast', () => {
    expect(broadcastOf('10.99.0.1', '255.255.255.0')).toBe('10.99.0.255');
    expect(broadcastOf('192.168.7.130', '255.255.255.192')).toBe('192.168.7.191');
  });
});

function proxyFor(known: string[], events: BootEventInput[] = [], allowUnknown = false) {
  const policy = new DefaultBootPolicy(
    { hostIdFor: async (mac) => (known.includes(mac) ? `host-${mac.slice(-2)}` : undefined), allowUnknown },
    { httpBase: 'http://10.99.0.1:8067', biosLoader: 'undionly.kpxe', efiLoader: 'ipxe.efi' },
  );
  return new ProxyDhcp({
    serverIp: '10.99.0.1',
    broadcast: '10.99.0.255',
    policy,
    emit: (e) => events.push(e),
    log: () => undefined,
  });
}

describe('ProxyDHCP decisions', () => {
  const mac = '52:54:00:99:00:42';
  const from = { address: '0.0.0.0', port: 68 };

  it('gives BIOS PXE clients undionly.kpxe with no address, to the subnet broadcast', async () => {
    const events: BootEventInput[] = [];
    const r = await proxyFor([mac], events).handle(
      parsePacket(ipxeDiscoverBytes('525400990042', 0, false)),
      'dhcp',
      from,
    );
    expect(r).toBeDefined();
    const p = r!.packet;
    expect(messageType(p)).toBe(MessageType.OFFER);
    expect(p.yiaddr).toBe('0.0.0.0');
    expect(p.siaddr).toBe('10.99.0.1');
    expect(p.file).toBe('undionly.kpxe');
    expect(optString(p, Opt.BOOTFILE)).toBe('undionly.kpxe');
    expect(optString(p, Opt.VENDOR_CLASS)).toBe('PXEClient');
    expect(optIp(p, Opt.SERVER_ID)).toBe('10.99.0.1');
    expect(p.options.get(Opt.VENDOR_SPECIFIC)?.equals(PXE_VENDOR_OPTIONS)).toBe(true);
    expect(p.options.has(Opt.LEASE_TIME)).toBe(false);
    expect(r!.address).toBe('10.99.0.255');
    expect(r!.port).toBe(68);
    expect(events.map((e) => e.kind)).toEqual(['dhcp-discover', 'proxy-offer']);
    expect(events[0].hostId).toBe('host-42');
  });

  it('chooses the loader by option 93 and hands iPXE its per-MAC script', async () => {
    const px = proxyFor([mac]);
    const efi7 = await px.handle(parsePacket(ipxeDiscoverBytes('525400990042', 7, false)), 'dhcp', from);
    expect(efi7!.packet.file).toBe('ipxe.efi');
    const efi9 = await px.handle(parsePacket(ipxeDiscoverBytes('525400990042', 9, false)), 'dhcp', from);
    expect(efi9!.packet.file).toBe('ipxe.efi');
    const http = await px.handle(parsePacket(ipxeDiscoverBytes('525400990042', 16, false)), 'dhcp', from);
    expect(http!.packet.file).toBe('http://10.99.0.1:8067/ipxe/ipxe.efi');
    const ipxe = await px.handle(parsePacket(ipxeDiscoverBytes('525400990042', 7, true)), 'dhcp', from);
    expect(ipxe!.packet.file).toBe('http://10.99.0.1:8067/pxe/52-54-00-99-00-42/boot.ipxe');
    expect(ipxe!.packet.siaddr).toBe('10.99.0.1');
    const arm = await px.handle(parsePacket(ipxeDiscoverBytes('525400990042', 11, false)), 'dhcp', from);
    expect(arm).toBeUndefined();
  });

  it('ignores non-PXE clients, unknown MACs, and REQUESTs naming another server', async () => {
    const events: BootEventInput[] = [];
    const px = proxyFor([mac], events);
    const plain = parsePacket(ipxeDiscoverBytes());
    plain.options.delete(Opt.VENDOR_CLASS);
    expect(await px.handle(plain, 'dhcp', from)).toBeUndefined();
    expect(await px.handle(parsePacket(ipxeDiscoverBytes('0a0000000001')), 'dhcp', from)).toBeUndefined();
    expect(events.map((e) => e.kind)).toEqual(['ignored']);
    const req = parsePacket(ipxeDiscoverBytes());
    req.options.set(Opt.MESSAGE_TYPE, Buffer.from([MessageType.REQUEST]));
    req.options.set(Opt.SERVER_ID, Buffer.from([10, 99, 0, 254]));
    expect(await px.handle(req, 'dhcp', from)).toBeUndefined();
    req.options.set(Opt.SERVER_ID, Buffer.from([10, 99, 0, 1]));
    expect(messageType((await px.handle(req, 'dhcp', from))!.packet)).toBe(MessageType.ACK);
  });

  it('answers port 4011 REQUESTs by unicast to the sender', async () => {
    const px = proxyFor([mac]);
    const req = parsePacket(ipxeDiscoverBytes('525400990042', 7, false));
    req.options.set(Opt.MESSAGE_TYPE, Buffer.from([MessageType.REQUEST]));
    req.ciaddr = '10.99.0.123';
    const r = await px.handle(req, 'proxy', { address: '10.99.0.123', port: 4011 });
    expect(r!.address).toBe('10.99.0.123');
    expect(r!.port).toBe(4011);
    expect(messageType(r!.packet)).toBe(MessageType.ACK);
    expect(r!.packet.file).toBe('ipxe.efi');
  });

  it('boots unknown MACs only when allowed', async () => {
    const r = await proxyFor([], [], true).handle(
      parsePacket(ipxeDiscoverBytes('0a0000000001', 0, false)),
      'dhcp',
      from,
    );
    expect(r!.packet.file).toBe('undionly.kpxe');
  });
});

describe('full DHCP mode', () => {
  const policy = new DefaultBootPolicy(
    { hostIdFor: async () => 'h1', allowUnknown: false },
    { httpBase: 'http://10.98.0.1:8067', biosLoader: 'undionly.kpxe', efiLoader: 'ipxe.efi' },
  );
  const mk = () =>
    new DhcpServer({
      serverIp: '10.98.0.1',
      broadcast: '10.98.0.255',
      range: parseDhcpRange('10.98.0.10,10.98.0.11,255.255.255.0', '10.98.0.1'),
      policy,
      leases: new MemoryLeaseStore(),
      emit: () => undefined,
      log: () => undefined,
    });
  const withType = (b: Buffer, t: MessageType, extra: Array<[number, number[]]> = []): DhcpPacket => {
    const p = parsePacket(b);
    p.options.set(Opt.MESSAGE_TYPE, Buffer.from([t]));
    for (const [k, v] of extra) p.options.set(k, Buffer.from(v));
    return p;
  };

  it('offers pool addresses with boot options, ACKs the REQUEST, and runs out cleanly', async () => {
    const s = mk();
    const o1 = await s.handle(withType(ipxeDiscoverBytes('0a0000000001', 0, false), MessageType.DISCOVER));
    expect(o1!.packet.yiaddr).toBe('10.98.0.10');
    expect(o1!.packet.file).toBe('undionly.kpxe');
    expect(optIp(o1!.packet, Opt.SUBNET_MASK)).toBe('255.255.255.0');
    const ack = await s.handle(
      withType(ipxeDiscoverBytes('0a0000000001', 0, false), MessageType.REQUEST, [
        [Opt.SERVER_ID, [10, 98, 0, 1]],
        [Opt.REQUESTED_IP, [10, 98, 0, 10]],
      ]),
    );
    expect(messageType(ack!.packet)).toBe(MessageType.ACK);
    expect(ack!.packet.yiaddr).toBe('10.98.0.10');
    // same MAC again: same address
    const again = await s.handle(withType(ipxeDiscoverBytes('0a0000000001'), MessageType.DISCOVER));
    expect(again!.packet.yiaddr).toBe('10.98.0.10');
    const o2 = await s.handle(withType(ipxeDiscoverBytes('0a0000000002'), MessageType.DISCOVER));
    expect(o2!.packet.yiaddr).toBe('10.98.0.11');
    expect(await s.handle(withType(ipxeDiscoverBytes('0a0000000003'), MessageType.DISCOVER))).toBeUndefined();
    // a REQUEST for an address held by someone else is refused
    const nak = await s.handle(
      withType(ipxeDiscoverBytes('0a0000000003'), MessageType.REQUEST, [
        [Opt.SERVER_ID, [10, 98, 0, 1]],
        [Opt.REQUESTED_IP, [10, 98, 0, 10]],
      ]),
    );
    expect(messageType(nak!.packet)).toBe(MessageType.NAK);
  });

  it('refuses ranges outside the interface subnet', () => {
    expect(() => parseDhcpRange('10.1.0.10,10.1.0.20,255.255.255.0', '10.98.0.1')).toThrow(
      /not in the subnet/,
    );
    expect(() => parseDhcpRange('10.1.0.10-10.1.0.20')).toThrow(/FROM,TO,MASK/);
    expect(() => parseDhcpRange('10.1.0.30,10.1.0.20,255.255.255.0')).toThrow(/backwards/);
  });
});

describe('captured packets (QEMU iPXE ROMs, busybox udhcpc)', () => {
  const cap = (n: string) => fs.readFileSync(path.join(__dirname, 'captures', n));

  it('parses the iPXE DISCOVERs and round-trips them byte-identical up to the END option', () => {
    for (const [file, mac, arch, vc] of [
      ['ipxe-bios-discover.bin', '52:54:00:eb:05:01', 0, 'PXEClient:Arch:00000:UNDI:002001'],
      ['ipxe-efi-discover.bin', '52:54:00:eb:05:02', 7, 'PXEClient:Arch:00007:UNDI:003010'],
    ] as const) {
      const raw = cap(file);
      const p = parsePacket(raw);
      expect(clientMac(p)).toBe(mac);
      expect(messageType(p)).toBe(MessageType.DISCOVER);
      expect(clientArch(p)).toBe(arch);
      expect(optString(p, Opt.VENDOR_CLASS)).toBe(vc);
      expect(isIpxe(p)).toBe(true);
      const again = serializePacket(p);
      const end = raw.indexOf(255, 240);
      expect(again.subarray(0, end + 1).equals(raw.subarray(0, end + 1))).toBe(true);
    }
  });

  it('answers captured iPXE DISCOVERs with the script URL, ignores their REQUESTs to dnsmasq but learns the IP', async () => {
    const learned: Array<[string, string]> = [];
    const policy = new DefaultBootPolicy(
      { hostIdFor: async () => 'vm', allowUnknown: false },
      { httpBase: 'http://10.78.0.1:8067', biosLoader: 'undionly.kpxe', efiLoader: 'ipxe.efi' },
    );
    const px = new ProxyDhcp({
      serverIp: '10.78.0.1',
      broadcast: '10.78.0.255',
      policy,
      emit: () => undefined,
      log: () => undefined,
      learnIp: (mac, ip) => learned.push([mac, ip]),
    });
    const from = { address: '0.0.0.0', port: 68 };
    const r = await px.handle(parsePacket(cap('ipxe-efi-discover.bin')), 'dhcp', from);
    expect(r!.packet.file).toBe('http://10.78.0.1:8067/pxe/52-54-00-eb-05-02/boot.ipxe');
    expect(r!.packet.xid).toBe(parsePacket(cap('ipxe-efi-discover.bin')).xid);
    const req = parsePacket(cap('ipxe-bios-request.bin'));
    expect(optIp(req, Opt.SERVER_ID)).toBe('10.78.0.254');
    expect(await px.handle(req, 'dhcp', from)).toBeUndefined();
    expect(learned).toEqual([['52:54:00:eb:05:01', optIp(req, Opt.REQUESTED_IP)!]]);
    expect(await px.handle(parsePacket(cap('udhcpc-discover.bin')), 'dhcp', from)).toBeUndefined();
  });
});
