// Staging commands and events. Owned by the staging capability.
// A staging run takes a manifest of hosts through render -> media -> deliver -> register -> label.
import { z } from 'zod';
import { command, Empty, Id } from './define';

export const Delivery = z.enum(['usb', 'pxe']);
export type Delivery = z.infer<typeof Delivery>;

export const MediaMode = z.enum(['per-host', 'cidata']);
export type MediaMode = z.infer<typeof MediaMode>;

/** A site: where hosts go, with the subnets their static addresses must fall in. */
export const StagingSite = z.object({
  name: z.string().min(1).max(200),
  subnets: z.array(z.string()).default([]),
  gateway: z.string().optional(),
  nameserver: z.string().optional(),
  description: z.string().optional(),
});
export type StagingSite = z.infer<typeof StagingSite>;

/** One problem in a manifest, with where it is: row and column as a spreadsheet numbers them. */
export const ManifestIssue = z.object({
  severity: z.enum(['error', 'warning']),
  /** CSV: record number (header = 1). YAML: line number. */
  row: z.number().int(),
  /** 1-based column number (CSV field index, YAML character column). */
  column: z.number().int(),
  /** The column's name in the file, e.g. "mac" (or the YAML key). */
  field: z.string(),
  /** Spreadsheet cell reference for CSV (e.g. "C4"), "line 4, column 7" for YAML. */
  where: z.string(),
  message: z.string(),
});
export type ManifestIssue = z.infer<typeof ManifestIssue>;

export const ManifestHost = z.object({
  id: Id,
  serial: z.string().optional(),
  mac: z.string().optional(),
  site: z.string(),
  profile: z.string(),
  delivery: Delivery,
  hostName: z.string().optional(),
  network: z.object({
    ipAddress: z.string().optional(),
    prefix: z.number().int().optional(),
    mask: z.string().optional(),
    gateway: z.string().optional(),
    nameservers: z.array(z.string()).default([]),
    nic: z.string().optional(),
  }),
  tags: z.record(z.string(), z.string()).default({}),
  /** Where the host is in the manifest (CSV row / YAML line). */
  row: z.number().int(),
});
export type ManifestHost = z.infer<typeof ManifestHost>;

export const ManifestCheck = z.object({
  ok: z.boolean(),
  format: z.enum(['csv', 'yaml']),
  fileName: z.string(),
  /** sha256 of the normalised manifest (hosts + sites): the run id derives from it. */
  manifestSha256: z.string(),
  hosts: z.array(ManifestHost),
  sites: z.array(StagingSite),
  issues: z.array(ManifestIssue),
  counts: z.object({
    hosts: z.number(),
    usb: z.number(),
    pxe: z.number(),
    sites: z.number(),
    profiles: z.number(),
  }),
});
export type ManifestCheck = z.infer<typeof ManifestCheck>;

export const STEPS = ['render', 'media', 'deliver', 'register', 'label'] as const;
export const StepName = z.enum(STEPS);
export type StepName = z.infer<typeof StepName>;
export const StepState = z.enum(['pending', 'running', 'done', 'failed', 'skipped']);
export type StepState = z.infer<typeof StepState>;
export const RunState = z.enum([
  'queued',
  'running',
  'done',
  'partial',
  'failed',
  'cancelled',
  'interrupted',
]);
export type RunState = z.infer<typeof RunState>;
export const HostRunState = z.enum(['pending', 'running', 'done', 'failed']);
export type HostRunState = z.infer<typeof HostRunState>;

