// Handlers for the pxe part of the contract (shared/contract/pxe.ts): thin wrappers over
// main/pxe/service.ts. One PXE service per app process.
import path from 'node:path';
import type { pxeCommands, PxeStatus } from '../../shared/contract/pxe';
import { AppError } from '../../shared/errors';
import type { AppContext } from '../app';
import { normalizeMacLoose } from '../pxe/hosts';
import { listInterfaces, startPxeService, type PxeService } from '../pxe/service';
import type { HandlerMap } from './types';

const running = new WeakMap<AppContext, PxeService>();

/** The service this app runs, if any (the staging run and the CLI use startPxeService directly). */
export function runningPxe(app: AppContext): PxeService | undefined {
  return running.get(app);
}

/**
 * Makes a service started in-process elsewhere (the staging run, tests) the one this app shows
 * and stops: pxe.status reports it and pxe.stop stops it.
 */
export async function adoptPxeService(app: AppContext, svc: PxeService): Promise<void> {
  if (running.get(app)) throw new AppError('EBUSY', 'a PXE service is already running here; stop it first');
  running.set(app, svc);
  app.bus.emit('pxe.status', await svc.status());
}

export async function stopPxe(app: AppContext): Promise<boolean> {
  const s = running.get(app);
  if (!s) return false;
  running.delete(app);
  await s.stop();
  app.bus.emit('pxe.status', { running: false, hosts: [] });
  return true;
}

/** An image is a path, a built artifact's ID, or a base ISO's ID. */
async function resolveImage(app: AppContext, image: string): Promise<string> {
  if (image.includes('/') || image.endsWith('.iso')) return path.resolve(image);
  const a = await app.store.artifacts.get(image);
  if (a) return a.path;
  const b = await app.store.media.getBase(image);
  if (b) return b.path;
  throw new AppError('ENOTFOUND', `no built artifact or base ISO with ID ${image}, and no file of that name`);
}

export const pxeHandlers: HandlerMap<keyof typeof pxeCommands> = {
  'pxe.interfaces': async () => ({ interfaces: listInterfaces() }),
  'pxe.start': async (req, ctx) => {
    const app = ctx.app;
    if (running.get(app))
      throw new AppError('EBUSY', 'the PXE service is already running here; stop it first');
    ctx.progress({ phase: 'pxe-start', message: 'extracting boot files from the image' });
    const svc = await startPxeService({
      interface: req.interface,
      address: req.address,
      image: await resolveImage(app, req.image),
      hosts: req.hostsFile,
      mode: req.dhcpRange ? 'dhcp' : req.mode,
      dhcpRange: req.dhcpRange,
      httpPort: req.httpPort,
      tftp: req.tftp,
      allowUnknown: req.allowUnknown,
      defaultProfile: req.defaultProfile,
      store: app.store,
      bus: app.bus,
      cacheDir: app.dataDir === ':memory:' ? undefined : path.join(app.dataDir, 'pxe-cache'),
      log: (level, m) => app.log(level, 'pxe', m),
      signal: ctx.signal,
      // `edgebench serve` decides when the process ends; PXE sockets must not hold it open
      keepAlive: false,
    });
    running.set(app, svc);
    const status: PxeStatus = await svc.status();
    app.bus.emit('pxe.status', status);
    return status;
  },
  'pxe.stop': async (_req, ctx) => ({ stopped: await stopPxe(ctx.app) }),
  'pxe.status': async (_req, ctx) => {
    const s = running.get(ctx.app);
    return s ? s.status() : { running: false, hosts: [] };
  },
  'pxe.timeline': async (req, ctx) => {
    let mac: string | undefined;
    if (req.mac) {
      mac = normalizeMacLoose(req.mac);
      if (!mac) throw new AppError('EINVALID', `"${req.mac}" is not a MAC address`);
    }
    return { events: await ctx.app.store.pxe.events({ mac, limit: req.limit }) };
  },
};
