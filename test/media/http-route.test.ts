// GET /media/artifacts/<id>/download on `edgebench serve`: token required, whole file or a Range.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type AppContext } from '../../main/app';
import { buildSiteMedia } from '../../main/iso/site-media';
import { startServer, type RunningServer } from '../../main/server/serve';
import { skipReason, tempDir } from '../helpers/env';

const skip = skipReason({ tools: ['xorriso'] });

describe.skipIf(!!skip)(`media artifact download route${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const t = tempDir('eb-media-http-');
  let app: AppContext;
  let server: RunningServer;
  let id = '';
  let bytes: Buffer;
  beforeAll(async () => {
    app = createApp({ dataDir: path.join(t.dir, 'data') });
    const a = await buildSiteMedia(app, {
      userDataText: '#cloud-config\nstylus:\n  site:\n    name: dl-test\n',
      format: 'iso',
      out: path.join(t.dir, 'site.iso'),
    });
    id = a.id;
    bytes = fs.readFileSync(a.path);
    server = await startServer({ app, host: '127.0.0.1', port: 0, rendererDir: t.dir });
  });
  afterAll(async () => {
    await server?.close();
    await app?.close();
    t.cleanup();
  });

  it('needs the token', async () => {
    const r = await fetch(`${server.url}/media/artifacts/${id}/download`);
    expect(r.status).toBe(401);
  });

  it('serves the whole file with its SHA-256, or a byte range', async () => {
    const auth = { authorization: `Bearer ${server.token}` };
    const r = await fetch(`${server.url}/media/artifacts/${id}/download`, { headers: auth });
    expect(r.status).toBe(200);
    expect(Buffer.from(await r.arrayBuffer()).equals(bytes)).toBe(true);
    const a = (await app.store.artifacts.get(id))!;
    expect(r.headers.get('x-content-sha256')).toBe(a.sha256);
    const part = await fetch(`${server.url}/media/artifacts/${id}/download`, {
      headers: { ...auth, range: 'bytes=32768-32773' },
    });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).toString('latin1')).toBe('\x01CD001');
    const none = await fetch(`${server.url}/media/artifacts/nope/download`, { headers: auth });
    expect(none.status).toBe(404);
  });
});
