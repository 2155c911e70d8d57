// Where Edgebench keeps its data: --data-dir, EDGEBENCH_DATA_DIR, or the platform's user data dir.
import os from 'node:os';
import path from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.EDGEBENCH_DATA_DIR) return path.resolve(env.EDGEBENCH_DATA_DIR);
  const home = env.HOME || os.homedir();
  if (platform === 'win32')
    return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'Edgebench');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Edgebench');
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'edgebench');
}
