// Validates electron-builder.yml the way electron-builder reads it: packs `--linux dir` against a
// stand-in Electron distribution (the real binary cannot be downloaded here) and checks the
// packed file list. AppImage, deb, NSIS and dmg need downloads and are built elsewhere.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { REPO_ROOT } from '../helpers/env';

const cfg = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, 'electron-builder.yml'), 'utf8'));
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));

describe('packaging config', () => {
  it('declares Linux AppImage + deb, Windows NSIS and macOS dmg, with the deb depending on the tools the app calls', () => {
    expect(cfg.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(cfg.win.target).toContain('nsis');
    expect(cfg.mac.target).toContain('dmg');
    for (const tool of ['xorriso', 'qemu-utils', 'mtools', 'dosfstools', 'ipxe'])
      expect(cfg.deb.depends).toContain(tool);
    for (const native of ['better-sqlite3', 'drivelist', 'usb', 'mountutils', 'lzma-native']) {
      expect(cfg.asarUnpack.some((g: string) => g.includes(`node_modules/${native}/`))).toBe(true);
    }
    expect(pkg.devDependencies.electron).toBeDefined();
    expect(pkg.dependencies.electron).toBeUndefined();
    expect(pkg.devDependencies['electron-builder']).toBeDefined();
    expect(pkg.main).toBe('dist/electron/main.cjs');
  });

  it(
    'packs --linux dir with the expected files inside and outside the asar',
    { timeout: 240_000 },
    async () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-pack-'));
      try {
        const fake = path.join(tmp, 'fakedist');
        fs.mkdirSync(fake);
        fs.writeFileSync(path.join(fake, 'electron'), '#!/bin/sh\necho stand-in electron\n', { mode: 0o755 });
        fs.writeFileSync(path.join(fake, 'version'), '41.7.1');
        const out = path.join(tmp, 'out');
        const r = spawnSync(
          process.execPath,
          [
            path.join(REPO_ROOT, 'node_modules', 'electron-builder', 'cli.js'),
            '--linux',
            'dir',
            `-c.electronDist=${fake}`,
            '-c.npmRebuild=false',
            `-c.directories.output=${out}`,
          ],
          {
            cwd: REPO_ROOT,
            encoding: 'utf8',
            env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CI: 'true' },
          },
        );
        expect(r.status, r.stdout + r.stderr).toBe(0);
        const resources = path.join(out, 'linux-unpacked', 'resources');
        const asar = await import('@electron/asar');
        const files = asar
          .listPackage(path.join(resources, 'app.asar'), { isPack: false })
          .map((f: string) => f.replace(/\\/g, '/'));
        for (const f of [
          '/package.json',
          '/dist/electron/main.cjs',
          '/dist/electron/preload.cjs',
          '/dist/main/cli.cjs',
          '/dist/renderer/index.html',
        ]) {
          expect(files).toContain(f);
        }
        // no sources, tests or source maps are shipped
        expect(files.filter((f) => /^\/(test|bench|main|renderer|shared)\//.test(f))).toEqual([]);
        expect(files.filter((f) => f.startsWith('/dist/') && f.endsWith('.map'))).toEqual([]);
        // dev-only packages stay out
        for (const dev of ['vitest', 'vite', 'playwright-core', 'electron-builder', 'react']) {
          expect(files).not.toContain(`/node_modules/${dev}`);
        }
        // native addons and the privileged helper are unpacked next to the archive
        const unpacked = path.join(resources, 'app.asar.unpacked');
        expect(fs.existsSync(path.join(unpacked, 'dist', 'main', 'helper.cjs'))).toBe(true);
        const sqliteNode = path.join(
          unpacked,
          'node_modules',
          'better-sqlite3',
          'build',
          'Release',
          'better_sqlite3.node',
        );
        expect(fs.existsSync(sqliteNode)).toBe(true);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    },
  );
});
