// Sites and edge-native clusters against the simulator: build, validate then create, extend,
// delete with hosts back to ready, and the CLI path with the same IDs as the hosts' user-data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildClusterEntity,
  createOrExtendCluster,
  deleteCluster,
  firstIpOfCidr,
} from '../../main/register/cluster';
import { enqueueRegistration, syncRegistrations } from '../../main/register/queue';
import { putSite } from '../../main/register/sites';
import { Site } from '../../shared/contract/register';
import { BIN, jsonLines, runCliAsync } from '../helpers/cli';
import { skipReason } from '../helpers/env';
import { addHosts, API_KEY, newEnv, simCerts, PROJECT, type Env } from './harness';

const skip = skipReason({ tools: ['openssl'] });

const siteInput = {
  name: 'store-042',
  location: 'Store 42, Lyon',
  profiles: {
    infrastructure: { uid: 'infra-ubuntu-k3s', os: 'Ubuntu', k8s: 'Palette Optimized K3s', cni: 'Calico' },
    addons: [{ uid: 'addon-monitoring' }],
  },
  endpoint: { type: 'VIP', host: '10.42.0.10' },
  nodeRoles: { 'edge-c1': 'control-plane' },
  pin: '4711',
};

describe('cluster definition (pure)', () => {
  it('builds pools, NICs, endpoint and profiles from a site and its hosts', () => {
    const site = Site.parse({ ...siteInput, nodeRoles: {}, hasPin: false });
    const hosts = ['b', 'a', 'c'].map((id, i) => ({
      id: `edge-${id}`,
      values: {
        ipAddress: `10.0.0.${i + 5}/24`,
        gateway: '10.0.0.1',
        nic: 'enp1s0',
        nameserver: '1.1.1.1, 8.8.8.8',
      },
      createdAt: '',
      updatedAt: '',
    }));
    const { entity, problems } = buildClusterEntity(site, hosts);
    expect(problems).toEqual([]);
    expect(entity.metadata.name).toBe('store-042');
    expect(entity.spec.profiles).toEqual([{ uid: 'infra-ubuntu-k3s' }, { uid: 'addon-monitoring' }]);
    expect(entity.spec.cloudConfig).toMatchObject({
      controlPlaneEndpoint: { type: 'VIP', host: '10.42.0.10' },
      staticIp: true,
    });
    const [cp, wk] = entity.spec.machinepoolconfig;
    expect(cp.poolConfig).toMatchObject({
      name: 'control-plane-pool',
      size: 1,
      labels: ['control-plane'],
      isControlPlane: true,
    });
    expect(cp.cloudConfig.edgeHosts).toEqual([
      {
        hostUid: 'edge-a',
        hostName: 'edge-a',
        nic: {
          nicName: 'enp1s0',
          ip: '10.0.0.6',
          subnet: '24',
          gateway: '10.0.0.1',
          dns: ['1.1.1.1', '8.8.8.8'],
        },
      },
    ]);
    expect(wk.poolConfig).toMatchObject({
      name: 'worker-pool',
      size: 2,
      labels: ['worker'],
      isControlPlane: false,
    });
  });
  it('flags an even control plane, a missing infrastructure profile and no hosts', () => {
    const site = Site.parse({
      ...siteInput,
      profiles: { addons: [] },
      nodeRoles: { a: 'control-plane', b: 'control-plane' },
      hasPin: false,
    });
    const h = (id: string) => ({ id, values: {}, createdAt: '', updatedAt: '' });
    expect(buildClusterEntity(site, [h('a'), h('b')]).problems.join(' ')).toMatch(
      /infrastructure.*odd number/s,
    );
    expect(buildClusterEntity(site, []).problems.join(' ')).toContain('no registered hosts');
  });
  it('takes the VIP from an overlay CIDR like Terraform', () => {
    expect(firstIpOfCidr('100.64.10.0/24')).toBe('100.64.10.1');
  });
});

