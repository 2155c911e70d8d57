// Client over `edgebench serve`'s WebSocket. The per-start token comes from the page URL
// (?token=...) or the cookie the server set; reconnects with backoff and re-subscribes.
import {
  MAX_MESSAGE_BYTES,
  type EdgebenchClient,
  type EventName,
  type InvokeOptions,
  type WireResponse,
} from '../../../shared/contract';
import { AppError, isErrorCode } from '../../../shared/errors';

type Pending = {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  onProgress?: InvokeOptions['onProgress'];
};

export function createWsClient(
  url: string,
): EdgebenchClient & { close(): void; onStatus(fn: (s: 'open' | 'closed') => void): void } {
  let ws: WebSocket | undefined;
  let openPromise: Promise<WebSocket> | undefined;
  let seq = 0;
  let closedByUser = false;
  const pending = new Map<string, Pending>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const statusFns = new Set<(s: 'open' | 'closed') => void>();

  function connect(): Promise<WebSocket> {
    if (openPromise) return openPromise;
    openPromise = new Promise((resolve, reject) => {
      const sock = new WebSocket(url);
      sock.onopen = () => {
        ws = sock;
        statusFns.forEach((f) => f('open'));
        resolve(sock);
      };
      sock.onerror = () => reject(new AppError('ENETWORK', 'cannot reach the Edgebench server'));
      sock.onclose = () => {
        ws = undefined;
        openPromise = undefined;
        statusFns.forEach((f) => f('closed'));
        for (const [id, p] of pending) {
          p.reject(new AppError('ENETWORK', 'connection to the Edgebench server was lost'));
          pending.delete(id);
        }
        if (!closedByUser && listeners.size > 0)
          setTimeout(() => void connect().catch(() => undefined), 1000);
      };
      sock.onmessage = (ev) => {
        let msg: WireResponse;
        try {
          msg = JSON.parse(String(ev.data)) as WireResponse;
        } catch {
          return;
        }
        if (msg.t === 'result') {
          const p = pending.get(msg.id);
          if (!p) return;
          pending.delete(msg.id);
          if (msg.ok) p.resolve(msg.value);
          else
            p.reject(
              new AppError(
                isErrorCode(msg.error.code) ? msg.error.code : 'EINTERNAL',
                msg.error.message,
                msg.error.details,
              ),
            );
        } else if (msg.t === 'event') {
          if (msg.name === 'progress') {
            const pr = msg.payload as { requestId: string };
            pending.get(pr.requestId)?.onProgress?.(msg.payload as never);
          }
          listeners.get(msg.name)?.forEach((fn) => fn(msg.payload));
        }
      };
    });
    return openPromise;
  }

  return {
    transport: 'http',
    async invoke(name, request, opts) {
      const sock = await connect();
      const id = `ws-${Date.now().toString(36)}-${++seq}`;
      const body = JSON.stringify({ t: 'invoke', id, name, request });
      if (body.length > MAX_MESSAGE_BYTES)
        throw new AppError('ETOOLARGE', `request is larger than ${MAX_MESSAGE_BYTES} bytes`);
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts?.onProgress });
        opts?.signal?.addEventListener('abort', () => sock.send(JSON.stringify({ t: 'cancel', id })), {
          once: true,
        });
        sock.send(body);
      });
    },
    subscribe<E extends EventName>(name: E, handler: (payload: never) => void) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(handler as (p: unknown) => void);
      void connect().catch(() => undefined);
      return () => set!.delete(handler as (p: unknown) => void);
    },
    close() {
      closedByUser = true;
      ws?.close();
    },
    onStatus(fn) {
      statusFns.add(fn);
    },
  };
}
