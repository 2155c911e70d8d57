// Flash records in the store. Owned by the flash capability: add tables as new migrations
// (domain 'flash', versions 1..n), and methods to the interface and its SQLite implementation.
import type { Db, Migration } from './db';

export const flashMigrations: Migration[] = [];

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface FlashRepo {}

export class SqliteFlashRepo implements FlashRepo {
  constructor(private readonly db: Db) {
    void this.db;
  }
}
