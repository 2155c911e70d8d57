// `edgebench drives list` and `edgebench flash`: thin wrappers over main/flash. See docs/flash.md.
import readline from 'node:readline';
import type { Command } from 'commander';
import { AppError, describeError, isAppError } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format';
import type { DriveInfo, FlashTargetResult } from '../../../shared/contract/flash';
import { listDrives } from '../../flash/drives';
import { planTargets } from '../../flash/engine';
import { resolveImageRef } from '../../flash/image-ref';
import { checkTypedConfirmation } from '../../flash/guards';
import { flashImage } from '../../flash/service';
import type { CliContext } from '../context';
import { MultiBar } from '../../flash/progress-bars';

const collect = (v: string, prev: string[] = []) => [...prev, v];

function driveRow(d: DriveInfo): string[] {
  return [
    d.path,
    d.size === null ? '-' : formatBytes(d.size),
    d.bus,
    d.description || '-',
    [d.vendor, d.model].filter(Boolean).join(' ') || '-',
    d.serial ?? '-',
    d.mountpoints.map((m) => m.path).join(',') || '-',
    d.isSystem ? 'SYSTEM' : d.isReadOnly ? 'read-only' : d.hidden ? `hidden: ${d.hidden.message}` : '',
  ];
}

function table(rows: string[][]): string {
  const w = rows[0].map((_c, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(w[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function ask(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
  }
}

interface FlashOpts {
  image: string;
  target: string[];
  verify: boolean;
  yes?: boolean;
  allowSystemDrive?: string;
  allowLarge?: boolean;
  host?: string;
  json?: boolean;
}

function resultLine(r: FlashTargetResult): string {
  if (r.ok)
    return `  OK    ${r.target}: ${formatBytes(r.bytesWritten)} written at ${formatBytes(r.speed)}/s${r.verified ? ', verified' : ', not verified'}${r.unmounted?.length ? ` (unmounted ${r.unmounted.join(', ')})` : ''}`;
  const d = describeError({ code: (r.code ?? 'EINTERNAL') as never, message: r.message ?? '' });
  return `  FAIL  ${r.target}: ${r.code}: ${d.message}\n        ${d.hint}`;
}

async function runFlash(cli: CliContext, o: FlashOpts): Promise<void> {
  const json = cli.json(o);
  if (!o.target?.length) throw new AppError('EUSAGE', 'give at least one --target');
  const ref = await resolveImageRef(cli.app, o.image);
  // Plan first (no writes): refuses system/source/large drives before asking anything.
  const plan = await planTargets({
    image: ref.path,
    targets: o.target,
    allowSystemDrive: o.allowSystemDrive,
    ackLarge: o.allowLarge ? true : [],
  });
  const systemAllowed = plan.judged.find((v) => v.warnings.some((w) => w.code === 'ESYSTEMDRIVE'));
  if (!o.yes) {
    if (!process.stdin.isTTY)
      throw new AppError(
        'ENOTCONFIRMED',
        'flashing erases the targets: confirm on a terminal, or pass --yes when running unattended',
      );
    cli.err(`Image: ${plan.info.path}${plan.info.size ? ` (${formatBytes(plan.info.size)})` : ''}`);
    cli.err('These targets will be ERASED:');
    for (const r of plan.resolved) {
      if ('error' in r) {
        cli.err(`  ${r.path}: ${r.error.code}: ${r.error.message} (will be skipped)`);
        continue;
      }
      const v = plan.judged.find((x) => x.target === r.path);
      const notes = [
        r.size !== null ? formatBytes(r.size) : r.kind === 'file' ? 'file' : 'size unknown',
        r.description,
        r.serial ? `serial ${r.serial}` : '',
        r.mountpoints.length ? `mounted at ${r.mountpoints.join(', ')} (will be unmounted)` : '',
        ...(v?.warnings ?? []).map((w) => `${w.code}: ${w.message}`),
      ].filter(Boolean);
      cli.err(`  ${r.path}  ${notes.join(' | ')}`);
    }
    if (systemAllowed) {
      const typed = await ask(
        `${systemAllowed.target} is a SYSTEM drive. Type its path to erase it anyway: `,
      );
      checkTypedConfirmation(systemAllowed.target, typed);
    }
    const a = (await ask('Erase them and write the image? Type "yes": ')).trim().toLowerCase();
    if (a !== 'yes' && a !== 'y') throw new AppError('ENOTCONFIRMED', 'not confirmed; nothing was written');
  }
  const bars = json ? undefined : new MultiBar(plan.resolved.map((r) => r.path));
  const res = await flashImage({
    app: cli.app,
    image: ref.path,
    targets: o.target,
    verify: o.verify,
    hostId: o.host ?? ref.hostId,
    allowSystemDrive: o.allowSystemDrive,
    ackLarge: o.allowLarge ? true : [],
    signal: cli.signal,
    onProgress: (e) => (json ? cli.jsonLine({ type: 'progress', ...e }) : bars!.update(e)),
  }).catch((e) => {
    bars?.finish();
    if (isAppError(e) && e.code === 'ECANCELLED' && json)
      for (const r of (e.details as { results?: FlashTargetResult[] })?.results ?? [])
        cli.jsonLine({ type: 'result', ...r });
    throw e;
  });
  bars?.finish();
  if (json) for (const r of res.results) cli.jsonLine({ type: 'result', ...r });
  else {
    cli.out(`Image ${res.image}\n  sha256 ${res.sha256}`);
    for (const r of res.results) cli.out(resultLine(r));
  }
  const failed = res.results.filter((r) => !r.ok);
  if (json)
    cli.jsonLine({
      type: 'summary',
      ok: failed.length === 0,
      sha256: res.sha256,
      via: res.via,
      failed: failed.length,
      total: res.results.length,
    });
  if (!failed.length) return;
  if (failed.length < res.results.length)
    throw new AppError(
      'EPARTIAL',
      `${failed.length} of ${res.results.length} targets failed (${failed.map((f) => `${f.target}: ${f.code}`).join(', ')}); the others are written${o.verify ? ' and verified' : ''}`,
      { failed: failed.map((f) => ({ target: f.target, code: f.code })) },
    );
  const codes = new Set(failed.map((f) => f.code));
  const code = (codes.size === 1 ? failed[0].code : 'EIO') as AppError['code'];
  throw new AppError(
    code,
    failed.length === 1
      ? (failed[0].message ?? code)
      : `all ${failed.length} targets failed: ${failed.map((f) => `${f.target}: ${f.code}`).join(', ')}`,
  );
}

export function registerFlashCommands(program: Command, cli: CliContext): void {
  const drives = program.command('drives').description('drives that can be flashed');
  drives
    .command('list')
    .description(
      'list drives with size, bus, mount points, vendor, model and serial; --all shows hidden ones and why',
    )
    .option(
      '--all',
      'also show hidden devices (zram, loop, RAM disks, CD/DVD, drives without a size) with the reason',
    )
    .option('--json', 'JSON output')
    .action(async (o: { all?: boolean; json?: boolean }) => {
      const list = await listDrives({ all: o.all });
      if (cli.json(o)) return cli.jsonLine({ ok: true, drives: list });
      if (!list.length) return cli.out(o.all ? 'No drives.' : 'No removable drives. (Try --all.)');
      cli.out(
        table([
          ['PATH', 'SIZE', 'BUS', 'DESCRIPTION', 'VENDOR/MODEL', 'SERIAL', 'MOUNTS', 'NOTE'],
          ...list.map(driveRow),
        ]),
      );
    });

  program
    .command('flash')
    .description(
      'write an image to one or more drives (or image files) in one pass, verify by reading back, and record it',
    )
    .requiredOption(
      '--image <file>',
      'image file (.iso, .img, .raw; .xz, .gz, .zip are decompressed on the fly) or an artifact ID',
    )
    .option(
      '--target <path>',
      'whole drive (/dev/sdX) or image file to write; repeat for several',
      collect,
      [],
    )
    .option('--no-verify', 'skip the read-back verification (not recommended)')
    .option('--yes', 'do not ask: the listed targets are erased (needed when stdin is not a terminal)')
    .option('--allow-system-drive <device>', 'allow writing this system drive: type its path exactly')
    .option('--allow-large', 'acknowledge drives over 128 GB ("is this really a USB stick?")')
    .option('--host <id>', 'record the write on this host')
    .option('--json', 'one JSON event per line: progress, then a result per target, then a summary')
    .addHelpText(
      'after',
      `
Safety: the drive holding the running system (/, /boot, swap) is refused unless allowed with
--allow-system-drive DEVICE; the drive holding the image is always refused; read-only and too
small drives fail on their own; drives over 128 GB need --allow-large. Mounted partitions are
unmounted first. One failing drive never stops the others.

Exit codes: 0 every target written (and verified); 4 some failed, the others succeeded;
otherwise the code of the failure (1 too small, 3 I/O or verification, 7 refused or not
confirmed, 130 cancelled).

Examples:
  edgebench drives list
  edgebench flash --image site-a.iso --target /dev/sdb --target /dev/sdc
  edgebench flash --image kairos.iso.xz --target /dev/sdb --yes --json`,
    )
    .action(async (o: FlashOpts) => runFlash(cli, o));
}
