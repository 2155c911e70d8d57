// System-wide commands and events: app info, cancellation, logs, progress.
import { z } from 'zod';
import { command, Empty } from './define';

export const AppInfo = z.object({
  name: z.literal('edgebench'),
  version: z.string(),
  transport: z.enum(['ipc', 'http']),
  dataDir: z.string(),
  platform: z.string(),
  isRoot: z.boolean(),
  tools: z.record(z.string(), z.boolean()),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const systemCommands = {
  'system.info': command('Version, data directory and which system tools are present', Empty, AppInfo),
  'system.cancel': command(
    'Cancel a running long command by its request id',
    z.object({ requestId: z.string() }),
    z.object({ cancelled: z.boolean() }),
  ),
};

export const ProgressPayload = z.object({
  requestId: z.string(),
  phase: z.string(),
  item: z.string().optional(),
  percent: z.number().optional(),
  bytesDone: z.number().optional(),
  bytesTotal: z.number().optional(),
  speed: z.number().optional(),
  etaSeconds: z.number().optional(),
  message: z.string().optional(),
});
export type ProgressPayload = z.infer<typeof ProgressPayload>;

export const LogLine = z.object({
  level: z.enum(['debug', 'info', 'warn', 'error']),
  source: z.string(),
  message: z.string(),
  time: z.string(),
});
export type LogLine = z.infer<typeof LogLine>;

export const systemEvents = {
  progress: ProgressPayload,
  log: LogLine,
};
