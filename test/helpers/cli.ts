// Runs the real `edgebench` bin (built by `npm run build`, which `npm test` does first).
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './env';

export const BIN = path.join(REPO_ROOT, 'bin', 'edgebench.cjs');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  opts: { dataDir?: string; input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): CliRun {
  const r = spawnSync(
    process.execPath,
    [BIN, ...(opts.dataDir ? ['--data-dir', opts.dataDir] : []), ...args],
    {
      input: opts.input,
      encoding: 'utf8',
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, ...opts.env },
      timeout: 300_000,
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function runCliAsync(
  args: string[],
  opts: { dataDir?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [BIN, ...(opts.dataDir ? ['--data-dir', opts.dataDir] : []), ...args],
      {
        cwd: opts.cwd ?? REPO_ROOT,
        env: { ...process.env, ...opts.env },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Parse JSON lines printed with --json. */
export function jsonLines(s: string): any[] {
  return s
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l));
}
