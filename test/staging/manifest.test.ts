import { describe, expect, it } from 'vitest';
import { validateManifest } from '../../main/staging/manifest';
import { parseCsv, toCsv } from '../../main/staging/csv';
import type { StagingSite } from '../../shared/contract/staging';

const sites: StagingSite[] = [
  { name: 'depot-a', subnets: ['10.20.0.0/24'], gateway: '10.20.0.1', nameserver: '10.20.0.53' },
  { name: 'store-7', subnets: ['192.168.7.0/25'] },
];
const ctx = { profiles: ['retail', 'factory'], sites };
const HEADER = 'name,serial,mac,site,profile,ip,gateway,nameserver,nic,tags,delivery';
const good = [
  'edge-001,SN001,52:54:00:00:00:01,depot-a,retail,10.20.0.11/24,10.20.0.1,10.20.0.53,eth0,zone=a;rack=1,usb',
  'edge-002,SN002,52-54-00-00-00-02,depot-a,retail,,,,,zone=a,pxe',
  'edge-003,SN003,525400000003,store-7,factory,192.168.7.20,,,,,usb',
];
const csv = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';

function errorsOf(text: string, fileName = 'm.csv', c = ctx) {
  const r = validateManifest(text, fileName, c);
  return r.issues.filter((i) => i.severity === 'error');
}

describe('manifest CSV parsing', () => {
  it('follows RFC 4180: quoted commas, doubled quotes, CRLF, embedded newlines keep row numbers', () => {
    const { records, problems } = parseCsv('a,b,c\r\n"x,1","say ""hi""","two\nlines"\r\n3,4,5');
    expect(problems).toEqual([]);
    expect(records.map((r) => r.map((f) => f.value))).toEqual([
      ['a', 'b', 'c'],
      ['x,1', 'say "hi"', 'two\nlines'],
      ['3', '4', '5'],
    ]);
    expect(records[2][1]).toMatchObject({ row: 3, column: 2, line: 4 });
  });
  it('round-trips through toCsv, and neutralises formula cells', () => {
    const text = toCsv(['a', 'b'], [['x,"y"', '=cmd()']]);
    expect(text).toBe('a,b\r\n"x,""y""",\'=cmd()\r\n');
    expect(parseCsv(text).records[1].map((f) => f.value)).toEqual(['x,"y"', "'=cmd()"]);
  });
});

