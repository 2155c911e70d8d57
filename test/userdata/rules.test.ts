// Every schema rule: a valid case and each broken variant, asserting message, line, column and path.
import { describe, expect, it } from 'vitest';
import { analyzeUserData } from '../../shared/userdata/validate';
import { checkEdgeHostId } from '../../main/userdata';
import { all, expectOne, expectValid, siteDoc, sshKey } from './helpers';

describe('#cloud-config header', () => {
  it('accepts the header on the first line', () => expectValid(siteDoc()));
  it('rejects a missing header at 1:1', () => {
    expectOne(siteDoc().replace('#cloud-config\n', ''), 'cloud-config-header', {
      severity: 'error',
      line: 1,
      column: 1,
      path: '',
      message: 'the first line must be "#cloud-config"; Kairos ignores the file otherwise',
    });
  });
  it('names a header that is on a later line', () => {
    const d = expectOne('# staged by Ana\n' + siteDoc(), 'cloud-config-header', { line: 1, column: 1 });
    expect(d.message).toBe(
      'the first line must be "#cloud-config" but it is on line 2; move it to the top, or Kairos ignores the file',
    );
  });
  it('names "# cloud-config" with a space', () => {
    const d = expectOne(siteDoc().replace('#cloud-config', '# cloud-config'), 'cloud-config-header', {});
    expect(d.message).toContain('no space after "#"');
  });
  it('rejects an empty file', () => {
    expect(analyzeUserData('  \n').report.errors[0]).toMatchObject({ rule: 'empty', line: 1, column: 1 });
  });
  it('rejects a document that is a list', () => {
    expectOne('#cloud-config\n- a\n- b\n', 'root-not-map', {
      line: 2,
      column: 1,
      message: expect.stringContaining('not a list'),
    });
  });
});

describe('central management', () => {
  it('local management needs no endpoint or token', () =>
    expectValid('#cloud-config\nstylus:\n  managementMode: local\n'));
  it('needs paletteEndpoint (reported at the site key)', () => {
    const t = '#cloud-config\nstylus:\n  site:\n    edgeHostToken: tok\n';
    expectOne(t, 'missing-endpoint', {
      path: 'stylus.site.paletteEndpoint',
      line: 3,
      column: 3,
      message:
        'paletteEndpoint is required with central management (the default; set stylus.managementMode: local for a locally managed host)',
    });
  });
  it('needs edgeHostToken or registrationURL', () => {
    const t = '#cloud-config\nstylus:\n  site:\n    paletteEndpoint: api.spectrocloud.com\n';
    expectOne(t, 'missing-registration', {
      path: 'stylus.site.edgeHostToken',
      line: 3,
      column: 3,
      message:
        'central management needs edgeHostToken (auto-registration) or registrationURL (QR registration)',
    });
  });
  it('names a misspelt key when the required one is missing', () => {
    const t =
      '#cloud-config\nstylus:\n  site:\n    paletteEndPoint: api.spectrocloud.com\n    edgehosttoken: t\n';
    expect(all(t).find((d) => d.rule === 'missing-endpoint')?.message).toMatch(
      /\(found "paletteEndPoint": a misspelling\?\)$/,
    );
    expect(all(t).find((d) => d.rule === 'missing-registration')?.message).toMatch(
      /\(found "edgehosttoken": a misspelling\?\)$/,
    );
  });
  it('accepts registrationURL instead of a token', () =>
    expectValid(
      '#cloud-config\nstylus:\n  site:\n    paletteEndpoint: api.spectrocloud.com\n    registrationURL: https://reg.example.com/x\n',
    ));
  it('a document without stylus at all is reported at the first key', () => {
    const d = expectOne('#cloud-config\ninstall:\n  poweroff: true\n', 'missing-endpoint', {
      line: 2,
      column: 1,
    });
    expect(d.severity).toBe('error');
  });
  it('managementMode must be central or local', () => {
    expectOne('#cloud-config\nstylus:\n  managementMode: remote\n', 'schema', {
      path: 'stylus.managementMode',
      line: 3,
      column: 19,
      message: 'managementMode must be one of central, local, found "remote" (text)',
    });
  });
});

