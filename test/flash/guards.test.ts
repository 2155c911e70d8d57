// Drive rules: pure decisions, and the real refusals: the drive holding / (found from
// /proc/self/mountinfo) and the drive holding the source image (a real mounted loop device).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkTypedConfirmation,
  driveWarnings,
  judgeTargets,
  type TargetFacts,
} from '../../main/flash/guards';
import { planTargets, runFlashJob } from '../../main/flash/engine';
import { hiddenReason, listDrives } from '../../main/flash/drives';
import { readMounts, sysDirOf } from '../../main/flash/sysblock';
import { skipReason } from '../helpers/env';
import { Bench, sha256 } from './util';

const GB = 1e9;
const stick = (o: Partial<TargetFacts> = {}): TargetFacts => ({
  path: '/dev/sdx',
  kind: 'block',
  description: 'SanDisk Ultra',
  size: 16 * GB,
  readOnly: false,
  holdsSource: false,
  mountpoints: [],
  ...o,
});

describe('guards (pure)', () => {
  it('passes a plain USB stick', () => {
    expect(driveWarnings(stick(), { imageSize: GB })).toEqual([]);
    expect(judgeTargets([stick()], { imageSize: GB })[0].ok).toBe(true);
  });
  it('refuses a system drive unless its exact path is typed back', () => {
    const sys = stick({ path: '/dev/sda', systemReason: 'it holds the mounted / (/dev/sda2)' });
    expect(() => judgeTargets([sys])).toThrow(expect.objectContaining({ code: 'ESYSTEMDRIVE' }));
    expect(() => judgeTargets([sys], { allowSystemDrive: '/dev/sdb' })).toThrow(
      expect.objectContaining({ code: 'ESYSTEMDRIVE' }),
    );
    expect(judgeTargets([sys], { allowSystemDrive: '/dev/sda' })[0].ok).toBe(true);
  });
  it('always refuses the drive holding the source, even with a system override', () => {
    const src = stick({ holdsSource: true });
    expect(() => judgeTargets([src], { allowSystemDrive: '/dev/sdx' })).toThrow(
      expect.objectContaining({ code: 'ESOURCEDRIVE' }),
    );
  });
  it('needs an acknowledgement for drives over 128 GB', () => {
    const big = stick({ size: 256 * GB });
    expect(driveWarnings(big)[0]).toMatchObject({ code: 'ELARGEDRIVE', level: 'ack' });
    expect(() => judgeTargets([big])).toThrow(expect.objectContaining({ code: 'ELARGEDRIVE' }));
    expect(judgeTargets([big], { ackLarge: ['/dev/sdx'] })[0].ok).toBe(true);
    expect(judgeTargets([big], { ackLarge: true })[0].ok).toBe(true);
  });
  it('fails read-only and too-small drives on their own, not the whole batch', () => {
    const v = judgeTargets(
      [
        stick({ path: '/dev/a', readOnly: true }),
        stick({ path: '/dev/b', size: GB / 2 }),
        stick({ path: '/dev/c' }),
      ],
      { imageSize: GB },
    );
    expect(v.map((x) => (x.ok ? 'ok' : x.error.code))).toEqual(['EROFS', 'ETOOSMALL', 'ok']);
  });
  it('does not refuse on an estimated image size', () => {
    expect(judgeTargets([stick({ size: GB / 2 })], { imageSize: GB, imageSizeIsEstimate: true })[0].ok).toBe(
      true,
    );
  });
  it('refuses a target listed twice', () => {
    expect(() => judgeTargets([stick(), stick()])).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
  });
  it('checks the typed confirmation exactly', () => {
    expect(() => checkTypedConfirmation('/dev/sda', '/dev/sda ')).not.toThrow();
    expect(() => checkTypedConfirmation('/dev/sda', '/dev/sdb')).toThrow(
      expect.objectContaining({ code: 'ENOTCONFIRMED' }),
    );
    expect(() => checkTypedConfirmation('/dev/sda', undefined)).toThrow(
      expect.objectContaining({ code: 'ENOTCONFIRMED' }),
    );
  });
  it('hides zram, loop, RAM disks, CD/DVD and drives without a size, with a reason', () => {
    expect(hiddenReason('zram0', null, 'zram')?.code).toBe('zram');
    expect(hiddenReason('loop3', 1e9, 'loop')?.code).toBe('loop');
    expect(hiddenReason('ram0', 1e6, 'ram')?.code).toBe('ram');
    expect(hiddenReason('sr0', 7e8, 'cdrom')?.code).toBe('cdrom');
    expect(hiddenReason('sdb', null, 'usb')?.code).toBe('nosize');
    expect(hiddenReason('sdb', 16e9, 'usb')).toBeUndefined();
  });
});

