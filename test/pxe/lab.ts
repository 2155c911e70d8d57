// The PXE lab segment used by the namespace and QEMU tests:
//   namespace E (Edgebench): bridge <br> = 10.X.0.1/24 + fdX::1/64, taps for VMs, and the switch
//   namespace L (the lab's own router/DHCP): veth on the bridge, 10.X.0.254/24, dnsmasq handing
//                out addresses only (no PXE options) and sending IPv6 router advertisements
//   namespace C (a client): veth on the bridge, no address until a test gives it one
import fs from 'node:fs';
import path from 'node:path';
import { createNetLab, type NetLab } from '../helpers/netns';
import { BIN } from '../helpers/cli';

export interface PxeLab {
  lab: NetLab;
  E: string;
  L: string;
  C: string;
  br: string;
  clientIf: string;
  taps: string[];
  net: string;
  serverIp: string;
  dnsmasq: ReturnType<NetLab['spawnIn']>;
}

/**
 * `ping`: let dnsmasq ping before it offers an address (its default, about 3 s per new address);
 * the ProxyDHCP offer then reliably arrives first, which single-offer probes such as udhcpc need.
 */
export async function buildPxeLab(
  octet: number,
  taps: number,
  workDir: string,
  opts: { ping?: boolean; labDhcp?: boolean } = {},
): Promise<PxeLab> {
  const lab = createNetLab('ebpx');
  try {
    const E = lab.addNs('e');
    const L = lab.addNs('l');
    const C = lab.addNs('c');
    const net = `10.${octet}.0`;
    const br = lab.ifname('br');
    lab.ip(E, 'link', 'add', br, 'type', 'bridge');
    lab.ip(E, 'addr', 'add', `${net}.1/24`, 'dev', br);
    lab.ip(E, 'addr', 'add', `fd${octet}::1/64`, 'dev', br, 'nodad');
    lab.ip(E, 'link', 'set', br, 'up');
    const l0 = lab.ifname('l0');
    const l1 = lab.ifname('l1');
    lab.ip(E, 'link', 'add', l0, 'type', 'veth', 'peer', 'name', l1, 'netns', L);
    lab.ip(E, 'link', 'set', l0, 'master', br, 'up');
    lab.ip(L, 'addr', 'add', `${net}.254/24`, 'dev', l1);
    lab.ip(L, 'addr', 'add', `fd${octet}::fe/64`, 'dev', l1, 'nodad');
    lab.ip(L, 'link', 'set', l1, 'up');
    const c0 = lab.ifname('c0');
    const c1 = lab.ifname('c1');
    lab.ip(E, 'link', 'add', c0, 'type', 'veth', 'peer', 'name', c1, 'netns', C);
    lab.ip(E, 'link', 'set', c0, 'master', br, 'up');
    lab.ip(C, 'link', 'set', c1, 'up');
    const tapNames: string[] = [];
    for (let i = 0; i < taps; i++) {
      const t = lab.ifname(`t${i}`);
      lab.ip(E, 'tuntap', 'add', t, 'mode', 'tap');
      lab.ip(E, 'link', 'set', t, 'master', br, 'up');
      tapNames.push(t);
    }
    const leases = path.join(workDir, 'dnsmasq.leases');
    fs.writeFileSync(leases, '');
    // labDhcp false: an isolated bench (dnsmasq only sends router advertisements)
    const dhcp = opts.labDhcp === false ? [] : [`--dhcp-range=${net}.100,${net}.150,255.255.255.0,1h`];
    const dnsmasq = lab.spawnIn(L, 'dnsmasq', [
      '--no-daemon',
      '--conf-file=/dev/null',
      `--pid-file=${path.join(workDir, 'dnsmasq.pid')}`,
      '--user=root',
      '--port=0',
      `--interface=${l1}`,
      '--bind-interfaces',
      ...dhcp,
      `--dhcp-leasefile=${leases}`,
      ...(opts.ping ? [] : ['--no-ping']),
      '--enable-ra',
      `--dhcp-range=::,constructor:${l1},ra-only`,
      '--log-dhcp',
      '--log-facility=-',
    ]);
    await new Promise((r) => setTimeout(r, 300));
    if (dnsmasq.exitCode !== null) throw new Error(`dnsmasq did not start: ${dnsmasq.output()}`);
    return { lab, E, L, C, br, clientIf: c1, taps: tapNames, net, serverIp: `${net}.1`, dnsmasq };
  } catch (e) {
    await lab.destroy();
    throw e;
  }
}

export interface RunningCli {
  proc: ReturnType<NetLab['spawnIn']>;
  lines: Array<Record<string, unknown>>;
  listening: Record<string, unknown>;
  stop(): Promise<number | null>;
}

/** Starts `edgebench pxe serve --json` inside namespace E and waits for its "listening" line. */
export async function startCliServe(l: PxeLab, args: string[], dataDir: string): Promise<RunningCli> {
  const proc = l.lab.spawnIn(l.E, process.execPath, [
    BIN,
    '--data-dir',
    dataDir,
    'pxe',
    'serve',
    '--interface',
    l.br,
    '--json',
    ...args,
  ]);
  const lines: Array<Record<string, unknown>> = [];
  let buf = '';
  proc.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* not JSON */
      }
    }
  });
  const t0 = Date.now();
  while (!lines.some((x) => x.type === 'listening')) {
    if (proc.exitCode !== null) throw new Error(`pxe serve exited ${proc.exitCode}: ${proc.output()}`);
    if (Date.now() - t0 > 120_000) throw new Error(`pxe serve did not start: ${proc.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    lines,
    listening: lines.find((x) => x.type === 'listening')!,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve(proc.exitCode);
        proc.once('close', (code) => resolve(code));
        // `ip netns exec` passes SIGINT on to the node process: the CLI's Ctrl-C path.
        proc.kill('SIGINT');
      }),
  };
}

/** Waits until `pred` holds for one of the lines, or the timeout. */
export async function waitFor<T>(get: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = get();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
