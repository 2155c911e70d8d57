// Repository interfaces: the store's whole surface. A PostgreSQL implementation for depots with
// several benches implements these same interfaces; nothing outside main/store sees the engine.
import type { Host, HostEvent, HostInput } from '../../shared/contract/hosts';

export interface Profile {
  name: string;
  description: string;
  /** The user-data template (a #cloud-config YAML document, may contain {{placeholders}}). */
  userData: string;
  createdAt: string;
  updatedAt: string;
}

export interface ProfileRepo {
  list(): Promise<Profile[]>;
  get(name: string): Promise<Profile | undefined>;
  /** Create or replace by name. */
  put(p: { name: string; description?: string; userData: string }): Promise<Profile>;
  delete(name: string): Promise<boolean>;
}

export interface HostQuery {
  query?: string;
  site?: string;
  profile?: string;
  limit?: number;
}

export interface HostRepo {
  list(q?: HostQuery): Promise<Host[]>;
  get(id: string): Promise<Host | undefined>;
  getByMac(mac: string): Promise<Host | undefined>;
  upsert(h: HostInput): Promise<Host>;
  delete(id: string): Promise<boolean>;
  count(): Promise<number>;
  addEvent(hostId: string, kind: string, message: string, data?: unknown): Promise<HostEvent>;
  events(hostId: string, limit?: number): Promise<HostEvent[]>;
}

export interface Artifact {
  id: string;
  kind: string; // 'iso' | 'site-iso' | 'site-fat' | 'qcow2' | 'raw' | 'vmdk' | 'ova' | 'base-iso' | 'label' | 'report' ...
  path: string;
  sha256: string;
  size: number;
  profile?: string;
  hostId?: string;
  meta: Record<string, unknown>;
  createdAt: string;
}

export interface ArtifactRepo {
  add(a: Omit<Artifact, 'id' | 'createdAt'> & { id?: string }): Promise<Artifact>;
  get(id: string): Promise<Artifact | undefined>;
  list(q?: { kind?: string; hostId?: string; profile?: string; sha256?: string }): Promise<Artifact[]>;
  delete(id: string): Promise<boolean>;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface Job {
  id: string;
  kind: string;
  state: JobState;
  payload: unknown;
  result: unknown;
  error: unknown;
  createdAt: string;
  updatedAt: string;
}

export interface JobEvent {
  jobId: string;
  seq: number;
  time: string;
  kind: string;
  data: unknown;
}

export interface JobRepo {
  create(j: { id?: string; kind: string; payload: unknown; state?: JobState }): Promise<Job>;
  get(id: string): Promise<Job | undefined>;
  list(q?: { kind?: string; state?: JobState; limit?: number }): Promise<Job[]>;
  update(
    id: string,
    patch: { state?: JobState; result?: unknown; error?: unknown; payload?: unknown },
  ): Promise<Job>;
  addEvent(jobId: string, kind: string, data?: unknown): Promise<JobEvent>;
  events(jobId: string, afterSeq?: number): Promise<JobEvent[]>;
}

export interface SettingsRepo {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}
