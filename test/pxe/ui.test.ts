// The PXE screen in Chromium: a service started in-process on loopback (unprivileged ports, bound
// to 127.0.0.1) is shown as running; a real boot step (curl of the per-MAC iPXE script and
// user-data) appears live in the machine table and its timeline; Stop stops it.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adoptPxeService } from '../../main/api/pxe-handlers';
import { startPxeService } from '../../main/pxe/service';
import { browserSkipReason, openUi, type UiHarness } from '../helpers/browser';
import { tempDir } from '../helpers/env';
import { spawnAsync } from './helpers';

const reason = browserSkipReason();
let ui: UiHarness;
let tmp: { dir: string; cleanup(): void };
const MAC = '52:54:00:c0:ff:ee';

describe.skipIf(reason)('PXE screen', () => {
  beforeAll(async () => {
    tmp = tempDir('eb-pxe-ui-');
    fs.writeFileSync(path.join(tmp.dir, 'kernel'), Buffer.alloc(4096, 1));
    fs.writeFileSync(path.join(tmp.dir, 'initrd'), Buffer.alloc(4096, 2));
    fs.writeFileSync(path.join(tmp.dir, 'u.yaml'), '#cloud-config\nhostname: bench-07\n');
    ui = await openUi({ hash: 'pxe' });
  }, 120_000);
  afterAll(async () => {
    await ui?.close();
    tmp?.cleanup();
  });

  it('shows the start form with validation before anything runs', async () => {
    const p = ui.page;
    await p.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => p.getByText('Choose an installer image or type its path.').count()).toBe(1);
    await ui.shot('pxe-form');
    // a link from elsewhere preselects the image: #pxe/image=<id or path>
    await p.evaluate(() => (location.hash = '#pxe/image=%2Fsrv%2Fisos%2Finstaller.iso'));
    await expect.poll(() => p.locator('#pxe-image').inputValue()).toBe('/srv/isos/installer.iso');
    // full DHCP mode asks for a pool and checks it
    await p.getByLabel('Full DHCP for an isolated bench').check();
    await p.locator('#pxe-range').fill('10.0.0.100-10.0.0.150');
    await p.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => p.getByText(/Three IPv4 addresses/).count()).toBe(1);
    expect(await ui.app.store.pxe.events({})).toEqual([]); // nothing was started
  });

  it(
    'shows the running service and a live boot timeline for a real HTTP boot step',
    { timeout: 120_000 },
    async () => {
      const p = ui.page;
      await ui.app.store.hosts.upsert({ id: 'bench-07', mac: MAC, values: {} });
      const svc = await startPxeService({
        interface: 'lo',
        artifacts: { kernel: path.join(tmp.dir, 'kernel'), initrd: path.join(tmp.dir, 'initrd') },
        hosts: [
          {
            hostId: 'bench-07',
            mac: MAC,
            source: 'csv',
            userDataFile: path.join(tmp.dir, 'u.yaml'),
            values: {},
          },
        ],
        httpPort: 0,
        ports: { dhcp: 0, proxy: 0, tftp: 0 },
        udpBindAddress: '127.0.0.1',
        store: ui.app.store,
        bus: ui.app.bus,
        cacheDir: path.join(tmp.dir, 'cache'),
      });
      await adoptPxeService(ui.app, svc);
      await p.reload();
      await p.getByText('running').first().waitFor();
      await p.getByText('ProxyDHCP beside the lab DHCP server').waitFor();
      const row = p.locator(`tr[data-mac="${MAC}"]`);
      await row.waitFor();
      await expect.poll(() => row.getByText('bench-07').count()).toBe(1);
      const status = await ui.page.evaluate(() => document.querySelector('.pxe-urls')?.textContent ?? '');
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(status)?.[0];
      expect(url).toBeTruthy();
      const s = await spawnAsync(
        'curl',
        ['-sS', '--max-time', '10', `${url}/pxe/52-54-00-c0-ff-ee/boot.ipxe`],
        { timeout: 20_000 },
      );
      expect(s.stdout).toMatch(/^#!ipxe/);
      const u = await spawnAsync(
        'curl',
        ['-sS', '--max-time', '10', `${url}/pxe/52-54-00-c0-ff-ee/user-data`],
        { timeout: 20_000 },
      );
      expect(u.stdout).toContain('bench-07');
      // live: no reload; the step chips and the state badge follow the events
      await expect
        .poll(() => row.locator('li.done', { hasText: 'Script' }).count(), { timeout: 15_000 })
        .toBe(1);
      await expect
        .poll(() => row.locator('li.done', { hasText: 'User-data' }).count(), { timeout: 15_000 })
        .toBe(1);
      await expect.poll(() => row.locator('.badge').textContent()).toBe('installing');
      await row.getByRole('button', { name: /52:54:00:c0:ff:ee/ }).click();
      const tl = p.getByRole('list', { name: `Timeline of ${MAC}` });
      await expect.poll(() => tl.locator('li').count()).toBeGreaterThanOrEqual(2);
      expect(await tl.textContent()).toMatch(/http-script.*iPXE script fetched.*userdata-fetched/s);
      await ui.shot('pxe-timeline');
    },
  );

  it('stops the service from the screen', async () => {
    const p = ui.page;
    await p.getByRole('button', { name: 'Stop' }).click();
    await p.getByRole('button', { name: 'Start' }).waitFor();
    const r = await ui.app.store.pxe.events({ mac: MAC });
    expect(r.map((e) => e.kind)).toEqual(['http-script', 'userdata-fetched']);
  });
});
