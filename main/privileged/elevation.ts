// How the helper is started with elevated rights on each platform, keeping its stdin/stdout
// connected to us. Linux: pkexec (polkit asks for the password). macOS: sudo -A with an askpass
// program (SUDO_ASKPASS) that shows the system password prompt. Windows: UAC elevation does not
// keep stdio; it needs a named pipe transport, not implemented yet.
// Test-only: EDGEBENCH_HELPER_NO_ELEVATION=1 starts the helper as a plain child process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { Caller } from './paths';

export interface LaunchPlan {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  elevated: boolean;
  how: 'pkexec' | 'sudo-askpass' | 'plain';
}

/** The built helper bundle beside the CLI bundle (dist/main/helper.cjs). */
export function helperScript(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [
    env.EDGEBENCH_HELPER_PATH,
    path.join(__dirname, 'helper.cjs'),
    path.resolve(__dirname, '..', '..', 'dist', 'main', 'helper.cjs'),
    path.resolve(process.cwd(), 'dist', 'main', 'helper.cjs'),
  ].filter((c): c is string => Boolean(c));
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found)
    throw new AppError(
      'EHELPER',
      `the privileged helper is not built (looked for ${candidates.join(', ')}); run npm run build`,
    );
  return found;
}

function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

export function launchPlan(helperArgs: string[], env: NodeJS.ProcessEnv = process.env): LaunchPlan {
  const script = helperScript(env);
  // Under Electron, the app binary runs the helper as plain Node.
  const node = process.execPath;
  const nodeEnv = process.versions.electron ? ['ELECTRON_RUN_AS_NODE=1'] : [];
  if (env.EDGEBENCH_HELPER_NO_ELEVATION === '1')
    return { command: node, args: [script, ...helperArgs], elevated: false, how: 'plain' };
  if (process.platform === 'linux') {
    const pkexec = onPath('pkexec');
    if (!pkexec)
      throw new AppError(
        'EHELPER',
        'writing drives needs root, and pkexec (package policykit-1 / pkexec) is not installed; run the command as root instead',
      );
    const args = nodeEnv.length ? ['/usr/bin/env', ...nodeEnv, node] : [node];
    return { command: pkexec, args: [...args, script, ...helperArgs], elevated: true, how: 'pkexec' };
  }
  if (process.platform === 'darwin') {
    if (!env.SUDO_ASKPASS)
      throw new AppError('EHELPER', 'set SUDO_ASKPASS to a password prompt program, or run as root');
    return {
      command: '/usr/bin/sudo',
      args: [
        '-A',
        '--',
        ...(nodeEnv.length ? ['/usr/bin/env', ...nodeEnv] : []),
        node,
        script,
        ...helperArgs,
      ],
      elevated: true,
      how: 'sudo-askpass',
    };
  }
  throw new AppError(
    'EHELPER',
    `elevation on ${process.platform} is not implemented yet (UAC needs a named-pipe transport); run as Administrator`,
  );
}

/** Who asked for the helper: pkexec and sudo say so in the environment; groups from /etc. */
export function callerFromEnv(env: NodeJS.ProcessEnv = process.env): Caller {
  const asked = env.PKEXEC_UID ?? env.SUDO_UID;
  if (asked === undefined) {
    const gid = process.getgid?.() ?? 0;
    return { uid: process.getuid?.() ?? 0, gids: process.getgroups?.() ?? [gid] };
  }
  const uid = Number(asked);
  if (!Number.isInteger(uid) || uid < 0) return { uid: 65534, gids: [] };
  return { uid, gids: groupsOf(uid) };
}

/** Primary and supplementary groups of a user, from /etc/passwd and /etc/group. */
export function groupsOf(uid: number, etc = '/etc'): number[] {
  const read = (f: string) => {
    try {
      return fs.readFileSync(path.join(etc, f), 'utf8').split('\n');
    } catch {
      return [];
    }
  };
  const pw = read('passwd')
    .map((l) => l.split(':'))
    .find((f) => Number(f[2]) === uid);
  if (!pw) return [];
  const gids = new Set<number>([Number(pw[3])]);
  for (const f of read('group').map((l) => l.split(':')))
    if (f.length >= 4 && f[3].split(',').includes(pw[0])) gids.add(Number(f[2]));
  return [...gids].filter((g) => Number.isInteger(g));
}

/** Folders where the helper may write regular-file targets. */
export function defaultAllowDirs(): string[] {
  return [os.tmpdir(), os.homedir()].filter((d, i, a) => d && a.indexOf(d) === i);
}
