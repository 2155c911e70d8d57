// Read what an image file is from its own bytes: ISO 9660 volume descriptors (at 32 KiB), the
// El Torito boot record and boot catalog (BIOS / UEFI entries), and the hybrid MBR / GPT that let
// an ISO boot from a USB disk. No external tool: xorriso accepts files that are not ISOs at all.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { AppError } from '../../shared/errors';
import { fsError } from '../core/fs-errors';

const SECTOR = 2048;
const VD_START = 16 * SECTOR;

export type BootPlatform = 'bios' | 'uefi' | 'powerpc' | 'mac' | 'other';

export interface BootEntry {
  platform: BootPlatform;
  platformId: number;
  bootable: boolean;
  emulation: 'none' | 'floppy-1.2M' | 'floppy-1.44M' | 'floppy-2.88M' | 'hard-disk' | 'unknown';
  loadSegment: number;
  /** 512-byte sectors loaded by the firmware (0 means "the whole image" for UEFI entries). */
  sectorCount: number;
  /** ISO block (2 KiB) of the boot image. */
  lba: number;
}

export interface MbrPartition {
  index: number;
  bootable: boolean;
  type: number;
  startLba: number;
  sectors: number;
}

export interface GptPartition {
  index: number;
  name: string;
  typeGuid: string;
  firstLba: number;
  lastLba: number;
  efiSystem: boolean;
}

export interface ImageProbe {
  path: string;
  size: number;
  volumeId: string;
  systemId: string;
  /** Size the primary volume descriptor declares (blocks x block size). */
  declaredSize: number;
  createdAt?: string;
  joliet: boolean;
  elTorito?: { catalogLba: number; entries: BootEntry[] };
  mbr?: { partitions: MbrPartition[]; protectiveGpt: boolean };
  gpt?: { partitions: GptPartition[] };
  /** MBR (and GPT) in the ISO's system area: the same file boots as a CD and as a disk. */
  hybrid: boolean;
  bootsBios: boolean;
  bootsUefi: boolean;
}

const EFI_SYSTEM_GUID = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';

function guid(b: Buffer): string {
  const h = b.toString('hex');
  const le = (s: string) => s.match(/../g)!.reverse().join('');
  return `${le(h.slice(0, 8))}-${le(h.slice(8, 12))}-${le(h.slice(12, 16))}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function text(b: Buffer): string {
  return b.toString('latin1').replace(/\0/g, '').trim();
}

function isoDate(b: Buffer): string | undefined {
  const s = b.toString('latin1', 0, 14);
  if (!/^\d{14}$/.test(s) || s.startsWith('0000')) return undefined;
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(8, 10)}:${s.slice(10, 12)}:${s.slice(12, 14)}Z`;
}

async function readAt(fh: fsp.FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  return buf.subarray(0, bytesRead);
}

function parseEntry(e: Buffer, platformId: number): BootEntry {
  const emu = ['none', 'floppy-1.2M', 'floppy-1.44M', 'floppy-2.88M', 'hard-disk'] as const;
  const platform: BootPlatform =
    platformId === 0
      ? 'bios'
      : platformId === 0xef
        ? 'uefi'
        : platformId === 1
          ? 'powerpc'
          : platformId === 2
            ? 'mac'
            : 'other';
  return {
    platform,
    platformId,
    bootable: e[0] === 0x88,
    emulation: emu[e[1] & 0x0f] ?? 'unknown',
    loadSegment: e.readUInt16LE(2),
    sectorCount: e.readUInt16LE(6),
    lba: e.readUInt32LE(8),
  };
}

