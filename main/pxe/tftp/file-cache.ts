// Block sources for TFTP transfers. Files up to 128 MiB are read once into memory and shared by
// every transfer of the same file (50 PXE clients fetching the same loader read it once); larger
// files are read in 4 MiB chunks per transfer.
import fs from 'node:fs';

export interface FileSource {
  size: number;
  read(offset: number, length: number): Promise<Buffer>;
  /** The bytes at once when they are already in memory (the fast path of lock-step transfers). */
  readSync?(offset: number, length: number): Buffer | undefined;
  release(): void;
}

const WHOLE_FILE_MAX = 128 * 1024 * 1024;
const CACHE_MAX = 512 * 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;

interface Entry {
  key: string;
  data: Promise<Buffer>;
  loaded?: Buffer;
  size: number;
  refs: number;
  lastUse: number;
}

export class FileCache {
  private readonly entries = new Map<string, Entry>();

  async open(realPath: string): Promise<FileSource> {
    const fd = await fs.promises.open(realPath, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    let st: fs.Stats;
    try {
      st = await fd.stat();
    } catch (e) {
      await fd.close();
      throw e;
    }
    if (!st.isFile()) {
      await fd.close();
      throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    }
    if (st.size > WHOLE_FILE_MAX) return chunked(fd, st.size);
    const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
    let e = this.entries.get(key);
    if (!e) {
      const data = readAll(fd, st.size);
      const fresh: Entry = { key, data, size: st.size, refs: 0, lastUse: Date.now() };
      e = fresh;
      this.entries.set(key, fresh);
      data.then(
        (b) => (fresh.loaded = b),
        () => this.entries.delete(key),
      );
      this.evict();
    } else await fd.close();
    const entry = e;
    entry.refs++;
    let released = false;
    return {
      size: entry.size,
      read: async (o, l) => (await entry.data).subarray(o, o + l),
      readSync: (o, l) => entry.loaded?.subarray(o, o + l),
      release: () => {
        if (released) return;
        released = true;
        entry.refs--;
        entry.lastUse = Date.now();
        this.evict();
      },
    };
  }

  private evict(): void {
    let total = 0;
    for (const e of this.entries.values()) total += e.size;
    if (total <= CACHE_MAX) return;
    const idle = [...this.entries.values()].filter((e) => e.refs === 0).sort((a, b) => a.lastUse - b.lastUse);
    for (const e of idle) {
      if (total <= CACHE_MAX) break;
      this.entries.delete(e.key);
      total -= e.size;
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

async function readAll(fd: fs.promises.FileHandle, size: number): Promise<Buffer> {
  try {
    const buf = Buffer.allocUnsafe(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fd.read(buf, off, size - off, off);
      if (bytesRead === 0) throw new Error('file shrank while being read');
      off += bytesRead;
    }
    return buf;
  } finally {
    await fd.close();
  }
}

function chunked(fd: fs.promises.FileHandle, size: number): FileSource {
  let cache: { off: number; buf: Buffer } | undefined;
  let closed = false;
  return {
    size,
    async read(offset, length) {
      if (cache && offset >= cache.off && offset + length <= cache.off + cache.buf.length)
        return cache.buf.subarray(offset - cache.off, offset - cache.off + length);
      const want = Math.min(Math.max(length, CHUNK), size - offset);
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await fd.read(buf, 0, want, offset);
      cache = { off: offset, buf: buf.subarray(0, bytesRead) };
      return cache.buf.subarray(0, Math.min(length, bytesRead));
    },
    release() {
      if (closed) return;
      closed = true;
      void fd.close();
    },
  };
}
