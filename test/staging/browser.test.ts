// Browser test: the Staging and Hosts screens in Chromium against `edgebench serve` (in-process)
// with the real back end: import a manifest by drag and drop (with errors shown by row and
// column), then by the file picker, start the run (media built from the installer fixture, two
// image-file targets flashed and verified, registration into the Palette simulator), watch it
// finish, open the report, then find a host in the Hosts screen. Screenshots are saved.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, openUi, type UiHarness } from '../helpers/browser';
import { skipReason, tempDir } from '../helpers/env';
import { ensureInstallerFixture, type InstallerFixture } from '../helpers/installer-fixture';
import { newSim } from '../register/harness';
import type { PaletteSim } from '../palette-sim/sim';
import { copyFixture, seedDataDir, SITES_YAML } from './lab';

const reason = browserSkipReason() ?? skipReason({ tools: ['xorriso'] });

const GOOD = `${SITES_YAML}hosts:
${[1, 2, 3, 4]
  .map(
    (i) => `  - name: shop-00${i}
    serial: SN-B${i}
    mac: "52:54:00:b0:00:0${i}"
    site: lab
    profile: retail
    ip: 10.77.0.${40 + i}
    tags: {rack: "${i}"}
    delivery: usb`,
  )
  .join('\n')}
`;
const BAD =
  'name,mac,site,profile,ip,delivery\nshop.001,52:54:00:b0:00:01,lab,retail,10.77.0.41,usb\nshop-002,52:54:00:b0:00:01,lab,kiosk,10.99.0.5,usb\n';

