// `edgebench serve`: the renderer and the contract over HTTP + WebSocket for headless depots and
// browser tests. Loopback by default; every request needs the per-start token; WebSocket
// upgrades must come from the same origin; oversized or malformed messages get a clear error.
import http from 'node:http';
import path from 'node:path';
import fs from 'node:fs';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES, type WireRequest, type WireResponse } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { AppContext } from '../app';
import { Dispatcher, toErrorData } from '../api/dispatch';
import { COOKIE, hostAllowed, newToken, presentedToken, safeEqual } from './auth';
import { serveStatic } from './static';
import { extraRoutes, type Route } from './routes';

export interface ServeOptions {
  app: AppContext;
  host?: string;
  port?: number;
  /** Folder with the built renderer; default dist/renderer beside the bundle. */
  rendererDir?: string;
  token?: string;
}

export interface RunningServer {
  url: string;
  /** URL with the token, to open in a browser. */
  openUrl: string;
  token: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

export function defaultRendererDir(): string {
  const candidates = [
    path.resolve(__dirname, '..', 'renderer'),
    path.resolve(__dirname, '..', '..', 'dist', 'renderer'),
    path.resolve(process.cwd(), 'dist', 'renderer'),
  ];
  return candidates.find((c) => fs.existsSync(path.join(c, 'index.html'))) ?? candidates[0];
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(data),
    ...SECURITY_HEADERS,
  });
  res.end(data);
}

