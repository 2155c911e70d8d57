// The store: durable state behind repository interfaces. `openStore` picks the engine (SQLite in
// the data directory today; a shared PostgreSQL for multi-bench depots is planned behind the
// same interfaces).
import path from 'node:path';
import type { Db, Migration } from './db';
import { migrate, openDb } from './db';
import {
  coreMigrations,
  SqliteArtifactRepo,
  SqliteHostRepo,
  SqliteJobRepo,
  SqliteProfileRepo,
  SqliteSettingsRepo,
} from './core-repos';
import { mediaMigrations, SqliteMediaRepo, type MediaRepo } from './media-repo';
import { flashMigrations, SqliteFlashRepo, type FlashRepo } from './flash-repo';
import { pxeMigrations, SqlitePxeRepo, type PxeRepo } from './pxe-repo';
import { registerMigrations, SqliteRegisterRepo, type RegisterRepo } from './register-repo';
import { stagingMigrations, SqliteStagingRepo, type StagingRepo } from './staging-repo';
import type { ArtifactRepo, HostRepo, JobRepo, ProfileRepo, SettingsRepo } from './types';

export type * from './types';

export interface Store {
  readonly location: string;
  profiles: ProfileRepo;
  hosts: HostRepo;
  artifacts: ArtifactRepo;
  jobs: JobRepo;
  settings: SettingsRepo;
  media: MediaRepo;
  flash: FlashRepo;
  pxe: PxeRepo;
  register: RegisterRepo;
  staging: StagingRepo;
  close(): Promise<void>;
}

export const allMigrations: Migration[] = [
  ...coreMigrations,
  ...mediaMigrations,
  ...flashMigrations,
  ...pxeMigrations,
  ...registerMigrations,
  ...stagingMigrations,
];

class SqliteStore implements Store {
  readonly profiles: ProfileRepo;
  readonly hosts: HostRepo;
  readonly artifacts: ArtifactRepo;
  readonly jobs: JobRepo;
  readonly settings: SettingsRepo;
  readonly media: MediaRepo;
  readonly flash: FlashRepo;
  readonly pxe: PxeRepo;
  readonly register: RegisterRepo;
  readonly staging: StagingRepo;
  constructor(
    private readonly db: Db,
    readonly location: string,
  ) {
    this.profiles = new SqliteProfileRepo(db);
    this.hosts = new SqliteHostRepo(db);
    this.artifacts = new SqliteArtifactRepo(db);
    this.jobs = new SqliteJobRepo(db);
    this.settings = new SqliteSettingsRepo(db);
    this.media = new SqliteMediaRepo(db);
    this.flash = new SqliteFlashRepo(db);
    this.pxe = new SqlitePxeRepo(db);
    this.register = new SqliteRegisterRepo(db);
    this.staging = new SqliteStagingRepo(db);
  }
  async close() {
    if (this.db.open) this.db.close();
  }
}

/** Open (and migrate) the store in `dataDir`, or in memory for ':memory:'. */
export function openStore(dataDir: string): Store {
  const file = dataDir === ':memory:' ? ':memory:' : path.join(dataDir, 'edgebench.sqlite');
  const db = openDb(file);
  migrate(db, allMigrations);
  return new SqliteStore(db, file);
}
