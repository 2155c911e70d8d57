// The Palette client against the simulator: every fault, TLS, proxy, paging, redaction.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { PaletteClient } from '../../main/palette/client';
import { backoffDelay, parseRetryAfter, DEFAULT_RETRY } from '../../main/palette/http';
import { skipReason } from '../helpers/env';
import type { PaletteSim } from '../palette-sim/sim';
import { API_KEY, newSim, PROJECT, simCerts } from './harness';

const skip = skipReason({ tools: ['openssl'] });

async function code(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected a failure');
}

describe.skipIf(skip)('Palette client against the simulator', () => {
  let sim: PaletteSim;
  let client: PaletteClient;
  const retries: Array<{ attempt: number; delayMs: number; code: string }> = [];
  const mk = (o: Partial<ConstructorParameters<typeof PaletteClient>[0]> = {}, timeoutMs = 10_000) =>
    new PaletteClient(
      { endpoint: sim.endpoint, projectUid: PROJECT, apiKey: API_KEY, caPem: simCerts().caPem, ...o },
      {
        timeoutMs,
        retry: { baseDelayMs: 5, attempts: 4 },
        onRetry: (r) => retries.push({ attempt: r.attempt, delayMs: r.delayMs, code: r.error.code }),
      },
    );
  beforeAll(async () => {
    sim = await newSim({ pageSize: 2 });
    client = mk();
  });
  afterAll(async () => {
    await client?.close();
    await sim?.stop();
  });

  it('registers a host with the headers and payload of the spec', async () => {
    const r = await client.registerEdgeHost({
      metadata: { uid: 'edge-a1', name: 'edge-a1', labels: { rack: '3' } },
    });
    expect(r).toEqual({ uid: 'edge-a1', created: true, labelsUpdated: false });
    const post = sim.log.find((l) => l.method === 'POST' && l.path === '/v1/edgehosts')!;
    expect(post.hadApiKey).toBe(true);
    expect(post.projectUid).toBe(PROJECT);
    expect(post.body).toEqual({ metadata: { uid: 'edge-a1', name: 'edge-a1', labels: { rack: '3' } } });
    const got = await client.getEdgeHost('edge-a1');
    expect(got?.status?.state).toBe('unpaired');
  });

  it('treats a matching duplicate as success and brings labels in line', async () => {
    const r = await client.registerEdgeHost({
      metadata: { uid: 'edge-a1', name: 'edge-a1', labels: { rack: '4' } },
    });
    expect(r).toEqual({ uid: 'edge-a1', created: false, labelsUpdated: true });
    expect(sim.hosts.get('edge-a1')!.labels.rack).toBe('4');
    expect(sim.createdCount('edge-a1')).toBe(1);
  });

  it('reports a duplicate that does not match as ECONFLICT', async () => {
    sim.hosts.get('edge-a1')!.name = 'someone-else';
    const e = await code(client.registerEdgeHost({ metadata: { uid: 'edge-a1', name: 'edge-a1' } }));
    expect(e.code).toBe('ECONFLICT');
    expect(e.message).toContain('edge-a1');
    sim.hosts.get('edge-a1')!.name = 'edge-a1';
  });

  it('maps the injected duplicate error body (AlreadyRegisteredEdgeHostDevice) like Terraform does', async () => {
    await client.registerEdgeHost({ metadata: { uid: 'edge-dup', name: 'edge-dup' } });
    sim.fault({ kind: 'duplicate', method: 'POST', path: '/v1/edgehosts' });
    const r = await client.registerEdgeHost({ metadata: { uid: 'edge-dup', name: 'edge-dup' } });
    expect(r.created).toBe(false);
  });

  it('401 and 403 are EAUTH with Palette code and ref, never retried', async () => {
    const before = sim.log.length;
    sim.fault({ kind: '401' });
    const e1 = await code(client.getEdgeHost('edge-a1'));
    expect(e1.code).toBe('EAUTH');
    expect((e1.details as any).palette.code).toBe('Unauthorized');
    expect((e1.details as any).palette.ref).toMatch(/[0-9a-f-]{36}/);
    sim.fault({ kind: '403' });
    const e2 = await code(client.getEdgeHost('edge-a1'));
    expect(e2.code).toBe('EAUTH');
    expect(e2.message).toContain('project');
    expect(sim.log.length - before).toBe(2);
    const bad = mk({ apiKey: 'wrong-key-123' });
    expect((await code(bad.ping())).code).toBe('EAUTH');
    await bad.close();
  });

  it('404 is ENOTFOUND (and getEdgeHost answers undefined)', async () => {
    expect(await client.getEdgeHost('no-such-host')).toBeUndefined();
    const e = await code(
      client
        .deleteCluster('nope')
        .then(() => client.http.call({ method: 'GET', path: '/v1/nothing', idempotent: true })),
    );
    expect(e.code).toBe('ENOTFOUND');
  });

  it('429 with Retry-After is retried after at least that long', async () => {
    retries.length = 0;
    sim.fault({ kind: '429', path: '/v1/edgehosts/edge-a1', retryAfter: '1' });
    const h = await client.getEdgeHost('edge-a1');
    expect(h?.metadata.uid).toBe('edge-a1');
    expect(retries).toHaveLength(1);
    expect(retries[0].code).toBe('ERATELIMIT');
    expect(retries[0].delayMs).toBeGreaterThanOrEqual(1000);
  });

  it('429 that persists ends as ERATELIMIT; a POST create after 429 is resent (nothing reached Palette)', async () => {
    sim.fault({ kind: '429', path: '/v1/edgehosts/edge-a1', times: 10, retryAfter: '0' });
    expect((await code(client.getEdgeHost('edge-a1'))).code).toBe('ERATELIMIT');
    sim.clearFaults();
    sim.fault({ kind: '429', method: 'POST', path: '/v1/edgehosts', retryAfter: '0' });
    const r = await client.registerEdgeHost({ metadata: { uid: 'edge-429', name: 'edge-429' } });
    expect(r.created).toBe(true);
    expect(sim.createdCount('edge-429')).toBe(1);
  });

  it('500 is retried; a create that failed after Palette stored it is looked up, not doubled', async () => {
    sim.fault({ kind: '500', path: '/v1/edgehosts/edge-a1' });
    expect((await client.getEdgeHost('edge-a1'))?.metadata.uid).toBe('edge-a1');
    sim.fault({ kind: '500-after', method: 'POST', path: '/v1/edgehosts' });
    const n = sim.log.length;
    const r = await client.registerEdgeHost({ metadata: { uid: 'edge-500', name: 'edge-500' } });
    expect(r.created).toBe(false);
    expect(sim.createdCount('edge-500')).toBe(1);
    expect(sim.log.slice(n).map((l) => `${l.method} ${l.path} ${l.status}`)).toEqual([
      'POST /v1/edgehosts 500',
      'GET /v1/edgehosts/edge-500 200',
    ]);
    sim.fault({ kind: '500', path: '/v1/edgehosts/edge-a1', times: 10 });
    expect((await code(client.getEdgeHost('edge-a1'))).code).toBe('EUNAVAILABLE');
    sim.clearFaults();
  });

  it('a reset connection is EUNAVAILABLE and retried; a reset create is looked up before re-POSTing', async () => {
    sim.fault({ kind: 'reset', method: 'POST', path: '/v1/edgehosts' });
    const n = sim.log.length;
    const r = await client.registerEdgeHost({ metadata: { uid: 'edge-rst', name: 'edge-rst' } });
    expect(r.created).toBe(true);
    expect(sim.log.slice(n).map((l) => `${l.method} ${l.path}`)).toEqual([
      'POST /v1/edgehosts',
      'GET /v1/edgehosts/edge-rst',
      'POST /v1/edgehosts',
    ]);
    sim.fault({ kind: 'reset', times: 10 });
    expect((await code(client.getEdgeHost('edge-a1'))).code).toBe('EUNAVAILABLE');
    sim.clearFaults();
  });

  it('a slow answer is ETIMEDOUT', async () => {
    const c = new PaletteClient(
      { endpoint: sim.endpoint, projectUid: PROJECT, apiKey: API_KEY, caPem: simCerts().caPem },
      { timeoutMs: 300, retry: { attempts: 1 } },
    );
    sim.fault({ kind: 'slow', path: '/v1/edgehosts/edge-a1', delayMs: 3000 });
    const e = await code(c.getEdgeHost('edge-a1'));
    expect(e.code).toBe('ETIMEDOUT');
    await c.close();
  });

  it('connection refused is EUNAVAILABLE', async () => {
    const port = await new Promise<number>((r) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => r(p));
      });
    });
    const c = new PaletteClient(
      { endpoint: `127.0.0.1:${port}`, apiKey: API_KEY },
      { retry: { attempts: 2, baseDelayMs: 1 } },
    );
    const e = await code(c.ping());
    expect(e.code).toBe('EUNAVAILABLE');
    expect(e.message).toContain('ECONNREFUSED');
    await c.close();
  });

  it('TLS: an untrusted self-signed CA fails clearly; --ca trusts it; --insecure skips verification', async () => {
    const untrusted = new PaletteClient(
      { endpoint: sim.endpoint, apiKey: API_KEY, projectUid: PROJECT },
      { retry: { attempts: 1 } },
    );
    const e = await code(untrusted.ping());
    expect(e.code).toBe('ENETWORK');
    expect(e.message).toMatch(/not trusted.*--ca/);
    await untrusted.close();
    const insecure = new PaletteClient(
      { endpoint: sim.endpoint, apiKey: API_KEY, projectUid: PROJECT, insecure: true },
      { retry: { attempts: 1 } },
    );
    await insecure.ping();
    await insecure.close();
    await client.ping();
  });

  it('goes through an HTTP proxy (CONNECT) when one is set', async () => {
    const seen: string[] = [];
    const proxy = http.createServer();
    proxy.on('connect', (req, sock, head) => {
      seen.push(req.url ?? '');
      const [h, p] = (req.url ?? '').split(':');
      const up = net.connect(Number(p), h, () => {
        sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(sock);
        sock.pipe(up);
      });
      up.on('error', () => sock.destroy());
      sock.on('error', () => up.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const pp = (proxy.address() as net.AddressInfo).port;
    const c = mk({ proxy: `http://127.0.0.1:${pp}` });
    expect((await c.getEdgeHost('edge-a1'))?.metadata.uid).toBe('edge-a1');
    expect(seen).toContain(sim.endpoint);
    await c.close();
    proxy.closeAllConnections();
    await new Promise<void>((r) => proxy.close(() => r()));
  });

  it('search follows listmeta.continue across pages', async () => {
    for (const id of ['edge-p1', 'edge-p2', 'edge-p3', 'edge-p4', 'edge-p5'])
      await client.registerEdgeHost({ metadata: { uid: id, name: id } });
    const n = sim.log.length;
    const all = await client.searchEdgeHosts();
    expect(all.map((h) => h.metadata.uid)).toEqual([...sim.hosts.keys()].sort());
    const pages = sim.log.slice(n).filter((l) => l.path === '/v1/dashboard/edgehosts/search');
    expect(pages.length).toBe(Math.ceil(sim.hosts.size / 2));
    sim.pair('edge-p2');
    const ready = await client.searchEdgeHosts({ state: 'ready' });
    expect(ready.map((h) => h.metadata.uid)).toEqual(['edge-p2']);
    expect(sim.log.at(-1)!.body.filter.filterGroups[0].filters[0]).toEqual({
      property: 'state',
      type: 'string',
      condition: {
        string: { operator: 'eq', negation: false, match: { conjunction: 'or', values: ['ready'] } },
      },
    });
  });

  it('never puts the API key in an error', async () => {
    sim.fault({ kind: 'echo-key' });
    const e = await code(client.getEdgeHost('edge-a1'));
    expect(e.code).toBe('EINVALID');
    expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain(API_KEY);
    expect(e.message).toContain('[redacted]');
  });

  it('lists tokens and cluster profiles', async () => {
    expect((await client.listTokens()).length).toBe(1);
    expect((await client.listClusterProfiles()).map((p) => p.metadata.uid)).toEqual([
      'infra-ubuntu-k3s',
      'addon-monitoring',
    ]);
  });
});

describe('retry timing rules', () => {
  it('parses Retry-After in seconds and as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000 + 5000).toUTCString(), 10_000)).toBe(5000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
  it('backs off exponentially with jitter, capped, never below Retry-After', () => {
    const p = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, p, undefined, () => 0)).toBe(50);
    expect(backoffDelay(1, p, undefined, () => 1)).toBe(100);
    expect(backoffDelay(3, p, undefined, () => 1)).toBe(400);
    expect(backoffDelay(10, p, undefined, () => 1)).toBe(1000);
    expect(backoffDelay(1, p, 2500, () => 1)).toBe(2500);
  });
});
