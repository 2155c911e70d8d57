// The durable registration queue. A registration is a job row with an idempotency key; its state
// moves queued -> in-flight (committed before anything is sent) -> done | failed. A job that was
// tried before (in flight when the process died, or failed ambiguously) is looked up in Palette
// before it is POSTed again, so a kill -9 at any point loses nothing and doubles nothing.
import fs from 'node:fs';
import path from 'node:path';
import { EdgeHostId, type RegJob, type SyncSummary } from '../../shared/contract/register';
import { AppError, isCancelled, type ErrorData } from '../../shared/errors';
import type { LongWorkOptions } from '../../shared/progress';
import type { AppContext } from '../app';
import { toErrorData } from '../api/dispatch';
import type { PaletteClient } from '../palette/client';
import { isTransient } from '../palette/errors';
import { loadSettings } from '../palette/credentials';
import { paletteClient } from './connect';
import { testStep } from './test-hooks';
import { pidAlive } from '../core/process';

export interface EnqueueInput {
  hostId: string;
  tags?: Record<string, string>;
  site?: string;
}

/** The labels Palette gets for a host: its own tags, the site's tags, then the given ones. */
export async function labelsFor(
  app: AppContext,
  hostId: string,
  tags: Record<string, string> = {},
  site?: string,
) {
  const host = await app.store.hosts.get(hostId);
  const siteName = site ?? host?.site;
  const siteRec = siteName ? await app.store.register.getSite(siteName) : undefined;
  return {
    ...(siteRec?.site.tags ?? {}),
    ...(host?.values.tags ?? {}),
    ...(siteName ? { 'edgebench-site': siteName } : {}),
    ...tags,
  } as Record<string, string>;
}

/** Queue one registration (durable). The host must be in the store. */
export async function enqueueRegistration(app: AppContext, input: EnqueueInput): Promise<RegJob> {
  const idCheck = EdgeHostId.safeParse(input.hostId);
  if (!idCheck.success)
    throw new AppError(
      'EINVALID',
      `"${input.hostId}" cannot be an edge host ID: ${idCheck.error.issues[0]?.message}`,
      {
        hostId: input.hostId,
      },
    );
  const host = await app.store.hosts.get(input.hostId);
  if (!host)
    throw new AppError(
      'ENOTFOUND',
      `no host ${input.hostId} in the store; add it with \`edgebench hosts add\` first`,
    );
  if (input.site) {
    if (!(await app.store.register.getSite(input.site)))
      throw new AppError('ENOTFOUND', `no site ${input.site}; create it with \`edgebench site add\``);
    if (host.site !== input.site) await app.store.hosts.upsert({ ...host, site: input.site });
  }
  const labels = await labelsFor(app, input.hostId, input.tags, input.site);
  const job = await app.store.register.enqueue({
    hostId: input.hostId,
    labels,
    site: input.site ?? host.site,
  });
  await app.store.hosts.addEvent(input.hostId, 'register-queued', `registration queued (${job.id})`, {
    jobId: job.id,
  });
  app.bus.emit('register.changed', { reason: 'enqueued' });
  return job;
}

// ---- one sync at a time: in this process and across processes --------------------------------

const running = new WeakMap<AppContext, Promise<SyncSummary>>();

function takeLock(app: AppContext): () => void {
  if (app.dataDir === ':memory:') return () => undefined;
  const file = path.join(app.dataDir, 'register-sync.lock');
  for (let i = 0; i < 2; i++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => fs.rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && pidAlive(pid))
        throw new AppError(
          'EBUSY',
          `another Edgebench process (pid ${pid}) is syncing registrations now; wait for it to finish`,
        );
      fs.rmSync(file, { force: true }); // stale: its process died (e.g. kill -9)
    }
  }
  throw new AppError('EBUSY', 'cannot take the registration sync lock');
}

export interface SyncOptions extends LongWorkOptions {
  /** Use this client (tests, the registration page); default: the stored connection. */
  client?: PaletteClient;
}

/** Replay open registration jobs in order. Stops at the first transient failure (order kept). */
export function syncRegistrations(app: AppContext, opts: SyncOptions = {}): Promise<SyncSummary> {
  const cur = running.get(app);
  if (cur) return cur;
  const p = doSync(app, opts).finally(() => running.delete(app));
  running.set(app, p);
  return p;
}

