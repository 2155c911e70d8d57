// Where the Palette connection lives: endpoint, project, CA, proxy in the store's settings; the
// API key in the OS keychain (secret-tool / libsecret on Linux) when it works, otherwise in a
// file readable only by the user (0600) in the data directory. PALETTE_API_KEY overrides both.
// The key is never logged, exported or put in reports.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import type { AppContext } from '../app';
import { hasTool, run } from '../core/exec';
import { normalizeEndpoint, type PaletteConnection } from './http';

export const SETTINGS_KEY = 'palette.connection';
export const KEY_FILE = 'palette-api-key';

export const ConnectionSettings = z.object({
  endpoint: z.string().min(1),
  projectUid: z.string().optional(),
  caPem: z.string().optional(),
  caFile: z.string().optional(),
  insecure: z.boolean().optional(),
  proxy: z.string().optional(),
  keyStorage: z.enum(['keychain', 'file']).optional(),
  timeoutMs: z.number().int().positive().optional(),
});
export type ConnectionSettings = z.infer<typeof ConnectionSettings>;

function account(s: { endpoint: string; projectUid?: string }): string {
  return `${s.endpoint}/${s.projectUid ?? 'tenant'}`;
}

async function keychainAvailable(): Promise<boolean> {
  if (process.env.EDGEBENCH_NO_KEYCHAIN === '1') return false;
  if (process.platform !== 'linux' || !(await hasToolAsync('secret-tool'))) return false;
  return Boolean(process.env.DBUS_SESSION_BUS_ADDRESS);
}

async function hasToolAsync(t: string): Promise<boolean> {
  return hasTool(t);
}

async function keychainStore(acct: string, key: string): Promise<boolean> {
  const r = await run(
    'secret-tool',
    ['store', '--label=Edgebench Palette API key', 'service', 'edgebench-palette', 'account', acct],
    {
      input: key,
    },
  ).catch(() => undefined);
  return r?.code === 0;
}

async function keychainLookup(acct: string): Promise<string | undefined> {
  const r = await run('secret-tool', ['lookup', 'service', 'edgebench-palette', 'account', acct]).catch(
    () => undefined,
  );
  const v = r?.code === 0 ? r.stdout.trim() : '';
  return v || undefined;
}

async function keychainClear(acct: string): Promise<void> {
  await run('secret-tool', ['clear', 'service', 'edgebench-palette', 'account', acct]).catch(() => undefined);
}

function keyFile(app: AppContext): string {
  return path.join(app.dataDir, KEY_FILE);
}

function writeKeyFile(app: AppContext, key: string): void {
  fs.mkdirSync(app.dataDir, { recursive: true, mode: 0o700 });
  const f = keyFile(app);
  const tmp = `${f}.${process.pid}.part`;
  fs.writeFileSync(tmp, key + '\n', { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, f);
}

export async function loadSettings(app: AppContext): Promise<ConnectionSettings | undefined> {
  const raw = await app.store.settings.get<unknown>(SETTINGS_KEY);
  if (raw === undefined) return undefined;
  const r = ConnectionSettings.safeParse(raw);
  return r.success ? r.data : undefined;
}

export interface LoginInput {
  endpoint: string;
  projectUid?: string;
  apiKey: string;
  caFile?: string;
  caPem?: string;
  insecure?: boolean;
  proxy?: string;
}

/** Reads and checks a CA file: PEM certificates only. */
export function readCaFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AppError(
      code === 'ENOENT' ? 'ENOTFOUND' : 'EIO',
      `cannot read the CA file ${file}: ${(e as Error).message}`,
      { path: file },
    );
  }
  if (!/-----BEGIN CERTIFICATE-----/.test(text))
    throw new AppError(
      'EINVALID',
      `${file} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)`,
      { path: file },
    );
  return text;
}

export function checkProxy(p: string | undefined): string | undefined {
  if (!p) return undefined;
  let u: URL;
  try {
    u = new URL(p);
  } catch {
    throw new AppError('EINVALID', `--proxy "${p}" is not a URL such as http://proxy.example:3128`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new AppError('EINVALID', `--proxy must be an http:// or https:// URL, not ${u.protocol}`);
  return p;
}

/** Save the connection and the key. Returns where the key went. */
export async function saveLogin(app: AppContext, input: LoginInput): Promise<ConnectionSettings> {
  if (!input.apiKey.trim()) throw new AppError('EINVALID', 'the Palette API key is empty');
  const endpoint = normalizeEndpoint(input.endpoint);
  const caPem = input.caPem ?? (input.caFile ? readCaFile(input.caFile) : undefined);
  const base = {
    endpoint,
    projectUid: input.projectUid || undefined,
    caPem,
    caFile: input.caFile ? path.resolve(input.caFile) : undefined,
    insecure: input.insecure || undefined,
    proxy: checkProxy(input.proxy),
  };
  let keyStorage: 'keychain' | 'file' = 'file';
  if ((await keychainAvailable()) && (await keychainStore(account(base), input.apiKey.trim()))) {
    keyStorage = 'keychain';
    fs.rmSync(keyFile(app), { force: true });
  } else writeKeyFile(app, input.apiKey.trim());
  const s: ConnectionSettings = { ...base, keyStorage };
  await app.store.settings.set(SETTINGS_KEY, s);
  return s;
}

export async function logout(app: AppContext): Promise<void> {
  const s = await loadSettings(app);
  if (s?.keyStorage === 'keychain') await keychainClear(account(s));
  fs.rmSync(keyFile(app), { force: true });
  await app.store.settings.delete(SETTINGS_KEY);
}

async function loadKey(app: AppContext, s: ConnectionSettings): Promise<string | undefined> {
  if (process.env.PALETTE_API_KEY) return process.env.PALETTE_API_KEY.trim();
  if (s.keyStorage === 'keychain') return keychainLookup(account(s));
  try {
    const st = fs.statSync(keyFile(app));
    if ((st.mode & 0o077) !== 0) fs.chmodSync(keyFile(app), 0o600);
    return fs.readFileSync(keyFile(app), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The full connection, or EAUTH with what to do when Edgebench is not logged in. */
export async function loadConnection(app: AppContext): Promise<PaletteConnection & { timeoutMs?: number }> {
  const s = await loadSettings(app);
  if (!s)
    throw new AppError(
      'EAUTH',
      'Edgebench has no Palette connection yet: run `edgebench palette login --endpoint HOST --project UID`',
    );
  const apiKey = await loadKey(app, s);
  if (!apiKey)
    throw new AppError(
      'EAUTH',
      `no Palette API key is stored for ${s.endpoint}: run \`edgebench palette login\` again or set PALETTE_API_KEY`,
    );
  return {
    endpoint: s.endpoint,
    projectUid: s.projectUid,
    apiKey,
    caPem: s.caPem,
    insecure: s.insecure,
    proxy: s.proxy,
    timeoutMs: s.timeoutMs,
  };
}
