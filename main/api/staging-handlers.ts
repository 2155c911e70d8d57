// Handlers for the staging part of the contract (shared/contract/staging.ts): thin wrappers over
// main/staging (validation, runs in the background with events, status, reports, inventory).
import type { stagingCommands } from '../../shared/contract/staging';
import { AppError } from '../../shared/errors';
import {
  checkManifest,
  cancelBackground,
  isRunningHere,
  planFromCheck,
  reportSecrets,
  startInBackground,
} from '../staging/service';
import { runDetail, runSummary } from '../staging/status';
import { renderReport } from '../staging/report';
import { inventoryExport, inventoryHost, inventoryRows } from '../staging/inventory';
import { storedSites } from '../staging/sites';
import type { HandlerMap } from './types';

export const stagingHandlers: HandlerMap<keyof typeof stagingCommands> = {
  'staging.validateManifest': async (req, ctx) =>
    checkManifest(ctx.app, {
      text: req.text,
      fileName: req.fileName,
      sitesText: req.sitesText,
      via: req.via,
    }),
  'staging.start': async (req, ctx) => {
    const check = await checkManifest(ctx.app, {
      text: req.text,
      fileName: req.fileName,
      sitesText: req.sitesText,
      via: req.options.via,
    });
    const plan = await planFromCheck(ctx.app, check, req.options, req.newRun);
    const run = await ctx.app.store.staging.getRun(plan.runId);
    if (!plan.created && run?.state === 'done') return { runId: plan.runId, resumed: false, check };
    if (!isRunningHere(plan.runId)) startInBackground(ctx.app, plan.runId);
    return { runId: plan.runId, resumed: !plan.created, check };
  },
  'staging.resume': async (req, ctx) => {
    if (!(await ctx.app.store.staging.getRun(req.runId)))
      throw new AppError('ENOTFOUND', `no staging run ${req.runId}`);
    if (!isRunningHere(req.runId)) startInBackground(ctx.app, req.runId);
    return { runId: req.runId };
  },
  'staging.cancel': async (req) => ({ cancelled: cancelBackground(req.runId) }),
  'staging.status': async (req, ctx) => runDetail(ctx.app.store, req.runId),
  'staging.list': async (req, ctx) => ({
    runs: await Promise.all(
      (await ctx.app.store.staging.listRuns(req.limit ?? 100)).map((r) => runSummary(ctx.app.store, r)),
    ),
  }),
  'staging.report': async (req, ctx) => ({
    format: req.format,
    fileName: `staging-report-${req.runId}.${req.format}`,
    text: await renderReport(ctx.app.store, req.runId, req.format, await reportSecrets(ctx.app)),
  }),
  'inventory.list': async (req, ctx) => {
    const rows = await inventoryRows(ctx.app.store, { query: req.query, site: req.site });
    return { rows: req.limit ? rows.slice(0, req.limit) : rows, total: rows.length };
  },
  'inventory.host': async (req, ctx) => inventoryHost(ctx.app.store, req.hostId),
  'inventory.export': async (req, ctx) => {
    const { text } = await inventoryExport(ctx.app.store, req.format, req.query);
    return { format: req.format, fileName: `edgebench-inventory.${req.format}`, text };
  },
  'staging.sites': async (_req, ctx) => ({ sites: await storedSites(ctx.app.store) }),
};