describe('paletteEndpoint', () => {
  const ep = (v: string) =>
    siteDoc().replace('paletteEndpoint: api.spectrocloud.com', `paletteEndpoint: ${v}`);
  it('accepts a host name and host:port', () => {
    expectValid(ep('palette.corp.example'));
    expectValid(ep('palette.corp.example:8443'));
  });
  it('rejects a scheme with the host to write instead', () =>
    expectOne(ep('https://api.spectrocloud.com'), 'endpoint-format', {
      path: 'stylus.site.paletteEndpoint',
      line: 4,
      column: 22,
      message:
        'paletteEndpoint must be a host name without a scheme: write "api.spectrocloud.com", not "https://api.spectrocloud.com"',
    }));
  it('rejects a path', () =>
    expectOne(ep('api.spectrocloud.com/v1'), 'endpoint-format', {
      message:
        'paletteEndpoint must be a host name without a path: write "api.spectrocloud.com", not "api.spectrocloud.com/v1"',
    }));
  it('rejects a malformed host', () =>
    expectOne(ep('"api spectrocloud"'), 'endpoint-format', {
      message: 'paletteEndpoint "api spectrocloud" is not a valid host name',
    }));
});

describe('URLs', () => {
  it('registrationURL must be a URL', () =>
    expectOne(siteDoc(['registrationURL: reg.example.com/site']), 'url', {
      path: 'stylus.site.registrationURL',
      line: 6,
      column: 22,
      message:
        'registrationURL "reg.example.com/site" is not a valid URL; write it with a scheme, like http://host/path',
    }));
  it('proxies must be URLs', () => {
    const t = siteDoc(['network:', '  httpProxy: http://proxy:3128', '  httpsProxy: proxy:3128']);
    expectOne(t, 'url', { path: 'stylus.site.network.httpsProxy', line: 8, column: 19 });
  });
});

describe('edge host ID', () => {
  it('accepts a normal ID and $random', () => {
    expect(checkEdgeHostId('store-0042_edge')).toBeUndefined();
    expect(checkEdgeHostId('$random')).toBeUndefined();
    expectValid(siteDoc(['name: store-0042']));
  });
  it('rejects more than 128 characters', () => {
    expect(checkEdgeHostId('a'.repeat(128))).toBeUndefined();
    expect(checkEdgeHostId('a'.repeat(129))).toBe(
      'edge host ID is 129 characters long; at most 128 are allowed',
    );
  });
  it.each([...`/?#&+%,$~!@*(){}|=;:<>'.^"`])('rejects "%s"', (c) => {
    expect(checkEdgeHostId(`edge${c}1`)).toContain(`contains "${c}"`);
  });
  it('reports the rule at the name value', () =>
    expectOne(siteDoc(['name: store.0042']), 'edge-host-id', {
      path: 'stylus.site.name',
      line: 6,
      column: 11,
      message: `edge host ID "store.0042" contains "."; none of / ? # & + % , $ ~ ! @ * ( ) { } | = ; : < > ' . ^ " are allowed`,
    }));
  it('hostName and prefix have their own rules', () => {
    expectOne(siteDoc(['hostName: bad_host!']), 'hostname', {
      path: 'stylus.site.hostName',
      line: 6,
      column: 15,
    });
    expectOne(siteDoc(['prefix: store_']), 'prefix', {
      path: 'stylus.site.prefix',
      message: 'prefix "store_" may contain only letters, digits and "-"',
    });
  });
});