describe('manifest validation', () => {
  it('accepts a good CSV manifest and resolves network values from the site', () => {
    const r = validateManifest(csv(...good), 'hosts.csv', ctx);
    expect(r.issues).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.counts).toMatchObject({ hosts: 3, usb: 2, pxe: 1, sites: 2, profiles: 2 });
    expect(r.hosts[0]).toMatchObject({
      id: 'edge-001',
      mac: '52:54:00:00:00:01',
      network: {
        ipAddress: '10.20.0.11',
        prefix: 24,
        mask: '255.255.255.0',
        gateway: '10.20.0.1',
        nameservers: ['10.20.0.53'],
        nic: 'eth0',
      },
      tags: { zone: 'a', rack: '1' },
    });
    expect(r.hosts[1].mac).toBe('52:54:00:00:00:02');
    expect(r.hosts[2].network).toMatchObject({ ipAddress: '192.168.7.20', prefix: 25 });
    expect(r.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  const cases: Array<[string, string[], { row: number; column: number; field: string; re: RegExp }]> = [
    [
      'duplicate ID',
      [good[0], 'EDGE-001,SN9,52:54:00:00:00:09,depot-a,retail,,,,,,usb'],
      { row: 3, column: 1, field: 'name', re: /already used at A2/ },
    ],
    [
      'duplicate MAC',
      [good[0], 'edge-009,SN9,52-54-00-00-00-01,depot-a,retail,,,,,,usb'],
      { row: 3, column: 3, field: 'mac', re: /MAC address .* already used at C2/ },
    ],
    [
      'forbidden ID character',
      ['edge.001,SN1,52:54:00:00:00:01,depot-a,retail,,,,,,usb'],
      { row: 2, column: 1, field: 'name', re: /"\."/ },
    ],
    [
      'bad MAC',
      ['edge-001,SN1,52:54:00:00:00,depot-a,retail,,,,,,usb'],
      { row: 2, column: 3, field: 'mac', re: /not a MAC address/ },
    ],
    [
      'IP outside the site subnet',
      ['edge-001,SN1,52:54:00:00:00:01,depot-a,retail,10.21.0.5,,,,,usb'],
      { row: 2, column: 6, field: 'ip', re: /outside site "depot-a"/ },
    ],
    [
      'gateway outside the subnet',
      ['edge-001,SN1,52:54:00:00:00:01,depot-a,retail,10.20.0.5,10.30.0.1,,,,usb'],
      { row: 2, column: 7, field: 'gateway', re: /outside the host's subnet 10\.20\.0\.0\/24/ },
    ],
    [
      'unknown profile',
      ['edge-001,SN1,52:54:00:00:00:01,depot-a,kiosk,,,,,,usb'],
      { row: 2, column: 5, field: 'profile', re: /unknown profile "kiosk"/ },
    ],
    [
      'unknown site',
      ['edge-001,SN1,52:54:00:00:00:01,depot-z,retail,,,,,,usb'],
      { row: 2, column: 4, field: 'site', re: /unknown site "depot-z"/ },
    ],
    [
      'bad delivery',
      ['edge-001,SN1,52:54:00:00:00:01,depot-a,retail,,,,,,dvd'],
      { row: 2, column: 11, field: 'delivery', re: /neither usb nor pxe/ },
    ],
    [
      'PXE host without MAC',
      ['edge-001,SN1,,depot-a,retail,,,,,,pxe'],
      { row: 2, column: 3, field: 'mac', re: /needs its MAC/ },
    ],
    [
      'broadcast address',
      ['edge-001,SN1,52:54:00:00:00:01,store-7,retail,192.168.7.127,,,,,usb'],
      { row: 2, column: 6, field: 'ip', re: /broadcast address/ },
    ],
    [
      'duplicate IP',
      [good[0], 'edge-009,SN9,52:54:00:00:00:09,depot-a,retail,10.20.0.11,,,,,usb'],
      { row: 3, column: 6, field: 'ip', re: /already used at F2/ },
    ],
    [
      'bad tags',
      ['edge-001,SN1,52:54:00:00:00:01,depot-a,retail,,,,,zone,usb'],
      { row: 2, column: 10, field: 'tags', re: /not key=value/ },
    ],
    [
      'row with too many fields',
      ['edge-001,SN1,52:54:00:00:00:01,depot-a,retail,,,,,,usb,extra'],
      { row: 2, column: 12, field: 'csv', re: /12 fields but the header has 11/ },
    ],
  ];
  for (const [what, rows, exp] of cases) {
    it(`reports ${what} with its row and column`, () => {
      const errs = errorsOf(csv(...rows));
      expect(errs.length).toBeGreaterThan(0);
      const hit = errs.find((e) => e.row === exp.row && e.column === exp.column);
      expect(hit, JSON.stringify(errs)).toBeDefined();
      expect(hit!.field).toBe(exp.field);
      expect(hit!.message).toMatch(exp.re);
    });
  }

  it('reports a missing required column and an unknown column at the header row', () => {
    const errs = errorsOf('name,mac,sight,profile,delivery\nedge-1,52:54:00:00:00:01,depot-a,retail,usb\n');
    expect(errs.find((e) => e.row === 1 && e.column === 3)?.message).toMatch(/unknown column "sight"/);
    expect(errs.find((e) => e.row === 1 && e.field === 'site')?.message).toMatch(/no "site" column/);
  });

  it('uses --via for rows without delivery, and requires one otherwise', () => {
    const text = 'name,mac,site,profile\nedge-1,52:54:00:00:00:01,depot-a,retail\n';
    expect(errorsOf(text)[0]).toMatchObject({ row: 2, field: 'delivery' });
    const r = validateManifest(text, 'm.csv', { ...ctx, via: 'pxe' });
    expect(r.ok).toBe(true);
    expect(r.hosts[0].delivery).toBe('pxe');
  });

  it('validates YAML with sites of its own and reports line and column', () => {
    const yaml = [
      'sites:',
      '  - name: lab',
      '    subnet: 10.99.5.0/24',
      '    gateway: 10.99.5.1',
      'hosts:',
      '  - name: lab-01',
      '    mac: 52:54:00:aa:00:01',
      '    site: lab',
      '    profile: retail',
      '    ip: 10.99.5.10',
      '    tags: {zone: lab, rack: "2"}',
      '    delivery: pxe',
      '  - name: lab-02',
      '    mac: 52:54:00:aa:00:01',
      '    site: lab',
      '    profile: retail',
      '    ip: 10.99.6.10',
      '    delivery: usb',
    ].join('\n');
    const r = validateManifest(yaml, 'm.yaml', { profiles: ['retail'], sites: [] });
    const errs = r.issues.filter((i) => i.severity === 'error');
    expect(errs).toHaveLength(2);
    expect(errs[0]).toMatchObject({ row: 14, column: 10, field: 'mac' });
    expect(errs[0].message).toMatch(/already used at line 7, column 10/);
    expect(errs[1]).toMatchObject({ row: 17, column: 9, field: 'ip' });
    expect(r.hosts[0]).toMatchObject({
      id: 'lab-01',
      tags: { zone: 'lab', rack: '2' },
      network: { gateway: '10.99.5.1', prefix: 24 },
    });
  });

  it('same hosts give the same manifest hash whatever the file format', () => {
    const a = validateManifest(
      'name,mac,site,profile,delivery\nh1,52:54:00:00:00:01,depot-a,retail,usb\n',
      'a.csv',
      ctx,
    );
    const b = validateManifest(
      'hosts:\n  - {name: h1, mac: "52:54:00:00:00:01", site: depot-a, profile: retail, delivery: usb}\n',
      'b.yaml',
      ctx,
    );
    expect(a.ok && b.ok).toBe(true);
    expect(a.manifestSha256).toBe(b.manifestSha256);
  });
});