describe.skipIf(skip)('clusters against the simulator', () => {
  let env: Env;
  beforeAll(async () => {
    env = await newEnv();
    await putSite(env.app, siteInput);
    await addHosts(env.app, ['edge-c1', 'edge-c2', 'edge-c3'], 'store-042');
    for (const h of ['edge-c1', 'edge-c2'])
      await enqueueRegistration(env.app, { hostId: h, site: 'store-042' });
    expect((await syncRegistrations(env.app)).done).toBe(2);
  });
  afterAll(async () => env?.close());

  it('dry run validates and creates nothing', async () => {
    const n = env.sim.log.length;
    const r = await createOrExtendCluster(env.app, 'store-042', { dryRun: true });
    expect(r.action).toBe('dry-run');
    expect(r.problems).toEqual(['not registered yet, left out: edge-c3']);
    expect(env.sim.log.slice(n).map((l) => l.path)).toEqual([
      '/v1/dashboard/spectroclusters/search',
      '/v1/spectroclusters/edge-native/validate',
    ]);
    expect(env.sim.clusters.size).toBe(0);
  });

  it('Palette validation problems stop the create', async () => {
    await putSite(env.app, {
      ...siteInput,
      pin: undefined,
      profiles: { ...siteInput.profiles, addons: [{ uid: 'no-such-profile' }] },
    });
    await expect(createOrExtendCluster(env.app, 'store-042')).rejects.toMatchObject({
      code: 'EINVALID',
      message: expect.stringContaining('no-such-profile'),
    });
    expect(env.sim.clusters.size).toBe(0);
    await putSite(env.app, { ...siteInput, pin: undefined });
  });

  it('validates, then creates; hosts go unpaired/ready -> in-use; then extends; delete returns them to ready', async () => {
    env.sim.pair('edge-c1');
    env.sim.pair('edge-c2');
    const n = env.sim.log.length;
    const r = await createOrExtendCluster(env.app, 'store-042');
    expect(r.action).toBe('created');
    expect(env.sim.log.slice(n).map((l) => l.path)).toEqual([
      '/v1/dashboard/spectroclusters/search',
      '/v1/spectroclusters/edge-native/validate',
      '/v1/spectroclusters/edge-native',
    ]);
    const c = [...env.sim.clusters.values()][0];
    expect(c.name).toBe('store-042');
    expect(r.cluster).toMatchObject({ state: 'created', uid: c.uid, hostIds: ['edge-c1', 'edge-c2'] });
    expect(env.sim.state(env.sim.hosts.get('edge-c1')!)).toBe('in-use');
    // register the third host, then extend
    await enqueueRegistration(env.app, { hostId: 'edge-c3', site: 'store-042' });
    await syncRegistrations(env.app);
    env.sim.pair('edge-c3');
    const ext = await createOrExtendCluster(env.app, 'store-042');
    expect(ext.action).toBe('extended');
    expect(
      env.sim.log.some(
        (l) =>
          l.method === 'PUT' &&
          l.path === `/v1/cloudconfigs/edge-native/${c.cloudConfigUid}/machinePools/worker-pool`,
      ),
    ).toBe(true);
    expect(env.sim.state(env.sim.hosts.get('edge-c3')!)).toBe('in-use');
    expect((await createOrExtendCluster(env.app, 'store-042')).action).toBe('unchanged');
    const d = await deleteCluster(env.app, 'store-042', { waitMs: 0 });
    expect(d.cluster.state).toBe('deleted');
    expect(d.hosts.map((h) => [h.uid, h.state])).toEqual([
      ['edge-c1', 'ready'],
      ['edge-c2', 'ready'],
      ['edge-c3', 'ready'],
    ]);
    expect(env.sim.clusters.size).toBe(0);
  });
});

