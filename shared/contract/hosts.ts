// Hosts: the inventory every capability writes to. A host is identified by its edge host ID.
import { z } from 'zod';
import { command, Empty, Id } from './define';

/** Values that differ per host and fill a profile's placeholders. */
export const HostValues = z
  .object({
    hostName: z.string().optional(),
    ipAddress: z.string().optional(),
    mask: z.string().optional(),
    gateway: z.string().optional(),
    nameserver: z.string().optional(),
    nic: z.string().optional(),
    tags: z.record(z.string(), z.string()).optional(),
  })
  .catchall(z.string());
export type HostValues = z.infer<typeof HostValues>;

export const Host = z.object({
  id: Id,
  serial: z.string().optional(),
  mac: z.string().optional(),
  site: z.string().optional(),
  profile: z.string().optional(),
  values: HostValues,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Host = z.infer<typeof Host>;

export const HostInput = Host.omit({ createdAt: true, updatedAt: true }).extend({
  values: HostValues.default({}),
});
export type HostInput = z.input<typeof HostInput>;

/** One thing that happened to a host (built, flashed, booted, registered...), newest first. */
export const HostEvent = z.object({
  id: z.number(),
  hostId: Id,
  kind: z.string(),
  message: z.string(),
  data: z.unknown().optional(),
  time: z.string(),
});
export type HostEvent = z.infer<typeof HostEvent>;

export const hostCommands = {
  'hosts.list': command(
    'List hosts, optionally filtered by text, site or profile',
    z.object({
      query: z.string().optional(),
      site: z.string().optional(),
      limit: z.number().int().positive().max(10000).optional(),
    }),
    z.object({ hosts: z.array(Host) }),
  ),
  'hosts.get': command(
    'One host with its history',
    z.object({ id: Id }),
    z.object({ host: Host, events: z.array(HostEvent) }),
  ),
  'hosts.upsert': command('Create or update a host', HostInput, z.object({ host: Host })),
  'hosts.delete': command('Delete a host record', z.object({ id: Id }), z.object({ deleted: z.boolean() })),
  'hosts.count': command('How many hosts the store holds', Empty, z.object({ count: z.number() })),
};

export const hostEvents = {
  'hosts.changed': z.object({ id: Id }),
};
