// CLI commands of the staging capability: `edgebench stage` (check, run, resume, status, list),
// `edgebench report RUN`, `edgebench inventory list|export`. See docs/staging.md.
import path from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { formatDuration } from '../../../shared/format';
import type { StagingProgress } from '../../../shared/contract/staging';
import { readTextFile, writeFileAtomic } from '../../core/fs-safe';
import { formatIssue } from '../../staging/manifest';
import { checkManifest, execute, planFromCheck } from '../../staging/service';
import { runDetail, runSummary } from '../../staging/status';
import { parseSitesText, saveSites, storedSites } from '../../staging/sites';
import { renderReport, reportFormatFor } from '../../staging/report';
import { inventoryExport, inventoryRows } from '../../staging/inventory';
import type { CliContext } from '../context';

const collect = (v: string, prev: string[] = []) => [...prev, v];

interface StageOpts {
  manifest?: string;
  check?: boolean;
  via?: string;
  target?: string[];
  image?: string;
  mediaMode?: string;
  resume?: string;
  newRun?: boolean;
  sites?: string;
  workDir?: string;
  json?: boolean;
  pxeInterface?: string;
  pxeAddress?: string;
  pxeMode?: string;
  pxeDhcpRange?: string;
  pxeHttpPort?: string;
  pxeKernel?: string;
  pxeInitrd?: string;
  pxeCmdline?: string;
  pxeTimeout?: string;
  pauseBetweenBatches?: boolean;
}

/** Wait for Enter on stdin (the technician swapped the sticks); Ctrl-C cancels. */
function waitForEnter(prompt: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stderr.write(prompt);
    const onData = (d: Buffer) => {
      if (!d.includes(10)) return;
      done();
      resolve();
    };
    const onEnd = () => {
      done();
      reject(new AppError('ECANCELLED', 'stdin closed while waiting for fresh drives; resume the run later'));
    };
    const onAbort = () => {
      done();
      reject(new AppError('ECANCELLED', 'Cancelled while waiting for fresh drives'));
    };
    const done = () => {
      process.stdin.off('data', onData);
      process.stdin.off('end', onEnd);
      signal.removeEventListener('abort', onAbort);
      process.stdin.pause();
      // A paused pipe still holds the process open: let it end when the run ends.
      (process.stdin as { unref?: () => void }).unref?.();
    };
    (process.stdin as { ref?: () => void }).ref?.();
    process.stdin.on('data', onData);
    process.stdin.once('end', onEnd);
    signal.addEventListener('abort', onAbort, { once: true });
    process.stdin.resume();
  });
}

function enumOpt<T extends string>(
  name: string,
  v: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T))
    throw new AppError('EUSAGE', `${name} must be one of ${allowed.join(', ')} (got "${v}")`);
  return v as T;
}

function progressLine(e: StagingProgress): string {
  const pct = `${e.percent.toFixed(0).padStart(3)}%`;
  const eta = e.etaSeconds !== undefined && e.etaSeconds > 0 ? ` ETA ${formatDuration(e.etaSeconds)}` : '';
  if (!e.hostId)
    return `[${pct}] run ${e.state ?? ''}${e.message ? ': ' + e.message : ''} (${e.hostsDone}/${e.hostsTotal} hosts done, ${e.hostsFailed} failed)${eta}`;
  return `[${pct}] ${e.hostId.padEnd(20)} ${(e.step ?? '').padEnd(8)} ${(e.state ?? '').padEnd(8)} ${e.message ?? ''}${eta}`;
}

function pxeFlags(o: StageOpts) {
  const pxe = {
    interface: o.pxeInterface,
    address: o.pxeAddress,
    mode: enumOpt('--pxe-mode', o.pxeMode, ['proxy', 'dhcp'] as const),
    dhcpRange: o.pxeDhcpRange,
    httpPort: o.pxeHttpPort ? Number(o.pxeHttpPort) : undefined,
    kernel: o.pxeKernel ? path.resolve(o.pxeKernel) : undefined,
    initrd: o.pxeInitrd ? path.resolve(o.pxeInitrd) : undefined,
    cmdlineTemplate: o.pxeCmdline,
  };
  if (
    pxe.httpPort !== undefined &&
    !(Number.isInteger(pxe.httpPort) && pxe.httpPort > 0 && pxe.httpPort < 65536)
  )
    throw new AppError('EUSAGE', `--pxe-http-port must be a port number (got "${o.pxeHttpPort}")`);
  return Object.fromEntries(Object.entries(pxe).filter(([, v]) => v !== undefined));
}

