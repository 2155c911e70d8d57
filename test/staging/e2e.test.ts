// The 10-host staging run with real parts: the real CLI (spawned inside a network namespace this
// test creates), the installer fixture remastered per host, 8 hosts flashed to 4 loop devices in two
// batches and verified, 2 hosts PXE-booted in QEMU on a bridge in the namespace (each prints the
// user-data it fetched), every host registered into the Palette simulator, labels and a report.
// The run is killed with SIGKILL halfway and resumed; its final state must equal an uninterrupted
// run's, with no finished step redone and no host POSTed to Palette twice.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../main/store';
import { runDetail } from '../../main/staging/status';
import { sha256 } from '../../main/core/hash';
import { BIN, runCliAsync } from '../helpers/cli';
import { skipReason, tempDir } from '../helpers/env';
import { ensureInstallerFixture, type InstallerFixture } from '../helpers/installer-fixture';
import { bootQemu, type QemuResult } from '../helpers/qemu';
import { newSim } from '../register/harness';
import type { PaletteSim } from '../palette-sim/sim';
import {
  API_KEY,
  copyFixture,
  mac,
  makeLoops,
  makeNetLab,
  manifestCsv,
  pipeSimIntoNs,
  seedDataDir,
  SITES_YAML,
  type Loops,
  type NetLab,
  type SimPipe,
} from './lab';

const reason =
  skipReason({ root: true, tools: ['qemu-system-x86_64', 'ip', 'losetup', 'xorriso'], files: [BIN] }) ??
  (fs.existsSync('/dev/net/tun') ? undefined : "needs /dev/net/tun for the VMs' tap devices");

const ENV = { EDGEBENCH_NO_KEYCHAIN: '1', EDGEBENCH_PALETTE_RETRY_BASE_MS: '5' };
const PXE_HOSTS = ['edge-009', 'edge-010'];

interface Staged {
  code: number | null;
  events: any[];
  stderr: string;
  vms: QemuResult[];
  killed: boolean;
}

