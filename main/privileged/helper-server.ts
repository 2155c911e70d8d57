// The privileged helper's loop: read requests from stdin, check the token and the schema, check
// every path again, run the job, stream progress and results to stdout. Exits when its parent
// goes (stdin closes, or the parent pid disappears); never opens a network port.
import fs from 'node:fs';
import readline from 'node:readline';
import { AppError, isAppError, type ErrorData } from '../../shared/errors';
import { runFlashJob, type FlashJobResult } from '../flash/engine';
import { listDrives } from '../flash/drives';
import { checkHelperImage, checkHelperTarget, type Caller } from './paths';
import { HelperRequest, MAX_LINE, PROTOCOL_VERSION, tokenMatches, type HelperMessage } from './protocol';

export interface HelperConfig {
  tokenSha256: string;
  parentPid?: number;
  allowDirs: string[];
  caller: Caller;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  exit(code: number): void;
}

function errData(e: unknown): ErrorData {
  if (isAppError(e)) return e.toData();
  return { code: 'EINTERNAL', message: e instanceof Error ? e.message : String(e) };
}

export function runHelper(cfg: HelperConfig): void {
  const send = (m: HelperMessage) => cfg.output.write(JSON.stringify(m) + '\n');
  const jobs = new Map<string, AbortController>();
  let running: Promise<unknown> = Promise.resolve();
  let exiting = false;

  const shutdown = async (code: number) => {
    if (exiting) return;
    exiting = true;
    clearInterval(parentTimer);
    for (const ac of jobs.values()) ac.abort();
    await Promise.race([running.catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
    cfg.exit(code);
  };

  const initialPpid = process.ppid;
  const parentTimer = setInterval(() => {
    let gone = process.ppid !== initialPpid && process.ppid === 1;
    if (cfg.parentPid) {
      try {
        process.kill(cfg.parentPid, 0);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ESRCH') gone = true;
      }
    }
    if (gone) void shutdown(0);
  }, 500);

  const refuse = (id: string, error: ErrorData) => send({ t: 'result', id, ok: false, error });

  const rl = readline.createInterface({ input: cfg.input, crlfDelay: Infinity });
  rl.on('line', (line) => {
    if (exiting) return;
    if (line.length > MAX_LINE) return refuse('', { code: 'EPROTOCOL', message: 'request line too long' });
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return refuse('', { code: 'EPROTOCOL', message: 'malformed request: not JSON' });
    }
    const obj = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const id = typeof obj.id === 'string' ? obj.id.slice(0, 64) : '';
    if (!tokenMatches(obj.token, cfg.tokenSha256)) {
      refuse(id, { code: 'EAUTH', message: 'wrong or missing token; the helper stops' });
      void shutdown(77);
      return;
    }
    const parsed = HelperRequest.safeParse(raw);
    if (!parsed.success) {
      return refuse(id, {
        code: 'EPROTOCOL',
        message: `malformed request: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ')}`,
      });
    }
    const req = parsed.data;
    if (req.op === 'cancel') {
      const ac = jobs.get(req.args.id);
      ac?.abort();
      return send({ t: 'result', id: req.id, ok: true, value: { cancelled: Boolean(ac) } });
    }
    if (jobs.has(req.id))
      return refuse(req.id, { code: 'EUSAGE', message: `request ${req.id} is already running` });
    if (req.op === 'listDrives') {
      void listDrives({ all: req.args?.all }).then(
        (drives) => send({ t: 'result', id: req.id, ok: true, value: { drives } }),
        (e) => refuse(req.id, errData(e)),
      );
      return;
    }
    // flash
    if (jobs.size)
      return refuse(req.id, { code: 'EBUSY', message: 'a flash is already running in this helper' });
    const ac = new AbortController();
    jobs.set(req.id, ac);
    const p = flash(req.args, ac.signal, (event) => send({ t: 'progress', id: req.id, event }))
      .then(
        (value) => send({ t: 'result', id: req.id, ok: true, value }),
        (e) => refuse(req.id, errData(e)),
      )
      .finally(() => jobs.delete(req.id));
    running = p;
  });
  rl.on('close', () => void shutdown(0));

  async function flash(
    args: Extract<HelperRequest, { op: 'flash' }>['args'],
    signal: AbortSignal,
    onProgress: (e: Record<string, unknown>) => void,
  ): Promise<{ jobs: FlashJobResult[] }> {
    const { images, targets, options } = args;
    if (images.length !== 1 && images.length !== targets.length)
      throw new AppError('EUSAGE', 'give one image for all targets, or one image per target');
    images.forEach((i) => checkHelperImage(i, cfg.caller));
    targets.forEach((t) => checkHelperTarget(t, cfg.allowDirs, cfg.caller));
    if (options.allowSystemDrive && !targets.includes(options.allowSystemDrive))
      throw new AppError('EUSAGE', `allowSystemDrive ${options.allowSystemDrive} is not one of the targets`);
    // Image files the helper creates belong to the user who asked, not to root.
    const created = targets.filter((t) => !fs.existsSync(t));
    const giveBack = () => {
      if (cfg.caller.uid === 0) return;
      for (const t of created)
        try {
          fs.chownSync(t, cfg.caller.uid, cfg.caller.gids[0] ?? -1);
        } catch {
          // not created after all (refused or failed before opening)
        }
    };
    const groups = new Map<string, string[]>();
    targets.forEach((t, i) => {
      const img = images.length === 1 ? images[0] : images[i];
      groups.set(img, [...(groups.get(img) ?? []), t]);
    });
    const out: FlashJobResult[] = [];
    try {
      for (const [image, group] of groups) {
        out.push(
          await runFlashJob({
            image,
            targets: group,
            verify: options.verify,
            allowSystemDrive: options.allowSystemDrive,
            ackLarge: options.ackLarge,
            signal,
            onProgress: (e) => onProgress({ ...e }),
          }),
        );
      }
    } finally {
      giveBack();
    }
    return { jobs: out };
  }

  send({ t: 'ready', v: PROTOCOL_VERSION, pid: process.pid, uid: process.getuid?.() ?? -1 });
}
