// Electron smoke test with Playwright's _electron (Spectron is archived and cannot drive current
// Electron). No Electron binary can be downloaded on the team's build machine, so this skips there
// with a clear message; on a machine with the binary it launches the real app.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/env';

function electronBinary(): string | undefined {
  try {
    const dir = path.join(REPO_ROOT, 'node_modules', 'electron');
    const exe = path.join(dir, 'dist', fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim());
    return fs.existsSync(exe) ? exe : undefined;
  } catch {
    return undefined;
  }
}

const exe = electronBinary();
const reason = exe
  ? undefined
  : 'no Electron binary installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1: it cannot be downloaded here); the renderer is tested in Chromium instead';

describe.skipIf(Boolean(reason))(`Electron app${reason ? ` (skipped: ${reason})` : ''}`, () => {
  it('opens a sandboxed window whose preload exposes only the contract', { timeout: 120_000 }, async () => {
    const { _electron } = await import('playwright-core');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-electron-'));
    const app = await _electron.launch({
      executablePath: exe,
      args: [path.join(REPO_ROOT, 'dist', 'electron', 'main.cjs'), '--no-sandbox'],
      env: { ...process.env, EDGEBENCH_DATA_DIR: dataDir },
    });
    try {
      const win = await app.firstWindow();
      await win.waitForSelector('nav[aria-label="Capabilities"]');
      expect(await win.title()).toBe('Edgebench');
      const shape = await win.evaluate(() => ({
        keys: Object.keys((window as any).edgebench ?? {}).sort(),
        hasRequire: typeof (window as any).require,
        hasProcess: typeof (window as any).process,
      }));
      expect(shape).toEqual({
        keys: ['cancel', 'invoke', 'subscribe'],
        hasRequire: 'undefined',
        hasProcess: 'undefined',
      });
      const info = await win.evaluate(() => (window as any).edgebench.invoke('t1', 'system.info', {}));
      expect(info.ok).toBe(true);
      expect(info.value.transport).toBe('ipc');
    } finally {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
