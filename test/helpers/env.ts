// What the test machine can do; tests that need more skip with a clear reason.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export function hasTool(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Returns undefined when all requirements hold, else the reason to skip. */
export function skipReason(req: { root?: boolean; tools?: string[]; files?: string[] }): string | undefined {
  if (req.root && !isRoot)
    return 'needs root (loop devices, network namespaces or raw devices); CI runs as root';
  for (const t of req.tools ?? [])
    if (!hasTool(t)) return `needs the system tool ${t} (see .ci/apt-packages.txt)`;
  for (const f of req.files ?? []) if (!fs.existsSync(f)) return `needs ${f} (see .ci/apt-packages.txt)`;
  return undefined;
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'eb-test-'): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts');
