// Full DHCP mode for isolated benches without a DHCP server: hands out addresses from a pool
// (leases kept in the store) and, to PXE clients, the same boot options ProxyDHCP would give.
import type dgram from 'node:dgram';
import { AppError } from '../../../shared/errors';
import type { PxeLease, PxeRepo } from '../../store/pxe-repo';
import type { BootPolicy, EmitBootEvent, PxeLog } from '../policy';
import { addBootOptions, machineOf } from './proxy';
import {
  clientMac,
  intToIp,
  ipToBuffer,
  ipToInt,
  messageType,
  MessageType,
  Opt,
  optIp,
  parsePacket,
  replyTo,
  serializePacket,
  type DhcpPacket,
} from './packet';
import { bindUdp, closeUdp } from './udp';

export type LeaseStore = Pick<PxeRepo, 'leases' | 'leaseByMac' | 'leaseByIp' | 'putLease' | 'deleteLease'>;

/** Leases in memory, for runs without a store. */
export class MemoryLeaseStore implements LeaseStore {
  private readonly byMac = new Map<string, PxeLease>();
  async leases() {
    return [...this.byMac.values()];
  }
  async leaseByMac(mac: string) {
    return this.byMac.get(mac);
  }
  async leaseByIp(ip: string) {
    return [...this.byMac.values()].find((l) => l.ip === ip);
  }
  async putLease(l: PxeLease) {
    for (const [k, v] of this.byMac) if (v.ip === l.ip && k !== l.mac) this.byMac.delete(k);
    this.byMac.set(l.mac, { ...l });
  }
  async deleteLease(mac: string) {
    return this.byMac.delete(mac);
  }
}

export interface DhcpRange {
  from: string;
  to: string;
  mask: string;
}

/** Parses FROM,TO,MASK (e.g. 10.0.0.100,10.0.0.150,255.255.255.0) and checks it fits the interface. */
export function parseDhcpRange(s: string, serverIp?: string): DhcpRange {
  const parts = s.split(',').map((p) => p.trim());
  const isIp = (p: string) =>
    /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(p) && p.split('.').every((x) => Number(x) <= 255);
  if (parts.length !== 3 || !parts.every(isIp))
    throw new AppError(
      'EUSAGE',
      `--dhcp-range takes FROM,TO,MASK (e.g. 10.0.0.100,10.0.0.150,255.255.255.0), not "${s}"`,
    );
  const [from, to, mask] = parts;
  const m = ipToInt(mask);
  if (((~m >>> 0) & ((~m >>> 0) + 1)) !== 0) throw new AppError('EINVALID', `${mask} is not a valid netmask`);
  if (ipToInt(from) > ipToInt(to)) throw new AppError('EINVALID', `DHCP range ${from}..${to} is backwards`);
  if ((ipToInt(from) & m) !== (ipToInt(to) & m))
    throw new AppError('EINVALID', `DHCP range ${from}..${to} spans more than one subnet with mask ${mask}`);
  if (serverIp && (ipToInt(serverIp) & m) !== (ipToInt(from) & m))
    throw new AppError(
      'EINVALID',
      `DHCP range ${from}..${to} is not in the subnet of the interface address ${serverIp}`,
    );
  if (ipToInt(to) - ipToInt(from) > 65535)
    throw new AppError('EINVALID', 'DHCP range larger than 65536 addresses');
  return { from, to, mask };
}

export interface DhcpServerConfig {
  serverIp: string;
  broadcast: string;
  range: DhcpRange;
  leaseSeconds?: number;
  router?: string;
  dns?: string[];
  policy: BootPolicy;
  leases: LeaseStore;
  emit: EmitBootEvent;
  log: PxeLog;
  learnIp?: (mac: string, ip: string) => void;
}

const OFFER_HOLD_MS = 60_000;

