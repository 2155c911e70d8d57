// Drive detection: drivelist for what the OS reports, sysfs for the rest (vendor, model, serial,
// read-only, and the devices drivelist hides), a test-only source (EDGEBENCH_TEST_DRIVES) for
// loop devices and image files, and a watcher: USB hot-plug (the `usb` package) with polling as
// the fallback and safety net.
import fs from 'node:fs';
import path from 'node:path';
import type { DriveInfo, HiddenReason } from '../../shared/contract/flash';
import type { AppContext } from '../app';
import { describeDisk, mountsOfDisk } from './target-facts';
import { diskFacts, listSysDisks, majMinOf, splitDev, systemDisks, wholeDiskOf } from './sysblock';

interface DrivelistDrive {
  device: string;
  description: string;
  size: number | null;
  isSystem: boolean;
  isUSB: boolean | null;
  isRemovable: boolean;
  isReadOnly: boolean;
  isCard: boolean | null;
  busType?: string;
  mountpoints: Array<{ path: string; label?: string | null }>;
}

async function drivelistDrives(): Promise<Map<string, DrivelistDrive>> {
  const out = new Map<string, DrivelistDrive>();
  try {
    const dl = require('drivelist') as { list(): Promise<DrivelistDrive[]> };
    for (const d of await dl.list()) {
      try {
        const st = fs.statSync(d.device);
        if (st.isBlockDevice()) out.set(majMinOf(splitDev(st.rdev)), d);
      } catch {
        // a drive that vanished between listing and stat
      }
    }
  } catch {
    // drivelist unavailable (no lsblk): sysfs alone still lists the drives
  }
  return out;
}

/** major:minor of drives drivelist flags as system drives. */
export async function drivelistSystemIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const [k, d] of await drivelistDrives()) if (d.isSystem) ids.add(k);
  return ids;
}

export function hiddenReason(name: string, size: number | null, bus: string): HiddenReason | undefined {
  if (name.startsWith('zram'))
    return { code: 'zram', message: 'compressed RAM swap device (zram), not a drive' };
  if (name.startsWith('loop'))
    return { code: 'loop', message: 'loop device (a file mapped as a disk), not a physical drive' };
  if (/^ram\d/.test(name)) return { code: 'ram', message: 'RAM disk, not a drive' };
  if (name.startsWith('sr') || bus === 'cdrom') return { code: 'cdrom', message: 'CD/DVD drive' };
  if (!size) return { code: 'nosize', message: 'reports no size (no medium inserted?)' };
  return undefined;
}

export interface TestDriveEntry {
  path: string;
  description?: string;
}

/** Test-only drives from EDGEBENCH_TEST_DRIVES=/path/list.json (documented in docs/flash.md). */
export function testDriveEntries(env: NodeJS.ProcessEnv = process.env): TestDriveEntry[] {
  const file = env.EDGEBENCH_TEST_DRIVES;
  if (!file) return [];
  try {
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    if (!Array.isArray(raw)) return [];
    return raw
      .map((e) => (typeof e === 'string' ? { path: e } : (e as TestDriveEntry)))
      .filter((e) => e && typeof e.path === 'string' && path.isAbsolute(e.path));
  } catch {
    return [];
  }
}

function testDrive(e: TestDriveEntry, system: Map<string, string>): DriveInfo | undefined {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(e.path);
  } catch {
    st = undefined;
  }
  if (st?.isBlockDevice()) {
    const w = wholeDiskOf(splitDev(st.rdev));
    const f = w ? diskFacts(w.disk) : undefined;
    if (!f) return undefined;
    return {
      path: e.path,
      kind: 'block',
      description: e.description ?? describeDisk(f),
      size: f.size,
      bus: f.bus,
      vendor: f.vendor,
      model: f.model,
      serial: f.serial,
      majMin: majMinOf(f.id),
      mountpoints: mountsOfDisk(f.id).map((m) => ({ path: m.mountpoint })),
      isSystem: system.has(majMinOf(f.id)),
      isReadOnly: f.readOnly,
      isRemovable: true,
      isUSB: false,
      test: true,
    };
  }
  if (st && !st.isFile()) return undefined;
  return {
    path: e.path,
    kind: 'file',
    description: e.description ?? (st ? 'image file' : 'new image file'),
    size: st ? st.size : null,
    bus: 'file',
    mountpoints: [],
    isSystem: false,
    isReadOnly: false,
    isRemovable: true,
    isUSB: false,
    test: true,
  };
}

