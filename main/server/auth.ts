// The per-start token of `edgebench serve`: random, compared in constant time, accepted from
// ?token=, an HttpOnly SameSite=Strict cookie, or an `Authorization: Bearer` header.
import crypto from 'node:crypto';
import type http from 'node:http';

export const COOKIE = 'edgebench_token';

export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

export function cookieToken(req: http.IncomingMessage): string | undefined {
  const raw = req.headers.cookie;
  if (!raw) return undefined;
  for (const part of raw.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** Which credential the request presents, if any. */
export function presentedToken(
  req: http.IncomingMessage,
  url: URL,
): { token?: string; via?: 'query' | 'cookie' | 'bearer' } {
  const q = url.searchParams.get('token');
  if (q) return { token: q, via: 'query' };
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7).trim(), via: 'bearer' };
  const c = cookieToken(req);
  if (c) return { token: c, via: 'cookie' };
  return {};
}

/** Host header check against DNS rebinding when serving on loopback. */
export function hostAllowed(hostHeader: string | undefined, listenHost: string): boolean {
  if (!hostHeader) return false;
  const loopback = ['127.0.0.1', 'localhost', '::1', '[::1]'];
  if (!loopback.includes(listenHost)) return true;
  const h = hostHeader.replace(/:\d+$/, '');
  return ['127.0.0.1', 'localhost', '[::1]'].includes(h) || /^127\.\d+\.\d+\.\d+$/.test(h);
}
