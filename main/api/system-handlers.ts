import type { systemCommands } from '../../shared/contract/system';
import { hasTool } from '../core/exec';
import type { HandlerMap } from './types';

import pkg from '../../package.json';

export const VERSION: string = pkg.version;

const TOOLS = ['xorriso', 'qemu-img', 'qemu-system-x86_64', 'mkfs.vfat', 'mcopy', 'losetup', 'ip'];

export const systemHandlers: Omit<HandlerMap<keyof typeof systemCommands>, 'system.cancel'> = {
  'system.info': async (_req, ctx) => ({
    name: 'edgebench' as const,
    version: VERSION,
    transport: ctx.transport === 'ipc' ? ('ipc' as const) : ('http' as const),
    dataDir: ctx.app.dataDir,
    platform: process.platform,
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    tools: Object.fromEntries(TOOLS.map((t) => [t, hasTool(t)])),
  }),
};
