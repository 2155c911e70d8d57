// `iso build --profile NAME --host ID` and `--host ID` alone through the real bin: the profile is
// rendered for the host, the artifact is linked to profile and host, the host gets an event.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../main/app';
import { readIsoFiles } from '../../main/iso/xorriso';
import { jsonLines, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/env';
import { ensureInstallerFixture } from '../helpers/installer-fixture';

const fx = await ensureInstallerFixture();

const PROFILE = `#cloud-config
stylus:
  site:
    paletteEndpoint: api.spectrocloud.com
    edgeHostToken: profile-token
`;

describe.skipIf(!!fx.skipReason)(
  `iso build from a profile and host${fx.skipReason ? ` (skipped: ${fx.skipReason})` : ''}`,
  () => {
    const t = tempDir('eb-media-profile-');
    const data = path.join(t.dir, 'data');
    beforeAll(async () => {
      const app = createApp({ dataDir: data });
      await app.store.profiles.put({ name: 'retail', userData: PROFILE });
      await app.store.hosts.upsert({ id: 'store-0007', profile: 'retail', site: 'lyon', values: {} });
      await app.store.hosts.upsert({ id: 'loose-host', values: {} });
      await app.close();
    });
    afterAll(() => t.cleanup());

    it('renders the profile for the host, bakes it, links the artifact and records a host event', async () => {
      const out = path.join(t.dir, 'store-0007.iso');
      const r = runCli(
        [
          'iso',
          'build',
          '--base',
          fx.iso,
          '--profile',
          'retail',
          '--host',
          'store-0007',
          '-o',
          out,
          '--json',
        ],
        { dataDir: data },
      );
      expect(r.code, r.stderr).toBe(0);
      const res = jsonLines(r.stdout).find((l) => l.ok);
      expect(res.userDataSource).toBe('profile retail for host store-0007');
      const baked = (await readIsoFiles(out, ['/config.yaml'])).get('/config.yaml')!.toString('utf8');
      expect(baked).toContain('edgeHostToken: profile-token');
      expect(baked).toMatch(/name: "?store-0007"?/);
      const app = createApp({ dataDir: data });
      try {
        const [a] = await app.store.artifacts.list({ hostId: 'store-0007' });
        expect([a.kind, a.profile, a.path]).toEqual(['iso', 'retail', out]);
        const ev = await app.store.hosts.events('store-0007');
        expect(ev.map((e) => e.kind)).toContain('media.built');
      } finally {
        await app.close();
      }
    });

    it("--host alone uses the host's own profile; a host without one, or an unknown profile, is refused", () => {
      const out = path.join(t.dir, 'alone.iso');
      const r = runCli(['iso', 'build', '--base', fx.iso, '--host', 'store-0007', '-o', out, '--json'], {
        dataDir: data,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(jsonLines(r.stdout).find((l) => l.ok).userDataSource).toBe('profile retail for host store-0007');
      const loose = runCli(
        ['iso', 'build', '--base', fx.iso, '--host', 'loose-host', '-o', path.join(t.dir, 'x.iso')],
        { dataDir: data },
      );
      expect(loose.code).toBe(2);
      expect(loose.stderr).toMatch(/host loose-host has no profile; pass --profile NAME/);
      const unknown = runCli(
        ['iso', 'build', '--base', fx.iso, '--profile', 'nope', '-o', path.join(t.dir, 'y.iso')],
        { dataDir: data },
      );
      expect(unknown.code).toBe(5);
      expect(unknown.stderr).toMatch(/no profile named nope/);
      expect(fs.existsSync(path.join(t.dir, 'x.iso')) || fs.existsSync(path.join(t.dir, 'y.iso'))).toBe(
        false,
      );
    });
  },
);
