// Password hashing (checked with the independent `unixcrypt` package) and rendering per host.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verify } from 'unixcrypt';
import { parse } from 'yaml';
import { AppError } from '../../shared/errors';
import {
  hashPlainPasswords,
  renderHostUserData,
  renderProfileText,
  sha512Crypt,
  validateUserDataText,
} from '../../main/userdata';
import type { RenderHost } from '../../main/userdata/render';
import { FIXTURES } from './helpers';

const template = fs.readFileSync(`${FIXTURES}/profile-template.yaml`, 'utf8');

describe('SHA-512 crypt', () => {
  it.each(['kairos', '', 'p\u00e4ssw\u00f6rd with spaces', 'x'.repeat(200)])(
    'hash of %j verifies with unixcrypt',
    (pw) => {
      const h = sha512Crypt(pw);
      expect(h).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
      expect(verify(pw, h)).toBe(true);
      expect(verify(pw + '!', h)).toBe(false);
    },
  );
  it('matches the published test vector of the specification', () => {
    // Drepper's SHA-crypt specification, test vector 1
    expect(sha512Crypt('Hello world!', 'saltstring')).toBe(
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    );
  });
});

describe('password hashing when written', () => {
  it('hashes plain passwords, keeps hashed ones and everything else', () => {
    const t =
      '#cloud-config\n# users\nstages:\n  initramfs:\n    - users:\n        a:\n          passwd: secret # plain\n        b:\n          passwd: "$6$abc$def"\nusers:\n  - name: c\n    passwd: other\n';
    const r = hashPlainPasswords(t);
    expect(r.hashed).toBe(2);
    const js = parse(r.text);
    expect(verify('secret', js.stages.initramfs[0].users.a.passwd)).toBe(true);
    expect(js.stages.initramfs[0].users.b.passwd).toBe('$6$abc$def');
    expect(verify('other', js.users[0].passwd)).toBe(true);
    expect(r.text).toContain('# plain');
    expect(validateUserDataText(r.text).warnings.filter((w) => w.rule === 'plain-password')).toEqual([]);
  });
  it('does nothing when there is nothing to hash', () => {
    const t = '#cloud-config\nstylus: {}\n';
    expect(hashPlainPasswords(t)).toEqual({ text: t, hashed: 0 });
  });
});

describe('render per host', () => {
  const host = {
    id: 'store-0042',
    values: {
      rack: 'r7',
      hostName: 'store-0042-k8s',
      ipAddress: '10.4.2.20/24',
      gateway: '10.4.2.1',
      nameserver: '10.4.2.2',
      tags: { region: 'emea' },
    },
  } as unknown as RenderHost;
  it('fills placeholders, sets ID, hostName, static NIC and tags, hashes passwords, keeps comments', () => {
    const out = renderHostUserData(template, host);
    expect(out.startsWith('#cloud-config\n# Store template: one profile, many hosts.\n')).toBe(true);
    const js = parse(out);
    expect(js.stylus.site.name).toBe('store-0042');
    expect(js.stylus.site.hostName).toBe('store-0042-k8s');
    expect(js.stylus.site.tags).toEqual({ rack: 'r7', region: 'emea' });
    expect(js.stylus.site.network.interfaces.eth0).toEqual({
      type: 'static',
      ipAddress: '10.4.2.20/24',
      gateway: '10.4.2.1',
      nameserver: '10.4.2.2',
    });
    expect(verify('kairos', js.stages.initramfs[0].users.kairos.passwd)).toBe(true);
    expect(validateUserDataText(out).valid).toBe(true);
  });
  it('keeps plain passwords only on request', () => {
    const js = parse(renderHostUserData(template, host, { keepPlainPasswords: true }));
    expect(js.stages.initramfs[0].users.kairos.passwd).toBe('kairos');
  });
  it('uses the nic value and converts an old flat network', () => {
    const flat = fs.readFileSync(`${FIXTURES}/flat-network.yaml`, 'utf8');
    const js = parse(
      renderHostUserData(flat, {
        id: 'h1',
        values: { nic: 'eno2', ipAddress: '10.0.0.77', mask: '255.255.255.0', gateway: '10.0.0.1' },
      }),
    );
    expect(js.stylus.site.network.type).toBeUndefined();
    expect(js.stylus.site.network.interfaces.eno2).toMatchObject({
      type: 'static',
      ipAddress: '10.0.0.77',
      gateway: '10.0.0.1',
    });
  });
  it('a missing placeholder value is an error with its line and column', () => {
    let err: AppError | undefined;
    try {
      renderHostUserData(template, { id: 'h2', values: {} });
    } catch (e) {
      err = e as AppError;
    }
    expect(err).toBeInstanceOf(AppError);
    expect(err!.code).toBe('EINVALID');
    const d = (err!.details as { diagnostics: Array<{ line: number; column: number; message: string }> })
      .diagnostics;
    expect(d[0]).toMatchObject({ line: 9, column: 14 });
    expect(d[0].message).toContain('placeholder {{values.rack}} has no value for host h2');
  });
  it('an invalid result throws EINVALID with diagnostics (gateway outside the subnet)', () => {
    try {
      renderHostUserData(template, {
        id: 'h3',
        values: { rack: 'r1', ipAddress: '10.0.0.5/24', gateway: '10.0.9.1' },
      });
      expect.unreachable();
    } catch (e) {
      const err = e as AppError;
      expect(err.code).toBe('EINVALID');
      expect(err.message).toContain('gateway 10.0.9.1 is outside the subnet 10.0.0.0/24');
      expect((err.details as { diagnostics: Array<{ rule: string }> }).diagnostics[0].rule).toBe(
        'gateway-outside-subnet',
      );
    }
  });
  it('an invalid host ID is refused', () => {
    expect(() => renderHostUserData(template, { id: 'bad.id', values: { rack: 'r' } })).toThrowError(
      /edge host ID "bad.id" contains "."/,
    );
  });
  it('validateUserDataText treats an unfilled placeholder as an error (final user-data)', () => {
    const r = validateUserDataText(template);
    expect(r.valid).toBe(false);
    expect(r.errors).toEqual([
      expect.objectContaining({
        rule: 'placeholder-unfilled',
        line: 7,
        column: 12,
        message:
          'placeholder {{host.id}} is not filled in; render the profile for a host first ("edgebench userdata render --profile NAME --host ID")',
      }),
    ]);
  });
  it('without a host, a template with placeholders is refused', () => {
    expect(() => renderProfileText(template, undefined)).toThrowError(/placeholders such as \{\{host.id\}\}/);
  });
});

describe('stylus.site.users passwords', () => {
  it('are hashed too, list or map', () => {
    const t = '#cloud-config\nstylus:\n  site:\n    users:\n      - name: ops\n        passwd: one\n';
    const js = parse(hashPlainPasswords(t).text);
    expect(verify('one', js.stylus.site.users[0].passwd)).toBe(true);
    const m = parse(
      hashPlainPasswords('#cloud-config\nstylus:\n  site:\n    users:\n      ops:\n        passwd: two\n')
        .text,
    );
    expect(verify('two', m.stylus.site.users.ops.passwd)).toBe(true);
  });
});
