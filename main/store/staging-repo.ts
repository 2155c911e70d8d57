// Staging records in the store. Owned by the staging capability: add tables as new migrations
// (domain 'staging', versions 1..n), and methods to the interface and its SQLite implementation.
// A run has hosts; each (run, host, step) has a durable state, so a run resumes exactly where it
// stopped; a timeline keeps what happened for reports and the inventory.
import type { Statement } from 'better-sqlite3';
import type { Db, Migration } from './db';
import { json, nowIso, parseJson } from './db';

export const stagingMigrations: Migration[] = [
  {
    domain: 'staging',
    version: 1,
    description: 'staging runs, run hosts, per-host steps, run media, run timeline',
    sql: `
      CREATE TABLE staging_runs (id TEXT PRIMARY KEY, state TEXT NOT NULL, file_name TEXT NOT NULL,
        manifest_sha256 TEXT NOT NULL, manifest TEXT NOT NULL, options TEXT NOT NULL, error TEXT,
        owner_pid INTEGER, heartbeat_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        started_at TEXT, finished_at TEXT);
      CREATE INDEX staging_runs_created ON staging_runs(created_at);
      CREATE TABLE staging_hosts (run_id TEXT NOT NULL, host_id TEXT NOT NULL, idx INTEGER NOT NULL,
        delivery TEXT NOT NULL, site TEXT NOT NULL, profile TEXT NOT NULL, mac TEXT, serial TEXT,
        state TEXT NOT NULL, user_data_sha256 TEXT, media_sha256 TEXT, host TEXT NOT NULL,
        PRIMARY KEY (run_id, host_id));
      CREATE INDEX staging_hosts_host ON staging_hosts(host_id);
      CREATE TABLE staging_steps (run_id TEXT NOT NULL, host_id TEXT NOT NULL, step TEXT NOT NULL,
        state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, started_at TEXT, finished_at TEXT,
        message TEXT, result TEXT, error TEXT, PRIMARY KEY (run_id, host_id, step));
      CREATE TABLE staging_media (run_id TEXT NOT NULL, key TEXT NOT NULL, kind TEXT NOT NULL,
        path TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, hosts TEXT NOT NULL,
        created_at TEXT NOT NULL, PRIMARY KEY (run_id, key));
      CREATE TABLE staging_timeline (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL,
        host_id TEXT, step TEXT, kind TEXT NOT NULL, message TEXT NOT NULL, data TEXT, time TEXT NOT NULL);
      CREATE INDEX staging_timeline_run ON staging_timeline(run_id, id);
      CREATE INDEX staging_timeline_host ON staging_timeline(host_id, id);
    `,
  },
];

export interface StagingRunRow {
  id: string;
  state: string;
  fileName: string;
  manifestSha256: string;
  /** The validated manifest (hosts and sites) as the run saw it. */
  manifest: unknown;
  options: unknown;
  error?: unknown;
  ownerPid?: number;
  heartbeatAt?: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface StagingHostRow {
  runId: string;
  hostId: string;
  index: number;
  delivery: string;
  site: string;
  profile: string;
  mac?: string;
  serial?: string;
  state: string;
  userDataSha256?: string;
  mediaSha256?: string;
  host: unknown;
}

export interface StagingStepRow {
  runId: string;
  hostId: string;
  step: string;
  state: string;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  message?: string;
  result: Record<string, unknown>;
  error?: unknown;
}

export interface StagingMediaRow {
  runId: string;
  key: string;
  kind: string;
  path: string;
  sha256: string;
  size: number;
  hosts: string[];
  createdAt: string;
}

export interface StagingTimelineRow {
  id: number;
  runId: string;
  hostId?: string;
  step?: string;
  kind: string;
  message: string;
  data?: unknown;
  time: string;
}

export interface NewStagingRun {
  id: string;
  fileName: string;
  manifestSha256: string;
  manifest: unknown;
  options: unknown;
  hosts: Array<Omit<StagingHostRow, 'runId' | 'state' | 'userDataSha256' | 'mediaSha256'>>;
  steps: string[];
}

export interface StagingRepo {
  createRun(r: NewStagingRun): Promise<StagingRunRow>;
  getRun(id: string): Promise<StagingRunRow | undefined>;
  listRuns(limit?: number): Promise<StagingRunRow[]>;
  updateRun(
    id: string,
    patch: Partial<Pick<StagingRunRow, 'state' | 'error' | 'startedAt' | 'finishedAt' | 'options'>>,
  ): Promise<void>;
  /** Take ownership of a run for this process; false when a live process already owns it. */
  claimRun(id: string, pid: number, isAlive: (pid: number) => boolean, staleMs: number): Promise<boolean>;
  heartbeat(id: string, pid: number): Promise<void>;
  releaseRun(id: string, pid: number): Promise<void>;
  hosts(runId: string): Promise<StagingHostRow[]>;
  updateHost(
    runId: string,
    hostId: string,
    patch: Partial<Pick<StagingHostRow, 'state' | 'userDataSha256' | 'mediaSha256'>>,
  ): Promise<void>;
  steps(runId: string, hostId?: string): Promise<StagingStepRow[]>;
  updateStep(
    runId: string,
    hostId: string,
    step: string,
    patch: Partial<Omit<StagingStepRow, 'runId' | 'hostId' | 'step'>>,
  ): Promise<void>;
  putMedia(m: Omit<StagingMediaRow, 'createdAt'>): Promise<void>;
  media(runId: string): Promise<StagingMediaRow[]>;
  addTimeline(e: Omit<StagingTimelineRow, 'id' | 'time'>): Promise<void>;
  timeline(runId: string): Promise<StagingTimelineRow[]>;
  /** Everything staging knows about one host, across runs (for the inventory). */
  hostHistory(hostId: string): Promise<{
    runs: StagingHostRow[];
    steps: StagingStepRow[];
    timeline: StagingTimelineRow[];
  }>;
  /** The latest run row of every host (for the inventory table). */
  latestHostRows(): Promise<StagingHostRow[]>;
  /** All step rows of the latest run of every host. */
  latestStepRows(): Promise<StagingStepRow[]>;
}

type Row = Record<string, unknown>;
const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));

