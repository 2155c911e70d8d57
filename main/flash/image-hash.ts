// SHA-256 of the image file in a worker thread, alongside the write: hashing 1 GiB takes about a
// second of CPU, which would otherwise stall the event loop that feeds the drives.
import { Worker } from 'node:worker_threads';
import { CancelledError } from '../../shared/errors';
import { fsError } from '../core/fs-errors';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
try {
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(workerData.path, 'r');
  const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  let n;
  while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) h.update(buf.subarray(0, n));
  fs.closeSync(fd);
  parentPort.postMessage({ ok: true, sha256: h.digest('hex') });
} catch (e) {
  parentPort.postMessage({ ok: false, code: e.code, message: e.message });
}
`;

export function sha256InWorker(file: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const w = new Worker(WORKER, { eval: true, workerData: { path: file } });
    const onAbort = () => {
      void w.terminate();
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    w.once('message', (m: { ok: boolean; sha256?: string; code?: string; message?: string }) => {
      signal?.removeEventListener('abort', onAbort);
      void w.terminate();
      if (m.ok) resolve(m.sha256!);
      else reject(fsError(Object.assign(new Error(m.message), { code: m.code, path: file }), file));
    });
    w.once('error', (e) => {
      signal?.removeEventListener('abort', onAbort);
      reject(fsError(e, file));
    });
  });
}