/** Parse an El Torito boot catalog (one 2 KiB sector is enough for any real catalog). */
export function parseBootCatalog(cat: Buffer): BootEntry[] {
  if (cat.length < 64 || cat[0] !== 1 || cat[30] !== 0x55 || cat[31] !== 0xaa) return [];
  const entries: BootEntry[] = [parseEntry(cat.subarray(32, 64), cat[1])];
  let off = 64;
  while (off + 32 <= cat.length) {
    const h = cat[off];
    if (h !== 0x90 && h !== 0x91) break;
    const platformId = cat[off + 1];
    const n = cat.readUInt16LE(off + 2);
    off += 32;
    for (let i = 0; i < n && off + 32 <= cat.length; i++, off += 32) {
      if (cat[off] === 0x44) {
        i--; // section entry extension, belongs to the previous entry
        continue;
      }
      entries.push(parseEntry(cat.subarray(off, off + 32), platformId));
    }
    if (h === 0x91) break;
  }
  return entries;
}

function parseMbr(s: Buffer): ImageProbe['mbr'] {
  if (s.length < 512 || s[510] !== 0x55 || s[511] !== 0xaa) return undefined;
  const partitions: MbrPartition[] = [];
  for (let i = 0; i < 4; i++) {
    const p = s.subarray(446 + i * 16, 462 + i * 16);
    const sectors = p.readUInt32LE(12);
    if (p[4] === 0 && sectors === 0) continue;
    partitions.push({
      index: i + 1,
      bootable: p[0] === 0x80,
      type: p[4],
      startLba: p.readUInt32LE(8),
      sectors,
    });
  }
  if (!partitions.length) return undefined;
  return { partitions, protectiveGpt: partitions.some((p) => p.type === 0xee) };
}

async function parseGpt(fh: fsp.FileHandle, size: number): Promise<ImageProbe['gpt']> {
  const hdr = await readAt(fh, 512, 92);
  if (hdr.length < 92 || hdr.toString('latin1', 0, 8) !== 'EFI PART') return undefined;
  const entriesLba = Number(hdr.readBigUInt64LE(72));
  const count = Math.min(hdr.readUInt32LE(80), 256);
  const esize = hdr.readUInt32LE(84);
  if (esize < 128 || esize > 1024 || entriesLba * 512 >= size) return { partitions: [] };
  const arr = await readAt(fh, entriesLba * 512, count * esize);
  const partitions: GptPartition[] = [];
  for (let i = 0; i < count && (i + 1) * esize <= arr.length; i++) {
    const e = arr.subarray(i * esize, (i + 1) * esize);
    if (e.subarray(0, 16).every((x) => x === 0)) continue;
    const typeGuid = guid(e.subarray(0, 16));
    partitions.push({
      index: i + 1,
      name: e.subarray(56, 128).toString('utf16le').replace(/\0.*$/s, ''),
      typeGuid,
      firstLba: Number(e.readBigUInt64LE(32)),
      lastLba: Number(e.readBigUInt64LE(40)),
      efiSystem: typeGuid === EFI_SYSTEM_GUID,
    });
  }
  return { partitions };
}

/**
 * Probe an image. Throws ENOTFOUND (missing), EINVALID (a folder or device), ENOTISO (no ISO 9660
 * primary volume descriptor) or ETRUNCATED (shorter than the size the ISO declares, or its boot
 * catalog lies beyond the end). A missing boot record is not an error: check `elTorito`.
 */
