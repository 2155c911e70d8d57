// The PXE boot service: one lifecycle for ProxyDHCP (or full DHCP), TFTP and HTTP. Every socket
// is opened up front (a failure closes the ones already open), all close together, and every
// boot step is reported as a typed event per MAC (stored, streamed, and passed to onEvent).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BootEvent, PxeInterface, PxeStatus } from '../../shared/contract/pxe';
import { AppError } from '../../shared/errors';
import type { EventBus } from '../core/event-bus';
import type { Store } from '../store';
import { prepareArtifacts, type BootArtifactFiles } from './artifacts';
import { checkCmdlineTemplate } from './cmdline';
import { broadcastOf } from './dhcp/packet';
import { ProxyDhcp } from './dhcp/proxy';
import { DhcpServer, MemoryLeaseStore, parseDhcpRange } from './dhcp/server';
import { HostDirectory, readHostsCsv, type BootHost } from './hosts';
import { PxeHttpServer, urlsFor } from './http';
import { DefaultBootPolicy, type BootEventInput, type PxeLog } from './policy';
import { TftpServer } from './tftp/server';

export const IPXE_BIOS_DEFAULT = '/usr/lib/ipxe/undionly.kpxe';
export const IPXE_EFI_DEFAULT = '/usr/lib/ipxe/ipxe.efi';

export interface PxeServiceOptions {
  /** Interface name (e.g. eth1) or its IPv4 address. */
  interface?: string;
  address?: string;
  /** Installer ISO; or give `artifacts` already extracted. */
  image?: string;
  artifacts?: Pick<BootArtifactFiles, 'kernel' | 'initrd' | 'rootfs'>;
  /** A hosts CSV path or parsed rows; store hosts (by MAC) are always looked up too. */
  hosts?: string | BootHost[];
  mode?: 'proxy' | 'dhcp';
  /** Full DHCP mode: FROM,TO,MASK. */
  dhcpRange?: string;
  httpPort?: number;
  tftp?: boolean;
  allowUnknown?: boolean;
  defaultProfile?: string;
  store?: Store;
  bus?: EventBus;
  onEvent?: (e: BootEvent) => void;
  log?: PxeLog;
  /** Where extracted artifacts and the TFTP folder live (default: a folder under the OS temp dir). */
  cacheDir?: string;
  ipxe?: { bios?: string; efi?: string };
  /** Override the UDP ports (tests on loopback without root). */
  ports?: { dhcp?: number; proxy?: number; tftp?: number };
  /**
   * Address the UDP sockets bind (default 0.0.0.0, needed to hear broadcast DISCOVERs). Tests on
   * loopback bind 127.0.0.1 so nothing listens beyond it.
   */
  udpBindAddress?: string;
  /** false: the service does not keep the process alive by itself (inside `edgebench serve`). */
  keepAlive?: boolean;
  /** One kernel command-line template for every host (else per profile, else AuroraBoot's). */
  cmdlineTemplate?: string;
  signal?: AbortSignal;
}

export interface PxeUrls {
  http: string;
  script: string;
  userData: string;
  kernel: string;
  initrd: string;
  rootfs?: string;
}

export interface PxeService {
  readonly urls: PxeUrls;
  readonly address: string;
  readonly ports: { dhcp?: number; proxy: number; tftp?: number; http: number };
  status(): Promise<PxeStatus>;
  stats(): Record<string, unknown>;
  /** For tests and the UI: which MAC an IP belongs to, as learned from DHCP traffic. */
  macForIp(ip: string): string | undefined;
  stop(): Promise<void>;
}

export function listInterfaces(): PxeInterface[] {
  const out: PxeInterface[] = [];
  for (const [name, addrs] of Object.entries(os.networkInterfaces()))
    for (const a of addrs ?? [])
      if (a.family === 'IPv4')
        out.push({
          name,
          address: a.address,
          netmask: a.netmask,
          broadcast: broadcastOf(a.address, a.netmask),
          mac: a.mac,
          internal: a.internal,
        });
  return out;
}

export function resolveInterface(opts: { interface?: string; address?: string }): PxeInterface {
  const all = listInterfaces();
  const want = opts.interface ?? opts.address;
  if (!want) throw new AppError('EUSAGE', 'name the network interface to serve on (--interface IF)');
  const hit =
    all.find((i) => i.name === want) ??
    all.find((i) => i.address === want) ??
    (opts.address ? all.find((i) => i.address === opts.address) : undefined);
  if (!hit) {
    const names = all.map((i) => `${i.name} (${i.address})`).join(', ') || 'none';
    throw new AppError(
      'ENOTFOUND',
      `no network interface "${want}" with an IPv4 address here (have: ${names})`,
    );
  }
  return hit;
}

