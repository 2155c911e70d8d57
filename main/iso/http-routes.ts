// HTTP routes this capability adds to `edgebench serve`: download a built media artifact
// (GET /media/artifacts/<id>/download, token-protected; supports a single Range for resuming).
import fs from 'node:fs';
import path from 'node:path';
import type { Route } from '../server/routes';
import { MEDIA_KINDS } from './build';

export const mediaRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/media\/artifacts\/(?<id>[A-Za-z0-9._-]+)\/download$/,
    auth: 'token',
    async handle(req, res, ctx) {
      const a = await ctx.app.store.artifacts.get(ctx.params.id);
      const st =
        a && MEDIA_KINDS.includes(a.kind) ? fs.statSync(a.path, { throwIfNoEntry: false }) : undefined;
      if (!a || !st) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            code: 'ENOTFOUND',
            message: `no media artifact ${ctx.params.id} (or its file is gone)`,
          }),
        );
        return;
      }
      const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      const start = m ? Number(m[1]) : 0;
      const end = m && m[2] ? Math.min(Number(m[2]), st.size - 1) : st.size - 1;
      if (m && start > end) {
        res.writeHead(416, { 'content-range': `bytes */${st.size}` }).end();
        return;
      }
      res.writeHead(m ? 206 : 200, {
        'content-type': 'application/octet-stream',
        'content-length': end - start + 1,
        'content-disposition': `attachment; filename="${path.basename(a.path).replace(/"/g, '')}"`,
        'accept-ranges': 'bytes',
        'x-content-sha256': a.sha256,
        ...(m ? { 'content-range': `bytes ${start}-${end}/${st.size}` } : {}),
      });
      const stream = fs.createReadStream(a.path, { start, end });
      stream.on('error', () => res.destroy());
      res.on('close', () => stream.destroy());
      stream.pipe(res);
    },
  },
];
