// Media records in the store. Owned by the media capability: add tables as new migrations
// (domain 'media', versions 1..n), and methods to the interface and its SQLite implementation.
import type { Db, Migration } from './db';

export const mediaMigrations: Migration[] = [];

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MediaRepo {}

export class SqliteMediaRepo implements MediaRepo {
  constructor(private readonly db: Db) {
    void this.db;
  }
}
