// The stages of a run after rendering: media (shared per identical user-data, or one installer
// plus per-host cidata), delivery (USB batches over the target drives, PXE boots), then
// registration and labels as hosts come out of delivery.
import fs from 'node:fs';
import path from 'node:path';
import { AppError, isErrorCode } from '../../shared/errors';
import type { ManifestHost } from '../../shared/contract/staging';
import type { RunContext } from './run';
import { mediaOf, usable, type HostMedia } from './run-media';

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
