// Staging records in the store. Owned by the staging capability: add tables as new migrations
// (domain 'staging', versions 1..n), and methods to the interface and its SQLite implementation.
import type { Db, Migration } from './db';

export const stagingMigrations: Migration[] = [];

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface StagingRepo {}

export class SqliteStagingRepo implements StagingRepo {
  constructor(private readonly db: Db) {
    void this.db;
  }
}