async function doSync(app: AppContext, opts: SyncOptions): Promise<SyncSummary> {
  const repo = app.store.register;
  let jobs = await repo.openJobs();
  if (!jobs.length) return { done: 0, failed: 0, pending: 0 };
  const release = takeLock(app);
  let client = opts.client;
  const own = !client;
  let done = 0;
  let failed = 0;
  let stoppedBy: ErrorData | undefined;
  try {
    jobs = await repo.openJobs(); // re-read under the lock
    const settings = await loadSettings(app);
    if (!client) {
      try {
        client = await paletteClient(app);
      } catch (e) {
        stoppedBy = toErrorData(e);
        return { done, failed, pending: jobs.length, stoppedBy };
      }
    }
    const total = jobs.length;
    for (const [i, job0] of jobs.entries()) {
      if (opts.signal?.aborted) throw new AppError('ECANCELLED', 'Cancelled');
      opts.onProgress?.({
        phase: 'register',
        item: job0.hostId,
        percent: Math.round((i / total) * 100),
        message: `${i + 1}/${total}`,
      });
      await testStep('claimed', job0.hostId);
      const triedBefore = job0.state === 'in-flight' || job0.attempts > 0;
      const job = await repo.markInFlight(job0.id);
      await testStep('in-flight', job.hostId);
      const entity = { metadata: { uid: job.hostId, name: job.hostId, labels: job.labels } };
      try {
        let result: { uid: string; created: boolean };
        const existing = triedBefore ? await client.getEdgeHost(job.hostId, opts.signal) : undefined;
        if (existing) {
          result = await client.registerEdgeHostExisting(existing, entity, opts.signal);
          app.log(
            'info',
            'register',
            `${job.hostId}: already in Palette (an earlier attempt got through); not sent again`,
          );
        } else {
          result = await client.registerEdgeHost(entity, {
            signal: opts.signal,
            beforePost: () => testStep('posting', job.hostId),
          });
        }
        await testStep('posted', job.hostId);
        await repo.markDone(
          job.id,
          {
            hostId: job.hostId,
            paletteUid: result.uid,
            labels: job.labels,
            site: job.site,
            endpoint: client.endpoint,
            projectUid: settings?.projectUid,
          },
          result.created,
        );
        await app.store.hosts.addEvent(
          job.hostId,
          'registered',
          result.created
            ? `registered in Palette at ${client.endpoint}`
            : `already registered in Palette at ${client.endpoint} (matching record)`,
          { jobId: job.id, created: result.created },
        );
        done++;
        app.bus.emit('register.changed', { reason: 'registered' });
        await testStep('done', job.hostId);
      } catch (e) {
        if (isCancelled(e)) throw e; // stays in-flight: the next sync looks it up first
        const err = toErrorData(e);
        if (isTransient(e) || err.code === 'EAUTH' || err.code === 'ENETWORK') {
          await repo.markQueued(job.id, err);
          stoppedBy = err;
          break;
        }
        await repo.markFailed(job.id, err);
        await app.store.hosts.addEvent(
          job.hostId,
          'register-failed',
          `registration failed: ${err.code}: ${err.message}`,
          { jobId: job.id },
        );
        failed++;
        app.bus.emit('register.changed', { reason: 'failed' });
      }
    }
    opts.onProgress?.({ phase: 'register', percent: 100, message: `${done} registered, ${failed} failed` });
    return { done, failed, pending: await repo.countPending(), ...(stoppedBy ? { stoppedBy } : {}) };
  } finally {
    release();
    if (own) await client?.close();
  }
}

// ---- automatic replay while a UI is open ---------------------------------------------------------

const autoSyncers = new WeakMap<AppContext, NodeJS.Timeout>();

/** Every intervalMs: when jobs are pending and Palette answers, sync. Idempotent per app. */
export function startAutoSync(app: AppContext, intervalMs = 20_000): void {
  if (autoSyncers.has(app)) return;
  const tick = async () => {
    try {
      if ((await app.store.register.countPending()) === 0) return;
      if (!(await loadSettings(app))) return;
      const client = await paletteClient(app, { retry: { attempts: 1 } });
      try {
        await client.ping();
      } finally {
        await client.close();
      }
      const r = await syncRegistrations(app);
      app.log(
        'info',
        'register',
        `network is back: ${r.done} registered, ${r.failed} failed, ${r.pending} pending`,
      );
    } catch {
      /* still offline; next tick */
    }
  };
  const t = setInterval(() => void tick(), intervalMs);
  t.unref();
  autoSyncers.set(app, t);
}

export function stopAutoSync(app: AppContext): void {
  const t = autoSyncers.get(app);
  if (t) clearInterval(t);
  autoSyncers.delete(app);
}
