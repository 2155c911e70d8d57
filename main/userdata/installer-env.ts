// Palette's staging files: `.installer.env` (shell KEY=value: ISO_IMAGE, INSTALLER_VERSION,
// IMAGE_NAME, USER_DATA_FILE...) next to a `user-data` file, as build-installer.sh reads them.
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { Diagnostic } from '../../shared/userdata/diagnostics';

export const INSTALLER_ENV_KEYS = ['ISO_IMAGE', 'INSTALLER_VERSION', 'IMAGE_NAME', 'USER_DATA_FILE'] as const;
export type InstallerEnv = Record<string, string>;

/**
 * Parse shell-style assignments: `KEY=value`, `export KEY=value`, single quotes (literal),
 * double quotes (with \" \\ \$ escapes), unquoted values with trailing `# comments`.
 */
export function parseInstallerEnv(text: string, file = '.installer.env'): InstallerEnv {
  const env: InstallerEnv = {};
  const problems: Diagnostic[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) {
      problems.push({
        severity: 'error',
        rule: 'env-syntax',
        path: '',
        line: i + 1,
        column: 1,
        message: `expected KEY=value, found "${line.slice(0, 60)}"`,
      });
      return;
    }
    const [, key, rest] = m;
    const v = parseValue(rest);
    if (v === undefined) {
      problems.push({
        severity: 'error',
        rule: 'env-syntax',
        path: key,
        line: i + 1,
        column: line.indexOf('=') + 2,
        message: `the value of ${key} has an unterminated quote`,
      });
      return;
    }
    env[key] = v;
  });
  if (problems.length)
    throw new AppError(
      'EINVALID',
      `${file}:${problems[0].line}:${problems[0].column} ${problems[0].message}`,
      { diagnostics: problems },
    );
  return env;
}

function parseValue(rest: string): string | undefined {
  let out = '';
  let i = 0;
  while (i < rest.length) {
    const c = rest[i];
    if (c === "'") {
      const end = rest.indexOf("'", i + 1);
      if (end < 0) return undefined;
      out += rest.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let closed = false;
      while (j < rest.length) {
        if (rest[j] === '\\' && j + 1 < rest.length && '"\\$`'.includes(rest[j + 1])) {
          out += rest[j + 1];
          j += 2;
        } else if (rest[j] === '"') {
          closed = true;
          break;
        } else out += rest[j++];
      }
      if (!closed) return undefined;
      i = j + 1;
    } else if (/\s/.test(c)) {
      // unquoted white space ends the value; what follows may only be a comment
      const tail = rest.slice(i).trim();
      if (!tail || tail.startsWith('#')) break;
      out += c;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const quote = (v: string) => (/^[A-Za-z0-9_./:@%+,-]*$/.test(v) ? v : `"${v.replace(/(["\\$`])/g, '\\$1')}"`);

export function formatInstallerEnv(env: InstallerEnv): string {
  const keys = [
    ...INSTALLER_ENV_KEYS.filter((k) => k in env),
    ...Object.keys(env).filter((k) => !(INSTALLER_ENV_KEYS as readonly string[]).includes(k)),
  ];
  return `# Written by edgebench; read by Palette's build-installer.sh\n${keys.map((k) => `${k}=${quote(env[k])}`).join('\n')}\n`;
}

/** Where the user-data named by USER_DATA_FILE is, relative to the env file's folder. */
export function userDataPathFor(envFile: string, env: InstallerEnv): string {
  return path.resolve(path.dirname(envFile), env.USER_DATA_FILE || 'user-data');
}
