// Handlers for the flash part of the contract (shared/contract/flash.ts): thin wrappers over
// main/flash.
import fs from 'node:fs';
import type { flashCommands } from '../../shared/contract/flash';
import { listDrives, watchDrives } from '../flash/drives';
import { driveWarnings } from '../flash/guards';
import { inspectImage } from '../flash/image';
import { isFlashable, resolveImageRef } from '../flash/image-ref';
import { flashImage } from '../flash/service';
import { diskHolding, majMinOf } from '../flash/sysblock';
import type { HandlerMap } from './types';

export const flashHandlers: HandlerMap<keyof typeof flashCommands> = {
  'flash.drives': async (req, ctx) => {
    const watcher = watchDrives(ctx.app);
    const drives = await listDrives({ all: req.all });
    watcher.seed(drives.filter((d) => !d.hidden));
    let imageSize: number | undefined;
    let sizeIsEstimate = false;
    let srcDisk: string | undefined;
    if (req.image) {
      const ref = await resolveImageRef(ctx.app, req.image);
      const info = await inspectImage(ref.path);
      imageSize = info.size;
      sizeIsEstimate = info.sizeIsEstimate;
      const d = diskHolding(ref.path);
      srcDisk = d ? majMinOf(d) : undefined;
    }
    return {
      drives: drives.map((d) => ({
        ...d,
        warnings: driveWarnings(
          {
            path: d.path,
            kind: d.kind,
            description: d.description,
            size: d.size,
            readOnly: d.isReadOnly,
            systemReason: d.isSystem ? 'it holds the running system' : undefined,
            holdsSource: srcDisk !== undefined && d.majMin === srcDisk,
            mountpoints: d.mountpoints.map((m) => m.path),
          },
          { imageSize, imageSizeIsEstimate: sizeIsEstimate },
        ),
      })),
      imageSize,
      watching: watcher.mode,
    };
  },
  'flash.images': async (_req, ctx) => {
    const all = await ctx.app.store.artifacts.list();
    return {
      images: all
        .filter((a) => isFlashable(a.kind, a.path))
        .map((a) => ({
          id: a.id,
          kind: a.kind,
          path: a.path,
          size: a.size,
          sha256: a.sha256,
          hostId: a.hostId,
          profile: a.profile,
          createdAt: a.createdAt,
          exists: fs.existsSync(a.path),
        })),
    };
  },
  'flash.start': async (req, ctx) => {
    const ref = await resolveImageRef(ctx.app, req.image);
    const r = await flashImage({
      app: ctx.app,
      image: ref.path,
      targets: req.targets,
      verify: req.verify,
      hostId: req.hostId ?? ref.hostId,
      allowSystemDrive: req.allowSystemDrive,
      ackLarge: req.ackLarge,
      signal: ctx.signal,
      onProgress: (e) => ctx.progress(e),
    });
    return { ok: r.ok, image: r.image, sha256: r.sha256, results: r.results, via: r.via };
  },
  'flash.records': async (req, ctx) => ({
    records: await ctx.app.store.flash.list({ hostId: req.hostId, limit: req.limit }),
  }),
};
