// PXE boot service: commands and the live boot timeline. Owned by the pxe capability.
import { z } from 'zod';
import { command, Empty } from './define';

/** What happened during one machine's network boot, in order. */
export const BootEventKind = z.enum([
  'dhcp-discover', // a PXE client asked (DISCOVER on 67 or REQUEST on 4011)
  'proxy-offer', // ProxyDHCP answered with a boot file (no address)
  'dhcp-lease', // full DHCP mode: an address was offered/acknowledged
  'ignored', // a PXE client this service does not boot (unknown MAC, unsupported architecture)
  'tftp-file', // a TFTP transfer finished (or failed)
  'http-script', // the per-MAC iPXE script was fetched
  'http-kernel',
  'http-initrd',
  'http-rootfs',
  'userdata-fetched',
  'error',
]);
export type BootEventKind = z.infer<typeof BootEventKind>;

export const BootEvent = z.object({
  id: z.number().optional(),
  /** Lower-case colon form, e.g. 52:54:00:12:34:56. */
  mac: z.string(),
  kind: BootEventKind,
  message: z.string(),
  hostId: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  time: z.string(),
});
export type BootEvent = z.infer<typeof BootEvent>;

export const PxeInterface = z.object({
  name: z.string(),
  address: z.string(),
  netmask: z.string(),
  broadcast: z.string(),
  mac: z.string(),
  internal: z.boolean(),
});
export type PxeInterface = z.infer<typeof PxeInterface>;

export const PxeStartRequest = z.object({
  /** Network interface to serve on (e.g. eth1), or give `address`. */
  interface: z.string().min(1).max(64).optional(),
  address: z.string().max(64).optional(),
  /** Installer ISO path, or an artifact ID from the store. */
  image: z.string().min(1).max(4096),
  /** Optional hosts CSV file (mac,name,profile,ip,mask,gateway,...,userdata). */
  hostsFile: z.string().max(4096).optional(),
  mode: z.enum(['proxy', 'dhcp']).default('proxy'),
  /** Full DHCP mode: FROM,TO,MASK e.g. 10.0.0.100,10.0.0.150,255.255.255.0 */
  dhcpRange: z.string().max(100).optional(),
  httpPort: z.number().int().min(1).max(65535).default(8067),
  tftp: z.boolean().default(true),
  allowUnknown: z.boolean().default(false),
  defaultProfile: z.string().max(200).optional(),
});
export type PxeStartRequest = z.input<typeof PxeStartRequest>;

export const PxeStatus = z.object({
  running: z.boolean(),
  interface: z.string().optional(),
  address: z.string().optional(),
  mode: z.enum(['proxy', 'dhcp']).optional(),
  image: z.string().optional(),
  urls: z
    .object({
      http: z.string(),
      script: z.string(),
      userData: z.string(),
      kernel: z.string(),
      initrd: z.string(),
      rootfs: z.string().optional(),
    })
    .optional(),
  hosts: z
    .array(z.object({ mac: z.string(), hostId: z.string(), source: z.enum(['store', 'csv']) }))
    .default([]),
  startedAt: z.string().optional(),
  allowUnknown: z.boolean().optional(),
});
export type PxeStatus = z.infer<typeof PxeStatus>;

export const pxeCommands = {
  'pxe.interfaces': command(
    'Network interfaces with an IPv4 address that PXE can serve on',
    Empty,
    z.object({ interfaces: z.array(PxeInterface) }),
  ),
  'pxe.start': command(
    'Start the PXE boot service (ProxyDHCP or DHCP, TFTP, HTTP) on one interface',
    PxeStartRequest,
    PxeStatus,
    { long: true },
  ),
  'pxe.stop': command('Stop the PXE boot service', Empty, z.object({ stopped: z.boolean() })),
  'pxe.status': command('Is the PXE service running, where, and for which hosts', Empty, PxeStatus),
  'pxe.timeline': command(
    'Boot events from the store, newest last; one MAC or all',
    z.object({
      mac: z.string().max(40).optional(),
      limit: z.number().int().positive().max(10000).optional(),
    }),
    z.object({ events: z.array(BootEvent) }),
  ),
};

export const pxeEvents = {
  /** Every boot event, live. */
  'pxe.boot': BootEvent,
  /** The service started or stopped. */
  'pxe.status': PxeStatus,
};

export const PXE_DEFAULT_HTTP_PORT = 8067;
