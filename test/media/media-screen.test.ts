// The Media screen in Chromium against the real back end: build from a base + profile/host with a
// progress bar, cancel a build, list the artifact with its hash, hand it to Flash, inspect an ISO.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBaseIso } from '../../main/iso/base-isos';
import { browserSkipReason, openUi, type UiHarness } from '../helpers/browser';
import { tempDir } from '../helpers/env';
import { ensureInstallerFixture } from '../helpers/installer-fixture';

const fx = await ensureInstallerFixture();
const skip = fx.skipReason ?? browserSkipReason();

const PROFILE = `#cloud-config
stylus:
  site:
    paletteEndpoint: api.spectrocloud.com
    edgeHostToken: ui-token-1
`;

describe.skipIf(!!skip)(`Media screen${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const t = tempDir('eb-media-ui-');
  let h: UiHarness;
  let bigIso = '';
  beforeAll(async () => {
    // A base big enough (600 MiB, sparse source) that the build is visibly in progress for a while.
    const tree = path.join(t.dir, 'tree');
    execFileSync('xorriso', ['-osirrox', 'on', '-indev', fx.iso, '-extract', '/', tree], { stdio: 'ignore' });
    execFileSync('chmod', ['-R', 'u+w', tree]);
    execFileSync('truncate', ['-s', '600M', path.join(tree, 'padding.bin')]);
    bigIso = path.join(t.dir, 'big-base.iso');
    execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-o', bigIso, '-V', 'COS_LIVE', '-J', '-R', '-isohybrid-mbr', '/usr/lib/ISOLINUX/isohdpfx.bin',
      '-c', 'isolinux/boot.cat', '-b', 'isolinux/isolinux.bin', '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table', tree]); // prettier-ignore
    h = await openUi({ hash: 'media' });
    await h.app.store.profiles.put({ name: 'retail', userData: PROFILE });
    await h.app.store.hosts.upsert({ id: 'store-0042', site: 'berlin', profile: 'retail', values: {} });
    await addBaseIso(h.app, { source: fx.iso, name: 'fixture-installer.iso' });
    await addBaseIso(h.app, { source: bigIso, name: 'big-base.iso' });
    await h.page.reload();
  }, 180_000);
  afterAll(async () => {
    await h?.close();
    t.cleanup();
  });

  it('builds from a base + profile for a host, shows progress, lists the artifact with its hash', async () => {
    const p = h.page;
    await p.getByRole('heading', { name: 'Build installer ISO' }).waitFor();
    const bigOption = await p
      .locator('#media-base option', { hasText: 'big-base.iso' })
      .getAttribute('value');
    await p.selectOption('#media-base', bigOption!);
    await p.selectOption('#media-profile', 'retail');
    await p.selectOption('#media-host', 'store-0042');
    const out = path.join(t.dir, 'store-0042.iso');
    await p.fill('#media-out', out);
    await p.getByRole('button', { name: 'Build ISO' }).click();
    await p.getByRole('progressbar').waitFor({ timeout: 60_000 });
    await h.shot('media-build-progress');
    await p.getByRole('status', { name: 'Build result' }).waitFor({ timeout: 240_000 });
    const sha = crypto.createHash('sha256').update(fs.readFileSync(out)).digest('hex');
    await expect(p.getByRole('status', { name: 'Build result' }).textContent()).resolves.toContain(sha);
    const row = p.locator('table[aria-label="Built media"] tr', { hasText: 'store-0042.iso' });
    await row.waitFor();
    expect(await row.textContent()).toContain(sha.slice(0, 16));
    expect(await row.textContent()).toContain('retail / store-0042');
    await h.shot('media-built');
    const stored = await h.app.store.artifacts.list({ hostId: 'store-0042' });
    expect(stored.map((a) => [a.kind, a.sha256, a.profile])).toEqual([['iso', sha, 'retail']]);
    // Hand it to Flash.
    await row.getByRole('link', { name: /^Flash / }).click();
    await p.waitForFunction(() => location.hash.startsWith('#flash/artifact='));
    expect(await p.evaluate(() => decodeURIComponent(location.hash))).toBe(`#flash/artifact=${stored[0].id}`);
  }, 300_000);

  it('cancels a build: an ECANCELLED box and no output file', async () => {
    const p = h.page;
    await p.goto(`${h.server.openUrl}#media`);
    await p.getByRole('heading', { name: 'Build installer ISO' }).waitFor();
    const bigOption = await p
      .locator('#media-base option', { hasText: 'big-base.iso' })
      .getAttribute('value');
    await p.selectOption('#media-base', bigOption!);
    await p.getByLabel('Paste user-data').check();
    await p.fill('#media-userdata', PROFILE);
    const out = path.join(t.dir, 'cancelled.iso');
    await p.fill('#media-out', out);
    await p.getByRole('button', { name: 'Build ISO' }).click();
    await p.getByRole('progressbar').waitFor({ timeout: 60_000 });
    await p.getByRole('button', { name: 'Cancel' }).click();
    await p.locator('.error-box[data-code="ECANCELLED"]').waitFor({ timeout: 60_000 });
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(t.dir).filter((f) => f.includes('cancelled'))).toEqual([]);
  }, 180_000);

  it('builds site media and a VM variant from the same form', async () => {
    const p = h.page;
    await p.goto(`${h.server.openUrl}#media`);
    await p.getByRole('heading', { name: 'Build installer ISO' }).waitFor();
    await p.getByLabel('Paste user-data').check();
    await p.fill('#media-userdata', '#cloud-config\nstylus:\n  site:\n    name: site-from-ui\n');
    await p.selectOption('#media-kind', 'site-fat');
    expect(await p.locator('#media-base').isVisible()).toBe(false);
    const img = path.join(t.dir, 'site-ui.img');
    await p.fill('#media-out', img);
    await p.getByRole('button', { name: 'Build', exact: true }).click();
    await p
      .getByRole('status', { name: 'Build result' })
      .filter({ hasText: 'site-fat' })
      .waitFor({ timeout: 60_000 });
    expect(execFileSync('mtype', ['-i', img, '::/user-data'], { encoding: 'utf8' })).toContain(
      'site-from-ui',
    );
    await p.selectOption('#media-kind', 'qcow2');
    const small = await p
      .locator('#media-base option', { hasText: 'fixture-installer.iso' })
      .getAttribute('value');
    await p.selectOption('#media-base', small!);
    await p.fill('#media-userdata', PROFILE);
    const qcow = path.join(t.dir, 'ui.qcow2');
    await p.fill('#media-out', qcow);
    await p.getByRole('button', { name: 'Build', exact: true }).click();
    await p
      .getByRole('status', { name: 'Build result' })
      .filter({ hasText: 'qcow2' })
      .waitFor({ timeout: 120_000 });
    expect(fs.readFileSync(qcow).subarray(0, 4).toString('latin1')).toBe('QFI\xfb');
    await p.locator('table[aria-label="Built media"] tr', { hasText: 'ui.qcow2' }).waitFor();
    await h.shot('media-variant');
  }, 180_000);

  it('inspects an ISO by path and rejects invalid user-data with line numbers', async () => {
    await h.page.selectOption('#media-kind', 'iso');
    const p = h.page;
    await p.fill('#media-inspect-path', fx.iso);
    await p.getByRole('button', { name: 'Inspect ISO' }).click();
    const box = p.getByLabel('Inspection');
    await box.waitFor({ timeout: 60_000 });
    const txt = (await box.textContent()) ?? '';
    expect(txt).toContain('COS_LIVE');
    expect(txt).toContain('/config.yaml');
    expect(txt).toMatch(/El Torito UEFI bootable/);
    await h.shot('media-inspect');
    // Invalid pasted user-data: the build is refused with the validator's positions.
    await p.fill('#media-userdata', '#cloud-config\nstylus: [oops\n');
    const small = await p
      .locator('#media-base option', { hasText: 'fixture-installer.iso' })
      .getAttribute('value');
    await p.selectOption('#media-base', small!);
    await p.fill('#media-out', path.join(t.dir, 'invalid.iso'));
    await p.getByRole('button', { name: 'Build ISO' }).click();
    await p.locator('.error-box[data-code="EINVALID"]').waitFor({ timeout: 60_000 });
    expect(await p.getByLabel('User-data errors').textContent()).toMatch(/<user-data>:\d+:\d+ /);
    expect(fs.existsSync(path.join(t.dir, 'invalid.iso'))).toBe(false);
  }, 180_000);
});
