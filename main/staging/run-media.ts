// Staging run, media step: render groups of hosts with identical user-data into one built ISO
// (or a shared installer plus per-host cidata images), reusing what earlier runs built.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { ManifestHost } from '../../shared/contract/staging';
import { sha256 } from '../core/hash';
import type { RunContext } from './run';
import type { BuiltMedia } from './services';
import type { Artifact } from '../store';

const MEDIA_CONCURRENCY = Math.max(1, Math.min(2, os.cpus().length));

export interface HostMedia {
  kind: 'iso' | 'cidata';
  path: string;
  sha256: string;
  size: number;
}

export function usable(ctx: RunContext, h: ManifestHost): boolean {
  return !ctx.tracker.hostHasFailed(h.id) && !ctx.signal.aborted;
}

/** Run one step for several hosts that share the work (one build for a group). */
async function groupStep(
  ctx: RunContext,
  hosts: ManifestHost[],
  step: 'media',
  work: () => Promise<{ result: Record<string, unknown>; message: string }>,
): Promise<void> {
  for (const h of hosts) await ctx.tracker.start(h.id, step);
  try {
    const r = await work();
    for (const h of hosts) await ctx.tracker.finish(h.id, step, r.result, r.message);
  } catch (e) {
    for (const h of hosts) await ctx.tracker.fail(h.id, step, e);
  }
}

async function cachedOrBuild(
  ctx: RunContext,
  key: string,
  kind: string,
  /** Where the builder writes; undefined when the medium is used in place (the base ISO). */
  out: string | undefined,
  cacheMeta: Record<string, unknown>,
  build: () => Promise<BuiltMedia>,
  hostIds: string[],
): Promise<BuiltMedia & { reused: boolean }> {
  const row = (await mediaRows(ctx)).get(key);
  if (row && fs.existsSync(row.path) && fs.statSync(row.path).size === row.size)
    return { path: row.path, sha256: row.sha256, size: row.size, reused: true };
  // Media built by an earlier run from the same base and the same user-data is reused.
  const cacheKey = sha256(JSON.stringify({ kind, ...cacheMeta }));
  const candidate = (await artifactIndex(ctx, kind)).get(cacheKey);
  const prior =
    candidate && fs.existsSync(candidate.path) && fs.statSync(candidate.path).size === candidate.size
      ? candidate
      : undefined;
  let built: BuiltMedia & { reused: boolean };
  if (prior) built = { path: prior.path, sha256: prior.sha256, size: prior.size, reused: true };
  else {
    if (out) {
      // A leftover from an interrupted build is replaced (the builders write via a temp file).
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.rmSync(out, { force: true });
    }
    built = { ...(await build()), reused: false };
    await ctx.store.artifacts.add({
      kind: `staging-${kind}`,
      path: built.path,
      sha256: built.sha256,
      size: built.size,
      meta: { cacheKey, runId: ctx.runId, ...cacheMeta },
    });
  }
  (await mediaRows(ctx)).set(key, built);
  await ctx.store.staging.putMedia({
    runId: ctx.runId,
    key,
    kind,
    path: built.path,
    sha256: built.sha256,
    size: built.size,
    hosts: hostIds,
  });
  return built;
}

// Looked up once per run (not per group): 500 groups must not mean 500 scans of the store.
const mediaCache = new WeakMap<RunContext, Map<string, { path: string; sha256: string; size: number }>>();
async function mediaRows(ctx: RunContext) {
  let m = mediaCache.get(ctx);
  if (!m) {
    m = new Map((await ctx.store.staging.media(ctx.runId)).map((r) => [r.key, r]));
    mediaCache.set(ctx, m);
  }
  return m;
}
const artifactCache = new WeakMap<RunContext, Map<string, Map<string, Artifact>>>();
async function artifactIndex(ctx: RunContext, kind: string) {
  let byKind = artifactCache.get(ctx);
  if (!byKind) artifactCache.set(ctx, (byKind = new Map()));
  let m = byKind.get(kind);
  if (!m) {
    m = new Map();
    for (const a of await ctx.store.artifacts.list({ kind: `staging-${kind}` }))
      if (typeof a.meta.cacheKey === 'string' && !m.has(a.meta.cacheKey)) m.set(a.meta.cacheKey, a);
    byKind.set(kind, m);
  }
  return m;
}