describe.skipIf(skip)('an interrupted cluster create', () => {
  let env: Env;
  beforeAll(async () => {
    env = await newEnv();
    await putSite(env.app, { ...siteInput, name: 'store-7', pin: undefined, nodeRoles: {} });
    await addHosts(env.app, ['edge-i1', 'edge-i2'], 'store-7');
    for (const h of ['edge-i1', 'edge-i2'])
      await enqueueRegistration(env.app, { hostId: h, site: 'store-7' });
    await syncRegistrations(env.app);
  });
  afterAll(async () => env?.close());

  it('is looked up by name and adopted, never created twice', async () => {
    const { PaletteClient } = await import('../../main/palette/client');
    const { loadConnection } = await import('../../main/palette/credentials');
    const slow = new PaletteClient(await loadConnection(env.app), {
      timeoutMs: 2000,
      retry: { attempts: 1 },
    });
    env.sim.fault({ kind: 'slow', method: 'POST', path: '/v1/spectroclusters/edge-native', delayMs: 8000 });
    await expect(createOrExtendCluster(env.app, 'store-7', { client: slow })).rejects.toMatchObject({
      code: 'ETIMEDOUT',
    });
    await slow.close();
    expect(env.sim.clusters.size).toBe(1); // Palette stored it; the answer was lost
    expect((await env.app.store.register.getCluster('store-7'))?.state).toBe('failed');
    const r = await createOrExtendCluster(env.app, 'store-7');
    expect(r.action).toBe('unchanged');
    expect(r.cluster).toMatchObject({
      state: 'created',
      uid: [...env.sim.clusters.keys()][0],
      hostIds: ['edge-i1', 'edge-i2'],
    });
    expect(
      env.sim.log.filter((l) => l.method === 'POST' && l.path === '/v1/spectroclusters/edge-native'),
    ).toHaveLength(1);
  });

  it('refuses to adopt a same-named cluster Edgebench did not create', async () => {
    await putSite(env.app, {
      ...siteInput,
      name: 'other',
      clusterName: 'store-7',
      pin: undefined,
      nodeRoles: {},
    });
    await addHosts(env.app, ['edge-i3'], 'other');
    await enqueueRegistration(env.app, { hostId: 'edge-i3', site: 'other' });
    await syncRegistrations(env.app);
    await expect(createOrExtendCluster(env.app, 'other')).rejects.toMatchObject({ code: 'ECONFLICT' });
  });
});

