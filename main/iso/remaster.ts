// Bake user-data into a copy of an installer ISO without rebuilding it. Default: copy the base in the
// kernel and let xorriso append the user-data in place (remaster-append.ts). Compact mode:
//   xorriso -indev BASE -outdev - -map USERDATA /config.yaml -boot_image any replay
// writes a fresh image to a pipe, hashed while it is written to a temporary file beside the output.
// Both hash the base in parallel, then read the result back
// (user-data byte-identical, every boot entry of the base, hybrid MBR/GPT kept) and only then rename
// it into place. Any failure, cancellation or ENOSPC leaves nothing behind.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, CancelledError } from '../../shared/errors';
import { SpeedMeter, type LongWorkOptions } from '../../shared/progress';
import { assertWritableOutput, writeViaTemp } from '../core/fs-safe';
import { sha256, sha256File } from '../core/hash';
import { bootKeys, probeImage, type ImageProbe } from './probe';
import { readIsoFileDirect } from './iso9660';
import { appendRemaster, isoWriteError } from './remaster-append';
import { readIsoFiles, xorrisoProblems } from './xorriso';

export const USERDATA_PATH = '/config.yaml';

export interface RemasterOptions extends LongWorkOptions {
  base: string;
  userData: string | Uint8Array;
  out: string;
  force?: boolean;
  /** Where the user-data goes in the ISO (Palette/CanvOS: /config.yaml). */
  target?: string;
  /** Known SHA-256 of the base (skips hashing it again, e.g. from the base ISO store). */
  baseSha256?: string;
  /**
   * Write a fresh, compact image through a pipe (xorriso -outdev -) instead of copying the base and
   * appending the user-data in place. Slower (every byte passes through xorriso) but the result
   * holds no unused bytes of the base's replaced files.
   */
  compact?: boolean;
}

export interface RemasterResult {
  path: string;
  size: number;
  sha256: string;
  baseSha256: string;
  userDataSha256: string;
  base: ImageProbe;
  output: ImageProbe;
  /** Non-fatal findings, e.g. ENOBOOT: the base has no boot records. */
  warnings: Array<{ code: string; message: string }>;
  xorrisoNotes: string[];
  ms: number;
}

/** Base checks shared by build and inspect: exists, is an ISO, not truncated; warns when it will not boot. */
export async function checkBase(
  base: string,
): Promise<{ probe: ImageProbe; warnings: RemasterResult['warnings'] }> {
  const probe = await probeImage(base);
  const warnings: RemasterResult['warnings'] = [];
  if (!probe.elTorito?.entries.length)
    warnings.push({
      code: 'ENOBOOT',
      message: `${base} has no El Torito boot records: the result will not boot`,
    });
  else if (!probe.hybrid)
    warnings.push({
      code: 'ENOHYBRID',
      message: `${base} has no hybrid MBR: the result boots as a CD but not from a USB stick`,
    });
  return { probe, warnings };
}

function hashingCounter(onBytes: (n: number) => void): { t: Transform; digest: () => string } {
  const h = crypto.createHash('sha256');
  let n = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      h.update(chunk);
      n += chunk.length;
      onBytes(n);
      cb(null, chunk);
    },
  });
  return { t, digest: () => h.digest('hex') };
}

