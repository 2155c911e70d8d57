// Palette's staging files: .installer.env parsing, import as a profile, export back.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from 'unixcrypt';
import { parse } from 'yaml';
import { createApp, type AppContext } from '../../main/app';
import {
  exportInstallerEnv,
  formatInstallerEnv,
  getProfile,
  importInstallerEnvFile,
  parseInstallerEnv,
  saveProfile,
} from '../../main/userdata';
import { tempDir } from '../helpers/env';
import { FIXTURES } from './helpers';

describe('.installer.env syntax', () => {
  it('reads assignments with quotes, export and comments', () => {
    const env = parseInstallerEnv(fs.readFileSync(`${FIXTURES}/store.installer.env`, 'utf8'));
    expect(env).toEqual({
      ISO_IMAGE: 'palette-edge-installer',
      INSTALLER_VERSION: 'v4.5.3',
      IMAGE_NAME: 'gcr.io/spectro-images-public/stylus-custom',
      USER_DATA_FILE: 'site/user-data',
      BUILD_PLATFORM: 'linux/amd64',
    });
  });
  it('handles escapes and refuses broken lines with their line number', () => {
    expect(parseInstallerEnv('A="x \\"y\\" $z"\nB=\'a b\'\nC=\n')).toEqual({
      A: 'x "y" $z',
      B: 'a b',
      C: '',
    });
    expect(() => parseInstallerEnv('# ok\nISO_IMAGE="unterminated\n', 'x.env')).toThrowError(
      'x.env:2:11 the value of ISO_IMAGE has an unterminated quote',
    );
    expect(() => parseInstallerEnv('ISO_IMAGE=a\nnot an assignment\n', 'x.env')).toThrowError(
      'x.env:2:1 expected KEY=value, found "not an assignment"',
    );
  });
  it('writes what it reads', () => {
    const env = { ISO_IMAGE: 'a b', INSTALLER_VERSION: 'v4.5.3', USER_DATA_FILE: 'user-data', EXTRA: 'q"$' };
    expect(parseInstallerEnv(formatInstallerEnv(env))).toEqual(env);
  });
});

describe('import and export through the store', () => {
  let app: AppContext;
  const tmp = tempDir('eb-ud-env-');
  beforeAll(() => {
    app = createApp({ dataDir: path.join(tmp.dir, 'data') });
  });
  afterAll(async () => {
    await app.close();
    tmp.cleanup();
  });

  it('imports .installer.env with the user-data it names (relative to the env file)', async () => {
    const r = await importInstallerEnvFile(
      app.store.profiles,
      app.store.settings,
      `${FIXTURES}/store.installer.env`,
    );
    expect(r.profile.name).toBe('palette-edge-installer');
    expect(r.userDataPath).toBe(path.join(FIXTURES, 'site', 'user-data'));
    expect(r.env.INSTALLER_VERSION).toBe('v4.5.3');
    const stored = await getProfile(app.store.profiles, 'palette-edge-installer');
    const js = parse(stored.userData);
    expect(js.stylus.site.name).toBe('lab-bench-07');
    expect(verify('kairos', js.stages.initramfs[0].users.kairos.passwd)).toBe(true);
    await expect(
      importInstallerEnvFile(app.store.profiles, app.store.settings, `${FIXTURES}/store.installer.env`),
    ).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('names a missing user-data file', async () => {
    const env = path.join(tmp.dir, '.installer.env');
    fs.writeFileSync(env, 'ISO_IMAGE=x\nUSER_DATA_FILE=missing-user-data\n');
    await expect(
      importInstallerEnvFile(app.store.profiles, app.store.settings, env, { name: 'x' }),
    ).rejects.toMatchObject({
      code: 'ENOTFOUND',
      message: expect.stringContaining(
        `USER_DATA_FILE=missing-user-data, but ${path.join(tmp.dir, 'missing-user-data')} does not exist`,
      ),
    });
  });

  it('exports .installer.env and user-data, never overwriting without force', async () => {
    const out = path.join(tmp.dir, 'out');
    fs.mkdirSync(out);
    const r = await exportInstallerEnv(app.store.profiles, app.store.settings, 'palette-edge-installer', out);
    expect(fs.readdirSync(out).sort()).toEqual(['.installer.env', 'site']);
    const env = parseInstallerEnv(fs.readFileSync(r.envPath, 'utf8'));
    expect(env).toMatchObject({
      ISO_IMAGE: 'palette-edge-installer',
      INSTALLER_VERSION: 'v4.5.3',
      USER_DATA_FILE: 'site/user-data',
    });
    expect(parse(fs.readFileSync(path.join(out, 'site', 'user-data'), 'utf8')).stylus.site.name).toBe(
      'lab-bench-07',
    );
    fs.writeFileSync(r.envPath, 'KEEP=me\n');
    await expect(
      exportInstallerEnv(app.store.profiles, app.store.settings, 'palette-edge-installer', out),
    ).rejects.toMatchObject({ code: 'EEXIST' });
    expect(fs.readFileSync(r.envPath, 'utf8')).toBe('KEEP=me\n');
    await exportInstallerEnv(app.store.profiles, app.store.settings, 'palette-edge-installer', out, {
      force: true,
    });
    expect(fs.readFileSync(r.envPath, 'utf8')).toContain('ISO_IMAGE=palette-edge-installer');
  });

  it('saving refuses invalid user-data unless allowed, and bad names', async () => {
    const bad = fs.readFileSync(`${FIXTURES}/broken-gateway.yaml`, 'utf8');
    await expect(saveProfile(app.store.profiles, { name: 'bad', userData: bad })).rejects.toMatchObject({
      code: 'EINVALID',
      details: {
        diagnostics: [
          expect.objectContaining({ rule: 'gateway-outside-subnet', line: 11 }),
          expect.anything(),
        ],
      },
    });
    expect(await app.store.profiles.get('bad')).toBeUndefined();
    await saveProfile(app.store.profiles, { name: 'bad', userData: bad, allowInvalid: true });
    expect((await app.store.profiles.get('bad'))?.userData).toBe(bad);
    await expect(saveProfile(app.store.profiles, { name: '../x', userData: bad })).rejects.toMatchObject({
      code: 'EINVALID',
    });
  });
});
