// The Register screen in Chromium against the real back end and the Palette simulator.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../main/app';
import { saveLogin } from '../../main/palette/credentials';
import { putSite } from '../../main/register/sites';
import { browserSkipReason, openUi, type UiHarness } from '../helpers/browser';
import { skipReason } from '../helpers/env';
import type { PaletteSim } from '../palette-sim/sim';
import { addHosts, API_KEY, newSim, PROJECT, simCerts } from './harness';

const skip = skipReason({ tools: ['openssl'] }) ?? browserSkipReason();

describe.skipIf(skip)('Register screen', () => {
  let sim: PaletteSim;
  let ui: UiHarness;
  let dataDir: string;
  beforeAll(async () => {
    process.env.EDGEBENCH_NO_KEYCHAIN = '1';
    process.env.EDGEBENCH_PALETTE_RETRY_BASE_MS = '5';
    process.env.EDGEBENCH_PALETTE_ATTEMPTS = '2';
    sim = await newSim();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-regui-'));
    const app = createApp({ dataDir });
    await saveLogin(app, {
      endpoint: sim.endpoint,
      projectUid: PROJECT,
      apiKey: API_KEY,
      caPem: simCerts().caPem,
    });
    await addHosts(app, ['edge-ui1', 'edge-ui2', 'edge-ui3']);
    await putSite(app, {
      name: 'store-ui',
      location: 'Bench 3',
      profiles: {
        infrastructure: { uid: 'infra-ubuntu-k3s', os: 'Ubuntu', k8s: 'RKE2', cni: 'Calico' },
        addons: [],
      },
      endpoint: { type: 'VIP', host: '10.5.0.5' },
      nodeRoles: {},
      pin: '9999',
    });
    await app.close();
    ui = await openUi({ hash: 'register', dataDir });
  });
  afterAll(async () => {
    await ui?.close();
    await sim?.stop();
    delete process.env.EDGEBENCH_PALETTE_ATTEMPTS;
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the connection, registers selected hosts, shows Palette state beside Edgebench state', async () => {
    const { page } = ui;
    await page.getByTestId('palette-connection').waitFor();
    expect(await page.getByTestId('palette-connection').textContent()).toContain(sim.endpoint);
    expect(await page.content()).not.toContain(API_KEY);
    await page.getByLabel('select edge-ui1').check();
    await page.getByLabel('select edge-ui2').check();
    await page.selectOption('#reg-site', 'store-ui');
    await page.fill('#reg-tags', 'rack=9');
    await page.getByRole('button', { name: 'Register selected (2)' }).click();
    await page
      .locator('tr[data-host="edge-ui2"] [data-testid="eb-state"]', { hasText: 'registered' })
      .waitFor();
    expect(sim.createdCount('edge-ui1')).toBe(1);
    expect(sim.hosts.get('edge-ui2')!.labels.rack).toBe('9');
    // Palette's state is pulled after the registration without a manual refresh
    await page
      .locator('tr[data-host="edge-ui1"] [data-testid="palette-state"]', { hasText: 'unpaired' })
      .waitFor();
    await ui.shot('register-screen-registered');
  });

  it('creates the site cluster and deletes it, hosts back to ready', async () => {
    const { page } = ui;
    sim.pair('edge-ui1');
    sim.pair('edge-ui2');
    // node roles from the sites editor: edge-ui2 is the control plane
    await page.locator('tr[data-site="store-ui"]').getByRole('button', { name: 'Edit' }).click();
    await page.fill('#site-cp', 'edge-ui2');
    await page.getByRole('button', { name: 'Save site' }).click();
    await page.locator('h3', { hasText: 'New site' }).waitFor();
    await page.locator('tr[data-site="store-ui"]').getByRole('button', { name: 'Create cluster' }).click();
    await page
      .locator('tr[data-site="store-ui"] [data-testid="cluster-state"]', { hasText: 'created' })
      .waitFor();
    expect(sim.clusters.size).toBe(1);
    const [cl] = [...sim.clusters.values()];
    expect(cl.pools.get('control-plane-pool')).toEqual(['edge-ui2']);
    expect(cl.pools.get('worker-pool')).toEqual(['edge-ui1']);
    await page.getByRole('button', { name: 'Refresh Palette states' }).click();
    await page
      .locator('tr[data-host="edge-ui1"] [data-testid="palette-state"]', { hasText: 'in-use' })
      .waitFor();
    await ui.shot('register-screen-cluster');
    page.once('dialog', (d) => void d.accept());
    await page.locator('tr[data-site="store-ui"]').getByRole('button', { name: 'Delete cluster' }).click();
    await page.getByTestId('delete-result').waitFor();
    expect(await page.getByTestId('delete-result').textContent()).toContain('edge-ui1 ready');
    expect(sim.clusters.size).toBe(0);
    await page
      .locator('tr[data-host="edge-ui2"] [data-testid="palette-state"]', { hasText: 'ready' })
      .waitFor();
  });

  it('queues while Palette is down and syncs when it is back', async () => {
    const { page } = ui;
    await sim.stop();
    await page.getByLabel('select edge-ui1').uncheck();
    await page.getByLabel('select edge-ui2').uncheck();
    await page.getByLabel('select edge-ui3').check();
    await page.getByRole('button', { name: 'Register selected (1)' }).click();
    await page.locator('tr[data-host="edge-ui3"] [data-testid="eb-state"]', { hasText: 'queued' }).waitFor();
    expect(await page.getByTestId('queue-status').textContent()).toContain('1 queued');
    await sim.start();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page
      .locator('tr[data-host="edge-ui3"] [data-testid="eb-state"]', { hasText: 'registered' })
      .waitFor();
    expect(await page.getByTestId('sync-result').textContent()).toContain('1 registered');
    expect(sim.createdCount('edge-ui3')).toBe(1);
  });

  it('previews QR labels for the selected host', async () => {
    const { page } = ui;
    await page.getByRole('button', { name: /Preview 1 selected/ }).click();
    await page.locator('[data-testid="label-previews"] img').first().waitFor();
    expect(await page.locator('[data-testid="label-previews"] figcaption').textContent()).toMatch(
      /\/register\?uid=edge-ui3$/,
    );
    await ui.shot('register-screen-labels');
  });
});
