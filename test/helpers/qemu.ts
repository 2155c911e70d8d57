// Boot a VM under QEMU (TCG: /dev/kvm does not run ordinary guests on this machine) and collect what
// the installer fixture's /init prints on the serial console (see test/helpers/installer-fixture.ts):
//
//   EB-USERDATA-BEGIN <source>   source: /path on the installer medium (e.g. /config.yaml),
//   <file content>                       LABEL:/user-data for a cidata/CIDATA medium (e.g. cidata:/user-data),
//   EB-USERDATA-END                      or the config_url=URL it fetched when netbooted
//   ...
//   EB-FIXTURE-DONE              then `poweroff -f` ends QEMU (-no-reboot)
//
// Inputs are never modified: disks get snapshot=on, the CD is read-only.
//
// PXE/netboot tests reuse it by passing their own network arguments, e.g. a tap inside a namespace:
//   bootQemu({ netdev: ['-netdev', 'tap,id=n0,ifname=ebpxe0,script=no,downscript=no',
//                       '-device', 'virtio-net-pci,netdev=n0,bootindex=0'], timeoutMs: 300_000 })
// or boot the fixture kernel directly:
//   bootQemu({ kernel: fx.kernel, initrd: fx.initrd, append: `${fx.cmdline} config_url=http://…`, netdev: [...] })
// Without netdev the VM has no network at all (-nic none).
// Wrap the call in `ip netns exec NS` with `wrapper: ['ip', 'netns', 'exec', 'NS']` when the tap lives there.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ARTIFACTS_DIR } from './env';

export const OVMF = '/usr/share/ovmf/OVMF.fd';

export interface QemuDisk {
  file: string;
  /** ide: first IDE disk (/dev/sda), virtio: /dev/vdX, usb: usb-storage on a qemu-xhci controller. */
  if: 'ide' | 'virtio' | 'usb';
  format?: 'raw' | 'qcow2' | 'vmdk';
  /** Boot this disk first (bootindex=0). */
  boot?: boolean;
}

export interface QemuOptions {
  /** An ISO attached as an IDE CD-ROM (read-only). */
  cdrom?: string;
  disks?: QemuDisk[];
  /** Boot with OVMF (UEFI) instead of SeaBIOS. */
  uefi?: boolean;
  /** Direct kernel boot (-kernel/-initrd/-append). */
  kernel?: string;
  initrd?: string;
  append?: string;
  /** Network arguments; default `-nic none`. */
  netdev?: string[];
  memoryMb?: number;
  timeoutMs: number;
  extraArgs?: string[];
  /** Command prefix, e.g. ['ip', 'netns', 'exec', 'ebpxe-ns']. */
  wrapper?: string[];
  /** Also save the serial log as test-artifacts/qemu/<logName>.log. */
  logName?: string;
  signal?: AbortSignal;
}

export interface UserDataSeen {
  source: string;
  text: string;
}

export interface QemuResult {
  /** Serial console output, ANSI escapes and CRs removed. */
  output: string;
  userData: UserDataSeen[];
  /** The fixture printed EB-FIXTURE-DONE. */
  done: boolean;
  timedOut: boolean;
  exitCode: number | null;
  ms: number;
  args: string[];
}

export function qemuArgs(o: QemuOptions): string[] {
  const a = [
    '-nographic',
    '-no-reboot',
    '-serial',
    'stdio',
    '-monitor',
    'none',
    '-m',
    String(o.memoryMb ?? 512),
  ];
  if (o.uefi) a.push('-bios', OVMF);
  a.push(...(o.netdev ?? ['-nic', 'none']));
  if (o.cdrom) a.push('-drive', `file=${o.cdrom},format=raw,media=cdrom,readonly=on,if=ide,index=2`);
  let usb = 0;
  for (const [i, d] of (o.disks ?? []).entries()) {
    const fmt = d.format ?? 'raw';
    const boot = d.boot ? ',bootindex=0' : '';
    if (d.if === 'usb') {
      if (usb++ === 0) a.push('-device', 'qemu-xhci,id=ebxhci');
      a.push('-drive', `if=none,id=ebusb${i},file=${d.file},format=${fmt},snapshot=on`);
      a.push('-device', `usb-storage,bus=ebxhci.0,drive=ebusb${i}${boot}`);
    } else if (d.boot) {
      a.push('-drive', `if=none,id=ebd${i},file=${d.file},format=${fmt},snapshot=on`);
      a.push('-device', `${d.if === 'virtio' ? 'virtio-blk-pci' : 'ide-hd'},drive=ebd${i}${boot}`);
    } else {
      a.push('-drive', `file=${d.file},format=${fmt},if=${d.if},snapshot=on`);
    }
  }
  if (o.kernel) a.push('-kernel', o.kernel);
  if (o.initrd) a.push('-initrd', o.initrd);
  if (o.append) a.push('-append', o.append);
  a.push(...(o.extraArgs ?? []));
  return a;
}

/** Strip ANSI escapes and CRs (SeaBIOS/iPXE/GRUB paint the console). */
export function cleanSerial(s: string): string {
  return s
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/\x1b[()][A-Z0-9]/g, '')
    .replace(/\r/g, '');
}

/** Parse the fixture's EB-USERDATA markers. A file without a final newline is reported with one. */
export function parseUserData(output: string): UserDataSeen[] {
  const seen: UserDataSeen[] = [];
  let cur: { source: string; lines: string[] } | undefined;
  for (const line of output.split('\n')) {
    const begin = /EB-USERDATA-BEGIN (.*)$/.exec(line);
    if (begin) {
      cur = { source: begin[1].trim(), lines: [] };
    } else if (cur && line.trim() === 'EB-USERDATA-END') {
      seen.push({ source: cur.source, text: cur.lines.length ? cur.lines.join('\n') + '\n' : '' });
      cur = undefined;
    } else if (cur) {
      cur.lines.push(line);
    }
  }
  return seen;
}

export function bootQemu(o: QemuOptions): Promise<QemuResult> {
  const args = qemuArgs(o);
  const cmd = o.wrapper?.length ? o.wrapper[0] : 'qemu-system-x86_64';
  const cmdArgs = o.wrapper?.length ? [...o.wrapper.slice(1), 'qemu-system-x86_64', ...args] : args;
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, cmdArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let raw = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (raw += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (raw += d.toString('latin1')));
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, o.timeoutMs);
    o.signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', kill);
      const output = cleanSerial(Buffer.from(raw, 'latin1').toString('utf8'));
      if (o.logName) {
        const dir = path.join(ARTIFACTS_DIR, 'qemu');
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(
          path.join(dir, `${o.logName}.log`),
          `qemu-system-x86_64 ${args.join(' ')}\n\n${output}`,
        );
      }
      resolve({
        output,
        userData: parseUserData(output),
        done: /EB-FIXTURE-DONE/.test(output),
        timedOut,
        exitCode: code,
        ms: Date.now() - t0,
        args,
      });
    });
  });
}
