// Adapter over the register capability (main/register): durable queue (enqueue + sync, queued
// offline when Palette is unreachable) and QR labels.
import fs from 'node:fs';
import path from 'node:path';
import type { ManifestHost } from '../../../shared/contract/staging';
import { AppError, isErrorCode } from '../../../shared/errors';
import type { AppContext } from '../../app';
import { toErrorData } from '../../api/dispatch';
import { sha256 } from '../../core/hash';
import { writeFileAtomic } from '../../core/fs-safe';
import { enqueueRegistration, syncRegistrations } from '../../register/queue';
import { getRegistrationURL, labelData, labelsPdf, labelSvg } from '../../register/labels';
import type { BuiltMedia, RegistrationOutcome } from '../services';

export async function registerHosts(
  app: AppContext,
  hosts: ManifestHost[],
  signal: AbortSignal,
): Promise<Map<string, RegistrationOutcome>> {
  const out = new Map<string, RegistrationOutcome>();
  const toSync: ManifestHost[] = [];
  for (const h of hosts) {
    const prior = await app.store.register.getRegistration(h.id);
    if (prior) {
      out.set(h.id, {
        state: 'already-registered',
        uid: prior.paletteUid,
        message: `already registered in Palette (${prior.endpoint}) on ${prior.registeredAt}`,
      });
      continue;
    }
    try {
      const site = (await app.store.register.getSite(h.site)) ? h.site : undefined;
      await enqueueRegistration(app, { hostId: h.id, tags: h.tags, site });
      toSync.push(h);
    } catch (e) {
      out.set(h.id, { state: 'failed', message: (e as Error).message, error: toErrorData(e) });
    }
  }
  if (!toSync.length) return out;
  let stopped: string | undefined;
  try {
    const s = await syncRegistrations(app, { signal });
    if (s.stoppedBy) stopped = `${s.stoppedBy.code}: ${s.stoppedBy.message}`;
  } catch (e) {
    if (signal.aborted) throw e;
    stopped = `${toErrorData(e).code}: ${toErrorData(e).message}`;
  }
  for (const h of toSync) {
    const reg = await app.store.register.getRegistration(h.id);
    if (reg) {
      out.set(h.id, {
        state: 'registered',
        uid: reg.paletteUid,
        message: `registered in Palette at ${reg.endpoint}`,
      });
      continue;
    }
    const jobs = await app.store.register.listJobs({ all: true, hostId: h.id });
    const last = jobs[jobs.length - 1];
    if (last?.state === 'failed') {
      const err = last.lastError;
      out.set(h.id, {
        state: 'failed',
        message: err?.message ?? 'registration failed',
        error: err && isErrorCode(err.code) ? { code: err.code, message: err.message } : undefined,
      });
    } else {
      out.set(h.id, {
        state: 'queued',
        message: `queued; Palette not reached yet${stopped ? ` (${stopped})` : ''}; it is sent by the next sync (edgebench register sync)`,
      });
    }
  }
  return out;
}

export async function writeLabel(app: AppContext, host: ManifestHost, out: string): Promise<BuiltMedia> {
  const stored = await app.store.hosts.get(host.id);
  if (!stored) throw new AppError('ENOTFOUND', `host ${host.id} is not in the store`);
  // Without a configured registration URL the QR code carries the edge host ID alone.
  const url = await getRegistrationURL(app);
  const data = url ? labelData(stored, url) : { ...labelData(stored, 'http://invalid/'), url: host.id };
  const svg = out.replace(/\.[a-z]+$/i, '') + '.svg';
  fs.mkdirSync(path.dirname(svg), { recursive: true });
  const text = await labelSvg(data);
  await writeFileAtomic(svg, text, { force: true });
  return { path: svg, sha256: sha256(text), size: Buffer.byteLength(text) };
}

/** All labels of a run on one printable A4 sheet (register's PDF layout). */
export async function writeLabelSheet(
  app: AppContext,
  hosts: ManifestHost[],
  out: string,
): Promise<BuiltMedia> {
  const url = await getRegistrationURL(app);
  const data = [];
  for (const h of hosts) {
    const stored = await app.store.hosts.get(h.id);
    if (!stored) continue;
    data.push(url ? labelData(stored, url) : { ...labelData(stored, 'http://invalid/'), url: h.id });
  }
  const pdf = await labelsPdf(data);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await writeFileAtomic(out, pdf, { force: true });
  return { path: out, sha256: sha256(pdf), size: pdf.length };
}
