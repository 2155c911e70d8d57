// Handlers for the register part of the contract (shared/contract/register.ts): thin wrappers
// over main/register/* and main/palette/*.
import type { registerCommands } from '../../shared/contract/register';
import { AppError } from '../../shared/errors';
import { PaletteClient } from '../palette/client';
import { loadSettings, logout, readCaFile, saveLogin } from '../palette/credentials';
import { createOrExtendCluster, deleteCluster, refreshPaletteHosts } from '../register/cluster';
import { httpOptionsFromEnv, paletteClient } from '../register/connect';
import {
  getRegistrationURL,
  hostsForLabels,
  labelData,
  labelSvg,
  labelsPdf,
  setRegistrationURL,
} from '../register/labels';
import { enqueueRegistration, startAutoSync, syncRegistrations } from '../register/queue';
import { connectionView, hostRows, listProfiles } from '../register/service';
import { getSite, putSite } from '../register/sites';
import { exportTerraform } from '../register/terraform';
import { toErrorData } from './dispatch';
import type { HandlerMap } from './types';

export const registerHandlers: HandlerMap<keyof typeof registerCommands> = {
  'palette.status': async (_r, { app, transport }) => {
    if (transport !== 'cli') startAutoSync(app);
    return connectionView(app);
  },
  'palette.login': async (r, { app, signal }) => {
    void readCaFile;
    const probe = new PaletteClient(
      {
        endpoint: r.endpoint,
        projectUid: r.projectUid,
        apiKey: r.apiKey,
        caPem: r.caPem,
        insecure: r.insecure,
        proxy: r.proxy,
      },
      { ...httpOptionsFromEnv(app), retry: { attempts: 1 } },
    );
    try {
      await probe.ping(signal);
    } finally {
      await probe.close();
    }
    await saveLogin(app, { ...r });
    app.bus.emit('register.changed', { reason: 'login' });
    return connectionView(app);
  },
  'palette.logout': async (_r, { app }) => {
    await logout(app);
    app.bus.emit('register.changed', { reason: 'logout' });
    return { ok: true as const };
  },
  'palette.check': async (_r, { app, signal }) => {
    try {
      const c = await paletteClient(app, { retry: { attempts: 1 } });
      try {
        await c.ping(signal);
      } finally {
        await c.close();
      }
      return { reachable: true };
    } catch (e) {
      return { reachable: false, error: toErrorData(e) };
    }
  },
  'palette.hosts': async (_r, { app, signal }) => {
    const c = await paletteClient(app);
    try {
      return { hosts: await refreshPaletteHosts(app, c, signal) };
    } finally {
      await c.close();
    }
  },
  'palette.profiles': async (_r, { app, signal }) => ({ profiles: await listProfiles(app, signal) }),
  'register.hosts': async (r, { app, transport }) => {
    if (transport !== 'cli') startAutoSync(app);
    return { rows: await hostRows(app, r.site), pending: await app.store.register.countPending() };
  },
  'register.enqueue': async (r, { app, signal, progress }) => {
    const queued: string[] = [];
    for (const id of r.hostIds)
      queued.push((await enqueueRegistration(app, { hostId: id, tags: r.tags, site: r.site })).id);
    if (!r.syncNow || !(await loadSettings(app))) return { queued };
    return { queued, sync: await syncRegistrations(app, { signal, onProgress: progress }) };
  },
  'register.sync': async (_r, { app, signal, progress }) =>
    syncRegistrations(app, { signal, onProgress: progress }),
  'register.queue': async (r, { app }) => ({ jobs: await app.store.register.listJobs({ all: r.all }) }),
  'register.retry': async (r, { app }) => {
    const j = await app.store.register.getJob(r.id);
    if (!j) throw new AppError('ENOTFOUND', `no registration job ${r.id}`);
    const job = await app.store.register.retry(r.id);
    app.bus.emit('register.changed', { reason: 'retry' });
    return { job };
  },
  'sites.list': async (_r, { app }) => ({ sites: await app.store.register.listSites() }),
  'sites.get': async (r, { app }) => ({ site: await getSite(app, r.name) }),
  'sites.put': async (r, { app }) => ({ site: await putSite(app, r) }),
  'sites.delete': async (r, { app }) => {
    const c = await app.store.register.clusterForSite(r.name);
    if (c)
      throw new AppError(
        'EBUSY',
        `site ${r.name} has cluster ${c.name} (${c.state}); delete the cluster first`,
      );
    const deleted = await app.store.register.deleteSite(r.name);
    app.bus.emit('register.changed', { reason: 'site' });
    return { deleted };
  },
  'clusters.list': async (_r, { app }) => ({ clusters: await app.store.register.listClusters() }),
  'clusters.create': async (r, { app, signal, progress }) => {
    const res = await createOrExtendCluster(app, r.site, { dryRun: r.dryRun, signal, onProgress: progress });
    return { cluster: res.cluster, definition: res.definition, problems: res.problems };
  },
  'clusters.delete': async (r, { app, signal, progress }) =>
    deleteCluster(app, r.name, { force: r.force, signal, onProgress: progress }),
  'labels.preview': async (r, { app }) => {
    const url = await getRegistrationURL(app);
    if (!url) throw new AppError('EINVALID', 'set the registration URL first (Labels: registration URL)');
    const hosts = await hostsForLabels(app, r.hostIds, r.site);
    const labels = [];
    for (const h of hosts) {
      const d = labelData(h, url);
      labels.push({ ...d, svg: await labelSvg(d) });
    }
    return { labels, registrationURL: url };
  },
  'labels.pdf': async (r, { app }) => {
    const url = await getRegistrationURL(app);
    if (!url) throw new AppError('EINVALID', 'set the registration URL first (Labels: registration URL)');
    const hosts = await hostsForLabels(app, r.hostIds, r.site);
    const pdf = await labelsPdf(
      hosts.map((h) => labelData(h, url)),
      r.paper,
    );
    return { pdfBase64: pdf.toString('base64'), count: hosts.length };
  },
  'labels.settings': async (r, { app }) => {
    if (r.registrationURL) await setRegistrationURL(app, r.registrationURL);
    return { registrationURL: (await getRegistrationURL(app)) ?? '' };
  },
  'register.terraform': async (_r, { app }) => ({ files: await exportTerraform(app) }),
};