describe.skipIf(reason)('Staging and Hosts screens in Chromium', () => {
  let ui: UiHarness;
  let fx: InstallerFixture;
  let sim: PaletteSim;
  let work: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    fx = await ensureInstallerFixture();
    if (fx.skipReason) throw new Error(fx.skipReason);
    work = tempDir('ebst-ui-');
    sim = await newSim();
    const dataDir = path.join(work.dir, 'data');
    await seedDataDir(dataDir, sim);
    ui = await openUi({ hash: 'staging', dataDir });
  }, 300_000);
  afterAll(async () => {
    await ui?.close();
    await sim?.stop();
    work?.cleanup();
  });

  it('imports a manifest, shows its errors by row and column, runs it live, opens the report and the host record', async () => {
    const { page } = ui;
    // The sites file (CSV manifests have no sites section), then drag and drop a manifest with errors.
    await page.waitForSelector('[data-testid=manifest-drop]');
    const sitesFile = path.join(work.dir, 'sites.yaml');
    fs.writeFileSync(sitesFile, SITES_YAML);
    await page.locator('[data-testid=sites-input]').setInputFiles(sitesFile);
    await page.evaluate(
      ({ text }) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], 'bad.csv', { type: 'text/csv' }));
        const el = document.querySelector('[data-testid=manifest-drop]')!;
        el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
        el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      },
      { text: BAD },
    );
    const validation = page.locator('[data-testid=validation]');
    await expect.poll(() => validation.getAttribute('data-ok')).toBe('false');
    const issues = await page.locator('table[aria-label="Manifest issues"] tbody tr').allInnerTexts();
    const flat = issues.map((r) => r.replace(/\s+/g, ' '));
    expect(flat.some((r) => /^2 1 A2 name .*"\."/.test(r))).toBe(true);
    expect(flat.some((r) => /^3 2 B3 mac .*already used at B2/.test(r))).toBe(true);
    expect(flat.some((r) => /^3 4 D3 profile .*unknown profile "kiosk"/.test(r))).toBe(true);
    expect(flat.some((r) => /^3 5 E3 ip .*outside site "lab"/.test(r))).toBe(true);
    expect(await page.locator('[data-testid=start-run]').isDisabled()).toBe(true);
    await ui.shot('staging-validation-errors');

    // Pick the good manifest with the file picker.
    const good = path.join(work.dir, 'hosts.yaml');
    fs.writeFileSync(good, GOOD);
    await page.locator('[data-testid=manifest-input]').setInputFiles(good);
    await expect.poll(() => validation.getAttribute('data-ok')).toBe('true');
    const t1 = path.join(work.dir, 'stick-1.img');
    const t2 = path.join(work.dir, 'stick-2.img');
    await page.fill('#st-image', copyFixture(fx.iso, work.dir));
    await page.fill('#st-targets', `${t1}, ${t2}`);
    await ui.shot('staging-valid');
    // Record every value the overall progress bar shows, to prove the view updates live.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { ebProgress: string[] }).ebProgress = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('[aria-label="Overall progress"] [role=progressbar]');
        const v = bar?.getAttribute('aria-valuenow');
        if (v && seen.at(-1) !== v) seen.push(v);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.click('[data-testid=start-run]');
    // A screenshot while hosts are still moving through their steps (when the run is not too quick).
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const st = await page
        .locator('[data-testid=run-summary]')
        .getAttribute('data-state')
        .catch(() => null);
      if (st && st !== 'running') break;
      if (
        st === 'running' &&
        (await page.locator('table[aria-label="Hosts of this run"] tbody tr[data-state=done]').count()) > 0
      ) {
        await ui.shot('staging-run-live');
        break;
      }
      await page.waitForTimeout(50);
    }

    // Watch it: hosts move through their steps, then the run is done.
    const summary = page.locator('[data-testid=run-summary]');
    await summary.waitFor();
    await expect
      .poll(() => summary.getAttribute('data-state'), { timeout: 240_000, interval: 500 })
      .toMatch(/done|partial|failed/);
    expect(await summary.getAttribute('data-state')).toBe('done');
    expect(
      await page.locator('table[aria-label="Hosts of this run"] tbody tr[data-state=done]').count(),
    ).toBe(4);
    expect(await page.getByRole('progressbar').first().getAttribute('aria-valuenow')).toBe('100');
    const seen = await page.evaluate(() =>
      (window as unknown as { ebProgress: string[] }).ebProgress.map(Number),
    );
    expect(
      seen.some((v) => v > 0 && v < 100),
      JSON.stringify(seen),
    ).toBe(true);
    expect(seen.at(-1)).toBe(100);
    await ui.shot('staging-run-done');
    expect(sim.hosts.size).toBe(4);
    expect(fs.statSync(t2).size).toBeGreaterThan(1_000_000);

    // Open the report (a new window with the HTML report).
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('[data-testid=open-report]')]);
    await popup.waitForLoadState();
    const reportText = await popup.content();
    for (let i = 1; i <= 4; i++) expect(reportText).toContain(`data-host="shop-00${i}"`);
    await popup.setViewportSize({ width: 1280, height: 800 });
    await popup.screenshot({
      path: path.join(path.dirname(await ui.shot('staging-before-report')), 'staging-report.png'),
      fullPage: true,
    });
    await popup.close();

    // The host's record from the run table, then search in the Hosts screen.
    await page.click('a[href="#hosts/shop-003"]');
    await page.locator('[data-testid=host-detail]').waitFor();
    const facts = await page.locator('[data-testid=host-detail]').innerText();
    expect(facts).toContain('SN-B3');
    expect(facts).toMatch(/verified/);
    expect(facts).toMatch(/registered/);
    // The host's page lists its flash records (drive, verify result).
    const recordRows = page.locator('[data-testid=host-detail] table.flash-records tbody tr');
    await expect.poll(() => recordRows.count()).toBeGreaterThan(0);
    expect(await recordRows.first().innerText()).toMatch(/stick-\d\.img[\s\S]*passed/);
    await page.fill('input[aria-label="Search hosts"]', 'rack=2');
    await expect.poll(() => page.locator('table[aria-label="Inventory"] tbody tr').count()).toBe(1);
    expect(
      await page.locator('table[aria-label="Inventory"] tbody tr').first().getAttribute('data-host'),
    ).toBe('shop-002');
    await ui.shot('hosts-search-detail');
  }, 400_000);
});
