import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApp, type AppContext } from '../../main/app';
import { startServer, type RunningServer } from '../../main/server/serve';
import { MAX_MESSAGE_BYTES } from '../../shared/contract';

let app: AppContext;
let srv: RunningServer;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-srv-'));
  app = createApp({ dataDir: dir });
  srv = await startServer({ app, host: '127.0.0.1', port: 0, rendererDir: dir });
});
afterAll(async () => {
  await srv.close();
  await app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}
function next(ws: WebSocket, pred: (m: any) => boolean): Promise<any> {
  return new Promise((resolve) => {
    const on = (d: WebSocket.RawData) => {
      const m = JSON.parse(d.toString());
      if (pred(m)) {
        ws.off('message', on);
        resolve(m);
      }
    };
    ws.on('message', on);
  });
}

describe('edgebench serve', () => {
  it('refuses HTTP requests without the token and accepts the token as query, bearer or cookie', async () => {
    expect((await fetch(`${srv.url}/`)).status).toBe(401);
    expect((await fetch(`${srv.url}/?token=wrong`)).status).toBe(401);
    const withQuery = await fetch(`${srv.url}/api/invoke/hosts.count?token=${srv.token}`, {
      method: 'POST',
      body: '{}',
    });
    expect(withQuery.status).toBe(200);
    expect(await withQuery.json()).toEqual({ ok: true, value: { count: 0 } });
    const bearer = await fetch(`${srv.url}/api/invoke/hosts.count`, {
      method: 'POST',
      body: '{}',
      headers: { Authorization: `Bearer ${srv.token}` },
    });
    expect(bearer.status).toBe(200);
    const cookie = await fetch(`${srv.url}/api/invoke/hosts.count`, {
      method: 'POST',
      body: '{}',
      headers: { Cookie: `edgebench_token=${srv.token}` },
    });
    expect(cookie.status).toBe(200);
  });

  it('rejects a foreign Host header (DNS rebinding)', async () => {
    // fetch() cannot set Host, so use a raw request.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: srv.port,
          path: `/api/invoke/hosts.count?token=${srv.token}`,
          method: 'POST',
          headers: { Host: 'evil.example' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(421);
  });

  it('rejects malformed and invalid HTTP invocations with specific codes', async () => {
    const bad = await fetch(`${srv.url}/api/invoke/hosts.get?token=${srv.token}`, {
      method: 'POST',
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('EPROTOCOL');
    const invalid = await fetch(`${srv.url}/api/invoke/hosts.get?token=${srv.token}`, {
      method: 'POST',
      body: '{"id":""}',
    });
    expect((await invalid.json()).error.code).toBe('EINVALID');
    const unknown = await fetch(`${srv.url}/api/invoke/nope.nope?token=${srv.token}`, {
      method: 'POST',
      body: '{}',
    });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('EUSAGE');
  });

  it('WebSocket: needs the token, checks Origin, and carries commands and events', async () => {
    const wsUrl = srv.url.replace('http', 'ws') + '/ws';
    await expect(open(wsUrl)).rejects.toThrow('401');
    await expect(open(`${wsUrl}?token=${srv.token}`, { Origin: 'http://evil.example' })).rejects.toThrow(
      '403',
    );
    const ws = await open(`${wsUrl}?token=${srv.token}`, { Origin: srv.url });
    const changed = next(ws, (m) => m.t === 'event' && m.name === 'hosts.changed');
    const result = next(ws, (m) => m.t === 'result' && m.id === 'a1');
    ws.send(
      JSON.stringify({
        t: 'invoke',
        id: 'a1',
        name: 'hosts.upsert',
        request: { id: 'edge-1', mac: '52-54-00-AA-BB-CC' },
      }),
    );
    const r = await result;
    expect(r.ok).toBe(true);
    expect(r.value.host.mac).toBe('52:54:00:aa:bb:cc');
    expect((await changed).payload).toEqual({ id: 'edge-1' });
    ws.close();
  });

  it('WebSocket: malformed and oversized messages get a clear error', async () => {
    const ws = await open(`${srv.url.replace('http', 'ws')}/ws?token=${srv.token}`);
    const err = next(ws, (m) => m.t === 'result' && m.ok === false);
    ws.send('this is not json');
    expect((await err).error.code).toBe('EPROTOCOL');
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('x'.repeat(MAX_MESSAGE_BYTES + 10));
    expect(await closed).toBe(1009);
  });
});
