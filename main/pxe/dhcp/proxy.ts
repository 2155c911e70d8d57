// ProxyDHCP (PXE spec 2.1): answers PXE clients with a boot file, never with an address, so it
// runs beside the lab's own DHCP server. UDP 67 (broadcast DISCOVERs) and 4011 (unicast REQUESTs).
import type dgram from 'node:dgram';
import type { BootDecision, BootPolicy, EmitBootEvent, Machine, PxeLog } from '../policy';
import { ARCH } from '../policy';
import {
  clientArch,
  clientMac,
  isIpxe,
  messageType,
  MessageType,
  Opt,
  optIp,
  PacketError,
  parsePacket,
  pxeClientClass,
  replyTo,
  serializePacket,
  ipToBuffer,
  type DhcpPacket,
} from './packet';
import { bindUdp, closeUdp } from './udp';

/** PXE vendor options (option 43): PXE_DISCOVERY_CONTROL = 8 (boot the file given), END. */
export const PXE_VENDOR_OPTIONS = Buffer.from([0x06, 0x01, 0x08, 0xff]);

export interface ProxyConfig {
  /** This server's IPv4 address on the served interface. */
  serverIp: string;
  /** Subnet-directed broadcast of that interface, e.g. 10.0.0.255. */
  broadcast: string;
  policy: BootPolicy;
  emit: EmitBootEvent;
  log: PxeLog;
  /** Learned IP of a MAC (for attributing TFTP/HTTP requests to machines). */
  learnIp?: (mac: string, ip: string) => void;
}

export interface Reply {
  packet: DhcpPacket;
  address: string;
  port: number;
}

/** What the client is, or undefined when it is not a PXE/HTTP boot client on Ethernet. */
export function machineOf(req: DhcpPacket): Machine | undefined {
  const mac = clientMac(req);
  const clientClass = pxeClientClass(req);
  if (!mac || !clientClass) return undefined;
  return {
    mac,
    arch: clientArch(req) ?? (clientClass === 'HTTPClient' ? ARCH.EFI_X64_HTTP : ARCH.BIOS),
    ipxe: isIpxe(req),
    clientClass,
  };
}

/** Adds the PXE boot options of a decision to a reply (used by ProxyDHCP and full DHCP mode). */
export function addBootOptions(
  reply: DhcpPacket,
  req: DhcpPacket,
  m: Machine,
  d: Extract<BootDecision, { boot: true }>,
  serverIp: string,
): void {
  reply.siaddr = serverIp;
  reply.sname = serverIp;
  reply.file = d.file;
  reply.options.set(Opt.SERVER_ID, ipToBuffer(serverIp));
  reply.options.set(Opt.VENDOR_CLASS, Buffer.from(m.clientClass, 'latin1'));
  const uuid = req.options.get(Opt.CLIENT_UUID);
  if (uuid) reply.options.set(Opt.CLIENT_UUID, uuid);
  if (m.clientClass === 'PXEClient' && !m.ipxe) reply.options.set(Opt.VENDOR_SPECIFIC, PXE_VENDOR_OPTIONS);
  if (!d.file.startsWith('http')) reply.options.set(Opt.TFTP_SERVER, Buffer.from(serverIp, 'latin1'));
  reply.options.set(Opt.BOOTFILE, Buffer.from(d.file, 'latin1'));
}

const ARCH_NAMES: Record<number, string> = {
  0: 'BIOS',
  6: 'UEFI ia32',
  7: 'UEFI x64',
  9: 'UEFI x64',
  16: 'UEFI HTTP',
};
export function archName(a: number): string {
  return ARCH_NAMES[a] ?? `arch ${a}`;
}

export class ProxyDhcp {
  private sockets: dgram.Socket[] = [];
  /** The ports actually bound (0 in the request picks a free one). */
  readonly ports: { dhcp?: number; proxy?: number } = {};
  private readonly lastIgnored = new Map<string, number>();
  /** Packets seen / dropped as malformed (for status and the fuzz test). */
  readonly stats = { packets: 0, malformed: 0, replies: 0 };

  constructor(private readonly cfg: ProxyConfig) {}

  /** Binds the given ports (67 unless full DHCP mode serves it, and 4011). */
  async start(ports: { dhcp?: number; proxy?: number }, bindAddress = '0.0.0.0'): Promise<void> {
    try {
      if (ports.dhcp !== undefined) {
        const s = await bindUdp(ports.dhcp, bindAddress, 'ProxyDHCP', { broadcast: true });
        s.on('message', (msg, rinfo) => this.onMessage(s, msg, rinfo, 'dhcp'));
        this.sockets.push(s);
        this.ports.dhcp = s.address().port;
      }
      if (ports.proxy !== undefined) {
        const s = await bindUdp(ports.proxy, bindAddress, 'PXE boot server', { broadcast: true });
        s.on('message', (msg, rinfo) => this.onMessage(s, msg, rinfo, 'proxy'));
        this.sockets.push(s);
        this.ports.proxy = s.address().port;
      }
    } catch (e) {
      await this.stop();
      throw e;
    }
    for (const s of this.sockets)
      s.on('error', (e) => this.cfg.log('warn', `ProxyDHCP socket: ${e.message}`));
  }

