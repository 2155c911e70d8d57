// SQLite implementations of the core repositories: profiles, hosts and their events, artifacts,
// jobs and their events, settings.
import crypto from 'node:crypto';
import type { Host, HostEvent, HostInput } from '../../shared/contract/hosts';
import { HostInput as HostInputSchema } from '../../shared/contract/hosts';
import { AppError } from '../../shared/errors';
import type { Db, Migration } from './db';
import { json, nowIso, parseJson } from './db';
import type {
  Artifact,
  ArtifactRepo,
  HostQuery,
  HostRepo,
  Job,
  JobEvent,
  JobRepo,
  JobState,
  Profile,
  ProfileRepo,
  SettingsRepo,
} from './types';

export const coreMigrations: Migration[] = [
  {
    domain: 'core',
    version: 1,
    description: 'profiles, hosts, host events, artifacts, jobs, settings',
    sql: `
      CREATE TABLE profiles (name TEXT PRIMARY KEY, description TEXT NOT NULL DEFAULT '', user_data TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE hosts (id TEXT PRIMARY KEY, serial TEXT, mac TEXT, site TEXT, profile TEXT,
        host_values TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE UNIQUE INDEX hosts_mac ON hosts(mac) WHERE mac IS NOT NULL;
      CREATE INDEX hosts_site ON hosts(site);
      CREATE TABLE host_events (id INTEGER PRIMARY KEY AUTOINCREMENT, host_id TEXT NOT NULL, kind TEXT NOT NULL,
        message TEXT NOT NULL, data TEXT, time TEXT NOT NULL);
      CREATE INDEX host_events_host ON host_events(host_id, id);
      CREATE TABLE artifacts (id TEXT PRIMARY KEY, kind TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL,
        size INTEGER NOT NULL, profile TEXT, host_id TEXT, meta TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL);
      CREATE INDEX artifacts_kind ON artifacts(kind);
      CREATE INDEX artifacts_sha ON artifacts(sha256);
      CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, payload TEXT, result TEXT,
        error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE INDEX jobs_kind_state ON jobs(kind, state);
      CREATE TABLE job_events (job_id TEXT NOT NULL, seq INTEGER NOT NULL, time TEXT NOT NULL, kind TEXT NOT NULL,
        data TEXT, PRIMARY KEY (job_id, seq));
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
];

type Row = Record<string, unknown>;

export function normalizeMac(mac: string): string {
  const hex = mac.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 12)
    throw new AppError(
      'EINVALID',
      `"${mac}" is not a MAC address (expected 6 bytes, e.g. 52:54:00:12:34:56)`,
    );
  return hex.match(/../g)!.join(':');
}

export class SqliteProfileRepo implements ProfileRepo {
  constructor(private readonly db: Db) {}
  private row(r: Row): Profile {
    return {
      name: r.name as string,
      description: r.description as string,
      userData: r.user_data as string,
      createdAt: r.created_at as string,
      updatedAt: r.updated_at as string,
    };
  }
  async list() {
    return (this.db.prepare('SELECT * FROM profiles ORDER BY name').all() as Row[]).map((r) => this.row(r));
  }
  async get(name: string) {
    const r = this.db.prepare('SELECT * FROM profiles WHERE name = ?').get(name) as Row | undefined;
    return r ? this.row(r) : undefined;
  }
  async put(p: { name: string; description?: string; userData: string }) {
    const now = nowIso();
    this.db
      .prepare(
        `INSERT INTO profiles (name, description, user_data, created_at, updated_at) VALUES (@name, @description, @userData, @now, @now)
         ON CONFLICT(name) DO UPDATE SET description = excluded.description, user_data = excluded.user_data, updated_at = excluded.updated_at`,
      )
      .run({ name: p.name, description: p.description ?? '', userData: p.userData, now });
    return (await this.get(p.name))!;
  }
  async delete(name: string) {
    return this.db.prepare('DELETE FROM profiles WHERE name = ?').run(name).changes > 0;
  }
}

export class SqliteHostRepo implements HostRepo {
  constructor(private readonly db: Db) {}
  private row(r: Row): Host {
    const h: Host = {
      id: r.id as string,
      values: parseJson(r.host_values as string, {}),
      createdAt: r.created_at as string,
      updatedAt: r.updated_at as string,
    };
    if (r.serial != null) h.serial = r.serial as string;
    if (r.mac != null) h.mac = r.mac as string;
    if (r.site != null) h.site = r.site as string;
    if (r.profile != null) h.profile = r.profile as string;
    return h;
  }
  async list(q: HostQuery = {}) {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (q.site) {
      where.push('site = @site');
      args.site = q.site;
    }
    if (q.profile) {
      where.push('profile = @profile');
      args.profile = q.profile;
    }
    if (q.query) {
      where.push(
        "(id LIKE @q ESCAPE '\\' OR serial LIKE @q ESCAPE '\\' OR mac LIKE @q ESCAPE '\\' OR site LIKE @q ESCAPE '\\' OR host_values LIKE @q ESCAPE '\\')",
      );
      args.q = `%${q.query.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    }
    const sql = `SELECT * FROM hosts ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id LIMIT ${Math.min(q.limit ?? 100000, 100000)}`;
    return (this.db.prepare(sql).all(args) as Row[]).map((r) => this.row(r));
  }
  async get(id: string) {
    const r = this.db.prepare('SELECT * FROM hosts WHERE id = ?').get(id) as Row | undefined;
    return r ? this.row(r) : undefined;
  }
  async getByMac(mac: string) {
    const r = this.db.prepare('SELECT * FROM hosts WHERE mac = ?').get(normalizeMac(mac)) as Row | undefined;
    return r ? this.row(r) : undefined;
  }
  async upsert(input: HostInput) {
    const h = HostInputSchema.parse(input);
    const mac = h.mac ? normalizeMac(h.mac) : null;
    if (mac) {
      const other = this.db.prepare('SELECT id FROM hosts WHERE mac = ? AND id <> ?').get(mac, h.id) as
        Row | undefined;
      if (other)
        throw new AppError('ECONFLICT', `MAC ${mac} already belongs to host ${other.id as string}`, {
          mac,
          host: other.id,
        });
    }
    const now = nowIso();
    this.db
      .prepare(
        `INSERT INTO hosts (id, serial, mac, site, profile, host_values, created_at, updated_at)
         VALUES (@id, @serial, @mac, @site, @profile, @values, @now, @now)
         ON CONFLICT(id) DO UPDATE SET serial = excluded.serial, mac = excluded.mac, site = excluded.site,
           profile = excluded.profile, host_values = excluded.host_values, updated_at = excluded.updated_at`,
      )
      .run({
        id: h.id,
        serial: h.serial ?? null,
        mac,
        site: h.site ?? null,
        profile: h.profile ?? null,
        values: json(h.values),
        now,
      });
    return (await this.get(h.id))!;
  }
  async delete(id: string) {
    return this.db.prepare('DELETE FROM hosts WHERE id = ?').run(id).changes > 0;
  }
  async count() {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM hosts').get() as { n: number }).n;
  }
  async addEvent(hostId: string, kind: string, message: string, data?: unknown): Promise<HostEvent> {
    const time = nowIso();
    const r = this.db
      .prepare('INSERT INTO host_events (host_id, kind, message, data, time) VALUES (?, ?, ?, ?, ?)')
      .run(hostId, kind, message, data === undefined ? null : json(data), time);
    return { id: Number(r.lastInsertRowid), hostId, kind, message, data, time };
  }
  async events(hostId: string, limit = 500): Promise<HostEvent[]> {
    return (
      this.db
        .prepare('SELECT * FROM host_events WHERE host_id = ? ORDER BY id DESC LIMIT ?')
        .all(hostId, limit) as Row[]
    ).map((r) => ({
      id: r.id as number,
      hostId: r.host_id as string,
      kind: r.kind as string,
      message: r.message as string,
      data: parseJson(r.data as string | null, undefined),
      time: r.time as string,
    }));
  }
}

