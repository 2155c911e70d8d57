// The user-data wizard in Debian's Chromium against `edgebench serve`: static network, live
// preview, the missing-gateway error at the gateway field, save a profile, reload, load it again.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from 'unixcrypt';
import { parse } from 'yaml';
import { browserSkipReason, openUi, type UiHarness } from '../helpers/browser';
import { tempDir } from '../helpers/env';
import { FIXTURES, sshKey } from './helpers';

const reason = browserSkipReason();
let ui: UiHarness;
const tmp = tempDir('eb-ud-e2e-');

const preview = () => ui.page.textContent('#ud-preview');

describe.skipIf(Boolean(reason))(`user-data wizard${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const errors: string[] = [];
  beforeAll(async () => {
    ui = await openUi({ hash: 'userdata' });
    ui.page.on('pageerror', (e) => errors.push(String(e)));
    await ui.page.waitForSelector('#ud-paletteEndpoint');
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    tmp.cleanup();
  });

  it('fills a static network and sees the values in the live preview', async () => {
    const p = ui.page;
    await p.fill('#ud-paletteEndpoint', 'api.spectrocloud.com');
    await p.fill('#ud-projectName', 'retail-stores');
    await p.fill('#ud-edgeHostToken', 'tok-e2e-123');
    await p.check('#ud-network-mode-static');
    await p.fill('#ud-network-nic', 'enp1s0');
    await p.fill('#ud-network-ipAddress', '10.20.0.15/24');
    await p.fill('#ud-network-gateway', '10.20.0.1');
    await p.fill('#ud-network-nameserver', '10.20.0.2');
    await p.click('#ud-users-add');
    await p.fill('#ud-users-0-passwd', 'kairos');
    await p.fill('#ud-users-0-sshKeys', sshKey());
    // the debounced merges may land between keystrokes: wait for the last field typed
    await expect.poll(preview, { timeout: 15_000 }).toContain(sshKey().split(' ')[1]);
    expect(await preview()).toContain('ipAddress: 10.20.0.15/24');
    const yaml = parse((await preview())!);
    expect(yaml.stylus.site).toMatchObject({
      paletteEndpoint: 'api.spectrocloud.com',
      projectName: 'retail-stores',
      edgeHostToken: 'tok-e2e-123',
      network: {
        interfaces: {
          enp1s0: {
            type: 'static',
            ipAddress: '10.20.0.15/24',
            gateway: '10.20.0.1',
            nameserver: '10.20.0.2',
          },
        },
      },
    });
    expect(yaml.stages.initramfs[0].users.kairos.ssh_authorized_keys).toEqual([sshKey()]);
    expect((await preview())!.startsWith('#cloud-config\n')).toBe(true);
    await expect.poll(() => p.textContent('#ud-status')).toMatch(/valid/);
    await p.evaluate(() => document.querySelector('main.content')?.scrollTo(0, 0));
    await ui.shot('userdata-static-filled');
  });

  it('removing the gateway shows the missing-gateway error at the gateway field, fixing it clears it', async () => {
    const p = ui.page;
    await p.fill('#ud-network-gateway', '');
    await expect
      .poll(() => p.textContent('#ud-network-gateway-error').catch(() => null), { timeout: 15_000 })
      .toBe('static interface enp1s0 needs gateway');
    expect(await p.getAttribute('#ud-network-gateway', 'aria-invalid')).toBe('true');
    const item = p.locator('#ud-diagnostics li[data-rule="missing-gateway"]');
    await expect
      .poll(() => item.textContent())
      .toMatch(
        /^\d+:\d+ stylus\.site\.network\.interfaces\.enp1s0\.gateway static interface enp1s0 needs gateway$/,
      );
    expect(await p.textContent('a:has-text("Site network")')).toBe('Site network (1)');
    // a finding in the list leads to its field
    await p.focus('#ud-paletteEndpoint');
    await item.locator('button.ud-goto').click();
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('ud-network-gateway');
    await ui.shot('userdata-missing-gateway');

    await p.fill('#ud-network-gateway', '10.20.9.1');
    await expect
      .poll(() => p.textContent('#ud-network-gateway-error').catch(() => null), { timeout: 15_000 })
      .toBe('gateway 10.20.9.1 is outside the subnet 10.20.0.0/24 of ipAddress 10.20.0.15');
    await p.fill('#ud-network-gateway', '10.20.0.1');
    await expect.poll(() => p.locator('#ud-network-gateway-error').count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => p.textContent('#ud-status')).toMatch(/valid/);
  });

  it('saves a profile that survives a reload and loads back into the wizard', async () => {
    const p = ui.page;
    // download the document: the plain password is hashed in the file
    const [download] = await Promise.all([p.waitForEvent('download'), p.click('#ud-download')]);
    expect(download.suggestedFilename()).toBe('user-data');
    const file = path.join(tmp.dir, 'downloaded-user-data');
    await download.saveAs(file);
    const dl = parse(fs.readFileSync(file, 'utf8'));
    expect(verify('kairos', dl.stages.initramfs[0].users.kairos.passwd)).toBe(true);
    expect(dl.stylus.site.network.interfaces.enp1s0.gateway).toBe('10.20.0.1');
    await p.fill('#ud-profile-name', 'store-static');
    await p.fill('#ud-profile-description', 'Stores with a static IP');
    await p.click('#ud-save');
    await expect
      .poll(() => p.textContent('#ud-notice').catch(() => null), { timeout: 15_000 })
      .toBe('Saved profile store-static (1 password hashed).');
    const stored = await ui.app.store.profiles.get('store-static');
    expect(stored).toBeDefined();
    expect(verify('kairos', parse(stored!.userData).stages.initramfs[0].users.kairos.passwd)).toBe(true);

    // saving again under the same name asks before replacing
    await p.click('#ud-save');
    await p.waitForSelector('#ud-confirm-replace');

    await p.reload();
    await p.waitForSelector('#ud-load-select');
    await expect
      .poll(() => p.locator('#ud-load-select option[value="store-static"]').count(), { timeout: 15_000 })
      .toBe(1);
    expect(await p.locator('#ud-network-ipAddress').count()).toBe(0); // a fresh wizard: no static fields
    await p.selectOption('#ud-load-select', 'store-static');
    await p.click('#ud-load');
    await expect
      .poll(() => p.inputValue('#ud-network-ipAddress').catch(() => ''), { timeout: 15_000 })
      .toBe('10.20.0.15/24');
    expect(await p.inputValue('#ud-network-gateway')).toBe('10.20.0.1');
    expect(await p.inputValue('#ud-paletteEndpoint')).toBe('api.spectrocloud.com');
    await expect.poll(preview).toContain('passwd: "$6$');
    await ui.shot('userdata-profile-loaded');
  });

  it('imports a YAML file, and names a file in the wrong encoding', async () => {
    const p = ui.page;
    await p.setInputFiles('#ud-import-file', path.join(FIXTURES, 'static.yaml'));
    await expect.poll(preview, { timeout: 15_000 }).toContain('name: lab-bench-07');
    expect(await p.inputValue('#ud-registrationURL')).toBe('https://edge-registration.example.com/register');
    expect(await p.inputValue('#ud-network-nic')).toBe('eth0');
    const u16 = path.join(tmp.dir, 'utf16.yaml');
    fs.writeFileSync(
      u16,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('#cloud-config\n', 'utf16le')]),
    );
    await p.setInputFiles('#ud-import-file', u16);
    await expect
      .poll(() => p.textContent('.error-box[data-code="EENCODING"] .error-message').catch(() => null))
      .toBe('utf16.yaml is UTF-16 encoded; save the user-data file as UTF-8');
    expect(await preview()).toContain('name: lab-bench-07'); // nothing lost
  });

  it('raw YAML edits keep unknown keys and refresh the form; the keyboard moves field to field', async () => {
    const p = ui.page;
    const raw = (await p.inputValue('#ud-raw')).replace(
      '    paletteEndpoint: api.spectrocloud.com',
      '    paletteEndpoint: palette.lab.example\n    vendorKey: kept',
    );
    await p.fill('#ud-raw', raw);
    await expect
      .poll(() => p.inputValue('#ud-paletteEndpoint'), { timeout: 15_000 })
      .toBe('palette.lab.example');
    await p.fill('#ud-projectName', 'lab');
    await expect.poll(preview, { timeout: 15_000 }).toContain('projectName: lab');
    expect(await preview()).toContain('vendorKey: kept');
    // a syntax error in the raw YAML is listed with line:col and the form keeps its values
    await p.fill('#ud-raw', (await p.inputValue('#ud-raw')).replace('projectName: lab', 'projectName: "lab'));
    await expect
      .poll(() => p.textContent('#ud-diagnostics li[data-rule="yaml-syntax"]').catch(() => null), {
        timeout: 15_000,
      })
      .toMatch(
        /^\d+:\d+ stylus\.site\.projectName YAML syntax: a double-quoted value starts here and is never closed/,
      );
    expect(await p.inputValue('#ud-paletteEndpoint')).toBe('palette.lab.example');
    await p.focus('#ud-paletteEndpoint');
    await p.keyboard.press('Tab');
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('ud-projectName');
    expect(errors).toEqual([]);
  });

  it('deletes a profile after asking', async () => {
    const p = ui.page;
    await p.selectOption('#ud-load-select', 'store-static');
    await p.click('#ud-delete');
    await p.waitForSelector('#ud-confirm-delete');
    await p.click('#ud-delete-confirm');
    await expect
      .poll(() => p.locator('#ud-load-select option[value="store-static"]').count(), { timeout: 15_000 })
      .toBe(0);
    expect(await ui.app.store.profiles.get('store-static')).toBeUndefined();
    expect(errors).toEqual([]);
  });
});
