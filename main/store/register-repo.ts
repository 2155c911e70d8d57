// Register records in the store. Owned by the register capability: add tables as new migrations
// (domain 'register', versions 1..n), and methods to the interface and its SQLite implementation.
import type { Db, Migration } from './db';

export const registerMigrations: Migration[] = [];

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RegisterRepo {}

export class SqliteRegisterRepo implements RegisterRepo {
  constructor(private readonly db: Db) {
    void this.db;
  }
}
