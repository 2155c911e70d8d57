// `edgebench pxe ...` through the real built CLI: usage and input errors with their exit codes
// (nothing here opens a socket), interfaces, per-profile command-line templates, events.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../main/store';
import { BIN, jsonLines, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/env';

const reason = fs.existsSync(BIN) ? undefined : 'needs the built CLI: npm run build';
let tmp: { dir: string; cleanup(): void };
let data: string;

describe.skipIf(reason)('edgebench pxe (CLI)', () => {
  beforeAll(async () => {
    tmp = tempDir('eb-pxe-cli-');
    data = path.join(tmp.dir, 'data');
    const store = openStore(data);
    await store.profiles.put({ name: 'lab', userData: '#cloud-config\nstylus: {}\n' });
    await store.pxe.addEvent({
      mac: '52:54:00:00:00:01',
      kind: 'http-script',
      message: 'iPXE script fetched',
      hostId: 'h1',
    });
    await store.pxe.addEvent({ mac: '52:54:00:00:00:02', kind: 'ignored', message: 'unknown MAC' });
    await store.close();
  });
  afterAll(() => tmp?.cleanup());

  it('lists interfaces (loopback included) as JSON', () => {
    const r = runCli(['pxe', 'interfaces', '--json'], { dataDir: data });
    expect(r.code).toBe(0);
    const out = jsonLines(r.stdout)[0];
    expect(
      out.interfaces.some(
        (i: { name: string; address: string }) => i.name === 'lo' && i.address === '127.0.0.1',
      ),
    ).toBe(true);
  });

  it('refuses bad serve invocations before opening anything, with the documented exit codes', () => {
    const iso = path.join(tmp.dir, 'not.iso');
    fs.writeFileSync(iso, Buffer.alloc(40000, 1));
    const cases: Array<[string[], number, RegExp]> = [
      [['pxe', 'serve', '--image', iso], 2, /needs --interface/],
      [['pxe', 'serve', '--interface', 'lo'], 2, /needs --image/],
      [['pxe', 'serve', '--interface', 'nosuchif0', '--image', iso], 5, /no network interface "nosuchif0"/],
      [
        ['pxe', 'serve', '--interface', 'lo', '--image', iso],
        1,
        /ENOTISO: .*not\.iso is not an ISO 9660 image/,
      ],
      [
        ['pxe', 'serve', '--interface', 'lo', '--image', path.join(tmp.dir, 'missing.iso')],
        5,
        /missing\.iso: no such file/,
      ],
      [
        ['pxe', 'serve', '--interface', 'lo', '--image', iso, '--default-profile', 'lab'],
        2,
        /only applies with --allow-unknown/,
      ],
      [
        [
          'pxe',
          'serve',
          '--interface',
          'lo',
          '--image',
          iso,
          '--proxy',
          '--dhcp-range',
          '1.2.3.4,1.2.3.5,255.255.255.0',
        ],
        2,
        /not both/,
      ],
      [
        ['pxe', 'serve', '--interface', 'lo', '--image', iso, '--dhcp-range', '1.2.3.4-1.2.3.9'],
        2,
        /FROM,TO,MASK/,
      ],
      [['pxe', 'serve', '--interface', 'lo', '--image', iso, '--http-port', '70000'], 2, /1\.\.65535/],
      [
        ['pxe', 'serve', '--interface', 'lo', '--image', iso, '--cmdline', 'x {{nope}}'],
        1,
        /unknown placeholder \{\{nope\}\}/,
      ],
    ];
    for (const [args, code, msg] of cases) {
      const r = runCli(args, { dataDir: data });
      expect(r.stderr, args.join(' ')).toMatch(msg);
      expect(r.code, args.join(' ')).toBe(code);
    }
  });

  it('shows, sets and resets a profile kernel command-line template', () => {
    const show = runCli(['pxe', 'cmdline', '--profile', 'lab', '--json'], { dataDir: data });
    expect(jsonLines(show.stdout)[0]).toMatchObject({
      custom: false,
      template: expect.stringContaining('rd.neednet=1 ip=dhcp'),
    });
    const set = runCli(['pxe', 'cmdline', '--profile', 'lab', '--set', '{{config}} console=ttyS0 {{root}}'], {
      dataDir: data,
    });
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('lab: {{config}} console=ttyS0 {{root}}');
    const bad = runCli(['pxe', 'cmdline', '--profile', 'lab', '--set', 'a {{what}}'], { dataDir: data });
    expect(bad.code).toBe(1);
    const missing = runCli(['pxe', 'cmdline', '--profile', 'nope'], { dataDir: data });
    expect(missing.code).toBe(5);
    const reset = runCli(['pxe', 'cmdline', '--profile', 'lab', '--reset'], { dataDir: data });
    expect(reset.stdout).toMatch(/\(default\)/);
  });

  it('prints the timeline, per MAC and as JSON', () => {
    const all = runCli(['pxe', 'events'], { dataDir: data });
    expect(all.stdout).toMatch(/52:54:00:00:00:01\s+h1\s+http-script\s+iPXE script fetched/);
    expect(all.stdout).toMatch(/52:54:00:00:00:02\s+-\s+ignored/);
    const one = runCli(['pxe', 'events', '--mac', '52-54-00-00-00-02', '--json'], { dataDir: data });
    expect(jsonLines(one.stdout)[0].events.map((e: { kind: string }) => e.kind)).toEqual(['ignored']);
    const bad = runCli(['pxe', 'events', '--mac', 'zz'], { dataDir: data });
    expect(bad.code).toBe(1);
  });
});