describe('static interfaces', () => {
  const nic = (...lines: string[]) =>
    siteDoc(['network:', '  interfaces:', '    eth0:', ...lines.map((l) => `      ${l}`)]);
  it('accepts ipAddress/prefix + gateway, and ipAddress + mask + gateway', () => {
    expectValid(nic('type: static', 'ipAddress: 10.0.0.10/24', 'gateway: 10.0.0.1'));
    expectValid(nic('type: static', 'ipAddress: 10.0.0.10', 'mask: 255.255.255.0', 'gateway: 10.0.0.1'));
    expectValid(nic('type: static', 'ipAddress: 10.0.0.10', 'mask: 24', 'gateway: 10.0.0.1'));
    expectValid(nic('type: dhcp'));
  });
  it('needs ipAddress', () =>
    expectOne(nic('type: static', 'gateway: 10.0.0.1'), 'missing-ip', {
      path: 'stylus.site.network.interfaces.eth0.ipAddress',
      line: 8,
      column: 9,
      message: 'static interface eth0 needs ipAddress',
    }));
  it('needs mask or /prefix', () =>
    expectOne(nic('type: static', 'ipAddress: 10.0.0.10', 'gateway: 10.0.0.1'), 'missing-mask', {
      path: 'stylus.site.network.interfaces.eth0.mask',
      line: 8,
      column: 9,
      message: 'static interface eth0 needs mask (or a /prefix on ipAddress)',
    }));
  it('needs gateway', () =>
    expectOne(nic('type: static', 'ipAddress: 10.0.0.10/24'), 'missing-gateway', {
      path: 'stylus.site.network.interfaces.eth0.gateway',
      line: 8,
      column: 9,
      message: 'static interface eth0 needs gateway',
    }));
  it('gateway must be inside the subnet', () =>
    expectOne(nic('type: static', 'ipAddress: 10.0.0.10/24', 'gateway: 10.0.1.1'), 'gateway-outside-subnet', {
      path: 'stylus.site.network.interfaces.eth0.gateway',
      line: 11,
      column: 20,
      message: 'gateway 10.0.1.1 is outside the subnet 10.0.0.0/24 of ipAddress 10.0.0.10',
    }));
  it('the subnet comes from mask when there is no prefix', () => {
    expectValid(
      nic('type: static', 'ipAddress: 172.16.4.10', 'mask: 255.255.252.0', 'gateway: 172.16.7.254'),
    );
    expectOne(
      nic('type: static', 'ipAddress: 172.16.4.10', 'mask: 255.255.254.0', 'gateway: 172.16.7.254'),
      'gateway-outside-subnet',
      {
        message: 'gateway 172.16.7.254 is outside the subnet 172.16.4.0/23 of ipAddress 172.16.4.10',
      },
    );
  });
  it('IPv4 syntax of ipAddress, gateway and nameserver', () => {
    expectOne(nic('type: static', 'ipAddress: 10.0.0.300/24', 'gateway: 10.0.0.1'), 'ipv4', {
      path: 'stylus.site.network.interfaces.eth0.ipAddress',
      line: 10,
      column: 22,
      message: 'ipAddress "10.0.0.300" is not a valid IPv4 address',
    });
    expectOne(nic('type: static', 'ipAddress: 10.0.0.3/24', 'gateway: 10.0.0.01'), 'ipv4', {
      message: 'gateway "10.0.0.01" is not a valid IPv4 address',
    });
    expectOne(
      nic('type: static', 'ipAddress: 10.0.0.3/24', 'gateway: 10.0.0.1', 'nameserver: 10.0.0'),
      'ipv4',
      {
        path: 'stylus.site.network.interfaces.eth0.nameserver',
        message: 'nameserver "10.0.0" is not a valid IPv4 address',
      },
    );
  });
  it('a bad mask and a bad prefix', () => {
    expectOne(nic('type: static', 'ipAddress: 10.0.0.3', 'mask: 255.0.255.0', 'gateway: 10.0.0.1'), 'mask', {
      path: 'stylus.site.network.interfaces.eth0.mask',
      line: 11,
      column: 17,
      message:
        'mask "255.0.255.0" is not a valid subnet mask (write it like 255.255.255.0 or as a prefix length like 24)',
    });
    expectOne(nic('type: static', 'ipAddress: 10.0.0.3/33', 'gateway: 10.0.0.1'), 'prefix-length', {
      message: '"/33" on ipAddress is not a valid prefix length (0-32)',
    });
  });
  it('gateway equal to the address, and network/broadcast addresses', () => {
    expectOne(nic('type: static', 'ipAddress: 10.0.0.1/24', 'gateway: 10.0.0.1'), 'gateway-is-address', {});
    expectOne(nic('type: static', 'ipAddress: 10.0.0.255/24', 'gateway: 10.0.0.1'), 'ip-not-host', {
      message: 'ipAddress 10.0.0.255 is the broadcast address of 10.0.0.0/24, not a host address',
    });
  });
  it('type must be dhcp or static; dhcp with static values warns', () => {
    expectOne(nic('type: Static'), 'schema', {
      path: 'stylus.site.network.interfaces.eth0.type',
      message: 'type must be one of dhcp, static, found "Static" (text)',
    });
    expectOne(nic('type: dhcp', 'ipAddress: 10.0.0.3/24'), 'dhcp-ignores-static', { severity: 'warning' });
  });
});

