// Adapter over the PXE capability (main/pxe): one PXE service for the run's PXE hosts, each with
// its own ready user-data file; a host counts as delivered when it fetched its user-data.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BootEvent } from '../../../shared/contract/pxe';
import { AppError } from '../../../shared/errors';
import type { AppContext } from '../../app';
import { startPxeService } from '../../pxe/service';
import type { PxeBoot, PxeSession } from '../services';

export interface PxeSettings {
  interface?: string;
  address?: string;
  mode?: 'proxy' | 'dhcp';
  dhcpRange?: string;
  httpPort?: number;
  /** Installer ISO to boot from, or kernel + initrd given directly. */
  image?: string;
  kernel?: string;
  initrd?: string;
  cmdlineTemplate?: string;
}

export async function startPxeSession(
  app: AppContext,
  a: { hosts: Array<{ hostId: string; mac: string; userData: string }>; signal: AbortSignal },
  s: PxeSettings = {},
): Promise<PxeSession> {
  if (!s.image && !(s.kernel && s.initrd))
    throw new AppError(
      'EUSAGE',
      'PXE hosts need boot files: pass --pxe-kernel and --pxe-initrd, or --image with an installer ISO',
    );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-stage-pxe-'));
  const hosts = a.hosts.map((h) => {
    const file = path.join(dir, `${h.hostId}.yaml`);
    fs.writeFileSync(file, h.userData, { mode: 0o600 });
    return { hostId: h.hostId, mac: h.mac, source: 'csv' as const, userDataFile: file, values: {} };
  });
  const events = new Map<string, BootEvent[]>();
  const waiters = new Map<string, Array<(b: PxeBoot) => void>>();
  const booted = new Map<string, PxeBoot>();
  const started = startPxeService({
    interface: s.interface,
    address: s.address,
    mode: s.mode,
    dhcpRange: s.dhcpRange,
    httpPort: s.httpPort,
    image: s.kernel && s.initrd ? undefined : s.image,
    artifacts: s.kernel && s.initrd ? { kernel: s.kernel, initrd: s.initrd } : undefined,
    hosts,
    store: app.store,
    bus: app.bus,
    cmdlineTemplate: s.cmdlineTemplate,
    signal: a.signal,
    onEvent: (e) => {
      const list = [...(events.get(e.mac) ?? []), e];
      events.set(e.mac, list);
      if (e.kind === 'userdata-fetched') {
        const b: PxeBoot = {
          time: e.time,
          events: list.map((x) => ({ time: x.time, kind: x.kind, message: x.message })),
        };
        booted.set(e.mac, b);
        for (const w of waiters.get(e.mac) ?? []) w(b);
        waiters.delete(e.mac);
      }
    },
  });
  const svc = await started.catch((e: unknown) => {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  return {
    description: `${svc.address} (${s.mode ?? 'proxy'} DHCP, HTTP ${svc.urls.http}) for ${a.hosts.length} host(s)`,
    waitForBoot(mac, signal) {
      const m = mac.toLowerCase().replace(/-/g, ':'); // the PXE service reports 52:54:00:...
      const done = booted.get(m);
      if (done) return Promise.resolve(done);
      return new Promise<PxeBoot>((resolve, reject) => {
        const onAbort = () =>
          reject(signal.reason instanceof Error ? signal.reason : new AppError('ECANCELLED', 'Cancelled'));
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        waiters.set(m, [
          ...(waiters.get(m) ?? []),
          (b) => {
            signal.removeEventListener('abort', onAbort);
            resolve(b);
          },
        ]);
      });
    },
    async close() {
      await svc.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
