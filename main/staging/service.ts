// Staging's in-process API for the CLI and the API handlers: check a manifest against the store's
// profiles and sites, find-or-create its run, and execute it (in the foreground, or in the
// background for the UI, reporting on the event bus).
import path from 'node:path';
import type { ManifestCheck, RunOptions, StagingProgress } from '../../shared/contract/staging';
import { RunOptions as RunOptionsSchema } from '../../shared/contract/staging';
import { AppError } from '../../shared/errors';
import type { AppContext } from '../app';
import { validateManifest } from './manifest';
import { planRun, type PlannedRun } from './run-create';
import { executeRun, type BeforeBatch } from './run';
import { parseSitesText, storedSites } from './sites';
import { defaultServices, type ServiceSettings } from './default-services';
import type { StagingServices } from './services';

export interface CheckInput {
  text: string;
  fileName: string;
  sitesText?: string;
  sitesFileName?: string;
  via?: 'usb' | 'pxe';
}

export async function checkManifest(app: AppContext, i: CheckInput): Promise<ManifestCheck> {
  const profiles = (await app.store.profiles.list()).map((p) => p.name);
  const sites = await storedSites(app.store);
  if (i.sitesText !== undefined) {
    for (const s of parseSitesText(i.sitesText, i.sitesFileName)) {
      const k = sites.findIndex((x) => x.name === s.name);
      if (k >= 0) sites.splice(k, 1);
      sites.push(s);
    }
  }
  const owners = new Map<string, string>();
  for (const h of await app.store.hosts.list({ limit: 100000 })) if (h.mac) owners.set(h.mac, h.id);
  return validateManifest(i.text, path.basename(i.fileName), {
    profiles,
    sites,
    via: i.via,
    macOwner: (m) => owners.get(m),
  });
}

export function workRoot(app: AppContext): string {
  return path.join(app.dataDir, 'staging');
}

export async function planFromCheck(
  app: AppContext,
  check: ManifestCheck,
  options: Partial<RunOptions>,
  newRun = false,
): Promise<PlannedRun> {
  return planRun(app.store, check, RunOptionsSchema.parse(options), { newRun, workRoot: workRoot(app) });
}

export interface ExecuteInput {
  runId: string;
  signal?: AbortSignal;
  onEvent?: (e: StagingProgress) => void;
  targets?: string[];
  services?: StagingServices;
  settings?: ServiceSettings;
  pxeTimeoutSeconds?: number;
  beforeBatch?: BeforeBatch;
}

/** PXE settings for a session: the run's stored ones, overridden by what this session gives. */
export async function sessionSettings(
  app: AppContext,
  runId: string,
  given: ServiceSettings = {},
): Promise<ServiceSettings> {
  const run = await app.store.staging.getRun(runId);
  const o = (run?.options ?? {}) as RunOptions;
  const defined = Object.fromEntries(Object.entries(given.pxe ?? {}).filter(([, v]) => v !== undefined));
  return { ...given, pxe: { image: o.image, ...(o.pxe ?? {}), ...defined } };
}

export async function execute(app: AppContext, i: ExecuteInput) {
  const settings = await sessionSettings(app, i.runId, i.settings);
  return executeRun({
    store: app.store,
    services: i.services ?? defaultServices(app, settings),
    runId: i.runId,
    signal: i.signal,
    targets: i.targets,
    pxeTimeoutSeconds: i.pxeTimeoutSeconds,
    beforeBatch: i.beforeBatch,
    onEvent: (e) => {
      app.bus.emit('staging.progress', e);
      i.onEvent?.(e);
    },
    log: (level, message) => app.log(level, 'staging', message),
  });
}

// ---- background runs (the UI starts a run and watches its events) ----------------------------

const background = new Map<string, AbortController>();

export function isRunningHere(runId: string): boolean {
  return background.has(runId);
}

export function startInBackground(app: AppContext, runId: string, settings?: ServiceSettings): void {
  if (background.has(runId)) throw new AppError('EBUSY', `run ${runId} is already running`);
  const ac = new AbortController();
  background.set(runId, ac);
  app.bus.emit('staging.run', { runId, state: 'running' });
  void execute(app, { runId, signal: ac.signal, settings })
    .then(
      (state) => app.bus.emit('staging.run', { runId, state }),
      (e) => {
        app.log('error', 'staging', `run ${runId}: ${(e as Error).message}`);
        app.bus.emit('staging.run', { runId, state: 'failed' });
      },
    )
    .finally(() => background.delete(runId));
}

export function cancelBackground(runId: string): boolean {
  const ac = background.get(runId);
  if (!ac) return false;
  ac.abort(new AppError('ECANCELLED', 'Cancelled from the UI'));
  return true;
}

/** Secrets that must never show in a report (the Palette API key, however it is stored). */
export async function reportSecrets(app: AppContext): Promise<string[]> {
  const { loadConnection } = await import('../palette/credentials');
  const c = await loadConnection(app).catch(() => undefined);
  return [c?.apiKey, process.env.PALETTE_API_KEY].filter((s): s is string => !!s);
}
