// "Hosts are pre-registered with the same IDs their user-data carries": render a host's
// user-data with the userdata capability, read stylus.site.name back, register, and find that
// exact ID in the simulator; the QR label for the host points at the same ID.
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHostUserData } from '../../main/userdata';
import { labelData, qrPng } from '../../main/register/labels';
import { enqueueRegistration, syncRegistrations } from '../../main/register/queue';
import { skipReason } from '../helpers/env';
import { addHosts, newEnv, type Env } from './harness';

const TEMPLATE = `#cloud-config
stylus:
  site:
    paletteEndpoint: api.spectrocloud.com
    registrationURL: http://bench.local:8080/register
    projectUid: proj-0001
install:
  poweroff: true
stages:
  initramfs:
    - name: Create user
      users:
        kairos:
          passwd: kairos
          groups: [sudo]
`;

describe.skipIf(skipReason({ tools: ['openssl'] }))(
  'edge host IDs: user-data, Palette and labels agree',
  () => {
    let env: Env;
    beforeAll(async () => {
      env = await newEnv();
      await addHosts(env.app, ['edge-ud-0001', 'edge-ud-0002']);
    });
    afterAll(async () => env?.close());

    it('registers exactly the stylus.site.name each host boots with', async () => {
      const ids: string[] = [];
      for (const id of ['edge-ud-0001', 'edge-ud-0002']) {
        const host = (await env.app.store.hosts.get(id))!;
        const doc = parse(renderHostUserData(TEMPLATE, host)) as {
          stylus: { site: { name: string; registrationURL: string } };
        };
        ids.push(doc.stylus.site.name);
        await enqueueRegistration(env.app, { hostId: doc.stylus.site.name });
        const l = labelData(host, doc.stylus.site.registrationURL);
        const img = PNG.sync.read(await qrPng(l.url));
        const url = jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data;
        expect(new URL(url!).searchParams.get('uid')).toBe(doc.stylus.site.name);
      }
      expect(ids).toEqual(['edge-ud-0001', 'edge-ud-0002']);
      expect((await syncRegistrations(env.app)).done).toBe(2);
      expect([...env.sim.hosts.keys()].sort()).toEqual(ids);
      for (const id of ids) expect(env.sim.hosts.get(id)!.name).toBe(id);
    });
  },
);
