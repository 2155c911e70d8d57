// Register records in the store: sites, registration jobs (the durable offline queue, one row per
// idempotency key), what Edgebench registered, a cache of Palette's host states, and clusters.
// Every state change is one SQLite transaction, so a kill -9 at any point leaves a consistent
// row that the next sync can resume from.
import crypto from 'node:crypto';
import type {
  ClusterRecord,
  PaletteHost,
  RegJob,
  RegJobState,
  Registration,
  Site,
} from '../../shared/contract/register';
import type { ErrorData } from '../../shared/errors';
import type { Db, Migration } from './db';
import { json, nowIso, parseJson } from './db';

export const registerMigrations: Migration[] = [
  {
    domain: 'register',
    version: 1,
    description: 'sites, registration jobs, registrations, Palette host cache, clusters',
    sql: `
      CREATE TABLE register_sites (name TEXT PRIMARY KEY, body TEXT NOT NULL, pin_hash TEXT,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE register_jobs (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
        host_id TEXT NOT NULL, state TEXT NOT NULL, labels TEXT NOT NULL DEFAULT '{}', site TEXT,
        attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, created INTEGER,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE UNIQUE INDEX register_jobs_open ON register_jobs(host_id) WHERE state IN ('queued', 'in-flight');
      CREATE INDEX register_jobs_state ON register_jobs(state, seq);
      CREATE TABLE register_registrations (host_id TEXT PRIMARY KEY, palette_uid TEXT NOT NULL,
        labels TEXT NOT NULL DEFAULT '{}', site TEXT, endpoint TEXT NOT NULL, project_uid TEXT,
        registered_at TEXT NOT NULL);
      CREATE TABLE register_palette_hosts (uid TEXT PRIMARY KEY, body TEXT NOT NULL, fetched_at TEXT NOT NULL);
      CREATE TABLE register_clusters (name TEXT PRIMARY KEY, site TEXT NOT NULL, uid TEXT, state TEXT NOT NULL,
        host_ids TEXT NOT NULL DEFAULT '[]', definition TEXT, error TEXT,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
    `,
  },
];

export interface StoredSite {
  site: Site;
  pinHash?: string;
}

export interface RegisterRepo {
  // sites
  listSites(): Promise<Site[]>;
  getSite(name: string): Promise<StoredSite | undefined>;
  /** Create or replace; pinHash undefined keeps the existing one, null removes it. */
  putSite(site: Omit<Site, 'hasPin' | 'createdAt' | 'updatedAt'>, pinHash?: string | null): Promise<Site>;
  deleteSite(name: string): Promise<boolean>;
  // jobs
  /** Queue a registration; an open job for the same host is updated instead (never doubled). */
  enqueue(j: { hostId: string; labels: Record<string, string>; site?: string }): Promise<RegJob>;
  getJob(id: string): Promise<RegJob | undefined>;
  /** Open jobs (queued, in-flight) in queue order. */
  openJobs(): Promise<RegJob[]>;
  listJobs(q?: { all?: boolean; hostId?: string }): Promise<RegJob[]>;
  /** queued -> in-flight, counting the attempt. Committed before anything is sent. */
  markInFlight(id: string): Promise<RegJob>;
  /** in-flight -> queued (a transient failure: retried by the next sync). */
  markQueued(id: string, err?: ErrorData): Promise<RegJob>;
  /** -> done, and the registration recorded, in one transaction. */
  markDone(id: string, reg: Omit<Registration, 'registeredAt'>, created: boolean): Promise<RegJob>;
  markFailed(id: string, err: ErrorData): Promise<RegJob>;
  retry(id: string): Promise<RegJob>;
  countPending(): Promise<number>;
  // registrations
  getRegistration(hostId: string): Promise<Registration | undefined>;
  listRegistrations(): Promise<Registration[]>;
  deleteRegistration(hostId: string): Promise<boolean>;
  // Palette cache
  cachePaletteHosts(hosts: PaletteHost[], replaceAll: boolean): Promise<void>;
  paletteHosts(): Promise<PaletteHost[]>;
  // clusters
  putCluster(c: Omit<ClusterRecord, 'createdAt' | 'updatedAt'>): Promise<ClusterRecord>;
  getCluster(name: string): Promise<ClusterRecord | undefined>;
  clusterForSite(site: string): Promise<ClusterRecord | undefined>;
  listClusters(): Promise<ClusterRecord[]>;
}

