// Bad inputs to `iso build`, each with a specific error, the documented exit code, and nothing
// (no output, no temporary file) left behind. Runs the real bin.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remasterIso } from '../../main/iso/remaster';
import { isCancelled } from '../../shared/errors';
import { jsonLines, runCli } from '../helpers/cli';
import { isRoot, skipReason, tempDir } from '../helpers/env';
import { ensureInstallerFixture } from '../helpers/installer-fixture';

const fx = await ensureInstallerFixture();

const GOOD = `#cloud-config
stylus:
  site:
    paletteEndpoint: api.spectrocloud.com
    edgeHostToken: tok-123
    name: edge-bad-inputs
`;

describe.skipIf(!!fx.skipReason)(
  `iso build refuses bad input cleanly${fx.skipReason ? ` (skipped: ${fx.skipReason})` : ''}`,
  () => {
    const t = tempDir('eb-media-bad-');
    const data = path.join(t.dir, 'data');
    const outDir = path.join(t.dir, 'out');
    const ud = path.join(t.dir, 'ud.yaml');
    beforeAll(() => {
      fs.mkdirSync(outDir);
      fs.writeFileSync(ud, GOOD);
    });
    afterAll(() => t.cleanup());

    const build = (base: string, out = path.join(outDir, 'out.iso'), extra: string[] = [], userData = ud) =>
      runCli(['iso', 'build', '--base', base, '--user-data', userData, '-o', out, ...extra], {
        dataDir: data,
      });
    const leftovers = () => fs.readdirSync(outDir);

    it('a file that is not an ISO: ENOTISO, exit 1, nothing written', () => {
      const junk = path.join(t.dir, 'random.iso');
      fs.writeFileSync(junk, crypto.randomBytes(200_000));
      const r = build(junk);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ENOTISO: .*random\.iso is not an ISO 9660 image/);
      expect(leftovers()).toEqual([]);
    });

    it('a truncated ISO: ETRUNCATED, exit 1, nothing written', () => {
      const cut = path.join(t.dir, 'cut.iso');
      fs.writeFileSync(cut, fs.readFileSync(fx.iso).subarray(0, 6 * 1024 * 1024));
      const r = build(cut);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ETRUNCATED: .*cut\.iso is truncated/);
      expect(leftovers()).toEqual([]);
    });

    it('a missing base: ENOTFOUND, exit 5', () => {
      const r = build(path.join(t.dir, 'nope.iso'));
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/ENOTFOUND: base ISO .*nope\.iso does not exist/);
      expect(leftovers()).toEqual([]);
    });

    it('invalid user-data: FILE:LINE:COL errors, exit 1, the base is never touched', () => {
      const bad = path.join(t.dir, 'bad.yaml');
      fs.writeFileSync(bad, '#cloud-config\nstylus:\n  site:\n    paletteEndpoint: [unclosed\n');
      const r = build(fx.iso, undefined, [], bad);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/EINVALID: the user-data from .*bad\.yaml is not valid/);
      expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+ /);
      expect(leftovers()).toEqual([]);
    });

    it('an ISO without boot records: builds, but warns ENOBOOT (the result will not boot)', () => {
      const out = path.join(outDir, 'noboot-out.iso');
      const r = build(fx.noBootIso, out, ['--json']);
      expect(r.code, r.stderr).toBe(0);
      const res = jsonLines(r.stdout).find((l) => l.ok);
      expect(res.warnings.map((w: { code: string }) => w.code)).toContain('ENOBOOT');
      expect(res.warnings[0].message).toMatch(/will not boot/);
      const plain = build(fx.noBootIso, path.join(outDir, 'noboot-2.iso'));
      expect(plain.stderr).toMatch(/warning: ENOBOOT: .*no El Torito boot records: the result will not boot/);
      fs.rmSync(out);
      fs.rmSync(path.join(outDir, 'noboot-2.iso'));
    });

    it('an existing output without --force: EEXIST, exit 6, the file is untouched; --force replaces it', () => {
      const out = path.join(outDir, 'exists.iso');
      fs.writeFileSync(out, 'precious');
      const r = build(fx.iso, out);
      expect(r.code).toBe(6);
      expect(r.stderr).toMatch(/EEXIST: .*exists\.iso already exists; pass --force/);
      expect(fs.readFileSync(out, 'utf8')).toBe('precious');
      expect(leftovers()).toEqual(['exists.iso']);
      const f = build(fx.iso, out, ['--force']);
      expect(f.code, f.stderr).toBe(0);
      expect(fs.statSync(out).size).toBeGreaterThan(1_000_000);
      fs.rmSync(out);
    });

    it('cancelled: the temporary file is removed and no output appears', async () => {
      const ac = new AbortController();
      const out = path.join(outDir, 'cancelled.iso');
      const err = await remasterIso({
        base: fx.iso,
        userData: GOOD,
        out,
        signal: ac.signal,
        onProgress: (e) => {
          if (e.phase === 'remaster') ac.abort();
        },
      }).catch((e: unknown) => e);
      expect(isCancelled(err)).toBe(true);
      expect(leftovers()).toEqual([]);
    });

    const noTmpfs = skipReason({ root: true, tools: ['mount', 'umount'] });
    describe.skipIf(!!noTmpfs)(`full filesystem${noTmpfs ? ` (skipped: ${noTmpfs})` : ''}`, () => {
      const mnt = path.join(t.dir, 'tiny');
      beforeAll(() => {
        fs.mkdirSync(mnt);
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'ebmedia-tmpfs', mnt]);
      });
      afterAll(() => {
        spawnSync('umount', [mnt]);
      });
      it('ENOSPC: a clear error, exit 3, nothing left on the full filesystem', () => {
        expect(isRoot).toBe(true);
        const r = build(fx.iso, path.join(mnt, 'out.iso'));
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(
          /ENOSPC: no space left on .*tiny while writing the ISO \(about \d+ MiB needed\); nothing was kept/,
        );
        expect(fs.readdirSync(mnt)).toEqual([]);
      });
    });
  },
);
