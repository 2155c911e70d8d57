// File helpers that never lose what the user had: outputs are written to a temporary file in the
// same folder and renamed into place; an existing output is replaced only with `force`.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { AppError } from '../../shared/errors';
import { fsError } from './fs-errors';

export interface OutputOptions {
  force?: boolean;
}

/** Throws EEXIST when `dest` exists and force is not set. */
export function assertWritableOutput(dest: string, opts: OutputOptions = {}): void {
  if (!opts.force && fs.existsSync(dest)) {
    throw new AppError('EEXIST', `${dest} already exists; pass --force to replace it`, { path: dest });
  }
  const dir = path.dirname(path.resolve(dest));
  if (!fs.existsSync(dir))
    throw new AppError('ENOTFOUND', `output folder ${dir} does not exist`, { path: dir });
}

/** A temporary path beside `dest` (same filesystem, so rename is atomic). */
export function tempPathFor(dest: string): string {
  const abs = path.resolve(dest);
  return path.join(path.dirname(abs), `.${path.basename(abs)}.${crypto.randomBytes(4).toString('hex')}.part`);
}

/**
 * Produce `dest` by letting `produce` write a temporary path, then rename it into place.
 * On any failure (including cancellation) the temporary file is removed and `dest` is untouched.
 */
export async function writeViaTemp<T>(
  dest: string,
  opts: OutputOptions,
  produce: (tmp: string) => Promise<T>,
): Promise<T> {
  assertWritableOutput(dest, opts);
  const tmp = tempPathFor(dest);
  try {
    const result = await produce(tmp);
    if (!opts.force && fs.existsSync(dest)) {
      throw new AppError('EEXIST', `${dest} appeared while writing; pass --force to replace it`, {
        path: dest,
      });
    }
    await fsp.rename(tmp, dest);
    return result;
  } catch (e) {
    await fsp.rm(tmp, { force: true, recursive: true }).catch(() => undefined);
    throw fsError(e, dest);
  }
}

/** Write text or bytes atomically. */
export async function writeFileAtomic(
  dest: string,
  data: string | Uint8Array,
  opts: OutputOptions = {},
): Promise<void> {
  await writeViaTemp(dest, opts, async (tmp) => {
    await fsp.writeFile(tmp, data, { flag: 'wx' });
  });
}

export interface ReadTextOptions {
  /** Refuse files bigger than this (bytes). Default 4 MiB. */
  maxBytes?: number;
  what?: string;
}

/**
 * Read a user-supplied text file with clear errors: missing, unreadable, a folder, too large,
 * binary (NUL bytes), or not UTF-8 (UTF-16 BOMs are named).
 */
export async function readTextFile(file: string, opts: ReadTextOptions = {}): Promise<string> {
  const max = opts.maxBytes ?? 4 * 1024 * 1024;
  const what = opts.what ?? 'file';
  let st: fs.Stats;
  try {
    st = await fsp.stat(file);
  } catch (e) {
    throw fsError(e, file);
  }
  if (st.isDirectory()) throw new AppError('EINVALID', `${file} is a folder, not a ${what}`, { path: file });
  if (st.size > max) {
    throw new AppError('ETOOLARGE', `${file} is ${st.size} bytes; a ${what} may be at most ${max} bytes`, {
      path: file,
      size: st.size,
      max,
    });
  }
  let buf: Buffer;
  try {
    buf = await fsp.readFile(file);
  } catch (e) {
    throw fsError(e, file);
  }
  return decodeText(buf, file, what);
}

export function decodeText(buf: Uint8Array, file = 'input', what = 'file'): string {
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) {
    throw new AppError('EENCODING', `${file} is UTF-16 encoded; save the ${what} as UTF-8`, { path: file });
  }
  const nul = buf.indexOf(0);
  if (nul !== -1) {
    throw new AppError(
      'EENCODING',
      `${file} contains binary data (a NUL byte at offset ${nul}); a ${what} must be text`,
      {
        path: file,
        offset: nul,
      },
    );
  }
  try {
    let text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text;
  } catch {
    throw new AppError('EENCODING', `${file} is not valid UTF-8 text; save the ${what} as UTF-8`, {
      path: file,
    });
  }
}
