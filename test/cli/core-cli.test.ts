// The real `edgebench` bin: global behaviour, exit codes, hosts and serve.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, jsonLines, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/env';

let tmp: { dir: string; cleanup(): void };
beforeAll(() => {
  tmp = tempDir('eb-cli-');
});
afterAll(() => tmp.cleanup());

describe('edgebench CLI basics', () => {
  it('--help lists the commands and the exit codes; --version prints the version', () => {
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/serve \[options\]/);
    expect(help.stdout).toMatch(/Exit codes:[\s\S]*130\s+cancelled/);
    const v = runCli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('usage errors exit 2, with a JSON error under --json', () => {
    expect(runCli(['no-such-command']).code).toBe(2);
    const r = runCli(['--json', 'hosts', 'list', '--bogus']);
    expect(r.code).toBe(2);
    expect(jsonLines(r.stdout)[0]).toMatchObject({ ok: false, error: { code: 'EUSAGE' } });
  });

  it('hosts add, list, show and remove through the store in --data-dir', () => {
    const d = ['--data-dir', tmp.dir];
    const add = runCli([
      ...d,
      'hosts',
      'add',
      'edge-bench-01',
      '--mac',
      '52:54:00:12:34:56',
      '--site',
      'plant-7',
      '--set',
      'ipAddress=10.1.0.11',
      '--tag',
      'rack=3',
      '--json',
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(jsonLines(add.stdout)[0].host).toMatchObject({
      id: 'edge-bench-01',
      values: { ipAddress: '10.1.0.11', tags: { rack: '3' } },
    });
    const list = runCli([...d, '--json', 'hosts', 'list', '--site', 'plant-7']);
    expect(jsonLines(list.stdout)[0].hosts.map((h: any) => h.id)).toEqual(['edge-bench-01']);
    const text = runCli([...d, 'hosts', 'list']);
    expect(text.stdout).toMatch(/edge-bench-01\s+52:54:00:12:34:56/);
    const conflict = runCli([...d, 'hosts', 'add', 'edge-bench-02', '--mac', '52-54-00-12-34-56']);
    expect(conflict.code).toBe(8);
    expect(conflict.stderr).toMatch(/ECONFLICT: MAC 52:54:00:12:34:56 already belongs to host edge-bench-01/);
    const missing = runCli([...d, 'hosts', 'show', 'nope']);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/ENOTFOUND: no host with ID nope/);
    expect(runCli([...d, 'hosts', 'remove', 'edge-bench-01']).code).toBe(0);
    expect(runCli([...d, 'hosts', 'show', 'edge-bench-01']).code).toBe(5);
  });

  it('serve refuses a bad --listen with a usage error', () => {
    const r = runCli(['--data-dir', tmp.dir, 'serve', '--listen', 'nonsense']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--listen takes ADDR:PORT/);
  });

  it('serve prints a token URL, serves the UI with it, refuses without it, and stops on SIGINT', async () => {
    const child = spawn(process.execPath, [
      BIN,
      '--data-dir',
      tmp.dir,
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--json',
    ]);
    let out = '';
    const first = await new Promise<any>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      child.on('exit', (c) => reject(new Error(`serve exited ${c}`)));
    });
    expect(first.openUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
    expect((await fetch(first.url + '/')).status).toBe(401);
    const page = await fetch(first.openUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="root">/);
    expect(page.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGINT');
    });
    expect(code).toBe(0);
  });
});
