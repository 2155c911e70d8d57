// The Flash screen in Chromium against `edgebench serve` (in-process): preselected built media
// from #flash/artifact=<id>, the live drive list from the test-only drive source
// (EDGEBENCH_TEST_DRIVES), the confirm dialog, per-drive progress and results, "flash again".
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../main/app';
import { browserSkipReason, openUi, type UiHarness } from '../helpers/browser';
import { isRoot, hasTool } from '../helpers/env';
import { Bench, sameBytes, sha256 } from './util';

describe.skipIf(browserSkipReason())('Flash screen (Chromium)', () => {
  const b = new Bench('eb-flashui-');
  let ui: UiHarness | undefined;
  let img: string;
  let good: string[];
  let bad: string | undefined;
  let ro: string | undefined;
  let big: string | undefined;
  const prevEnv = process.env.EDGEBENCH_TEST_DRIVES;

  beforeAll(async () => {
    img = b.image('site-a.iso', 24);
    const useLoops = isRoot && hasTool('losetup');
    good = useLoops
      ? [b.loop(b.sparse('stick1.img', 32)), path.join(b.dir, 'stick2.img')]
      : [path.join(b.dir, 'stick1.img'), path.join(b.dir, 'stick2.img')];
    if (useLoops) {
      // a stick that fails while writing (its backing store is a full tmpfs) and a write-protected one
      bad = b.loop(b.sparse('failing.img', 40, b.tmpfs('small-tmpfs', 12)));
      ro = b.loop(b.sparse('locked.img', 32), { readOnly: true });
      // a sparse 200 GB "drive": over the 128 GB line, only the image's bytes are ever allocated
      big = b.loop(b.sparse('big.img', 200 * 1024));
    }
    const list = path.join(b.dir, 'test-drives.json');
    fs.writeFileSync(
      list,
      JSON.stringify([
        { path: good[0], description: 'Test stick A' },
        { path: good[1], description: 'Test stick B (image file)' },
        ...(bad ? [{ path: bad, description: 'Failing stick' }] : []),
        ...(ro ? [{ path: ro, description: 'Write-protected stick' }] : []),
        ...(big ? [{ path: big, description: 'Suspiciously large drive' }] : []),
      ]),
    );
    process.env.EDGEBENCH_TEST_DRIVES = list;
    const dataDir = path.join(b.dir, 'data');
    const app = createApp({ dataDir });
    await app.store.artifacts.add({
      id: 'art-site-a',
      kind: 'iso',
      path: img,
      sha256: sha256(img),
      size: fs.statSync(img).size,
      meta: {},
    });
    await app.close();
    ui = await openUi({ dataDir, hash: 'flash/artifact=art-site-a' });
  });
  afterAll(async () => {
    await ui?.close();
    if (prevEnv === undefined) delete process.env.EDGEBENCH_TEST_DRIVES;
    else process.env.EDGEBENCH_TEST_DRIVES = prevEnv;
    b.cleanup();
  });

  it('flashes the selected drives with per-drive progress and results, then flashes again', async () => {
    const page = ui!.page;
    await page.getByRole('heading', { name: 'Drives' }).waitFor();
    await expect.poll(() => page.locator('#flash-artifact').inputValue()).toBe('art-site-a');
    for (const t of good) await page.getByLabel(`Select ${t}`).waitFor();
    if (ro) {
      expect(await page.getByLabel(`Select ${ro}`).isDisabled()).toBe(true);
      await page.locator(`[data-code="EROFS"]`).first().waitFor();
    }
    for (const t of [...good, ...(bad ? [bad] : [])]) await page.getByLabel(`Select ${t}`).check();
    await ui!.shot('flash-01-selected');
    const n = good.length + (bad ? 1 : 0);
    await page.getByRole('button', { name: `Flash ${n} drives` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    for (const t of good) expect(await dialog.textContent()).toContain(t);
    await ui!.shot('flash-02-confirm');
    await dialog.getByRole('button', { name: 'Erase and flash' }).click();
    await page.getByRole('heading', { name: 'Results' }).waitFor({ timeout: 60_000 });
    for (const t of good)
      await expect
        .poll(() => page.locator(`.flash-results li[data-target="${t}"]`).getAttribute('data-code'))
        .toBe('OK');
    if (bad) {
      const li = page.locator(`.flash-results li[data-target="${bad}"]`);
      expect(['ENOSPC', 'EIO']).toContain(await li.getAttribute('data-code'));
      expect(await li.locator('.error-hint').textContent()).toBeTruthy();
    }
    await ui!.shot('flash-03-results');
    for (const t of good) expect(sameBytes(img, t)).toBe(true);
    await page.locator('.flash-records tbody tr').first().waitFor();
    expect(await page.locator('.flash-records tbody tr').count()).toBe(n);
    await page.getByRole('button', { name: 'Flash again' }).click();
    await page.getByRole('button', { name: /^Flash\s+drives$/ }).waitFor();
    expect(await page.getByLabel(`Select ${good[0]}`).isChecked()).toBe(false);
    await ui!.shot('flash-04-again');
  });

  it('asks to acknowledge a drive over 128 GB before erasing it', async () => {
    if (!big) return;
    const page = ui!.page;
    await page.locator(`[data-code="ELARGEDRIVE"]`).first().waitFor();
    await page.getByLabel(`Select ${big}`).check();
    await page.getByRole('button', { name: 'Flash 1 drive' }).click();
    const dialog = page.getByRole('dialog');
    const go = dialog.getByRole('button', { name: 'Erase and flash' });
    expect(await go.isDisabled()).toBe(true);
    await dialog.getByText('is this really a USB stick?').waitFor();
    await ui!.shot('flash-06-large-ack');
    await dialog.getByRole('checkbox').check();
    expect(await go.isDisabled()).toBe(false);
    await go.click();
    await expect
      .poll(() => page.locator(`.flash-results li[data-target="${big}"]`).getAttribute('data-code'), {
        timeout: 60_000,
      })
      .toBe('OK');
    expect(sameBytes(img, big)).toBe(true);
    await page.getByRole('button', { name: 'Flash again' }).click();
  });

  it('shows hidden devices with their reason on request', async () => {
    const page = ui!.page;
    await page.getByLabel('Show hidden devices and why').check();
    await expect
      .poll(() => page.locator('.flash-drives .badge', { hasText: 'hidden:' }).count())
      .toBeGreaterThan(0);
    await ui!.shot('flash-05-hidden');
  });
});
