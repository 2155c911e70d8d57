// Handlers for the media part of the contract (shared/contract/media.ts): thin wrappers over main/iso.
import { AppError } from '../../shared/errors';
import type { mediaCommands } from '../../shared/contract/media';
import { addBaseIso } from '../iso/base-isos';
import { buildInstallerIso, MEDIA_KINDS } from '../iso/build';
import { inspectIso } from '../iso/inspect';
import { describeBoot } from '../iso/probe';
import { buildSiteMedia } from '../iso/site-media';
import { buildVariant } from '../iso/variant';
import type { HandlerMap } from './types';

function udSpec(r: { userData?: string; profile?: string; hostId?: string }) {
  return { userDataText: r.userData, profile: r.profile, hostId: r.hostId };
}

export const mediaHandlers: HandlerMap<keyof typeof mediaCommands> = {
  'media.bases.list': async (_req, ctx) => ({ bases: await ctx.app.store.media.listBases() }),
  'media.bases.add': async (req, ctx) => ({
    base: await addBaseIso(ctx.app, { ...req, signal: ctx.signal, onProgress: ctx.progress }),
  }),
  'media.build': async (req, ctx) => {
    const r = await buildInstallerIso(ctx.app, {
      base: req.base,
      ...udSpec(req),
      out: req.out,
      force: req.force,
      compact: req.compact,
      signal: ctx.signal,
      onProgress: ctx.progress,
    });
    return {
      artifact: r.artifact,
      path: r.path,
      size: r.size,
      sha256: r.sha256,
      baseSha256: r.baseSha256,
      userDataSha256: r.userDataSha256,
      userDataSource: r.userDataSource,
      boot: describeBoot(r.output),
      warnings: r.warnings,
      ms: r.ms,
    };
  },
  'media.inspect': async (req, ctx) =>
    inspectIso(req.path, { hash: req.hash ?? true, signal: ctx.signal, onProgress: ctx.progress }),
  'media.siteMedia': async (req, ctx) => ({
    artifact: await buildSiteMedia(ctx.app, {
      ...udSpec(req),
      format: req.format,
      out: req.out,
      force: req.force,
      signal: ctx.signal,
      onProgress: ctx.progress,
    }),
  }),
  'media.variant': async (req, ctx) => {
    const r = await buildVariant(ctx.app, {
      base: req.base,
      ...udSpec(req),
      format: req.format,
      out: req.out,
      force: req.force,
      signal: ctx.signal,
      onProgress: ctx.progress,
    });
    return { artifact: r.artifact, files: r.files };
  },
  'media.artifacts.list': async (req, ctx) => ({
    artifacts: (
      await ctx.app.store.artifacts.list({ kind: req.kind, hostId: req.hostId, profile: req.profile })
    ).filter((a) => MEDIA_KINDS.includes(a.kind)),
  }),
  'media.artifacts.get': async (req, ctx) => {
    const artifact = await ctx.app.store.artifacts.get(req.id);
    if (!artifact) throw new AppError('ENOTFOUND', `no artifact with ID ${req.id}`);
    return { artifact };
  },
};
