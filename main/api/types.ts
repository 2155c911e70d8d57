// Back-end side of the contract: a handler per command, grouped by domain.
import type { CommandName, ParsedRequestOf, ResponseOf } from '../../shared/contract';
import type { ProgressEvent } from '../../shared/progress';
import type { AppContext } from '../app';

export interface HandlerContext {
  app: AppContext;
  /** The caller's id for this invocation; progress events carry it. */
  requestId: string;
  /** Aborted by `system.cancel`, by the caller going away, or on shutdown. */
  signal: AbortSignal;
  /** Emits a `progress` event tagged with requestId. */
  progress(e: ProgressEvent): void;
  transport: 'ipc' | 'http' | 'cli';
}

export type Handler<N extends CommandName> = (
  req: ParsedRequestOf<N>,
  ctx: HandlerContext,
) => Promise<ResponseOf<N>>;

export type HandlerMap<K extends CommandName> = { [N in K]: Handler<N> };
