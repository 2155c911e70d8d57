// Plain functions behind the register handlers and CLI commands (usable in-process, e.g. by the
// staging run): connection view, host rows (Edgebench beside Palette), profiles, labels.
import type { ConnectionView, RegisterHostRow } from '../../shared/contract/register';
import type { z } from 'zod';
import type { AppContext } from '../app';
import { loadSettings } from '../palette/credentials';
import { paletteClient } from './connect';

export async function connectionView(app: AppContext): Promise<z.infer<typeof ConnectionView>> {
  const s = await loadSettings(app);
  if (!s) return { configured: false };
  return {
    configured: true,
    endpoint: s.endpoint,
    projectUid: s.projectUid,
    insecure: s.insecure,
    proxy: s.proxy,
    hasCa: Boolean(s.caPem),
    keyStorage: process.env.PALETTE_API_KEY ? 'env' : (s.keyStorage ?? 'file'),
  };
}

export async function hostRows(app: AppContext, site?: string): Promise<RegisterHostRow[]> {
  const hosts = await app.store.hosts.list({ site, limit: 100000 });
  const regs = new Map((await app.store.register.listRegistrations()).map((r) => [r.hostId, r]));
  const jobs = await app.store.register.listJobs({ all: true });
  const lastJob = new Map<string, (typeof jobs)[number]>();
  for (const j of jobs) lastJob.set(j.hostId, j);
  const pal = new Map((await app.store.register.paletteHosts()).map((p) => [p.uid, p]));
  return hosts.map((h) => {
    const job = lastJob.get(h.id);
    const reg = regs.get(h.id);
    const state: RegisterHostRow['edgebench'] =
      job && (job.state === 'queued' || job.state === 'in-flight')
        ? job.state
        : reg
          ? 'registered'
          : job?.state === 'failed'
            ? 'failed'
            : 'not-registered';
    return {
      hostId: h.id,
      name: h.values.hostName,
      serial: h.serial,
      mac: h.mac,
      site: h.site,
      edgebench: state,
      job,
      registration: reg,
      palette: pal.get(h.id),
    };
  });
}

export async function listProfiles(app: AppContext, signal?: AbortSignal) {
  const c = await paletteClient(app);
  try {
    const items = await c.listClusterProfiles(signal);
    return items.map((p) => ({
      uid: p.metadata.uid ?? '?',
      name: p.metadata.name ?? '?',
      version: p.specSummary?.version ?? undefined,
      type: p.specSummary?.published?.type ?? undefined,
    }));
  } finally {
    await c.close();
  }
}
