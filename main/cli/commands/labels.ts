// CLI: edgebench labels and export terraform. See docs/register.md.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { hostsForLabels, labelData, requireRegistrationURL, writeLabels } from '../../register/labels';
import { exportTerraform } from '../../register/terraform';
import { writeFileAtomic } from '../../core/fs-safe';
import type { CliContext } from '../context';

export function registerLabelsExport(program: Command, cli: CliContext): void {
  program
    .command('labels')
    .description('QR labels: a PDF sheet (-o labels.pdf) or PNG + SVG per host (-o DIR)')
    .option('--hosts <ids>', 'comma-separated host IDs')
    .option('--all', 'every host (of --site when given)')
    .option('--site <site>', 'only hosts of this site')
    .option('--url <registrationURL>', 'registration URL for the QR codes (saved for next time)')
    .option('--paper <size>', 'A4 | Letter', 'A4')
    .requiredOption('-o, --output <file.pdf|dir>', 'output PDF file or folder')
    .option('--force', 'replace existing files')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      "\nThe QR code holds REGISTRATION_URL?uid=HOST_ID (Edgebench's page reads `uid`).\nExample:\n  edgebench labels --all --site store-042 --url https://bench.local:8080/register -o labels.pdf",
    )
    .action(
      async (o: {
        hosts?: string;
        all?: boolean;
        site?: string;
        url?: string;
        paper: string;
        output: string;
        force?: boolean;
        json?: boolean;
      }) => {
        if (!o.hosts && !o.all) throw new AppError('EUSAGE', 'name hosts with --hosts ID,ID or pass --all');
        if (o.paper !== 'A4' && o.paper !== 'Letter') throw new AppError('EUSAGE', '--paper is A4 or Letter');
        const url = await requireRegistrationURL(cli.app, o.url);
        const ids = o.hosts
          ? o.hosts
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean)
          : [];
        const hosts = await hostsForLabels(cli.app, ids, o.site);
        const labels = hosts.map((h) => labelData(h, url));
        const r = await writeLabels(o.output, labels, { paper: o.paper, force: o.force });
        if (cli.json(o))
          return cli.jsonLine({
            ok: true,
            count: labels.length,
            files: r.files,
            urls: labels.map((l) => l.url),
          });
        cli.out(
          `Wrote ${labels.length} label(s): ${o.output.toLowerCase().endsWith('.pdf') ? o.output : `${r.files.length} files in ${o.output}`}`,
        );
      },
    );
  const ex = program.command('export').description('export Edgebench records for other tools');
  ex.command('terraform')
    .description(
      'HCL: spectrocloud_appliance per registered host, spectrocloud_cluster_edge_native per site cluster (no API key written)',
    )
    .option('-o, --output <dir>', 'output folder', 'terraform')
    .option('--force', 'replace existing files')
    .option('--json', 'JSON output')
    .action(async (o: { output: string; force?: boolean; json?: boolean }) => {
      const files = await exportTerraform(cli.app);
      fs.mkdirSync(o.output, { recursive: true });
      for (const f of files)
        await writeFileAtomic(path.join(o.output, f.name), f.content, { force: o.force });
      if (cli.json(o))
        return cli.jsonLine({ ok: true, files: files.map((f) => path.join(o.output, f.name)) });
      cli.out(`Wrote ${files.map((f) => path.join(o.output, f.name)).join(', ')}`);
    });
}