export class DhcpServer {
  private sock?: dgram.Socket;
  readonly stats = { packets: 0, malformed: 0, replies: 0 };
  /** Serialises lease decisions so two DISCOVERs never get the same address. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly cfg: DhcpServerConfig) {}

  get port(): number | undefined {
    return this.sock?.address().port;
  }

  async start(port = 67, bindAddress = '0.0.0.0'): Promise<void> {
    this.sock = await bindUdp(port, bindAddress, 'DHCP server', { broadcast: true });
    const sock = this.sock;
    sock.on('error', (e) => this.cfg.log('warn', `DHCP socket: ${e.message}`));
    sock.on('message', (msg) => {
      this.stats.packets++;
      let req: DhcpPacket;
      try {
        req = parsePacket(msg);
      } catch {
        this.stats.malformed++;
        return;
      }
      const job = this.queue.then(() => this.handle(req));
      this.queue = job.catch(() => undefined);
      job.then(
        (r) => {
          if (!r) return;
          this.stats.replies++;
          sock.send(serializePacket(r.packet), r.port, r.address, (err) => {
            if (err) this.cfg.log('warn', `DHCP reply to ${r.address} failed: ${err.message}`);
          });
        },
        (e: unknown) => this.cfg.log('error', `DHCP: ${(e as Error).message}`),
      );
    });
  }

  unref(): void {
    this.sock?.unref();
  }

  async stop(): Promise<void> {
    const s = this.sock;
    this.sock = undefined;
    await closeUdp(s);
  }

  private inPool(ip: string): boolean {
    const n = ipToInt(ip);
    return n >= ipToInt(this.cfg.range.from) && n <= ipToInt(this.cfg.range.to) && ip !== this.cfg.serverIp;
  }
  private inSubnet(ip: string): boolean {
    const m = ipToInt(this.cfg.range.mask);
    return (ipToInt(ip) & m) === (ipToInt(this.cfg.serverIp) & m);
  }

  private async pickAddress(mac: string): Promise<string | undefined> {
    const now = Date.now();
    const mine = await this.cfg.leases.leaseByMac(mac);
    if (mine && mine.state !== 'declined' && this.inPool(mine.ip)) return mine.ip;
    const taken = new Map((await this.cfg.leases.leases()).map((l) => [l.ip, l]));
    for (let n = ipToInt(this.cfg.range.from); n <= ipToInt(this.cfg.range.to); n++) {
      const ip = intToIp(n);
      if (ip === this.cfg.serverIp) continue;
      const l = taken.get(ip);
      if (!l || Date.parse(l.expiresAt) < now) return ip;
    }
    return undefined;
  }

  /** The protocol logic, socket-free. */
  async handle(req: DhcpPacket): Promise<{ packet: DhcpPacket; address: string; port: number } | undefined> {
    if (req.op !== 1) return undefined;
    const mac = clientMac(req);
    const type = messageType(req);
    if (!mac || !type) return undefined;
    const leaseMs = (this.cfg.leaseSeconds ?? 3600) * 1000;
    const sid = optIp(req, Opt.SERVER_ID);
    if (type === MessageType.DISCOVER) {
      const ip = await this.pickAddress(mac);
      if (!ip) {
        this.cfg.log(
          'warn',
          `DHCP pool ${this.cfg.range.from}-${this.cfg.range.to} is full; ${mac} gets no address`,
        );
        this.cfg.emit({ mac, kind: 'error', message: 'DHCP pool is full: no address to offer' });
        return undefined;
      }
      const cur = await this.cfg.leases.leaseByMac(mac);
      if (!cur || cur.ip !== ip || cur.state !== 'bound')
        await this.cfg.leases.putLease({
          mac,
          ip,
          state: 'offered',
          expiresAt: new Date(Date.now() + OFFER_HOLD_MS).toISOString(),
        });
      return this.reply(req, mac, MessageType.OFFER, ip, leaseMs);
    }
    if (type === MessageType.REQUEST) {
      if (sid && sid !== this.cfg.serverIp) {
        const l = await this.cfg.leases.leaseByMac(mac);
        if (l?.state === 'offered') await this.cfg.leases.deleteLease(mac);
        return undefined;
      }
      const want = optIp(req, Opt.REQUESTED_IP) ?? (req.ciaddr !== '0.0.0.0' ? req.ciaddr : undefined);
      if (!want) return undefined;
      const l = await this.cfg.leases.leaseByMac(mac);
      const other = await this.cfg.leases.leaseByIp(want);
      const free = !other || other.mac === mac || Date.parse(other.expiresAt) < Date.now();
      const ok = (l && l.ip === want && l.state !== 'declined') || (this.inPool(want) && free);
      if (!ok) {
        if (!sid && !this.inSubnet(want)) return this.nak(req, 'address not on this network');
        if (!sid && !this.inPool(want)) return undefined; // not ours to judge
        return this.nak(req, `address ${want} is not available`);
      }
      await this.cfg.leases.putLease({
        mac,
        ip: want,
        state: 'bound',
        expiresAt: new Date(Date.now() + leaseMs).toISOString(),
      });
      this.cfg.learnIp?.(mac, want);
      this.cfg.emit({
        mac,
        kind: 'dhcp-lease',
        message: `leased ${want} for ${Math.round(leaseMs / 1000)} s`,
        data: { ip: want },
      });
      return this.reply(req, mac, MessageType.ACK, want, leaseMs);
    }
    if (type === MessageType.RELEASE && sid === this.cfg.serverIp) {
      const l = await this.cfg.leases.leaseByMac(mac);
      if (l && l.ip === req.ciaddr) await this.cfg.leases.deleteLease(mac);
      return undefined;
    }
    if (type === MessageType.DECLINE && sid === this.cfg.serverIp) {
      const ip = optIp(req, Opt.REQUESTED_IP);
      if (ip && this.inPool(ip)) {
        await this.cfg.leases.deleteLease(mac);
        await this.cfg.leases.putLease({
          mac: `declined-${ip}`,
          ip,
          state: 'declined',
          expiresAt: new Date(Date.now() + 10 * 60_000).toISOString(),
        });
        this.cfg.emit({
          mac,
          kind: 'error',
          message: `client declined ${ip} (address conflict on the network)`,
        });
      }
      return undefined;
    }
    return undefined;
  }

