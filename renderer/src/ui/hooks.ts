// React hooks over the contract client.
import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  CommandName,
  EventName,
  EventOf,
  InvokeOptions,
  RequestOf,
  ResponseOf,
} from '../../../shared/contract';
import { AppError, type ErrorData } from '../../../shared/errors';
import { getClient } from '../client';

export function toErrorData(e: unknown): ErrorData {
  if (e instanceof AppError) return e.toData();
  return { code: 'EINTERNAL', message: e instanceof Error ? e.message : String(e) };
}

/** Subscribe to an event stream for the component's lifetime. */
export function useEvent<E extends EventName>(name: E, handler: (p: EventOf<E>) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => getClient().subscribe(name, (p) => ref.current(p)), [name]);
}

/** Load data with a command; `reload()` runs it again. */
export function useQuery<N extends CommandName>(name: N, request: RequestOf<N>, deps: unknown[] = []) {
  const [data, setData] = useState<ResponseOf<N> | undefined>();
  const [error, setError] = useState<ErrorData | undefined>();
  const [loading, setLoading] = useState(true);
  const reqRef = useRef(request);
  reqRef.current = request;
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setData(await getClient().invoke(name, reqRef.current));
      setError(undefined);
    } catch (e) {
      setError(toErrorData(e));
    } finally {
      setLoading(false);
    }
  }, [name, ...deps]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload };
}

/** Run a (possibly long) command on demand, with progress and cancel. */
export function useAction<N extends CommandName>(name: N) {
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ErrorData | undefined>();
  const [progress, setProgress] = useState<EventOf<'progress'> | undefined>();
  const [result, setResult] = useState<ResponseOf<N> | undefined>();
  const acRef = useRef<AbortController | undefined>(undefined);
  const run = useCallback(
    async (
      request: RequestOf<N>,
      opts: Omit<InvokeOptions, 'signal'> = {},
    ): Promise<ResponseOf<N> | undefined> => {
      const ac = new AbortController();
      acRef.current = ac;
      setRunning(true);
      setError(undefined);
      setProgress(undefined);
      try {
        const r = await getClient().invoke(name, request, {
          signal: ac.signal,
          onProgress: (p) => {
            setProgress(p);
            opts.onProgress?.(p);
          },
        });
        setResult(r);
        return r;
      } catch (e) {
        setError(toErrorData(e));
        return undefined;
      } finally {
        setRunning(false);
      }
    },
    [name],
  );
  const cancel = useCallback(() => acRef.current?.abort(), []);
  return { run, cancel, running, error, progress, result, setError };
}
