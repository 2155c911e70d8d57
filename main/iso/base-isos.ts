// Base installer ISOs: add a local file (hashed and checked in place) or download one over HTTPS
// into the data directory: streamed with progress, resumable (a .part file continued with Range),
// SHA-256 checked, then probed (it must be an ISO 9660 image) before it is recorded.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { AppError, CancelledError } from '../../shared/errors';
import { SpeedMeter, type LongWorkOptions } from '../../shared/progress';
import type { AppContext } from '../app';
import { fsError } from '../core/fs-errors';
import { sha256File } from '../core/hash';
import type { BaseIso } from '../store/media-repo';
import { probeImage } from './probe';

export interface AddBaseRequest extends LongWorkOptions {
  /** A local path or an https:// URL. */
  source: string;
  sha256?: string;
  name?: string;
  /** PEM file with an extra CA to trust (self-signed depot mirrors). NODE_EXTRA_CA_CERTS also works. */
  caFile?: string;
}

export function baseCacheDir(app: AppContext): string {
  return path.join(app.dataDir, 'base-isos');
}

function fileNameFromUrl(u: URL): string {
  const last = decodeURIComponent(u.pathname.split('/').filter(Boolean).pop() ?? '');
  const clean = last.replace(/[^A-Za-z0-9._-]+/g, '_');
  return clean && clean !== '.' && clean !== '..' ? clean : 'base.iso';
}

interface Fetched {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

function get(
  url: URL,
  headers: Record<string, string>,
  ca: string[] | undefined,
  signal?: AbortSignal,
): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.get(url, { headers, signal, ...(ca ? { ca } : {}), timeout: 30_000 }, (res) =>
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
    );
    req.on('timeout', () => req.destroy(new AppError('ETIMEDOUT', `no answer from ${url.host} in 30 s`)));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (signal?.aborted)
        return reject(new CancelledError('Download cancelled; the partial file is kept for resuming'));
      if (e instanceof AppError) return reject(e);
      const code = e.code ?? '';
      if (/CERT|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) || /certificate/i.test(e.message))
        return reject(
          new AppError(
            'ENETWORK',
            `TLS check failed for ${url.host}: ${e.message} (trust the server's CA with --ca FILE or NODE_EXTRA_CA_CERTS)`,
          ),
        );
      reject(new AppError('ENETWORK', `cannot download ${url.href}: ${e.message}`, { code }));
    });
  });
}

/** Download `url` to `dest` through `dest.part`, resuming a previous partial download. */
export async function downloadResumable(
  url: URL,
  dest: string,
  o: LongWorkOptions & { caFile?: string },
): Promise<{ resumedFrom: number; bytes: number }> {
  const ca = o.caFile
    ? [
        ...tls.rootCertificates,
        await fsp.readFile(o.caFile, 'utf8').catch((e) => {
          throw fsError(e, o.caFile);
        }),
      ]
    : undefined;
  const part = `${dest}.part`;
  let current = url;
  for (let hop = 0; hop < 6; hop++) {
    const have = fs.existsSync(part) ? fs.statSync(part).size : 0;
    const res = await get(current, have ? { Range: `bytes=${have}-` } : {}, ca, o.signal);
    if ([301, 302, 303, 307, 308].includes(res.status) && res.headers.location) {
      res.body.resume();
      const next = new URL(res.headers.location, current);
      if (current.protocol === 'https:' && next.protocol !== 'https:')
        throw new AppError('ENETWORK', `refusing a redirect from HTTPS to ${next.protocol} (${next.href})`);
      current = next;
      continue;
    }
    if (res.status === 416 && have) {
      // Range not satisfiable: the part file is already complete (or longer): check it as is.
      res.body.resume();
      await fsp.rename(part, dest);
      return { resumedFrom: have, bytes: have };
    }
    if (res.status !== 200 && res.status !== 206) {
      res.body.resume();
      throw new AppError(
        res.status === 404 ? 'ENOTFOUND' : res.status === 401 || res.status === 403 ? 'EAUTH' : 'ENETWORK',
        `${current.href} answered HTTP ${res.status}`,
        { status: res.status },
      );
    }
    const resumed = res.status === 206 ? have : 0;
    const len = Number(res.headers['content-length'] ?? NaN);
    const total = Number.isFinite(len) ? resumed + len : undefined;
    const meter = new SpeedMeter();
    let done = resumed;
    let last = 0;
    const file = fs.createWriteStream(part, { flags: resumed ? 'a' : 'w' });
    try {
      await new Promise<void>((resolve, reject) => {
        res.body.on('data', (chunk: Buffer) => {
          done += chunk.length;
          const now = Date.now();
          if (now - last > 200) {
            last = now;
            const { speed } = meter.sample(done, now);
            o.onProgress?.({
              phase: 'download',
              bytesDone: done,
              bytesTotal: total,
              percent: total ? (done / total) * 100 : undefined,
              speed,
              etaSeconds: SpeedMeter.eta(done, total, speed),
              message: resumed && done === resumed ? `resuming at ${resumed} bytes` : undefined,
            });
          }
        });
        res.body.on('error', reject);
        res.body.on('aborted', () =>
          reject(
            new AppError(
              'ENETWORK',
              `the connection to ${current.host} broke off; run the command again to resume`,
            ),
          ),
        );
        file.on('error', reject);
        file.on('finish', () => resolve());
        res.body.pipe(file);
      });
    } catch (e) {
      file.destroy();
      if (o.signal?.aborted)
        throw new CancelledError('Download cancelled; the partial file is kept for resuming');
      throw fsError(e, part);
    }
    if (total !== undefined && done !== total)
      throw new AppError(
        'ENETWORK',
        `download of ${current.href} ended at ${done} of ${total} bytes; run again to resume`,
      );
    await fsp.rename(part, dest);
    return { resumedFrom: resumed, bytes: done };
  }
  throw new AppError('ENETWORK', `too many redirects from ${url.href}`);
}

