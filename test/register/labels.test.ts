// QR labels decode back to the exact URL; the PDF sheet and the per-host files are written safely.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type AppContext } from '../../main/app';
import { labelData, labelSvg, labelsPdf, labelUrl, qrPng, writeLabels } from '../../main/register/labels';
import { BIN, runCliAsync } from '../helpers/cli';
import { skipReason } from '../helpers/env';

function decode(png: Buffer): string | undefined {
  const img = PNG.sync.read(png);
  return jsQR(
    new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length),
    img.width,
    img.height,
  )?.data;
}

describe('QR labels', () => {
  let dir: string;
  let app: AppContext;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-labels-'));
    app = createApp({ dataDir: path.join(dir, 'data') });
    await app.store.hosts.upsert({
      id: 'edge-7f3a-0001',
      serial: 'CZ2931XK',
      mac: '52:54:00:12:34:56',
      site: 'store-042',
      values: { hostName: 'till-1' },
    });
    await app.store.hosts.upsert({ id: 'edge_long-ID-with-unicode-ü', serial: 'X', values: {} });
  });
  afterAll(async () => {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('encodes registrationURL?uid=ID and decodes back to exactly that URL', async () => {
    for (const base of ['https://bench.example:8443/register', 'http://10.0.0.5:8080/register?site=a']) {
      for (const id of ['edge-7f3a-0001', 'edge_long-ID-with-unicode-ü']) {
        const url = labelUrl(base, id);
        expect(new URL(url).searchParams.get('uid')).toBe(id);
        expect(decode(await qrPng(url))).toBe(url);
      }
    }
  });

  it('writes PNG + SVG per host that decode, with the text lines', async () => {
    const host = (await app.store.hosts.get('edge-7f3a-0001'))!;
    const l = labelData(host, 'https://bench.example/register');
    expect(l.lines).toEqual([
      'ID: edge-7f3a-0001',
      'Name: till-1',
      'Serial: CZ2931XK',
      'MAC: 52:54:00:12:34:56',
      'Site: store-042',
    ]);
    const out = path.join(dir, 'labels');
    const r = await writeLabels(out, [l]);
    expect(r.files.map((f) => path.basename(f))).toEqual(['edge-7f3a-0001.png', 'edge-7f3a-0001.svg']);
    expect(decode(fs.readFileSync(r.files[0]))).toBe('https://bench.example/register?uid=edge-7f3a-0001');
    const svg = fs.readFileSync(r.files[1], 'utf8');
    expect(svg).toContain('Serial: CZ2931XK');
    expect(svg).toMatch(/^<svg[^>]+xmlns/);
    await expect(writeLabels(out, [l])).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await labelSvg({ ...l, lines: ['<script>'] })).not.toContain('<script>');
  });

  it('makes a PDF sheet with a page per 14 labels (A4) and every QR image', async () => {
    const ls = Array.from({ length: 15 }, (_, i) => ({
      hostId: `h${i}`,
      url: `https://b/register?uid=h${i}`,
      lines: [`ID: h${i}`],
    }));
    const pdf = await labelsPdf(ls, 'A4');
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-')).toBe(true);
    expect(text.match(/\/Type \/Page\b/g)?.length).toBe(2);
    // each QR is an RGBA PNG: one image XObject with a soft mask per label
    expect(text.match(/\/SMask \d+ 0 R/g)?.length).toBe(15);
    expect(text).toContain('/MediaBox [0 0 595.28 841.89]');
    expect((await labelsPdf(ls.slice(0, 1), 'Letter')).toString('latin1')).toContain(
      '/MediaBox [0 0 612 792]',
    );
  });

  it.skipIf(skipReason({ files: [BIN] }))('CLI writes a PDF, needs a URL, refuses to overwrite', async () => {
    const dataDir = path.join(dir, 'cli');
    await runCliAsync(['hosts', 'add', 'edge-l1', '--serial', 'S1'], { dataDir });
    let r = await runCliAsync(['labels', '--all', '-o', path.join(dir, 'x.pdf')], { dataDir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('registration URL');
    r = await runCliAsync(
      [
        'labels',
        '--hosts',
        'edge-l1',
        '--url',
        'https://b.example/register',
        '-o',
        path.join(dir, 'x.pdf'),
        '--json',
      ],
      { dataDir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim()).urls).toEqual(['https://b.example/register?uid=edge-l1']);
    expect(fs.readFileSync(path.join(dir, 'x.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    r = await runCliAsync(['labels', '--all', '-o', path.join(dir, 'x.pdf')], { dataDir });
    expect(r.code).toBe(6);
    r = await runCliAsync(['labels', '--hosts', 'nope', '-o', path.join(dir, 'y.pdf')], { dataDir });
    expect(r.code).toBe(5);
  });
});
