// Sites for manifest validation: a small shape (name, subnets, gateway, nameserver) read from a
// sites file (YAML or JSON: a list, or {sites: [...]}) and from the register capability's sites
// in the store (names and tags; they carry no subnets, so static IPs there are only format-checked).
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { StagingSite } from '../../shared/contract/staging';
import { AppError } from '../../shared/errors';
import type { Store } from '../store';
import { zodIssues } from '../api/dispatch';

const SiteFileEntry = z
  .object({
    name: z.string().min(1),
    subnet: z.string().optional(),
    subnets: z.array(z.string()).optional(),
    gateway: z.string().optional(),
    nameserver: z.string().optional(),
    description: z.string().optional(),
  })
  .strict();
const SitesFile = z.union([z.array(SiteFileEntry), z.object({ sites: z.array(SiteFileEntry) }).strict()]);

export const SITES_SETTING = 'staging.sites';

export function parseSitesText(text: string, fileName = 'sites'): StagingSite[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new AppError(
      'EINVALID',
      `${fileName} is not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  const r = SitesFile.safeParse(raw);
  if (!r.success)
    throw new AppError(
      'EINVALID',
      `${fileName}: ${zodIssues(r.error)
        .map((i) => `${i.path || '(top)'}: ${i.message}`)
        .join('; ')}`,
      {
        issues: zodIssues(r.error),
      },
    );
  const list = Array.isArray(r.data) ? r.data : r.data.sites;
  return list.map((s) =>
    StagingSite.parse({
      name: s.name,
      subnets: [...(s.subnets ?? []), ...(s.subnet ? [s.subnet] : [])],
      gateway: s.gateway,
      nameserver: s.nameserver,
      description: s.description,
    }),
  );
}

/** Sites known without a file: staging's saved sites, then the register capability's (by name). */
export async function storedSites(store: Store): Promise<StagingSite[]> {
  const saved = ((await store.settings.get<StagingSite[]>(SITES_SETTING)) ?? []).map((s) =>
    StagingSite.parse(s),
  );
  const names = new Set(saved.map((s) => s.name));
  let reg: Array<{ name: string; description?: string }>;
  try {
    reg = (await store.register.listSites()).map((s) => ({ name: s.name, description: s.description }));
  } catch {
    reg = [];
  }
  return [
    ...saved,
    ...reg
      .filter((s) => !names.has(s.name))
      .map((s) => ({ name: s.name, subnets: [], description: s.description })),
  ];
}

/** Save sites (merged by name) so later manifests can use them without --sites. */
export async function saveSites(store: Store, sites: StagingSite[]): Promise<StagingSite[]> {
  const cur = (await store.settings.get<StagingSite[]>(SITES_SETTING)) ?? [];
  const byName = new Map(cur.map((s) => [s.name, s]));
  for (const s of sites) byName.set(s.name, s);
  const all = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  await store.settings.set(SITES_SETTING, all);
  return all;
}