export async function addBaseIso(app: AppContext, req: AddBaseRequest): Promise<BaseIso> {
  const expected = req.sha256?.toLowerCase();
  if (expected && !/^[0-9a-f]{64}$/.test(expected))
    throw new AppError('EUSAGE', '--sha256 must be 64 hexadecimal characters');
  let file: string;
  let downloaded = false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(req.source)) {
    let url: URL;
    try {
      url = new URL(req.source);
    } catch {
      throw new AppError('EINVALID', `${req.source} is not a valid URL`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && expected))
      throw new AppError(
        'EINVALID',
        `only https:// URLs are accepted (plain http:// only together with --sha256): ${req.source}`,
      );
    const dir = baseCacheDir(app);
    await fsp.mkdir(dir, { recursive: true });
    file = path.join(dir, fileNameFromUrl(url));
    const cached =
      fs.existsSync(file) && expected ? (await sha256File(file, req.signal)) === expected : false;
    if (!cached) {
      if (fs.existsSync(file)) await fsp.rm(file);
      await downloadResumable(url, file, {
        signal: req.signal,
        onProgress: req.onProgress,
        caFile: req.caFile,
      });
      downloaded = true;
    }
  } else {
    file = path.resolve(req.source);
  }
  req.onProgress?.({ phase: 'check', percent: 99, message: 'SHA-256 and ISO structure' });
  let probe;
  try {
    probe = await probeImage(file);
  } catch (e) {
    if (downloaded) await fsp.rm(file, { force: true });
    throw e;
  }
  const sha = await sha256File(file, req.signal);
  if (expected && sha !== expected) {
    if (downloaded) await fsp.rm(file, { force: true });
    throw new AppError(
      'ECHECKSUM',
      `${req.source} has SHA-256 ${sha}, expected ${expected}${downloaded ? '; the download was discarded' : ''}`,
      {
        expected,
        actual: sha,
      },
    );
  }
  const base = await app.store.media.addBase({
    name: req.name ?? path.basename(file),
    path: file,
    sha256: sha,
    size: probe.size,
    source: req.source,
    volumeId: probe.volumeId,
    meta: {
      bootsBios: probe.bootsBios,
      bootsUefi: probe.bootsUefi,
      hybrid: probe.hybrid,
      bootRecords: probe.elTorito?.entries.length ?? 0,
    },
  });
  app.bus.emit('media.changed', { kind: 'base', id: base.id });
  req.onProgress?.({ phase: 'done', percent: 100 });
  return base;
}
