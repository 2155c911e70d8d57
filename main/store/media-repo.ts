// Media records in the store. Owned by the media capability: base installer ISOs (added from a path
// or downloaded) and build records (every build attempt, successful or not). Built files themselves
// are core `artifacts` (kind iso, site-iso, site-fat, raw, qcow2, vmdk, ova, ami), linked to profile/host.
import crypto from 'node:crypto';
import type { Db, Migration } from './db';

export const mediaMigrations: Migration[] = [
  {
    domain: 'media',
    version: 1,
    description: 'base ISOs and media build records',
    sql: `
      CREATE TABLE media_base_isos (id TEXT PRIMARY KEY, name TEXT NOT NULL, path TEXT NOT NULL,
        sha256 TEXT NOT NULL, size INTEGER NOT NULL, source TEXT NOT NULL, volume_id TEXT NOT NULL,
        meta TEXT NOT NULL, added_at TEXT NOT NULL);
      CREATE UNIQUE INDEX media_base_isos_sha ON media_base_isos(sha256);
      CREATE TABLE media_builds (id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL,
        base_sha256 TEXT, user_data_sha256 TEXT, profile TEXT, host_id TEXT, out TEXT NOT NULL,
        artifact_id TEXT, error TEXT, ms INTEGER, created_at TEXT NOT NULL);
      CREATE INDEX media_builds_created ON media_builds(created_at);`,
  },
];

export interface BaseIso {
  id: string;
  name: string;
  path: string;
  sha256: string;
  size: number;
  /** The local path or URL it came from. */
  source: string;
  volumeId: string;
  meta: Record<string, unknown>;
  addedAt: string;
}

export interface MediaBuild {
  id: string;
  kind: string;
  state: 'done' | 'failed' | 'cancelled';
  baseSha256?: string;
  userDataSha256?: string;
  profile?: string;
  hostId?: string;
  out: string;
  artifactId?: string;
  error?: { code: string; message: string };
  ms?: number;
  createdAt: string;
}

export interface MediaRepo {
  addBase(b: Omit<BaseIso, 'id' | 'addedAt'>): Promise<BaseIso>;
  listBases(): Promise<BaseIso[]>;
  /** By ID, or by SHA-256 (full or a prefix of at least 8 characters). */
  getBase(idOrSha: string): Promise<BaseIso | undefined>;
  deleteBase(id: string): Promise<boolean>;
  recordBuild(b: Omit<MediaBuild, 'id' | 'createdAt'>): Promise<MediaBuild>;
  listBuilds(limit?: number): Promise<MediaBuild[]>;
}

type Row = Record<string, unknown>;

export class SqliteMediaRepo implements MediaRepo {
  constructor(private readonly db: Db) {}

  private base(r: Row): BaseIso {
    return {
      id: r.id as string,
      name: r.name as string,
      path: r.path as string,
      sha256: r.sha256 as string,
      size: r.size as number,
      source: r.source as string,
      volumeId: r.volume_id as string,
      meta: JSON.parse(r.meta as string) as Record<string, unknown>,
      addedAt: r.added_at as string,
    };
  }

  async addBase(b: Omit<BaseIso, 'id' | 'addedAt'>): Promise<BaseIso> {
    const existing = this.db.prepare('SELECT * FROM media_base_isos WHERE sha256 = ?').get(b.sha256) as
      Row | undefined;
    const id = existing ? (existing.id as string) : `base-${b.sha256.slice(0, 12)}`;
    const addedAt = existing ? (existing.added_at as string) : new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO media_base_isos (id, name, path, sha256, size, source, volume_id, meta, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, path = excluded.path, source = excluded.source,
           size = excluded.size, volume_id = excluded.volume_id, meta = excluded.meta`,
      )
      .run(id, b.name, b.path, b.sha256, b.size, b.source, b.volumeId, JSON.stringify(b.meta), addedAt);
    return (await this.getBase(id))!;
  }

  async listBases(): Promise<BaseIso[]> {
    return (this.db.prepare('SELECT * FROM media_base_isos ORDER BY added_at DESC').all() as Row[]).map((r) =>
      this.base(r),
    );
  }

  async getBase(idOrSha: string): Promise<BaseIso | undefined> {
    let r = this.db.prepare('SELECT * FROM media_base_isos WHERE id = ?').get(idOrSha) as Row | undefined;
    if (!r && /^[0-9a-f]{8,64}$/i.test(idOrSha)) {
      const rows = this.db
        .prepare('SELECT * FROM media_base_isos WHERE sha256 LIKE ?')
        .all(`${idOrSha.toLowerCase()}%`) as Row[];
      if (rows.length === 1) r = rows[0];
    }
    return r ? this.base(r) : undefined;
  }

  async deleteBase(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM media_base_isos WHERE id = ?').run(id).changes > 0;
  }

  async recordBuild(b: Omit<MediaBuild, 'id' | 'createdAt'>): Promise<MediaBuild> {
    const build: MediaBuild = {
      ...b,
      id: `build-${crypto.randomBytes(6).toString('hex')}`,
      createdAt: new Date().toISOString(),
    };
    this.db
      .prepare(
        `INSERT INTO media_builds (id, kind, state, base_sha256, user_data_sha256, profile, host_id, out, artifact_id, error, ms, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        build.id,
        build.kind,
        build.state,
        build.baseSha256 ?? null,
        build.userDataSha256 ?? null,
        build.profile ?? null,
        build.hostId ?? null,
        build.out,
        build.artifactId ?? null,
        build.error ? JSON.stringify(build.error) : null,
        build.ms ?? null,
        build.createdAt,
      );
    return build;
  }

  async listBuilds(limit = 100): Promise<MediaBuild[]> {
    const rows = this.db
      .prepare('SELECT * FROM media_builds ORDER BY created_at DESC LIMIT ?')
      .all(limit) as Row[];
    return rows.map((r) => ({
      id: r.id as string,
      kind: r.kind as string,
      state: r.state as MediaBuild['state'],
      baseSha256: (r.base_sha256 as string | null) ?? undefined,
      userDataSha256: (r.user_data_sha256 as string | null) ?? undefined,
      profile: (r.profile as string | null) ?? undefined,
      hostId: (r.host_id as string | null) ?? undefined,
      out: r.out as string,
      artifactId: (r.artifact_id as string | null) ?? undefined,
      error: r.error ? (JSON.parse(r.error as string) as MediaBuild['error']) : undefined,
      ms: (r.ms as number | null) ?? undefined,
      createdAt: r.created_at as string,
    }));
  }
}
