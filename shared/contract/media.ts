// Media commands and events. Owned by the media capability: base installer ISOs, baking user-data
// into installer ISOs, site user-data media (cidata), VM variants, inspecting ISOs, built artifacts.
import { z } from 'zod';
import { command, Empty, Id } from './define';
import { UserDataReportZ } from './userdata';

export const Artifact = z.object({
  id: z.string(),
  kind: z.string(),
  path: z.string(),
  sha256: z.string(),
  size: z.number(),
  profile: z.string().optional(),
  hostId: z.string().optional(),
  meta: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type Artifact = z.infer<typeof Artifact>;

export const BaseIso = z.object({
  id: z.string(),
  name: z.string(),
  path: z.string(),
  sha256: z.string(),
  size: z.number(),
  source: z.string(),
  volumeId: z.string(),
  meta: z.record(z.string(), z.unknown()),
  addedAt: z.string(),
});
export type BaseIso = z.infer<typeof BaseIso>;

export const BootEntry = z.object({
  platform: z.enum(['bios', 'uefi', 'powerpc', 'mac', 'other']),
  platformId: z.number(),
  bootable: z.boolean(),
  emulation: z.string(),
  loadSegment: z.number(),
  sectorCount: z.number(),
  lba: z.number(),
});

export const ImageProbe = z.object({
  path: z.string(),
  size: z.number(),
  volumeId: z.string(),
  systemId: z.string(),
  declaredSize: z.number(),
  createdAt: z.string().optional(),
  joliet: z.boolean(),
  elTorito: z.object({ catalogLba: z.number(), entries: z.array(BootEntry) }).optional(),
  mbr: z
    .object({
      partitions: z.array(
        z.object({
          index: z.number(),
          bootable: z.boolean(),
          type: z.number(),
          startLba: z.number(),
          sectors: z.number(),
        }),
      ),
      protectiveGpt: z.boolean(),
    })
    .optional(),
  gpt: z
    .object({
      partitions: z.array(
        z.object({
          index: z.number(),
          name: z.string(),
          typeGuid: z.string(),
          firstLba: z.number(),
          lastLba: z.number(),
          efiSystem: z.boolean(),
        }),
      ),
    })
    .optional(),
  hybrid: z.boolean(),
  bootsBios: z.boolean(),
  bootsUefi: z.boolean(),
});

const Warning = z.object({ code: z.string(), message: z.string() });

export const IsoInspection = z.object({
  path: z.string(),
  size: z.number(),
  sha256: z.string().optional(),
  probe: ImageProbe,
  boot: z.array(z.string()),
  warnings: z.array(Warning),
  fileCount: z.number(),
  kairos: z.object({
    kernel: z.string().optional(),
    initrd: z.string().optional(),
    squashfs: z.string().optional(),
    isKairosLayout: z.boolean(),
  }),
  userData: z.array(
    z.object({
      path: z.string(),
      size: z.number(),
      text: z.string(),
      report: UserDataReportZ.optional(),
      validationError: z.string().optional(),
    }),
  ),
});
export type IsoInspection = z.infer<typeof IsoInspection>;

export const BuildResult = z.object({
  artifact: Artifact,
  path: z.string(),
  size: z.number(),
  sha256: z.string(),
  baseSha256: z.string(),
  userDataSha256: z.string(),
  userDataSource: z.string(),
  boot: z.array(z.string()),
  warnings: z.array(Warning),
  ms: z.number(),
});
export type BuildResult = z.infer<typeof BuildResult>;

export const VariantFormat = z.enum(['raw', 'qcow2', 'vmdk', 'ova', 'ami']);
export type VariantFormat = z.infer<typeof VariantFormat>;

const UserDataChoice = {
  /** User-data text (YAML with #cloud-config). */
  userData: z
    .string()
    .max(4 * 1024 * 1024)
    .optional(),
  /** Or a saved profile, optionally rendered for one host. */
  profile: z.string().optional(),
  hostId: z.string().optional(),
};

export const mediaCommands = {
  'media.bases.list': command(
    'Base installer ISOs in the store',
    Empty,
    z.object({ bases: z.array(BaseIso) }),
  ),
  'media.bases.add': command(
    'Add a base installer ISO from a local path or an HTTPS URL (downloaded with progress, SHA-256 checked, resumable)',
    z.object({
      source: z.string().min(1),
      sha256: z
        .string()
        .regex(/^[0-9a-fA-F]{64}$/)
        .optional(),
      name: z.string().optional(),
    }),
    z.object({ base: BaseIso }),
    { long: true },
  ),
  'media.build': command(
    'Bake user-data into a copy of a base installer ISO at /config.yaml, check the result, store it',
    z.object({
      /** A base ISO ID from media.bases.list, or a path. */
      base: z.string().min(1),
      ...UserDataChoice,
      /** Output path; default: the data directory's media folder. */
      out: z.string().optional(),
      force: z.boolean().optional(),
      /** Fresh compact image instead of copy + append (slower). */
      compact: z.boolean().optional(),
    }),
    BuildResult,
    { long: true },
  ),
  'media.inspect': command(
    'Inspect an ISO: volume, boot records, hybrid MBR/GPT, Kairos layout, embedded user-data',
    z.object({ path: z.string().min(1), hash: z.boolean().optional() }),
    IsoInspection,
    { long: true },
  ),
  'media.siteMedia': command(
    'Build a site user-data medium: a cidata ISO or a FAT image labelled CIDATA',
    z.object({
      ...UserDataChoice,
      format: z.enum(['iso', 'fat']).default('iso'),
      out: z.string().optional(),
      force: z.boolean().optional(),
    }),
    z.object({ artifact: Artifact }),
    { long: true },
  ),
  'media.variant': command(
    'Build a VM variant of the installer with baked user-data: raw, qcow2, vmdk, ova, or ami (raw + import metadata)',
    z.object({
      base: z.string().min(1),
      ...UserDataChoice,
      format: VariantFormat,
      out: z.string().optional(),
      force: z.boolean().optional(),
    }),
    z.object({ artifact: Artifact, files: z.array(z.string()) }),
    { long: true },
  ),
  'media.artifacts.list': command(
    'Built media artifacts, newest first',
    z.object({ kind: z.string().optional(), hostId: z.string().optional(), profile: z.string().optional() }),
    z.object({ artifacts: z.array(Artifact) }),
  ),
  'media.artifacts.get': command('One artifact', z.object({ id: Id }), z.object({ artifact: Artifact })),
};

export const mediaEvents = {
  /** An artifact or base ISO was added or removed. */
  'media.changed': z.object({ kind: z.enum(['artifact', 'base']), id: z.string() }),
};
