// Palette failures as AppErrors with the codes the UI explains, carrying Palette's own
// {code, message, details, ref}. Secrets (the API key) never appear in a message or detail.
import { AppError, type ErrorCode } from '../../shared/errors';

/** Palette's error body (v1Error in the public spec). */
export interface PaletteErrorBody {
  code?: string;
  message?: string;
  details?: unknown;
  ref?: string;
}

export interface PaletteErrorDetails {
  status?: number;
  method: string;
  path: string;
  palette?: PaletteErrorBody;
  cause?: string;
  /** True when the request may have reached Palette (a create may have happened). */
  ambiguous?: boolean;
  retryAfterMs?: number;
}

/** Codes that mean "try again later": a registration is queued, never lost. */
export const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set(['EUNAVAILABLE', 'ETIMEDOUT', 'ERATELIMIT']);

export function isTransient(e: unknown): boolean {
  return e instanceof AppError && TRANSIENT_CODES.has(e.code);
}

export function paletteCodeOf(e: unknown): string | undefined {
  if (!(e instanceof AppError)) return undefined;
  const d = e.details as PaletteErrorDetails | undefined;
  return d?.palette?.code;
}

export function parseErrorBody(text: string): PaletteErrorBody | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      return {
        code: typeof o.code === 'string' ? o.code : undefined,
        message: typeof o.message === 'string' ? o.message : undefined,
        details: o.details,
        ref: typeof o.ref === 'string' ? o.ref : undefined,
      };
    }
  } catch {
    /* not JSON */
  }
  return undefined;
}

/** Map an HTTP answer to an AppError. */
export function httpError(
  status: number,
  body: PaletteErrorBody | undefined,
  where: { method: string; path: string; endpoint: string },
  retryAfterMs?: number,
): AppError {
  const said = body?.message ? `: ${body.code ? body.code + ': ' : ''}${body.message}` : '';
  const ref = body?.ref ? ` (ref ${body.ref})` : '';
  const details: PaletteErrorDetails = {
    status,
    method: where.method,
    path: where.path,
    palette: body,
    retryAfterMs,
    ambiguous: status >= 500,
  };
  const at = `Palette at ${where.endpoint} answered ${status} to ${where.method} ${where.path}`;
  let code: ErrorCode;
  let text: string;
  if (status === 401) {
    code = 'EAUTH';
    text = `${at}: the API key was not accepted (expired, revoked or mistyped)${said}${ref}`;
  } else if (status === 403) {
    code = 'EAUTH';
    text = `${at}: the API key may not do this in that project (check the project UID and the key's role)${said}${ref}`;
  } else if (status === 404) {
    code = 'ENOTFOUND';
    text = `${at}: not found${said}${ref}`;
  } else if (status === 409) {
    code = 'ECONFLICT';
    text = `${at}: conflicting record${said}${ref}`;
  } else if (status === 429) {
    code = 'ERATELIMIT';
    text = `${at}: too many requests${said}${ref}`;
  } else if (status >= 500) {
    code = 'EUNAVAILABLE';
    text = `${at}: server error${said}${ref}`;
  } else if (status === 400 || status === 422) {
    code = 'EINVALID';
    text = `${at}: Palette rejected the request${said}${ref}`;
  } else {
    code = 'EPROTOCOL';
    text = `${at}: unexpected status${said}${ref}`;
  }
  return new AppError(code, text, details);
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

/** Map a transport failure (no HTTP answer) to an AppError. */
export function networkError(
  e: unknown,
  where: { method: string; path: string; endpoint: string },
): AppError {
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const c = err?.code ?? err?.cause?.code ?? '';
  const msg = err?.cause?.message ?? err?.message ?? String(e);
  const base = { method: where.method, path: where.path, cause: `${c} ${msg}`.trim() };
  if (TLS_CODES.has(c) || /certificate/i.test(msg)) {
    return new AppError(
      'ENETWORK',
      `the TLS certificate of ${where.endpoint} is not trusted (${c || msg}); pass the CA with --ca FILE, or --insecure only if you accept the risk`,
      { ...base, ambiguous: false },
    );
  }
  if (
    c === 'UND_ERR_HEADERS_TIMEOUT' ||
    c === 'UND_ERR_BODY_TIMEOUT' ||
    c === 'ETIMEDOUT' ||
    c === 'UND_ERR_CONNECT_TIMEOUT'
  )
    return new AppError(
      'ETIMEDOUT',
      `Palette at ${where.endpoint} did not answer ${where.method} ${where.path} in time`,
      {
        ...base,
        ambiguous: c !== 'UND_ERR_CONNECT_TIMEOUT',
      },
    );
  if (c === 'ENOTFOUND' || c === 'EAI_AGAIN')
    return new AppError('EUNAVAILABLE', `cannot resolve the Palette endpoint ${where.endpoint} (${c})`, {
      ...base,
      ambiguous: false,
    });
  if (c === 'ECONNREFUSED' || c === 'EHOSTUNREACH' || c === 'ENETUNREACH')
    return new AppError('EUNAVAILABLE', `cannot connect to Palette at ${where.endpoint} (${c})`, {
      ...base,
      ambiguous: false,
    });
  return new AppError(
    'EUNAVAILABLE',
    `the connection to Palette at ${where.endpoint} failed during ${where.method} ${where.path} (${c || msg})`,
    { ...base, ambiguous: true },
  );
}

/** Remove every occurrence of each secret from a string. */
export function redact(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/** A copy of an AppError with the secrets removed from its message and details. */
export function redactError(e: AppError, secrets: Array<string | undefined>): AppError {
  const details =
    e.details === undefined ? undefined : JSON.parse(redact(JSON.stringify(e.details), secrets));
  return new AppError(e.code, redact(e.message, secrets), details);
}
