// The installer user-data (a Kairos cloud-config with Palette's `stylus` section) as one zod schema.
// It gives the TypeScript type, the structural validation, and the known keys used by the typo
// check. Every object is loose: keys we do not model are kept (the installer understands more).
// Semantic rules (addresses, subnets, required keys, SSH keys) live in rules.ts.
import { z } from 'zod';

const str = z.string();
const bool = z.boolean();
const port = z.number().int().min(1).max(65535);
const strList = z.array(z.string());
/** Tag values may be written unquoted (numbers, booleans); Palette reads them as strings. */
const tagValue = z.union([z.string(), z.number(), z.boolean()]);

export const NicSchema = z.looseObject({
  type: z.enum(['dhcp', 'static']).optional(),
  ipAddress: str.optional(),
  mask: z.union([z.string(), z.number()]).optional(),
  gateway: str.optional(),
  nameserver: str.optional(),
});
export type Nic = z.infer<typeof NicSchema>;

export const NetworkSchema = z.looseObject({
  httpProxy: str.optional(),
  httpsProxy: str.optional(),
  noProxy: str.optional(),
  nameserver: str.optional(),
  interfaces: z.record(z.string(), NicSchema).optional(),
  // The older flat form (one NIC, no interfaces map): read, warned about, converted on request.
  type: z.enum(['dhcp', 'static']).optional(),
  ipAddress: str.optional(),
  mask: z.union([z.string(), z.number()]).optional(),
  gateway: str.optional(),
});

export const SiteSchema = z.looseObject({
  paletteEndpoint: str.optional(),
  edgeHostToken: str.optional(),
  projectName: str.optional(),
  projectUid: str.optional(),
  registrationURL: str.optional(),
  insecureSkipVerify: bool.optional(),
  disableAutoRegister: bool.optional(),
  caCerts: strList.optional(),
  name: str.optional(),
  hostName: str.optional(),
  prefix: str.optional(),
  deviceUIDPaths: z.array(z.looseObject({ name: str, regex: str.optional() })).optional(),
  clusterId: str.optional(),
  clusterName: str.optional(),
  ntpServers: z.union([z.string(), strList]).optional(),
  remoteShell: z.looseObject({ disable: bool.optional() }).optional(),
  /** Users created by the Palette agent; the reference calls it a list, keyed by user name. */
  users: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
  tags: z.record(z.string(), tagValue).optional(),
  tagsFromFile: z
    .looseObject({ fileName: str, delimiter: str.optional(), separator: str.optional() })
    .optional(),
  tagsFromScript: z
    .looseObject({ scriptName: str, timeout: z.number().int().positive().optional() })
    .optional(),
  network: NetworkSchema.optional(),
});

const RegistryCredentials = z.looseObject({
  domain: str.optional(),
  username: str.optional(),
  password: str.optional(),
  encodedPassword: bool.optional(),
  insecure: bool.optional(),
});

const ExternalRegistry = z.looseObject({
  domain: str,
  username: str.optional(),
  password: str.optional(),
  repositoryName: str.optional(),
  certificates: strList.optional(),
  insecure: bool.optional(),
  encodedPassword: bool.optional(),
});

