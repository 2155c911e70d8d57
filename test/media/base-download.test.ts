// `iso base add URL`: a streamed, resumable HTTPS download with SHA-256 check, against a local HTTPS
// server on 127.0.0.1 with a self-signed certificate made by openssl (trusted via --ca).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli, runCliAsync } from '../helpers/cli';
import { skipReason, tempDir } from '../helpers/env';
import { ensureInstallerFixture } from '../helpers/installer-fixture';

const fx = await ensureInstallerFixture();
const skip = fx.skipReason ?? skipReason({ tools: ['openssl'] });

describe.skipIf(!!skip)(`base ISO download over HTTPS${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const t = tempDir('eb-media-dl-');
  const data = path.join(t.dir, 'data');
  const key = path.join(t.dir, 'key.pem');
  const cert = path.join(t.dir, 'cert.pem');
  let server: https.Server;
  let base = '';
  let isoBytes: Buffer;
  let isoSha = '';
  const requests: Array<{ url: string; range?: string }> = [];
  /** When set, the next full-body response is cut off after this many bytes. */
  let cutAfter: number | undefined;

  beforeAll(async () => {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'ignore' }); // prettier-ignore
    isoBytes = fs.readFileSync(fx.iso);
    isoSha = crypto.createHash('sha256').update(isoBytes).digest('hex');
    server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
      requests.push({ url: req.url ?? '', range: req.headers.range });
      if (req.url === '/moved/installer.iso') {
        res.writeHead(302, { location: '/images/installer.iso' }).end();
        return;
      }
      if (req.url !== '/images/installer.iso') {
        res.writeHead(404).end();
        return;
      }
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const start = m ? Number(m[1]) : 0;
      const body = isoBytes.subarray(start);
      res.writeHead(m ? 206 : 200, {
        'content-length': body.length,
        ...(m ? { 'content-range': `bytes ${start}-${isoBytes.length - 1}/${isoBytes.length}` } : {}),
      });
      if (cutAfter !== undefined) {
        const n = cutAfter;
        cutAfter = undefined;
        res.write(body.subarray(0, n), () => res.destroy());
      } else res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    t.cleanup();
  });

  it('refuses an untrusted certificate with a hint', async () => {
    const r = await runCliAsync(['iso', 'base', 'add', `${base}/images/installer.iso`], { dataDir: data });
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/ENETWORK: TLS check failed for 127\.0\.0\.1.*--ca FILE or NODE_EXTRA_CA_CERTS/);
  });

  it('an interrupted download resumes with Range and is checked against --sha256', async () => {
    cutAfter = 5 * 1024 * 1024;
    requests.length = 0;
    const first = await runCliAsync(
      ['iso', 'base', 'add', `${base}/images/installer.iso`, '--ca', cert, '--sha256', isoSha],
      {
        dataDir: data,
      },
    );
    expect(first.code).toBe(8);
    expect(first.stderr).toMatch(/ENETWORK: .*(broke off|ended at).*run .*again to resume/);
    const part = path.join(data, 'base-isos', 'installer.iso.part');
    expect(fs.statSync(part).size).toBeGreaterThan(0);
    expect(fs.statSync(part).size).toBeLessThan(isoBytes.length);

    const second = await runCliAsync(
      ['iso', 'base', 'add', `${base}/moved/installer.iso`, '--ca', cert, '--sha256', isoSha, '--json'],
      { dataDir: data },
    );
    expect(second.code, second.stderr).toBe(0);
    expect(requests.some((q) => q.range && /^bytes=\d+-$/.test(q.range))).toBe(true);
    const lines = jsonLines(second.stdout);
    expect(lines.some((l) => l.type === 'progress' && l.phase === 'download')).toBe(true);
    const res = lines.find((l) => l.ok);
    expect(res.base.sha256).toBe(isoSha);
    expect(res.base.volumeId).toBe('COS_LIVE');
    expect(fs.existsSync(part)).toBe(false);
    expect(crypto.createHash('sha256').update(fs.readFileSync(res.base.path)).digest('hex')).toBe(isoSha);

    const list = jsonLines(runCli(['iso', 'base', 'list', '--json'], { dataDir: data }).stdout)[0];
    expect(list.bases.map((b: { sha256: string }) => b.sha256)).toEqual([isoSha]);
  });

  it('a wrong --sha256 is refused with ECHECKSUM and the download discarded', async () => {
    const wrong = 'ab'.repeat(32);
    const r = await runCliAsync(
      [
        'iso',
        'base',
        'add',
        `${base}/images/installer.iso`,
        '--ca',
        cert,
        '--sha256',
        wrong,
        '--name',
        'other',
      ],
      { dataDir: path.join(t.dir, 'data2') },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`ECHECKSUM: .* has SHA-256 ${isoSha}, expected ${wrong}; the download was discarded`),
    );
    expect(fs.readdirSync(path.join(t.dir, 'data2', 'base-isos'))).toEqual([]);
  });

  it('a stored base can be used by its ID for a build', () => {
    const list = jsonLines(runCli(['iso', 'base', 'list', '--json'], { dataDir: data }).stdout)[0];
    const ud = path.join(t.dir, 'ud.yaml');
    fs.writeFileSync(
      ud,
      '#cloud-config\nstylus:\n  site:\n    paletteEndpoint: api.spectrocloud.com\n    edgeHostToken: x\n',
    );
    const out = path.join(t.dir, 'from-id.iso');
    const r = runCli(['iso', 'build', '--base', list.bases[0].id, '--user-data', ud, '-o', out, '--json'], {
      dataDir: data,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout).find((l) => l.ok).baseSha256).toBe(isoSha);
  });
});
