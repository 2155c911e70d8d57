// What a staging run needs from the other capabilities. The engine only sees this interface; the
// default implementation (./default-services.ts) binds it to user-data, media, flash, PXE and
// register modules, and tests can bind it to the same real modules with test settings.
import type { ErrorData } from '../../shared/errors';
import type { ManifestHost } from '../../shared/contract/staging';

export interface BuiltMedia {
  path: string;
  sha256: string;
  size: number;
}

export interface FlashOutcome {
  target: string;
  ok: boolean;
  verified: boolean;
  /** Drive serial when the system reports one. */
  serial?: string;
  bytes?: number;
  error?: ErrorData;
}

export interface PxeBoot {
  time: string;
  /** What the PXE service saw, in order (dhcp, boot script, kernel, user-data...). */
  events: Array<{ time: string; kind: string; message: string }>;
}

export interface PxeSession {
  /** Resolves when the host with this MAC fetched its user-data; rejects on timeout or abort. */
  waitForBoot(mac: string, signal: AbortSignal): Promise<PxeBoot>;
  readonly description: string;
  close(): Promise<void>;
}

export interface RegistrationOutcome {
  state: 'registered' | 'already-registered' | 'queued' | 'failed';
  uid?: string;
  message: string;
  error?: ErrorData;
}

export interface StagingServices {
  render(profileUserData: string, host: ManifestHost): string;
  /** Bake user-data into a copy of the base ISO at `out` (with the media self-check). */
  buildIso(a: {
    base: string;
    userData: string;
    out: string;
    signal: AbortSignal;
    onProgress?: (percent: number, message?: string) => void;
  }): Promise<BuiltMedia>;
  /** A small cidata image holding the host's user-data. */
  buildCidata(a: { userData: string; hostId: string; out: string; signal: AbortSignal }): Promise<BuiltMedia>;
  /** Hash (and check) a base image used as is. */
  inspectBase(base: string, signal: AbortSignal): Promise<BuiltMedia>;
  /** Write one image to several targets and verify each. Never throws for a per-target failure. */
  flash(a: {
    image: string;
    targets: string[];
    hostIds: string[];
    signal: AbortSignal;
    onProgress?: (percent: number, phase: string) => void;
  }): Promise<FlashOutcome[]>;
  /** Serve these hosts over PXE, each with its own user-data. */
  startPxe(a: {
    hosts: Array<{ hostId: string; mac: string; userData: string }>;
    signal: AbortSignal;
  }): Promise<PxeSession>;
  /** Pre-register hosts with Palette (durable queue: enqueue, then sync). Idempotent per host. */
  register(a: {
    hosts: ManifestHost[];
    runId: string;
    signal: AbortSignal;
  }): Promise<Map<string, RegistrationOutcome>>;
  /** A printable label (with QR code) for the host. */
  label(a: {
    host: ManifestHost;
    registration?: string;
    out: string;
    signal: AbortSignal;
  }): Promise<BuiltMedia>;
  /** One printable sheet (PDF) with the labels of these hosts. */
  labelSheet?(a: { hosts: ManifestHost[]; out: string }): Promise<BuiltMedia>;
}
