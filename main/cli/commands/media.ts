// CLI commands of the media capability: `iso build|inspect|extract|base|artifacts`, `site-media`,
// `variant build`. Thin wrappers over main/iso/*. User guide: docs/media.md.
import type { Command } from 'commander';
import { formatBytes } from '../../../shared/format';
import { buildInstallerIso, MEDIA_KINDS } from '../../iso/build';
import { extractFromIso } from '../../iso/extract';
import { inspectIso, type IsoInspection } from '../../iso/inspect';
import { addBaseIso } from '../../iso/base-isos';
import { buildSiteMedia } from '../../iso/site-media';
import { buildVariant, VARIANT_FORMATS } from '../../iso/variant';
import { AppError } from '../../../shared/errors';
import type { CliContext } from '../context';
import { formatDiagnostic } from '../../../shared/userdata/diagnostics';

interface UdOpts {
  userData?: string;
  profile?: string;
  host?: string;
  force?: boolean;
  json?: boolean;
}

function udSpec(o: UdOpts) {
  return { userDataFile: o.userData, profile: o.profile, hostId: o.host };
}

function printInspection(cli: CliContext, r: IsoInspection): void {
  const p = r.probe;
  cli.out(`${r.path}`);
  cli.out(`  volume id   ${p.volumeId || '(none)'}${p.joliet ? '  (Joliet)' : ''}`);
  cli.out(`  size        ${formatBytes(r.size)} (${r.size} bytes)`);
  if (r.sha256) cli.out(`  sha256      ${r.sha256}`);
  cli.out(
    `  boots       ${[p.bootsBios && 'BIOS', p.bootsUefi && 'UEFI'].filter(Boolean).join(' + ') || 'no'}${p.hybrid ? ', hybrid (CD and USB disk)' : ', CD only'}`,
  );
  for (const b of r.boot) cli.out(`              ${b}`);
  const k = r.kairos;
  cli.out(
    `  kairos      ${k.isKairosLayout ? 'yes' : 'no'}: kernel ${k.kernel ?? 'missing'}, initrd ${k.initrd ?? 'missing'}, squashfs ${k.squashfs ?? 'none'}`,
  );
  cli.out(`  files       ${r.fileCount}`);
  for (const w of r.warnings) cli.err(`warning: ${w.code}: ${w.message}`);
  if (!r.userData.length) cli.out('  user-data   none (no *.yaml/*.yml starting with #cloud-config)');
  for (const u of r.userData) {
    const verdict = u.report
      ? u.report.valid
        ? `valid${u.report.warnings.length ? `, ${u.report.warnings.length} warning(s)` : ''}`
        : `INVALID, ${u.report.errors.length} error(s)`
      : (u.validationError ?? 'not validated');
    cli.out(`  user-data   ${u.path} (${u.size} bytes, ${verdict})`);
    for (const d of [...(u.report?.errors ?? []), ...(u.report?.warnings ?? [])])
      cli.out(`    ${formatDiagnostic(d, u.path)}`);
    cli.out(
      u.text
        .replace(/\n$/, '')
        .split('\n')
        .map((l) => `    | ${l}`)
        .join('\n'),
    );
  }
}