export class SqliteArtifactRepo implements ArtifactRepo {
  constructor(private readonly db: Db) {}
  private row(r: Row): Artifact {
    const a: Artifact = {
      id: r.id as string,
      kind: r.kind as string,
      path: r.path as string,
      sha256: r.sha256 as string,
      size: r.size as number,
      meta: parseJson(r.meta as string, {}),
      createdAt: r.created_at as string,
    };
    if (r.profile != null) a.profile = r.profile as string;
    if (r.host_id != null) a.hostId = r.host_id as string;
    return a;
  }
  async add(a: Omit<Artifact, 'id' | 'createdAt'> & { id?: string }) {
    const id = a.id ?? crypto.randomUUID();
    this.db
      .prepare(
        `INSERT INTO artifacts (id, kind, path, sha256, size, profile, host_id, meta, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        a.kind,
        a.path,
        a.sha256,
        a.size,
        a.profile ?? null,
        a.hostId ?? null,
        json(a.meta ?? {}),
        nowIso(),
      );
    return (await this.get(id))!;
  }
  async get(id: string) {
    const r = this.db.prepare('SELECT * FROM artifacts WHERE id = ?').get(id) as Row | undefined;
    return r ? this.row(r) : undefined;
  }
  async list(q: { kind?: string; hostId?: string; profile?: string; sha256?: string } = {}) {
    const where: string[] = [];
    const args: unknown[] = [];
    for (const [col, v] of [
      ['kind', q.kind],
      ['host_id', q.hostId],
      ['profile', q.profile],
      ['sha256', q.sha256],
    ] as const) {
      if (v !== undefined) {
        where.push(`${col} = ?`);
        args.push(v);
      }
    }
    const sql = `SELECT * FROM artifacts ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC`;
    return (this.db.prepare(sql).all(...args) as Row[]).map((r) => this.row(r));
  }
  async delete(id: string) {
    return this.db.prepare('DELETE FROM artifacts WHERE id = ?').run(id).changes > 0;
  }
}

export class SqliteJobRepo implements JobRepo {
  constructor(private readonly db: Db) {}
  private row(r: Row): Job {
    return {
      id: r.id as string,
      kind: r.kind as string,
      state: r.state as JobState,
      payload: parseJson(r.payload as string | null, null),
      result: parseJson(r.result as string | null, null),
      error: parseJson(r.error as string | null, null),
      createdAt: r.created_at as string,
      updatedAt: r.updated_at as string,
    };
  }
  async create(j: { id?: string; kind: string; payload: unknown; state?: JobState }) {
    const id = j.id ?? crypto.randomUUID();
    const now = nowIso();
    this.db
      .prepare(
        'INSERT INTO jobs (id, kind, state, payload, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, j.kind, j.state ?? 'queued', json(j.payload), now, now);
    return (await this.get(id))!;
  }
  async get(id: string) {
    const r = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return r ? this.row(r) : undefined;
  }
  async list(q: { kind?: string; state?: JobState; limit?: number } = {}) {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.kind) {
      where.push('kind = ?');
      args.push(q.kind);
    }
    if (q.state) {
      where.push('state = ?');
      args.push(q.state);
    }
    const sql = `SELECT * FROM jobs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC LIMIT ${q.limit ?? 1000}`;
    return (this.db.prepare(sql).all(...args) as Row[]).map((r) => this.row(r));
  }
  async update(
    id: string,
    patch: { state?: JobState; result?: unknown; error?: unknown; payload?: unknown },
  ) {
    const cur = await this.get(id);
    if (!cur) throw new AppError('ENOTFOUND', `job ${id} not found`);
    this.db
      .prepare('UPDATE jobs SET state = ?, result = ?, error = ?, payload = ?, updated_at = ? WHERE id = ?')
      .run(
        patch.state ?? cur.state,
        json('result' in patch ? patch.result : cur.result),
        json('error' in patch ? patch.error : cur.error),
        json('payload' in patch ? patch.payload : cur.payload),
        nowIso(),
        id,
      );
    return (await this.get(id))!;
  }
  async addEvent(jobId: string, kind: string, data?: unknown): Promise<JobEvent> {
    const time = nowIso();
    const tx = this.db.transaction(() => {
      const { n } = this.db
        .prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM job_events WHERE job_id = ?')
        .get(jobId) as {
        n: number;
      };
      this.db
        .prepare('INSERT INTO job_events (job_id, seq, time, kind, data) VALUES (?, ?, ?, ?, ?)')
        .run(jobId, n, time, kind, json(data));
      return n;
    });
    const seq = tx();
    return { jobId, seq, time, kind, data };
  }
  async events(jobId: string, afterSeq = 0) {
    return (
      this.db
        .prepare('SELECT * FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq')
        .all(jobId, afterSeq) as Row[]
    ).map((r) => ({
      jobId: r.job_id as string,
      seq: r.seq as number,
      time: r.time as string,
      kind: r.kind as string,
      data: parseJson(r.data as string | null, null),
    }));
  }
}

export class SqliteSettingsRepo implements SettingsRepo {
  constructor(private readonly db: Db) {}
  async get<T>(key: string) {
    const r = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
      { value: string } | undefined;
    return r ? parseJson<T | undefined>(r.value, undefined) : undefined;
  }
  async set(key: string, value: unknown) {
    this.db
      .prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, json(value));
  }
  async delete(key: string) {
    this.db.prepare('DELETE FROM settings WHERE key = ?').run(key);
  }
}
