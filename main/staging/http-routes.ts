// HTTP routes this capability adds to `edgebench serve`: a run's report, behind the serve token.
//   GET /staging/reports/<run>.html|.csv|.json
import type { Route } from '../server/routes';
import { renderReport } from './report';
import { reportSecrets } from './service';

const TYPES = {
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
} as const;

export const stagingRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/staging\/reports\/(?<run>[A-Za-z0-9_-]{1,100})\.(?<fmt>html|csv|json)$/,
    auth: 'token',
    async handle(_req, res, { app, params }) {
      const fmt = params.fmt as keyof typeof TYPES;
      if (!(await app.store.staging.getRun(params.run))) {
        const body = JSON.stringify({
          ok: false,
          error: { code: 'ENOTFOUND', message: `no staging run ${params.run}` },
        });
        res.writeHead(404, {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(body);
        return;
      }
      const text = await renderReport(app.store, params.run, fmt, await reportSecrets(app));
      res.writeHead(200, {
        'Content-Type': TYPES[fmt],
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        ...(fmt === 'html'
          ? {}
          : { 'Content-Disposition': `attachment; filename="staging-report-${params.run}.${fmt}"` }),
      });
      res.end(text);
    },
  },
];
