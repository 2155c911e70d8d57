// The privileged helper (dist/main/helper.cjs) and its protocol, started without elevation
// (EDGEBENCH_HELPER_NO_ELEVATION=1, test-only): token, strict schemas, allowed paths, lifetime.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { HelperClient } from '../../main/privileged/client';
import { newToken, tokenHash } from '../../main/privileged/protocol';
import { flashImage } from '../../main/flash/service';
import { isRoot, REPO_ROOT, skipReason } from '../helpers/env';
import { Bench, sameBytes } from './util';

const HELPER = path.join(REPO_ROOT, 'dist', 'main', 'helper.cjs');
const built = fs.existsSync(HELPER) ? undefined : 'helper not built: run npm run build';
const env = { ...process.env, EDGEBENCH_HELPER_NO_ELEVATION: '1' };

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const waitGone = async (pid: number, ms = 8000) => {
  const t0 = Date.now();
  while (alive(pid) && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
};

/** A raw helper process with its output lines as an async queue. */
function rawHelper(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [HELPER, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...extraEnv },
  });
  const lines: any[] = [];
  const waiters: Array<() => void> = [];
  readline.createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(JSON.parse(l));
    waiters.splice(0).forEach((f) => f());
  });
  const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return {
    child,
    exit,
    send: (m: unknown) => child.stdin!.write((typeof m === 'string' ? m : JSON.stringify(m)) + '\n'),
    async next(): Promise<any> {
      while (!lines.length) await new Promise<void>((r) => waiters.push(r));
      return lines.shift();
    },
  };
}

