// Serves the built renderer (dist/renderer) without letting a path escape the folder.
import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

export function serveStatic(root: string, pathname: string, res: http.ServerResponse): boolean {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  if (rel.includes('\0')) return false;
  if (rel === '/' || rel === '') rel = '/index.html';
  const abs = path.resolve(root, '.' + path.posix.normalize(rel));
  if (abs !== root && !abs.startsWith(root + path.sep)) return false;
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    return false;
  }
  if (!st.isFile()) return false;
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(abs)] ?? 'application/octet-stream',
    'Content-Length': st.size,
    'Cache-Control': rel === '/index.html' ? 'no-store' : 'max-age=3600',
  });
  fs.createReadStream(abs).pipe(res);
  return true;
}
