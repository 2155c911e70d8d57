// Extra HTTP routes that capabilities add to `edgebench serve` (downloads, the self-hosted
// registration page...). Each capability lists its routes in its own file; this file merges them.
import type http from 'node:http';
import type { AppContext } from '../app';
import { registerRoutes } from '../register/http-routes';
import { stagingRoutes } from '../staging/http-routes';
import { mediaRoutes } from '../iso/http-routes';

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Exact path or a pattern; named groups become params. */
  path: string | RegExp;
  /** 'token' routes need the per-start token (cookie, ?token= or Bearer); 'public' ones protect themselves (e.g. a site PIN). */
  auth: 'token' | 'public';
  handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    ctx: { app: AppContext; url: URL; params: Record<string, string>; body(): Promise<Buffer> },
  ): Promise<void> | void;
}

export const extraRoutes: Route[] = [...registerRoutes, ...stagingRoutes, ...mediaRoutes];
