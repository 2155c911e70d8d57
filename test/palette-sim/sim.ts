// A Palette API simulator for tests: an HTTPS server on 127.0.0.1 following the public spec's
// paths, headers (ApiKey, ProjectUid), payloads and error bodies ({code, message, details, ref}).
// It keeps state (edge hosts unpaired -> ready -> in-use -> ready after cluster delete) and
// injects faults on demand: 401, 403, duplicate, 429 + Retry-After, 500, slow answers, reset
// connections; `stop()` makes it unreachable (connection refused) until `start()`.
import crypto from 'node:crypto';
import https from 'node:https';
import type net from 'node:net';
import type { SimCerts } from './certs';

export interface SimHost {
  uid: string;
  name: string;
  labels: Record<string, string>;
  spec: Record<string, unknown>;
  paired: boolean;
  cluster?: { uid: string; name: string };
  createdAt: string;
}

export interface SimCluster {
  uid: string;
  name: string;
  cloudConfigUid: string;
  body: any;
  pools: Map<string, string[]>;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
  status: number;
  projectUid?: string;
  hadApiKey: boolean;
  /** Set for POST /v1/edgehosts that created a host. */
  created?: string;
}

export type FaultKind =
  '401' | '403' | 'duplicate' | '429' | '500' | '500-after' | 'slow' | 'reset' | 'echo-key';

export interface Fault {
  kind: FaultKind;
  method?: string;
  path?: string | RegExp;
  times?: number;
  retryAfter?: string;
  delayMs?: number;
}

export interface SimOptions {
  certs: SimCerts;
  apiKey: string;
  projectUid: string;
  pageSize?: number;
  profiles?: Array<{ uid: string; name: string; version?: string; type?: string }>;
}

const err = (code: string, message: string, details?: unknown) => ({
  code,
  message,
  details: details ?? null,
  ref: crypto.randomUUID(),
});

export class PaletteSim {
  readonly hosts = new Map<string, SimHost>();
  readonly clusters = new Map<string, SimCluster>();
  readonly log: LoggedRequest[] = [];
  private faults: Array<Fault & { left: number }> = [];
  private server?: https.Server;
  private sockets = new Set<net.Socket>();
  port = 0;
  /** Called when a request arrives (after the body is read), before it is answered. */
  onRequest?: (r: { method: string; path: string; body: any }) => void;

  constructor(readonly opts: SimOptions) {}

  get endpoint(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(port = this.port): Promise<void> {
    const server = https.createServer(
      { cert: this.opts.certs.certPem, key: this.opts.certs.keyPem },
      (req, res) => void this.handle(req, res),
    );
    server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
  }

  /** Unreachable: connections are refused until start() again (same port). */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    for (const so of this.sockets) so.destroy();
    await new Promise<void>((r) => s.close(() => r()));
  }

  fault(f: Fault): void {
    this.faults.push({ ...f, left: f.times ?? 1 });
  }
  clearFaults(): void {
    this.faults = [];
  }

  /** The device booted and connected: unpaired -> ready (or in-use when it is in a cluster). */
  pair(uid: string): void {
    const h = this.hosts.get(uid);
    if (!h) throw new Error(`sim: no host ${uid}`);
    h.paired = true;
  }

  state(h: SimHost): string {
    return h.cluster ? 'in-use' : h.paired ? 'ready' : 'unpaired';
  }

  createdCount(uid: string): number {
    return this.log.filter((r) => r.created === uid).length;
  }

  hostJson(h: SimHost) {
    return {
      metadata: { uid: h.uid, name: h.name, labels: h.labels, creationTimestamp: h.createdAt },
      spec: { ...h.spec, type: 'edge-native' },
      status: {
        state: this.state(h),
        health: { state: 'healthy' },
        inUseClustersRef: h.cluster ? [{ uid: h.cluster.uid, name: h.cluster.name }] : [],
      },
    };
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const i = this.faults.findIndex(
      (f) =>
        f.left > 0 &&
        (!f.method || f.method === method) &&
        (!f.path || (typeof f.path === 'string' ? f.path === path : f.path.test(path))),
    );
    if (i < 0) return undefined;
    const f = this.faults[i];
    f.left--;
    if (f.left <= 0) this.faults.splice(i, 1);
    return f;
  }