export async function probeImage(file: string): Promise<ImageProbe> {
  let st: fs.Stats;
  try {
    st = await fsp.stat(file);
  } catch (e) {
    throw fsError(e, file);
  }
  if (!st.isFile()) throw new AppError('EINVALID', `${file} is not a regular file`, { path: file });
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, 'r');
  } catch (e) {
    throw fsError(e, file);
  }
  try {
    const size = st.size;
    const head = await readAt(fh, 0, 512);
    let pvd: Buffer | undefined;
    let bootRecord: Buffer | undefined;
    let joliet = false;
    for (let i = 0; i < 32; i++) {
      const vd = await readAt(fh, VD_START + i * SECTOR, SECTOR);
      if (vd.length < 7 || vd.toString('latin1', 1, 6) !== 'CD001') break;
      if (vd[0] === 1 && !pvd) pvd = vd;
      else if (vd[0] === 0 && vd.toString('latin1', 7, 30) === 'EL TORITO SPECIFICATION') bootRecord = vd;
      else if (vd[0] === 2 && vd[88] === 0x25 && vd[89] === 0x2f) joliet = true;
      else if (vd[0] === 255) break;
    }
    if (!pvd || pvd.length < SECTOR) {
      if (size > 0 && size < VD_START + SECTOR && (await readAt(fh, 0, 1)).length)
        throw new AppError(
          'ENOTISO',
          `${file} is not an ISO 9660 image: it is only ${size} bytes, too small to hold a volume descriptor at 32 KiB`,
          { path: file, size },
        );
      throw new AppError(
        'ENOTISO',
        `${file} is not an ISO 9660 image (no primary volume descriptor "CD001" at 32 KiB)`,
        { path: file, size },
      );
    }
    const blockSize = pvd.readUInt16LE(128) || SECTOR;
    const declaredSize = pvd.readUInt32LE(80) * blockSize;
    if (size < declaredSize) {
      throw new AppError(
        'ETRUNCATED',
        `${file} is truncated: the ISO declares ${declaredSize} bytes but the file has only ${size}`,
        { path: file, size, declaredSize },
      );
    }
    let elTorito: ImageProbe['elTorito'];
    if (bootRecord) {
      const catalogLba = bootRecord.readUInt32LE(71);
      if ((catalogLba + 1) * blockSize > size)
        throw new AppError(
          'ETRUNCATED',
          `${file} is truncated: its El Torito boot catalog lies beyond the end of the file`,
          {
            path: file,
            size,
            catalogLba,
          },
        );
      const entries = parseBootCatalog(await readAt(fh, catalogLba * blockSize, SECTOR));
      elTorito = { catalogLba, entries };
      for (const e of entries)
        if (e.lba * blockSize > size)
          throw new AppError(
            'ETRUNCATED',
            `${file} is truncated: a boot image lies beyond the end of the file`,
            {
              path: file,
              size,
            },
          );
    }
    const mbr = parseMbr(head);
    const gpt = mbr ? await parseGpt(fh, size) : undefined;
    const entries = elTorito?.entries ?? [];
    return {
      path: file,
      size,
      volumeId: text(pvd.subarray(40, 72)),
      systemId: text(pvd.subarray(8, 40)),
      declaredSize,
      createdAt: isoDate(pvd.subarray(813, 830)),
      joliet,
      elTorito,
      mbr,
      gpt,
      hybrid: Boolean(mbr),
      bootsBios: entries.some((e) => e.platform === 'bios' && e.bootable),
      bootsUefi:
        entries.some((e) => e.platform === 'uefi' && e.bootable) ||
        Boolean(mbr?.partitions.some((p) => p.type === 0xef)) ||
        Boolean(gpt?.partitions.some((p) => p.efiSystem)),
    };
  } finally {
    await fh.close();
  }
}

/** One line per boot path, for people. */
export function describeBoot(p: ImageProbe): string[] {
  const out: string[] = [];
  for (const e of p.elTorito?.entries ?? [])
    out.push(
      `El Torito ${e.platform.toUpperCase()} ${e.bootable ? 'bootable' : 'not bootable'} (emulation ${e.emulation}, LBA ${e.lba})`,
    );
  if (p.mbr)
    out.push(
      `hybrid MBR (${p.mbr.partitions.length} partition(s)${p.mbr.protectiveGpt ? ', protective' : ''})`,
    );
  if (p.gpt)
    out.push(
      `GPT (${p.gpt.partitions.length} partition(s)${p.gpt.partitions.some((x) => x.efiSystem) ? ', EFI system partition' : ''})`,
    );
  if (!out.length) out.push('no boot records');
  return out;
}

/** Boot entries as comparable keys (platform/emulation/bootable), for "kept every boot record" checks. */
export function bootKeys(p: ImageProbe): string[] {
  return (p.elTorito?.entries ?? []).map(
    (e) => `${e.platform}/${e.emulation}/${e.bootable ? 'boot' : 'noboot'}`,
  );
}
