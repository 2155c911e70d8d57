// Profiles: user-data templates shared by many hosts, kept in the store. Saving validates the
// template and hashes plain passwords (unless kept plain on purpose); import/export go through
// files with the usual guards (no overwrite without --force, temp file + rename).
import fsp from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { UserDataReport } from '../../shared/userdata/diagnostics';
import { analyzeUserData } from '../../shared/userdata/validate';
import { assertWritableOutput, readTextFile, writeFileAtomic } from '../core/fs-safe';
import type { Profile, ProfileRepo, SettingsRepo } from '../store/types';
import { readUserDataFile } from './files';
import { formatInstallerEnv, parseInstallerEnv, userDataPathFor, type InstallerEnv } from './installer-env';
import { hashPlainPasswords } from './passwords';

export const PROFILE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkProfileName(name: string): void {
  if (!PROFILE_NAME_RE.test(name))
    throw new AppError(
      'EINVALID',
      `profile name "${name}" is not allowed: use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
}

export interface SaveProfileInput {
  name: string;
  description?: string;
  userData: string;
  /** Replace an existing profile of that name. */
  overwrite?: boolean;
  keepPlainPasswords?: boolean;
  /** Save even with validation errors (imports that the user fixes afterwards). */
  allowInvalid?: boolean;
}

export async function saveProfile(
  repo: ProfileRepo,
  input: SaveProfileInput,
): Promise<{ profile: Profile; report: UserDataReport; hashed: number; replaced: boolean }> {
  checkProfileName(input.name);
  const existing = await repo.get(input.name);
  if (existing && !input.overwrite)
    throw new AppError(
      'EEXIST',
      `profile "${input.name}" already exists; pass --force (or confirm replacing it) to replace it`,
      { name: input.name },
    );
  const report = analyzeUserData(input.userData).report;
  if (!report.valid && !input.allowInvalid) {
    const d = report.errors[0];
    throw new AppError(
      'EINVALID',
      `profile "${input.name}" is not valid user-data: line ${d.line}, column ${d.column} ${d.path || '(document)'} ${d.message}${report.errors.length > 1 ? ` (and ${report.errors.length - 1} more)` : ''}`,
      { diagnostics: report.errors },
    );
  }
  let text = input.userData;
  let hashed = 0;
  if (!input.keepPlainPasswords && !report.errors.some((e) => e.rule === 'yaml-syntax'))
    ({ text, hashed } = hashPlainPasswords(text));
  const profile = await repo.put({
    name: input.name,
    description: input.description ?? existing?.description ?? '',
    userData: text,
  });
  return { profile, report, hashed, replaced: !!existing };
}

export async function getProfile(repo: ProfileRepo, name: string): Promise<Profile> {
  const p = await repo.get(name);
  if (!p)
    throw new AppError(
      'ENOTFOUND',
      `no profile named "${name}" ("edgebench profile list" shows the profiles)`,
      { name },
    );
  return p;
}

export async function importProfileFile(
  repo: ProfileRepo,
  file: string,
  opts: Omit<SaveProfileInput, 'userData'>,
) {
  const userData = await readUserDataFile(file);
  return saveProfile(repo, { ...opts, userData });
}

export async function exportProfileFile(
  repo: ProfileRepo,
  name: string,
  out: string,
  opts: { force?: boolean; keepPlainPasswords?: boolean } = {},
): Promise<{ hashed: number }> {
  const p = await getProfile(repo, name);
  const { text, hashed } = opts.keepPlainPasswords
    ? { text: p.userData, hashed: 0 }
    : hashPlainPasswords(p.userData);
  await writeFileAtomic(out, text, { force: opts.force });
  return { hashed };
}

// ---- .installer.env

const envKey = (profile: string) => `installerEnv:${profile}`;

export async function importInstallerEnvTexts(
  repo: ProfileRepo,
  settings: SettingsRepo,
  input: {
    envText: string;
    userDataText: string;
    name: string;
    description?: string;
    overwrite?: boolean;
    allowInvalid?: boolean;
    keepPlainPasswords?: boolean;
    envFile?: string;
  },
) {
  const env = parseInstallerEnv(input.envText, input.envFile);
  const saved = await saveProfile(repo, {
    name: input.name,
    description:
      input.description ??
      `Imported from ${input.envFile ?? '.installer.env'}${env.ISO_IMAGE ? ` (ISO ${env.ISO_IMAGE})` : ''}`,
    userData: input.userDataText,
    overwrite: input.overwrite,
    allowInvalid: input.allowInvalid,
    keepPlainPasswords: input.keepPlainPasswords,
  });
  await settings.set(envKey(input.name), env);
  return { ...saved, env };
}

/** Import `.installer.env` and the user-data file it names (relative to the env file). */
export async function importInstallerEnvFile(
  repo: ProfileRepo,
  settings: SettingsRepo,
  envFile: string,
  opts: { name?: string; overwrite?: boolean; allowInvalid?: boolean; keepPlainPasswords?: boolean } = {},
) {
  const envText = await readTextFile(envFile, { maxBytes: 64 * 1024, what: '.installer.env file' });
  const env = parseInstallerEnv(envText, envFile);
  const udPath = userDataPathFor(envFile, env);
  const userDataText = await readUserDataFile(udPath).catch((e: unknown) => {
    if (e instanceof AppError && e.code === 'ENOTFOUND')
      throw new AppError(
        'ENOTFOUND',
        `${envFile} names USER_DATA_FILE=${env.USER_DATA_FILE ?? 'user-data'}, but ${udPath} does not exist`,
        { path: udPath },
      );
    throw e;
  });
  const name = opts.name ?? defaultProfileName(env, envFile);
  const r = await importInstallerEnvTexts(repo, settings, {
    envText,
    userDataText,
    name,
    overwrite: opts.overwrite,
    allowInvalid: opts.allowInvalid,
    keepPlainPasswords: opts.keepPlainPasswords,
    envFile,
  });
  return { ...r, userDataPath: udPath };
}

function defaultProfileName(env: InstallerEnv, envFile: string): string {
  const base = env.ISO_IMAGE || path.basename(path.dirname(path.resolve(envFile)));
  const cleaned = base
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
  return cleaned || 'imported';
}

export async function getInstallerEnv(
  settings: SettingsRepo,
  profile: string,
): Promise<InstallerEnv | undefined> {
  return settings.get<InstallerEnv>(envKey(profile));
}

/** Write DIR/.installer.env and DIR/<USER_DATA_FILE> for Palette's build flow. */
export async function exportInstallerEnv(
  repo: ProfileRepo,
  settings: SettingsRepo,
  profileName: string,
  dir: string,
  opts: { force?: boolean; keepPlainPasswords?: boolean } = {},
): Promise<{ envPath: string; userDataPath: string; env: InstallerEnv; hashed: number }> {
  const p = await getProfile(repo, profileName);
  const env: InstallerEnv = { ...((await getInstallerEnv(settings, profileName)) ?? {}) };
  const udName =
    env.USER_DATA_FILE && !path.isAbsolute(env.USER_DATA_FILE) && !env.USER_DATA_FILE.includes('..')
      ? env.USER_DATA_FILE
      : 'user-data';
  env.USER_DATA_FILE = udName;
  const envPath = path.join(dir, '.installer.env');
  const userDataPath = path.join(dir, udName);
  assertWritableOutput(envPath, opts);
  await fsp.mkdir(path.dirname(userDataPath), { recursive: true }); // USER_DATA_FILE may name a subfolder
  assertWritableOutput(userDataPath, opts);
  const { text, hashed } = opts.keepPlainPasswords
    ? { text: p.userData, hashed: 0 }
    : hashPlainPasswords(p.userData);
  await writeFileAtomic(userDataPath, text, opts);
  await writeFileAtomic(envPath, formatInstallerEnv(env), opts);
  return { envPath, userDataPath, env, hashed };
}
