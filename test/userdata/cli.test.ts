// The real `edgebench` bin on fixture files: exit codes and the exact FILE:LINE:COL lines.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from 'unixcrypt';
import { parse } from 'yaml';
import { BIN, jsonLines, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/env';
import { FIXTURES } from './helpers';

const tmp = tempDir('eb-ud-cli-');
const dataDir = path.join(tmp.dir, 'data');
const fx = (f: string) => `test/userdata/fixtures/${f}`;
const cli = (...args: string[]) => runCli(args, { dataDir });

beforeAll(() => {
  if (!fs.existsSync(BIN) || !fs.existsSync(path.join(path.dirname(BIN), '..', 'dist', 'main', 'cli.cjs')))
    throw new Error('the CLI is not built: run npm run build (or node scripts/build.mjs --main) first');
});
afterAll(() => tmp.cleanup());

describe('edgebench userdata validate', () => {
  it('exit 0 for a valid realistic file', () => {
    const r = cli('userdata', 'validate', fx('full.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${fx('full.yaml')}: valid`);
  });
  it('exit 0 with warnings printed', () => {
    const r = cli('userdata', 'validate', fx('static.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      `${fx('static.yaml')}:23:19 stages.initramfs.0.users.kairos.passwd warning: password of user kairos is plain text; it is hashed (SHA-512 crypt) when rendered, exported or saved, unless you keep plain passwords on purpose`,
    ]);
  });
  it('exit 1 with one exact line per error', () => {
    const r = cli('userdata', 'validate', fx('broken-gateway.yaml'));
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      `${fx('broken-gateway.yaml')}:11:20 stylus.site.network.interfaces.eth0.gateway gateway 10.20.31.1 is outside the subnet 10.20.30.0/24 of ipAddress 10.20.30.40`,
      `${fx('broken-gateway.yaml')}:12:9 stylus.site.network.interfaces.eth1.gateway static interface eth1 needs gateway`,
    ]);
  });
  it("Palette's docs mistakes and typos", () => {
    const f = fx('broken-palette-docs.yaml');
    const r = cli('userdata', 'validate', f);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain(
      `${f}:7:1 initramfs "initramfs" is at the top level beside "stages", so Kairos ignores it and its users are never created; indent "initramfs:" (and everything under it) two spaces so it sits under "stages:"`,
    );
    expect(lines).toContain(
      `${f}:8:5 initramfs.0.users "users" is written as a list, but Kairos expects a map keyed by user name; write "users:" then "  kairos:" with passwd, groups and ssh_authorized_keys indented under it, instead of "- name: kairos"`,
    );
    expect(lines).toContain(
      `${f}:4:5 stylus.site.paletteEndPoint warning: unknown key "paletteEndPoint": did you mean "paletteEndpoint"? The installer ignores "paletteEndPoint"`,
    );
    expect(lines).toContain(
      `${f}:5:5 stylus.site.edgehosttoken warning: unknown key "edgehosttoken": did you mean "edgeHostToken"? The installer ignores "edgehosttoken"`,
    );
  });
  it('missing header and YAML syntax errors', () => {
    const a = cli('userdata', 'validate', fx('no-header.yaml'));
    expect(a.code).toBe(1);
    expect(a.stdout.trim()).toBe(
      `${fx('no-header.yaml')}:1:1 (document) the first line must be "#cloud-config"; Kairos ignores the file otherwise`,
    );
    const b = cli('userdata', 'validate', fx('bad-yaml.yaml'));
    expect(b.code).toBe(1);
    expect(b.stdout.trim()).toBe(
      `${fx('bad-yaml.yaml')}:4:22 stylus.site.paletteEndpoint YAML syntax: a double-quoted value starts here and is never closed (missing closing ")`,
    );
  });
  it('several files (one missing) and standard input', () => {
    const r = cli('userdata', 'validate', fx('full.yaml'), fx('nope.yaml'), fx('static.yaml'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${fx('full.yaml')}: valid`);
    expect(r.stderr).toContain(`${fx('nope.yaml')}: ENOTFOUND:`);
    expect(r.stderr).toContain(`${fx('static.yaml')}: valid (1 warning)`);
    const stdin = runCli(['userdata', 'validate', '-'], {
      dataDir,
      input: fs.readFileSync(path.join(FIXTURES, 'no-header.yaml'), 'utf8'),
    });
    expect(stdin.code).toBe(1);
    expect(stdin.stdout.trim()).toBe(
      '<stdin>:1:1 (document) the first line must be "#cloud-config"; Kairos ignores the file otherwise',
    );
    expect(cli('userdata', 'validate', fx('full.yaml'), fx('static.yaml')).code).toBe(0);
  });
  it('--json', () => {
    const r = cli('userdata', 'validate', fx('broken-gateway.yaml'), '--json');
    expect(r.code).toBe(1);
    const [out] = jsonLines(r.stdout);
    expect(out).toMatchObject({ ok: false, valid: false, file: fx('broken-gateway.yaml') });
    expect(out.errors.map((e: { rule: string }) => e.rule)).toEqual([
      'gateway-outside-subnet',
      'missing-gateway',
    ]);
  });
  it('unreadable inputs: missing (5), binary (1), too large (1)', () => {
    const missing = cli('userdata', 'validate', path.join(tmp.dir, 'nope.yaml'));
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain('edgebench: ENOTFOUND:');
    const bin = path.join(tmp.dir, 'bin.yaml');
    fs.writeFileSync(bin, Buffer.from([0x23, 0, 1, 2]));
    const b = cli('userdata', 'validate', bin);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain(
      `edgebench: EENCODING: ${bin} contains binary data (a NUL byte at offset 1); a user-data file must be text`,
    );
    const big = path.join(tmp.dir, 'big.yaml');
    fs.writeFileSync(big, '#cloud-config\n' + '#'.repeat(2 * 1024 * 1024));
    const g = cli('userdata', 'validate', big, '--json');
    expect(g.code).toBe(1);
    expect(jsonLines(g.stdout)[0]).toMatchObject({ ok: false, error: { code: 'ETOOLARGE' } });
  });
});

describe('edgebench userdata convert', () => {
  it('prints the converted file, and refuses to overwrite without --force', () => {
    const r = cli('userdata', 'convert', fx('flat-network.yaml'));
    expect(r.code).toBe(0);
    expect(parse(r.stdout).stylus.site.network.interfaces.eth0.gateway).toBe('10.0.0.1');
    expect(r.stdout).toContain('# the store router');
    const out = path.join(tmp.dir, 'converted.yaml');
    fs.writeFileSync(out, 'mine');
    const x = cli('userdata', 'convert', fx('flat-network.yaml'), '-o', out);
    expect(x.code).toBe(6);
    expect(fs.readFileSync(out, 'utf8')).toBe('mine');
    expect(cli('userdata', 'convert', fx('flat-network.yaml'), '-o', out, '--force').code).toBe(0);
    expect(cli('userdata', 'validate', out).stdout).toBe('');
  });
});

describe('profiles and render', () => {
  it('import, list, show, render per host, export, delete', () => {
    const imp = cli(
      'profile',
      'import',
      fx('profile-template.yaml'),
      '--name',
      'stores',
      '--description',
      'Store template',
    );
    expect(imp.code).toBe(0);
    expect(imp.stdout).toContain('Saved profile stores (1 password hashed).');
    expect(cli('profile', 'import', fx('profile-template.yaml'), '--name', 'stores').code).toBe(6);
    const bad = cli('profile', 'import', fx('broken-gateway.yaml'), '--name', 'broken');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      `${fx('broken-gateway.yaml')}:11:20 stylus.site.network.interfaces.eth0.gateway gateway 10.20.31.1 is outside`,
    );

    const list = jsonLines(cli('profile', 'list', '--json').stdout)[0];
    expect(list.profiles).toEqual([
      expect.objectContaining({ name: 'stores', description: 'Store template', valid: true }),
    ]);
    expect(cli('profile', 'show', 'stores').stdout).toContain('name: "{{host.id}}"');

    expect(
      cli(
        'hosts',
        'add',
        'store-0099',
        '--set',
        'rack=r9',
        '--set',
        'ipAddress=10.9.9.9/24',
        '--set',
        'gateway=10.9.9.1',
        '--tag',
        'city=oslo',
      ).code,
    ).toBe(0);
    const r = cli('userdata', 'render', '--profile', 'stores', '--host', 'store-0099');
    expect(r.code).toBe(0);
    const js = parse(r.stdout);
    expect(js.stylus.site).toMatchObject({ name: 'store-0099', tags: { rack: 'r9', city: 'oslo' } });
    expect(js.stylus.site.network.interfaces.eth0).toEqual({
      type: 'static',
      ipAddress: '10.9.9.9/24',
      gateway: '10.9.9.1',
    });
    expect(verify('kairos', js.stages.initramfs[0].users.kairos.passwd)).toBe(true);

    const out = path.join(tmp.dir, 'store-0099.yaml');
    expect(cli('userdata', 'render', '--profile', 'stores', '--host', 'store-0099', '-o', out).code).toBe(0);
    expect(cli('userdata', 'render', '--profile', 'stores', '--host', 'store-0099', '-o', out).code).toBe(6);
    expect(cli('userdata', 'render', '--profile', 'stores', '--host', 'nobody').code).toBe(5);
    expect(cli('userdata', 'render', '--profile', 'nothing').code).toBe(5);
    const noHost = cli('userdata', 'render', '--profile', 'stores');
    expect(noHost.code).toBe(1);
    expect(noHost.stderr).toContain('placeholders such as {{host.id}}');

    const exp = path.join(tmp.dir, 'export.yaml');
    expect(cli('profile', 'export', 'stores', '-o', exp).code).toBe(0);
    expect(fs.readFileSync(exp, 'utf8')).toContain('# Store template: one profile, many hosts.');
    expect(cli('profile', 'delete', 'stores').code).toBe(0);
    expect(cli('profile', 'delete', 'stores').code).toBe(5);
  });

  it('installer-env import and export', () => {
    const imp = cli('installer-env', 'import', fx('store.installer.env'), '--name', 'lab');
    expect(imp.code).toBe(0);
    expect(imp.stdout).toContain(
      `as profile lab; recorded ISO_IMAGE, INSTALLER_VERSION, IMAGE_NAME, USER_DATA_FILE, BUILD_PLATFORM`,
    );
    const dir = path.join(tmp.dir, 'staging');
    fs.mkdirSync(dir);
    const exp = cli('installer-env', 'export', '--profile', 'lab', '-o', dir);
    expect(exp.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, '.installer.env'), 'utf8')).toContain('INSTALLER_VERSION=v4.5.3');
    expect(fs.existsSync(path.join(dir, 'site', 'user-data'))).toBe(true);
    expect(cli('installer-env', 'export', '--profile', 'lab', '-o', dir).code).toBe(6);
  });

  it('every command has help text', () => {
    for (const c of [
      ['userdata', 'validate'],
      ['userdata', 'render'],
      ['userdata', 'convert'],
      ['profile', 'import'],
      ['profile', 'export'],
      ['profile', 'list'],
      ['profile', 'show'],
      ['profile', 'delete'],
      ['installer-env', 'import'],
      ['installer-env', 'export'],
    ]) {
      const r = cli(...c, '--help');
      expect(r.code, c.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: edgebench /);
    }
    expect(fs.existsSync(FIXTURES)).toBe(true);
  });
});
