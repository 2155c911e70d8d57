// The Terraform export: structure of the generated HCL (terraform itself cannot be installed here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrExtendCluster } from '../../main/register/cluster';
import { enqueueRegistration, syncRegistrations } from '../../main/register/queue';
import { putSite } from '../../main/register/sites';
import { exportTerraform, hclString } from '../../main/register/terraform';
import { skipReason } from '../helpers/env';
import { addHosts, API_KEY, newEnv, type Env } from './harness';

/** A small HCL block parser: enough to check block structure and attributes. */
interface Block {
  type: string;
  labels: string[];
  attrs: Record<string, string>;
  blocks: Block[];
}
function parseHcl(src: string): Block {
  const root: Block = { type: 'root', labels: [], attrs: {}, blocks: [] };
  const stack = [root];
  for (const raw of src.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    let m: RegExpExecArray | null;
    if ((m = /^([a-z_]+)((?:\s+"[^"]*")*)\s*\{$/.exec(line))) {
      const b: Block = {
        type: m[1],
        labels: [...m[2].matchAll(/"([^"]*)"/g)].map((x) => x[1]),
        attrs: {},
        blocks: [],
      };
      stack.at(-1)!.blocks.push(b);
      stack.push(b);
    } else if ((m = /^("?[\w.-]+"?)\s*=\s*\{$/.exec(line))) {
      const b: Block = { type: `map:${m[1].replace(/"/g, '')}`, labels: [], attrs: {}, blocks: [] };
      stack.at(-1)!.blocks.push(b);
      stack.push(b);
    } else if (line === '}') {
      stack.pop();
      if (!stack.length) throw new Error('unbalanced }');
    } else if ((m = /^("?[\w.-]+"?)\s*=\s*(.+)$/.exec(line))) {
      stack.at(-1)!.attrs[m[1].replace(/"/g, '')] = m[2];
    } else throw new Error(`unparsed HCL line: ${line}`);
  }
  if (stack.length !== 1) throw new Error('unclosed block');
  return root;
}

describe('HCL strings', () => {
  it('escapes quotes, backslashes and interpolation', () => {
    expect(hclString('a"b\\c${x}%{y}')).toBe('"a\\"b\\\\c$${x}%%{y}"');
  });
});

describe.skipIf(skipReason({ tools: ['openssl'] }))('terraform export', () => {
  let env: Env;
  beforeAll(async () => {
    env = await newEnv();
    await putSite(env.app, {
      name: 'store-9',
      profiles: { infrastructure: { uid: 'infra-ubuntu-k3s' }, addons: [{ uid: 'addon-monitoring' }] },
      endpoint: { type: 'VIP', host: '10.9.9.9' },
      nodeRoles: {},
      sshKeys: ['ssh-ed25519 AAAA test'],
      tags: { env: 'prod' },
    });
    await addHosts(env.app, ['edge-t1', 'edge-t2'], 'store-9');
    for (const h of ['edge-t1', 'edge-t2'])
      await enqueueRegistration(env.app, { hostId: h, site: 'store-9' });
    await syncRegistrations(env.app);
    await createOrExtendCluster(env.app, 'store-9');
  });
  afterAll(async () => env?.close());

  it('has an appliance per registered host and the site cluster, matching what was registered', async () => {
    const files = await exportTerraform(env.app);
    expect(files.map((f) => f.name)).toEqual(['provider.tf', 'appliances.tf', 'clusters.tf']);
    for (const f of files) expect(f.content).not.toContain(API_KEY);
    const prov = parseHcl(files[0].content);
    expect(prov.blocks.map((b) => b.type)).toEqual(['terraform', 'provider']);
    expect(prov.blocks[1].attrs.host).toBe(`"${env.sim.endpoint}"`);
    const apps = parseHcl(files[1].content).blocks;
    expect(apps.map((b) => [b.type, ...b.labels])).toEqual([
      ['resource', 'spectrocloud_appliance', 'edge-t1'],
      ['resource', 'spectrocloud_appliance', 'edge-t2'],
    ]);
    expect(apps[0].attrs.uid).toBe('"edge-t1"');
    const tags = apps[0].blocks.find((b) => b.type === 'map:tags')!;
    expect(tags.attrs).toEqual(
      Object.fromEntries(Object.entries(env.sim.hosts.get('edge-t1')!.labels).map(([k, v]) => [k, `"${v}"`])),
    );
    const [cl] = parseHcl(files[2].content).blocks;
    expect([cl.type, ...cl.labels]).toEqual(['resource', 'spectrocloud_cluster_edge_native', 'store-9']);
    expect(cl.attrs.name).toBe('"store-9"');
    const cc = cl.blocks.find((b) => b.type === 'cloud_config')!;
    expect(cc.attrs.vip).toBe('"10.9.9.9"');
    expect(cc.attrs.ssh_keys).toBe('["ssh-ed25519 AAAA test"]');
    expect(cl.blocks.filter((b) => b.type === 'cluster_profile').map((b) => b.attrs.id)).toEqual([
      '"infra-ubuntu-k3s"',
      '"addon-monitoring"',
    ]);
    const pools = cl.blocks.filter((b) => b.type === 'machine_pool');
    expect(pools.map((p) => [p.attrs.name, p.attrs.control_plane])).toEqual([
      ['"control-plane-pool"', 'true'],
      ['"worker-pool"', 'false'],
    ]);
    const eh = pools[0].blocks.find((b) => b.type === 'edge_host')!;
    expect(eh.attrs.host_uid).toBe('spectrocloud_appliance.edge-t1.uid');
    expect(eh.attrs.static_ip).toBe('"10.42.0.20"');
  });
});
