// SQLite engine: opening, pragmas and versioned migrations. Only files in main/store know that
// SQLite is underneath; everything else uses the repository interfaces in ./types.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';

export type Db = Database.Database;

export interface Migration {
  /** The capability that owns the tables (core, media, flash, pxe, register, staging). */
  domain: string;
  /** 1, 2, 3... per domain; never renumber or edit one that shipped, add a new one. */
  version: number;
  description: string;
  sql: string;
}

export function openDb(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let db: Db;
  try {
    db = new Database(file);
  } catch (e) {
    throw new AppError('EIO', `cannot open the Edgebench database ${file}: ${(e as Error).message}`, {
      path: file,
    });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

export function migrate(db: Db, migrations: Migration[]): { applied: string[] } {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    domain TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL, applied_at TEXT NOT NULL,
    PRIMARY KEY (domain, version))`);
  const have = new Set(
    (
      db.prepare('SELECT domain, version FROM schema_migrations').all() as Array<{
        domain: string;
        version: number;
      }>
    ).map((r) => `${r.domain}@${r.version}`),
  );
  const applied: string[] = [];
  const byDomain = new Map<string, Migration[]>();
  for (const m of migrations) byDomain.set(m.domain, [...(byDomain.get(m.domain) ?? []), m]);
  for (const [domain, list] of byDomain) {
    list.sort((a, b) => a.version - b.version);
    list.forEach((m, i) => {
      if (m.version !== i + 1)
        throw new AppError('EINTERNAL', `migrations of ${domain} are not numbered 1..n`);
    });
  }
  const apply = db.transaction((m: Migration) => {
    db.exec(m.sql);
    db.prepare(
      'INSERT INTO schema_migrations (domain, version, description, applied_at) VALUES (?, ?, ?, ?)',
    ).run(m.domain, m.version, m.description, new Date().toISOString());
  });
  for (const list of byDomain.values()) {
    for (const m of list) {
      if (have.has(`${m.domain}@${m.version}`)) continue;
      apply(m);
      applied.push(`${m.domain}@${m.version}`);
    }
  }
  return { applied };
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function json(v: unknown): string {
  return JSON.stringify(v ?? null);
}

export function parseJson<T>(s: string | null | undefined, fallback: T): T {
  if (s == null) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}