export async function mediaStage(ctx: RunContext): Promise<void> {
  const todo = ctx.hosts.filter(
    (h) => ctx.tracker.isFinished(h.id, 'render') && !ctx.tracker.isFinished(h.id, 'media') && usable(ctx, h),
  );
  for (const h of todo.filter((x) => x.delivery === 'pxe')) {
    await ctx.step(h, 'media', async () => ({
      result: { kind: 'network' },
      message: 'PXE: the user-data is served over the network; no media',
      skipped: true,
    }));
  }
  const usb = todo.filter((x) => x.delivery === 'usb');
  if (!usb.length) return;
  const base = ctx.options.image;
  if (!base) throw new AppError('EUSAGE', 'USB hosts need installer media: pass --image BASE.iso');
  const st = fs.statSync(base, { throwIfNoEntry: false });
  if (!st) throw new AppError('ENOTFOUND', `base image ${base} does not exist`);
  const baseMeta = { base, baseSize: st.size, baseMtimeMs: Math.round(st.mtimeMs) };
  const groups = new Map<string, ManifestHost[]>();
  for (const h of usb) {
    const ud = sha256(ctx.userData.get(h.id)!);
    groups.set(ud, [...(groups.get(ud) ?? []), h]);
  }
  let installer: BuiltMedia | undefined;
  if (ctx.options.mediaMode === 'cidata') {
    const all = usb.map((h) => h.id);
    installer = await cachedOrBuild(
      ctx,
      'installer',
      'installer',
      undefined,
      baseMeta,
      () => ctx.services.inspectBase(base, ctx.signal),
      all,
    ).catch(async (e) => {
      for (const h of usb)
        await ctx.tracker.start(h.id, 'media').then(() => ctx.tracker.fail(h.id, 'media', e));
      return undefined;
    });
    if (!installer) return;
  }
  // Builds are mostly one external tool each: two at a time use a second core.
  const queue = [...groups.entries()];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [ud, hosts] = next;
      if (ctx.signal.aborted) return;
      const ids = hosts.map((h) => h.id);
      const userData = ctx.userData.get(hosts[0].id)!;
      if (ctx.options.mediaMode === 'cidata') {
        await groupStep(ctx, hosts, 'media', async () => {
          const out = path.join(ctx.options.workDir, 'media', `cidata-${ud.slice(0, 16)}.img`);
          const m = await cachedOrBuild(
            ctx,
            `cidata:${ud}`,
            'cidata',
            out,
            { userDataSha256: ud },
            () => ctx.services.buildCidata({ userData, hostId: hosts[0].id, out, signal: ctx.signal }),
            ids,
          );
          for (const id of ids) {
            await ctx.store.staging.updateHost(ctx.runId, id, { mediaSha256: m.sha256 });
            await ctx.hostEvent(
              id,
              'staging.media',
              `cidata image ${path.basename(m.path)} (sha256 ${m.sha256.slice(0, 12)}) with installer ${path.basename(installer!.path)}`,
              { cidata: m, installer },
            );
          }
          return {
            result: {
              kind: 'cidata',
              path: m.path,
              sha256: m.sha256,
              size: m.size,
              reused: m.reused,
              installer: { path: installer!.path, sha256: installer!.sha256, size: installer!.size },
            },
            message: `${m.reused ? 'reused' : 'built'} cidata ${m.sha256.slice(0, 12)} + shared installer ${installer!.sha256.slice(0, 12)}`,
          };
        });
      } else {
        await groupStep(ctx, hosts, 'media', async () => {
          const out = path.join(ctx.options.workDir, 'media', `installer-${ud.slice(0, 16)}.iso`);
          const m = await cachedOrBuild(
            ctx,
            `iso:${ud}`,
            'iso',
            out,
            { ...baseMeta, userDataSha256: ud },
            () => ctx.services.buildIso({ base, userData, out, signal: ctx.signal }),
            ids,
          );
          for (const id of ids) {
            await ctx.store.staging.updateHost(ctx.runId, id, { mediaSha256: m.sha256 });
            await ctx.hostEvent(
              id,
              'staging.media',
              `installer ISO ${path.basename(m.path)} (sha256 ${m.sha256.slice(0, 12)}), shared by ${ids.length} host(s)`,
              { media: m },
            );
          }
          return {
            result: {
              kind: 'iso',
              path: m.path,
              sha256: m.sha256,
              size: m.size,
              reused: m.reused,
              sharedBy: ids.length,
            },
            message: `${m.reused ? 'reused' : 'built'} ISO ${m.sha256.slice(0, 12)} shared by ${ids.length} host(s)`,
          };
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(MEDIA_CONCURRENCY, queue.length) }, worker));
}

export async function mediaOf(ctx: RunContext, hostId: string): Promise<HostMedia | undefined> {
  const r = (await ctx.store.staging.steps(ctx.runId, hostId)).find((s) => s.step === 'media')?.result;
  if (!r || typeof r.path !== 'string') return undefined;
  return {
    kind: r.kind as HostMedia['kind'],
    path: r.path,
    sha256: r.sha256 as string,
    size: r.size as number,
  };
}
