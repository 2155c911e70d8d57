// A Palette client for the stored connection. Tests and slow links tune retries with
// EDGEBENCH_PALETTE_RETRY_BASE_MS, EDGEBENCH_PALETTE_ATTEMPTS and EDGEBENCH_PALETTE_TIMEOUT_MS.
import type { AppContext } from '../app';
import { PaletteClient } from '../palette/client';
import { loadConnection } from '../palette/credentials';
import type { HttpOptions } from '../palette/http';

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (!v || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

export function httpOptionsFromEnv(app?: AppContext): HttpOptions {
  return {
    timeoutMs: envInt('EDGEBENCH_PALETTE_TIMEOUT_MS'),
    retry: {
      ...(envInt('EDGEBENCH_PALETTE_RETRY_BASE_MS') !== undefined
        ? { baseDelayMs: envInt('EDGEBENCH_PALETTE_RETRY_BASE_MS') }
        : {}),
      ...(envInt('EDGEBENCH_PALETTE_ATTEMPTS') !== undefined
        ? { attempts: envInt('EDGEBENCH_PALETTE_ATTEMPTS') }
        : {}),
    },
    onRetry: ({ attempt, delayMs, error }) =>
      app?.log('warn', 'palette', `retry ${attempt} in ${delayMs} ms after ${error.code}: ${error.message}`),
  };
}

export async function paletteClient(app: AppContext, opts: HttpOptions = {}): Promise<PaletteClient> {
  const conn = await loadConnection(app);
  const base = httpOptionsFromEnv(app);
  return new PaletteClient(conn, {
    ...base,
    ...opts,
    timeoutMs: opts.timeoutMs ?? base.timeoutMs ?? conn.timeoutMs,
    retry: { ...base.retry, ...opts.retry },
  });
}
