// Facts about block devices from the kernel (Linux sysfs and procfs): which whole disk a device
// node or a file lives on, sizes, read-only flags, vendor/model/serial, mounts and swaps.
// Devices are identified by major:minor, so a node anywhere (/dev/sdb, or a test's own mknod
// node) resolves to the same disk.
import fs from 'node:fs';
import path from 'node:path';

export interface DevId {
  major: number;
  minor: number;
}

export const majMinOf = (d: DevId): string => `${d.major}:${d.minor}`;

/** Linux encodes dev_t as (major << 8 | minor) for small numbers; Node gives st_rdev / st_dev raw. */
export function splitDev(dev: number): DevId {
  // glibc's gnu_dev_major / gnu_dev_minor
  const major = ((dev >>> 8) & 0xfff) | (Math.floor(dev / 2 ** 32) & ~0xfff);
  const minor = (dev & 0xff) | ((dev >>> 12) & ~0xff);
  return { major, minor };
}

function readSys(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The sysfs folder of a block device (/sys/dev/block/M:m resolved), or undefined when gone. */
export function sysDirOf(id: DevId): string | undefined {
  const link = `/sys/dev/block/${majMinOf(id)}`;
  try {
    return fs.realpathSync(link);
  } catch {
    return undefined;
  }
}

export interface DiskFacts {
  /** Kernel name of the whole disk (sdb, loop3, vda). */
  name: string;
  id: DevId;
  size: number;
  readOnly: boolean;
  removable: boolean;
  vendor?: string;
  model?: string;
  serial?: string;
  bus: string;
  /** Partitions of the disk (kernel names with their major:minor). */
  partitions: Array<{ name: string; id: DevId }>;
  /** Backing file of a loop device. */
  backingFile?: string;
}

function parseDevFile(s: string | undefined): DevId | undefined {
  const m = /^(\d+):(\d+)$/.exec(s ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** The whole disk a device (disk or partition) belongs to. */
export function wholeDiskOf(id: DevId): { disk: DevId; name: string; isPartition: boolean } | undefined {
  const dir = sysDirOf(id);
  if (!dir) return undefined;
  if (fs.existsSync(path.join(dir, 'partition'))) {
    const parent = path.dirname(dir);
    const disk = parseDevFile(readSys(path.join(parent, 'dev')));
    if (!disk) return undefined;
    return { disk, name: path.basename(parent), isPartition: true };
  }
  return { disk: id, name: path.basename(dir), isPartition: false };
}

function udevProps(id: DevId): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = readSys(`/run/udev/data/b${majMinOf(id)}`);
  for (const line of raw?.split('\n') ?? []) {
    const m = /^E:([^=]+)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function busOf(dir: string, name: string, udev: Record<string, string>): string {
  if (udev.ID_BUS) return udev.ID_BUS;
  if (name.startsWith('loop')) return 'loop';
  if (name.startsWith('zram')) return 'zram';
  if (name.startsWith('ram')) return 'ram';
  if (name.startsWith('nvme')) return 'nvme';
  if (name.startsWith('mmcblk')) return 'mmc';
  if (name.startsWith('sr')) return 'cdrom';
  if (name.startsWith('vd')) return 'virtio';
  if (dir.includes('/usb')) return 'usb';
  if (name.startsWith('sd')) return 'scsi';
  return 'unknown';
}

/** Facts about a whole disk from sysfs (and the udev database when present). */
export function diskFacts(id: DevId): DiskFacts | undefined {
  const dir = sysDirOf(id);
  if (!dir) return undefined;
  const name = path.basename(dir);
  const sectors = Number(readSys(path.join(dir, 'size')) ?? '0');
  const udev = udevProps(id);
  const partitions: DiskFacts['partitions'] = [];
  for (const entry of safeReaddir(dir)) {
    if (!entry.startsWith(name)) continue;
    const pid = parseDevFile(readSys(path.join(dir, entry, 'dev')));
    if (pid && fs.existsSync(path.join(dir, entry, 'partition'))) partitions.push({ name: entry, id: pid });
  }
  const clean = (s?: string) => (s && s.trim() && !/^0x[0-9a-f]+$/i.test(s.trim()) ? s.trim() : undefined);
  return {
    name,
    id,
    size: sectors * 512,
    readOnly: readSys(path.join(dir, 'ro')) === '1',
    removable: readSys(path.join(dir, 'removable')) === '1',
    vendor: clean(udev.ID_VENDOR) ?? clean(readSys(path.join(dir, 'device', 'vendor'))),
    model: clean(udev.ID_MODEL) ?? clean(readSys(path.join(dir, 'device', 'model'))),
    serial:
      clean(udev.ID_SERIAL_SHORT) ??
      clean(readSys(path.join(dir, 'device', 'serial'))) ??
      clean(readSys(path.join(dir, 'serial'))),
    bus: busOf(dir, name, udev),
    partitions,
    backingFile: clean(readSys(path.join(dir, 'loop', 'backing_file'))),
  };
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** All block devices the kernel knows (whole disks only): name and major:minor. */
export function listSysDisks(): Array<{ name: string; id: DevId }> {
  const out: Array<{ name: string; id: DevId }> = [];
  for (const name of safeReaddir('/sys/block')) {
    const id = parseDevFile(readSys(`/sys/block/${name}/dev`));
    if (id) out.push({ name, id });
  }
  return out;
}

export interface MountEntry {
  id: DevId;
  mountpoint: string;
  source: string;
}

/** Mounts with the major:minor of their device, from /proc/self/mountinfo. */
export function readMounts(): MountEntry[] {
  const raw = readSys('/proc/self/mountinfo') ?? '';
  const out: MountEntry[] = [];
  for (const line of raw.split('\n')) {
    const f = line.split(' ');
    if (f.length < 10) continue;
    const id = parseDevFile(f[2]);
    const dash = f.indexOf('-');
    if (!id || dash < 0) continue;
    out.push({ id, mountpoint: unescapeMount(f[4]), source: unescapeMount(f[dash + 2] ?? '') });
  }
  return out;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Active swap areas, from /proc/swaps. */
export function readSwaps(): string[] {
  const raw = readSys('/proc/swaps') ?? '';
  return raw
    .split('\n')
    .slice(1)
    .map((l) => unescapeMount(l.split(/\s+/)[0] ?? ''))
    .filter(Boolean);
}

/** The whole disk a path lives on (st_dev of a file, st_rdev of a block device node). */
export function diskHolding(p: string): DevId | undefined {
  try {
    const st = fs.statSync(p);
    const id = splitDev(st.isBlockDevice() ? st.rdev : st.dev);
    if (id.major === 0) return undefined; // tmpfs, overlay and other virtual filesystems
    return wholeDiskOf(id)?.disk;
  } catch {
    return undefined;
  }
}

/** Whole disks that hold the running system: mounted /, /boot, /boot/efi and active swap. */
export function systemDisks(): Map<string, string> {
  const found = new Map<string, string>(); // majMin -> why
  const mounts = readMounts();
  for (const mp of ['/', '/boot', '/boot/efi', '/usr', '/var']) {
    const m = [...mounts].reverse().find((x) => x.mountpoint === mp);
    if (m && m.id.major !== 0) {
      const d = wholeDiskOf(m.id)?.disk;
      if (d) found.set(majMinOf(d), `it holds the mounted ${mp} (${m.source})`);
    }
  }
  const root = diskHolding('/');
  if (root && !found.has(majMinOf(root))) found.set(majMinOf(root), 'it holds the running system (/)');
  for (const sw of readSwaps()) {
    const d = diskHolding(sw);
    if (d) found.set(majMinOf(d), `it holds active swap (${sw})`);
  }
  return found;
}
