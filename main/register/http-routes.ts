// HTTP routes this capability adds to `edgebench serve`: the self-hosted registration page.
// GET /register?uid=ID shows the sites; POST /register (form) checks the site PIN, registers the
// host (queued when Palette is unreachable) and creates or extends the site's cluster. Public
// routes: they protect themselves with the per-site PIN and failed-attempt limiting.
import type http from 'node:http';
import { EdgeHostId, type SyncSummary } from '../../shared/contract/register';
import { toErrorData } from '../api/dispatch';
import { isAppError } from '../../shared/errors';
import type { Route } from '../server/routes';
import type { AppContext } from '../app';
import { createOrExtendCluster } from './cluster';
import { AttemptLimiter, formPage, resultPage } from './page';
import { enqueueRegistration, startAutoSync, syncRegistrations } from './queue';
import { verifyPin } from './sites';
import { paletteClient } from './connect';

const HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};

export const limiter = new AttemptLimiter();

function send(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, { ...HEADERS, 'Content-Length': Buffer.byteLength(html) });
  res.end(html);
}

async function pinSites(app: AppContext) {
  return (await app.store.register.listSites()).filter((s) => s.hasPin);
}

function clientKey(req: http.IncomingMessage, site: string): string {
  return `${req.socket.remoteAddress ?? '?'}|${site}`;
}

async function handlePost(
  app: AppContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  raw: Buffer,
): Promise<void> {
  const form = new URLSearchParams(raw.toString('utf8'));
  const uid = (form.get('uid') ?? '').trim();
  const siteName = (form.get('site') ?? '').trim();
  const pin = form.get('pin') ?? '';
  const sites = await pinSites(app);
  const idOk = EdgeHostId.safeParse(uid);
  if (!idOk.success)
    return send(res, 400, formPage({ uid, sites, error: `"${uid}" is not a valid edge host ID.` }));
  const key = clientKey(req, siteName);
  const wait = limiter.blocked(key);
  if (wait !== undefined)
    return send(
      res,
      429,
      formPage({
        uid,
        sites,
        chosen: siteName,
        error: `Too many wrong PINs for this site. Try again in ${Math.ceil(wait / 60)} min.`,
      }),
    );
  const stored = await app.store.register.getSite(siteName);
  if (!stored || !stored.pinHash || !verifyPin(stored.pinHash, pin)) {
    if (!stored?.pinHash) verifyPin(undefined, pin); // same work either way
    limiter.fail(key);
    app.log(
      'warn',
      'register-page',
      `wrong PIN or site for ${uid} from ${req.socket.remoteAddress} (site ${siteName})`,
    );
    return send(res, 403, formPage({ uid, sites, chosen: siteName, error: 'Wrong site or PIN.' }));
  }
  limiter.reset(key);
  const host = await app.store.hosts.get(uid);
  await app.store.hosts.upsert({ ...(host ?? { id: uid, values: {} }), id: uid, site: siteName });
  const job = await enqueueRegistration(app, {
    hostId: uid,
    site: siteName,
    tags: { 'registered-by': 'edgebench-page' },
  });
  // A phone is waiting: try Palette briefly (2 attempts); the queue keeps the job otherwise.
  let summary: SyncSummary = { done: 0, failed: 0, pending: 1 };
  try {
    const client = await paletteClient(app, { retry: { attempts: 2 } });
    try {
      summary = await syncRegistrations(app, { client });
      for (
        let i = 0;
        i < 3 && !summary.stoppedBy && (await app.store.register.getJob(job.id))?.state !== 'done';
        i++
      )
        summary = await syncRegistrations(app, { client });
    } finally {
      await client.close();
    }
  } catch (e) {
    summary = { ...summary, stoppedBy: toErrorData(e) };
  }
  const after = await app.store.register.getJob(job.id);
  if (after?.state === 'failed')
    return send(
      res,
      409,
      resultPage({
        uid,
        site: siteName,
        kind: 'fail',
        title: 'Registration failed',
        lines: [`${after.lastError?.code}: ${after.lastError?.message}`],
      }),
    );
  if (after?.state !== 'done') {
    startAutoSync(app);
    return send(
      res,
      202,
      resultPage({
        uid,
        site: siteName,
        kind: 'warn',
        title: 'Queued',
        lines: [
          'Palette cannot be reached right now. The registration is saved and will be sent when it can.',
          summary.stoppedBy?.message ?? '',
        ],
      }),
    );
  }
  const lines = ['Registered in Palette.'];
  try {
    const r = await createOrExtendCluster(app, siteName);
    const name = r.cluster?.name ?? siteName;
    lines.push(
      r.action === 'created'
        ? `Cluster ${name} created with this host.`
        : r.action === 'extended'
          ? `Added to cluster ${name}.`
          : `Already in cluster ${name}.`,
    );
  } catch (e) {
    const msg = isAppError(e) ? `${e.code}: ${e.message}` : String(e);
    lines.push(`The cluster was not changed: ${msg}`);
    return send(
      res,
      200,
      resultPage({ uid, site: siteName, kind: 'warn', title: 'Registered, cluster not updated', lines }),
    );
  }
  return send(res, 200, resultPage({ uid, site: siteName, kind: 'ok', title: 'Registered', lines }));
}

export const registerRoutes: Route[] = [
  {
    method: 'GET',
    path: '/register',
    auth: 'public',
    async handle(_req, res, { app, url }) {
      const uid = (url.searchParams.get('uid') ?? '').trim();
      const sites = await pinSites(app);
      if (!uid)
        return send(
          res,
          400,
          formPage({
            uid: '(none)',
            sites: [],
            error: 'This page needs ?uid=<edge host ID> (scan the QR code on the host).',
          }),
        );
      const ok = EdgeHostId.safeParse(uid);
      if (!ok.success)
        return send(res, 400, formPage({ uid, sites: [], error: `"${uid}" is not a valid edge host ID.` }));
      send(res, 200, formPage({ uid, sites }));
    },
  },
  {
    method: 'POST',
    path: '/register',
    auth: 'public',
    async handle(req, res, { app, body }) {
      const ct = req.headers['content-type'] ?? '';
      if (!ct.startsWith('application/x-www-form-urlencoded'))
        return send(
          res,
          415,
          formPage({ uid: '', sites: [], error: 'Send the form from the registration page.' }),
        );
      let raw: Buffer;
      try {
        raw = await body();
      } catch {
        return send(res, 413, formPage({ uid: '', sites: [], error: 'Request too large.' }));
      }
      if (raw.length > 16 * 1024)
        return send(res, 413, formPage({ uid: '', sites: [], error: 'Request too large.' }));
      try {
        await handlePost(app, req, res, raw);
      } catch (e) {
        const msg = isAppError(e) ? `${e.code}: ${e.message}` : 'internal error';
        send(res, 500, formPage({ uid: '', sites: [], error: `Registration could not be saved: ${msg}` }));
      }
    },
  },
];
