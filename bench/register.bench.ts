// Registration throughput against the Palette simulator (HTTPS on loopback): a sync of N queued
// hosts, the same with injected resets and 429s, Palette host search over all pages, and a label
// PDF for N hosts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../main/app';
import { saveLogin } from '../main/palette/credentials';
import { enqueueRegistration, syncRegistrations } from '../main/register/queue';
import { labelData, labelsPdf } from '../main/register/labels';
import { paletteClient } from '../main/register/connect';
import { makeCerts } from '../test/palette-sim/certs';
import { startSim } from '../test/palette-sim/sim';
import { time, writeResult } from './util';

const N = 300;

async function main() {
  process.env.EDGEBENCH_NO_KEYCHAIN = '1';
  process.env.EDGEBENCH_PALETTE_RETRY_BASE_MS = '5';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-bench-reg-'));
  const certs = makeCerts(path.join(tmp, 'ca'));
  const sim = await startSim({ certs, apiKey: 'bench-key-000000', projectUid: 'p', pageSize: 50 });
  const run = async (label: string, faults: boolean) => {
    const app = createApp({ dataDir: path.join(tmp, label) });
    await saveLogin(app, {
      endpoint: sim.endpoint,
      projectUid: 'p',
      apiKey: 'bench-key-000000',
      caPem: certs.caPem,
    });
    for (let i = 0; i < N; i++) {
      const id = `${label}-${String(i).padStart(4, '0')}`;
      await app.store.hosts.upsert({ id, serial: `S${i}`, values: {} });
      await enqueueRegistration(app, { hostId: id });
    }
    let posts = 0;
    let injected = 0;
    sim.onRequest = (req) => {
      if (!faults || req.method !== 'POST' || req.path !== '/v1/edgehosts') return;
      posts++;
      if (posts % 20 === 0) sim.fault({ kind: 'reset', method: 'POST', path: '/v1/edgehosts' });
      else if (posts % 20 === 10)
        sim.fault({ kind: '429', method: 'POST', path: '/v1/edgehosts', retryAfter: '0' });
      else return;
      injected++;
    };
    const r = await time(() => syncRegistrations(app));
    const created = new Set(sim.log.filter((l) => l.created?.startsWith(label)).map((l) => l.created)).size;
    const doubles = sim.log.filter((l) => l.created?.startsWith(label)).length - created;
    sim.onRequest = undefined;
    await app.close();
    return {
      injectedFaults: injected,
      ms: Math.round(r.ms),
      hostsPerSecond: Math.round((N / r.ms) * 1000),
      done: r.value.done,
      created,
      doubles,
    };
  };
  const clean = await run('clean', false);
  const faulty = await run('faulty', true);
  const app = createApp({ dataDir: path.join(tmp, 'clean') });
  const c = await paletteClient(app);
  const search = await time(() => c.searchEdgeHosts());
  await c.close();
  const hosts = await app.store.hosts.list({ limit: 100 });
  const pdf = await time(() =>
    labelsPdf(
      hosts.map((h) => labelData(h, 'https://bench.local/register')),
      'A4',
    ),
  );
  await app.close();
  await sim.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
  writeResult('register', {
    hosts: N,
    syncClean: clean,
    syncWithFaults: { ...faulty, note: 'every 20th POST reset, every 20th+10 answered 429' },
    searchAllPages: { hosts: search.value.length, ms: Math.round(search.ms) },
    labelsPdf100: { ms: Math.round(pdf.ms), bytes: pdf.value.length },
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
