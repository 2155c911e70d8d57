// Debian's Chromium driven by playwright-core, against `edgebench serve` started in-process.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApp, type AppContext } from '../../main/app';
import { startServer, type RunningServer } from '../../main/server/serve';
import { ARTIFACTS_DIR, REPO_ROOT } from './env';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function browserSkipReason(): string | undefined {
  if (!fs.existsSync(CHROMIUM)) return `needs Debian's chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'renderer', 'index.html')))
    return 'renderer not built: run npm run build';
  return undefined;
}

// Playwright gives each launch a fresh, empty profile directory of its own.
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface UiHarness {
  app: AppContext;
  server: RunningServer;
  browser: Browser;
  page: Page;
  dataDir: string;
  /** Save a screenshot under test-artifacts/screenshots/NAME.png. */
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Start serve on loopback with a temporary data dir, open the app with its token at 1280x800. */
export async function openUi(
  opts: { hash?: string; dataDir?: string; viewport?: { width: number; height: number } } = {},
): Promise<UiHarness> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'eb-ui-'));
  const app = createApp({ dataDir });
  const server = await startServer({
    app,
    host: '127.0.0.1',
    port: 0,
    rendererDir: path.join(REPO_ROOT, 'dist', 'renderer'),
  });
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.openUrl}${opts.hash ? '#' + opts.hash : ''}`);
  return {
    app,
    server,
    browser,
    page,
    dataDir,
    async shot(name) {
      const dir = path.join(ARTIFACTS_DIR, 'screenshots');
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await browser.close().catch(() => undefined);
      await server.close();
      await app.close();
      if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
