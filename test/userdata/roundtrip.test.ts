// YAML round trip, the wizard form <-> YAML merge, and the flat network conversion.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { emptyForm, fieldForPath, fromForm, toForm } from '../../shared/userdata/form';
import { convertFlatNetwork } from '../../shared/userdata/network-convert';
import { analyzeUserData } from '../../shared/userdata/validate';
import { editUserData, setValue } from '../../shared/userdata/yaml-edit';
import { all, FIXTURES, expectOne } from './helpers';

const read = (f: string) => fs.readFileSync(`${FIXTURES}/${f}`, 'utf8');

describe('round trip', () => {
  it('an unchanged document is byte-identical (comments, order, unknown keys, #cloud-config)', () => {
    const full = read('full.yaml');
    expect(editUserData(full, () => undefined)).toBe(full);
    expect(fromForm(full, toForm(full))).toBe(full);
  });
  it('an edit changes only the edited value', () => {
    const full = read('full.yaml');
    const out = editUserData(full, (doc) => setValue(doc, ['stylus', 'site', 'projectName'], 'retail-eu'));
    const diff = out.split('\n').filter((l, i) => l !== full.split('\n')[i]);
    expect(diff).toEqual(['    projectName: retail-eu']);
    expect(out.startsWith('#cloud-config\n# Installer user-data')).toBe(true);
    expect(out).toContain('  someFutureKey: kept as is # unknown keys are kept');
    expect(out).toContain('    # Auto-registration token from Tenant Settings > Registration Tokens');
  });
  it('keeps a trailing comment on a changed scalar', () => {
    const t = '#cloud-config\nstylus:\n  site:\n    paletteEndpoint: old.example.com # the lab Palette\n';
    const out = fromForm(t, { ...toForm(t), paletteEndpoint: 'new.example.com' });
    expect(out).toBe(
      '#cloud-config\nstylus:\n  site:\n    paletteEndpoint: new.example.com # the lab Palette\n',
    );
  });
  it('YAML syntax errors carry line:col and stop the edit', () => {
    const bad = read('bad-yaml.yaml');
    const r = analyzeUserData(bad).report;
    expect(r.valid).toBe(false);
    expect(r.errors[0]).toMatchObject({
      rule: 'yaml-syntax',
      path: 'stylus.site.paletteEndpoint',
      line: 4,
      column: 22,
      message: 'YAML syntax: a double-quoted value starts here and is never closed (missing closing ")',
    });
    expect(() => fromForm(bad, emptyForm())).toThrowError(/syntax errors \(line 4, column 22\)/);
    const tab = analyzeUserData('#cloud-config\nstylus:\n  site: [a\n').report.errors[0];
    expect(tab).toMatchObject({ rule: 'yaml-syntax', line: 4, column: 1 });
  });
  it('duplicate keys are errors naming both positions', () => {
    const t =
      '#cloud-config\nstylus:\n  site:\n    paletteEndpoint: a.example.com\n    edgeHostToken: t\n    paletteEndpoint: b.example.com\n';
    expectOne(t, 'duplicate-key', {
      path: 'stylus.site.paletteEndpoint',
      line: 6,
      column: 5,
      message:
        'duplicate key "paletteEndpoint": first at line 4, column 5, again at line 6, column 5; YAML keeps only one, delete the other',
    });
  });
});

