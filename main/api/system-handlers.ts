import type { systemCommands } from '../../shared/contract/system';
import { hasTool } from '../core/exec';
import type { HandlerMap } from './types';

declare const __EDGEBENCH_VERSION__: string;
export const VERSION = typeof __EDGEBENCH_VERSION__ === 'string' ? __EDGEBENCH_VERSION__ : '0.0.0-dev';

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