function runRow(r: Row): StagingRunRow {
  return {
    id: r.id as string,
    state: r.state as string,
    fileName: r.file_name as string,
    manifestSha256: r.manifest_sha256 as string,
    manifest: parseJson(r.manifest as string, null),
    options: parseJson(r.options as string, {}),
    error: parseJson(r.error as string | null, undefined),
    ownerPid: opt<number>(r.owner_pid),
    heartbeatAt: opt<string>(r.heartbeat_at),
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
    startedAt: opt<string>(r.started_at),
    finishedAt: opt<string>(r.finished_at),
  };
}
function hostRow(r: Row): StagingHostRow {
  return {
    runId: r.run_id as string,
    hostId: r.host_id as string,
    index: r.idx as number,
    delivery: r.delivery as string,
    site: r.site as string,
    profile: r.profile as string,
    mac: opt<string>(r.mac),
    serial: opt<string>(r.serial),
    state: r.state as string,
    userDataSha256: opt<string>(r.user_data_sha256),
    mediaSha256: opt<string>(r.media_sha256),
    host: parseJson(r.host as string, null),
  };
}
function stepRow(r: Row): StagingStepRow {
  return {
    runId: r.run_id as string,
    hostId: r.host_id as string,
    step: r.step as string,
    state: r.state as string,
    attempts: r.attempts as number,
    startedAt: opt<string>(r.started_at),
    finishedAt: opt<string>(r.finished_at),
    message: opt<string>(r.message),
    result: parseJson(r.result as string | null, {}),
    error: parseJson(r.error as string | null, undefined),
  };
}
function timelineRow(r: Row): StagingTimelineRow {
  return {
    id: r.id as number,
    runId: r.run_id as string,
    hostId: opt<string>(r.host_id),
    step: opt<string>(r.step),
    kind: r.kind as string,
    message: r.message as string,
    data: parseJson(r.data as string | null, undefined),
    time: r.time as string,
  };
}

