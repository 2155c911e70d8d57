// Register commands and events: the Palette connection, registration jobs (durable offline
// queue), sites, edge-native clusters, QR labels and the Terraform export. Owned by the register
// capability.
import { z } from 'zod';
import { checkEdgeHostId } from '../userdata/edge-host-id';
import { command, Empty, Id } from './define';

/** Edge host IDs as Palette accepts them (the rule lives in shared/userdata/edge-host-id.ts);
 * `$random` is a user-data directive, never a registrable ID. */
export const EdgeHostId = z.string().superRefine((s, ctx) => {
  const problem =
    s === '$random' ? '"$random" asks the device for a random ID; register a fixed ID' : checkEdgeHostId(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const SiteName = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
    'a site name is lower-case letters, digits and inner dashes (it becomes the cluster name)',
  );

export const Tags = z.record(
  z
    .string()
    .min(1)
    .max(63)
    .regex(/^[A-Za-z0-9._/-]+$/, 'tag keys are letters, digits, . _ / -'),
  z.string().max(63),
);

export const NodeRole = z.enum(['control-plane', 'worker']);
export type NodeRole = z.infer<typeof NodeRole>;

export const ProfileRef = z.object({ uid: z.string().min(1), name: z.string().optional() });

export const Site = z.object({
  name: SiteName,
  location: z.string().max(200).optional(),
  description: z.string().max(500).optional(),
  /** Cluster name in Palette; defaults to the site name. */
  clusterName: SiteName.optional(),
  profiles: z.object({
    infrastructure: ProfileRef.extend({
      os: z.enum(['openSUSE', 'Ubuntu']).optional(),
      k8s: z.enum(['Palette Optimized K3s', 'RKE2', 'PXK-E']).optional(),
      cni: z.enum(['Calico', 'Flannel']).optional(),
    }).optional(),
    addons: z.array(ProfileRef).default([]),
  }),
  endpoint: z.object({
    type: z.enum(['VIP', 'DDNS']),
    host: z.string().max(253).optional(),
    ddnsSearchDomain: z.string().max(253).optional(),
  }),
  overlayCidr: z.string().optional(),
  /** Role per host ID; hosts without one are workers, or the control plane when none is named. */
  nodeRoles: z.record(z.string(), NodeRole).default({}),
  sshKeys: z.array(z.string()).default([]),
  ntpServers: z.array(z.string()).default([]),
  tags: Tags.default({}),
  /** A PIN or token protects the self-hosted registration page for this site. */
  hasPin: z.boolean().default(false),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});
export type Site = z.infer<typeof Site>;
export const SiteInput = Site.omit({ hasPin: true, createdAt: true, updatedAt: true }).extend({
  /** Set a new PIN (4-128 characters); empty string removes it. */
  pin: z.string().max(128).optional(),
});
export type SiteInput = z.input<typeof SiteInput>;

export const JobState = z.enum(['queued', 'in-flight', 'done', 'failed']);
export type RegJobState = z.infer<typeof JobState>;

export const ErrorInfo = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() });