export const StylusSchema = z.looseObject({
  site: SiteSchema.optional(),
  debug: bool.optional(),
  trace: bool.optional(),
  includeTui: bool.optional(),
  disableTui: bool.optional(),
  installationMode: str.optional(),
  managementMode: z.enum(['central', 'local']).optional(),
  disablePasswordUpdate: bool.optional(),
  enableMultiNode: bool.optional(),
  featureGate: str.optional(),
  path: str.optional(),
  localUI: z
    .looseObject({
      port: port.optional(),
      login: z
        .looseObject({
          disableRateLimiting: bool.optional(),
          attemptsBeforeExponentialDelayStarts: z.number().int().nonnegative().optional(),
          lockoutDurationInMinutes: z.number().int().nonnegative().optional(),
          maxFailedAttemptsBeforeLockout: z.number().int().nonnegative().optional(),
        })
        .optional(),
    })
    .optional(),
  vip: z.looseObject({ skip: bool.optional() }).optional(),
  imageRedirectWebhook: z.looseObject({ enable: bool.optional(), port: port.optional() }).optional(),
  registryCredentials: RegistryCredentials.optional(),
  externalRegistries: z
    .looseObject({
      registries: z.array(ExternalRegistry).optional(),
      registryMappingRules: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});

const size = z.union([z.number().int().nonnegative(), z.string()]);

export const InstallSchema = z.looseObject({
  poweroff: bool.optional(),
  reboot: bool.optional(),
  device: str.optional(),
  auto: bool.optional(),
  bind_mounts: strList.optional(),
  'extra-dirs-rootfs': strList.optional(),
  grub_options: z
    .looseObject({ extra_cmdline: z.union([z.string(), z.record(z.string(), z.string())]).optional() })
    .optional(),
  partitions: z
    .looseObject({
      persistent: z.looseObject({ size: size.optional(), fs: str.optional() }).optional(),
      oem: z.looseObject({ size: size.optional(), fs: str.optional() }).optional(),
    })
    .optional(),
  'extra-partitions': z
    .array(
      z.looseObject({
        name: str.optional(),
        size: size.optional(),
        fs: str.optional(),
        label: str.optional(),
      }),
    )
    .optional(),
});

export const UserSchema = z.looseObject({
  passwd: str.optional(),
  groups: strList.optional(),
  ssh_authorized_keys: strList.optional(),
  lock_passwd: bool.optional(),
  homedir: str.optional(),
  shell: str.optional(),
  primary_group: str.optional(),
  uid: z.union([z.string(), z.number()]).optional(),
  no_create_home: bool.optional(),
});
export type User = z.infer<typeof UserSchema>;

/** One yip step. Only `users` is modelled in depth; the other keys are listed for the typo check. */
export const StepSchema = z.looseObject({
  name: str.optional(),
  if: str.optional(),
  users: z.record(z.string(), UserSchema).optional(),
  commands: strList.optional(),
  files: z.array(z.unknown()).optional(),
  directories: z.array(z.unknown()).optional(),
  downloads: z.array(z.unknown()).optional(),
  dns: z.unknown().optional(),
  hostname: str.optional(),
  environment: z.unknown().optional(),
  environment_file: str.optional(),
  sysctl: z.unknown().optional(),
  systemctl: z.unknown().optional(),
  modules: strList.optional(),
  timesyncd: z.unknown().optional(),
  ensure_entities: z.unknown().optional(),
  delete_entities: z.unknown().optional(),
  datasource: z.unknown().optional(),
  layout: z.unknown().optional(),
  git: z.unknown().optional(),
  node: str.optional(),
  only_os: str.optional(),
  only_os_version: str.optional(),
  ssh_authorized_keys: z.unknown().optional(),
  packages: z.unknown().optional(),
  unpack_images: z.unknown().optional(),
});

const steps = z.array(StepSchema).optional();
export const StagesSchema = z.looseObject({
  rootfs: steps,
  initramfs: steps,
  boot: steps,
  fs: steps,
  network: steps,
  reconcile: steps,
  'after-install': steps,
  'after-install-chroot': steps,
  'after-reset': steps,
  'after-reset-chroot': steps,
  'after-upgrade-chroot': steps,
  'before-install': steps,
  'before-upgrade': steps,
  'before-reset': steps,
  'after-upgrade': steps,
  'kairos-install.pre.before': steps,
  'kairos-install.after': steps,
});

export const UserDataSchema = z.looseObject({
  stylus: StylusSchema.optional(),
  install: InstallSchema.optional(),
  stages: StagesSchema.optional(),
  // Kairos' own top-level keys, listed so the typo check knows them.
  users: z.array(z.unknown()).optional(),
  hostname: str.optional(),
  reset: z.unknown().optional(),
  upgrade: z.unknown().optional(),
  k3s: z.unknown().optional(),
  'k3s-agent': z.unknown().optional(),
  p2p: z.unknown().optional(),
  bundles: z.unknown().optional(),
  kairos: z.unknown().optional(),
  debug: z.unknown().optional(),
  strict: z.unknown().optional(),
  options: z.unknown().optional(),
  fail_on_bundles_errors: z.unknown().optional(),
  'cloud-init-paths': z.unknown().optional(),
});
export type UserData = z.infer<typeof UserDataSchema>;

// ---- schema introspection for the typo check ----

type AnyDef = {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
};
const defOf = (s: z.ZodType): AnyDef => (s as unknown as { def: AnyDef }).def;

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (;;) {
    const d = defOf(cur);
    if ((d.type === 'optional' || d.type === 'nullable' || d.type === 'default') && d.innerType)
      cur = d.innerType;
    else return cur;
  }
}

/** The schema that describes the value at `path` (string keys and list indexes), if modelled. */
export function schemaAt(
  path: Array<string | number>,
  root: z.ZodType = UserDataSchema,
): z.ZodType | undefined {
  let cur: z.ZodType | undefined = root;
  for (const seg of path) {
    if (!cur) return undefined;
    const d = defOf(unwrap(cur));
    if (d.type === 'object' && typeof seg === 'string') cur = d.shape?.[seg];
    else if (d.type === 'record') cur = d.valueType;
    else if (d.type === 'array' && typeof seg === 'number') cur = d.element;
    else return undefined;
  }
  return cur && unwrap(cur);
}

/** Known keys of the object at `path`, or undefined when that level is free-form (a map or unknown). */
export function knownKeysAt(path: Array<string | number>): string[] | undefined {
  const s = schemaAt(path);
  if (!s) return undefined;
  const d = defOf(s);
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : undefined;
}