function readBody(req: http.IncomingMessage, limit = MAX_MESSAGE_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new AppError('ETOOLARGE', `request body is larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function matchRoute(r: Route, method: string, pathname: string): Record<string, string> | undefined {
  if (r.method !== method) return undefined;
  if (typeof r.path === 'string') return r.path === pathname ? {} : undefined;
  const m = r.path.exec(pathname);
  return m ? { ...(m.groups ?? {}) } : undefined;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const { app } = opts;
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const rendererDir = path.resolve(opts.rendererDir ?? defaultRendererDir());
  const sockets = new Set<WebSocket>();

  const authed = (req: http.IncomingMessage, url: URL) => {
    const p = presentedToken(req, url);
    return p.token !== undefined && safeEqual(p.token, token) ? p : undefined;
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (!hostAllowed(req.headers.host, host)) {
        return sendJson(res, 421, { ok: false, error: { code: 'EPERM', message: 'unexpected Host header' } });
      }
      const method = (req.method ?? 'GET').toUpperCase();
      for (const r of extraRoutes) {
        const params = matchRoute(r, method, url.pathname);
        if (!params) continue;
        if (r.auth === 'token' && !authed(req, url)) {
          return sendJson(res, 401, {
            ok: false,
            error: { code: 'EAUTH', message: 'missing or wrong token' },
          });
        }
        try {
          await r.handle(req, res, { app, url, params, body: () => readBody(req) });
        } catch (e) {
          if (!res.headersSent) sendJson(res, 500, { ok: false, error: toErrorData(e) });
          else res.end();
        }
        return;
      }
      if (url.pathname === '/healthz') return sendJson(res, 200, { ok: true });
      const auth = authed(req, url);
      if (!auth) {
        res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
        res.end('Edgebench: missing or wrong token. Open the URL that `edgebench serve` printed at start.\n');
        return;
      }
      const setCookie =
        auth.via === 'query'
          ? { 'Set-Cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/` }
          : {};
      if (url.pathname.startsWith('/api/invoke/') && method === 'POST') {
        // Scriptable access to the same contract: POST /api/invoke/<command> with a JSON body.
        let body: unknown;
        try {
          const raw = await readBody(req);
          body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
        } catch (e) {
          const err =
            e instanceof AppError
              ? e.toData()
              : { code: 'EPROTOCOL', message: 'request body is not valid JSON' };
          return sendJson(res, err.code === 'ETOOLARGE' ? 413 : 400, { ok: false, error: err });
        }
        const name = decodeURIComponent(url.pathname.slice('/api/invoke/'.length));
        const d = new Dispatcher(app, 'http');
        const ac = new AbortController();
        res.on('close', () => {
          if (!res.writableEnded) ac.abort();
        });
        const r = await d.invoke(`http-${Date.now()}`, name, body, ac.signal);
        return sendJson(res, r.ok ? 200 : r.error.code === 'EUSAGE' ? 404 : 400, r);
      }
      if (method !== 'GET' && method !== 'HEAD')
        return sendJson(res, 405, { ok: false, error: { code: 'EUSAGE', message: 'method not allowed' } });
      for (const [k, v] of Object.entries({ ...SECURITY_HEADERS, ...setCookie })) res.setHeader(k, v);
      if (!serveStatic(rendererDir, url.pathname, res)) {
        if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
          return sendJson(res, 503, {
            ok: false,
            error: { code: 'ENOTFOUND', message: `renderer not built in ${rendererDir}: run npm run build` },
          });
        }
        sendJson(res, 404, {
          ok: false,
          error: { code: 'ENOTFOUND', message: `no such page ${url.pathname}` },
        });
      }
    })();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reject = (status: number, msg: string) => {
      socket.write(
        `HTTP/1.1 ${status} ${msg}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${msg}\n`,
      );
      socket.destroy();
    };
    if (url.pathname !== '/ws') return reject(404, 'Not Found');
    if (!hostAllowed(req.headers.host, host)) return reject(421, 'Misdirected Request');
    if (!authed(req, url)) return reject(401, 'Unauthorized: missing or wrong token');
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let ok: boolean;
      try {
        ok = new URL(origin).host === req.headers.host;
      } catch {
        ok = false;
      }
      if (!ok) return reject(403, 'Forbidden: cross-origin WebSocket');
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    const dispatcher = new Dispatcher(app, 'http');
    const send = (m: WireResponse) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    };
    const unsub = app.bus.onAny((name, payload) => send({ t: 'event', name, payload }));
    send({ t: 'hello', version: '1' });
    ws.on('message', (data, isBinary) => {
      let msg: WireRequest;
      try {
        if (isBinary) throw new Error('binary');
        msg = JSON.parse(data.toString()) as WireRequest;
        if (typeof msg !== 'object' || msg === null || typeof (msg as { id?: unknown }).id !== 'string')
          throw new Error('shape');
      } catch {
        send({
          t: 'result',
          id: '',
          ok: false,
          error: { code: 'EPROTOCOL', message: 'malformed message: expected JSON {t, id, name, request}' },
        });
        return;
      }
      if (msg.t === 'cancel') {
        dispatcher.cancel(msg.id);
        return;
      }
      if (msg.t !== 'invoke') {
        const bad = msg as { id: string; t?: unknown };
        send({
          t: 'result',
          id: bad.id,
          ok: false,
          error: { code: 'EPROTOCOL', message: `unknown message type ${JSON.stringify(bad.t)}` },
        });
        return;
      }
      void dispatcher
        .invoke(msg.id, msg.name, msg.request)
        .then((r) =>
          send(
            r.ok
              ? { t: 'result', id: msg.id, ok: true, value: r.value }
              : { t: 'result', id: msg.id, ok: false, error: r.error },
          ),
        );
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      unsub();
      dispatcher.cancelAll();
      sockets.delete(ws);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new AppError('EBUSY', `${host}:${opts.port ?? 0} is already in use`)
          : e.code === 'EACCES'
            ? new AppError('EACCES', `not allowed to listen on ${host}:${opts.port ?? 0}`)
            : new AppError('ENETWORK', `cannot listen on ${host}:${opts.port ?? 0}: ${e.message}`),
      ),
    );
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.address() as { port: number };
  const hostForUrl = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const base = `http://${hostForUrl}:${addr.port}`;
  return {
    url: base,
    openUrl: `${base}/?token=${token}`,
    token,
    host,
    port: addr.port,
    async close() {
      for (const s of sockets) s.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
    },
  };
}
