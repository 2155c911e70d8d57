// The self-hosted registration page on `edgebench serve`: HTTP behaviour (PIN, attempt limiting,
// CSP, no script) and a phone-sized Chromium registering a host into the simulator.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putSite } from '../../main/register/sites';
import { startServer, type RunningServer } from '../../main/server/serve';
import { browserSkipReason, launchBrowser } from '../helpers/browser';
import { ARTIFACTS_DIR, skipReason } from '../helpers/env';
import { newEnv, type Env } from './harness';

const skip = skipReason({ tools: ['openssl'] });

const site = (name: string, pin?: string) => ({
  name,
  location: `${name} location`,
  profiles: {
    infrastructure: { uid: 'infra-ubuntu-k3s', os: 'Ubuntu', k8s: 'Palette Optimized K3s', cni: 'Flannel' },
    addons: [],
  },
  endpoint: { type: 'VIP', host: '10.1.0.10' },
  nodeRoles: {},
  ...(pin ? { pin } : {}),
});

describe.skipIf(skip)('registration page', () => {
  let env: Env;
  let srv: RunningServer;
  const post = (form: Record<string, string>) =>
    fetch(`${srv.url}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });
  beforeAll(async () => {
    env = await newEnv();
    await putSite(env.app, site('store-a', '2468'));
    await putSite(env.app, site('store-b', '1357'));
    await putSite(env.app, site('no-pin'));
    srv = await startServer({
      app: env.app,
      host: '127.0.0.1',
      port: 0,
      rendererDir: path.join(env.dataDir, 'none'),
    });
  });
  afterAll(async () => {
    await srv?.close();
    await env?.close();
  });

  it('shows the host ID and the sites that have a PIN, under a strict CSP, without script, without the UI token', async () => {
    const r = await fetch(`${srv.url}/register?uid=edge-web0`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await r.text();
    expect(html).toContain('edge-web0');
    expect(html).toContain('value="store-a"');
    expect(html).toContain('value="store-b"');
    expect(html).not.toContain('value="no-pin"');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('name="viewport"');
    const bad = await fetch(`${srv.url}/register?uid=${encodeURIComponent('bad/id')}`);
    expect(bad.status).toBe(400);
  });

  it('refuses a wrong PIN and locks the site for that client after 5 failures', async () => {
    for (let i = 0; i < 5; i++)
      expect((await post({ uid: 'edge-web9', site: 'store-b', pin: '0000' })).status).toBe(403);
    const locked = await post({ uid: 'edge-web9', site: 'store-b', pin: '1357' });
    expect(locked.status).toBe(429);
    expect(await locked.text()).toContain('Too many wrong PINs');
    expect(env.sim.hosts.has('edge-web9')).toBe(false);
    expect((await post({ uid: 'edge-web9', site: 'no-pin', pin: '' })).status).toBe(403);
  });

  it('registers the host and creates, then extends, the site cluster', async () => {
    let r = await post({ uid: 'edge-web1', site: 'store-a', pin: '2468' });
    let html = await r.text();
    expect(r.status, html).toBe(200);
    expect(html).toContain('Cluster store-a created with this host.');
    expect(env.sim.createdCount('edge-web1')).toBe(1);
    expect(env.sim.hosts.get('edge-web1')!.labels).toMatchObject({
      'edgebench-site': 'store-a',
      'registered-by': 'edgebench-page',
    });
    r = await post({ uid: 'edge-web2', site: 'store-a', pin: '2468' });
    html = await r.text();
    expect(html).toContain('Added to cluster store-a.');
    const [c] = [...env.sim.clusters.values()];
    expect([...c.pools.values()].flat().sort()).toEqual(['edge-web1', 'edge-web2']);
    expect((await env.app.store.hosts.get('edge-web2'))?.site).toBe('store-a');
  });

  it('queues when Palette is down and says so', async () => {
    await env.sim.stop();
    process.env.EDGEBENCH_PALETTE_ATTEMPTS = '1';
    try {
      const r = await post({ uid: 'edge-web3', site: 'store-a', pin: '2468' });
      expect(r.status).toBe(202);
      expect(await r.text()).toContain('will be sent when it can');
      expect((await env.app.store.register.openJobs()).map((j) => j.hostId)).toEqual(['edge-web3']);
    } finally {
      delete process.env.EDGEBENCH_PALETTE_ATTEMPTS;
      await env.sim.start();
    }
  });

  it.skipIf(browserSkipReason() && !fs.existsSync('/usr/bin/chromium'))(
    'on a phone-sized Chromium (390x844) registers a host into the simulator',
    async () => {
      const browser = await launchBrowser();
      try {
        const page = await browser.newPage({
          viewport: { width: 390, height: 844 },
          isMobile: true,
          hasTouch: true,
        });
        const errors: string[] = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        await page.goto(`${srv.url}/register?uid=edge-phone1`);
        expect(await page.textContent('#uid')).toBe('edge-phone1');
        await page.check('input[value="store-a"]');
        await page.fill('#pin', '2468');
        const dir = path.join(ARTIFACTS_DIR, 'screenshots');
        fs.mkdirSync(dir, { recursive: true });
        await page.screenshot({ path: path.join(dir, 'register-page-phone-form.png'), fullPage: true });
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(width).toBeLessThanOrEqual(390);
        await Promise.all([page.waitForNavigation(), page.tap('#submit')]);
        expect(await page.getAttribute('#result', 'data-state')).toBe('ok');
        await page.screenshot({ path: path.join(dir, 'register-page-phone-done.png'), fullPage: true });
        expect(errors).toEqual([]);
        expect(env.sim.createdCount('edge-phone1')).toBe(1);
        const [c] = [...env.sim.clusters.values()];
        expect([...c.pools.values()].flat()).toContain('edge-phone1');
      } finally {
        await browser.close();
      }
    },
  );
});
