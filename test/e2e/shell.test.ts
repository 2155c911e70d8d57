// The app shell in Debian's Chromium against `edgebench serve`: every place opens, the keyboard
// reaches the navigation, and no page error is thrown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, openUi, type UiHarness } from '../helpers/browser';

const reason = browserSkipReason();
let ui: UiHarness;

describe.skipIf(Boolean(reason))(`app shell${reason ? ` (skipped: ${reason})` : ''}`, () => {
  beforeAll(async () => {
    ui = await openUi();
  }, 60_000);
  afterAll(async () => ui?.close());

  it('opens every place from the side bar without page errors', async () => {
    const errors: string[] = [];
    ui.page.on('pageerror', (e) => errors.push(String(e)));
    await ui.page.waitForSelector('nav[aria-label="Capabilities"]');
    await expect.poll(() => ui.page.textContent('.sidebar-foot')).toMatch(/^v\d+\.\d+\.\d+ · server$/);
    for (const label of ['User-data', 'Media', 'Flash', 'PXE', 'Register', 'Hosts', 'Staging']) {
      await ui.page.getByRole('link', { name: label, exact: true }).click();
      await expect.poll(() => ui.page.getAttribute(`nav a:text-is("${label}")`, 'aria-current')).toBe('page');
      await ui.page.waitForSelector('main.content h2');
    }
    await ui.shot('shell-staging');
    expect(errors).toEqual([]);
  });

  it('keeps the place across a reload and reaches the navigation by keyboard', async () => {
    await ui.page.goto(`${ui.server.url}/#media`);
    await expect.poll(() => ui.page.getAttribute('nav a:text-is("Media")', 'aria-current')).toBe('page');
    await ui.page.keyboard.press('Tab');
    const focused = await ui.page.evaluate(() => document.activeElement?.textContent);
    expect(focused).toBe('User-data');
    await ui.page.keyboard.press('Enter');
    await expect.poll(() => ui.page.evaluate(() => location.hash)).toBe('#userdata');
  });

  it('the WebSocket refuses a page opened without the token', async () => {
    const ctx = await ui.browser.newContext();
    const p = await ctx.newPage();
    const res = await p.goto(`${ui.server.url}/`);
    expect(res?.status()).toBe(401);
    await ctx.close();
  });
});
