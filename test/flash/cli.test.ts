// The real `edgebench` bin: drives list, flash with --json events, confirmation, exit codes and
// the records it leaves in the store.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli';
import { REPO_ROOT, skipReason } from '../helpers/env';
import { createApp } from '../../main/app';
import { Bench, sameBytes } from './util';

const built = fs.existsSync(path.join(REPO_ROOT, 'dist', 'main', 'cli.cjs'))
  ? undefined
  : 'run npm run build';

describe.skipIf(built)('edgebench drives / flash (real bin)', () => {
  const b = new Bench('eb-flashcli-');
  const data = path.join(b.dir, 'data');
  afterAll(() => b.cleanup());

  it('lists drives as JSON, hidden ones only with --all and with their reason', () => {
    const r = runCli(['drives', 'list', '--json']);
    expect(r.code).toBe(0);
    const visible = JSON.parse(r.stdout).drives as Array<{ path: string; hidden?: unknown }>;
    expect(visible.every((d) => !d.hidden)).toBe(true);
    const all = JSON.parse(runCli(['drives', 'list', '--all', '--json']).stdout).drives as Array<{
      path: string;
      hidden?: { code: string; message: string };
    }>;
    expect(all.length).toBeGreaterThanOrEqual(visible.length);
    for (const d of all.filter((x) => /zram|loop|ram\d/.test(x.path))) expect(d.hidden?.message).toBeTruthy();
    const text = runCli(['drives', 'list', '--all']).stdout;
    expect(text).toMatch(/PATH\s+SIZE\s+BUS/);
  });

  it('refuses without --yes when stdin is not a terminal (ENOTCONFIRMED, exit 7) and writes nothing', () => {
    const img = b.image('c.img', 2);
    const out = path.join(b.dir, 'never.img');
    const r = runCli(['flash', '--image', img, '--target', out], { dataDir: data, input: '' });
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('ENOTCONFIRMED');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('flashes two files with --yes --json: progress events, a result per target, exit 0, records', async () => {
    const img = b.image('j.img', 6);
    const outs = [path.join(b.dir, 'j1.img'), path.join(b.dir, 'j2.img')];
    const r = runCli(['flash', '--image', img, '--target', outs[0], '--target', outs[1], '--yes', '--json'], {
      dataDir: data,
    });
    expect(r.code).toBe(0);
    const ev = jsonLines(r.stdout);
    expect(ev.some((e) => e.type === 'progress' && e.item === outs[0])).toBe(true);
    const results = ev.filter((e) => e.type === 'result');
    expect(results.map((e) => [e.target, e.ok, e.verified])).toEqual([
      [outs[0], true, true],
      [outs[1], true, true],
    ]);
    expect(ev.at(-1)).toMatchObject({ type: 'summary', ok: true, failed: 0, total: 2 });
    for (const o of outs) expect(sameBytes(img, o)).toBe(true);
    const app = createApp({ dataDir: data });
    const recs = await app.store.flash.list();
    expect(recs.filter((x) => outs.includes(x.drivePath))).toHaveLength(2);
    await app.close();
  });

  it('records on a known host and shows the write in its history', async () => {
    const app = createApp({ dataDir: data });
    await app.store.hosts.upsert({ id: 'edge-007', values: {} });
    await app.close();
    const img = b.image('h.img', 1);
    const out = path.join(b.dir, 'h.img.out');
    const r = runCli(['flash', '--image', img, '--target', out, '--yes', '--host', 'edge-007'], {
      dataDir: data,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/OK\s+.*verified/);
    const app2 = createApp({ dataDir: data });
    const events = await app2.store.hosts.events('edge-007');
    expect(events.some((e) => e.kind === 'flash' && e.message.includes(out))).toBe(true);
    expect((await app2.store.flash.list({ hostId: 'edge-007' }))[0]).toMatchObject({
      drivePath: out,
      ok: true,
    });
    await app2.close();
  });

  it('gives usage errors for a missing image or target', () => {
    expect(runCli(['flash', '--target', '/tmp/x.img', '--yes']).code).toBe(2);
    const r = runCli([
      'flash',
      '--image',
      path.join(b.dir, 'missing.img'),
      '--target',
      '/tmp/x.img',
      '--yes',
    ]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('ENOTFOUND');
  });

  it.skipIf(skipReason({ root: true, tools: ['losetup'] }))(
    'exits 4 (EPARTIAL) when one target fails and the others succeed, with the code per target',
    () => {
      const img = b.image('p.img', 16);
      const ro = b.loop(b.sparse('p-ro.img', 32), { readOnly: true });
      const ok = b.loop(b.sparse('p-ok.img', 32));
      const r = runCli(['flash', '--image', img, '--target', ro, '--target', ok, '--yes', '--json'], {
        dataDir: data,
      });
      expect(r.code).toBe(4);
      const res = jsonLines(r.stdout).filter((e) => e.type === 'result');
      expect(res.map((e) => [e.target, e.ok, e.code ?? null])).toEqual([
        [ro, false, 'EROFS'],
        [ok, true, null],
      ]);
      expect(sameBytes(img, ok)).toBe(true);
      const human = runCli(['flash', '--image', img, '--target', ro, '--target', ok, '--yes'], {
        dataDir: data,
      });
      expect(human.code).toBe(4);
      expect(human.stdout).toMatch(/FAIL\s+.*EROFS/);
      expect(human.stderr).toContain('EPARTIAL');
    },
  );

  it.skipIf(skipReason({ root: true }))('refuses the system drive with exit 7 unless typed back', () => {
    const drives = JSON.parse(runCli(['drives', 'list', '--json']).stdout).drives as Array<{
      path: string;
      isSystem: boolean;
    }>;
    const sys = drives.find((d) => d.isSystem);
    if (!sys) return;
    const img = b.image('s.img', 1);
    const r = runCli(['flash', '--image', img, '--target', sys.path, '--yes'], { dataDir: data });
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('ESYSTEMDRIVE');
    expect(r.stderr).toContain('--allow-system-drive');
  });
});

describe.skipIf(built)('edgebench flash: Ctrl-C through the helper', () => {
  const b = new Bench('eb-flashcli2-');
  afterAll(() => b.cleanup());

  it('cancels on SIGINT with exit 130, a cancelled result per target, and no helper left', async () => {
    const { spawn } = await import('node:child_process');
    const img = b.image('big.img', 256);
    const out = path.join(b.dir, 'cancel-out.img');
    const child = spawn(
      process.execPath,
      [
        path.join(REPO_ROOT, 'bin', 'edgebench.cjs'),
        '--data-dir',
        path.join(b.dir, 'data'),
        'flash',
        '--image',
        img,
        '--target',
        out,
        '--yes',
        '--json',
      ],
      {
        env: {
          ...process.env,
          EDGEBENCH_FLASH_VIA_HELPER: '1',
          EDGEBENCH_HELPER_NO_ELEVATION: '1',
          EB_TEST_MARK: b.dir,
        },
      },
    );
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!sent && /"type":"progress".*"phase":"flashing"/.test(stdout)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(sent).toBe(true);
    expect(code).toBe(130);
    expect(jsonLines(stdout).find((e) => e.type === 'result')).toMatchObject({
      target: out,
      ok: false,
      code: 'ECANCELLED',
    });
    // Processes that inherited this run's marker (the helper gets the CLI's environment).
    const marked = () =>
      fs
        .readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return fs.readFileSync(`/proc/${p}/environ`, 'utf8').includes(`EB_TEST_MARK=${b.dir}`);
          } catch {
            return false;
          }
        });
    const t0 = Date.now();
    while (marked().length && Date.now() - t0 < 8000) await new Promise((r) => setTimeout(r, 100));
    const helpers = marked();
    expect(helpers).toEqual([]);
  });
});

describe.skipIf(built ?? skipReason({ tools: ['script'] }))('edgebench flash on a terminal', () => {
  const b = new Bench('eb-flashtty-');
  afterAll(() => b.cleanup());
  // `script` runs the bin on a pseudo-terminal and forwards our input to it.
  const onTty = (args: string[], input: string) => {
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    const cmd = [process.execPath, path.join(REPO_ROOT, 'bin', 'edgebench.cjs'), ...args]
      .map((a) => `'${a}'`)
      .join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { input, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, out: r.stdout };
  };

  it('shows what will be erased and writes only after "yes"', () => {
    const img = b.image('t.img', 4);
    const out = path.join(b.dir, 'tty.img');
    const no = onTty(['--data-dir', path.join(b.dir, 'd'), 'flash', '--image', img, '--target', out], 'no\n');
    expect(no.out).toContain('These targets will be ERASED');
    expect(no.out).toContain(out);
    expect(no.out).toContain('ENOTCONFIRMED');
    expect(no.code).toBe(7);
    expect(fs.existsSync(out)).toBe(false);
    const yes = onTty(
      ['--data-dir', path.join(b.dir, 'd'), 'flash', '--image', img, '--target', out],
      'yes\n',
    );
    expect(yes.code).toBe(0);
    expect(yes.out).toMatch(/OK\s+.*verified/);
    expect(sameBytes(img, out)).toBe(true);
  });
});

describe.skipIf(built ?? skipReason({ root: true, tools: ['losetup'] }))(
  'edgebench flash: large drives',
  () => {
    const b = new Bench('eb-flashbig-');
    afterAll(() => b.cleanup());
    it('refuses a drive over 128 GB without --allow-large (ELARGEDRIVE, exit 7), writes it with it', () => {
      const img = b.image('l.img', 4);
      const big = b.loop(b.sparse('big.img', 200 * 1024));
      const no = runCli(['flash', '--image', img, '--target', big, '--yes'], {
        dataDir: path.join(b.dir, 'd'),
      });
      expect(no.code).toBe(7);
      expect(no.stderr).toContain('ELARGEDRIVE');
      const yes = runCli(['flash', '--image', img, '--target', big, '--yes', '--allow-large'], {
        dataDir: path.join(b.dir, 'd'),
      });
      expect(yes.code).toBe(0);
      expect(sameBytes(img, big)).toBe(true);
    });
  },
);
