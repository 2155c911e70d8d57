// VM variants of the installer with baked user-data. The remastered ISO is isohybrid, so written
// as a disk image it boots the installer: raw (padded to 1 MiB), qcow2 and streamOptimized vmdk via
// qemu-img, an OVA (OVF 1.0 + vmdk + SHA-256 manifest), and "ami": the raw image plus the metadata
// and instructions `aws ec2 import-image` needs (nothing is uploaded from here).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { LongWorkOptions } from '../../shared/progress';
import type { AppContext } from '../app';
import { run } from '../core/exec';
import { assertWritableOutput, writeFileAtomic, writeViaTemp } from '../core/fs-safe';
import { sha256, sha256File } from '../core/hash';
import type { Artifact } from '../store/types';
import { defaultOutPath, resolveBase } from './build';
import { manifest, ovfDescriptor } from './ova';
import { remasterIso } from './remaster';
import { resolveUserData, type UserDataSpec } from './userdata-input';

export const VARIANT_FORMATS = ['raw', 'qcow2', 'vmdk', 'ova', 'ami'] as const;
export type VariantFormatName = (typeof VARIANT_FORMATS)[number];

export interface VariantRequest extends UserDataSpec, LongWorkOptions {
  base: string;
  format: VariantFormatName;
  out?: string;
  force?: boolean;
}

export interface VariantResult {
  artifact: Artifact;
  /** The main output first, then files written beside it. */
  files: string[];
  notes: string[];
}

const MiB = 1024 * 1024;

async function qemuImg(args: string[], signal?: AbortSignal): Promise<void> {
  const r = await run('qemu-img', args, { signal, pkg: 'qemu-utils' });
  if (/No space left/i.test(r.stderr)) throw new AppError('ENOSPC', `qemu-img: no space left on the device`);
  if (r.code !== 0)
    throw new AppError('EBUILD', `qemu-img ${args[0]} failed: ${r.stderr.trim().split('\n')[0]}`);
}

async function tar(out: string, dir: string, members: string[], signal?: AbortSignal): Promise<void> {
  const r = await run(
    'tar',
    ['--format=ustar', '--owner=0', '--group=0', '-cf', out, '-C', dir, ...members],
    {
      signal,
      pkg: 'tar',
    },
  );
  if (r.code !== 0) throw new AppError('EBUILD', `tar failed: ${r.stderr.trim()}`);
}

function amiFiles(out: string): { containers: string; readme: string } {
  const stem = out.replace(/\.(raw|img|ami)$/i, '');
  return { containers: `${stem}.containers.json`, readme: `${stem}.import.txt` };
}