/** Run xorriso into `tmp` through a hashing pipe. Returns the output's SHA-256 and xorriso's notes. */
async function runXorrisoTo(
  base: string,
  userDataFile: string,
  target: string,
  tmp: string,
  baseSize: number,
  o: LongWorkOptions,
): Promise<{ sha256: string; notes: string[] }> {
  const args = ['-indev', base, '-outdev', '-', '-map', userDataFile, target, '-boot_image', 'any', 'replay'];
  const child = spawn('xorriso', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const spawnError = new Promise<never>((_res, rej) =>
    child.on('error', (e: NodeJS.ErrnoException) =>
      rej(
        e.code === 'ENOENT'
          ? new AppError('ETOOLMISSING', 'xorriso is not installed (Debian package: xorriso)', {
              tool: 'xorriso',
            })
          : new AppError('EINTERNAL', `could not run xorriso: ${e.message}`),
      ),
    ),
  );
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  const meter = new SpeedMeter();
  let last = 0;
  const counter = hashingCounter((n) => {
    const now = Date.now();
    if (now - last < 200) return;
    last = now;
    const { speed } = meter.sample(n, now);
    o.onProgress?.({
      phase: 'remaster',
      percent: Math.min(99, (n / baseSize) * 100),
      bytesDone: n,
      bytesTotal: baseSize,
      speed,
      etaSeconds: SpeedMeter.eta(n, baseSize, speed),
    });
  });
  const kill = () => child.kill('SIGKILL');
  o.signal?.addEventListener('abort', kill, { once: true });
  try {
    await Promise.race([
      spawnError,
      pipeline(child.stdout, counter.t, fs.createWriteStream(tmp, { flags: 'wx', highWaterMark: 1 << 20 }), {
        signal: o.signal,
      }),
    ]);
  } catch (e) {
    kill();
    if (o.signal?.aborted) throw new CancelledError('Build cancelled; nothing was kept');
    throw isoWriteError(e, tmp, baseSize);
  } finally {
    o.signal?.removeEventListener('abort', kill);
  }
  const code = await exited;
  if (o.signal?.aborted) throw new CancelledError('Build cancelled; nothing was kept');
  const problems = xorrisoProblems(stderr);
  if (code !== 0 || problems.length)
    throw new AppError(
      'EBUILD',
      `xorriso could not remaster ${base}: ${problems[0] ?? `exit code ${code}`}`,
      {
        base,
        problems,
        exitCode: code,
      },
    );
  const notes = stderr
    .split('\n')
    .filter((l) => /NOTE :|WARNING :/.test(l))
    .map((l) => l.replace(/^\S+\s*:\s*/, '').trim());
  return { sha256: counter.digest(), notes };
}

/** Read the output back: the user-data byte for byte, the base's boot entries, the hybrid layout. */
export async function verifyRemaster(
  out: string,
  base: ImageProbe,
  userData: Uint8Array,
  target = USERDATA_PATH,
  signal?: AbortSignal,
): Promise<ImageProbe> {
  const probe = await probeImage(out).catch((e: AppError) => {
    throw new AppError('EVERIFY', `the built image is not a readable ISO: ${e.message}`);
  });
  const got = (await readIsoFiles(out, [target], signal)).get(target);
  if (!got) throw new AppError('EVERIFY', `the built image has no ${target}: the user-data was dropped`);
  if (!Buffer.from(userData).equals(got))
    throw new AppError('EVERIFY', `${target} in the built image differs from the intended user-data`, {
      expectedSha256: sha256(userData),
      actualSha256: sha256(got),
    });
  // Second opinion from our own reader, with the names Linux (and so Kairos) will see.
  const direct = await readIsoFileDirect(out, target);
  if (!direct || !Buffer.from(userData).equals(direct))
    throw new AppError(
      'EVERIFY',
      direct
        ? `${target} read back by Edgebench's own ISO reader differs from the intended user-data`
        : `${target} is not visible under that name to Linux (no Rock Ridge/Joliet name?); Kairos would not read it`,
    );
  const want = bootKeys(base);
  const have = bootKeys(probe);
  const left = [...have];
  const missing = want.filter((k) => {
    const i = left.indexOf(k);
    if (i === -1) return true;
    left.splice(i, 1);
    return false;
  });
  if (missing.length)
    throw new AppError('EVERIFY', `the built image lost boot entries of the base: ${missing.join(', ')}`, {
      base: want,
      output: have,
    });
  if (base.mbr && !probe.mbr)
    throw new AppError('EVERIFY', 'the built image lost the hybrid MBR of the base (USB boot)');
  if (base.gpt && !probe.gpt)
    throw new AppError('EVERIFY', 'the built image lost the GPT of the base (UEFI USB boot)');
  if (base.volumeId !== probe.volumeId)
    throw new AppError('EVERIFY', `the volume id changed from ${base.volumeId} to ${probe.volumeId}`);
  return probe;
}

export async function remasterIso(o: RemasterOptions): Promise<RemasterResult> {
  const t0 = Date.now();
  const { probe: baseProbe, warnings } = await checkBase(o.base);
  assertWritableOutput(o.out, { force: o.force });
  const userData = typeof o.userData === 'string' ? Buffer.from(o.userData, 'utf8') : Buffer.from(o.userData);
  const target = o.target ?? USERDATA_PATH;
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'eb-remaster-'));
  try {
    const udFile = path.join(work, 'user-data');
    await fsp.writeFile(udFile, userData, { mode: 0o600 });
    return await writeViaTemp(o.out, { force: o.force }, async (tmp) => {
      o.onProgress?.({ phase: 'remaster', percent: 0, bytesDone: 0, bytesTotal: baseProbe.size });
      const baseHash = o.baseSha256 ? Promise.resolve(o.baseSha256) : sha256File(o.base, o.signal);
      baseHash.catch(() => undefined);
      let outHash: Promise<string> = Promise.resolve('');
      let notes: string[] = [];
      const compact = async () => {
        const x = await runXorrisoTo(o.base, udFile, target, tmp, baseProbe.size, o);
        outHash = Promise.resolve(x.sha256);
        notes = x.notes;
      };
      if (o.compact) await compact();
      else {
        try {
          notes = (await appendRemaster(o.base, udFile, target, tmp, baseProbe.size, o)).notes;
          outHash = sha256File(tmp, o.signal);
          outHash.catch(() => undefined);
        } catch (e) {
          // xorriso could not grow this image in place (an unusual base): write a fresh one instead.
          if (!(e instanceof AppError) || e.code !== 'EBUILD') throw e;
          await fsp.rm(tmp, { force: true });
          warnings.push({
            code: 'ECOMPACT',
            message: `xorriso could not add the user-data in place (${e.message}); a fresh image was written instead`,
          });
          await compact();
        }
      }
      o.onProgress?.({
        phase: 'verify',
        percent: 98,
        message: `reading ${target} and the boot records back`,
      });
      const output = await verifyRemaster(tmp, baseProbe, userData, target, o.signal);
      o.onProgress?.({ phase: 'hash', percent: 99, message: 'SHA-256 of the base and the output' });
      const [baseSha256, outSha256] = await Promise.all([baseHash, outHash]);
      const size = (await fsp.stat(tmp)).size;
      await fsp.chmod(tmp, 0o644);
      o.onProgress?.({ phase: 'done', percent: 100, bytesDone: size, bytesTotal: size });
      return {
        path: path.resolve(o.out),
        size,
        sha256: outSha256,
        baseSha256,
        userDataSha256: sha256(userData),
        base: baseProbe,
        output: { ...output, path: path.resolve(o.out) },
        warnings,
        xorrisoNotes: notes,
        ms: Date.now() - t0,
      };
    });
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
}
