// Flash throughput on this machine, same image and same target in one run:
//   1. flash + verify of a 1 GiB image to a loop device (etcher-sdk, O_DIRECT) against
//      `dd bs=4M oflag=direct` followed by `cmp` (goal: >= 0.95 of dd+cmp throughput);
//   2. four loop devices at once against one (goal: <= 1.3x the time of one).
// Runs interleaved, twice each, and keeps the best of each (the machine is shared and noisy).
// Needs root (losetup); prints the reason and exits 0 otherwise.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runFlashJob } from '../main/flash/engine';
import { time, writeResult } from './util';

const MiB = 1024 * 1024;
const SIZE_MIB = Number(process.env.EDGEBENCH_BENCH_FLASH_MIB ?? 1024);

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('flash bench skipped: needs root for loop devices');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-flashbench-'));
  const loops: string[] = [];
  const loop = (name: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, '');
    fs.truncateSync(f, (SIZE_MIB + 64) * MiB);
    const dev = execFileSync('losetup', ['-f', '--show', f], { encoding: 'utf8' }).trim();
    loops.push(dev);
    return dev;
  };
  try {
    const img = path.join(dir, 'image.img');
    const fd = fs.openSync(img, 'w');
    const buf = Buffer.alloc(4 * MiB);
    for (let i = 0; i < SIZE_MIB / 4; i++) fs.writeSync(fd, crypto.randomFillSync(buf));
    fs.closeSync(fd);
    const bytes = SIZE_MIB * MiB;
    const target = loop('target.img');

    const ddCmp = async () =>
      (
        await time(async () => {
          const dd = spawnSync('dd', [`if=${img}`, `of=${target}`, 'bs=4M', 'oflag=direct', 'status=none']);
          if (dd.status !== 0) throw new Error(`dd failed: ${dd.stderr}`);
          const cmp = spawnSync('cmp', ['-n', String(bytes), img, target]);
          if (cmp.status !== 0) throw new Error(`cmp found a difference: ${cmp.stdout}`);
        })
      ).ms;
    const ours = async (targets: string[]) =>
      (
        await time(async () => {
          const r = await runFlashJob({ image: img, targets, verify: true });
          const bad = r.results.filter((x) => !x.ok || !x.verified);
          if (bad.length) throw new Error(`flash failed: ${JSON.stringify(bad)}`);
        })
      ).ms;

    const dd: number[] = [];
    const one: number[] = [];
    for (let i = 0; i < 3; i++) {
      dd.push(await ddCmp());
      one.push(await ours([target]));
    }
    const four = [target, loop('t2.img'), loop('t3.img'), loop('t4.img')];
    const fourMs: number[] = [];
    const oneAgain: number[] = [];
    for (let i = 0; i < 2; i++) {
      fourMs.push(await ours(four));
      oneAgain.push(await ours([target]));
    }
    // The machine's own scaling: dd+cmp to the 4 devices in parallel, against dd+cmp to one.
    const sh = (cmd: string) =>
      new Promise<void>((resolve, reject) => {
        const c = spawn('sh', ['-c', cmd], { stdio: 'ignore' });
        c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`))));
      });
    const ddFour: number[] = [];
    for (let i = 0; i < 2; i++)
      ddFour.push(
        (
          await time(() =>
            Promise.all(
              four.map((t) =>
                sh(`dd if=${img} of=${t} bs=4M oflag=direct status=none && cmp -n ${bytes} ${img} ${t}`),
              ),
            ),
          )
        ).ms,
      );
    const best = (a: number[]) => Math.min(...a);
    const ddBest = best(dd);
    const oneBest = best([...one, ...oneAgain]);
    const fourBest = best(fourMs);
    const mbps = (ms: number) => Math.round((bytes / MiB / (ms / 1000)) * 10) / 10;
    writeResult('flash', {
      imageMiB: SIZE_MIB,
      cpus: os.cpus().length,
      ddCmpMs: dd.map(Math.round),
      flashVerifyMs: [...one, ...oneAgain].map(Math.round),
      fourTargetsMs: fourMs.map(Math.round),
      ddCmpMiBps: mbps(ddBest),
      flashVerifyMiBps: mbps(oneBest),
      throughputRatioVsDdCmp: Math.round((ddBest / oneBest) * 1000) / 1000,
      goalThroughputRatio: 0.95,
      fourVsOneTimeRatio: Math.round((fourBest / oneBest) * 1000) / 1000,
      ddCmpFourParallelMs: ddFour.map(Math.round),
      ddCmpFourVsOneTimeRatio: Math.round((best(ddFour) / ddBest) * 1000) / 1000,
      goalFourVsOne: 1.3,
      // What one pass buys: 4 targets at once against 4 single writes one after another.
      fourVsFourSequential: Math.round((fourBest / (4 * oneBest)) * 1000) / 1000,
      loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
      note: 'best of runs; ratio = dd+cmp time / flash+verify time (same image, same loop device). All loop devices share one virtual disk, the page cache and 2 CPUs, so 4 targets move 4x the data through the same resources; real sticks on separate ports do not share them.',
    });
  } finally {
    for (const l of loops) spawnSync('losetup', ['-d', l]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
