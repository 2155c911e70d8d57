// The staging CLI as a user runs it (the real bin): a bad manifest is refused with every issue by
// row and column and nothing starts; --check on a good one; the report route of `edgebench serve`
// needs the token; inventory export refuses to overwrite without --force.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../main/app';
import { startServer } from '../../main/server/serve';
import { BIN, jsonLines, runCliAsync } from '../helpers/cli';
import { skipReason, tempDir } from '../helpers/env';
import { ensureInstallerFixture } from '../helpers/installer-fixture';
import { copyFixture, manifestCsv, seedDataDir, SITES_YAML } from './lab';

const ENV = { EDGEBENCH_NO_KEYCHAIN: '1' };

describe.skipIf(skipReason({ files: [BIN] }))('edgebench stage / report / inventory (CLI)', () => {
  let work: ReturnType<typeof tempDir>;
  let dataDir: string;
  let sites: string;
  beforeAll(async () => {
    work = tempDir('ebst-cli-');
    dataDir = path.join(work.dir, 'data');
    await seedDataDir(dataDir);
    sites = path.join(work.dir, 'sites.yaml');
    fs.writeFileSync(sites, SITES_YAML);
  });
  afterAll(() => work?.cleanup());
  const cli = (args: string[]) => runCliAsync(args, { dataDir, env: ENV });

  it('refuses a bad manifest with row and column for every issue, exit 1, and starts nothing', async () => {
    const bad = path.join(work.dir, 'bad.csv');
    fs.writeFileSync(
      bad,
      'name,mac,site,profile,ip,delivery\nedge/1,52:54:00:00:00:01,lab,retail,10.77.0.5,usb\nedge-2,52:54:00:00:00:01,lab,nope,10.77.1.5,usb\n',
    );
    const r = await cli(['stage', '--manifest', bad, '--sites', sites, '--image', '/nonexistent.iso']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.csv: row 2, column 1 (A2, name): error:');
    expect(r.stderr).toContain(
      'bad.csv: row 3, column 2 (B3, mac): error: MAC address "52:54:00:00:00:01" is already used at B2',
    );
    expect(r.stderr).toContain('row 3, column 4 (D3, profile)');
    expect(r.stderr).toContain('row 3, column 5 (E3, ip)');
    expect(r.stdout).toMatch(/4 error\(s\); nothing was started/);
    const j = await cli(['stage', '--manifest', bad, '--sites', sites, '--json']);
    expect(j.code).toBe(1);
    expect(jsonLines(j.stdout)[0].check.issues).toHaveLength(4);
    expect((await cli(['stage', 'list'])).stdout).toContain('No staging runs.');
  });

  it('--check validates a good manifest without starting; USB hosts without --image are a usage error', async () => {
    const good = path.join(work.dir, 'good.csv');
    fs.writeFileSync(good, manifestCsv({ usb: 3, pxe: 1, macBase: 0x61 }));
    const r = await cli(['stage', '--manifest', good, '--sites', sites, '--check']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('valid: 4 hosts (3 USB, 1 PXE)');
    const u = await cli(['stage', '--manifest', good, '--sites', sites]);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('--image');
    expect((await cli(['stage', 'list'])).stdout).toContain('No staging runs.');
  });

  it('serves the report behind the token, exports the inventory, and never overwrites without --force', async () => {
    const fx = await ensureInstallerFixture();
    if (fx.skipReason) return;
    const iso = copyFixture(fx.iso, work.dir);
    const m = path.join(work.dir, 'one.csv');
    fs.writeFileSync(m, manifestCsv({ usb: 2, pxe: 0, prefix: 'srv', macBase: 0x62 }));
    const r = await cli(['stage', '--manifest', m, '--sites', sites, '--image', iso, '--json']);
    expect(r.code, r.stdout.slice(-1500)).toBe(0);
    const end = jsonLines(r.stdout).at(-1);
    expect(end).toMatchObject({ ok: true, state: 'done' });
    // Labels: one SVG per host and a printable sheet of all of them.
    const labels = path.join(dataDir, 'staging', end.runId, 'labels');
    expect(fs.readdirSync(labels).sort()).toEqual(['labels.pdf', 'srv-001.svg', 'srv-002.svg']);
    expect(fs.readFileSync(path.join(labels, 'labels.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    expect(fs.readFileSync(path.join(labels, 'srv-001.svg'), 'utf8')).toContain('ID: srv-001');
    // Same manifest again: same run, nothing to do.
    const again = await cli(['stage', '--manifest', m, '--sites', sites, '--image', iso, '--json']);
    expect(jsonLines(again.stdout).at(-1)).toMatchObject({ runId: end.runId, alreadyDone: true });

    const app = createApp({ dataDir });
    const srv = await startServer({ app, host: '127.0.0.1', port: 0, rendererDir: work.dir });
    try {
      expect((await fetch(`${srv.url}/staging/reports/${end.runId}.html`)).status).toBe(401);
      const ok = await fetch(`${srv.url}/staging/reports/${end.runId}.html?token=${srv.token}`);
      expect(ok.status).toBe(200);
      const html = await ok.text();
      expect(html).toContain('data-host="srv-001"');
      expect(html).toContain('@media print');
      expect(html).not.toMatch(/<script|<link|src="http/);
      const csv = await fetch(`${srv.url}/staging/reports/${end.runId}.csv`, {
        headers: { Authorization: `Bearer ${srv.token}` },
      });
      expect(csv.headers.get('content-type')).toContain('text/csv');
      expect((await csv.text()).split('\r\n')[1]).toContain('srv-001');
      expect(
        (await fetch(`${srv.url}/staging/reports/run-000000000000.html?token=${srv.token}`)).status,
      ).toBe(404);
    } finally {
      await srv.close();
      await app.close();
    }

    const out = path.join(work.dir, 'inv.json');
    expect((await cli(['inventory', 'export', '--format', 'json', '-o', out])).code).toBe(0);
    const inv = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(inv.hosts.map((h: { hostId: string }) => h.hostId)).toEqual(['srv-001', 'srv-002']);
    expect(inv.hosts[0]).toMatchObject({
      state: 'staged',
      site: 'lab',
      userDataSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const again2 = await cli(['inventory', 'export', '--format', 'csv', '-o', out]);
    expect(again2.code).toBe(6);
    expect(fs.readFileSync(out, 'utf8')).toContain('"hostId"');
    expect((await cli(['report', end.runId, '-o', path.join(work.dir, 'r.pdf')])).code).toBe(2);
  }, 180_000);
  it('--pause-between-batches waits for Enter before writing the next batch to the same drives', async () => {
    const fx = await ensureInstallerFixture();
    if (fx.skipReason) return;
    const iso = copyFixture(fx.iso, work.dir);
    const m = path.join(work.dir, 'batches.csv');
    fs.writeFileSync(m, manifestCsv({ usb: 3, pxe: 0, prefix: 'bat', macBase: 0x63 }));
    const t1 = path.join(work.dir, 'stick-a.img');
    const t2 = path.join(work.dir, 'stick-b.img');
    const child = spawn(
      process.execPath,
      [
        BIN,
        '--data-dir',
        dataDir,
        'stage',
        '--manifest',
        m,
        '--sites',
        sites,
        '--image',
        iso,
        '--target',
        t1,
        '--target',
        t2,
        '--pause-between-batches',
        '--json',
      ],
      { env: { ...process.env, ...ENV }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const prompted = new Promise<void>((resolve) =>
      child.stderr.on('data', (d) => {
        stderr += d;
        if (stderr.includes('press Enter')) resolve();
      }),
    );
    const closed = new Promise<number | null>((r) => child.on('close', r));
    const first = await Promise.race([prompted.then(() => 'prompt'), closed.then((c) => `exit ${c}`)]);
    expect(first, `${stderr.slice(-1500)}\n${stdout.slice(-1500)}`).toBe('prompt');
    expect(stderr).toContain(`Batch 2 of 2: put fresh drives into ${t1} (for bat-003), then press Enter.`);
    // Nothing of batch 2 is written while the prompt waits.
    await new Promise((r) => setTimeout(r, 1000));
    const events = jsonLines(stdout).filter((e) => e.hostId === 'bat-003' && e.step === 'deliver');
    expect(events.every((e) => e.state === 'pending')).toBe(true);
    child.stdin.write('\n');
    const code = await closed;
    expect(code, stderr.slice(-1000)).toBe(0);
    expect(jsonLines(stdout).at(-1)).toMatchObject({ ok: true, state: 'done' });
    expect(stderr.match(/press Enter/g)).toHaveLength(1);
  }, 180_000);
});
