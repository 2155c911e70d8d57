// Every write becomes a flash record, and an event on the host when the host is known.
import type { FlashTargetResult } from '../../shared/contract/flash';
import type { AppContext } from '../app';

export interface RecordInput {
  hostId?: string;
  /** Host per target path, overriding hostId. */
  targetHosts?: Record<string, string>;
  image: string;
  imageSize?: number;
  sha256: string;
  results: FlashTargetResult[];
  verify: boolean;
}

/** Store one record per target; fills `recordId` in the results. Returns the record IDs. */
export async function recordFlash(app: AppContext, r: RecordInput): Promise<number[]> {
  const ids: number[] = [];
  const hostIds = new Set<string>();
  for (const res of r.results) {
    const hostId = r.targetHosts?.[res.target] ?? r.hostId;
    const host = hostId ? await app.store.hosts.get(hostId) : undefined;
    const rec = await app.store.flash.add({
      hostId,
      imagePath: r.image,
      imageSha256: r.sha256,
      imageSize: r.imageSize,
      drivePath: res.target,
      description: res.description ?? '',
      driveSize: res.size ?? null,
      serial: res.serial,
      bytesWritten: res.bytesWritten,
      speed: res.speed,
      verify: !r.verify
        ? 'skipped'
        : res.verified
          ? 'passed'
          : res.code === 'EVALIDATION'
            ? 'failed'
            : 'not-reached',
      ok: res.ok,
      errorCode: res.code,
      errorMessage: res.ok ? undefined : res.message,
      startedAt: res.startedAt ?? new Date().toISOString(),
      endedAt: res.endedAt ?? new Date().toISOString(),
    });
    res.recordId = rec.id;
    ids.push(rec.id);
    if (host) {
      const msg = res.ok
        ? `flashed ${r.image} to ${res.target}${res.verified ? ' (verified)' : ''}`
        : `flashing ${r.image} to ${res.target} failed: ${res.code}: ${res.message ?? ''}`;
      await app.store.hosts.addEvent(host.id, 'flash', msg, { recordId: rec.id, ok: res.ok, code: res.code });
      hostIds.add(host.id);
    }
  }
  if (ids.length) {
    app.bus.emit('flash.recorded', { ids, hostId: r.hostId });
    for (const id of hostIds) app.bus.emit('hosts.changed', { id });
  }
  return ids;
}
