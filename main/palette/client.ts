// Typed client for the parts of Palette's REST API that Edgebench uses. Responses are checked
// with zod; failures are AppErrors (EAUTH, ENOTFOUND, ECONFLICT, ERATELIMIT, EUNAVAILABLE,
// ETIMEDOUT...). Creating an edge host is made idempotent: a duplicate that matches is success.
import type { z } from 'zod';
import { AppError } from '../../shared/errors';
import { paletteCodeOf } from './errors';
import { isAmbiguous, isRetryable, PaletteHttp, type HttpOptions, type PaletteConnection } from './http';
import {
  ClusterProfilesSummary,
  EdgeHostDevice,
  EdgeHostsSearchSummary,
  EdgeTokens,
  SpectroCluster,
  SpectroClustersSummary,
  Uid,
  ValidatorResponse,
  type EdgeHostEntity,
  type EdgeNativeClusterEntity,
  type EdgeNativeMachinePool,
} from './schemas';

export const DUPLICATE_CODE = 'AlreadyRegisteredEdgeHostDevice';

export interface RegisterResult {
  uid: string;
  /** true: this call created it; false: it existed already with a matching record. */
  created: boolean;
  /** Labels were brought in line with PUT /meta. */
  labelsUpdated: boolean;
}

export interface SearchFilter {
  state?: string;
  tags?: Record<string, string>;
  name?: string;
}

function stringFilter(property: string, values: string[]) {
  return {
    property,
    type: 'string',
    condition: { string: { operator: 'eq', negation: false, match: { conjunction: 'or', values } } },
  };
}

/** The search body Palette's own SDK builds (v1SearchFilterSummarySpec). */
export function searchBody(f: SearchFilter = {}) {
  const filters = [];
  if (f.tags && Object.keys(f.tags).length)
    filters.push(
      stringFilter(
        'tags',
        Object.entries(f.tags).map(([k, v]) => `${k}:${v}`),
      ),
    );
  if (f.state) filters.push(stringFilter('state', [f.state]));
  if (f.name) filters.push(stringFilter('name', [f.name]));
  return { filter: { conjunction: 'and', filterGroups: [{ conjunction: 'and', filters }] }, sort: [] };
}

function sameLabels(a: Record<string, string> | null | undefined, b: Record<string, string> | undefined) {
  const x = a ?? {};
  const y = b ?? {};
  return Object.keys(y).every((k) => x[k] === y[k]);
}

export class PaletteClient {
  readonly http: PaletteHttp;
  constructor(conn: PaletteConnection, opts: HttpOptions = {}) {
    this.http = new PaletteHttp(conn, opts);
  }
  get endpoint(): string {
    return this.http.endpoint;
  }
  close(): Promise<void> {
    return this.http.close();
  }