describe('SSH public keys', () => {
  const withKey = (k: string) =>
    siteDoc(
      [],
      [
        'stages:',
        '  initramfs:',
        '    - users:',
        '        kairos:',
        '          ssh_authorized_keys:',
        `            - ${k}`,
      ],
    );
  it('accepts well-formed keys and github:/gitlab: references', () => {
    expectValid(withKey(sshKey('ssh-ed25519')));
    expectValid(withKey(sshKey('ssh-rsa')));
    expectValid(withKey(sshKey('ecdsa-sha2-nistp256')));
    expectValid(withKey('github:some-tech'));
  });
  it('rejects an unknown type', () =>
    expectOne(withKey('ssh-foo AAAA'), 'ssh-key', {
      path: 'stages.initramfs.0.users.kairos.ssh_authorized_keys.0',
      line: 11,
      column: 15,
      message: expect.stringMatching(/^SSH key type "ssh-foo" is not one of ssh-ed25519/),
    }));
  it('rejects a key without data, bad base64 and a type mismatch', () => {
    expectOne(withKey('ssh-ed25519'), 'ssh-key', {
      message: 'SSH key "ssh-ed25519" has no key data after the type (user kairos, key 1)',
    });
    expectOne(withKey('ssh-ed25519 AAAA$$$$'), 'ssh-key', {
      message: 'SSH key "ssh-ed25519" has key data that is not valid base64 (user kairos, key 1)',
    });
    expectOne(withKey(sshKey('ssh-rsa', 'ssh-ed25519')), 'ssh-key', {
      message: 'SSH key says "ssh-rsa" but its key data is "ssh-ed25519" (user kairos, key 1)',
    });
  });
  it('rejects a pasted private key', () =>
    expectOne(withKey('"-----BEGIN OPENSSH PRIVATE KEY-----"'), 'ssh-key', {
      message: expect.stringContaining('private key'),
    }));
});

describe('CA certificates', () => {
  const pem = '-----BEGIN CERTIFICATE-----\\nMIIBszCCAVmgAwIBAgIUQ2==\\n-----END CERTIFICATE-----';
  it('accepts PEM and base64', () => {
    expectValid(siteDoc(['caCerts:', `  - "${pem}"`, '  - TUlJQnN6Q0NBVm1nQXdJQkFnSVVRMg==']));
  });
  it('rejects text that is neither', () =>
    expectOne(siteDoc(['caCerts:', '  - not a certificate']), 'ca-cert', {
      path: 'stylus.site.caCerts.0',
      line: 7,
      column: 9,
      message: 'CA certificate 1 is neither a PEM certificate nor base64',
    }));
  it('rejects a PEM block without its END line', () =>
    expectOne(siteDoc(['caCerts:', '  - "-----BEGIN CERTIFICATE-----\\nMIIB"']), 'ca-cert', {
      message: 'CA certificate 1 is a PEM block without "-----END CERTIFICATE-----"',
    }));
});

describe('types from the zod schema', () => {
  it('booleans written as quoted text', () =>
    expectOne(siteDoc([], ['  debug: "true"']), 'schema', {
      path: 'stylus.debug',
      line: 6,
      column: 10,
      message: 'debug must be true or false, found "true" (text) (remove the quotes)',
    }));
  it('localUI.port range', () =>
    expectOne(siteDoc([], ['  localUI:', '    port: 70000']), 'schema', {
      path: 'stylus.localUI.port',
      line: 7,
      column: 11,
      message: 'port must be a port number from 1 to 65535, found 70000 (a number)',
    }));
  it('caCerts must be a list', () =>
    expectOne(siteDoc(['caCerts: abc']), 'schema', {
      path: 'stylus.site.caCerts',
      message: 'caCerts must be a list, found "abc" (text)',
    }));
  it('an empty section is a warning at its key, not a type error', () => {
    expectOne(siteDoc([], ['install:']), 'empty-value', {
      severity: 'warning',
      path: 'install',
      line: 6,
      column: 1,
      message: 'install is empty; add its keys or remove it',
    });
    expect(all(siteDoc([], ['install:'])).filter((d) => d.rule === 'schema')).toEqual([]);
  });
  it('install.poweroff and reboot together warn', () =>
    expectOne(siteDoc([], ['install:', '  poweroff: true', '  reboot: true']), 'poweroff-and-reboot', {
      severity: 'warning',
      path: 'install.reboot',
    }));
});

describe('unknown keys and typos', () => {
  it('keeps unknown keys without a warning when they are not near a known key', () => {
    const r = expectValid(siteDoc(['myCompanyInventoryId: 42'], ['vendorExtension:', '  a: 1']));
    expect(r.warnings).toEqual([]);
  });
  it.each([
    ['paletteEndPoint', 'paletteEndpoint', 'stylus.site'],
    ['edgehosttoken', 'edgeHostToken', 'stylus.site'],
    ['registrationUrl', 'registrationURL', 'stylus.site'],
    ['insecureSkipVerfy', 'insecureSkipVerify', 'stylus.site'],
    ['siteNetwork', 'network', 'stylus.site'],
  ])('"%s" -> "%s"', (typo, right, at) => {
    const t = siteDoc([`${typo}: x`]);
    expectOne(t, 'typo', {
      severity: 'warning',
      path: `${at}.${typo}`,
      line: 6,
      column: 5,
      message: `unknown key "${typo}": did you mean "${right}"? The installer ignores "${typo}"`,
    });
  });
  it('sshAuthorizedKeys in a user map', () => {
    const t = siteDoc(
      [],
      [
        'stages:',
        '  initramfs:',
        '    - users:',
        '        kairos:',
        `          sshAuthorizedKeys: ["${sshKey()}"]`,
      ],
    );
    expectOne(t, 'typo', {
      path: 'stages.initramfs.0.users.kairos.sshAuthorizedKeys',
      line: 10,
      column: 11,
      message:
        'unknown key "sshAuthorizedKeys": did you mean "ssh_authorized_keys"? The installer ignores "sshAuthorizedKeys"',
    });
  });
  it('typos at the top level and under stylus', () => {
    expectOne(siteDoc([], ['instal:', '  poweroff: true']), 'typo', {
      path: 'instal',
      message: expect.stringContaining('"install"'),
    });
    expectOne(siteDoc([], ['  managmentMode: central']), 'typo', {
      path: 'stylus.managmentMode',
      message: expect.stringContaining('"managementMode"'),
    });
  });
});