  private async handle(
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://sim');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: any;
    let badJson = false;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      badJson = true;
    }
    const entry: LoggedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body,
      status: 0,
      projectUid: req.headers['projectuid'] as string | undefined,
      hadApiKey: Boolean(req.headers['apikey']),
    };
    this.log.push(entry);
    this.onRequest?.({ method, path, body });
    const send = (status: number, json?: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      const data = json === undefined ? '' : JSON.stringify(json);
      res.writeHead(status, { ...(data ? { 'Content-Type': 'application/json' } : {}), ...headers });
      res.end(data);
    };
    const fault = this.takeFault(method, path);
    if (fault?.kind === 'reset') {
      entry.status = -1;
      req.socket.destroy();
      return;
    }
    if (fault?.kind === '401') return send(401, err('Unauthorized', 'Invalid API key'));
    if (fault?.kind === '403') return send(403, err('Forbidden', 'Permission denied for the operation'));
    if (fault?.kind === '429')
      return send(
        429,
        err('TooManyRequests', 'Rate limit exceeded'),
        fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {},
      );
    if (fault?.kind === '500') return send(500, err('InternalError', 'Internal server error'));
    if (fault?.kind === 'echo-key')
      return send(400, err('InvalidRequest', `bad key ${req.headers['apikey']}`));
    if (fault?.kind === 'duplicate' && method === 'POST' && path === '/v1/edgehosts')
      return send(
        409,
        err(
          'AlreadyRegisteredEdgeHostDevice',
          `Edge host device ${body?.metadata?.uid} is already registered`,
        ),
      );

    // auth
    if (req.headers['apikey'] !== this.opts.apiKey)
      return send(401, err('Unauthorized', 'Invalid credentials'));
    if (req.headers['projectuid'] !== undefined && req.headers['projectuid'] !== this.opts.projectUid)
      return send(403, err('Forbidden', `No access to project ${req.headers['projectuid']}`));
    if (badJson) return send(400, err('InvalidRequest', 'request body is not valid JSON'));

    const [status, json] = this.route(method, path, url.searchParams, body, entry);
    if (fault?.kind === '500-after')
      return send(500, err('InternalError', 'Internal server error after processing'));
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs ?? 5000));
    if (res.destroyed) return;
    send(status, json);
  }

  private route(
    method: string,
    path: string,
    q: URLSearchParams,
    body: any,
    entry: LoggedRequest,
  ): [number, unknown?] {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/edgehosts') {
      const uid = body?.metadata?.uid;
      if (typeof uid !== 'string' || !uid) return [400, err('InvalidRequest', 'metadata.uid is required')];
      if (this.hosts.has(uid))
        return [409, err('AlreadyRegisteredEdgeHostDevice', `Edge host device ${uid} is already registered`)];
      this.hosts.set(uid, {
        uid,
        name: body.metadata.name ?? uid,
        labels: body.metadata.labels ?? {},
        spec: body.spec ?? {},
        paired: false,
        createdAt: new Date().toISOString(),
      });
      entry.created = uid;
      return [201, { uid }];
    }
    if ((m = /^\/v1\/edgehosts\/([^/]+)\/meta$/.exec(path)) && method === 'PUT') {
      const h = this.hosts.get(decodeURIComponent(m[1]));
      if (!h) return [404, err('ResourceNotFound', 'Edge host not found')];
      h.labels = body?.metadata?.labels ?? h.labels;
      if (body?.metadata?.name) h.name = body.metadata.name;
      return [204];
    }
    if (path === '/v1/edgehosts/tokens') {
      if (method === 'GET')
        return [
          200,
          {
            items: [
              {
                metadata: { uid: 'tok1', name: 'default' },
                spec: { token: 'abc', expiry: '2030-01-01T00:00:00Z' },
                status: { isActive: true },
              },
            ],
          },
        ];
      if (method === 'POST') return [201, { uid: crypto.randomUUID() }];
    }
    if ((m = /^\/v1\/edgehosts\/([^/]+)$/.exec(path))) {
      const uid = decodeURIComponent(m[1]);
      const h = this.hosts.get(uid);
      if (!h) return [404, err('ResourceNotFound', `Edge host ${uid} not found`)];
      if (method === 'GET') return [200, this.hostJson(h)];
      if (method === 'DELETE') {
        if (h.cluster)
          return [400, err('EdgeHostInUse', `Edge host ${uid} is in use by cluster ${h.cluster.name}`)];
        this.hosts.delete(uid);
        return [204];
      }
    }
    if (method === 'POST' && path === '/v1/dashboard/edgehosts/search') {
      const filters: any[] = body?.filter?.filterGroups?.flatMap((g: any) => g.filters ?? []) ?? [];
      let list = [...this.hosts.values()].sort((a, b) => a.uid.localeCompare(b.uid));
      for (const f of filters) {
        const vals: string[] = f?.condition?.string?.match?.values ?? [];
        if (f.property === 'state') list = list.filter((h) => vals.includes(this.state(h)));
        if (f.property === 'name') list = list.filter((h) => vals.includes(h.name));
        if (f.property === 'tags')
          list = list.filter((h) =>
            vals.some((v) => Object.entries(h.labels).some(([k, x]) => `${k}:${x}` === v)),
          );
      }
      const limit = Math.min(Number(q.get('limit') ?? 50), this.opts.pageSize ?? 50);
      const offset = q.get('continue') ? Number(Buffer.from(q.get('continue')!, 'base64').toString()) : 0;
      const page = list.slice(offset, offset + limit);
      const next = offset + limit < list.length ? Buffer.from(String(offset + limit)).toString('base64') : '';
      return [
        200,
        {
          items: page.map((h) => this.hostJson(h)),
          listmeta: { continue: next, count: list.length, limit, offset },
        },
      ];
    }
    if (method === 'POST' && path === '/v1/dashboard/spectroclusters/search') {
      const filters: any[] = body?.filter?.filterGroups?.flatMap((g: any) => g.filters ?? []) ?? [];
      let list = [...this.clusters.values()];
      for (const f of filters)
        if (f.property === 'clusterName')
          list = list.filter((c) => (f.condition?.string?.match?.values ?? []).includes(c.name));
      return [
        200,
        {
          items: list.map((c) => ({ metadata: { uid: c.uid, name: c.name } })),
          listmeta: { continue: '', count: list.length },
        },
      ];
    }
    if (method === 'POST' && path === '/v1/dashboard/clusterprofiles') {
      const items = (this.opts.profiles ?? []).map((p) => ({
        metadata: { uid: p.uid, name: p.name },
        specSummary: {
          version: p.version ?? '1.0.0',
          published: { type: p.type ?? 'cluster', cloudType: 'edge-native' },
        },
      }));
      return [200, { items, listmeta: { continue: '', count: items.length } }];
    }
    if (
      method === 'POST' &&
      (path === '/v1/spectroclusters/edge-native/validate' || path === '/v1/spectroclusters/edge-native')
    ) {
      const problems = this.checkCluster(body);
      if (path.endsWith('/validate')) {
        return [
          200,
          {
            machinePools: {
              results: problems.map((p) => ({
                name: p.pool,
                errors: [{ code: 'Invalid', message: p.message }],
              })),
            },
            profiles: [],
          },
        ];
      }
      if (problems.length) return [400, err('InvalidClusterSpec', problems.map((p) => p.message).join('; '))];
      const name = body?.metadata?.name;
      if ([...this.clusters.values()].some((c) => c.name === name))
        return [409, err('ClusterNameAlreadyExists', `cluster ${name} already exists`)];
      const uid = crypto.randomBytes(12).toString('hex');
      const c: SimCluster = {
        uid,
        name,
        cloudConfigUid: crypto.randomBytes(12).toString('hex'),
        body,
        pools: new Map(),
      };
      this.clusters.set(uid, c);
      for (const mp of body.spec.machinepoolconfig) this.setPool(c, mp);
      return [201, { uid }];
    }
    if (
      (m = /^\/v1\/cloudconfigs\/edge-native\/([^/]+)\/machinePools\/([^/]+)$/.exec(path)) &&
      method === 'PUT'
    ) {
      const c = [...this.clusters.values()].find((x) => x.cloudConfigUid === m![1]);
      if (!c) return [404, err('ResourceNotFound', 'cloud config not found')];
      const bad = (body?.cloudConfig?.edgeHosts ?? []).filter((e: any) => !this.hosts.has(e.hostUid));
      if (bad.length)
        return [400, err('InvalidRequest', `unknown edge hosts ${bad.map((e: any) => e.hostUid).join(',')}`)];
      this.setPool(c, body);
      return [204];
    }
    if ((m = /^\/v1\/spectroclusters\/([^/]+)$/.exec(path))) {
      const c = this.clusters.get(m[1]);
      if (!c) return [404, err('ResourceNotFound', 'cluster not found')];
      if (method === 'GET')
        return [
          200,
          {
            metadata: { uid: c.uid, name: c.name },
            spec: { cloudConfigRef: { uid: c.cloudConfigUid, kind: 'EdgeNativeCloudConfig' } },
            status: { state: 'Provisioning' },
          },
        ];
      if (method === 'DELETE') {
        for (const h of this.hosts.values()) if (h.cluster?.uid === c.uid) h.cluster = undefined;
        this.clusters.delete(c.uid);
        return [204];
      }
    }
    return [404, err('ResourceNotFound', `no route ${method} ${path}`)];
  }

  private setPool(c: SimCluster, mp: any): void {
    const name = mp.poolConfig.name;
    for (const uid of c.pools.get(name) ?? []) {
      const h = this.hosts.get(uid);
      if (h?.cluster?.uid === c.uid) h.cluster = undefined;
    }
    const ids = mp.cloudConfig.edgeHosts.map((e: any) => e.hostUid);
    c.pools.set(name, ids);
    for (const id of ids) this.hosts.get(id)!.cluster = { uid: c.uid, name: c.name };
  }

  private checkCluster(body: any): Array<{ pool: string; message: string }> {
    const out: Array<{ pool: string; message: string }> = [];
    if (!body?.metadata?.name) out.push({ pool: '-', message: 'metadata.name is required' });
    const profiles: string[] = (body?.spec?.profiles ?? []).map((p: any) => p.uid);
    const known = new Set((this.opts.profiles ?? []).map((p) => p.uid));
    for (const p of profiles)
      if (!known.has(p)) out.push({ pool: '-', message: `cluster profile ${p} not found` });
    for (const mp of body?.spec?.machinepoolconfig ?? []) {
      const pc = mp.poolConfig;
      if (!pc?.name || !Array.isArray(pc.labels) || typeof pc.size !== 'number')
        out.push({ pool: pc?.name ?? '?', message: 'poolConfig needs name, size and labels' });
      for (const e of mp.cloudConfig?.edgeHosts ?? []) {
        const h = this.hosts.get(e.hostUid);
        if (!h) out.push({ pool: pc.name, message: `edge host ${e.hostUid} is not registered` });
        else if (h.cluster)
          out.push({ pool: pc.name, message: `edge host ${e.hostUid} is in use by ${h.cluster.name}` });
      }
    }
    if (!(body?.spec?.machinepoolconfig ?? []).some((mp: any) => mp.poolConfig?.isControlPlane))
      out.push({ pool: '-', message: 'a control-plane pool is required' });
    return out;
  }
}

export async function startSim(opts: SimOptions): Promise<PaletteSim> {
  const s = new PaletteSim(opts);
  await s.start(0);
  return s;
}
