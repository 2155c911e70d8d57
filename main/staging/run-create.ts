// Creating a staging run from a validated manifest: its id (the manifest hash, so re-running the
// same manifest finds the same run), a snapshot of the profiles it uses, and one durable row per
// (host, step). Nothing runs here.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import {
  STEPS,
  type ManifestCheck,
  type ManifestHost,
  type RunOptions,
  type StagingSite,
} from '../../shared/contract/staging';
import type { Store } from '../store';

export interface RunManifest {
  hosts: ManifestHost[];
  sites: StagingSite[];
  /** Profile name -> user-data template, as they were when the run was created. */
  profiles: Record<string, string>;
}

export function runIdFor(
  check: ManifestCheck,
  profiles: Record<string, string>,
  options: RunOptions,
): string {
  const h = crypto.createHash('sha256');
  h.update(check.manifestSha256);
  for (const name of Object.keys(profiles).sort()) h.update(`\0${name}\0${profiles[name]}`);
  h.update(`\0${options.mediaMode}\0${options.image ? path.resolve(options.image) : ''}`);
  return `run-${h.digest('hex').slice(0, 12)}`;
}

export interface PlannedRun {
  runId: string;
  created: boolean;
  state: string;
}

/** Find or create the run for this manifest. With newRun, always a fresh id. */
export async function planRun(
  store: Store,
  check: ManifestCheck,
  options: RunOptions,
  opts: { newRun?: boolean; workRoot: string },
): Promise<PlannedRun> {
  if (!check.ok) {
    const n = check.issues.filter((i) => i.severity === 'error').length;
    throw new AppError('EINVALID', `${check.fileName} has ${n} error(s); nothing was started`, {
      issues: check.issues,
    });
  }
  const profiles: Record<string, string> = {};
  for (const name of new Set(check.hosts.map((h) => h.profile))) {
    const p = await store.profiles.get(name);
    if (!p) throw new AppError('ENOTFOUND', `profile "${name}" is not in the store`);
    profiles[name] = p.userData;
  }
  const usb = check.hosts.some((h) => h.delivery === 'usb');
  if (usb && !options.image)
    throw new AppError(
      'EUSAGE',
      `${check.counts.usb} host(s) are delivered by USB and need installer media: pass --image BASE.iso`,
    );
  if (usb && options.image && !fs.existsSync(options.image))
    throw new AppError('ENOTFOUND', `the installer ISO ${options.image} does not exist`, {
      path: options.image,
    });
  let runId = runIdFor(check, profiles, options);
  if (opts.newRun) runId = `${runId}-${crypto.randomBytes(3).toString('hex')}`;
  const existing = await store.staging.getRun(runId);
  if (existing) return { runId, created: false, state: existing.state };
  const manifest: RunManifest = { hosts: check.hosts, sites: check.sites, profiles };
  const full: RunOptions = {
    ...options,
    image: options.image ? path.resolve(options.image) : undefined,
    workDir: path.resolve(options.workDir ?? path.join(opts.workRoot, runId)),
  };
  await store.staging.createRun({
    id: runId,
    fileName: check.fileName,
    manifestSha256: check.manifestSha256,
    manifest,
    options: full,
    hosts: check.hosts.map((h, index) => ({
      hostId: h.id,
      index,
      delivery: h.delivery,
      site: h.site,
      profile: h.profile,
      mac: h.mac,
      serial: h.serial,
      host: h,
    })),
    steps: [...STEPS],
  });
  if (!(await store.jobs.get(runId)))
    await store.jobs.create({
      id: runId,
      kind: 'staging',
      payload: { fileName: check.fileName, hosts: check.hosts.length },
    });
  await store.staging.addTimeline({
    runId,
    kind: 'created',
    message: `run created from ${check.fileName}: ${check.hosts.length} hosts (${check.counts.usb} USB, ${check.counts.pxe} PXE)`,
    data: { manifestSha256: check.manifestSha256, options: full },
  });
  return { runId, created: true, state: 'queued' };
}