/** Every drive, hidden ones included (each with `hidden` set); test drives appended. */
export async function listDrives(
  opts: { all?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<DriveInfo[]> {
  const dl = await drivelistDrives();
  const system = systemDisks();
  const out: DriveInfo[] = [];
  for (const { id } of listSysDisks()) {
    const f = diskFacts(id);
    if (!f) continue;
    const key = majMinOf(id);
    const d = dl.get(key);
    const size = f.size || d?.size || null;
    const hidden = hiddenReason(f.name, size, f.bus);
    if (hidden && !opts.all) continue;
    const bus = d?.isUSB ? 'usb' : f.bus;
    out.push({
      path: `/dev/${f.name}`,
      kind: 'block',
      description: (f.vendor || f.model ? describeDisk(f) : d?.description) || describeDisk(f),
      size,
      bus,
      vendor: f.vendor,
      model: f.model,
      serial: f.serial,
      majMin: key,
      mountpoints: mountsOfDisk(id).map((m) => ({ path: m.mountpoint })),
      isSystem: system.has(key) || Boolean(d?.isSystem),
      isReadOnly: f.readOnly || Boolean(d?.isReadOnly),
      isRemovable: f.removable || Boolean(d?.isRemovable && !hidden),
      isUSB: bus === 'usb',
      hidden,
    });
  }
  const tests = testDriveEntries(opts.env)
    .map((e) => testDrive(e, system))
    .filter((d): d is DriveInfo => d !== undefined);
  // A test drive that is also a sysfs disk (a loop device) replaces its hidden entry.
  const testKeys = new Set(tests.map((t) => t.majMin).filter(Boolean));
  return [...out.filter((d) => !(d.majMin && testKeys.has(d.majMin))), ...tests];
}

/** A cheap signature of the visible list, to notice changes. */
function signature(ds: DriveInfo[]): string {
  return ds
    .map((d) => `${d.path}|${d.size}|${d.mountpoints.map((m) => m.path).join(',')}|${d.isReadOnly}`)
    .join(';');
}

export type WatchMode = 'usb' | 'polling';

/** Watches for drive changes: USB hot-plug events trigger rescans; polling catches the rest. */
export class DriveWatcher {
  private timer?: NodeJS.Timeout;
  private last = '';
  private usbStop?: () => void;
  readonly mode: WatchMode;
  constructor(
    private readonly onChange: (drives: DriveInfo[], reason: 'usb' | 'poll') => void,
    private readonly pollMs = 2000,
  ) {
    this.mode = this.startUsb() ? 'usb' : 'polling';
    this.timer = setInterval(() => void this.scan('poll'), this.pollMs);
    this.timer.unref();
  }
  /** The list a client was just given: changes are reported relative to it. */
  seed(visible: DriveInfo[]): void {
    this.last = signature(visible);
  }
  private startUsb(): boolean {
    if (process.platform === 'linux' && !fs.existsSync('/sys/bus/usb/devices')) return false;
    try {
      const { usb } = require('usb') as {
        usb: {
          addEventListener(t: string, f: () => void): void;
          removeEventListener(t: string, f: () => void): void;
        };
      };
      const onEvent = () => {
        // The block device appears a moment after the USB device: rescan a few times.
        for (const ms of [300, 1500, 4000]) setTimeout(() => void this.scan('usb'), ms).unref();
      };
      usb.addEventListener('connect', onEvent);
      usb.addEventListener('disconnect', onEvent);
      this.usbStop = () => {
        usb.removeEventListener('connect', onEvent);
        usb.removeEventListener('disconnect', onEvent);
      };
      return true;
    } catch {
      return false;
    }
  }
  async scan(reason: 'usb' | 'poll'): Promise<void> {
    try {
      const drives = await listDrives();
      const sig = signature(drives);
      if (sig !== this.last) {
        const first = this.last === '';
        this.last = sig;
        if (!first) this.onChange(drives, reason);
      }
    } catch {
      // transient: the next scan tries again
    }
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.usbStop?.();
  }
}

const watchers = new WeakMap<AppContext, DriveWatcher>();

/** One watcher per app, pushing `flash.drivesChanged` on the app's bus. */
export function watchDrives(app: AppContext): DriveWatcher {
  let w = watchers.get(app);
  if (!w) {
    w = new DriveWatcher((drives, reason) => app.bus.emit('flash.drivesChanged', { drives, reason }));
    watchers.set(app, w);
  }
  return w;
}