/** The device node of the disk holding /, from mountinfo (major:minor), or why not. */
function rootDevice(): string | undefined {
  const root = [...readMounts()].reverse().find((m) => m.mountpoint === '/');
  if (!root || root.id.major === 0) return undefined;
  const dir = sysDirOf(root.id);
  if (!dir) return undefined;
  const disk = fs.existsSync(path.join(dir, 'partition'))
    ? path.basename(path.dirname(dir))
    : path.basename(dir);
  return fs.existsSync(`/dev/${disk}`) ? `/dev/${disk}` : undefined;
}

describe('guards on this machine', () => {
  const b = new Bench('eb-flashguard-');
  afterAll(() => b.cleanup());
  const rootDev = rootDevice();

  it.skipIf(!rootDev)('refuses the drive that holds / (ESYSTEMDRIVE) and writes nothing', async () => {
    const img = b.image('g.img', 1);
    const out = path.join(b.dir, 'peer.img');
    await expect(planTargets({ image: img, targets: [rootDev!] })).rejects.toMatchObject({
      code: 'ESYSTEMDRIVE',
    });
    // also when it is one of several targets: the whole batch is refused, the file is not created
    await expect(runFlashJob({ image: img, targets: [out, rootDev!], verify: true })).rejects.toMatchObject({
      code: 'ESYSTEMDRIVE',
    });
    expect(fs.existsSync(out)).toBe(false);
    const drives = await listDrives();
    expect(drives.find((d) => d.path === rootDev)?.isSystem).toBe(true);
  });

  it.skipIf(skipReason({ root: true, tools: ['losetup', 'mkfs.ext4'] }))(
    'refuses the drive holding the source image (ESOURCEDRIVE), before unmounting anything',
    async () => {
      const dev = b.loop(b.sparse('holder.img', 64));
      execFileSync('mkfs.ext4', ['-q', '-F', dev], { stdio: 'ignore' });
      const mp = b.mount(dev, 'src-mnt');
      const img = path.join(mp, 'site.img');
      fs.copyFileSync(b.image('srcimg.img', 4), img);
      const before = sha256(img);
      await expect(runFlashJob({ image: img, targets: [dev], verify: true })).rejects.toMatchObject({
        code: 'ESOURCEDRIVE',
      });
      expect(fs.readFileSync('/proc/self/mounts', 'utf8')).toContain(mp);
      expect(sha256(img)).toBe(before);
    },
  );

  it.skipIf(skipReason({ root: true, tools: ['losetup'] }))(
    'lists loop devices only as hidden, unless the test drive source offers them',
    async () => {
      const dev = b.loop(b.sparse('listed.img', 16));
      const all = await listDrives({ all: true });
      expect(all.find((d) => d.path === dev)?.hidden?.code).toBe('loop');
      expect((await listDrives()).some((d) => d.path === dev)).toBe(false);
      const list = path.join(b.dir, 'drives.json');
      fs.writeFileSync(
        list,
        JSON.stringify([{ path: dev, description: 'test stick' }, path.join(b.dir, 'f.img')]),
      );
      const withTests = await listDrives({ env: { EDGEBENCH_TEST_DRIVES: list } });
      expect(withTests.find((d) => d.path === dev)).toMatchObject({
        test: true,
        kind: 'block',
        description: 'test stick',
        size: 16 * 1024 * 1024,
      });
      expect(withTests.find((d) => d.kind === 'file')).toMatchObject({
        description: 'new image file',
        size: null,
      });
    },
  );
});
