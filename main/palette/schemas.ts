// Zod schemas for the parts of Palette's answers Edgebench reads (public spec in
// spectrocloud/palette-sdk-go api/spec/palette-apis-spec.json). Unknown fields pass through:
// Palette adds fields often, and Edgebench must not break on them.
import { z } from 'zod';

export const Uid = z.object({ uid: z.string().min(1) }).loose();

export const ObjectMeta = z
  .object({
    uid: z.string().optional(),
    name: z.string().optional(),
    labels: z.record(z.string(), z.string()).nullish(),
    annotations: z.record(z.string(), z.string()).nullish(),
    creationTimestamp: z.string().nullish(),
  })
  .loose();

export const EdgeHostState = z.enum(['ready', 'unpaired', 'in-use']);

export const ClusterRef = z.object({ uid: z.string().optional(), name: z.string().optional() }).loose();

export const EdgeHostStatus = z
  .object({
    state: z.string().optional(),
    health: z.object({ state: z.string().optional(), message: z.string().optional() }).loose().nullish(),
    inUseClusters: z.array(ClusterRef).nullish(),
    inUseClustersRef: z.array(ClusterRef).nullish(),
  })
  .loose();

/** v1EdgeHostDevice (GET /v1/edgehosts/{uid}). */
export const EdgeHostDevice = z
  .object({
    metadata: ObjectMeta,
    spec: z.record(z.string(), z.unknown()).nullish(),
    status: EdgeHostStatus.nullish(),
  })
  .loose();
export type EdgeHostDevice = z.infer<typeof EdgeHostDevice>;

export const ListMeta = z
  .object({ continue: z.string().nullish(), count: z.number().nullish(), limit: z.number().nullish() })
  .loose();

/** v1EdgeHostsSearchSummary (POST /v1/dashboard/edgehosts/search). */
export const EdgeHostsSearchSummary = z
  .object({ items: z.array(EdgeHostDevice).nullable(), listmeta: ListMeta.nullish() })
  .loose();

/** v1ClusterProfilesSummary (POST /v1/dashboard/clusterprofiles). */
export const ClusterProfileSummary = z
  .object({
    metadata: ObjectMeta,
    specSummary: z
      .object({
        version: z.string().nullish(),
        published: z
          .object({ type: z.string().nullish(), cloudType: z.string().nullish() })
          .loose()
          .nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();
export const ClusterProfilesSummary = z
  .object({ items: z.array(ClusterProfileSummary).nullable(), listmeta: ListMeta.nullish() })
  .loose();

const ConstraintResult = z
  .object({
    name: z.string().nullish(),
    displayName: z.string().nullish(),
    errors: z
      .array(z.object({ code: z.string().nullish(), message: z.string().nullish() }).loose())
      .nullish(),
  })
  .loose();

/** v1SpectroClusterValidatorResponse (POST /v1/spectroclusters/edge-native/validate). */
export const ValidatorResponse = z
  .object({
    machinePools: z
      .object({ results: z.array(ConstraintResult).nullish() })
      .loose()
      .nullish(),
    profiles: z
      .array(
        z
          .object({
            uid: z.string().nullish(),
            packs: z
              .object({ results: z.array(ConstraintResult).nullish() })
              .loose()
              .nullish(),
          })
          .loose(),
      )
      .nullish(),
  })
  .loose();
export type ValidatorResponse = z.infer<typeof ValidatorResponse>;

/** v1SpectroCluster (GET /v1/spectroclusters/{uid}). */
export const SpectroCluster = z
  .object({
    metadata: ObjectMeta,
    spec: z
      .object({ cloudConfigRef: z.object({ uid: z.string().optional() }).loose().nullish() })
      .loose()
      .nullish(),
    status: z.object({ state: z.string().nullish() }).loose().nullish(),
  })
  .loose();
export type SpectroCluster = z.infer<typeof SpectroCluster>;

/** v1SpectroClustersSummary (POST /v1/dashboard/spectroclusters/search). */
export const SpectroClustersSummary = z
  .object({
    items: z.array(z.object({ metadata: ObjectMeta }).loose()).nullable(),
    listmeta: ListMeta.nullish(),
  })
  .loose();

export const EdgeTokens = z
  .object({
    items: z
      .array(
        z
          .object({
            metadata: ObjectMeta,
            spec: z.object({ token: z.string().nullish(), expiry: z.string().nullish() }).loose().nullish(),
            status: z.object({ isActive: z.boolean().nullish() }).loose().nullish(),
          })
          .loose(),
      )
      .nullable(),
  })
  .loose();

/** What Edgebench sends to create an edge host (v1EdgeHostDeviceEntity). */
export interface EdgeHostEntity {
  metadata: { uid: string; name: string; labels?: Record<string, string> };
  spec?: {
    hostPairingKey?: string;
    archType?: 'amd64' | 'arm64';
    tunnelConfig?: { remoteSsh?: 'enabled' | 'disabled' };
  };
}

export interface EdgeNativeHostEntity {
  hostUid: string;
  hostName?: string;
  nic?: { nicName?: string; ip?: string; subnet?: string; gateway?: string; dns?: string[] };
}

export interface EdgeNativeMachinePool {
  cloudConfig: { edgeHosts: EdgeNativeHostEntity[] };
  poolConfig: {
    name: string;
    size: number;
    labels: string[];
    isControlPlane: boolean;
    useControlPlaneAsWorker?: boolean;
  };
}

/** v1SpectroEdgeNativeClusterEntity, as far as Edgebench fills it. */
export interface EdgeNativeClusterEntity {
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    cloudConfig: {
      controlPlaneEndpoint: {
        host?: string;
        type: 'VIP' | 'DDNS' | 'IP' | 'External';
        ddnsSearchDomain?: string;
      };
      sshKeys?: string[];
      ntpServers?: string[];
      staticIp?: boolean;
      overlayNetworkConfiguration?: { enable: boolean; cidr?: string };
    };
    profiles: Array<{ uid: string }>;
    machinepoolconfig: EdgeNativeMachinePool[];
  };
}
