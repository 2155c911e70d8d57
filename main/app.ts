// The application context shared by every front end (CLI, `edgebench serve`, Electron main):
// data directory, store (opened on first use), event bus and log.
import fs from 'node:fs';
import { EventBus } from './core/event-bus';
import { defaultDataDir } from './core/paths';
import { openStore, type Store } from './store';
import type { LogLine } from '../shared/contract/system';

export interface AppContext {
  readonly dataDir: string;
  readonly bus: EventBus;
  /** Opens and migrates the store on first access. */
  readonly store: Store;
  log(level: LogLine['level'], source: string, message: string): void;
  close(): Promise<void>;
}

export interface CreateAppOptions {
  dataDir?: string;
  /** Also print log lines to stderr (CLI --verbose). */
  echoLog?: boolean;
}

export function createApp(opts: CreateAppOptions = {}): AppContext {
  const dataDir = opts.dataDir ?? defaultDataDir();
  const bus = new EventBus();
  let store: Store | undefined;
  return {
    dataDir,
    bus,
    get store(): Store {
      if (!store) {
        if (dataDir !== ':memory:') fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
        store = openStore(dataDir);
      }
      return store;
    },
    log(level, source, message) {
      const line: LogLine = { level, source, message, time: new Date().toISOString() };
      bus.emit('log', line);
      if (opts.echoLog) process.stderr.write(`[${line.level}] ${source}: ${message}\n`);
    },
    async close() {
      await store?.close();
      store = undefined;
    },
  };
}
