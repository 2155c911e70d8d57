// Network namespaces for PXE tests: a lab segment built and torn down by the test itself.
// Every name starts with the caller's prefix plus a random id, so parallel runs never collide,
// and `destroy()` kills what was started in them and deletes the namespaces (which removes their
// veths, bridges and taps). Never touches any other interface or address.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';

export interface NetLab {
  /** Short random id in every name (interface names are limited to 15 characters). */
  id: string;
  /** Full namespace name for a short role name. */
  ns(role: string): string;
  /** Interface name for a short role name (prefix + id + role, at most 15 characters). */
  ifname(role: string): string;
  addNs(role: string): string;
  /** `ip -n NS ...` (or `ip ...` when ns is undefined); throws with stderr on failure. */
  ip(ns: string | undefined, ...args: string[]): void;
  /** Runs a command inside a namespace, synchronously (setup only: it blocks the event loop). */
  execSync(
    ns: string,
    cmd: string,
    args: string[],
  ): { status: number | null; stdout: string; stderr: string };
  /** Starts a long-running process inside a namespace; killed by destroy(). */
  spawnIn(ns: string, cmd: string, args: string[]): ChildProcess & { output(): string };
  /** Runs a command inside a namespace without blocking the event loop. */
  exec(
    ns: string,
    cmd: string,
    args: string[],
    timeoutMs?: number,
  ): Promise<{ status: number | null; stdout: string; stderr: string }>;
  destroy(): Promise<void>;
}

export function createNetLab(prefix: string): NetLab {
  const id = crypto.randomBytes(2).toString('hex');
  const made: string[] = [];
  const children: ChildProcess[] = [];
  const run = (args: string[]) => {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  };
  const lab: NetLab = {
    id,
    ns: (role) => `${prefix}-${id}-${role}`,
    ifname: (role) => {
      const n = `${prefix}${id}${role}`;
      if (n.length > 15) throw new Error(`interface name ${n} is longer than 15 characters`);
      return n;
    },
    addNs(role) {
      const n = lab.ns(role);
      run(['netns', 'add', n]);
      made.push(n);
      run(['-n', n, 'link', 'set', 'lo', 'up']);
      return n;
    },
    ip(ns, ...args) {
      run(ns ? ['-n', ns, ...args] : args);
    },
    execSync(ns, cmd, args) {
      const r = spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', timeout: 60_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    spawnIn(ns, cmd, args) {
      const c = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      c.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      children.push(c);
      return Object.assign(c, { output: () => out });
    },
    exec(ns, cmd, args, timeoutMs = 60_000) {
      return new Promise((resolve) => {
        const c = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
        c.on('close', (status) => {
          clearTimeout(t);
          resolve({ status, stdout, stderr });
        });
      });
    },
    async destroy() {
      for (const c of children)
        if (c.exitCode === null && c.signalCode === null) {
          c.kill('SIGTERM');
          await new Promise<void>((r) => {
            const t = setTimeout(() => {
              c.kill('SIGKILL');
              r();
            }, 3000);
            c.once('close', () => {
              clearTimeout(t);
              r();
            });
          });
        }
      for (const n of made.reverse()) {
        // Processes we started inside (e.g. children of `ip netns exec`) end with the namespace's use.
        const pids = spawnSync('ip', ['netns', 'pids', n], { encoding: 'utf8' })
          .stdout.split(/\s+/)
          .filter(Boolean);
        for (const p of pids) {
          try {
            process.kill(Number(p), 'SIGKILL');
          } catch {
            /* gone */
          }
        }
        spawnSync('ip', ['netns', 'del', n]);
      }
      made.length = 0;
    },
  };
  return lab;
}

/** Names of namespaces with this prefix that are still there (for the leak check in tests). */
export function leftoverNamespaces(prefix: string): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith(prefix + '-'));
}
