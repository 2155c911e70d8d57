// The HTTP layer of the Palette client: TLS (custom CA or explicit insecure), proxy, timeouts,
// and retries with exponential backoff + jitter honouring Retry-After. Only requests the caller
// marks idempotent are retried here; creates decide for themselves (see client.ts).
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import { AppError } from '../../shared/errors';
import { httpError, networkError, parseErrorBody, redactError } from './errors';

export interface PaletteConnection {
  /** Host (and optional :port) of the Palette API, e.g. api.spectrocloud.com. */
  endpoint: string;
  projectUid?: string;
  apiKey: string;
  /** PEM text of extra CA certificates to trust. */
  caPem?: string;
  /** Skip TLS verification. Explicit only. */
  insecure?: boolean;
  /** http(s)://proxy:port */
  proxy?: string;
}

export interface RetryPolicy {
  /** Attempts in total (1 = no retry). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After honoured; longer waits fail with ERATELIMIT. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 120_000,
};

export interface HttpOptions {
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Called before each retry wait (for logs and progress). */
  onRetry?: (info: { attempt: number; delayMs: number; error: AppError }) => void;
}

export interface CallOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Path below https://endpoint, starting with /v1/. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Retry on 429/5xx/network errors. */
  idempotent: boolean;
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  /** Parsed JSON, or undefined for an empty body. */
  json: unknown;
}

export function normalizeEndpoint(endpoint: string): string {
  const e = endpoint
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '')
    .replace(/\/v1$/, '');
  if (!e || /[\s/?#@]/.test(e))
    throw new AppError(
      'EINVALID',
      `"${endpoint}" is not a Palette endpoint: give a host name such as api.spectrocloud.com`,
    );
  return e;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AppError('ECANCELLED', 'Cancelled'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new AppError('ECANCELLED', 'Cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Retry-After as milliseconds (seconds or an HTTP date). */
export function parseRetryAfter(v: string | string[] | undefined, now = Date.now()): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  if (/^\d+(\.\d+)?$/.test(s.trim())) return Math.round(Number(s) * 1000);
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Full-jitter exponential backoff, at least Retry-After when the server gave one. */
export function backoffDelay(
  attempt: number,
  p: RetryPolicy,
  retryAfterMs?: number,
  rand = Math.random,
): number {
  const exp = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(exp / 2 + rand() * (exp / 2));
  return retryAfterMs !== undefined ? Math.max(retryAfterMs, Math.min(jittered, p.baseDelayMs)) : jittered;
}

export class PaletteHttp {
  readonly endpoint: string;
  private readonly dispatcher: Dispatcher;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(
    private readonly conn: PaletteConnection,
    private readonly opts: HttpOptions = {},
  ) {
    this.endpoint = normalizeEndpoint(conn.endpoint);
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    const tls = {
      ca: conn.caPem ? conn.caPem : undefined,
      rejectUnauthorized: !conn.insecure,
    };
    if (conn.proxy) {
      this.dispatcher = new ProxyAgent({
        uri: conn.proxy,
        requestTls: tls,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } else {
      this.dispatcher = new Agent({
        connect: { ...tls, timeout: Math.min(this.timeoutMs, 15_000) },
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        keepAliveTimeout: 4_000,
      });
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close().catch(() => undefined);
  }

  private secrets(): string[] {
    return [this.conn.apiKey];
  }

  /** One attempt; throws AppError for any non-2xx answer or transport failure. */
  async once(c: CallOptions): Promise<HttpAnswer> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(c.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const pathQ = c.path + (qs.size ? `?${qs}` : '');
    const url = `https://${this.endpoint}${pathQ}`;
    const where = { method: c.method, path: c.path, endpoint: this.endpoint };
    const headers: Record<string, string> = {
      Accept: 'application/json',
      ApiKey: this.conn.apiKey,
      'User-Agent': 'edgebench',
    };
    if (this.conn.projectUid) headers.ProjectUid = this.conn.projectUid;
    if (c.body !== undefined) headers['Content-Type'] = 'application/json';
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    c.signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, this.timeoutMs);
    try {
      const res = await request(url, {
        method: c.method,
        headers,
        body: c.body === undefined ? undefined : JSON.stringify(c.body),
        dispatcher: this.dispatcher,
        signal: ac.signal,
      });
      const text = await res.body.text();
      if (res.statusCode >= 200 && res.statusCode < 300) {
        let json: unknown;
        if (text.trim()) {
          try {
            json = JSON.parse(text);
          } catch {
            throw new AppError(
              'EPROTOCOL',
              `Palette at ${this.endpoint} answered ${c.method} ${c.path} with a body that is not JSON`,
              { status: res.statusCode, method: c.method, path: c.path },
            );
          }
        }
        return { status: res.statusCode, json };
      }
      throw httpError(
        res.statusCode,
        parseErrorBody(text),
        where,
        parseRetryAfter(res.headers['retry-after']),
      );
    } catch (e) {
      if (e instanceof AppError) throw redactError(e, this.secrets());
      if (c.signal?.aborted) throw new AppError('ECANCELLED', 'Cancelled');
      if (timedOut)
        throw new AppError(
          'ETIMEDOUT',
          `Palette at ${this.endpoint} did not answer ${c.method} ${c.path} within ${Math.round(this.timeoutMs / 1000)} s`,
          { method: c.method, path: c.path, ambiguous: true },
        );
      throw redactError(networkError(e, where), this.secrets());
    } finally {
      clearTimeout(timer);
      c.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Wait before retry `attempt` (1-based); throws when the policy says stop. */
  async waitBeforeRetry(attempt: number, error: AppError, signal?: AbortSignal): Promise<void> {
    const ra = (error.details as { retryAfterMs?: number } | undefined)?.retryAfterMs;
    if (ra !== undefined && ra > this.retry.maxRetryAfterMs) throw error;
    const delayMs = backoffDelay(attempt, this.retry, ra);
    this.opts.onRetry?.({ attempt, delayMs, error });
    await sleep(delayMs, signal);
  }

  get attempts(): number {
    return Math.max(1, this.retry.attempts);
  }

  /** A call with retries when idempotent. */
  async call(c: CallOptions): Promise<HttpAnswer> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(c);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        const retryable = isRetryable(e) && (c.idempotent || !isAmbiguous(e));
        if (!retryable || attempt >= this.attempts) throw e;
        await this.waitBeforeRetry(attempt, e, c.signal);
      }
    }
  }
}

export function isRetryable(e: AppError): boolean {
  return e.code === 'EUNAVAILABLE' || e.code === 'ERATELIMIT' || e.code === 'ETIMEDOUT';
}

/** Whether the failed request may have been processed by Palette. */
export function isAmbiguous(e: AppError): boolean {
  if (e.code === 'ERATELIMIT') return false;
  return Boolean((e.details as { ambiguous?: boolean } | undefined)?.ambiguous ?? true);
}
