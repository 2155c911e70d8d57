// Pxe records in the store: the boot timeline per MAC, DHCP leases of the full-DHCP mode, and
// per-profile kernel command-line templates. Owned by the pxe capability.
import type { BootEvent, BootEventKind } from '../../shared/contract/pxe';
import type { Db, Migration } from './db';
import { json, nowIso, parseJson } from './db';

export const pxeMigrations: Migration[] = [
  {
    domain: 'pxe',
    version: 1,
    description: 'boot events per MAC, DHCP leases, kernel command-line templates per profile',
    sql: `
      CREATE TABLE pxe_events (id INTEGER PRIMARY KEY AUTOINCREMENT, mac TEXT NOT NULL, kind TEXT NOT NULL,
        message TEXT NOT NULL, host_id TEXT, data TEXT, time TEXT NOT NULL);
      CREATE INDEX pxe_events_mac ON pxe_events(mac, id);
      CREATE TABLE pxe_leases (mac TEXT PRIMARY KEY, ip TEXT NOT NULL UNIQUE, expires_at TEXT NOT NULL,
        state TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE pxe_cmdline (profile TEXT PRIMARY KEY, template TEXT NOT NULL, updated_at TEXT NOT NULL);
    `,
  },
];

export interface PxeLease {
  mac: string;
  ip: string;
  /** ISO time. */
  expiresAt: string;
  /** 'offered' until the client REQUESTs it, then 'bound'; 'declined' blocks the address. */
  state: 'offered' | 'bound' | 'declined';
}

export interface PxeRepo {
  addEvent(e: Omit<BootEvent, 'id' | 'time'> & { time?: string }): Promise<BootEvent>;
  /** Oldest first; the newest `limit` events. */
  events(q?: { mac?: string; limit?: number }): Promise<BootEvent[]>;
  leases(): Promise<PxeLease[]>;
  leaseByMac(mac: string): Promise<PxeLease | undefined>;
  leaseByIp(ip: string): Promise<PxeLease | undefined>;
  /** Create or replace the lease of `mac` (an IP held by another MAC is replaced too). */
  putLease(l: PxeLease): Promise<void>;
  deleteLease(mac: string): Promise<boolean>;
  cmdlineTemplate(profile: string): Promise<string | undefined>;
  setCmdlineTemplate(profile: string, template: string | undefined): Promise<void>;
}

type Row = Record<string, unknown>;

export class SqlitePxeRepo implements PxeRepo {
  constructor(private readonly db: Db) {}

  private eventRow(r: Row): BootEvent {
    const e: BootEvent = {
      id: r.id as number,
      mac: r.mac as string,
      kind: r.kind as BootEventKind,
      message: r.message as string,
      time: r.time as string,
    };
    if (r.host_id != null) e.hostId = r.host_id as string;
    const data = parseJson<Record<string, unknown> | undefined>(r.data as string | null, undefined);
    if (data) e.data = data;
    return e;
  }

  async addEvent(e: Omit<BootEvent, 'id' | 'time'> & { time?: string }): Promise<BootEvent> {
    const time = e.time ?? nowIso();
    const r = this.db
      .prepare('INSERT INTO pxe_events (mac, kind, message, host_id, data, time) VALUES (?, ?, ?, ?, ?, ?)')
      .run(e.mac, e.kind, e.message, e.hostId ?? null, e.data ? json(e.data) : null, time);
    return { ...e, id: Number(r.lastInsertRowid), time };
  }

  async events(q: { mac?: string; limit?: number } = {}): Promise<BootEvent[]> {
    const limit = Math.min(q.limit ?? 1000, 10000);
    const rows = q.mac
      ? (this.db
          .prepare('SELECT * FROM pxe_events WHERE mac = ? ORDER BY id DESC LIMIT ?')
          .all(q.mac, limit) as Row[])
      : (this.db.prepare('SELECT * FROM pxe_events ORDER BY id DESC LIMIT ?').all(limit) as Row[]);
    return rows.reverse().map((r) => this.eventRow(r));
  }

  private leaseRow(r: Row): PxeLease {
    return {
      mac: r.mac as string,
      ip: r.ip as string,
      expiresAt: r.expires_at as string,
      state: r.state as PxeLease['state'],
    };
  }
  async leases(): Promise<PxeLease[]> {
    return (this.db.prepare('SELECT * FROM pxe_leases ORDER BY ip').all() as Row[]).map((r) =>
      this.leaseRow(r),
    );
  }
  async leaseByMac(mac: string): Promise<PxeLease | undefined> {
    const r = this.db.prepare('SELECT * FROM pxe_leases WHERE mac = ?').get(mac) as Row | undefined;
    return r ? this.leaseRow(r) : undefined;
  }
  async leaseByIp(ip: string): Promise<PxeLease | undefined> {
    const r = this.db.prepare('SELECT * FROM pxe_leases WHERE ip = ?').get(ip) as Row | undefined;
    return r ? this.leaseRow(r) : undefined;
  }
  async putLease(l: PxeLease): Promise<void> {
    const tx = this.db.transaction(() => {
      this.db.prepare('DELETE FROM pxe_leases WHERE ip = ? AND mac <> ?').run(l.ip, l.mac);
      this.db
        .prepare(
          `INSERT INTO pxe_leases (mac, ip, expires_at, state, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(mac) DO UPDATE SET ip = excluded.ip, expires_at = excluded.expires_at,
             state = excluded.state, updated_at = excluded.updated_at`,
        )
        .run(l.mac, l.ip, l.expiresAt, l.state, nowIso());
    });
    tx();
  }
  async deleteLease(mac: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM pxe_leases WHERE mac = ?').run(mac).changes > 0;
  }
  async cmdlineTemplate(profile: string): Promise<string | undefined> {
    const r = this.db.prepare('SELECT template FROM pxe_cmdline WHERE profile = ?').get(profile) as
      Row | undefined;
    return r ? (r.template as string) : undefined;
  }
  async setCmdlineTemplate(profile: string, template: string | undefined): Promise<void> {
    if (template === undefined) {
      this.db.prepare('DELETE FROM pxe_cmdline WHERE profile = ?').run(profile);
      return;
    }
    this.db
      .prepare(
        `INSERT INTO pxe_cmdline (profile, template, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(profile) DO UPDATE SET template = excluded.template, updated_at = excluded.updated_at`,
      )
      .run(profile, template, nowIso());
  }
}
