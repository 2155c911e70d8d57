import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTextFile, writeFileAtomic, writeViaTemp } from '../../main/core/fs-safe';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-fs-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('safe outputs', () => {
  it('never overwrites without force, and replaces atomically with force', async () => {
    const f = path.join(dir, 'out.yaml');
    await writeFileAtomic(f, 'one');
    await expect(writeFileAtomic(f, 'two')).rejects.toMatchObject({ code: 'EEXIST' });
    expect(fs.readFileSync(f, 'utf8')).toBe('one');
    await writeFileAtomic(f, 'two', { force: true });
    expect(fs.readFileSync(f, 'utf8')).toBe('two');
    expect(fs.readdirSync(dir)).toEqual(['out.yaml']);
  });

  it('leaves nothing behind when producing fails or is cancelled', async () => {
    const f = path.join(dir, 'out.iso');
    const ac = new AbortController();
    await expect(
      writeViaTemp(f, {}, async (tmp) => {
        fs.writeFileSync(tmp, 'partial');
        ac.abort();
        const e = new Error('aborted');
        e.name = 'AbortError';
        throw e;
      }),
    ).rejects.toMatchObject({ code: 'ECANCELLED' });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('names the missing output folder', async () => {
    await expect(writeFileAtomic(path.join(dir, 'nope', 'x'), 'a')).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
  });
});

describe('reading user text files', () => {
  it('gives specific errors for missing, folder, too large, binary, UTF-16 and invalid UTF-8', async () => {
    await expect(readTextFile(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(readTextFile(dir)).rejects.toMatchObject({ code: 'EINVALID' });
    const big = path.join(dir, 'big');
    fs.writeFileSync(big, Buffer.alloc(2048, 0x61));
    await expect(readTextFile(big, { maxBytes: 1024 })).rejects.toMatchObject({ code: 'ETOOLARGE' });
    const bin = path.join(dir, 'bin');
    fs.writeFileSync(bin, Buffer.from([0x23, 0x63, 0x00, 0x01]));
    await expect(readTextFile(bin)).rejects.toMatchObject({
      code: 'EENCODING',
      message: expect.stringMatching(/NUL byte at offset 2/),
    });
    const u16 = path.join(dir, 'u16');
    fs.writeFileSync(u16, Buffer.from('\ufeff#cloud-config', 'utf16le'));
    await expect(readTextFile(u16)).rejects.toMatchObject({
      code: 'EENCODING',
      message: expect.stringMatching(/UTF-16/),
    });
    const latin1 = path.join(dir, 'latin1');
    fs.writeFileSync(latin1, Buffer.from([0x63, 0xe9, 0x74, 0xe9]));
    await expect(readTextFile(latin1)).rejects.toMatchObject({
      code: 'EENCODING',
      message: expect.stringMatching(/not valid UTF-8/),
    });
  });

  it('strips a UTF-8 BOM', async () => {
    const f = path.join(dir, 'bom');
    fs.writeFileSync(f, '\ufeff#cloud-config\n');
    expect(await readTextFile(f)).toBe('#cloud-config\n');
  });
});
