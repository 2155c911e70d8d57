// The PXE HTTP server: boot artifacts (with Range), the per-MAC iPXE script and the per-MAC
// user-data at config_url. Only fixed routes exist, so no URL maps to an arbitrary file.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../../shared/errors';
import { CHAIN_SCRIPT, ipxeScript, renderCmdline } from './cmdline';
import type { HostDirectory } from './hosts';
import { normalizeMacLoose } from './hosts';
import type { BootEventInput, EmitBootEvent, PxeLog } from './policy';
import { macPath } from './policy';

export interface BootArtifacts {
  kernel: string;
  initrd: string;
  rootfs?: string;
}

export interface PxeHttpConfig {
  bindAddress: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Host clients use in URLs (the interface address). */
  publicHost: string;
  artifacts: BootArtifacts;
  /** ipxe.efi served for UEFI HTTP boot clients. */
  ipxeEfi?: string;
  hosts: HostDirectory;
  emit: EmitBootEvent;
  log: PxeLog;
}

export const MAX_URL = 2048;

type ArtifactKind = 'kernel' | 'initrd' | 'rootfs';
const EVENT_OF: Record<ArtifactKind, BootEventInput['kind']> = {
  kernel: 'http-kernel',
  initrd: 'http-initrd',
  rootfs: 'http-rootfs',
};

export function urlsFor(base: string, mac: string, hasRootfs: boolean) {
  const p = `${base}/pxe/${macPath(mac)}`;
  return {
    script: `${p}/boot.ipxe`,
    userData: `${p}/user-data`,
    kernel: `${p}/kernel`,
    initrd: `${p}/initrd`,
    rootfs: hasRootfs ? `${p}/rootfs.squashfs` : undefined,
  };
}

/** Parses a single `bytes=` range; undefined = whole file; 'bad' = unsatisfiable. */
export function parseRange(
  h: string | undefined,
  size: number,
): { start: number; end: number } | undefined | 'bad' {
  if (!h) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(h.trim());
  if (!m) return h.includes(',') ? undefined : 'bad'; // several ranges: send the whole file
  if (m[1] === '' && m[2] === '') return 'bad';
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'bad';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'bad';
  return { start, end };
}

export class PxeHttpServer {
  private server?: http.Server;
  readonly stats = { requests: 0, notFound: 0 };
  /** Base URL clients use, e.g. http://10.0.0.1:8067 (known once listening). */
  publicBase = '';