export async function buildVariant(app: AppContext, req: VariantRequest): Promise<VariantResult> {
  req.onProgress?.({ phase: 'validate', percent: 0 });
  const ud = await resolveUserData(app, req);
  const base = await resolveBase(app, req.base);
  const ext = req.format === 'ami' ? 'raw' : req.format;
  const out = req.out ?? defaultOutPath(app, `installer-${ud.hostId ?? ud.profile ?? 'custom'}`, ext);
  assertWritableOutput(out, { force: req.force });
  const extra = req.format === 'ami' ? Object.values(amiFiles(out)) : [];
  for (const f of extra) assertWritableOutput(f, { force: req.force });
  const work = await fsp.mkdtemp(path.join(path.dirname(path.resolve(out)), '.eb-variant-'));
  const notes: string[] = [];
  try {
    const iso = path.join(work, 'installer.iso');
    const r = await remasterIso({
      base: base.path,
      baseSha256: base.sha256,
      userData: ud.text,
      out: iso,
      signal: req.signal,
      onProgress: (e) =>
        req.onProgress?.({ ...e, percent: e.percent === undefined ? undefined : e.percent * 0.6 }),
    });
    for (const w of r.warnings) notes.push(`${w.code}: ${w.message}`);
    req.onProgress?.({ phase: 'convert', percent: 60, message: req.format });
    const paddedSize = Math.ceil(r.size / MiB) * MiB;
    await writeViaTemp(out, { force: req.force }, async (tmp) => {
      if (req.format === 'raw' || req.format === 'ami') {
        await fsp.rename(iso, tmp);
        await fsp.truncate(tmp, paddedSize);
      } else if (req.format === 'qcow2') {
        await qemuImg(['convert', '-f', 'raw', '-O', 'qcow2', iso, tmp], req.signal);
      } else if (req.format === 'vmdk') {
        await qemuImg(
          ['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', iso, tmp],
          req.signal,
        );
      } else {
        const name = path.basename(out).replace(/\.ova$/i, '') || 'edgebench-installer';
        const vmdkName = `${name}-installer.vmdk`;
        await qemuImg(
          [
            'convert',
            '-f',
            'raw',
            '-O',
            'vmdk',
            '-o',
            'subformat=streamOptimized',
            iso,
            path.join(work, vmdkName),
          ],
          req.signal,
        );
        const vmdkSize = (await fsp.stat(path.join(work, vmdkName))).size;
        const ovf = ovfDescriptor({
          name,
          vmdkFile: vmdkName,
          vmdkSize,
          installerCapacity: paddedSize,
          annotation: `Installer ISO sha256 ${r.sha256}; user-data sha256 ${r.userDataSha256} (${ud.source})`,
        });
        await fsp.writeFile(path.join(work, `${name}.ovf`), ovf);
        const mf = manifest([
          { name: `${name}.ovf`, sha256: sha256(ovf) },
          { name: vmdkName, sha256: await sha256File(path.join(work, vmdkName), req.signal) },
        ]);
        await fsp.writeFile(path.join(work, `${name}.mf`), mf);
        await tar(tmp, work, [`${name}.ovf`, vmdkName, `${name}.mf`], req.signal);
      }
    });
    if (req.format === 'ami') {
      const f = amiFiles(out);
      const key = path.basename(out);
      const containers = [
        {
          Description: `Palette Edge installer with baked user-data (${ud.source})`,
          Format: 'raw',
          UserBucket: { S3Bucket: 'YOUR-BUCKET', S3Key: `edgebench/${key}` },
        },
      ];
      await writeFileAtomic(f.containers, JSON.stringify(containers, null, 2) + '\n', { force: req.force });
      await writeFileAtomic(
        f.readme,
        [
          `AMI import of ${key} (raw disk image of the Palette Edge installer, user-data baked in).`,
          'Edgebench cannot upload from here; run these with the AWS CLI where you have credentials:',
          '',
          `  aws s3 cp ${key} s3://YOUR-BUCKET/edgebench/${key}`,
          `  # edit ${path.basename(f.containers)}: set S3Bucket`,
          `  aws ec2 import-image --description "Palette Edge installer" --boot-mode legacy-bios \\`,
          `      --disk-containers file://${path.basename(f.containers)}`,
          '  aws ec2 describe-import-image-tasks --import-task-ids import-ami-...',
          '',
          'Needs the vmimport service role (see AWS "VM Import/Export" requirements). The image boots the',
          'installer (BIOS, or UEFI with --boot-mode uefi); the instance needs a second EBS volume as the',
          'installation target.',
          `sha256 ${key} = (see edgebench iso artifacts)`,
          '',
        ].join('\n'),
        { force: req.force },
      );
      notes.push(`not uploaded: see ${f.readme} for the aws ec2 import-image steps`);
    }
    req.onProgress?.({ phase: 'hash', percent: 95 });
    const st = await fsp.stat(out);
    const artifact = await app.store.artifacts.add({
      kind: req.format,
      path: path.resolve(out),
      sha256: await sha256File(out, req.signal),
      size: st.size,
      profile: ud.profile,
      hostId: ud.hostId,
      meta: {
        installerIsoSha256: r.sha256,
        baseSha256: r.baseSha256,
        userDataSha256: r.userDataSha256,
        userDataSource: ud.source,
        files: [path.resolve(out), ...extra.map((f) => path.resolve(f))],
        ...(req.format === 'ova' ? { cpus: 2, memoryMb: 4096, targetDiskGb: 50 } : {}),
      },
    });
    app.bus.emit('media.changed', { kind: 'artifact', id: artifact.id });
    req.onProgress?.({ phase: 'done', percent: 100 });
    return { artifact, files: [path.resolve(out), ...extra.map((f) => path.resolve(f))], notes };
  } catch (e) {
    for (const f of extra) if (fs.existsSync(f) && !req.force) await fsp.rm(f, { force: true });
    throw e;
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
}