export class SqliteStagingRepo implements StagingRepo {
  private readonly stmts = new Map<string, Statement<unknown[]>>();
  constructor(private readonly db: Db) {}
  /** Prepared statements are cached: a 500-host run issues thousands of the same few. */
  private prepare(sql: string): Statement<unknown[]> {
    let st = this.stmts.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.stmts.set(sql, st);
    }
    return st;
  }

  async createRun(r: NewStagingRun) {
    const now = nowIso();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO staging_runs (id, state, file_name, manifest_sha256, manifest, options, created_at, updated_at)
           VALUES (?, 'queued', ?, ?, ?, ?, ?, ?)`,
        )
        .run(r.id, r.fileName, r.manifestSha256, json(r.manifest), json(r.options), now, now);
      const h = this.prepare(
        `INSERT INTO staging_hosts (run_id, host_id, idx, delivery, site, profile, mac, serial, state, host)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
      );
      const s = this.prepare(
        `INSERT INTO staging_steps (run_id, host_id, step, state) VALUES (?, ?, ?, 'pending')`,
      );
      for (const host of r.hosts) {
        h.run(
          r.id,
          host.hostId,
          host.index,
          host.delivery,
          host.site,
          host.profile,
          host.mac ?? null,
          host.serial ?? null,
          json(host.host),
        );
        for (const step of r.steps) s.run(r.id, host.hostId, step);
      }
    })();
    return (await this.getRun(r.id))!;
  }
  async getRun(id: string) {
    const r = this.prepare('SELECT * FROM staging_runs WHERE id = ?').get(id) as Row | undefined;
    return r ? runRow(r) : undefined;
  }
  async listRuns(limit = 100) {
    return (
      this.prepare('SELECT * FROM staging_runs ORDER BY created_at DESC, id LIMIT ?').all(limit) as Row[]
    ).map(runRow);
  }
  async updateRun(
    id: string,
    patch: Partial<Pick<StagingRunRow, 'state' | 'error' | 'startedAt' | 'finishedAt' | 'options'>>,
  ) {
    const sets: string[] = ['updated_at = @now'];
    const args: Row = { id, now: nowIso() };
    if (patch.state !== undefined) {
      sets.push('state = @state');
      args.state = patch.state;
    }
    if ('error' in patch) {
      sets.push('error = @error');
      args.error = patch.error === undefined ? null : json(patch.error);
    }
    if ('startedAt' in patch) {
      sets.push('started_at = @startedAt');
      args.startedAt = patch.startedAt ?? null;
    }
    if ('finishedAt' in patch) {
      sets.push('finished_at = @finishedAt');
      args.finishedAt = patch.finishedAt ?? null;
    }
    if (patch.options !== undefined) {
      sets.push('options = @options');
      args.options = json(patch.options);
    }
    this.prepare(`UPDATE staging_runs SET ${sets.join(', ')} WHERE id = @id`).run(args);
  }
  async claimRun(id: string, pid: number, isAlive: (pid: number) => boolean, staleMs: number) {
    return this.db.transaction(() => {
      const r = this.prepare('SELECT owner_pid, heartbeat_at FROM staging_runs WHERE id = ?').get(id) as
        Row | undefined;
      if (!r) return false;
      const owner = opt<number>(r.owner_pid);
      const beat = opt<string>(r.heartbeat_at);
      const fresh = beat !== undefined && Date.now() - Date.parse(beat) < staleMs;
      if (owner !== undefined && owner !== pid && isAlive(owner) && fresh) return false;
      this.db
        .prepare('UPDATE staging_runs SET owner_pid = ?, heartbeat_at = ? WHERE id = ?')
        .run(pid, nowIso(), id);
      return true;
    })();
  }
  async heartbeat(id: string, pid: number) {
    this.db
      .prepare('UPDATE staging_runs SET heartbeat_at = ? WHERE id = ? AND owner_pid = ?')
      .run(nowIso(), id, pid);
  }
  async releaseRun(id: string, pid: number) {
    this.db
      .prepare('UPDATE staging_runs SET owner_pid = NULL, heartbeat_at = NULL WHERE id = ? AND owner_pid = ?')
      .run(id, pid);
  }
  async hosts(runId: string) {
    return (
      this.prepare('SELECT * FROM staging_hosts WHERE run_id = ? ORDER BY idx').all(runId) as Row[]
    ).map(hostRow);
  }
  async updateHost(
    runId: string,
    hostId: string,
    patch: Partial<Pick<StagingHostRow, 'state' | 'userDataSha256' | 'mediaSha256'>>,
  ) {
    const sets: string[] = [];
    const args: Row = { runId, hostId };
    if (patch.state !== undefined) {
      sets.push('state = @state');
      args.state = patch.state;
    }
    if ('userDataSha256' in patch) {
      sets.push('user_data_sha256 = @ud');
      args.ud = patch.userDataSha256 ?? null;
    }
    if ('mediaSha256' in patch) {
      sets.push('media_sha256 = @media');
      args.media = patch.mediaSha256 ?? null;
    }
    if (!sets.length) return;
    this.db
      .prepare(`UPDATE staging_hosts SET ${sets.join(', ')} WHERE run_id = @runId AND host_id = @hostId`)
      .run(args);
  }
  async steps(runId: string, hostId?: string) {
    const rows = hostId
      ? this.prepare('SELECT * FROM staging_steps WHERE run_id = ? AND host_id = ?').all(runId, hostId)
      : this.prepare('SELECT * FROM staging_steps WHERE run_id = ?').all(runId);
    return (rows as Row[]).map(stepRow);
  }
  async updateStep(
    runId: string,
    hostId: string,
    step: string,
    patch: Partial<Omit<StagingStepRow, 'runId' | 'hostId' | 'step'>>,
  ) {
    const sets: string[] = [];
    const args: Row = { runId, hostId, step };
    const map: Record<string, string> = {
      state: 'state',
      attempts: 'attempts',
      startedAt: 'started_at',
      finishedAt: 'finished_at',
      message: 'message',
    };
    for (const [k, col] of Object.entries(map)) {
      if (k in patch) {
        sets.push(`${col} = @${k}`);
        args[k] = (patch as Row)[k] ?? null;
      }
    }
    if ('result' in patch) {
      sets.push('result = @result');
      args.result = json(patch.result ?? {});
    }
    if ('error' in patch) {
      sets.push('error = @error');
      args.error = patch.error === undefined ? null : json(patch.error);
    }
    if (!sets.length) return;
    this.db
      .prepare(
        `UPDATE staging_steps SET ${sets.join(', ')} WHERE run_id = @runId AND host_id = @hostId AND step = @step`,
      )
      .run(args);
  }
  async putMedia(m: Omit<StagingMediaRow, 'createdAt'>) {
    this.db
      .prepare(
        `INSERT INTO staging_media (run_id, key, kind, path, sha256, size, hosts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(run_id, key) DO UPDATE SET kind = excluded.kind, path = excluded.path, sha256 = excluded.sha256,
           size = excluded.size, hosts = excluded.hosts`,
      )
      .run(m.runId, m.key, m.kind, m.path, m.sha256, m.size, json(m.hosts), nowIso());
  }
  async media(runId: string) {
    return (
      this.db
        .prepare('SELECT * FROM staging_media WHERE run_id = ? ORDER BY created_at, key')
        .all(runId) as Row[]
    ).map((r) => ({
      runId: r.run_id as string,
      key: r.key as string,
      kind: r.kind as string,
      path: r.path as string,
      sha256: r.sha256 as string,
      size: r.size as number,
      hosts: parseJson<string[]>(r.hosts as string, []),
      createdAt: r.created_at as string,
    }));
  }
  async addTimeline(e: Omit<StagingTimelineRow, 'id' | 'time'>) {
    this.db
      .prepare(
        'INSERT INTO staging_timeline (run_id, host_id, step, kind, message, data, time) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        e.runId,
        e.hostId ?? null,
        e.step ?? null,
        e.kind,
        e.message,
        e.data === undefined ? null : json(e.data),
        nowIso(),
      );
  }
  async timeline(runId: string) {
    return (
      this.prepare('SELECT * FROM staging_timeline WHERE run_id = ? ORDER BY id').all(runId) as Row[]
    ).map(timelineRow);
  }
  async hostHistory(hostId: string) {
    const runs = (
      this.db
        .prepare(
          `SELECT h.* FROM staging_hosts h JOIN staging_runs r ON r.id = h.run_id WHERE h.host_id = ? ORDER BY r.created_at DESC`,
        )
        .all(hostId) as Row[]
    ).map(hostRow);
    const steps = (this.prepare('SELECT * FROM staging_steps WHERE host_id = ?').all(hostId) as Row[]).map(
      stepRow,
    );
    const timeline = (
      this.db
        .prepare('SELECT * FROM staging_timeline WHERE host_id = ? ORDER BY id DESC LIMIT 1000')
        .all(hostId) as Row[]
    ).map(timelineRow);
    return { runs, steps, timeline };
  }
  private static readonly LATEST = `SELECT h.run_id, h.host_id FROM staging_hosts h JOIN staging_runs r ON r.id = h.run_id
    WHERE r.created_at = (SELECT MAX(r2.created_at) FROM staging_hosts h2 JOIN staging_runs r2 ON r2.id = h2.run_id WHERE h2.host_id = h.host_id)`;
  async latestHostRows() {
    return (
      this.db
        .prepare(
          `SELECT * FROM staging_hosts WHERE (run_id, host_id) IN (${SqliteStagingRepo.LATEST}) ORDER BY host_id`,
        )
        .all() as Row[]
    ).map(hostRow);
  }
  async latestStepRows() {
    return (
      this.db
        .prepare(`SELECT * FROM staging_steps WHERE (run_id, host_id) IN (${SqliteStagingRepo.LATEST})`)
        .all() as Row[]
    ).map(stepRow);
  }
}
