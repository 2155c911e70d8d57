import type { hostCommands } from '../../shared/contract/hosts';
import { AppError } from '../../shared/errors';
import type { HandlerMap } from './types';

export const hostHandlers: HandlerMap<keyof typeof hostCommands> = {
  'hosts.list': async (req, ctx) => ({ hosts: await ctx.app.store.hosts.list(req) }),
  'hosts.get': async (req, ctx) => {
    const host = await ctx.app.store.hosts.get(req.id);
    if (!host) throw new AppError('ENOTFOUND', `no host with ID ${req.id}`);
    return { host, events: await ctx.app.store.hosts.events(req.id) };
  },
  'hosts.upsert': async (req, ctx) => {
    const host = await ctx.app.store.hosts.upsert(req);
    ctx.app.bus.emit('hosts.changed', { id: host.id });
    return { host };
  },
  'hosts.delete': async (req, ctx) => {
    const deleted = await ctx.app.store.hosts.delete(req.id);
    if (deleted) ctx.app.bus.emit('hosts.changed', { id: req.id });
    return { deleted };
  },
  'hosts.count': async (_req, ctx) => ({ count: await ctx.app.store.hosts.count() }),
};