export function registerMediaCommands(program: Command, cli: CliContext): void {
  const iso = program
    .command('iso')
    .description(
      'installer ISOs: bake user-data in (build), inspect, extract files, manage base ISOs and artifacts',
    );

  iso
    .command('build')
    .description(
      'bake user-data into a copy of a base installer ISO at /config.yaml (keeps BIOS/UEFI boot records and the hybrid MBR/GPT), check the output, store it',
    )
    .requiredOption('--base <iso>', 'base installer ISO: a path, or a stored base ISO ID (iso base list)')
    .option('--user-data <file>', 'user-data file (#cloud-config YAML)')
    .option('--profile <name>', 'use a saved profile instead of a file')
    .option(
      '--host <id>',
      "render the profile for this host (its edge host ID, network values, tags); alone: the host's own profile",
    )
    .requiredOption('-o, --out <file>', 'output ISO (written to a temporary file, renamed into place)')
    .option('--force', 'replace an existing output')
    .option(
      '--compact',
      "write a fresh image instead of copying the base and appending the user-data (slower; drops the base's replaced bytes)",
    )
    .option('--json', 'print one JSON result object (progress as JSON lines before it)')
    .addHelpText(
      'after',
      `
The user-data is validated first (same FILE:LINE:COL errors as \`userdata validate\`; exit 1).
The base must be an ISO 9660 image: ENOTISO, ETRUNCATED and ENOTFOUND stop the build; a base
without boot records only warns (ENOBOOT: the result will not boot).
After writing, the output is read back: /config.yaml byte-identical, every boot entry of the
base present, hybrid MBR/GPT kept. Nothing is left behind on failure, ENOSPC or Ctrl-C.

Examples:
  edgebench iso build --base palette-edge-installer.iso --user-data site-a.yaml -o site-a.iso
  edgebench iso build --base base-3f2a1c9d8e7b --profile retail --host store-0042 -o store-0042.iso --json`,
    )
    .action(async (o: UdOpts & { base: string; out: string; compact?: boolean }) => {
      const r = await buildInstallerIso(cli.app, {
        base: o.base,
        ...udSpec(o),
        out: o.out,
        force: o.force,
        compact: o.compact,
        signal: cli.signal,
        onProgress: cli.progressPrinter(o),
      });
      const summary = {
        ok: true,
        artifactId: r.artifact.id,
        path: r.path,
        size: r.size,
        sha256: r.sha256,
        baseSha256: r.baseSha256,
        userDataSha256: r.userDataSha256,
        userDataSource: r.userDataSource,
        volumeId: r.output.volumeId,
        boot: r.artifact.meta.boot,
        warnings: r.warnings,
        userDataWarnings: r.userDataWarnings,
        ms: r.ms,
      };
      if (cli.json(o)) return cli.jsonLine(summary);
      for (const w of r.warnings) cli.err(`warning: ${w.code}: ${w.message}`);
      for (const w of r.userDataWarnings) cli.err(`warning: ${w}`);
      cli.out(`Built ${r.path}`);
      cli.out(`  sha256           ${r.sha256}`);
      cli.out(`  size             ${formatBytes(r.size)} (${r.size} bytes)`);
      cli.out(`  base sha256      ${r.baseSha256}`);
      cli.out(`  user-data sha256 ${r.userDataSha256} (${r.userDataSource})`);
      cli.out(`  boot             ${(r.artifact.meta.boot as string[]).join('; ')}`);
      cli.out(`  artifact         ${r.artifact.id}  (${(r.ms / 1000).toFixed(1)} s)`);
    });

  iso
    .command('inspect <iso>')
    .description(
      'show an ISO: volume id, boot entries (BIOS El Torito, UEFI), hybrid MBR/GPT, Kairos layout, embedded user-data (validated), size, SHA-256',
    )
    .option('--no-hash', 'skip the SHA-256 (faster on big images)')
    .option('--json', 'JSON output')
    .action(async (file: string, o: { json?: boolean; hash?: boolean }) => {
      const r = await inspectIso(file, { signal: cli.signal, hash: o.hash !== false });
      if (cli.json(o)) return cli.jsonLine({ ok: true, ...r });
      printInspection(cli, r);
    });

  iso
    .command('extract <iso> <path>')
    .description(
      'copy one file out of an ISO, e.g. /boot/kernel, /boot/initrd, /rootfs.squashfs (PXE uses these)',
    )
    .requiredOption('-o, --out <file>', 'output file')
    .option('--force', 'replace an existing output')
    .option('--json', 'JSON output')
    .action(async (file: string, p: string, o: { out: string; force?: boolean; json?: boolean }) => {
      const r = await extractFromIso(file, p, o.out, { signal: cli.signal, force: Boolean(o.force) });
      if (cli.json(o)) return cli.jsonLine({ ok: true, ...r });
      cli.out(`Extracted ${r.pathInIso} (${formatBytes(r.size)}) to ${r.out}`);
    });

  const base = iso.command('base').description('base installer ISOs kept in the store');
  base
    .command('add <source>')
    .description(
      'add a base ISO from a local path or an HTTPS URL (streamed download with progress into the data directory, resumable, SHA-256 checked)',
    )
    .option('--sha256 <hex>', 'expected SHA-256; the ISO is refused when it differs (ECHECKSUM)')
    .option('--name <name>', 'display name (default: the file name)')
    .option('--ca <file>', 'extra CA certificate (PEM) to trust for the HTTPS download')
    .option('--json', 'JSON output')
    .action(async (source: string, o: { sha256?: string; name?: string; ca?: string; json?: boolean }) => {
      const b = await addBaseIso(cli.app, {
        source,
        sha256: o.sha256,
        name: o.name,
        caFile: o.ca,
        signal: cli.signal,
        onProgress: cli.progressPrinter(o),
      });
      if (cli.json(o)) return cli.jsonLine({ ok: true, base: b });
      cli.out(`Added base ISO ${b.id}: ${b.name}`);
      cli.out(`  path    ${b.path}`);
      cli.out(`  sha256  ${b.sha256}`);
      cli.out(`  size    ${formatBytes(b.size)}  volume ${b.volumeId}`);
    });
  base
    .command('list')
    .description('list base ISOs')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const list = await cli.app.store.media.listBases();
      if (cli.json(o)) return cli.jsonLine({ ok: true, bases: list });
      if (!list.length) return cli.out('No base ISOs. Add one with: edgebench iso base add PATH|URL');
      cli.out(['ID', 'NAME', 'SIZE', 'VOLUME', 'SHA256', 'PATH'].join('\t'));
      for (const b of list)
        cli.out([b.id, b.name, formatBytes(b.size), b.volumeId, b.sha256, b.path].join('\t'));
    });

  iso
    .command('artifacts')
    .description('list built media (installer ISOs, site media, VM variants) with their hashes')
    .option('--kind <kind>', 'only this kind: iso, site-iso, site-fat, raw, qcow2, vmdk, ova, ami')
    .option('--host <id>', 'only artifacts of this host')
    .option('--json', 'JSON output')
    .action(async (o: { kind?: string; host?: string; json?: boolean }) => {
      const list = (await cli.app.store.artifacts.list({ kind: o.kind, hostId: o.host })).filter((a) =>
        MEDIA_KINDS.includes(a.kind),
      );
      if (cli.json(o)) return cli.jsonLine({ ok: true, artifacts: list });
      if (!list.length) return cli.out('No media artifacts yet.');
      cli.out(['ID', 'KIND', 'SIZE', 'SHA256', 'PROFILE', 'HOST', 'PATH'].join('\t'));
      for (const a of list)
        cli.out(
          [a.id, a.kind, formatBytes(a.size), a.sha256, a.profile ?? '-', a.hostId ?? '-', a.path].join('\t'),
        );
    });

  program
    .command('site-media')
    .description(
      'build a site user-data medium: a non-bootable cidata ISO (default) or a FAT image labelled CIDATA',
    )
    .option('--user-data <file>', 'user-data file (#cloud-config YAML)')
    .option('--profile <name>', 'use a saved profile instead of a file')
    .option('--host <id>', 'render the profile for this host')
    .requiredOption('-o, --out <file>', 'output: site.iso or site.img')
    .option(
      '--format <format>',
      'iso (volume id cidata, Joliet + Rock Ridge) or fat (label CIDATA, to flash to a stick)',
    )
    .option('--force', 'replace an existing output')
    .option('--json', 'JSON output')
    .action(async (o: UdOpts & { out: string; format?: string }) => {
      const format = o.format ?? (/\.(img|fat|raw)$/i.test(o.out) ? 'fat' : 'iso');
      if (format !== 'iso' && format !== 'fat')
        throw new AppError('EUSAGE', `--format must be iso or fat, not ${format}`);
      const a = await buildSiteMedia(cli.app, {
        ...udSpec(o),
        format,
        out: o.out,
        force: o.force,
        signal: cli.signal,
      });
      if (cli.json(o)) return cli.jsonLine({ ok: true, artifact: a });
      cli.out(`Built ${a.path} (${a.kind}, ${formatBytes(a.size)})`);
      cli.out(`  sha256  ${a.sha256}`);
    });

  const variant = program.command('variant').description('VM variants of the installer with baked user-data');
  variant
    .command('build')
    .description(
      'build a VM variant: raw or qcow2 disk image, streamOptimized vmdk, OVA (OVF 1.0), or ami (raw + AWS import metadata)',
    )
    .requiredOption('--base <iso>', 'base installer ISO (path or stored base ISO ID)')
    .option('--user-data <file>', 'user-data file (#cloud-config YAML)')
    .option('--profile <name>', 'use a saved profile instead of a file')
    .option('--host <id>', 'render the profile for this host')
    .requiredOption(
      '-o, --out <file>',
      'output file (for ami: the raw image; metadata files are written beside it)',
    )
    .requiredOption('--format <format>', VARIANT_FORMATS.join('|'))
    .option('--force', 'replace existing outputs')
    .option('--json', 'JSON output')
    .action(async (o: UdOpts & { base: string; out: string; format: string }) => {
      if (!(VARIANT_FORMATS as readonly string[]).includes(o.format))
        throw new AppError(
          'EUSAGE',
          `--format must be one of ${VARIANT_FORMATS.join(', ')}, not ${o.format}`,
        );
      const r = await buildVariant(cli.app, {
        base: o.base,
        ...udSpec(o),
        format: o.format as (typeof VARIANT_FORMATS)[number],
        out: o.out,
        force: o.force,
        signal: cli.signal,
        onProgress: cli.progressPrinter(o),
      });
      if (cli.json(o))
        return cli.jsonLine({ ok: true, artifact: r.artifact, files: r.files, notes: r.notes });
      cli.out(`Built ${r.artifact.path} (${r.artifact.kind}, ${formatBytes(r.artifact.size)})`);
      cli.out(`  sha256  ${r.artifact.sha256}`);
      for (const f of r.files.slice(1)) cli.out(`  also    ${f}`);
      for (const n of r.notes) cli.out(`  note    ${n}`);
    });
}