  /** Do not keep the process alive for these sockets (the UI server decides when to exit). */
  unref(): void {
    for (const s of this.sockets) s.unref();
  }

  async stop(): Promise<void> {
    const socks = this.sockets;
    this.sockets = [];
    await Promise.all(socks.map(closeUdp));
  }

  private onMessage(sock: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo, via: 'dhcp' | 'proxy'): void {
    this.stats.packets++;
    let req: DhcpPacket;
    try {
      req = parsePacket(msg);
    } catch (e) {
      this.stats.malformed++;
      if (this.stats.malformed <= 20 || this.stats.malformed % 1000 === 0)
        this.cfg.log(
          'debug',
          `skipped a malformed DHCP packet from ${rinfo.address}: ${(e as PacketError).message}`,
        );
      return;
    }
    this.handle(req, via, rinfo).then(
      (r) => {
        if (!r) return;
        let bytes: Buffer;
        try {
          bytes = serializePacket(r.packet);
        } catch (e) {
          this.cfg.log('warn', `could not build a ProxyDHCP reply: ${(e as Error).message}`);
          return;
        }
        this.stats.replies++;
        sock.send(bytes, r.port, r.address, (err) => {
          if (err) this.cfg.log('warn', `ProxyDHCP reply to ${r.address}:${r.port} failed: ${err.message}`);
        });
      },
      (e: unknown) => this.cfg.log('error', `ProxyDHCP: ${(e as Error).message}`),
    );
  }

  /** The protocol logic, socket-free (unit-tested). */
  async handle(
    req: DhcpPacket,
    via: 'dhcp' | 'proxy',
    rinfo: { address: string; port: number },
  ): Promise<Reply | undefined> {
    if (req.op !== 1) return undefined;
    const type = messageType(req);
    const mac = clientMac(req);
    // Learn which IP the lab's DHCP gave a MAC (its REQUEST names it), to attribute TFTP/HTTP.
    if (mac && type === MessageType.REQUEST) {
      const want = optIp(req, Opt.REQUESTED_IP) ?? (req.ciaddr !== '0.0.0.0' ? req.ciaddr : undefined);
      if (want) this.cfg.learnIp?.(mac, want);
    }
    const m = machineOf(req);
    if (!m) return undefined; // not a PXE client: the lab's DHCP server handles it
    if (via === 'dhcp') {
      if (type !== MessageType.DISCOVER && type !== MessageType.REQUEST) return undefined;
      if (type === MessageType.REQUEST) {
        const sid = optIp(req, Opt.SERVER_ID);
        if (sid !== this.cfg.serverIp) return undefined; // a REQUEST for the lab's DHCP server
      }
    } else if (type !== MessageType.REQUEST && type !== MessageType.INFORM) return undefined;
    if (via === 'proxy' && req.ciaddr !== '0.0.0.0') this.cfg.learnIp?.(m.mac, req.ciaddr);

    const d = await this.cfg.policy.decide(m);
    if (!d.boot) {
      this.noteIgnored(m.mac, d.reason, d.hostId);
      return undefined;
    }
    this.cfg.emit({
      mac: m.mac,
      kind: 'dhcp-discover',
      hostId: d.hostId,
      message: `${via === 'dhcp' ? (type === MessageType.DISCOVER ? 'DISCOVER' : 'REQUEST') : 'REQUEST on 4011'} from ${archName(m.arch)}${m.ipxe ? ' iPXE' : ''} client`,
      data: { arch: m.arch, ipxe: m.ipxe, via, clientClass: m.clientClass },
    });
    const reply = replyTo(req);
    reply.options.set(
      Opt.MESSAGE_TYPE,
      Buffer.from([type === MessageType.DISCOVER ? MessageType.OFFER : MessageType.ACK]),
    );
    addBootOptions(reply, req, m, d, this.cfg.serverIp);
    this.cfg.emit({
      mac: m.mac,
      kind: 'proxy-offer',
      hostId: d.hostId,
      message: `offered ${d.file}${via === 'proxy' ? ' (port 4011)' : ''}`,
      data: { file: d.file, stage: d.stage, via },
    });
    if (via === 'proxy') {
      const address = rinfo.address !== '0.0.0.0' ? rinfo.address : this.cfg.broadcast;
      return { packet: reply, address, port: rinfo.port };
    }
    if (req.giaddr !== '0.0.0.0') return { packet: reply, address: req.giaddr, port: 67 };
    return { packet: reply, address: this.cfg.broadcast, port: 68 };
  }

  private noteIgnored(mac: string, reason: string, hostId?: string): void {
    const now = Date.now();
    const last = this.lastIgnored.get(mac) ?? 0;
    if (now - last < 60_000) return;
    this.lastIgnored.set(mac, now);
    if (this.lastIgnored.size > 10000) this.lastIgnored.clear();
    this.cfg.emit({ mac, kind: 'ignored', message: reason, hostId });
  }
}
