// Test bench for staging tests: a profile, sites, manifests, loop devices, a network namespace
// with a bridge and taps for PXE-booted VMs, and a pipe that lets a process inside the namespace
// reach the Palette simulator on the host's loopback (through a unix socket, no routed address).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../main/app';
import { saveLogin } from '../../main/palette/credentials';
import type { PaletteSim } from '../palette-sim/sim';
import { API_KEY, PROJECT, simCerts } from '../register/harness';

export const PROFILE = `#cloud-config
stylus:
  site:
    paletteEndpoint: api.spectrocloud.com
    edgeHostToken: tok-staging-0123456789abcdef
    projectName: staging-lab
install:
  poweroff: true
`;

export const SITES_YAML = `sites:
  - name: lab
    subnet: 10.77.0.0/24
    gateway: 10.77.0.1
    nameserver: 10.77.0.1
  - name: depot
    subnets: [10.60.0.0/16]
    gateway: 10.60.0.1
`;

export function mac(i: number, base = 0x5e): string {
  return `52:54:00:${base.toString(16).padStart(2, '0')}:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
}

/** A private copy of a fixture file (the shared fixture folder is read-only by convention). */
export function copyFixture(file: string, dir: string): string {
  const out = path.join(dir, path.basename(file));
  fs.copyFileSync(file, out);
  return out;
}

/** A CSV manifest: `usb` USB hosts then `pxe` PXE hosts. */
export function manifestCsv(o: {
  usb: number;
  pxe: number;
  prefix?: string;
  site?: string;
  macBase?: number;
}): string {
  const rows = ['name,serial,mac,site,profile,ip,tags,delivery'];
  const p = o.prefix ?? 'edge';
  const site = o.site ?? 'lab';
  for (let i = 1; i <= o.usb + o.pxe; i++) {
    const delivery = i <= o.usb ? 'usb' : 'pxe';
    const ip = site === 'lab' ? `10.77.0.${10 + i}` : `10.60.${Math.floor(i / 250)}.${(i % 250) + 2}`;
    rows.push(
      `${p}-${String(i).padStart(3, '0')},SN${1000 + i},${mac(i, o.macBase)},${site},retail,${ip},rack=${1 + (i % 4)};zone=${delivery},${delivery}`,
    );
  }
  return rows.join('\n') + '\n';
}

/** A data dir with the profile stored and (optionally) a Palette login pointing at the simulator. */
export async function seedDataDir(dataDir: string, sim?: PaletteSim): Promise<void> {
  process.env.EDGEBENCH_NO_KEYCHAIN = '1';
  const app = createApp({ dataDir });
  await app.store.profiles.put({ name: 'retail', userData: PROFILE });
  if (sim)
    await saveLogin(app, {
      endpoint: sim.endpoint,
      projectUid: PROJECT,
      apiKey: API_KEY,
      caPem: simCerts().caPem,
    });
  await app.close();
}

export { API_KEY };

const sh = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

export interface Loops {
  devices: string[];
  cleanup(): void;
}

export function makeLoops(n: number, bytes: number, dir: string): Loops {
  const devices: string[] = [];
  const files: string[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const f = path.join(dir, `ebst-loop-${i}.img`);
      fs.writeFileSync(f, '');
      fs.truncateSync(f, bytes);
      files.push(f);
      devices.push(sh('losetup', ['-f', '--show', f]));
    }
  } catch (e) {
    for (const d of devices) spawnQuiet('losetup', ['-d', d]);
    throw e;
  }
  return {
    devices,
    cleanup() {
      for (const d of devices) spawnQuiet('losetup', ['-d', d]);
      for (const f of files) fs.rmSync(f, { force: true });
    },
  };
}

function spawnQuiet(cmd: string, args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
  } catch {
    /* best effort cleanup */
  }
}

export interface NetLab {
  ns: string;
  bridge: string;
  taps: string[];
  address: string;
  cleanup(): void;
}

/** Namespace `ebst<id>` with bridge br0 (10.77.0.1/24) and tap devices for VMs. */
export function makeNetLab(taps: number): NetLab {
  const ns = `ebst${process.pid % 100000}`;
  spawnQuiet('ip', ['netns', 'del', ns]);
  sh('ip', ['netns', 'add', ns]);
  const inNs = (...a: string[]) => sh('ip', ['-n', ns, ...a]);
  const names: string[] = [];
  try {
    inNs('link', 'set', 'lo', 'up');
    inNs('link', 'add', 'br0', 'type', 'bridge');
    inNs('addr', 'add', '10.77.0.1/24', 'dev', 'br0');
    inNs('addr', 'add', 'fd77::1/64', 'dev', 'br0', 'nodad');
    inNs('link', 'set', 'br0', 'up');
    // A veth pair on the bridge keeps it RUNNING before any VM opens its tap (Node lists only
    // running interfaces, and the PXE service binds to the bridge's address).
    inNs('link', 'add', 'ebst-v0', 'type', 'veth', 'peer', 'name', 'ebst-v1');
    inNs('link', 'set', 'ebst-v0', 'master', 'br0');
    inNs('link', 'set', 'ebst-v0', 'up');
    inNs('link', 'set', 'ebst-v1', 'up');
    for (let i = 0; i < taps; i++) {
      const t = `ebst-t${i}`;
      inNs('tuntap', 'add', 'dev', t, 'mode', 'tap');
      inNs('link', 'set', t, 'master', 'br0');
      inNs('link', 'set', t, 'up');
      names.push(t);
    }
  } catch (e) {
    spawnQuiet('ip', ['netns', 'del', ns]);
    throw e;
  }
  return {
    ns,
    bridge: 'br0',
    taps: names,
    address: '10.77.0.1',
    cleanup: () => spawnQuiet('ip', ['netns', 'del', ns]),
  };
}

export interface SimPipe {
  close(): Promise<void>;
}

/** Make 127.0.0.1:<sim port> inside the namespace reach the simulator on the host's loopback. */
export async function pipeSimIntoNs(ns: string, port: number): Promise<SimPipe> {
  const sock = path.join(os.tmpdir(), `ebst-sim-${process.pid}-${port}.sock`);
  fs.rmSync(sock, { force: true });
  const outer = net.createServer((c) => {
    const t = net.connect(port, '127.0.0.1');
    c.pipe(t).pipe(c);
    c.on('error', () => t.destroy());
    t.on('error', () => c.destroy());
  });
  await new Promise<void>((r) => outer.listen(sock, () => r()));
  const code = `const net=require('net');net.createServer(c=>{const u=net.connect(${JSON.stringify(sock)});c.pipe(u).pipe(c);c.on('error',()=>u.destroy());u.on('error',()=>c.destroy());}).listen(${port},'127.0.0.1',()=>console.log('ready'));`;
  const inner: ChildProcess = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    inner.stdout!.once('data', () => resolve());
    inner.once('exit', (c) => reject(new Error(`namespace pipe exited with ${c}`)));
  });
  return {
    async close() {
      inner.kill('SIGKILL');
      await new Promise<void>((r) => outer.close(() => r()));
      fs.rmSync(sock, { force: true });
    },
  };
}