describe('wizard form <-> YAML', () => {
  it('builds a new document from a form', () => {
    const f = emptyForm();
    f.paletteEndpoint = 'api.spectrocloud.com';
    f.edgeHostToken = 'tok';
    f.network = {
      mode: 'static',
      nic: 'eno1',
      ipAddress: '10.1.2.3',
      mask: '255.255.255.0',
      gateway: '10.1.2.1',
      nameserver: '10.1.2.1',
    };
    f.users = [
      { name: 'kairos', passwd: 'kairos', groups: ['sudo'], sshKeys: ['github:tech'], lockPasswd: false },
    ];
    f.proxy.httpProxy = 'http://proxy:3128';
    const text = fromForm('', f);
    expect(text.startsWith('#cloud-config\nstylus:\n')).toBe(true);
    expect(parse(text)).toEqual({
      stylus: {
        site: {
          paletteEndpoint: 'api.spectrocloud.com',
          edgeHostToken: 'tok',
          network: {
            httpProxy: 'http://proxy:3128',
            interfaces: {
              eno1: {
                type: 'static',
                ipAddress: '10.1.2.3',
                mask: '255.255.255.0',
                gateway: '10.1.2.1',
                nameserver: '10.1.2.1',
              },
            },
          },
        },
      },
      stages: {
        initramfs: [
          {
            name: 'Create users',
            users: { kairos: { passwd: 'kairos', groups: ['sudo'], ssh_authorized_keys: ['github:tech'] } },
          },
        ],
      },
    });
    expect(toForm(text)).toEqual(f);
  });
  it('merges into existing text: unknown keys, comments and other steps survive; empty fields remove keys', () => {
    const full = read('full.yaml');
    const f = toForm(full);
    f.projectUid = '';
    f.network.mode = 'static';
    f.network.ipAddress = '10.0.0.5/24';
    f.network.gateway = '10.0.0.1';
    f.users[0].sshKeys = ['github:ops'];
    const out = fromForm(full, f);
    const js = parse(out);
    expect(js.stylus.site.projectUid).toBeUndefined();
    expect(js.stylus.someFutureKey).toBe('kept as is');
    expect(js.stylus.site.network.interfaces.enp1s0).toEqual({
      type: 'static',
      ipAddress: '10.0.0.5/24',
      gateway: '10.0.0.1',
    });
    expect(js.stages.initramfs[0].users.kairos.ssh_authorized_keys).toEqual(['github:ops']);
    expect(js.stages.initramfs[1].commands).toHaveLength(1);
    expect(out).toContain('# unknown keys are kept');
  });
  it('switching static -> dhcp removes the static values; none removes the interface', () => {
    const t = read('static.yaml');
    const f = toForm(t);
    expect(f.network).toMatchObject({
      mode: 'static',
      nic: 'eth0',
      ipAddress: '192.168.50.20/24',
      gateway: '192.168.50.1',
    });
    const dhcp = parse(fromForm(t, { ...f, network: { ...f.network, mode: 'dhcp', nameserver: '' } }));
    expect(dhcp.stylus.site.network.interfaces.eth0).toEqual({ type: 'dhcp' });
    expect(dhcp.stylus.site.network.interfaces.eth1.gateway).toBe('172.16.7.254');
    const none = parse(fromForm(t, { ...f, network: { ...f.network, mode: 'none' } }));
    expect(Object.keys(none.stylus.site.network.interfaces)).toEqual(['eth1']);
  });
  it('renaming the only NIC keeps its settings', () => {
    const t =
      '#cloud-config\nstylus:\n  site:\n    network:\n      interfaces:\n        eth0: # onboard port\n          type: dhcp\n';
    const out = fromForm(t, { ...toForm(t), network: { ...toForm(t).network, nic: 'enp3s0' } });
    // the comment stays with the interface (the yaml library moves it to the next line)
    expect(out).toMatch(/ {8}enp3s0:\n\s+# onboard port\n {10}type: dhcp\n/);
    expect(out).not.toContain('eth0');
  });
  it('removing a user from the form removes it from the users map', () => {
    const t = fromForm('', {
      users: [
        { name: 'a', passwd: 'x' },
        { name: 'b', passwd: 'y' },
      ],
    });
    const out = parse(fromForm(t, { ...toForm(t), users: [toForm(t).users[1]] }));
    expect(Object.keys(out.stages.initramfs[0].users)).toEqual(['b']);
  });
  it('placeholders survive an edit', () => {
    const t = read('profile-template.yaml');
    const out = fromForm(t, { ...toForm(t), projectName: 'stores' });
    expect(out).toContain('name: "{{host.id}}"');
    expect(out).toContain('rack: "{{values.rack}}"');
    expect(toForm(t).edgeHostId).toBe('{{host.id}}');
  });
  it('maps diagnostic paths to wizard fields', () => {
    const f = toForm(read('static.yaml'));
    expect(fieldForPath('stylus.site.network.interfaces.eth0.gateway', f)).toBe('network.gateway');
    expect(fieldForPath('stylus.site.paletteEndpoint', f)).toBe('paletteEndpoint');
    expect(fieldForPath('stylus.site.edgeHostToken', { ...f, registration: 'qr' })).toBe('registrationURL');
    expect(fieldForPath('stages.initramfs.0.users.kairos.ssh_authorized_keys.2', f)).toBe('users.0.sshKeys');
    expect(fieldForPath('stylus.site.caCerts.1', f)).toBe('caCerts.1');
    expect(fieldForPath('install.poweroff', f)).toBeUndefined();
  });
});

describe('old flat network form', () => {
  it('is read with a warning and validated as a NIC', () => {
    const t = read('flat-network.yaml');
    expectOne(t, 'network-old-form', {
      severity: 'warning',
      path: 'stylus.site.network',
      line: 7,
      column: 5,
    });
    expect(analyzeUserData(t).report.valid).toBe(true);
    const broken = t.replace('      gateway: 10.0.0.1 # the store router\n', '');
    expectOne(broken, 'missing-gateway', {
      path: 'stylus.site.network.gateway',
      line: 7,
      column: 5,
      message: 'the static network needs gateway',
    });
  });
  it('converts to interfaces.<nic>, keeping comments and proxies', () => {
    const r = convertFlatNetwork(read('flat-network.yaml'), 'eno1');
    expect(r.changed).toBe(true);
    expect(r.text).toBe(
      [
        '#cloud-config',
        'stylus:',
        '  site:',
        '    paletteEndpoint: api.spectrocloud.com',
        '    edgeHostToken: tok-123',
        '    # site network, old flat form from the seed document',
        '    network:',
        '      httpProxy: http://10.0.0.3:3128',
        '      interfaces:',
        '        eno1:',
        '          type: static',
        '          ipAddress: 10.0.0.50',
        '          mask: 255.255.255.0',
        '          gateway: 10.0.0.1 # the store router',
        '          nameserver: 10.0.0.2',
        '',
      ].join('\n'),
    );
    expect(all(r.text)).toEqual([]);
  });
  it('leaves a current-form document unchanged', () => {
    const t = read('static.yaml');
    expect(convertFlatNetwork(t)).toEqual({ text: t, changed: false });
  });
});