  private parse<T extends z.ZodType>(schema: T, v: unknown, what: string): z.output<T> {
    const r = schema.safeParse(v);
    if (!r.success)
      throw new AppError('EPROTOCOL', `Palette at ${this.endpoint} sent an unexpected ${what}`, {
        issues: r.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`),
      });
    return r.data;
  }

  // ---- edge hosts -------------------------------------------------------------------------

  /** GET /v1/edgehosts/{uid}; undefined when Palette has no such host. */
  async getEdgeHost(uid: string, signal?: AbortSignal): Promise<EdgeHostDevice | undefined> {
    try {
      const r = await this.http.call({
        method: 'GET',
        path: `/v1/edgehosts/${encodeURIComponent(uid)}`,
        idempotent: true,
        signal,
      });
      return this.parse(EdgeHostDevice, r.json, 'edge host record');
    } catch (e) {
      if (e instanceof AppError && e.code === 'ENOTFOUND') return undefined;
      throw e;
    }
  }

  async deleteEdgeHost(uid: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.http.call({
        method: 'DELETE',
        path: `/v1/edgehosts/${encodeURIComponent(uid)}`,
        idempotent: true,
        signal,
      });
      return true;
    } catch (e) {
      if (e instanceof AppError && e.code === 'ENOTFOUND') return false;
      throw e;
    }
  }

  /** PUT /v1/edgehosts/{uid}/meta: name and labels (tags). */
  async updateEdgeHostMeta(
    uid: string,
    name: string,
    labels: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.http.call({
      method: 'PUT',
      path: `/v1/edgehosts/${encodeURIComponent(uid)}/meta`,
      body: { metadata: { uid, name, labels } },
      idempotent: true,
      signal,
    });
  }

  /** Does an existing record match what we meant to create? */
  private matches(existing: EdgeHostDevice, entity: EdgeHostEntity): boolean {
    const m = existing.metadata;
    return (
      (m.uid ?? entity.metadata.uid) === entity.metadata.uid &&
      (m.name ?? entity.metadata.name) === entity.metadata.name
    );
  }

  private async settleExisting(
    existing: EdgeHostDevice,
    entity: EdgeHostEntity,
    signal?: AbortSignal,
  ): Promise<RegisterResult> {
    const { uid, name, labels } = entity.metadata;
    if (!this.matches(existing, entity))
      throw new AppError(
        'ECONFLICT',
        `Palette already has an edge host with ID ${uid} but a different record (name "${existing.metadata.name ?? '?'}"); delete it in Palette or choose another host ID`,
        { uid, existing: existing.metadata },
      );
    let labelsUpdated = false;
    if (labels && !sameLabels(existing.metadata.labels, labels)) {
      await this.updateEdgeHostMeta(uid, name, { ...(existing.metadata.labels ?? {}), ...labels }, signal);
      labelsUpdated = true;
    }
    return { uid, created: false, labelsUpdated };
  }

  /** Settle a registration against a record already in Palette (match -> success, else ECONFLICT). */
  registerEdgeHostExisting(
    existing: EdgeHostDevice,
    entity: EdgeHostEntity,
    signal?: AbortSignal,
  ): Promise<RegisterResult> {
    return this.settleExisting(existing, entity, signal);
  }

  /**
   * Pre-register an edge host (POST /v1/edgehosts), idempotently:
   * - a duplicate (AlreadyRegisteredEdgeHostDevice) whose record matches is success;
   * - after an ambiguous failure (5xx, reset, timeout) the host is looked up before re-POSTing;
   * - 429 and refused connections are retried as they are (nothing reached Palette).
   */
  async registerEdgeHost(
    entity: EdgeHostEntity,
    opts: { signal?: AbortSignal; beforePost?: () => Promise<void> | void } = {},
  ): Promise<RegisterResult> {
    const { signal } = opts;
    const uid = entity.metadata.uid;
    let checkFirst = false;
    for (let attempt = 1; ; attempt++) {
      try {
        if (checkFirst) {
          const existing = await this.getEdgeHost(uid, signal);
          if (existing) return await this.settleExisting(existing, entity, signal);
        }
        await opts.beforePost?.();
        const r = await this.http.once({
          method: 'POST',
          path: '/v1/edgehosts',
          body: entity,
          idempotent: false,
          signal,
        });
        const got = this.parse(Uid, r.json, 'answer to the edge host registration');
        return { uid: got.uid, created: true, labelsUpdated: false };
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        if (paletteCodeOf(e) === DUPLICATE_CODE || (e.code === 'ECONFLICT' && !paletteCodeOf(e))) {
          const existing = await this.getEdgeHost(uid, signal);
          if (!existing)
            throw new AppError(
              'ECONFLICT',
              `Palette reports edge host ${uid} as a duplicate but cannot show it`,
              e.details,
            );
          return this.settleExisting(existing, entity, signal);
        }
        if (!isRetryable(e) || attempt >= this.http.attempts) throw e;
        if (isAmbiguous(e)) checkFirst = true;
        await this.http.waitBeforeRetry(attempt, e, signal);
      }
    }
  }

  /** POST /v1/dashboard/edgehosts/search, following listmeta.continue to the end. */
  async searchEdgeHosts(filter: SearchFilter = {}, signal?: AbortSignal): Promise<EdgeHostDevice[]> {
    const out: EdgeHostDevice[] = [];
    let cont: string | undefined;
    for (let page = 0; page < 10_000; page++) {
      const r = await this.http.call({
        method: 'POST',
        path: '/v1/dashboard/edgehosts/search',
        query: { limit: 50, continue: cont },
        body: searchBody(filter),
        idempotent: true,
        signal,
      });
      const s = this.parse(EdgeHostsSearchSummary, r.json, 'edge host search result');
      out.push(...(s.items ?? []));
      cont = s.listmeta?.continue || undefined;
      if (!cont) break;
    }
    return out;
  }

  // ---- registration tokens ----------------------------------------------------------------

  async listTokens(signal?: AbortSignal) {
    const r = await this.http.call({ method: 'GET', path: '/v1/edgehosts/tokens', idempotent: true, signal });
    return this.parse(EdgeTokens, r.json, 'token list').items ?? [];
  }

  async createToken(
    name: string,
    expiry: string,
    defaultProjectUid?: string,
    signal?: AbortSignal,
  ): Promise<string> {
    const r = await this.http.call({
      method: 'POST',
      path: '/v1/edgehosts/tokens',
      body: { metadata: { name }, spec: { defaultProjectUid, expiry } },
      idempotent: false,
      signal,
    });
    return this.parse(Uid, r.json, 'answer to the token creation').uid;
  }

  // ---- clusters ---------------------------------------------------------------------------

  async validateEdgeNativeCluster(entity: EdgeNativeClusterEntity, signal?: AbortSignal): Promise<string[]> {
    const r = await this.http.call({
      method: 'POST',
      path: '/v1/spectroclusters/edge-native/validate',
      body: entity,
      idempotent: true,
      signal,
    });
    const v = this.parse(ValidatorResponse, r.json ?? {}, 'cluster validation result');
    const problems: string[] = [];
    for (const res of v.machinePools?.results ?? [])
      for (const err of res.errors ?? [])
        problems.push(`machine pool ${res.name ?? '?'}: ${err.message ?? err.code ?? 'error'}`);
    for (const p of v.profiles ?? [])
      for (const res of p.packs?.results ?? [])
        for (const err of res.errors ?? [])
          problems.push(
            `profile ${p.uid ?? '?'} pack ${res.name ?? '?'}: ${err.message ?? err.code ?? 'error'}`,
          );
    return problems;
  }

  /** The uid of a (not deleted) cluster with this name, via POST /v1/dashboard/spectroclusters/search. */
  async findClusterByName(name: string, signal?: AbortSignal): Promise<string | undefined> {
    const body = {
      filter: {
        conjunction: 'and',
        filterGroups: [
          {
            conjunction: 'and',
            filters: [{ property: 'isDeleted', type: 'bool', condition: { bool: { value: false } } }],
          },
          { conjunction: 'and', filters: [stringFilter('clusterName', [name])] },
        ],
      },
      sort: [],
    };
    const r = await this.http.call({
      method: 'POST',
      path: '/v1/dashboard/spectroclusters/search',
      query: { limit: 50 },
      body,
      idempotent: true,
      signal,
    });
    const s = this.parse(SpectroClustersSummary, r.json, 'cluster search result');
    return (s.items ?? []).find((c) => c.metadata.name === name)?.metadata.uid ?? undefined;
  }

  /** POST /v1/spectroclusters/edge-native. Not retried blindly: a failed attempt is checked by name. */
  async createEdgeNativeCluster(entity: EdgeNativeClusterEntity, signal?: AbortSignal): Promise<string> {
    const r = await this.http.once({
      method: 'POST',
      path: '/v1/spectroclusters/edge-native',
      body: entity,
      idempotent: false,
      signal,
    });
    return this.parse(Uid, r.json, 'answer to the cluster creation').uid;
  }

  async getCluster(uid: string, signal?: AbortSignal): Promise<SpectroCluster | undefined> {
    try {
      const r = await this.http.call({
        method: 'GET',
        path: `/v1/spectroclusters/${encodeURIComponent(uid)}`,
        idempotent: true,
        signal,
      });
      return this.parse(SpectroCluster, r.json, 'cluster record');
    } catch (e) {
      if (e instanceof AppError && e.code === 'ENOTFOUND') return undefined;
      throw e;
    }
  }

  async deleteCluster(uid: string, opts: { force?: boolean; signal?: AbortSignal } = {}): Promise<boolean> {
    try {
      await this.http.call({
        method: 'DELETE',
        path: `/v1/spectroclusters/${encodeURIComponent(uid)}`,
        query: { forceDelete: opts.force ? true : undefined },
        idempotent: true,
        signal: opts.signal,
      });
      return true;
    } catch (e) {
      if (e instanceof AppError && e.code === 'ENOTFOUND') return false;
      throw e;
    }
  }

  /** Replace a machine pool of an edge-native cluster (adds hosts to an existing cluster). */
  async putMachinePool(clusterUid: string, pool: EdgeNativeMachinePool, signal?: AbortSignal): Promise<void> {
    const c = await this.getCluster(clusterUid, signal);
    const cfg = c?.spec?.cloudConfigRef?.uid;
    if (!c || !cfg)
      throw new AppError('ENOTFOUND', `Palette has no cluster ${clusterUid} (or it has no cloud config)`);
    await this.http.call({
      method: 'PUT',
      path: `/v1/cloudconfigs/edge-native/${encodeURIComponent(cfg)}/machinePools/${encodeURIComponent(pool.poolConfig.name)}`,
      body: pool,
      idempotent: true,
      signal,
    });
  }

  // ---- cluster profiles -------------------------------------------------------------------

  async listClusterProfiles(signal?: AbortSignal) {
    const out: z.output<typeof ClusterProfilesSummary>['items'] & object = [];
    let cont: string | undefined;
    for (let page = 0; page < 10_000; page++) {
      const r = await this.http.call({
        method: 'POST',
        path: '/v1/dashboard/clusterprofiles',
        query: { limit: 50, continue: cont },
        body: { filter: { environment: ['edge-native'] }, sort: [] },
        idempotent: true,
        signal,
      });
      const s = this.parse(ClusterProfilesSummary, r.json, 'cluster profile list');
      out.push(...(s.items ?? []));
      cont = s.listmeta?.continue || undefined;
      if (!cont) break;
    }
    return out;
  }

  /** A cheap authenticated call: is Palette reachable and is the key accepted? */
  async ping(signal?: AbortSignal): Promise<void> {
    await this.http.once({
      method: 'POST',
      path: '/v1/dashboard/edgehosts/search',
      query: { limit: 1 },
      body: searchBody({}),
      idempotent: true,
      signal,
    });
  }
}
