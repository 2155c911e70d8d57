// Flash records in the store. Owned by the flash capability: add tables as new migrations
// (domain 'flash', versions 1..n), and methods to the interface and its SQLite implementation.
import type { FlashRecord } from '../../shared/contract/flash';
import type { Db, Migration } from './db';

export const flashMigrations: Migration[] = [
  {
    domain: 'flash',
    version: 1,
    description: 'flash records: one row per drive written',
    sql: `
      CREATE TABLE flash_records (id INTEGER PRIMARY KEY AUTOINCREMENT, host_id TEXT, image_path TEXT NOT NULL,
        image_sha256 TEXT NOT NULL, image_size INTEGER, drive_path TEXT NOT NULL, description TEXT NOT NULL,
        drive_size INTEGER, serial TEXT, bytes_written INTEGER NOT NULL, speed REAL NOT NULL, verify TEXT NOT NULL,
        ok INTEGER NOT NULL, error_code TEXT, error_message TEXT, started_at TEXT NOT NULL, ended_at TEXT NOT NULL);
      CREATE INDEX flash_records_host ON flash_records(host_id, id);
      CREATE INDEX flash_records_drive ON flash_records(drive_path, id);
    `,
  },
];

export type FlashRecordInput = Omit<FlashRecord, 'id'>;

export interface FlashRepo {
  add(r: FlashRecordInput): Promise<FlashRecord>;
  get(id: number): Promise<FlashRecord | undefined>;
  /** Newest first. */
  list(q?: { hostId?: string; drivePath?: string; limit?: number }): Promise<FlashRecord[]>;
}

type Row = Record<string, unknown>;

export class SqliteFlashRepo implements FlashRepo {
  constructor(private readonly db: Db) {}
  private row(r: Row): FlashRecord {
    const rec: FlashRecord = {
      id: r.id as number,
      imagePath: r.image_path as string,
      imageSha256: r.image_sha256 as string,
      drivePath: r.drive_path as string,
      description: r.description as string,
      driveSize: (r.drive_size as number | null) ?? null,
      bytesWritten: r.bytes_written as number,
      speed: r.speed as number,
      verify: r.verify as FlashRecord['verify'],
      ok: r.ok === 1,
      startedAt: r.started_at as string,
      endedAt: r.ended_at as string,
    };
    if (r.host_id != null) rec.hostId = r.host_id as string;
    if (r.image_size != null) rec.imageSize = r.image_size as number;
    if (r.serial != null) rec.serial = r.serial as string;
    if (r.error_code != null) rec.errorCode = r.error_code as string;
    if (r.error_message != null) rec.errorMessage = r.error_message as string;
    return rec;
  }
  async add(r: FlashRecordInput) {
    const info = this.db
      .prepare(
        `INSERT INTO flash_records (host_id, image_path, image_sha256, image_size, drive_path, description, drive_size,
          serial, bytes_written, speed, verify, ok, error_code, error_message, started_at, ended_at)
         VALUES (@hostId, @imagePath, @imageSha256, @imageSize, @drivePath, @description, @driveSize, @serial,
          @bytesWritten, @speed, @verify, @ok, @errorCode, @errorMessage, @startedAt, @endedAt)`,
      )
      .run({
        hostId: r.hostId ?? null,
        imagePath: r.imagePath,
        imageSha256: r.imageSha256,
        imageSize: r.imageSize ?? null,
        drivePath: r.drivePath,
        description: r.description,
        driveSize: r.driveSize ?? null,
        serial: r.serial ?? null,
        bytesWritten: r.bytesWritten,
        speed: r.speed,
        verify: r.verify,
        ok: r.ok ? 1 : 0,
        errorCode: r.errorCode ?? null,
        errorMessage: r.errorMessage ?? null,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
      });
    return (await this.get(Number(info.lastInsertRowid)))!;
  }
  async get(id: number) {
    const r = this.db.prepare('SELECT * FROM flash_records WHERE id = ?').get(id) as Row | undefined;
    return r ? this.row(r) : undefined;
  }
  async list(q: { hostId?: string; drivePath?: string; limit?: number } = {}) {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (q.hostId) {
      where.push('host_id = @hostId');
      args.hostId = q.hostId;
    }
    if (q.drivePath) {
      where.push('drive_path = @drivePath');
      args.drivePath = q.drivePath;
    }
    const limit = Math.min(Math.max(1, q.limit ?? 200), 10000);
    const sql = `SELECT * FROM flash_records ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ${limit}`;
    return (this.db.prepare(sql).all(args) as Row[]).map((r) => this.row(r));
  }
}
