// QR labels: per host a QR code for `${registrationURL}?uid=${id}` (Palette's own parameter name
// is not public; Edgebench's registration page reads `uid`), plus ID, name, serial, MAC and site
// as text. Output: SVG/PNG per label, or a printable PDF sheet (A4 or Letter grid).
import fs from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { Host } from '../../shared/contract/hosts';
import { AppError } from '../../shared/errors';
import type { AppContext } from '../app';
import { writeFileAtomic } from '../core/fs-safe';

export const LABEL_URL_KEY = 'register.registrationURL';

export async function getRegistrationURL(app: AppContext): Promise<string | undefined> {
  return app.store.settings.get<string>(LABEL_URL_KEY);
}

export async function setRegistrationURL(app: AppContext, url: string): Promise<string> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AppError('EINVALID', `"${url}" is not a URL (e.g. https://bench.example:8080/register)`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new AppError('EINVALID', 'the registration URL must be http(s)');
  await app.store.settings.set(LABEL_URL_KEY, url);
  return url;
}

export function labelUrl(registrationURL: string, hostId: string): string {
  const u = new URL(registrationURL);
  u.searchParams.set('uid', hostId);
  return u.toString();
}

export interface LabelData {
  hostId: string;
  url: string;
  lines: string[];
}

export function labelData(host: Host, registrationURL: string): LabelData {
  const lines = [
    `ID: ${host.id}`,
    ...(host.values.hostName && host.values.hostName !== host.id ? [`Name: ${host.values.hostName}`] : []),
    ...(host.serial ? [`Serial: ${host.serial}`] : []),
    ...(host.mac ? [`MAC: ${host.mac}`] : []),
    ...(host.site ? [`Site: ${host.site}`] : []),
  ];
  return { hostId: host.id, url: labelUrl(registrationURL, host.id), lines };
}

const QR_OPTS = { errorCorrectionLevel: 'M' as const, margin: 2 };

export async function qrPng(url: string, width = 360): Promise<Buffer> {
  return QRCode.toBuffer(url, { ...QR_OPTS, type: 'png', width });
}

function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** A whole label as SVG: the QR code on the left, the text lines on the right. */
export async function labelSvg(l: LabelData): Promise<string> {
  const qr = await QRCode.toString(l.url, { ...QR_OPTS, type: 'svg' });
  const inner = qr.replace(/^<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '');
  const vb = /viewBox="([^"]+)"/.exec(qr)?.[1] ?? '0 0 33 33';
  const text = l.lines
    .map(
      (t, i) =>
        `<text x="150" y="${28 + i * 20}" font-family="monospace" font-size="${i === 0 ? 15 : 13}"${i === 0 ? ' font-weight="bold"' : ''}>${esc(t)}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="420" height="140" viewBox="0 0 420 140"><rect width="420" height="140" fill="#fff"/><svg x="5" y="5" width="130" height="130" viewBox="${vb}">${inner}</svg>${text}</svg>`;
}

export async function hostsForLabels(app: AppContext, hostIds: string[], site?: string): Promise<Host[]> {
  if (!hostIds.length) {
    const all = await app.store.hosts.list({ site, limit: 100000 });
    if (!all.length)
      throw new AppError('ENOTFOUND', site ? `no hosts in site ${site}` : 'no hosts in the store');
    return all;
  }
  const out: Host[] = [];
  for (const id of hostIds) {
    const h = await app.store.hosts.get(id);
    if (!h) throw new AppError('ENOTFOUND', `no host ${id} in the store`);
    if (!site || h.site === site) out.push(h);
  }
  return out;
}

export async function requireRegistrationURL(app: AppContext, given?: string): Promise<string> {
  const url = given ?? (await getRegistrationURL(app));
  if (!url)
    throw new AppError(
      'EINVALID',
      'no registration URL is set: pass --url https://HOST:PORT/register or set it with `edgebench labels --set-url URL`',
    );
  return given ? (await setRegistrationURL(app, given), given) : url;
}

const PAPER = { A4: [595.28, 841.89], Letter: [612, 792] } as const;

/** A PDF sheet: 2 columns, labels 90 mm x 35 mm-ish, as many rows as fit, more pages as needed. */
export async function labelsPdf(labels: LabelData[], paper: 'A4' | 'Letter' = 'A4'): Promise<Buffer> {
  const [pw, ph] = PAPER[paper];
  const margin = 28;
  const cols = 2;
  const w = (pw - margin * 2) / cols;
  const h = 110;
  const rows = Math.floor((ph - margin * 2) / h);
  const doc = new PDFDocument({
    size: paper,
    margin,
    autoFirstPage: false,
    info: { Title: 'Edgebench host labels' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((res, rej) => {
    doc.on('end', () => res(Buffer.concat(chunks)));
    doc.on('error', rej);
  });
  for (let i = 0; i < labels.length; i++) {
    const slot = i % (cols * rows);
    if (slot === 0) doc.addPage();
    const x = margin + (slot % cols) * w;
    const y = margin + Math.floor(slot / cols) * h;
    const l = labels[i];
    doc
      .save()
      .lineWidth(0.3)
      .strokeColor('#bbbbbb')
      .rect(x + 2, y + 2, w - 4, h - 4)
      .stroke()
      .restore();
    doc.image(await qrPng(l.url, 300), x + 6, y + 6, { width: h - 12, height: h - 12 });
    let ty = y + 12;
    doc.fillColor('#000');
    l.lines.forEach((t, k) => {
      doc.font(k === 0 ? 'Courier-Bold' : 'Courier').fontSize(k === 0 ? 9.5 : 8.5);
      doc.text(t, x + h, ty, { width: w - h - 8, lineBreak: false, ellipsis: true });
      ty += k === 0 ? 15 : 12;
    });
  }
  if (!labels.length) doc.addPage();
  doc.end();
  return done;
}

/** Write labels: a .pdf file, or a folder of <id>.png and <id>.svg. */
export async function writeLabels(
  out: string,
  labels: LabelData[],
  opts: { paper?: 'A4' | 'Letter'; force?: boolean } = {},
): Promise<{ files: string[] }> {
  if (out.toLowerCase().endsWith('.pdf')) {
    await writeFileAtomic(out, await labelsPdf(labels, opts.paper), { force: opts.force });
    return { files: [out] };
  }
  fs.mkdirSync(out, { recursive: true });
  const files: string[] = [];
  for (const l of labels) {
    const png = path.join(out, `${l.hostId}.png`);
    const svg = path.join(out, `${l.hostId}.svg`);
    await writeFileAtomic(png, await qrPng(l.url), { force: opts.force });
    await writeFileAtomic(svg, await labelSvg(l), { force: opts.force });
    files.push(png, svg);
  }
  return { files };
}