describe("the mistakes in Palette's docs", () => {
  it('initramfs beside stages', () => {
    const t = siteDoc([], ['stages:', 'initramfs:', '  - users:', '      kairos:', '        passwd: kairos']);
    const d = expectOne(t, 'initramfs-misplaced', {
      severity: 'error',
      path: 'initramfs',
      line: 7,
      column: 1,
    });
    expect(d.message).toBe(
      '"initramfs" is at the top level beside "stages", so Kairos ignores it and its users are never created; indent "initramfs:" (and everything under it) two spaces so it sits under "stages:"',
    );
    // the empty `stages:` is part of the same mistake, not a second error
    expect(all(t).filter((x) => x.path === 'stages')).toEqual([]);
  });
  it('users written as a list', () => {
    const t = siteDoc(
      [],
      ['stages:', '  initramfs:', '    - users:', '        - name: admin', '          passwd: x'],
    );
    expectOne(t, 'users-as-list', {
      severity: 'error',
      path: 'stages.initramfs.0.users',
      line: 8,
      column: 7,
      message:
        '"users" is written as a list, but Kairos expects a map keyed by user name; write "users:" then "  admin:" with passwd, groups and ssh_authorized_keys indented under it, instead of "- name: admin"',
    });
    expect(all(t).filter((x) => x.rule === 'schema')).toEqual([]);
  });
  it('both at once, as the docs show them', () => {
    const t = siteDoc(
      [],
      ['stages:', 'initramfs:', '  - users:', '      - name: kairos', '        passwd: kairos'],
    );
    const rules = all(t).map((d) => d.rule);
    expect(rules).toContain('initramfs-misplaced');
    expect(rules).toContain('users-as-list');
    expect(all(t).find((d) => d.rule === 'users-as-list')).toMatchObject({
      path: 'initramfs.0.users',
      line: 8,
      column: 5,
    });
  });
});

describe('plain passwords', () => {
  const user = (pw: string) =>
    siteDoc([], ['stages:', '  initramfs:', '    - users:', '        kairos:', `          passwd: ${pw}`]);
  it('warn for plain text', () =>
    expectOne(user('kairos'), 'plain-password', {
      severity: 'warning',
      path: 'stages.initramfs.0.users.kairos.passwd',
      line: 10,
      column: 19,
    }));
  it.each(['"$6$abc$def"', '"$5$abc$def"', '"$1$abc$def"', '"$y$j9T$abc$def"'])(
    'no warning for hashed %s',
    (pw) => {
      expect(all(user(pw)).filter((d) => d.rule === 'plain-password')).toEqual([]);
    },
  );
});

describe('keys from the installer reference', () => {
  it('accepts newer stylus and site keys', () => {
    expectValid(
      siteDoc(
        ['ntpServers:', '  - 0.pool.ntp.org', 'remoteShell:', '  disable: true'],
        [
          '  disableTui: true',
          '  localUI:',
          '    port: 5080',
          '    login:',
          '      disableRateLimiting: false',
          '      lockoutDurationInMinutes: 15',
        ],
      ),
    );
  });
  it('checks users created by the Palette agent (stylus.site.users), list or map', () => {
    expectOne(
      siteDoc(['users:', '  - name: ops', '    ssh_authorized_keys:', '      - ssh-ed25519']),
      'ssh-key',
      {
        path: 'stylus.site.users.0.ssh_authorized_keys.0',
        message: 'SSH key "ssh-ed25519" has no key data after the type (user ops, key 1)',
      },
    );
    expectOne(siteDoc(['users:', '  ops:', '    passwd: plain']), 'plain-password', {
      path: 'stylus.site.users.ops.passwd',
    });
  });
});