type Row = Record<string, unknown>;

export class SqliteRegisterRepo implements RegisterRepo {
  constructor(private readonly db: Db) {}

  // ---- sites ----
  private siteRow(r: Row): Site {
    const body = parseJson<Site>(r.body as string, {} as Site);
    return {
      ...body,
      hasPin: Boolean(r.pin_hash),
      createdAt: r.created_at as string,
      updatedAt: r.updated_at as string,
    };
  }
  async listSites() {
    return (this.db.prepare('SELECT * FROM register_sites ORDER BY name').all() as Row[]).map((r) =>
      this.siteRow(r),
    );
  }
  async getSite(name: string) {
    const r = this.db.prepare('SELECT * FROM register_sites WHERE name = ?').get(name) as Row | undefined;
    return r ? { site: this.siteRow(r), pinHash: (r.pin_hash as string | null) ?? undefined } : undefined;
  }
  async putSite(site: Omit<Site, 'hasPin' | 'createdAt' | 'updatedAt'>, pinHash?: string | null) {
    const now = nowIso();
    const body = json({ ...site });
    this.db
      .prepare(
        `INSERT INTO register_sites (name, body, pin_hash, created_at, updated_at) VALUES (@name, @body, @pin, @now, @now)
         ON CONFLICT(name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at,
           pin_hash = CASE WHEN @keep = 1 THEN register_sites.pin_hash ELSE excluded.pin_hash END`,
      )
      .run({ name: site.name, body, pin: pinHash ?? null, now, keep: pinHash === undefined ? 1 : 0 });
    return (await this.getSite(site.name))!.site;
  }
  async deleteSite(name: string) {
    return this.db.prepare('DELETE FROM register_sites WHERE name = ?').run(name).changes > 0;
  }

