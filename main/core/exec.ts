// Run system tools (xorriso, qemu-img, mkfs...) with cancellation and clear errors.
import { spawn, spawnSync } from 'node:child_process';
import { AppError } from '../../shared/errors';

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  signal?: AbortSignal;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  /** Package that provides the tool, named in the error when it is missing. */
  pkg?: string;
  onStderrLine?: (line: string) => void;
  onStdoutLine?: (line: string) => void;
}

/** Runs a command to completion. Never throws for a non-zero exit: callers judge the result. */
export function run(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new AppError('ECANCELLED', 'Cancelled'));
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let outRest = '';
    let errRest = '';
    const onAbort = () => child.kill('SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (opts.onStdoutLine) {
        const lines = (outRest + d).split('\n');
        outRest = lines.pop() ?? '';
        lines.forEach(opts.onStdoutLine);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (opts.onStderrLine) {
        const lines = (errRest + d).split('\n');
        errRest = lines.pop() ?? '';
        lines.forEach(opts.onStderrLine);
      }
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (e.code === 'ENOENT') {
        reject(
          new AppError(
            'ETOOLMISSING',
            `${cmd} is not installed${opts.pkg ? ` (Debian package: ${opts.pkg})` : ''}`,
            {
              tool: cmd,
              package: opts.pkg,
            },
          ),
        );
      } else reject(new AppError('EINTERNAL', `could not run ${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) return reject(new AppError('ECANCELLED', 'Cancelled'));
      resolve({ code, signal, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** Is a tool on PATH? */
export function hasTool(cmd: string): boolean {
  const r = spawnSync('sh', ['-c', `command -v ${JSON.stringify(cmd)}`], { stdio: 'ignore' });
  return r.status === 0;
}