export function registerStagingCommands(program: Command, cli: CliContext): void {
  const stage = program
    .command('stage')
    .description(
      'stage a manifest of hosts: render user-data, build media, flash or PXE boot, register, label',
    )
    .option('--manifest <file>', 'the manifest: CSV with a header row, or YAML (hosts: and optional sites:)')
    .option('--check', 'only validate the manifest (every issue with its row and column); start nothing')
    .option('--via <usb|pxe>', 'delivery for rows that leave the delivery column empty')
    .option(
      '--target <path>',
      'a target drive (or image file) for USB hosts; repeat for a batch of drives',
      collect,
    )
    .option(
      '--image <base.iso>',
      'the installer ISO that user-data is baked into (USB hosts; PXE boot files too)',
    )
    .option(
      '--media-mode <mode>',
      'per-host: an ISO per distinct user-data; cidata: the base ISO shared plus a per-host cidata image',
      'per-host',
    )
    .option('--resume <run>', 'resume this run (finished steps are kept)')
    .option('--new-run', 'start a new run even if this manifest ran before')
    .option('--sites <file>', 'sites (name, subnet(s), gateway, nameserver) as YAML or JSON')
    .option(
      '--work-dir <dir>',
      'where media, user-data and labels of the run go (default: DATA_DIR/staging/RUN)',
    )
    .option('--pxe-interface <name>', 'PXE: network interface to serve on')
    .option('--pxe-address <ip>', 'PXE: IPv4 address to serve on')
    .option('--pxe-mode <proxy|dhcp>', 'PXE: ProxyDHCP beside the LAN DHCP server (default) or full DHCP')
    .option('--pxe-dhcp-range <from,to,mask>', 'PXE: address range in full DHCP mode')
    .option('--pxe-http-port <port>', 'PXE: HTTP port for scripts, kernel, initrd and user-data')
    .option('--pxe-kernel <file>', 'PXE: kernel to boot (instead of extracting it from --image)')
    .option('--pxe-initrd <file>', 'PXE: initrd to boot (with --pxe-kernel)')
    .option('--pxe-cmdline <template>', 'PXE: kernel command-line template')
    .option('--pxe-timeout <seconds>', 'PXE: how long to wait for each host to boot', '1800')
    .option(
      '--pause-between-batches',
      'USB: before each batch after the first, wait for Enter (swap the sticks)',
    )
    .option('--json', 'one JSON event per line, then the result')
    .addHelpText(
      'after',
      `
A run is identified by the manifest (same manifest, profiles, image and media mode = same run), so
running the same command again resumes or reports the finished run; --new-run starts afresh.
Examples:
  edgebench stage --manifest hosts.csv --sites sites.yaml --check
  edgebench stage --manifest hosts.csv --image installer.iso --target /dev/sdb --target /dev/sdc
  edgebench stage --manifest hosts.yaml --image installer.iso --media-mode cidata --pxe-interface eth1
  edgebench stage --resume run-0123456789ab
  edgebench stage status run-0123456789ab
Exit codes: 0 all hosts staged, 1 manifest invalid (nothing started), 4 some hosts failed, 130 cancelled.`,
    )
    .action(async (o: StageOpts) => {
      const json = cli.json(o);
      const app = cli.app;
      let runId = o.resume;
      if (!runId) {
        if (!o.manifest) throw new AppError('EUSAGE', 'give --manifest FILE (or --resume RUN)');
        const text = await readTextFile(o.manifest, { what: 'manifest', maxBytes: 8 * 1024 * 1024 });
        const sitesText = o.sites ? await readTextFile(o.sites, { what: 'sites file' }) : undefined;
        const check = await checkManifest(app, {
          text,
          fileName: o.manifest,
          sitesText,
          sitesFileName: o.sites,
          via: enumOpt('--via', o.via, ['usb', 'pxe'] as const),
        });
        if (o.check || !check.ok) {
          if (json) cli.jsonLine({ ok: check.ok, check });
          else {
            for (const i of check.issues) cli.err(formatIssue(check.fileName, i));
            cli.out(
              check.ok
                ? `${check.fileName}: valid: ${check.counts.hosts} hosts (${check.counts.usb} USB, ${check.counts.pxe} PXE), ${check.counts.sites} site(s), ${check.counts.profiles} profile(s)`
                : `${check.fileName}: ${check.issues.filter((i) => i.severity === 'error').length} error(s); nothing was started`,
            );
          }
          if (!check.ok) {
            process.exitCode = 1;
            return;
          }
          if (o.check) return;
        }
        const plan = await planFromCheck(
          app,
          check,
          {
            via: enumOpt('--via', o.via, ['usb', 'pxe'] as const),
            targets: o.target ?? [],
            image: o.image,
            mediaMode: enumOpt('--media-mode', o.mediaMode, ['per-host', 'cidata'] as const),
            workDir: o.workDir,
            pxe: pxeFlags(o),
          },
          o.newRun,
        );
        runId = plan.runId;
        const existing = await app.store.staging.getRun(runId);
        if (!plan.created && existing?.state === 'done') {
          const s = await runSummary(app.store, existing);
          if (json) cli.jsonLine({ ok: true, runId, state: s.state, counts: s.counts, alreadyDone: true });
          else
            cli.out(
              `Run ${runId} already finished for this manifest (${s.counts.done} hosts done); nothing to do. Use --new-run to stage again.`,
            );
          return;
        }
        if (!json)
          cli.err(
            plan.created
              ? `Run ${runId}: ${check.hosts.length} hosts.`
              : `Run ${runId} exists (${plan.state}): resuming.`,
          );
        else cli.jsonLine({ type: 'run', runId, created: plan.created });
      }
      const state = await execute(app, {
        runId,
        signal: cli.signal,
        targets: o.target,
        pxeTimeoutSeconds: Number(o.pxeTimeout ?? 1800),
        beforeBatch: o.pauseBetweenBatches
          ? (b) =>
              waitForEnter(
                `Batch ${b.batch} of ${b.batches}: put fresh drives into ${b.targets.join(', ')} (for ${b.hosts.join(', ')}), then press Enter. `,
                b.signal,
              )
          : undefined,
        settings: { pxe: { ...pxeFlags(o), image: o.image } },
        onEvent: (e) => (json ? cli.jsonLine({ type: 'staging.progress', ...e }) : cli.err(progressLine(e))),
      });
      const detail = await runDetail(app.store, runId);
      if (json) cli.jsonLine({ ok: state === 'done', runId, state, counts: detail.counts });
      else {
        cli.out(
          `Run ${runId}: ${state}: ${detail.counts.done} of ${detail.counts.total} hosts done, ${detail.counts.failed} failed.`,
        );
        for (const h of detail.hosts.filter((x) => x.state === 'failed')) {
          const f = h.steps.find((s) => s.state === 'failed');
          cli.out(`  ${h.hostId}: ${f?.step}: ${f?.error?.code}: ${f?.error?.message}`);
        }
        cli.out(`Report: edgebench report ${runId} -o report.html`);
      }
      if (state === 'cancelled')
        throw new AppError(
          'ECANCELLED',
          `run ${runId} was cancelled; resume it with: edgebench stage --resume ${runId}`,
        );
      if (state === 'partial') process.exitCode = 4;
      if (state === 'failed') process.exitCode = 3;
    });

  stage
    .command('status [run]')
    .description('a run with every host and step (default: the newest run)')
    .option('--json', 'JSON output')
    .action(async (run: string | undefined, o: { json?: boolean }) => {
      const id = run ?? (await cli.app.store.staging.listRuns(1))[0]?.id;
      if (!id) throw new AppError('ENOTFOUND', 'no staging runs yet');
      const d = await runDetail(cli.app.store, id);
      if (cli.json(o)) return cli.jsonLine({ ok: true, run: d });
      cli.out(
        `${d.id}  ${d.state}  ${d.fileName}  ${d.counts.done}/${d.counts.total} done, ${d.counts.failed} failed`,
      );
      for (const h of d.hosts)
        cli.out(
          `  ${h.hostId.padEnd(24)} ${h.delivery} ${h.state.padEnd(8)} ${h.steps.map((s) => `${s.step}:${s.state}`).join(' ')}`,
        );
    });

  stage
    .command('list')
    .description('staging runs, newest first')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const runs = await Promise.all(
        (await cli.app.store.staging.listRuns(200)).map((r) => runSummary(cli.app.store, r)),
      );
      if (cli.json(o)) return cli.jsonLine({ ok: true, runs });
      if (!runs.length) return cli.out('No staging runs.');
      for (const r of runs)
        cli.out(
          `${r.id}  ${r.state.padEnd(11)} ${r.createdAt}  ${r.fileName}  ${r.counts.done}/${r.counts.total} done, ${r.counts.failed} failed`,
        );
    });

  stage
    .command('sites [file]')
    .description('list the sites staging knows, or save the sites of a YAML/JSON file for later manifests')
    .option('--json', 'JSON output')
    .action(async (file: string | undefined, o: { json?: boolean }) => {
      let sites = await storedSites(cli.app.store);
      if (file)
        sites = await saveSites(
          cli.app.store,
          parseSitesText(await readTextFile(file, { what: 'sites file' }), file),
        );
      if (cli.json(o)) return cli.jsonLine({ ok: true, sites });
      for (const s of sites) cli.out(`${s.name}\t${s.subnets.join(',') || '-'}\t${s.gateway ?? '-'}`);
    });

  program
    .command('report <run>')
    .description("a run's report: HTML (prints well), CSV or JSON, chosen by the -o extension or --format")
    .requiredOption('-o, --output <file>', 'where to write it (.html, .csv or .json)')
    .option('--format <fmt>', 'html, csv or json (default: from the file extension)')
    .option('--force', 'replace an existing file')
    .option('--json', 'JSON output')
    .action(async (run: string, o: { output: string; format?: string; force?: boolean; json?: boolean }) => {
      const format = reportFormatFor(o.output, o.format);
      const text = await renderReport(cli.app.store, run, format);
      await writeFileAtomic(o.output, text, { force: o.force });
      if (cli.json(o))
        return cli.jsonLine({ ok: true, run, format, file: o.output, bytes: Buffer.byteLength(text) });
      cli.out(`Wrote the ${format.toUpperCase()} report of ${run} to ${o.output}.`);
    });

  const inv = program
    .command('inventory')
    .description("every host's state and history: user-data, media, drives, PXE boots, registration");
  inv
    .command('list')
    .description('the inventory as a table')
    .option('-q, --query <text>', 'filter by ID, serial, MAC, site, profile, state or tag')
    .option('--json', 'JSON output')
    .action(async (o: { query?: string; json?: boolean }) => {
      const rows = await inventoryRows(cli.app.store, { query: o.query });
      if (cli.json(o)) return cli.jsonLine({ ok: true, rows });
      if (!rows.length) return cli.out('No hosts.');
      for (const r of rows)
        cli.out(
          [
            r.hostId,
            r.state,
            r.site ?? '-',
            r.mac ?? '-',
            r.registration ?? '-',
            r.drives.length ? `${r.drives.length} drive(s)` : '-',
            r.pxeBoots ? `${r.pxeBoots} PXE boot(s)` : '-',
          ].join('\t'),
        );
    });
  inv
    .command('export')
    .description('write the inventory as CSV or JSON')
    .requiredOption('--format <csv|json>', 'csv or json')
    .requiredOption('-o, --output <file>', 'output file')
    .option('-q, --query <text>', 'only matching hosts')
    .option('--force', 'replace an existing file')
    .option('--json', 'JSON output')
    .action(
      async (o: { format: string; output: string; query?: string; force?: boolean; json?: boolean }) => {
        const format = enumOpt('--format', o.format, ['csv', 'json'] as const)!;
        const { text, count } = await inventoryExport(cli.app.store, format, o.query);
        await writeFileAtomic(o.output, text, { force: o.force });
        if (cli.json(o)) return cli.jsonLine({ ok: true, file: o.output, hosts: count });
        cli.out(`Wrote ${count} host(s) to ${o.output}.`);
      },
    );
}