describe.skipIf(built)('privileged helper protocol', () => {
  const b = new Bench('eb-helper-');
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    b.cleanup();
  });
  const token = newToken();
  const start = (extra: string[] = [], extraEnv: NodeJS.ProcessEnv = {}) => {
    const h = rawHelper(['--token-sha256', tokenHash(token), '--allow-dir', b.dir, ...extra], extraEnv);
    children.push(h.child);
    return h;
  };

  it('says ready, then refuses a wrong token and stops', async () => {
    const h = start();
    expect(await h.next()).toMatchObject({ t: 'ready', v: 1 });
    h.send({ v: 1, id: 'a', token: newToken(), op: 'listDrives' });
    expect(await h.next()).toMatchObject({ t: 'result', id: 'a', ok: false, error: { code: 'EAUTH' } });
    expect(await h.exit).toBe(77);
  });

  it('refuses malformed messages, unknown operations and extra fields, and keeps serving', async () => {
    const h = start();
    await h.next();
    h.send('this is not json');
    expect((await h.next()).error.code).toBe('EPROTOCOL');
    h.send({ v: 1, id: 'b', token, op: 'format', args: {} });
    expect(await h.next()).toMatchObject({ id: 'b', ok: false, error: { code: 'EPROTOCOL' } });
    h.send({ v: 1, id: 'c', token, op: 'listDrives', shell: 'rm -rf /' });
    expect(await h.next()).toMatchObject({ id: 'c', ok: false, error: { code: 'EPROTOCOL' } });
    h.send({
      v: 1,
      id: 'd',
      token,
      op: 'flash',
      args: { images: ['/x.img'], targets: ['/y.img'], options: { verify: true, force: true } },
    });
    expect(await h.next()).toMatchObject({ id: 'd', ok: false, error: { code: 'EPROTOCOL' } });
    h.send({
      v: 1,
      id: 'e',
      token,
      op: 'flash',
      args: { images: ['rel.img'], targets: ['/y'], options: { verify: true } },
    });
    expect(await h.next()).toMatchObject({ id: 'e', ok: false, error: { code: 'EPROTOCOL' } });
    h.send({ v: 1, id: 'f', token, op: 'listDrives' });
    const r = await h.next();
    expect(r).toMatchObject({ id: 'f', ok: true });
    expect(Array.isArray(r.value.drives)).toBe(true);
    h.child.stdin!.end();
    expect(await h.exit).toBe(0);
  });

  it('refuses target files outside the allowed folders, symlinks, and missing or non-file images', async () => {
    const h = start();
    await h.next();
    const img = b.image('h.img', 1);
    const flash = (id: string, images: string[], targets: string[]) =>
      h.send({ v: 1, id, token, op: 'flash', args: { images, targets, options: { verify: true } } });
    flash('o1', [img], ['/var/tmp/edgebench-helper-test-outside.img']);
    expect(await h.next()).toMatchObject({ id: 'o1', ok: false, error: { code: 'EPERM' } });
    expect(fs.existsSync('/var/tmp/edgebench-helper-test-outside.img')).toBe(false);
    flash('o2', [img], [path.join(b.dir, '..', 'escape.img')]);
    expect(await h.next()).toMatchObject({ id: 'o2', ok: false, error: { code: 'EPERM' } });
    fs.symlinkSync('/etc/hostname', path.join(b.dir, 'link.img'));
    flash('o3', [img], [path.join(b.dir, 'link.img')]);
    expect(await h.next()).toMatchObject({ id: 'o3', ok: false, error: { code: 'EPERM' } });
    flash('o4', [path.join(b.dir, 'missing.img')], [path.join(b.dir, 'out.img')]);
    expect(await h.next()).toMatchObject({ id: 'o4', ok: false, error: { code: 'ENOTFOUND' } });
    flash('o5', ['/dev/null'], [path.join(b.dir, 'out.img')]);
    expect(await h.next()).toMatchObject({ id: 'o5', ok: false, error: { code: 'EINVALID' } });
    flash('o6', ['/etc'], [path.join(b.dir, 'out.img')]);
    expect(await h.next()).toMatchObject({ id: 'o6', ok: false, error: { code: 'EINVALID' } });
    expect(fs.readFileSync('/etc/hostname', 'utf8').length).toBeGreaterThan(0);
    h.child.stdin!.end();
    await h.exit;
  });

  it.skipIf(!isRoot)('gives image files it creates to the user who asked (SUDO_UID), not root', async () => {
    const h = start([], { SUDO_UID: '65534' });
    await h.next();
    const img = b.image('own.img', 1);
    fs.chmodSync(img, 0o644);
    fs.chmodSync(b.dir, 0o755); // the user must be able to reach the image
    const out = path.join(b.dir, 'own-out.img');
    h.send({
      v: 1,
      id: 'w',
      token,
      op: 'flash',
      args: { images: [img], targets: [out], options: { verify: true } },
    });
    let m = await h.next();
    while (m.t === 'progress') m = await h.next();
    expect(m).toMatchObject({ id: 'w', ok: true });
    expect(fs.statSync(out).uid).toBe(65534);
    // and an image that user cannot read is refused
    const secret = b.image('secret.img', 1);
    fs.chmodSync(secret, 0o600);
    h.send({
      v: 1,
      id: 's',
      token,
      op: 'flash',
      args: { images: [secret], targets: [path.join(b.dir, 's.img')], options: { verify: true } },
    });
    expect(await h.next()).toMatchObject({ id: 's', ok: false, error: { code: 'EACCES' } });
    // a readable image in a folder that user cannot enter is refused too
    const closed = path.join(b.dir, 'closed');
    fs.mkdirSync(closed, { mode: 0o700 });
    const hidden = path.join(closed, 'hidden.img');
    fs.copyFileSync(img, hidden);
    fs.chmodSync(hidden, 0o644);
    h.send({
      v: 1,
      id: 'c',
      token,
      op: 'flash',
      args: { images: [hidden], targets: [path.join(b.dir, 'c.img')], options: { verify: true } },
    });
    expect(await h.next()).toMatchObject({ id: 'c', ok: false, error: { code: 'EACCES' } });
    h.child.stdin!.end();
    await h.exit;
  });

  it('flashes through the client and streams progress per target', async () => {
    const c = new HelperClient({ env, allowDirs: [b.dir] });
    await c.start();
    expect(c.elevated).toBe(false);
    const img = b.image('c.img', 4);
    const out = path.join(b.dir, 'c-out.img');
    const items = new Set<string>();
    const jobs = await c.flash(
      { images: [img], targets: [out], options: { verify: true } },
      { onProgress: (e) => items.add(`${e.item}:${e.phase}`) },
    );
    expect(jobs[0].results[0]).toMatchObject({ target: out, ok: true, verified: true });
    expect(items.has(`${out}:verifying`)).toBe(true);
    expect(sameBytes(img, out)).toBe(true);
    const pid = c.pid!;
    await c.close();
    expect(await waitGone(pid)).toBe(true);
  });

  it('exits when its parent process goes away', async () => {
    // A stand-in parent: the helper watches its pid (and its stdin); killing it must end the helper.
    const parent = spawn('sleep', ['60']);
    children.push(parent);
    const h = start(['--parent-pid', String(parent.pid)]);
    const ready = await h.next();
    expect(alive(ready.pid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await h.exit).toBe(0);
    expect(alive(ready.pid)).toBe(false);
  });

  it('exits when the parent dies abruptly (stdin closes)', async () => {
    const script = path.join(b.dir, 'parent.cjs');
    fs.writeFileSync(
      script,
      `const { spawn } = require('child_process');
       const c = spawn(process.execPath, [${JSON.stringify(HELPER)}, '--token-sha256', '${tokenHash(token)}'], { stdio: ['pipe', 'pipe', 'inherit'] });
       c.stdout.once('data', () => { console.log(c.pid); process.kill(process.pid, 'SIGKILL'); });`,
    );
    const p = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((r) => p.stdout!.once('data', (d) => r(Number(String(d).trim()))));
    expect(pid).toBeGreaterThan(1);
    expect(await waitGone(pid)).toBe(true);
  });
});

