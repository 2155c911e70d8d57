// kill -9 at each step of a sync: the real CLI (`edgebench sync`) is paused at a step by a test
// hook, killed with SIGKILL, then run again. Every host must end registered exactly once.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../main/app';
import { saveLogin } from '../../main/palette/credentials';
import { enqueueRegistration } from '../../main/register/queue';
import { BIN, runCliAsync } from '../helpers/cli';
import { skipReason } from '../helpers/env';
import type { PaletteSim } from '../palette-sim/sim';
import { addHosts, API_KEY, newSim, PROJECT, simCerts } from './harness';

const skip = skipReason({ tools: ['openssl'], files: [BIN] });
const HOSTS = ['edge-k1', 'edge-k2', 'edge-k3'];

async function prepare(sim: PaletteSim): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-crash-'));
  const app = createApp({ dataDir });
  process.env.EDGEBENCH_NO_KEYCHAIN = '1';
  await saveLogin(app, {
    endpoint: sim.endpoint,
    projectUid: PROJECT,
    apiKey: API_KEY,
    caPem: simCerts().caPem,
  });
  await addHosts(app, HOSTS);
  for (const h of HOSTS) await enqueueRegistration(app, { hostId: h });
  await app.close();
  return dataDir;
}

const ENV = { EDGEBENCH_NO_KEYCHAIN: '1', EDGEBENCH_PALETTE_RETRY_BASE_MS: '5' };

/** Start `edgebench sync`, wait until `until` says so, SIGKILL it. */
function syncAndKill(
  dataDir: string,
  env: Record<string, string>,
  until: (stderr: string) => boolean,
  sim?: PaletteSim,
  killOnRequest?: (r: { method: string; path: string }) => boolean,
) {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'sync'], {
      env: { ...process.env, ...ENV, ...env },
    });
    let stderr = '';
    let killed = false;
    const kill = () => {
      if (!killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    if (sim && killOnRequest) sim.onRequest = (r) => killOnRequest(r) && kill();
    child.stderr.on('data', (d) => {
      stderr += d;
      if (until(stderr)) kill();
    });
    child.on('exit', (_code, signal) => {
      if (sim) sim.onRequest = undefined;
      if (signal === 'SIGKILL') resolve(stderr);
      else reject(new Error(`sync ended before the kill point (exit ${_code}): ${stderr}`));
    });
  });
}

describe.skipIf(skip)('kill -9 during edgebench sync', () => {
  let sim: PaletteSim;
  beforeAll(async () => {
    sim = await newSim();
  });
  afterAll(async () => sim?.stop());

  for (const step of ['claimed', 'in-flight', 'posting', 'posted', 'done']) {
    it(`at step "${step}" of the second host: nothing lost, nothing doubled`, async () => {
      sim.hosts.clear();
      sim.log.length = 0;
      const dataDir = await prepare(sim);
      try {
        await syncAndKill(dataDir, { EDGEBENCH_TEST_SYNC_PAUSE: `${step}:edge-k2` }, (s) =>
          s.includes(`EDGEBENCH-SYNC-PAUSED ${step} edge-k2`),
        );
        const resumed = await runCliAsync(['sync', '--json'], { dataDir, env: ENV });
        expect(resumed.code, resumed.stderr).toBe(0);
        const out = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!);
        expect(out.pending).toBe(0);
        for (const h of HOSTS) expect(sim.createdCount(h), h).toBe(1);
        expect(
          sim.log.filter((l) => l.method === 'POST' && l.path === '/v1/edgehosts' && l.status === 201),
        ).toHaveLength(3);
        const list = await runCliAsync(['sync', '--list', '--json'], { dataDir, env: ENV });
        expect(JSON.parse(list.stdout.trim()).jobs).toEqual([]);
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }

  it('while the create request is on the wire (Palette stored it, the answer never came back)', async () => {
    sim.hosts.clear();
    sim.log.length = 0;
    const dataDir = await prepare(sim);
    try {
      sim.fault({ kind: 'slow', method: 'POST', path: '/v1/edgehosts', delayMs: 60_000 });
      await syncAndKill(
        dataDir,
        {},
        () => false,
        sim,
        (r) => r.method === 'POST' && r.path === '/v1/edgehosts',
      );
      sim.clearFaults();
      await new Promise((r) => setTimeout(r, 50));
      expect(sim.hosts.has('edge-k1')).toBe(true);
      const resumed = await runCliAsync(['sync', '--json'], { dataDir, env: ENV });
      expect(resumed.code, resumed.stderr).toBe(0);
      for (const h of HOSTS) expect(sim.createdCount(h), h).toBe(1);
      // the in-flight job was looked up before anything was POSTed again
      const after = sim.log
        .filter((l) => l.path.startsWith('/v1/edgehosts'))
        .map((l) => `${l.method} ${l.path}`);
      expect(after.slice(0, 3)).toEqual([
        'POST /v1/edgehosts',
        'GET /v1/edgehosts/edge-k1',
        'POST /v1/edgehosts',
      ]);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a stale lock left by a killed sync does not block the next one', async () => {
    sim.hosts.clear();
    const dataDir = await prepare(sim);
    try {
      await syncAndKill(dataDir, { EDGEBENCH_TEST_SYNC_PAUSE: 'in-flight:edge-k1' }, (s) =>
        s.includes('EDGEBENCH-SYNC-PAUSED'),
      );
      expect(fs.existsSync(path.join(dataDir, 'register-sync.lock'))).toBe(true);
      const r = await runCliAsync(['sync'], { dataDir, env: ENV });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('3 registered, 0 failed, 0 still queued');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