export const RegJob = z.object({
  /** Idempotency key. */
  id: z.string(),
  seq: z.number(),
  hostId: z.string(),
  state: JobState,
  labels: z.record(z.string(), z.string()),
  site: z.string().optional(),
  attempts: z.number(),
  lastError: ErrorInfo.optional(),
  /** true when this job created the host, false when Palette had a matching record already. */
  created: z.boolean().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RegJob = z.infer<typeof RegJob>;

export const Registration = z.object({
  hostId: z.string(),
  paletteUid: z.string(),
  labels: z.record(z.string(), z.string()),
  site: z.string().optional(),
  registeredAt: z.string(),
  endpoint: z.string(),
  projectUid: z.string().optional(),
});
export type Registration = z.infer<typeof Registration>;

export const PaletteHost = z.object({
  uid: z.string(),
  name: z.string().optional(),
  state: z.string().optional(),
  health: z.string().optional(),
  clusters: z.array(z.string()),
  labels: z.record(z.string(), z.string()),
  fetchedAt: z.string(),
});
export type PaletteHost = z.infer<typeof PaletteHost>;

export const ClusterState = z.enum(['creating', 'created', 'deleting', 'deleted', 'failed']);
export const ClusterRecord = z.object({
  name: z.string(),
  site: z.string(),
  uid: z.string().optional(),
  state: ClusterState,
  hostIds: z.array(z.string()),
  definition: z.unknown(),
  error: ErrorInfo.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ClusterRecord = z.infer<typeof ClusterRecord>;

/** One row of the Register screen: Edgebench's record beside Palette's. */
export const RegisterHostRow = z.object({
  hostId: z.string(),
  name: z.string().optional(),
  serial: z.string().optional(),
  mac: z.string().optional(),
  site: z.string().optional(),
  edgebench: z.enum(['not-registered', 'queued', 'in-flight', 'registered', 'failed']),
  job: RegJob.optional(),
  registration: Registration.optional(),
  palette: PaletteHost.optional(),
});
export type RegisterHostRow = z.infer<typeof RegisterHostRow>;

export const ConnectionView = z.object({
  configured: z.boolean(),
  endpoint: z.string().optional(),
  projectUid: z.string().optional(),
  insecure: z.boolean().optional(),
  proxy: z.string().optional(),
  hasCa: z.boolean().optional(),
  keyStorage: z.enum(['keychain', 'file', 'env']).optional(),
});

export const SyncSummary = z.object({
  done: z.number(),
  failed: z.number(),
  pending: z.number(),
  stoppedBy: ErrorInfo.optional(),
});
export type SyncSummary = z.infer<typeof SyncSummary>;

export const LabelPreview = z.object({
  hostId: z.string(),
  url: z.string(),
  svg: z.string(),
  lines: z.array(z.string()),
});

export const registerCommands = {
  'palette.status': command('The Palette connection (never the key)', Empty, ConnectionView),
  'palette.login': command(
    'Save the Palette connection and API key (checked with one call first)',
    z.object({
      endpoint: z.string().min(1).max(253),
      projectUid: z.string().max(64).optional(),
      apiKey: z.string().min(1).max(4096),
      caPem: z
        .string()
        .max(256 * 1024)
        .optional(),
      insecure: z.boolean().optional(),
      proxy: z.string().max(500).optional(),
    }),
    ConnectionView,
  ),
  'palette.logout': command(
    'Forget the Palette connection and key',
    Empty,
    z.object({ ok: z.literal(true) }),
  ),
  'palette.check': command(
    'Is Palette reachable and the key accepted?',
    Empty,
    z.object({ reachable: z.boolean(), error: ErrorInfo.optional() }),
  ),
  'palette.hosts': command(
    'Edge hosts in Palette (refreshes the cache)',
    Empty,
    z.object({ hosts: z.array(PaletteHost) }),
  ),
  'palette.profiles': command(
    'Edge-native cluster profiles in Palette',
    Empty,
    z.object({
      profiles: z.array(
        z.object({
          uid: z.string(),
          name: z.string(),
          version: z.string().optional(),
          type: z.string().optional(),
        }),
      ),
    }),
  ),
  'register.hosts': command(
    'Hosts with Edgebench registration state beside Palette state (cached; refresh with palette.hosts)',
    z.object({ site: z.string().optional() }),
    z.object({ rows: z.array(RegisterHostRow), pending: z.number() }),
  ),
  'register.enqueue': command(
    'Queue registrations for hosts (durable), then try to send them now',
    z.object({
      hostIds: z.array(Id).min(1).max(5000),
      tags: Tags.default({}),
      site: SiteName.optional(),
      syncNow: z.boolean().default(true),
    }),
    z.object({ queued: z.array(z.string()), sync: SyncSummary.optional() }),
    { long: true },
  ),
  'register.sync': command('Replay queued registrations in order', Empty, SyncSummary, { long: true }),
  'register.queue': command(
    'Registration jobs, oldest first',
    z.object({ all: z.boolean().default(false) }),
    z.object({ jobs: z.array(RegJob) }),
  ),
  'register.retry': command(
    'Put a failed registration job back in the queue',
    z.object({ id: z.string() }),
    z.object({ job: RegJob }),
  ),
  'sites.list': command('Configured sites', Empty, z.object({ sites: z.array(Site) })),
  'sites.get': command('One site', z.object({ name: z.string() }), z.object({ site: Site })),
  'sites.put': command('Create or replace a site', SiteInput, z.object({ site: Site })),
  'sites.delete': command(
    'Delete a site',
    z.object({ name: z.string() }),
    z.object({ deleted: z.boolean() }),
  ),
  'clusters.list': command(
    'Edge-native clusters Edgebench defined',
    Empty,
    z.object({ clusters: z.array(ClusterRecord) }),
  ),
  'clusters.create': command(
    "Build a site's edge-native cluster from its registered hosts, validate it, then create it",
    z.object({ site: z.string(), dryRun: z.boolean().default(false) }),
    z.object({ cluster: ClusterRecord.optional(), definition: z.unknown(), problems: z.array(z.string()) }),
    { long: true },
  ),
  'clusters.delete': command(
    'Delete a cluster in Palette; its hosts return to ready',
    z.object({ name: z.string(), force: z.boolean().default(false) }),
    z.object({ cluster: ClusterRecord, hosts: z.array(PaletteHost) }),
    { long: true },
  ),
  'labels.preview': command(
    'QR labels (SVG) for hosts',
    z.object({ hostIds: z.array(Id).max(500).default([]), site: z.string().optional() }),
    z.object({ labels: z.array(LabelPreview), registrationURL: z.string() }),
  ),
  'labels.pdf': command(
    'A printable PDF sheet of labels (base64)',
    z.object({
      hostIds: z.array(Id).max(2000).default([]),
      site: z.string().optional(),
      paper: z.enum(['A4', 'Letter']).default('A4'),
    }),
    z.object({ pdfBase64: z.string(), count: z.number() }),
  ),
  'labels.settings': command(
    'Get or set the registration URL printed in the QR codes',
    z.object({ registrationURL: z.string().url().optional() }),
    z.object({ registrationURL: z.string() }),
  ),
  'register.terraform': command(
    'Terraform (HCL) for the registered hosts and site clusters',
    Empty,
    z.object({ files: z.array(z.object({ name: z.string(), content: z.string() })) }),
  ),
};

export const registerEvents = {
  /** Something in registrations, sites or clusters changed; screens refetch. */
  'register.changed': z.object({ reason: z.string() }),
};