export const ErrorInfo = z.object({
  code: z.string(),
  message: z.string(),
  title: z.string().optional(),
  hint: z.string().optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;

export const StepRecord = z.object({
  step: StepName,
  state: StepState,
  attempts: z.number().int(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  message: z.string().optional(),
  result: z.record(z.string(), z.unknown()).default({}),
  error: ErrorInfo.optional(),
});
export type StepRecord = z.infer<typeof StepRecord>;

export const RunHost = z.object({
  hostId: Id,
  index: z.number().int(),
  delivery: Delivery,
  site: z.string(),
  profile: z.string(),
  mac: z.string().optional(),
  serial: z.string().optional(),
  state: HostRunState,
  userDataSha256: z.string().optional(),
  mediaSha256: z.string().optional(),
  steps: z.array(StepRecord),
});
export type RunHost = z.infer<typeof RunHost>;

export const RunOptions = z.object({
  via: Delivery.optional(),
  targets: z.array(z.string()).default([]),
  image: z.string().optional(),
  mediaMode: MediaMode.default('per-host'),
  /** Where built media, labels and reports of this run are kept. */
  workDir: z.string().optional(),
  /** PXE service settings, kept with the run so a resume serves the same way. */
  pxe: z
    .object({
      interface: z.string(),
      address: z.string(),
      mode: z.enum(['proxy', 'dhcp']),
      dhcpRange: z.string(),
      httpPort: z.number().int().positive().max(65535),
      kernel: z.string(),
      initrd: z.string(),
      cmdlineTemplate: z.string(),
    })
    .partial()
    .optional(),
});
export type RunOptions = z.infer<typeof RunOptions>;

export const RunCounts = z.object({
  total: z.number(),
  done: z.number(),
  failed: z.number(),
  running: z.number(),
  pending: z.number(),
});

export const RunSummary = z.object({
  id: Id,
  state: RunState,
  fileName: z.string(),
  manifestSha256: z.string(),
  options: RunOptions,
  counts: RunCounts,
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  error: ErrorInfo.optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RunDetail = RunSummary.extend({
  hosts: z.array(RunHost),
  media: z.array(
    z.object({
      key: z.string(),
      kind: z.string(),
      path: z.string(),
      sha256: z.string(),
      size: z.number(),
      hosts: z.array(z.string()),
    }),
  ),
});
export type RunDetail = z.infer<typeof RunDetail>;

/** Progress of a run: overall and, when about one host, which host and step. */
export const StagingProgress = z.object({
  runId: Id,
  hostId: z.string().optional(),
  step: StepName.optional(),
  state: z.union([StepState, RunState]).optional(),
  message: z.string().optional(),
  stepsDone: z.number(),
  stepsTotal: z.number(),
  hostsDone: z.number(),
  hostsFailed: z.number(),
  hostsTotal: z.number(),
  percent: z.number(),
  etaSeconds: z.number().optional(),
  elapsedSeconds: z.number(),
});
export type StagingProgress = z.infer<typeof StagingProgress>;

/** One host's whole record across runs and capabilities (the inventory). */
export const InventoryRow = z.object({
  hostId: Id,
  serial: z.string().optional(),
  mac: z.string().optional(),
  site: z.string().optional(),
  profile: z.string().optional(),
  ipAddress: z.string().optional(),
  delivery: z.string().optional(),
  state: z.string(),
  lastRunId: z.string().optional(),
  lastRunAt: z.string().optional(),
  userDataSha256: z.string().optional(),
  mediaSha256: z.string().optional(),
  drives: z.array(
    z.object({ target: z.string(), serial: z.string().optional(), verified: z.boolean(), time: z.string() }),
  ),
  pxeBoots: z.number(),
  registration: z.string().optional(),
  cluster: z.string().optional(),
  label: z.string().optional(),
  tags: z.record(z.string(), z.string()).default({}),
  failures: z.array(z.object({ step: z.string(), code: z.string(), message: z.string(), time: z.string() })),
});
export type InventoryRow = z.infer<typeof InventoryRow>;

export const HistoryEntry = z.object({
  time: z.string(),
  kind: z.string(),
  message: z.string(),
  runId: z.string().optional(),
  data: z.unknown().optional(),
});

const StartRequest = z.object({
  text: z.string().max(8 * 1024 * 1024),
  fileName: z.string().default('manifest.csv'),
  options: RunOptions.partial().default({}),
  sitesText: z.string().optional(),
  newRun: z.boolean().default(false),
});

export const stagingCommands = {
  'staging.validateManifest': command(
    'Validate a manifest (CSV or YAML) as a whole; every issue has a row and a column',
    z.object({
      text: z.string().max(8 * 1024 * 1024),
      fileName: z.string().default('manifest.csv'),
      sitesText: z.string().optional(),
      via: Delivery.optional(),
    }),
    ManifestCheck,
  ),
  'staging.start': command(
    'Start (or resume, when the same manifest ran before) a staging run in the background',
    StartRequest,
    z.object({ runId: Id, resumed: z.boolean(), check: ManifestCheck }),
  ),
  'staging.resume': command(
    'Resume an interrupted run: finished steps are kept, the rest runs',
    z.object({ runId: Id }),
    z.object({ runId: Id }),
  ),
  'staging.cancel': command(
    'Stop a running run after the steps in flight (it can be resumed)',
    z.object({ runId: Id }),
    z.object({ cancelled: z.boolean() }),
  ),
  'staging.status': command('A run with every host and step', z.object({ runId: Id }), RunDetail),
  'staging.list': command(
    'Staging runs, newest first',
    z.object({ limit: z.number().int().positive().max(1000).optional() }),
    z.object({ runs: z.array(RunSummary) }),
  ),
  'staging.report': command(
    'The report of a run as HTML, CSV or JSON text (API keys never appear)',
    z.object({ runId: Id, format: z.enum(['html', 'csv', 'json']).default('html') }),
    z.object({ format: z.string(), fileName: z.string(), text: z.string() }),
  ),
  'inventory.list': command(
    "Every host's state and history summary, searchable",
    z.object({
      query: z.string().optional(),
      site: z.string().optional(),
      limit: z.number().int().positive().max(100000).optional(),
    }),
    z.object({ rows: z.array(InventoryRow), total: z.number() }),
  ),
  'inventory.host': command(
    "One host's record with its full history",
    z.object({ hostId: Id }),
    z.object({ row: InventoryRow, history: z.array(HistoryEntry), runs: z.array(z.string()) }),
  ),
  'inventory.export': command(
    'The inventory as CSV or JSON text',
    z.object({ format: z.enum(['csv', 'json']), query: z.string().optional() }),
    z.object({ format: z.string(), fileName: z.string(), text: z.string() }),
  ),
  'staging.sites': command(
    'Sites known to staging (store and settings)',
    Empty,
    z.object({ sites: z.array(StagingSite) }),
  ),
};

export const stagingEvents = {
  'staging.progress': StagingProgress,
  'staging.run': z.object({ runId: Id, state: RunState }),
};