  // ---- jobs ----
  private jobRow(r: Row): RegJob {
    const err = parseJson<ErrorData | null>(r.last_error as string | null, null);
    return {
      id: r.id as string,
      seq: r.seq as number,
      hostId: r.host_id as string,
      state: r.state as RegJobState,
      labels: parseJson(r.labels as string, {}),
      site: (r.site as string | null) ?? undefined,
      attempts: r.attempts as number,
      lastError: err ?? undefined,
      created: r.created === null || r.created === undefined ? undefined : Boolean(r.created),
      createdAt: r.created_at as string,
      updatedAt: r.updated_at as string,
    };
  }
  private jobById(id: string): RegJob {
    const r = this.db.prepare('SELECT * FROM register_jobs WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw new Error(`no registration job ${id}`);
    return this.jobRow(r);
  }
  async enqueue(j: { hostId: string; labels: Record<string, string>; site?: string }) {
    const tx = this.db.transaction(() => {
      const now = nowIso();
      const open = this.db
        .prepare("SELECT * FROM register_jobs WHERE host_id = ? AND state IN ('queued', 'in-flight')")
        .get(j.hostId) as Row | undefined;
      if (open) {
        const labels = { ...parseJson<Record<string, string>>(open.labels as string, {}), ...j.labels };
        this.db
          .prepare(
            'UPDATE register_jobs SET labels = ?, site = COALESCE(?, site), updated_at = ? WHERE id = ?',
          )
          .run(json(labels), j.site ?? null, now, open.id);
        return open.id as string;
      }
      const id = `reg-${crypto.randomUUID()}`;
      this.db
        .prepare(
          `INSERT INTO register_jobs (id, host_id, state, labels, site, created_at, updated_at)
           VALUES (?, ?, 'queued', ?, ?, ?, ?)`,
        )
        .run(id, j.hostId, json(j.labels), j.site ?? null, now, now);
      return id;
    });
    return this.jobById(tx());
  }
  async getJob(id: string) {
    const r = this.db.prepare('SELECT * FROM register_jobs WHERE id = ?').get(id) as Row | undefined;
    return r ? this.jobRow(r) : undefined;
  }
  async openJobs() {
    return (
      this.db
        .prepare("SELECT * FROM register_jobs WHERE state IN ('queued', 'in-flight') ORDER BY seq")
        .all() as Row[]
    ).map((r) => this.jobRow(r));
  }
  async listJobs(q: { all?: boolean; hostId?: string } = {}) {
    const where: string[] = [];
    const args: unknown[] = [];
    if (!q.all) where.push("state IN ('queued', 'in-flight', 'failed')");
    if (q.hostId) {
      where.push('host_id = ?');
      args.push(q.hostId);
    }
    const sql = `SELECT * FROM register_jobs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq`;
    return (this.db.prepare(sql).all(...args) as Row[]).map((r) => this.jobRow(r));
  }
  async markInFlight(id: string) {
    this.db
      .prepare(
        "UPDATE register_jobs SET state = 'in-flight', attempts = attempts + 1, updated_at = ? WHERE id = ?",
      )
      .run(nowIso(), id);
    return this.jobById(id);
  }
  async markQueued(id: string, err?: ErrorData) {
    this.db
      .prepare("UPDATE register_jobs SET state = 'queued', last_error = ?, updated_at = ? WHERE id = ?")
      .run(err ? json(err) : null, nowIso(), id);
    return this.jobById(id);
  }
  async markDone(id: string, reg: Omit<Registration, 'registeredAt'>, created: boolean) {
    const tx = this.db.transaction(() => {
      const now = nowIso();
      this.db
        .prepare(
          "UPDATE register_jobs SET state = 'done', created = ?, last_error = NULL, updated_at = ? WHERE id = ?",
        )
        .run(created ? 1 : 0, now, id);
      this.db
        .prepare(
          `INSERT INTO register_registrations (host_id, palette_uid, labels, site, endpoint, project_uid, registered_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(host_id) DO UPDATE SET palette_uid = excluded.palette_uid, labels = excluded.labels,
             site = excluded.site, endpoint = excluded.endpoint, project_uid = excluded.project_uid,
             registered_at = excluded.registered_at`,
        )
        .run(
          reg.hostId,
          reg.paletteUid,
          json(reg.labels),
          reg.site ?? null,
          reg.endpoint,
          reg.projectUid ?? null,
          now,
        );
    });
    tx();
    return this.jobById(id);
  }
  async markFailed(id: string, err: ErrorData) {
    this.db
      .prepare("UPDATE register_jobs SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?")
      .run(json(err), nowIso(), id);
    return this.jobById(id);
  }
  async retry(id: string) {
    const tx = this.db.transaction(() => {
      const j = this.jobById(id);
      if (j.state !== 'failed') return j;
      const open = this.db
        .prepare("SELECT id FROM register_jobs WHERE host_id = ? AND state IN ('queued', 'in-flight')")
        .get(j.hostId) as Row | undefined;
      if (open) return this.jobById(open.id as string);
      // Back to the end of the queue under a fresh sequence number, same idempotency key.
      this.db.prepare('DELETE FROM register_jobs WHERE id = ?').run(id);
      this.db
        .prepare(
          `INSERT INTO register_jobs (id, host_id, state, labels, site, attempts, created_at, updated_at)
           VALUES (?, ?, 'queued', ?, ?, ?, ?, ?)`,
        )
        .run(id, j.hostId, json(j.labels), j.site ?? null, j.attempts, j.createdAt, nowIso());
      return this.jobById(id);
    });
    return tx();
  }
  async countPending() {
    return (
      this.db
        .prepare("SELECT COUNT(*) AS n FROM register_jobs WHERE state IN ('queued', 'in-flight')")
        .get() as { n: number }
    ).n;
  }

  // ---- registrations ----
  private regRow(r: Row): Registration {
    return {
      hostId: r.host_id as string,
      paletteUid: r.palette_uid as string,
      labels: parseJson(r.labels as string, {}),
      site: (r.site as string | null) ?? undefined,
      endpoint: r.endpoint as string,
      projectUid: (r.project_uid as string | null) ?? undefined,
      registeredAt: r.registered_at as string,
    };
  }
  async getRegistration(hostId: string) {
    const r = this.db.prepare('SELECT * FROM register_registrations WHERE host_id = ?').get(hostId) as
      Row | undefined;
    return r ? this.regRow(r) : undefined;
  }
  async listRegistrations() {
    return (this.db.prepare('SELECT * FROM register_registrations ORDER BY host_id').all() as Row[]).map(
      (r) => this.regRow(r),
    );
  }
  async deleteRegistration(hostId: string) {
    return this.db.prepare('DELETE FROM register_registrations WHERE host_id = ?').run(hostId).changes > 0;
  }

  // ---- Palette cache ----
  async cachePaletteHosts(hosts: PaletteHost[], replaceAll: boolean) {
    const tx = this.db.transaction(() => {
      if (replaceAll) this.db.prepare('DELETE FROM register_palette_hosts').run();
      const st = this.db.prepare(
        'INSERT INTO register_palette_hosts (uid, body, fetched_at) VALUES (?, ?, ?) ON CONFLICT(uid) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at',
      );
      for (const h of hosts) st.run(h.uid, json(h), h.fetchedAt);
    });
    tx();
  }
  async paletteHosts() {
    return (this.db.prepare('SELECT body FROM register_palette_hosts ORDER BY uid').all() as Row[]).map((r) =>
      parseJson<PaletteHost>(r.body as string, {} as PaletteHost),
    );
  }

  // ---- clusters ----
  private clusterRow(r: Row): ClusterRecord {
    const err = parseJson<ErrorData | null>(r.error as string | null, null);
    return {
      name: r.name as string,
      site: r.site as string,
      uid: (r.uid as string | null) ?? undefined,
      state: r.state as ClusterRecord['state'],
      hostIds: parseJson(r.host_ids as string, []),
      definition: parseJson(r.definition as string | null, null),
      error: err ?? undefined,
      createdAt: r.created_at as string,
      updatedAt: r.updated_at as string,
    };
  }
  async putCluster(c: Omit<ClusterRecord, 'createdAt' | 'updatedAt'>) {
    const now = nowIso();
    this.db
      .prepare(
        `INSERT INTO register_clusters (name, site, uid, state, host_ids, definition, error, created_at, updated_at)
         VALUES (@name, @site, @uid, @state, @hostIds, @definition, @error, @now, @now)
         ON CONFLICT(name) DO UPDATE SET site = excluded.site, uid = excluded.uid, state = excluded.state,
           host_ids = excluded.host_ids, definition = excluded.definition, error = excluded.error, updated_at = excluded.updated_at`,
      )
      .run({
        name: c.name,
        site: c.site,
        uid: c.uid ?? null,
        state: c.state,
        hostIds: json(c.hostIds),
        definition: json(c.definition),
        error: c.error ? json(c.error) : null,
        now,
      });
    return (await this.getCluster(c.name))!;
  }
  async getCluster(name: string) {
    const r = this.db.prepare('SELECT * FROM register_clusters WHERE name = ?').get(name) as Row | undefined;
    return r ? this.clusterRow(r) : undefined;
  }
  async clusterForSite(site: string) {
    const r = this.db
      .prepare(
        "SELECT * FROM register_clusters WHERE site = ? AND state IN ('creating', 'created', 'deleting') ORDER BY updated_at DESC",
      )
      .get(site) as Row | undefined;
    return r ? this.clusterRow(r) : undefined;
  }
  async listClusters() {
    return (this.db.prepare('SELECT * FROM register_clusters ORDER BY name').all() as Row[]).map((r) =>
      this.clusterRow(r),
    );
  }
}
