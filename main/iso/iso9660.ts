// A small independent ISO 9660 reader, used to check remastered images with code other than the
// tool that wrote them. Names resolve the way Linux's isofs shows them (what Kairos sees at boot):
// Rock Ridge NM names (else the ISO names lower-cased without ";1"), then the Joliet tree.
import fsp from 'node:fs/promises';

const SECTOR = 2048;

interface DirEntry {
  name: string;
  lba: number;
  size: number;
  dir: boolean;
}

async function readAt(fh: fsp.FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  return buf.subarray(0, bytesRead);
}

/** Rock Ridge NM name from a record's System Use area (following CE continuations). */
async function rockRidgeName(fh: fsp.FileHandle, su: Buffer): Promise<string | undefined> {
  let area = su;
  let name: string | undefined;
  for (let hops = 0; hops < 8; hops++) {
    let next: { lba: number; off: number; len: number } | undefined;
    let i = 0;
    while (i + 4 <= area.length) {
      const sig = area.toString('latin1', i, i + 2);
      const len = area[i + 2];
      if (len < 4 || i + len > area.length) break;
      if (sig === 'NM') name = (name ?? '') + area.toString('utf8', i + 5, i + len);
      else if (sig === 'CE')
        next = {
          lba: area.readUInt32LE(i + 4),
          off: area.readUInt32LE(i + 12),
          len: area.readUInt32LE(i + 20),
        };
      else if (sig === 'ST') break;
      i += len;
    }
    if (!next) break;
    area = await readAt(fh, next.lba * SECTOR + next.off, Math.min(next.len, SECTOR));
  }
  return name;
}

async function readDir(fh: fsp.FileHandle, lba: number, size: number, joliet: boolean): Promise<DirEntry[]> {
  const data = await readAt(fh, lba * SECTOR, Math.min(size, 16 * 1024 * 1024));
  const out: DirEntry[] = [];
  let off = 0;
  while (off < data.length) {
    const len = data[off];
    if (len === 0) {
      off = (Math.floor(off / SECTOR) + 1) * SECTOR; // records do not cross sectors
      continue;
    }
    const rec = data.subarray(off, off + len);
    off += len;
    if (rec.length < 34) break;
    const idLen = rec[32];
    const id = rec.subarray(33, 33 + idLen);
    if (idLen === 1 && (id[0] === 0 || id[0] === 1)) continue; // . and ..
    const suStart = 33 + idLen + (idLen % 2 === 0 ? 1 : 0);
    let name = joliet ? undefined : await rockRidgeName(fh, rec.subarray(suStart));
    if (name === undefined) {
      name = joliet ? id.swap16().toString('utf16le') : id.toString('latin1').toLowerCase();
      name = name.replace(/;\d+$/, '').replace(/\.$/, '');
    }
    out.push({ name, lba: rec.readUInt32LE(2), size: rec.readUInt32LE(10), dir: (rec[25] & 2) !== 0 });
  }
  return out;
}

/** Read one file by path from the ISO, or undefined when it is not there (under Linux's names). */
export async function readIsoFileDirect(
  iso: string,
  isoPath: string,
  maxBytes = 16 * 1024 * 1024,
): Promise<Buffer | undefined> {
  const fh = await fsp.open(iso, 'r');
  try {
    let root: Buffer | undefined;
    let jolietRoot: Buffer | undefined;
    for (let i = 0; i < 32; i++) {
      const vd = await readAt(fh, (16 + i) * SECTOR, SECTOR);
      if (vd.length < SECTOR || vd.toString('latin1', 1, 6) !== 'CD001' || vd[0] === 255) break;
      if (vd[0] === 1 && !root) root = vd.subarray(156, 190);
      if (vd[0] === 2 && vd[88] === 0x25 && vd[89] === 0x2f) jolietRoot = vd.subarray(156, 190);
    }
    if (!root) return undefined;
    const parts = isoPath.split('/').filter(Boolean);
    // Rock Ridge (or plain ISO names) through the primary tree, then the Joliet tree.
    const walk = async (rec: Buffer, joliet: boolean): Promise<Buffer | undefined> => {
      let lba = rec.readUInt32LE(2);
      let size = rec.readUInt32LE(10);
      for (const [i, part] of parts.entries()) {
        const entries = await readDir(fh, lba, size, joliet);
        const hit = entries.find((e) => e.name === part);
        if (!hit || hit.dir !== i < parts.length - 1) return undefined;
        lba = hit.lba;
        size = hit.size;
      }
      if (size > maxBytes) return undefined;
      return readAt(fh, lba * SECTOR, size);
    };
    const viaPrimary = await walk(root, false);
    return viaPrimary ?? (jolietRoot ? await walk(jolietRoot, true) : undefined);
  } finally {
    await fh.close();
  }
}