describe.skipIf(built ?? skipReason({ root: true, tools: ['losetup'] }))('helper end to end (root)', () => {
  const b = new Bench('eb-helper2-');
  afterAll(() => b.cleanup());

  it('writes a loop device through the helper, and cancel mid-write leaves no helper process', async () => {
    const img = b.image('e.img', 24);
    const dev = b.loop(b.sparse('e-loop.img', 32));
    const r = await flashImage({ image: img, targets: [dev], via: 'helper', env });
    expect(r.via).toBe('helper');
    expect(r.results[0]).toMatchObject({ ok: true, verified: true });
    expect(sameBytes(img, dev)).toBe(true);

    const big = b.image('big.img', 256);
    const dev2 = b.loop(b.sparse('e-loop2.img', 300));
    const ac = new AbortController();
    const helpersBefore = helperPids();
    await expect(
      flashImage({
        image: big,
        targets: [dev2],
        via: 'helper',
        env,
        signal: ac.signal,
        onProgress: (e) => {
          if (e.phase === 'flashing' && (e.bytesDone ?? 0) > 0) ac.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'ECANCELLED' });
    const t0 = Date.now();
    while (helperPids().length > helpersBefore.length && Date.now() - t0 < 8000)
      await new Promise((r) => setTimeout(r, 100));
    expect(helperPids().filter((p) => !helpersBefore.includes(p))).toEqual([]);
  });
});

/** Running helper processes started from this repo's build (by their command line). */
function helperPids(): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes(HELPER) && Number(d) !== process.pid) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

describe('how the helper is started', () => {
  it('plans pkexec on Linux (or says it is missing), a plain child only with the test switch', async () => {
    const { launchPlan } = await import('../../main/privileged/elevation');
    const { hasTool } = await import('../helpers/env');
    const env: NodeJS.ProcessEnv = { ...process.env, EDGEBENCH_HELPER_PATH: HELPER };
    delete env.EDGEBENCH_HELPER_NO_ELEVATION;
    if (process.platform === 'linux') {
      if (hasTool('pkexec')) {
        const plan = launchPlan(['--token-sha256', 'x'], env);
        expect(plan).toMatchObject({ how: 'pkexec', elevated: true });
        expect(plan.args).toEqual([process.execPath, HELPER, '--token-sha256', 'x']);
      } else {
        expect(() => launchPlan([], env)).toThrow(
          expect.objectContaining({ code: 'EHELPER', message: expect.stringContaining('pkexec') }),
        );
      }
    }
    const plain = launchPlan(['a'], { ...env, EDGEBENCH_HELPER_NO_ELEVATION: '1' });
    expect(plain).toMatchObject({
      how: 'plain',
      elevated: false,
      command: process.execPath,
      args: [HELPER, 'a'],
    });
  });

  it('writes in-process as root, through the helper when forced or when an unprivileged user targets a drive', async () => {
    const { chooseVia } = await import('../../main/flash/service');
    const { isRoot } = await import('../helpers/env');
    expect(chooseVia({ targets: ['/tmp/x.img'], env: {} })).toBe('in-process');
    expect(chooseVia({ targets: ['/tmp/x.img'], env: { EDGEBENCH_FLASH_VIA_HELPER: '1' } })).toBe('helper');
    expect(chooseVia({ targets: ['/dev/loop0'], env: {} })).toBe(isRoot ? 'in-process' : 'helper');
  });
});

describe('who the helper works for', () => {
  it('takes the caller from PKEXEC_UID with the groups /etc gives that user, never root', async () => {
    const { callerFromEnv, groupsOf } = await import('../../main/privileged/elevation');
    const etc = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-etc-'));
    try {
      fs.writeFileSync(
        path.join(etc, 'passwd'),
        'root:x:0:0::/root:/bin/sh\ntech:x:1000:1000::/home/tech:/bin/sh\n',
      );
      fs.writeFileSync(path.join(etc, 'group'), 'root:x:0:\ndisk:x:6:tech\ntech:x:1000:\nstaff:x:50:other\n');
      expect(groupsOf(1000, etc).sort((a, b) => a - b)).toEqual([6, 1000]);
      expect(groupsOf(4242, etc)).toEqual([]);
    } finally {
      fs.rmSync(etc, { recursive: true, force: true });
    }
    expect(callerFromEnv({ PKEXEC_UID: 'nonsense' })).toEqual({ uid: 65534, gids: [] });
    expect(callerFromEnv({ PKEXEC_UID: '0' }).uid).toBe(0);
    expect(callerFromEnv({ SUDO_UID: '1000' }).uid).toBe(1000);
  });
});
