// Flash commands and events. Owned by the flash capability.
// Drives are identified by their path (/dev/sdb, or a regular file for image files and tests).
import { z } from 'zod';
import { command, Empty, Id } from './define';

export const Mountpoint = z.object({ path: z.string(), label: z.string().optional() });

/** Why a drive is not offered as a target (shown with --all / the "show hidden" toggle). */
export const HiddenReason = z.object({
  code: z.enum(['zram', 'loop', 'ram', 'nosize', 'cdrom', 'partition', 'virtual']),
  message: z.string(),
});
export type HiddenReason = z.infer<typeof HiddenReason>;

/** A warning or refusal that applies to a drive before anything is written. */
export const DriveWarning = z.object({
  code: z.enum(['ESYSTEMDRIVE', 'ESOURCEDRIVE', 'EROFS', 'ETOOSMALL', 'ELARGEDRIVE']),
  message: z.string(),
  /** 'refuse': never written without an explicit override; 'ack': needs acknowledging. */
  level: z.enum(['refuse', 'ack']),
});
export type DriveWarning = z.infer<typeof DriveWarning>;

export const DriveInfo = z.object({
  /** The path used to write it (/dev/sdb, /dev/loop3, or a file path). */
  path: z.string(),
  kind: z.enum(['block', 'file']),
  description: z.string(),
  /** Bytes; null when the system reports no size. */
  size: z.number().nullable(),
  /** usb, sata, nvme, mmc, virtio, loop, file... */
  bus: z.string(),
  vendor: z.string().optional(),
  model: z.string().optional(),
  serial: z.string().optional(),
  /** "8:16" for block devices. */
  majMin: z.string().optional(),
  mountpoints: z.array(Mountpoint),
  isSystem: z.boolean(),
  isReadOnly: z.boolean(),
  isRemovable: z.boolean(),
  isUSB: z.boolean(),
  /** Present when the drive is hidden from the default list. */
  hidden: HiddenReason.optional(),
  /** Came from the test-only drive source (EDGEBENCH_TEST_DRIVES). */
  test: z.boolean().optional(),
});
export type DriveInfo = z.infer<typeof DriveInfo>;

export const FlashPhase = z.enum([
  'preparing',
  'unmounting',
  'decompressing',
  'flashing',
  'verifying',
  'done',
  'failed',
]);
export type FlashPhase = z.infer<typeof FlashPhase>;

export const FlashTargetResult = z.object({
  target: z.string(),
  ok: z.boolean(),
  code: z.string().optional(),
  message: z.string().optional(),
  bytesWritten: z.number(),
  /** Average write speed, bytes per second. */
  speed: z.number(),
  verified: z.boolean(),
  /** SHA-256 of the image file as read. */
  sha256: z.string(),
  /** Mount points unmounted before writing. */
  unmounted: z.array(z.string()).optional(),
  recordId: z.number().optional(),
  description: z.string().optional(),
  size: z.number().nullable().optional(),
  serial: z.string().optional(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
});
export type FlashTargetResult = z.infer<typeof FlashTargetResult>;

export const FlashRecord = z.object({
  id: z.number(),
  hostId: z.string().optional(),
  imagePath: z.string(),
  imageSha256: z.string(),
  imageSize: z.number().optional(),
  drivePath: z.string(),
  description: z.string(),
  driveSize: z.number().nullable(),
  serial: z.string().optional(),
  bytesWritten: z.number(),
  speed: z.number(),
  verify: z.enum(['passed', 'failed', 'skipped', 'not-reached']),
  ok: z.boolean(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  startedAt: z.string(),
  endedAt: z.string(),
});
export type FlashRecord = z.infer<typeof FlashRecord>;

export const FlashImageChoice = z.object({
  id: z.string(),
  kind: z.string(),
  path: z.string(),
  size: z.number(),
  sha256: z.string(),
  hostId: z.string().optional(),
  profile: z.string().optional(),
  createdAt: z.string(),
  exists: z.boolean(),
});
export type FlashImageChoice = z.infer<typeof FlashImageChoice>;

export const FlashStartRequest = z
  .object({
    /** An image path on the back end's machine, or an artifact ID from the store. */
    image: z.string().min(1).max(4096),
    targets: z.array(z.string().min(1).max(4096)).min(1).max(32),
    verify: z.boolean().default(true),
    /** The device path typed back to allow writing a system drive. */
    allowSystemDrive: z.string().optional(),
    /** Target paths whose "large drive" warning was acknowledged. */
    ackLarge: z.array(z.string()).default([]),
    hostId: Id.optional(),
  })
  .strict();

export const flashCommands = {
  'flash.drives': command(
    'List drives (targets), with hidden ones and why when all=true, and warnings for an image',
    z.object({ all: z.boolean().default(false), image: z.string().optional() }).strict(),
    z.object({
      drives: z.array(DriveInfo.extend({ warnings: z.array(DriveWarning) })),
      imageSize: z.number().optional(),
      watching: z.enum(['usb', 'polling']),
    }),
  ),
  'flash.images': command(
    'Flashable media built in the store (ISO and raw images)',
    Empty,
    z.object({ images: z.array(FlashImageChoice) }),
  ),
  'flash.start': command(
    'Write an image to one or more drives in one pass, verify, record; progress per target (item = target)',
    FlashStartRequest,
    z.object({
      ok: z.boolean(),
      image: z.string(),
      sha256: z.string(),
      results: z.array(FlashTargetResult),
      via: z.enum(['in-process', 'helper']),
    }),
    { long: true },
  ),
  'flash.records': command(
    'Flash records, newest first, optionally for one host',
    z.object({ hostId: Id.optional(), limit: z.number().int().positive().max(1000).optional() }).strict(),
    z.object({ records: z.array(FlashRecord) }),
  ),
};

export const flashEvents = {
  /** The drive list changed (hot-plug or polling); carries the visible drives. */
  'flash.drivesChanged': z.object({ drives: z.array(DriveInfo), reason: z.enum(['usb', 'poll']) }),
  'flash.recorded': z.object({ ids: z.array(z.number()), hostId: z.string().optional() }),
};
