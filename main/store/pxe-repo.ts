// Pxe records in the store. Owned by the pxe capability: add tables as new migrations
// (domain 'pxe', versions 1..n), and methods to the interface and its SQLite implementation.
import type { Db, Migration } from './db';

export const pxeMigrations: Migration[] = [];

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PxeRepo {}

export class SqlitePxeRepo implements PxeRepo {
  constructor(private readonly db: Db) {
    void this.db;
  }
}
