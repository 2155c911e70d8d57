// The userdata contract through the Dispatcher (the path both transports take): request
// validation, form <-> YAML, convert, profiles with the EEXIST guard, render, installer-env.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createApp, type AppContext } from '../../main/app';
import { Dispatcher } from '../../main/api/dispatch';
import { tempDir } from '../helpers/env';
import { FIXTURES } from './helpers';

const tmp = tempDir('eb-ud-api-');
let app: AppContext;
let d: Dispatcher;
let n = 0;
const call = async (name: string, req: unknown) => d.invoke(`r${++n}`, name, req);
const ok = async (name: string, req: unknown) => {
  const r = await call(name, req);
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.error)}`);
  return r.value as any;
};
const read = (f: string) => fs.readFileSync(path.join(FIXTURES, f), 'utf8');

beforeAll(() => {
  app = createApp({ dataDir: path.join(tmp.dir, 'data') });
  d = new Dispatcher(app, 'http');
});
afterAll(async () => {
  await app.close();
  tmp.cleanup();
});

describe('userdata contract', () => {
  it('validate returns positioned findings; oversized text is refused by the contract', async () => {
    const r = await ok('userdata.validate', { text: read('broken-gateway.yaml') });
    expect(r.valid).toBe(false);
    expect(r.errors[0]).toMatchObject({ rule: 'gateway-outside-subnet', line: 11, column: 20 });
    const big = await call('userdata.validate', { text: '#cloud-config\n' + 'a'.repeat(1024 * 1024) });
    expect(big).toMatchObject({ ok: false, error: { code: 'EINVALID' } });
  });
  it('toForm then fromForm round-trips, and a form edit lands in the text', async () => {
    const text = read('full.yaml');
    const { form } = await ok('userdata.toForm', { text });
    expect((await ok('userdata.fromForm', { text, form })).text).toBe(text);
    const r = await ok('userdata.fromForm', {
      text,
      form: { ...form, network: { ...form.network, mode: 'static', ipAddress: '10.0.0.9/24' } },
    });
    expect(r.report.errors).toEqual([
      expect.objectContaining({
        rule: 'missing-gateway',
        path: 'stylus.site.network.interfaces.enp1s0.gateway',
      }),
    ]);
  });
  it('fromForm on broken YAML answers EINVALID with the syntax error', async () => {
    const r = await call('userdata.fromForm', { text: read('bad-yaml.yaml'), form: {} });
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: 'EINVALID',
        details: { diagnostics: [expect.objectContaining({ line: 4, column: 22 })] },
      },
    });
  });
  it('hashPasswords', async () => {
    const r = await ok('userdata.hashPasswords', { text: read('static.yaml') });
    expect(r.hashed).toBe(1);
    expect(parse(r.text).stages.initramfs[0].users.kairos.passwd).toMatch(/^\$6\$/);
  });
  it('convertNetwork', async () => {
    const r = await ok('userdata.convertNetwork', { text: read('flat-network.yaml'), nic: 'eno1' });
    expect(r.changed).toBe(true);
    expect(parse(r.text).stylus.site.network.interfaces.eno1.gateway).toBe('10.0.0.1');
    expect(r.report.warnings).toEqual([]);
  });
  it('profiles: save, EEXIST without overwrite, list, get, render for a host, delete', async () => {
    const saved = await ok('profiles.save', {
      name: 'stores',
      description: 'Stores',
      userData: read('profile-template.yaml'),
    });
    expect(saved).toMatchObject({ hashed: 1, replaced: false });
    expect(
      await call('profiles.save', { name: 'stores', userData: read('profile-template.yaml') }),
    ).toMatchObject({ ok: false, error: { code: 'EEXIST' } });
    expect(
      (
        await ok('profiles.save', {
          name: 'stores',
          userData: read('profile-template.yaml'),
          overwrite: true,
        })
      ).replaced,
    ).toBe(true);
    expect(
      await call('profiles.save', { name: 'broken', userData: read('broken-gateway.yaml') }),
    ).toMatchObject({ ok: false, error: { code: 'EINVALID' } });
    const list = await ok('profiles.list', {});
    expect(list.profiles).toEqual([
      expect.objectContaining({ name: 'stores', description: 'Stores', valid: true, hasInstallerEnv: false }),
    ]);
    expect((await ok('profiles.get', { name: 'stores' })).profile.userData).toContain('{{host.id}}');
    await app.store.hosts.upsert({
      id: 'store-7',
      values: { rack: 'r7', ipAddress: '10.7.0.5/24', gateway: '10.7.0.1' },
    });
    const r = await ok('userdata.render', { profile: 'stores', hostId: 'store-7' });
    expect(parse(r.text).stylus.site).toMatchObject({ name: 'store-7', tags: { rack: 'r7' } });
    expect(await call('userdata.render', { profile: 'stores' })).toMatchObject({
      ok: false,
      error: { code: 'EINVALID' },
    });
    expect(await call('userdata.render', { profile: 'stores', hostId: 'nobody' })).toMatchObject({
      ok: false,
      error: { code: 'ENOTFOUND' },
    });
    expect(await ok('profiles.delete', { name: 'stores' })).toEqual({ deleted: true });
    expect(await call('profiles.get', { name: 'stores' })).toMatchObject({
      ok: false,
      error: { code: 'ENOTFOUND' },
    });
  });
  it('installerEnv.import records the settings with the profile', async () => {
    const r = await ok('installerEnv.import', {
      envText: read('store.installer.env'),
      userDataText: read('static.yaml'),
      name: 'lab',
    });
    expect(r.env.ISO_IMAGE).toBe('palette-edge-installer');
    const got = await ok('profiles.get', { name: 'lab' });
    expect(got.installerEnv).toMatchObject({ INSTALLER_VERSION: 'v4.5.3', USER_DATA_FILE: 'site/user-data' });
    expect((await ok('profiles.list', {})).profiles[0].hasInstallerEnv).toBe(true);
  });
});
