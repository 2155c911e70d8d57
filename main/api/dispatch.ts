// One dispatcher for every transport: validates the command name and request with the contract's
// zod schemas, runs the handler with a cancellable signal and a progress sink, checks the
// response, and turns any failure into ErrorData.
import type { z } from 'zod';
import { commands, isCommandName } from '../../shared/contract';
import { AppError, isAppError, type ErrorData } from '../../shared/errors';
import type { AppContext } from '../app';
import { handlers } from './index';
import type { HandlerContext } from './types';

export type InvokeResult = { ok: true; value: unknown } | { ok: false; error: ErrorData };

export function zodIssues(err: z.ZodError): Array<{ path: string; message: string }> {
  return err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

export function toErrorData(e: unknown): ErrorData {
  if (isAppError(e)) return e.toData();
  if (e instanceof Error && e.name === 'AbortError') return { code: 'ECANCELLED', message: 'Cancelled' };
  const msg = e instanceof Error ? e.message : String(e);
  return { code: 'EINTERNAL', message: msg };
}

export class Dispatcher {
  private readonly running = new Map<string, AbortController>();
  constructor(
    private readonly app: AppContext,
    private readonly transport: HandlerContext['transport'],
  ) {}

  async invoke(
    requestId: string,
    name: unknown,
    rawRequest: unknown,
    parentSignal?: AbortSignal,
  ): Promise<InvokeResult> {
    if (!isCommandName(name)) {
      return { ok: false, error: { code: 'EUSAGE', message: `unknown command ${JSON.stringify(name)}` } };
    }
    const def = commands[name];
    const parsed = def.request.safeParse(rawRequest ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          code: 'EINVALID',
          message: `invalid request for ${name}`,
          details: { issues: zodIssues(parsed.error) },
        },
      };
    }
    if (name === 'system.cancel') {
      const { requestId: target } = parsed.data as { requestId: string };
      return { ok: true, value: { cancelled: this.cancel(target) } };
    }
    if (this.running.has(requestId)) {
      return { ok: false, error: { code: 'EUSAGE', message: `request id ${requestId} is already running` } };
    }
    const ac = new AbortController();
    const onParentAbort = () => ac.abort();
    parentSignal?.addEventListener('abort', onParentAbort, { once: true });
    this.running.set(requestId, ac);
    const ctx: HandlerContext = {
      app: this.app,
      requestId,
      signal: ac.signal,
      transport: this.transport,
      progress: (p) => this.app.bus.emit('progress', { ...p, requestId }),
    };
    try {
      const handler = (handlers as Record<string, unknown>)[name] as (
        req: unknown,
        c: HandlerContext,
      ) => Promise<unknown>;
      const value = await handler(parsed.data, ctx);
      const out = def.response.safeParse(value);
      if (!out.success) {
        return {
          ok: false,
          error: {
            code: 'EINTERNAL',
            message: `response of ${name} broke the contract`,
            details: { issues: zodIssues(out.error) },
          },
        };
      }
      return { ok: true, value: out.data };
    } catch (e) {
      if (ac.signal.aborted && !(isAppError(e) && e.code !== 'ECANCELLED')) {
        return { ok: false, error: { code: 'ECANCELLED', message: 'Cancelled' } };
      }
      return { ok: false, error: toErrorData(e) };
    } finally {
      this.running.delete(requestId);
      parentSignal?.removeEventListener('abort', onParentAbort);
    }
  }

  cancel(requestId: string): boolean {
    const ac = this.running.get(requestId);
    if (!ac) return false;
    ac.abort(new AppError('ECANCELLED', 'Cancelled'));
    return true;
  }

  cancelAll(): void {
    for (const ac of this.running.values()) ac.abort();
  }
}