  constructor(private readonly cfg: PxeHttpConfig) {}

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<void> {
    const server = http.createServer({ maxHeaderSize: 8192 }, (req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        this.cfg.log('error', `HTTP ${req.url}: ${(e as Error).message}`);
        if (!res.headersSent) this.text(res, 500, 'internal error\n');
        else res.destroy();
      });
    });
    server.requestTimeout = 60_000;
    server.headersTimeout = 15_000;
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE')
          reject(
            new AppError(
              'EBUSY',
              `HTTP port ${this.cfg.port} on ${this.cfg.bindAddress} is already in use; pick another with --http-port`,
            ),
          );
        else if (e.code === 'EACCES')
          reject(
            new AppError(
              'EACCES',
              `HTTP port ${this.cfg.port} needs root (ports below 1024); pick a port above 1024 with --http-port`,
            ),
          );
        else
          reject(
            new AppError(
              'ENETWORK',
              `cannot listen on ${this.cfg.bindAddress}:${this.cfg.port}: ${e.message}`,
            ),
          );
      });
      server.listen(this.cfg.port, this.cfg.bindAddress, () => resolve());
    });
    server.on('error', (e) => this.cfg.log('warn', `HTTP server: ${e.message}`));
    this.server = server;
    this.publicBase = `http://${this.cfg.publicHost}:${this.port}`;
  }

  unref(): void {
    this.server?.unref();
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  private text(res: http.ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8') {
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
    });
    res.end(body);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.stats.requests++;
    const rawUrl = req.url ?? '/';
    if (rawUrl.length > MAX_URL) return this.text(res, 414, 'URL too long\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return this.text(res, 405, 'only GET and HEAD\n');
    }
    const pathname = rawUrl.split('?')[0];
    if (pathname === '/boot.ipxe') return this.text(res, 200, CHAIN_SCRIPT);
    if (pathname === '/healthz') return this.text(res, 200, 'ok\n');
    if (pathname === '/ipxe/ipxe.efi' && this.cfg.ipxeEfi) {
      await this.file(req, res, this.cfg.ipxeEfi, 'application/efi');
      return;
    }
    const m = /^\/pxe\/([0-9A-Fa-f:-]{12,17})\/(boot\.ipxe|user-data|kernel|initrd|rootfs\.squashfs)$/.exec(
      pathname,
    );
    const mac = m ? normalizeMacLoose(m[1]) : undefined;
    if (!m || !mac) {
      this.stats.notFound++;
      return this.text(res, 404, 'not found\n');
    }
    const what = m[2];
    const host = await this.cfg.hosts.lookup(mac);
    if (!host && !this.cfg.hosts.allowUnknown) {
      this.stats.notFound++;
      this.cfg.emit({
        mac,
        kind: 'ignored',
        message: `HTTP ${what} refused: unknown MAC`,
        data: { path: pathname, from: req.socket.remoteAddress },
      });
      return this.text(res, 404, `unknown machine ${mac}\n`);
    }
    const hostId = host && host.source !== 'default' ? host.hostId : undefined;
    if (what === 'boot.ipxe') return this.script(res, mac, hostId);
    if (what === 'user-data') {
      await this.userData(req, res, mac, hostId);
      return;
    }
    const kind: ArtifactKind = what === 'kernel' ? 'kernel' : what === 'initrd' ? 'initrd' : 'rootfs';
    const file = this.cfg.artifacts[kind];
    if (!file) return this.text(res, 404, 'this image has no rootfs.squashfs\n');
    return this.file(req, res, file, 'application/octet-stream', (bytes, status, start) => {
      if (start !== 0 && kind === 'rootfs') return; // chunked reads of the rootfs: report the first only
      this.cfg.emit({
        mac,
        hostId,
        kind: EVENT_OF[kind],
        message: `${req.method} ${kind} ${status === 206 ? '(range) ' : ''}${bytes} bytes to ${req.socket.remoteAddress ?? '?'}`,
        data: { bytes, status },
      });
    });
  }

  private async script(res: http.ServerResponse, mac: string, hostId?: string) {
    const u = urlsFor(this.publicBase, mac, Boolean(this.cfg.artifacts.rootfs));
    const template = await this.cfg.hosts.cmdlineTemplate(mac);
    const hasUd = await this.cfg.hosts.hasUserData(mac);
    const cmdline = renderCmdline(template, {
      rootfs_url: u.rootfs,
      config_url: hasUd ? u.userData : undefined,
      server: this.publicBase,
      mac,
      host_id: hostId,
    });
    const body = ipxeScript({ mac, hostId, kernelUrl: u.kernel, initrdUrl: u.initrd, cmdline });
    this.cfg.emit({ mac, hostId, kind: 'http-script', message: 'iPXE script fetched', data: { cmdline } });
    this.text(res, 200, body);
  }

  private async userData(req: http.IncomingMessage, res: http.ServerResponse, mac: string, hostId?: string) {
    let r: Awaited<ReturnType<HostDirectory['userData']>>;
    try {
      r = await this.cfg.hosts.userData(mac);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.cfg.emit({ mac, hostId, kind: 'error', message: `user-data could not be produced: ${msg}` });
      return this.text(res, 500, `user-data for ${mac} could not be produced: ${msg}\n`);
    }
    if (!r) {
      this.cfg.emit({
        mac,
        kind: 'ignored',
        message: 'user-data refused: no host and no default profile for this MAC',
      });
      return this.text(res, 404, `no user-data for ${mac}\n`);
    }
    this.cfg.emit({
      mac,
      hostId,
      kind: 'userdata-fetched',
      message: `user-data (${Buffer.byteLength(r.text)} bytes, from ${r.from}) sent to ${req.socket.remoteAddress ?? '?'}`,
      data: { bytes: Buffer.byteLength(r.text), from: r.from },
    });
    if (req.method === 'HEAD') {
      res.writeHead(200, {
        'Content-Type': 'text/yaml; charset=utf-8',
        'Content-Length': Buffer.byteLength(r.text),
      });
      res.end();
      return;
    }
    this.text(res, 200, r.text, 'text/yaml; charset=utf-8');
  }

  private async file(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    file: string,
    type: string,
    onDone?: (bytes: number, status: number, start: number) => void,
  ): Promise<void> {
    const st = await fs.promises.stat(file);
    const range = parseRange(req.headers.range, st.size);
    if (range === 'bad') {
      res.writeHead(416, { 'Content-Range': `bytes */${st.size}` });
      return void res.end();
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? st.size - 1;
    const len = st.size === 0 ? 0 : end - start + 1;
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': type,
      'Content-Length': len,
      'Accept-Ranges': 'bytes',
      'Last-Modified': st.mtime.toUTCString(),
    };
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
    const status = range ? 206 : 200;
    res.writeHead(status, headers);
    if (req.method === 'HEAD' || len === 0) {
      res.end();
      return;
    }
    await new Promise<void>((resolve) => {
      const rs = fs.createReadStream(file, { start, end, highWaterMark: 1024 * 1024 });
      rs.on('error', (e) => {
        this.cfg.log('warn', `HTTP read of ${file}: ${e.message}`);
        res.destroy();
        resolve();
      });
      res.on('close', () => {
        rs.destroy();
        resolve();
      });
      res.on('finish', () => {
        onDone?.(len, status, start);
        resolve();
      });
      rs.pipe(res);
    });
  }
}
