// Shared set-up for register tests: a CA made with openssl, the simulator, and an app whose
// connection points at it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type AppContext } from '../../main/app';
import { saveLogin } from '../../main/palette/credentials';
import { makeCerts, type SimCerts } from '../palette-sim/certs';
import { startSim, type PaletteSim } from '../palette-sim/sim';

export const API_KEY = 'sim-key-7f3a9c2e5b1d';
export const PROJECT = 'proj-0001';
export const PROFILES = [
  { uid: 'infra-ubuntu-k3s', name: 'edge-infra-ubuntu-k3s', type: 'infra' },
  { uid: 'addon-monitoring', name: 'edge-monitoring', type: 'add-on' },
];

let certs: SimCerts | undefined;
export function simCerts(): SimCerts {
  if (!certs) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-simca-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    certs = makeCerts(dir);
  }
  return certs;
}

export async function newSim(o: { pageSize?: number } = {}): Promise<PaletteSim> {
  return startSim({
    certs: simCerts(),
    apiKey: API_KEY,
    projectUid: PROJECT,
    profiles: PROFILES,
    pageSize: o.pageSize,
  });
}

export interface Env {
  app: AppContext;
  dataDir: string;
  sim: PaletteSim;
  close(): Promise<void>;
}

export async function newEnv(o: { sim?: PaletteSim; dataDir?: string } = {}): Promise<Env> {
  process.env.EDGEBENCH_NO_KEYCHAIN = '1';
  process.env.EDGEBENCH_PALETTE_RETRY_BASE_MS = '5';
  const sim = o.sim ?? (await newSim());
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'eb-reg-'));
  const app = createApp({ dataDir });
  await saveLogin(app, {
    endpoint: sim.endpoint,
    projectUid: PROJECT,
    apiKey: API_KEY,
    caPem: simCerts().caPem,
  });
  return {
    app,
    dataDir,
    sim,
    async close() {
      await app.close();
      if (!o.sim) await sim.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A stable, unique MAC per host ID. */
export function macFor(id: string): string {
  const h = crypto.createHash('sha256').update(id).digest();
  return ['52', '54', '00', h[0], h[1], h[2]]
    .map((b) => (typeof b === 'string' ? b : b.toString(16).padStart(2, '0')))
    .join(':');
}

export async function addHosts(app: AppContext, ids: string[], site?: string): Promise<void> {
  for (const [i, id] of ids.entries())
    await app.store.hosts.upsert({
      id,
      serial: `SN${1000 + i}`,
      mac: macFor(id),
      site,
      values: {
        ipAddress: `10.42.0.${20 + i}/24`,
        gateway: '10.42.0.1',
        nameserver: '10.42.0.1',
        nic: 'eth0',
      },
    });
}