  private async reply(req: DhcpPacket, mac: string, type: MessageType, ip: string, leaseMs: number) {
    const r = replyTo(req);
    r.yiaddr = ip;
    r.options.set(Opt.MESSAGE_TYPE, Buffer.from([type]));
    r.options.set(Opt.SERVER_ID, ipToBuffer(this.cfg.serverIp));
    const lt = Buffer.alloc(4);
    lt.writeUInt32BE(Math.floor(leaseMs / 1000));
    r.options.set(Opt.LEASE_TIME, lt);
    r.options.set(Opt.SUBNET_MASK, ipToBuffer(this.cfg.range.mask));
    if (this.cfg.router) r.options.set(Opt.ROUTER, ipToBuffer(this.cfg.router));
    if (this.cfg.dns?.length) r.options.set(Opt.DNS, Buffer.concat(this.cfg.dns.map(ipToBuffer)));
    const m = machineOf(req);
    if (m) {
      const d = await this.cfg.policy.decide(m);
      if (d.boot) {
        addBootOptions(r, req, m, d, this.cfg.serverIp);
        if (type === MessageType.OFFER)
          this.cfg.emit({
            mac,
            kind: 'proxy-offer',
            hostId: d.hostId,
            message: `offered ${ip} and ${d.file}`,
            data: { file: d.file, stage: d.stage, ip },
          });
      }
    }
    return this.destination(req, r);
  }

  private nak(req: DhcpPacket, why: string) {
    const r = replyTo(req);
    r.options.set(Opt.MESSAGE_TYPE, Buffer.from([MessageType.NAK]));
    r.options.set(Opt.SERVER_ID, ipToBuffer(this.cfg.serverIp));
    r.options.set(Opt.MESSAGE, Buffer.from(why, 'latin1'));
    r.flags |= 0x8000;
    return {
      packet: r,
      address: req.giaddr !== '0.0.0.0' ? req.giaddr : this.cfg.broadcast,
      port: req.giaddr !== '0.0.0.0' ? 67 : 68,
    };
  }

  private destination(req: DhcpPacket, r: DhcpPacket) {
    if (req.giaddr !== '0.0.0.0') return { packet: r, address: req.giaddr, port: 67 };
    if (req.ciaddr !== '0.0.0.0') return { packet: r, address: req.ciaddr, port: 68 };
    return { packet: r, address: this.cfg.broadcast, port: 68 };
  }
}