describe.skipIf(skip || skipReason({ files: [BIN] }))(
  'CLI: login, register, site, cluster create/delete',
  () => {
    let env: Env;
    beforeAll(async () => {
      env = await newEnv();
    });
    afterAll(async () => env?.close());
    const cli = (args: string[], extra: Record<string, string> = {}) =>
      runCliAsync(args, {
        dataDir: env.dataDir,
        env: { EDGEBENCH_NO_KEYCHAIN: '1', EDGEBENCH_PALETTE_RETRY_BASE_MS: '5', ...extra },
      });

    it('runs the whole flow with the same IDs as the hosts', async () => {
      const caFile = simCerts().caFile;
      let r = await cli(
        ['palette', 'login', '--endpoint', env.sim.endpoint, '--project', PROJECT, '--ca', caFile],
        { PALETTE_API_KEY: 'wrong-key-000' },
      );
      expect(r.code).toBe(8);
      expect(r.stderr).toContain('EAUTH');
      expect(r.stderr).not.toContain('wrong-key-000');
      r = await cli(['palette', 'login', '--endpoint', env.sim.endpoint, '--project', PROJECT], {
        PALETTE_API_KEY: API_KEY,
      });
      expect(r.code).toBe(8);
      expect(r.stderr).toMatch(/not trusted/);
      r = await cli(
        ['palette', 'login', '--endpoint', env.sim.endpoint, '--project', PROJECT, '--ca', caFile],
        { PALETTE_API_KEY: API_KEY },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('0600 file');
      for (const [i, id] of ['edge-cli1', 'edge-cli2'].entries()) {
        r = await cli(['hosts', 'add', id, '--serial', `S${i}`, '--mac', `52:54:00:aa:00:0${i}`]);
        expect(r.code, r.stderr).toBe(0);
      }
      r = await cli([
        'site',
        'add',
        'depot-1',
        '--infra-profile',
        'infra-ubuntu-k3s',
        '--os',
        'Ubuntu',
        '--k8s',
        'RKE2',
        '--cni',
        'Calico',
        '--vip',
        '10.9.0.5',
        '--tags',
        'region=eu',
      ]);
      expect(r.code, r.stderr).toBe(0);
      r = await cli([
        'register',
        'edge-cli1',
        'edge-cli2',
        '--site',
        'depot-1',
        '--tags',
        'rack=7',
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(env.sim.hosts.get('edge-cli1')!.labels).toEqual({
        region: 'eu',
        'edgebench-site': 'depot-1',
        rack: '7',
      });
      expect(env.sim.hosts.get('edge-cli2')!.name).toBe('edge-cli2');
      r = await cli(['palette', 'hosts', '--json']);
      const hosts = JSON.parse(r.stdout.trim()).hosts;
      expect(hosts.map((h: any) => [h.uid, h.state, h.registeredByEdgebench])).toEqual([
        ['edge-cli1', 'unpaired', true],
        ['edge-cli2', 'unpaired', true],
      ]);
      env.sim.pair('edge-cli1');
      env.sim.pair('edge-cli2');
      r = await cli(['cluster', 'create', '--site', 'depot-1', '--dry-run', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(
        jsonLines(r.stdout).at(-1).definition.spec.machinepoolconfig[0].cloudConfig.edgeHosts[0].hostUid,
      ).toBe('edge-cli1');
      r = await cli(['cluster', 'create', '--site', 'depot-1']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Created cluster depot-1 \(\w+\) with 2 host/);
      r = await cli(['palette', 'hosts']);
      expect(r.stdout).toMatch(/edge-cli1\s+in-use\s+healthy\s+depot-1/);
      r = await cli(['cluster', 'delete', 'depot-1']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/edge-cli1\s+ready/);
      expect(r.stdout).toMatch(/edge-cli2\s+ready/);
      r = await cli(['palette', 'tokens', '--json']);
      expect(JSON.parse(r.stdout.trim()).tokens).toEqual([
        { uid: 'tok1', name: 'default', token: 'abc…', expiry: '2030-01-01T00:00:00Z', active: true },
      ]);
      r = await cli(['palette', 'tokens', '--create', 'depot', '--expiry', '2031-01-01']);
      expect(r.code, r.stderr).toBe(0);
      expect(env.sim.log.at(-1)!.body).toEqual({
        metadata: { name: 'depot' },
        spec: { defaultProjectUid: PROJECT, expiry: '2031-01-01T00:00:00.000Z' },
      });
      r = await cli(['palette', 'profiles', '--json']);
      expect(JSON.parse(r.stdout.trim()).profiles.map((p: any) => p.uid)).toContain('infra-ubuntu-k3s');
    });

    it('register queues on EUNAVAILABLE and says so; sync sends later', async () => {
      await cli(['hosts', 'add', 'edge-cli3']);
      await env.sim.stop();
      let r = await cli(['register', 'edge-cli3'], { EDGEBENCH_PALETTE_ATTEMPTS: '2' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/edge-cli3: queued \(EUNAVAILABLE\)/);
      expect(r.stdout).toContain('stay queued');
      r = await cli(['sync'], { EDGEBENCH_PALETTE_ATTEMPTS: '1' });
      expect(r.code).toBe(8);
      await env.sim.start();
      r = await cli(['sync']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('1 registered, 0 failed, 0 still queued');
      expect(env.sim.createdCount('edge-cli3')).toBe(1);
    });
  },
);