/** /proc/net/arp: the kernel's neighbour table (IP -> MAC), a fallback for attribution. */
function arpLookup(ip: string): string | undefined {
  try {
    for (const line of fs.readFileSync('/proc/net/arp', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[0] === ip && f[3] && f[3] !== '00:00:00:00:00:00') return f[3].toLowerCase();
    }
  } catch {
    /* not Linux */
  }
  return undefined;
}

export async function startPxeService(o: PxeServiceOptions): Promise<PxeService> {
  const iface = resolveInterface(o);
  const mode = o.mode ?? 'proxy';
  const log: PxeLog = o.log ?? (() => undefined);
  if (o.cmdlineTemplate) checkCmdlineTemplate(o.cmdlineTemplate);
  const range = mode === 'dhcp' ? parseDhcpRange(o.dhcpRange ?? '', iface.address) : undefined;
  if (mode === 'dhcp' && !o.dhcpRange)
    throw new AppError('EUSAGE', 'full DHCP mode needs --dhcp-range FROM,TO,MASK');
  const cacheDir = o.cacheDir ?? path.join(os.tmpdir(), 'edgebench-pxe-cache');
  const bios = o.ipxe?.bios ?? IPXE_BIOS_DEFAULT;
  const efi = o.ipxe?.efi ?? IPXE_EFI_DEFAULT;
  const wantTftp = o.tftp !== false;
  if (wantTftp)
    for (const f of [bios, efi])
      if (!fs.existsSync(f))
        throw new AppError(
          'ETOOLMISSING',
          `iPXE loader ${f} is missing (Debian package: ipxe), or give its path`,
          { path: f },
        );

  let artifacts = o.artifacts;
  if (!artifacts) {
    if (!o.image) throw new AppError('EUSAGE', 'give the installer image (--image ISO)');
    artifacts = await prepareArtifacts(o.image, path.join(cacheDir, 'artifacts'), { signal: o.signal });
  }
  const csvHosts = typeof o.hosts === 'string' ? await readHostsCsv(o.hosts) : o.hosts;
  if (o.defaultProfile && o.store && !(await o.store.profiles.get(o.defaultProfile)))
    throw new AppError('ENOTFOUND', `default profile "${o.defaultProfile}" does not exist in the store`);
  for (const h of csvHosts ?? [])
    if (h.userDataFile && !fs.existsSync(h.userDataFile))
      throw new AppError('ENOTFOUND', `user-data file ${h.userDataFile} of host ${h.hostId} does not exist`, {
        path: h.userDataFile,
      });
  const directory = new HostDirectory({
    store: o.store,
    csvHosts,
    allowUnknown: o.allowUnknown,
    defaultProfile: o.defaultProfile,
    cmdlineTemplate: o.cmdlineTemplate,
  });

  // ---- events ----
  const ipToMac = new Map<string, string>();
  const learnIp = (mac: string, ip: string) => {
    if (ip !== '0.0.0.0') ipToMac.set(ip, mac);
  };
  const macForIp = (ip: string) =>
    ipToMac.get(ip.replace(/^::ffff:/, '')) ?? arpLookup(ip.replace(/^::ffff:/, ''));
  let stopped = false;
  let chain: Promise<unknown> = Promise.resolve();
  const emit = (e: BootEventInput) => {
    if (stopped) return;
    chain = chain
      .then(async () => {
        const hostId = e.hostId ?? (await directory.hostIdFor(e.mac).catch(() => undefined));
        const base = { ...e, hostId };
        const ev: BootEvent = o.store
          ? await o.store.pxe.addEvent(base)
          : { ...base, time: new Date().toISOString() };
        if (!ev.hostId) delete ev.hostId;
        if (
          hostId &&
          o.store &&
          (e.kind === 'userdata-fetched' || e.kind === 'error') &&
          (await o.store.hosts.get(hostId))
        )
          await o.store.hosts.addEvent(hostId, `pxe-${e.kind}`, e.message);
        o.bus?.emit('pxe.boot', ev);
        o.onEvent?.(ev);
      })
      .catch((err: unknown) => log('warn', `could not record a boot event: ${(err as Error).message}`));
  };

  // ---- sockets, all up front ----
  const httpPort = o.httpPort ?? 8067;
  const bootUrls = { httpBase: '', biosLoader: 'undionly.kpxe', efiLoader: 'ipxe.efi' };
  const policy = new DefaultBootPolicy(directory, bootUrls);
  const ports = {
    dhcp: o.ports?.dhcp ?? 67,
    proxy: o.ports?.proxy ?? 4011,
    tftp: o.ports?.tftp ?? 69,
  };
  const tftpRoot = path.join(cacheDir, `tftp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  const http = new PxeHttpServer({
    bindAddress: iface.address,
    port: httpPort,
    publicHost: iface.address,
    artifacts,
    ipxeEfi: fs.existsSync(efi) ? efi : undefined,
    hosts: directory,
    emit,
    log,
  });
  const proxy = new ProxyDhcp({
    serverIp: iface.address,
    broadcast: iface.broadcast,
    policy,
    emit,
    log,
    learnIp,
  });
  const dhcp = range
    ? new DhcpServer({
        serverIp: iface.address,
        broadcast: iface.broadcast,
        range,
        policy,
        leases: o.store?.pxe ?? new MemoryLeaseStore(),
        emit,
        log,
        learnIp,
      })
    : undefined;
  const tftp = wantTftp
    ? new TftpServer({
        root: tftpRoot,
        port: ports.tftp,
        bindAddress: o.udpBindAddress,
        log,
        onTransfer: (t) => {
          const mac = macForIp(t.address);
          if (!mac || t.queryOnly) return;
          emit({
            mac,
            kind: t.ok ? 'tftp-file' : 'error',
            message: t.ok
              ? `TFTP ${t.file} (${t.bytes} bytes, blksize ${t.blksize}) to ${t.address} in ${t.ms} ms`
              : `TFTP ${t.file} to ${t.address} failed: ${t.error}`,
            data: { file: t.file, bytes: t.bytes, ms: t.ms, blksize: t.blksize, windowsize: t.windowsize },
          });
        },
        onRefused: (r) => {
          const mac = macForIp(r.address);
          if (mac) emit({ mac, kind: 'error', message: `TFTP ${r.file} refused: ${r.reason}` });
        },
      })
    : undefined;

  const stopAll = async () => {
    await Promise.allSettled([http.stop(), proxy.stop(), dhcp?.stop(), tftp?.stop()]);
    await fs.promises.rm(tftpRoot, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    if (tftp) {
      await fs.promises.mkdir(tftpRoot, { recursive: true });
      await fs.promises.copyFile(bios, path.join(tftpRoot, 'undionly.kpxe'));
      await fs.promises.copyFile(efi, path.join(tftpRoot, 'ipxe.efi'));
    }
    await http.start();
    bootUrls.httpBase = http.publicBase;
    if (dhcp) await dhcp.start(ports.dhcp, o.udpBindAddress);
    await proxy.start(
      dhcp ? { proxy: ports.proxy } : { dhcp: ports.dhcp, proxy: ports.proxy },
      o.udpBindAddress,
    );
    if (tftp) await tftp.start();
  } catch (e) {
    await stopAll();
    throw e;
  }
  if (o.keepAlive === false) {
    http.unref();
    proxy.unref();
    dhcp?.unref();
    tftp?.unref();
  }
  const startedAt = new Date().toISOString();
  const publicBase = http.publicBase;
  const u = urlsFor(publicBase, '{mac}', Boolean(artifacts.rootfs));
  const urls: PxeUrls = {
    http: publicBase,
    script: u.script,
    userData: u.userData,
    kernel: u.kernel,
    initrd: u.initrd,
    rootfs: u.rootfs,
  };
  log('info', `PXE service on ${iface.name} ${iface.address} (${mode}), HTTP ${publicBase}`);
  const service: PxeService = {
    urls,
    address: iface.address,
    ports: {
      dhcp: dhcp ? dhcp.port : proxy.ports.dhcp,
      proxy: proxy.ports.proxy ?? ports.proxy,
      tftp: tftp ? tftp.port : undefined,
      http: http.port,
    },
    async status() {
      return {
        running: !stopped,
        interface: iface.name,
        address: iface.address,
        mode,
        image: o.image,
        urls,
        hosts: await directory.list(),
        startedAt,
        allowUnknown: Boolean(o.allowUnknown),
      };
    },
    stats: () => ({ dhcp: dhcp?.stats, proxy: proxy.stats, tftp: tftp?.stats, http: http.stats }),
    macForIp,
    async stop() {
      if (stopped) return;
      await chain;
      stopped = true;
      await stopAll();
      log('info', 'PXE service stopped');
    },
  };
  return service;
}