describe.skipIf(reason)(
  '10-host staging run, end to end (CLI, loop devices, QEMU PXE, Palette simulator)',
  () => {
    let fx: InstallerFixture;
    let lab: NetLab;
    let loops: Loops;
    let work: ReturnType<typeof tempDir>;
    const sims: PaletteSim[] = [];
    const pipes: SimPipe[] = [];
    let manifest: string;
    let iso: string;
    let kernel: string;
    let initrd: string;
    let sites: string;

    beforeAll(async () => {
      fx = await ensureInstallerFixture();
      if (fx.skipReason) throw new Error(`installer fixture: ${fx.skipReason}`);
      work = tempDir('ebst-e2e-');
      iso = copyFixture(fx.iso, work.dir);
      kernel = copyFixture(fx.kernel, work.dir);
      initrd = copyFixture(fx.initrd, work.dir);
      lab = makeNetLab(2);
      loops = makeLoops(4, fs.statSync(iso).size + 4 * 1024 * 1024, work.dir);
      manifest = path.join(work.dir, 'hosts.csv');
      sites = path.join(work.dir, 'sites.yaml');
      fs.writeFileSync(manifest, manifestCsv({ usb: 8, pxe: 2 }));
      fs.writeFileSync(sites, SITES_YAML);
    }, 600_000);

    afterAll(async () => {
      for (const p of pipes) await p.close().catch(() => undefined);
      for (const s of sims) await s.stop().catch(() => undefined);
      loops?.cleanup();
      lab?.cleanup();
      work?.cleanup();
    });

    async function newSimInNs(): Promise<PaletteSim> {
      const sim = await newSim();
      sims.push(sim);
      pipes.push(await pipeSimIntoNs(lab.ns, sim.port));
      return sim;
    }

    /** Run `edgebench stage` inside the namespace; boot the PXE VMs once the run waits for them. */
    function stage(
      dataDir: string,
      o: { killAfter?: (e: any) => boolean; bootVms: boolean; tag: string; resume?: string },
    ): Promise<Staged> {
      const head = ['netns', 'exec', lab.ns, process.execPath, BIN, '--data-dir', dataDir, 'stage'];
      // A resume names only the run: image, drives and PXE settings come from the stored run.
      const args = o.resume
        ? [...head, '--resume', o.resume, '--json']
        : [
            ...head,
            '--manifest',
            manifest,
            '--sites',
            sites,
            '--image',
            iso,
            ...loops.devices.flatMap((d) => ['--target', d]),
            '--pxe-interface',
            lab.bridge,
            '--pxe-mode',
            'dhcp',
            '--pxe-dhcp-range',
            '10.77.0.100,10.77.0.150,255.255.255.0',
            '--pxe-kernel',
            kernel,
            '--pxe-initrd',
            initrd,
            '--pxe-cmdline',
            `${fx.cmdline.replace(/root=\S+/, '')} ip=dhcp {{config}}`,
            '--pxe-timeout',
            '600',
            '--json',
          ];
      const child = spawn('ip', args, { env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
      const events: any[] = [];
      const vms: Array<Promise<QemuResult>> = [];
      const waiting = new Set<string>();
      let stderr = '';
      let rest = '';
      let killed = false;
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.on('data', (d: Buffer) => {
        const lines = (rest + d.toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) {
          if (!l.startsWith('{')) continue;
          const e = JSON.parse(l);
          events.push(e);
          if (!killed && o.killAfter?.(e)) {
            killed = true;
            child.kill('SIGKILL');
          }
          if (
            o.bootVms &&
            e.step === 'deliver' &&
            e.state === 'running' &&
            /waiting for/.test(e.message ?? '') &&
            !waiting.has(e.hostId)
          ) {
            waiting.add(e.hostId);
            const i = PXE_HOSTS.indexOf(e.hostId);
            vms.push(
              bootQemu({
                wrapper: ['ip', 'netns', 'exec', lab.ns],
                netdev: [
                  '-netdev',
                  `tap,id=n0,ifname=${lab.taps[i]},script=no,downscript=no`,
                  '-device',
                  `virtio-net-pci,netdev=n0,mac=${mac(9 + i)}`,
                ],
                extraArgs: ['-boot', 'n', '-vga', 'std'],
                memoryMb: 512,
                timeoutMs: 420_000,
                logName: `staging-e2e-${o.tag}-${e.hostId}`,
              }),
            );
          }
        }
      });
      return new Promise((resolve) =>
        child.on('close', async (code) =>
          resolve({ code, events, stderr, vms: await Promise.all(vms), killed }),
        ),
      );
    }

    const failures = (s: Staged) =>
      [
        s.stderr.slice(-2000),
        ...s.events.filter((e) => e.state === 'failed' || e.ok === false).map((e) => JSON.stringify(e)),
      ].join('\n');

    async function snapshot(dataDir: string) {
      const store = openStore(dataDir);
      try {
        const runs = await store.staging.listRuns();
        expect(runs).toHaveLength(1);
        const d = await runDetail(store, runs[0].id);
        return {
          runId: d.id,
          state: d.state,
          hosts: d.hosts.map((h) => {
            const step = (s: string) => h.steps.find((x) => x.step === s)!;
            const label = step('label').result.path as string | undefined;
            return {
              hostId: h.hostId,
              delivery: h.delivery,
              state: h.state,
              steps: h.steps.map((s) => `${s.step}:${s.state}`),
              userDataSha256: h.userDataSha256,
              registration: step('register').result.registration,
              label: label && fs.existsSync(label) ? sha256(fs.readFileSync(label)) : undefined,
              verified: step('deliver').result.verified ?? null,
              pxeBooted: Boolean(step('deliver').result.bootedAt),
            };
          }),
        };
      } finally {
        await store.close();
      }
    }

    async function doneSteps(
      dataDir: string,
    ): Promise<Map<string, { finishedAt?: string; attempts: number }>> {
      const store = openStore(dataDir);
      try {
        const run = (await store.staging.listRuns())[0];
        const m = new Map<string, { finishedAt?: string; attempts: number }>();
        for (const s of await store.staging.steps(run.id))
          if (s.state === 'done' || s.state === 'skipped')
            m.set(`${s.hostId}/${s.step}`, { finishedAt: s.finishedAt, attempts: s.attempts });
        return m;
      } finally {
        await store.close();
      }
    }

    function checkVms(vms: QemuResult[], runDir: string) {
      expect(vms).toHaveLength(2);
      for (const vm of vms) {
        const ud = vm.userData.find((u) => /^https?:\/\//.test(u.source));
        expect(ud, vm.output.slice(-2000)).toBeDefined();
        const host = /name: (edge-\d+)/.exec(ud!.text)?.[1];
        expect(PXE_HOSTS).toContain(host);
        // Exactly the user-data the run rendered for this host.
        expect(ud!.text).toBe(fs.readFileSync(path.join(runDir, 'user-data', `${host}.yaml`), 'utf8'));
      }
      expect(new Set(vms.map((v) => /name: (edge-\d+)/.exec(v.userData.at(-1)!.text)?.[1])).size).toBe(2);
    }

    it('kill -9 halfway, resume: same final state as an uninterrupted run, nothing redone, no double registration', async () => {
      // 1. Uninterrupted reference run.
      const refDir = path.join(work.dir, 'data-ref');
      const refSim = await newSimInNs();
      await seedDataDir(refDir, refSim);
      const ref = await stage(refDir, { bootVms: true, tag: 'ref' });
      expect(ref.code, failures(ref)).toBe(0);
      const refSnap = await snapshot(refDir);
      expect(refSnap.state).toBe('done');
      checkVms(ref.vms, path.join(refDir, 'staging', refSnap.runId));

      // 2. The same manifest in a fresh store, killed with SIGKILL once the first USB host is flashed.
      const dataDir = path.join(work.dir, 'data');
      const sim = await newSimInNs();
      await seedDataDir(dataDir, sim);
      const first = await stage(dataDir, {
        bootVms: false,
        tag: 'killed',
        killAfter: (e) => e.type === 'staging.progress' && e.step === 'deliver' && e.state === 'done',
      });
      expect(first.killed).toBe(true);
      expect(first.code).toBeNull();
      const before = await snapshot(dataDir);
      expect(before.state).toBe('interrupted');
      expect(before.hosts.filter((h) => h.state === 'done').length).toBeLessThan(10);
      const finishedBefore = await doneSteps(dataDir);
      expect(finishedBefore.size).toBeGreaterThan(10);

      // 3. Resume: the same command again.
      const second = await stage(dataDir, { bootVms: true, tag: 'resumed', resume: before.runId });
      expect(second.code, failures(second)).toBe(0);
      const after = await snapshot(dataDir);
      checkVms(second.vms, path.join(dataDir, 'staging', after.runId));
      expect(after.runId).toBe(before.runId);
      expect(after.runId).toBe(refSnap.runId);
      expect({ ...after, runId: '' }).toEqual({ ...refSnap, runId: '' });

      // Finished steps were never redone.
      const finishedAfter = await doneSteps(dataDir);
      for (const [k, v] of finishedBefore) expect(finishedAfter.get(k), k).toEqual(v);

      // Every host registered exactly once: one POST per host, ten hosts in the simulator.
      const posts = sim.log.filter((l) => l.method === 'POST' && l.path === '/v1/edgehosts');
      const perHost = new Map<string, number>();
      for (const p of posts) perHost.set(p.body.metadata.uid, (perHost.get(p.body.metadata.uid) ?? 0) + 1);
      expect(sim.hosts.size).toBe(10);
      expect([...perHost.values()].every((n) => n === 1)).toBe(true);
      expect(perHost.size).toBe(10);

      // USB hosts of the last batch: the loop device holds exactly their media.
      const store = openStore(dataDir);
      const d = await runDetail(store, after.runId);
      await store.close();
      for (const h of d.hosts.filter((x) =>
        ['edge-005', 'edge-006', 'edge-007', 'edge-008'].includes(x.hostId),
      )) {
        const r = h.steps.find((s) => s.step === 'deliver')!.result;
        const size = h.steps.find((s) => s.step === 'media')!.result.size as number;
        const fd = fs.openSync(r.target as string, 'r');
        const buf = Buffer.alloc(size);
        fs.readSync(fd, buf, 0, size, 0);
        fs.closeSync(fd);
        expect(sha256(buf)).toBe(h.mediaSha256);
      }

      // Labels and the report.
      for (const h of d.hosts)
        expect(fs.existsSync(h.steps.find((s) => s.step === 'label')!.result.path as string)).toBe(true);
      const html = path.join(work.dir, 'report.html');
      const csv = path.join(work.dir, 'report.csv');
      expect((await runCliAsync(['report', after.runId, '-o', html], { dataDir, env: ENV })).code).toBe(0);
      expect((await runCliAsync(['report', after.runId, '-o', csv], { dataDir, env: ENV })).code).toBe(0);
      const text = fs.readFileSync(html, 'utf8');
      for (let i = 1; i <= 10; i++) expect(text).toContain(`data-host="edge-${String(i).padStart(3, '0')}"`);
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain('tok-staging-0123456789abcdef');
      expect(fs.readFileSync(csv, 'utf8').trim().split('\r\n')).toHaveLength(11);
    }, 1_800_000);
  },
);
