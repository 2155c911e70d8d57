// Client over the Electron preload bridge (window.edgebench), which exposes exactly the contract.
import type { EdgebenchClient, EventName, InvokeOptions } from '../../../shared/contract';
import { AppError, isErrorCode } from '../../../shared/errors';

export interface PreloadBridge {
  invoke(
    id: string,
    name: string,
    request: unknown,
  ): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string; details?: unknown } }>;
  cancel(id: string): Promise<void>;
  subscribe(name: string, handler: (payload: unknown) => void): () => void;
}

export function createIpcClient(bridge: PreloadBridge): EdgebenchClient {
  let seq = 0;
  return {
    transport: 'ipc',
    async invoke(name, request, opts?: InvokeOptions) {
      const id = `ipc-${Date.now().toString(36)}-${++seq}`;
      const unsub = opts?.onProgress
        ? bridge.subscribe('progress', (p) => {
            const pp = p as { requestId: string };
            if (pp.requestId === id) opts.onProgress!(p as never);
          })
        : undefined;
      const onAbort = () => void bridge.cancel(id);
      opts?.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const r = await bridge.invoke(id, name, request);
        if (r.ok) return r.value as never;
        const code = r.error && isErrorCode(r.error.code) ? r.error.code : 'EINTERNAL';
        throw new AppError(code, r.error?.message ?? 'unknown error', r.error?.details);
      } finally {
        unsub?.();
        opts?.signal?.removeEventListener('abort', onAbort);
      }
    },
    subscribe<E extends EventName>(name: E, handler: (payload: never) => void) {
      return bridge.subscribe(name, handler as (p: unknown) => void);
    },
  };
}
