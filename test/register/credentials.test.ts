// Where the API key goes: a 0600 file (no keychain here), never the database, logs or exports;
// and the automatic replay when the network comes back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../main/app';
import { KEY_FILE, loadConnection, logout, saveLogin } from '../../main/palette/credentials';
import { enqueueRegistration, startAutoSync, stopAutoSync } from '../../main/register/queue';
import { exportTerraform } from '../../main/register/terraform';
import { skipReason } from '../helpers/env';
import { addHosts, API_KEY, newEnv, type Env } from './harness';

describe('API key storage', () => {
  it('keeps the key in a 0600 file, not in the database; logout removes it', async () => {
    process.env.EDGEBENCH_NO_KEYCHAIN = '1';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-cred-'));
    const app = createApp({ dataDir: dir });
    const logs: string[] = [];
    app.bus.onAny((name, p) => name === 'log' && logs.push(JSON.stringify(p)));
    try {
      const s = await saveLogin(app, {
        endpoint: 'https://palette.example.com/v1/',
        projectUid: 'p1',
        apiKey: 'KEY-abcdef-123456',
      });
      expect(s.endpoint).toBe('palette.example.com');
      expect(s.keyStorage).toBe('file');
      const st = fs.statSync(path.join(dir, KEY_FILE));
      expect(st.mode & 0o777).toBe(0o600);
      expect((await loadConnection(app)).apiKey).toBe('KEY-abcdef-123456');
      await app.close();
      for (const f of fs.readdirSync(dir).filter((f) => f.startsWith('edgebench.sqlite')))
        expect(fs.readFileSync(path.join(dir, f)).includes('KEY-abcdef-123456')).toBe(false);
      const files = await exportTerraform(app);
      expect(files.map((f) => f.content).join('')).not.toContain('KEY-abcdef');
      expect(logs.join('')).not.toContain('KEY-abcdef');
      await logout(app);
      expect(fs.existsSync(path.join(dir, KEY_FILE))).toBe(false);
      await expect(loadConnection(app)).rejects.toMatchObject({ code: 'EAUTH' });
    } finally {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a CA file that holds no certificate and a proxy that is not a URL', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-cred-'));
    const app = createApp({ dataDir: dir });
    try {
      fs.writeFileSync(path.join(dir, 'ca.pem'), 'not a cert');
      await expect(
        saveLogin(app, { endpoint: 'x.example', apiKey: 'k', caFile: path.join(dir, 'ca.pem') }),
      ).rejects.toMatchObject({ code: 'EINVALID' });
      await expect(
        saveLogin(app, { endpoint: 'x.example', apiKey: 'k', caFile: path.join(dir, 'missing.pem') }),
      ).rejects.toMatchObject({ code: 'ENOTFOUND' });
      await expect(
        saveLogin(app, { endpoint: 'x.example', apiKey: 'k', proxy: 'proxy:3128' }),
      ).rejects.toMatchObject({ code: 'EINVALID' });
      await expect(saveLogin(app, { endpoint: 'a b/c', apiKey: 'k' })).rejects.toMatchObject({
        code: 'EINVALID',
      });
    } finally {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skipReason({ tools: ['openssl'] }))('automatic replay in a long-running process', () => {
  let env: Env;
  beforeAll(async () => {
    env = await newEnv();
    await addHosts(env.app, ['edge-auto1', 'edge-auto2']);
  });
  afterAll(async () => {
    stopAutoSync(env.app);
    await env?.close();
  });

  it('sends queued registrations once Palette answers again', async () => {
    await env.sim.stop();
    await enqueueRegistration(env.app, { hostId: 'edge-auto1' });
    await enqueueRegistration(env.app, { hostId: 'edge-auto2' });
    startAutoSync(env.app, 100);
    await new Promise((r) => setTimeout(r, 300));
    expect(await env.app.store.register.countPending()).toBe(2);
    await env.sim.start();
    for (let i = 0; i < 200 && (await env.app.store.register.countPending()) > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await env.app.store.register.countPending()).toBe(0);
    expect(env.sim.createdCount('edge-auto1')).toBe(1);
    expect(env.sim.createdCount('edge-auto2')).toBe(1);
    expect(JSON.stringify(env.sim.log)).not.toContain(API_KEY);
  });
});
