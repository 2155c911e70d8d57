// Benchmark: a 500-host staging run without boots. Validate the manifest, render every host's
// user-data, build the shared installer (cidata mode: the base ISO once + a cidata image per host),
// register every host into the Palette simulator, write labels, then the HTML/CSV/JSON reports.
// Reports time per phase, peak memory, and the per-host overhead beyond media building.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../main/app';
import { checkManifest, execute, planFromCheck } from '../main/staging/service';
import { runDetail } from '../main/staging/status';
import { renderReport } from '../main/staging/report';
import { ensureInstallerFixture } from '../test/helpers/installer-fixture';
import { newSim } from '../test/register/harness';
import { manifestCsv, seedDataDir, SITES_YAML } from '../test/staging/lab';
import { time, writeResult } from './util';

const HOSTS = Number(process.env.EB_BENCH_HOSTS ?? 500);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

function stepSeconds(d: Awaited<ReturnType<typeof runDetail>>, step: string): { sum: number; wall: number } {
  let sum = 0;
  let first = Infinity;
  let last = 0;
  for (const h of d.hosts) {
    const s = h.steps.find((x) => x.step === step);
    if (!s?.startedAt || !s.finishedAt) continue;
    const a = Date.parse(s.startedAt);
    const b = Date.parse(s.finishedAt);
    sum += b - a;
    first = Math.min(first, a);
    last = Math.max(last, b);
  }
  return { sum: sum / 1000, wall: last > 0 ? (last - first) / 1000 : 0 };
}

async function main() {
  const fx = await ensureInstallerFixture();
  if (fx.skipReason) {
    console.log(`skipped: ${fx.skipReason}`);
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ebst-bench-'));
  const iso = path.join(work, 'installer.iso');
  fs.copyFileSync(fx.iso, iso);
  const sim = await newSim();
  const dataDir = path.join(work, 'data');
  await seedDataDir(dataDir, sim);
  const app = createApp({ dataDir });
  try {
    const csv = manifestCsv({ usb: HOSTS, pxe: 0, prefix: 'bench', site: 'depot' });
    const v = await time(() =>
      checkManifest(app, { text: csv, fileName: 'bench.csv', sitesText: SITES_YAML }),
    );
    if (!v.value.ok) throw new Error('manifest invalid');
    const p = await planFromCheck(app, v.value, { image: iso, mediaMode: 'cidata' });
    const run = await time(() => execute(app, { runId: p.runId }));
    if (run.value !== 'done') throw new Error(`run ended ${run.value}`);
    const d = await runDetail(app.store, p.runId);
    const html = await time(() => renderReport(app.store, p.runId, 'html'));
    const csvR = await time(() => renderReport(app.store, p.runId, 'csv'));
    const json = await time(() => renderReport(app.store, p.runId, 'json'));
    const media = stepSeconds(d, 'media');
    const tl = await app.store.staging.timeline(p.runId);
    const sheetAt = tl.find((t) => t.kind === 'labels')?.time;
    const lastLabel = Math.max(
      ...d.hosts.map((h) => Date.parse(h.steps.find((x) => x.step === 'label')!.finishedAt!)),
    );
    const labelSheetSeconds = sheetAt ? (Date.parse(sheetAt) - lastLabel) / 1000 : 0;
    // Second run of the same manifest: every image reused, every host already registered.
    const p2 = await planFromCheck(app, v.value, { image: iso, mediaMode: 'cidata' }, true);
    const rerun = await time(() => execute(app, { runId: p2.runId }));
    const runSeconds = run.ms / 1000;
    writeResult('staging', {
      hosts: HOSTS,
      validateMs: Math.round(v.ms),
      runSeconds: Math.round(runSeconds * 10) / 10,
      phases: {
        renderWallSeconds: stepSeconds(d, 'render').wall,
        mediaWallSeconds: media.wall,
        registerWallSeconds: stepSeconds(d, 'register').wall,
        labelWallSeconds: stepSeconds(d, 'label').wall,
      },
      mediaBuilt: d.media.length,
      reportMs: { html: Math.round(html.ms), csv: Math.round(csvR.ms), json: Math.round(json.ms) },
      reportHtmlBytes: Buffer.byteLength(html.value),
      labelSheetSeconds,
      perHostOverheadMs: Math.round(((runSeconds - media.wall) / HOSTS) * 1000 * 10) / 10,
      perHostOverheadWithoutLabelSheetMs:
        Math.round(((runSeconds - media.wall - labelSheetSeconds) / HOSTS) * 1000 * 10) / 10,
      rerunWithReusedMediaSeconds: Math.round((rerun.ms / 1000) * 10) / 10,
      rerunPerHostMs: Math.round((rerun.ms / HOSTS) * 10) / 10,
      paletteRequests: sim.log.length,
      peakRssMiB: Math.round(peakRss / 1048576),
      node: process.version,
      cpus: os.cpus().length,
    });
  } finally {
    clearInterval(sampler);
    await app.close();
    await sim.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
