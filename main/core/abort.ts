import { CancelledError } from '../../shared/errors';

/** Throw the contract's cancellation error when the signal is aborted. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}
