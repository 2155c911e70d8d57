// The stages of a run after rendering: media (shared per identical user-data, or one installer
// plus per-host cidata), delivery (USB batches over the target drives, PXE boots), then
// registration and labels as hosts come out of delivery.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError, isErrorCode } from '../../shared/errors';
import type { ManifestHost } from '../../shared/contract/staging';
import { sha256 } from '../core/hash';
import type { RunContext } from './run';
import type { BuiltMedia } from './services';
import type { Artifact } from '../store';

const MEDIA_CONCURRENCY = Math.max(1, Math.min(2, os.cpus().length));

interface HostMedia {
  kind: 'iso' | 'cidata';
  path: string;
  sha256: string;
  size: number;
}

function usable(ctx: RunContext, h: ManifestHost): boolean {
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

async function mediaOf(ctx: RunContext, hostId: string): Promise<HostMedia | undefined> {
  const r = (await ctx.store.staging.steps(ctx.runId, hostId)).find((s) => s.step === 'media')?.result;
  if (!r || typeof r.path !== 'string') return undefined;
  return {
    kind: r.kind as HostMedia['kind'],
    path: r.path,
    sha256: r.sha256 as string,
    size: r.size as number,
  };
}

export async function deliverUsb(ctx: RunContext, ready: (h: ManifestHost) => void): Promise<void> {
  const usb = ctx.hosts.filter((h) => h.delivery === 'usb');
  const todo: ManifestHost[] = [];
  for (const h of usb) {
    if (ctx.tracker.isFinished(h.id, 'deliver')) ready(h);
    else if (ctx.tracker.isFinished(h.id, 'media') && usable(ctx, h)) todo.push(h);
  }
  const targets = ctx.options.targets;
  if (!targets.length) {
    for (const h of todo) {
      const m = await mediaOf(ctx, h.id);
      const ok = await ctx.step(h, 'deliver', async () => ({
        result: { media: m?.path },
        message: `no --target drive given: flash ${m ? path.basename(m.path) : 'the media'} later`,
        skipped: true,
      }));
      if (ok) ready(h);
    }
    return;
  }
  for (let i = 0; i < todo.length; i += targets.length) {
    if (ctx.signal.aborted) return;
    const batch = todo.slice(i, i + targets.length);
    if (i > 0 && ctx.beforeBatch) {
      const n = i / targets.length + 1;
      const total = Math.ceil(todo.length / targets.length);
      for (const h of batch)
        ctx.tracker.emit({
          hostId: h.id,
          step: 'deliver',
          state: 'pending',
          message: `batch ${n}/${total}: waiting for fresh drives`,
        });
      await ctx.beforeBatch({
        batch: n,
        batches: total,
        targets: targets.slice(0, batch.length),
        hosts: batch.map((h) => h.id),
        signal: ctx.signal,
      });
      if (ctx.signal.aborted) return;
    }
    const byImage = new Map<string, Array<{ host: ManifestHost; target: string; media: HostMedia }>>();
    for (const [j, h] of batch.entries()) {
      const media = await mediaOf(ctx, h.id);
      if (!media) {
        await ctx.tracker.start(h.id, 'deliver');
        await ctx.tracker.fail(
          h.id,
          'deliver',
          new AppError('ENOTFOUND', `${h.id}: its media record is missing; run again with --new-run`),
        );
        continue;
      }
      byImage.set(media.path, [...(byImage.get(media.path) ?? []), { host: h, target: targets[j], media }]);
    }
    await Promise.all(
      [...byImage.entries()].map(async ([image, items]) => {
        for (const it of items) await ctx.tracker.start(it.host.id, 'deliver', `flashing ${it.target}`);
        let outcomes;
        try {
          outcomes = await ctx.services.flash({
            image,
            targets: items.map((x) => x.target),
            hostIds: items.map((x) => x.host.id),
            signal: ctx.signal,
            onProgress: (percent, phase) => {
              for (const it of items)
                ctx.tracker.emit({
                  hostId: it.host.id,
                  step: 'deliver',
                  state: 'running',
                  message: `${phase} ${it.target} ${Math.round(percent)}%`,
                });
            },
          });
        } catch (e) {
          for (const it of items) await ctx.tracker.fail(it.host.id, 'deliver', e);
          return;
        }
        for (const it of items) {
          const o = outcomes.find((x) => x.target === it.target);
          if (o?.ok && o.verified) {
            const result = {
              target: it.target,
              serial: o.serial,
              verified: true,
              image: it.media.path,
              imageSha256: it.media.sha256,
              bytes: o.bytes ?? it.media.size,
            };
            await ctx.hostEvent(
              it.host.id,
              'staging.flash',
              `flashed ${path.basename(it.media.path)} to ${it.target}${o.serial ? ` (serial ${o.serial})` : ''} and verified`,
              result,
            );
            await ctx.tracker.finish(it.host.id, 'deliver', result, `flashed and verified on ${it.target}`);
            ready(it.host);
          } else {
            const err = o?.error;
            const code = err && isErrorCode(err.code) ? err.code : 'EIO';
            await ctx.hostEvent(
              it.host.id,
              'staging.flash-failed',
              `flashing ${it.target} failed: ${err?.message ?? 'no result'}`,
              { target: it.target, error: err },
            );
            await ctx.tracker.fail(
              it.host.id,
              'deliver',
              new AppError(
                code,
                `${it.target}: ${err?.message ?? (o ? 'verification did not pass' : 'the flasher returned no result for this drive')}`,
                { target: it.target },
              ),
            );
          }
        }
      }),
    );
  }
}

export async function deliverPxe(ctx: RunContext, ready: (h: ManifestHost) => void): Promise<void> {
  const pxe = ctx.hosts.filter((h) => h.delivery === 'pxe');
  const todo: ManifestHost[] = [];
  for (const h of pxe) {
    if (ctx.tracker.isFinished(h.id, 'deliver')) ready(h);
    else if (ctx.tracker.isFinished(h.id, 'media') && usable(ctx, h)) todo.push(h);
  }
  if (!todo.length || ctx.signal.aborted) return;
  let session;
  try {
    session = await ctx.services.startPxe({
      hosts: todo.map((h) => ({ hostId: h.id, mac: h.mac!, userData: ctx.userData.get(h.id)! })),
      signal: ctx.signal,
    });
  } catch (e) {
    for (const h of todo)
      await ctx.tracker.start(h.id, 'deliver').then(() => ctx.tracker.fail(h.id, 'deliver', e));
    return;
  }
  await ctx.store.staging.addTimeline({
    runId: ctx.runId,
    kind: 'pxe',
    message: `PXE service started: ${session.description}`,
  });
  try {
    await Promise.all(
      todo.map(async (h) => {
        const ok = await ctx.step(h, 'deliver', async () => {
          ctx.tracker.emit({
            hostId: h.id,
            step: 'deliver',
            state: 'running',
            message: `waiting for ${h.mac} to PXE boot`,
          });
          const timeout = AbortSignal.timeout(ctx.pxeTimeoutSeconds * 1000);
          const signal = AbortSignal.any([ctx.signal, timeout]);
          try {
            const boot = await session.waitForBoot(h.mac!, signal);
            const result = { mac: h.mac, bootedAt: boot.time, events: boot.events };
            await ctx.hostEvent(
              h.id,
              'staging.pxe-boot',
              `PXE booted (${h.mac}) and fetched its user-data`,
              result,
            );
            return { result, message: `PXE booted at ${boot.time}` };
          } catch (e) {
            if (timeout.aborted && !ctx.signal.aborted)
              throw new AppError(
                'ETIMEDOUT',
                `${h.id} (${h.mac}) did not PXE boot within ${ctx.pxeTimeoutSeconds} s`,
              );
            throw e;
          }
        });
        if (ok) ready(h);
      }),
    );
  } finally {
    await session.close().catch(() => undefined);
  }
}

/** Registration and labels, fed host by host as delivery finishes. */
export function registerAndLabel(ctx: RunContext): {
  push: (h: ManifestHost) => void;
  close: () => void;
  done: Promise<void>;
} {
  const queue: ManifestHost[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  const push = (h: ManifestHost) => {
    queue.push(h);
    wake?.();
  };
  const close = () => {
    closed = true;
    wake?.();
  };
  const done = (async () => {
    for (;;) {
      if (!queue.length) {
        if (closed) return;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
        continue;
      }
      const batch = queue.splice(0, 25).filter((h) => usable(ctx, h));
      const toRegister = batch.filter((h) => !ctx.tracker.isFinished(h.id, 'register'));
      if (toRegister.length) {
        for (const h of toRegister) await ctx.tracker.start(h.id, 'register');
        try {
          const out = await ctx.services.register({
            hosts: toRegister,
            runId: ctx.runId,
            signal: ctx.signal,
          });
          for (const h of toRegister) {
            const o = out.get(h.id);
            if (!o || o.state === 'failed') {
              const code = o?.error && isErrorCode(o.error.code) ? o.error.code : 'EUNAVAILABLE';
              await ctx.tracker.fail(
                h.id,
                'register',
                new AppError(code, o?.error?.message ?? o?.message ?? `${h.id}: no registration result`),
              );
              continue;
            }
            const result = { registration: o.state, uid: o.uid };
            await ctx.hostEvent(
              h.id,
              'staging.register',
              `Palette registration: ${o.state}${o.uid ? ` (uid ${o.uid})` : ''}: ${o.message}`,
              result,
            );
            await ctx.tracker.finish(h.id, 'register', result, o.message);
          }
        } catch (e) {
          for (const h of toRegister) await ctx.tracker.fail(h.id, 'register', e);
        }
      }
      for (const h of batch) {
        if (!ctx.tracker.isFinished(h.id, 'register') || !usable(ctx, h)) continue;
        await ctx.step(h, 'label', async () => {
          const reg = (await ctx.store.staging.steps(ctx.runId, h.id)).find((s) => s.step === 'register')
            ?.result.registration as string | undefined;
          const out = path.join(ctx.options.workDir, 'labels', `${h.id}.png`);
          fs.mkdirSync(path.dirname(out), { recursive: true });
          const l = await ctx.services.label({ host: h, registration: reg, out, signal: ctx.signal });
          await ctx.hostEvent(h.id, 'staging.label', `label ${path.basename(l.path)} produced`, l);
          return {
            result: { path: l.path, sha256: l.sha256, size: l.size },
            message: `label ${path.basename(l.path)}`,
          };
        });
      }
    }
  })();
  return { push, close, done };
}
