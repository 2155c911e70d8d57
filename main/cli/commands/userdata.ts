// CLI commands of the userdata capability: `userdata validate|render|convert`, `profile ...`,
// `installer-env import|export`. Thin wrappers over main/userdata. See docs/userdata.md.
import type { Command } from 'commander';
import { AppError, isAppError } from '../../../shared/errors';
import { formatDiagnostic, type Diagnostic } from '../../../shared/userdata/diagnostics';
import { convertFlatNetwork } from '../../../shared/userdata/network-convert';
import { analyzeUserData } from '../../../shared/userdata/validate';
import { decodeText, writeFileAtomic } from '../../core/fs-safe';
import { readUserDataFile, USERDATA_MAX_BYTES } from '../../userdata/files';
import {
  exportInstallerEnv,
  exportProfileFile,
  getInstallerEnv,
  getProfile,
  importInstallerEnvFile,
  importProfileFile,
} from '../../userdata/profiles';
import { renderProfileText } from '../../userdata/render';
import { hashPlainPasswords } from '../../userdata/passwords';
import type { CliContext } from '../context';
import { EXIT } from '../exit-codes';

/** Print the diagnostics an AppError carries (FILE:LINE:COL path message), then rethrow it. */
async function showingDiagnostics<T>(
  cli: CliContext,
  file: string,
  json: boolean,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const diags = isAppError(e)
      ? (e.details as { diagnostics?: Diagnostic[] } | undefined)?.diagnostics
      : undefined;
    if (diags && !json) for (const d of diags) cli.err(formatDiagnostic(d, file));
    throw e;
  }
}

function printReport(cli: CliContext, file: string, errors: Diagnostic[], warnings: Diagnostic[]) {
  for (const d of errors) cli.out(formatDiagnostic(d, file));
  for (const d of warnings) cli.out(formatDiagnostic({ ...d, message: `warning: ${d.message}` }, file));
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/** Standard input as user-data text, with the same size and encoding checks as a file. */
async function readStdinText(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
    size += b.length;
    if (size > USERDATA_MAX_BYTES)
      throw new AppError(
        'ETOOLARGE',
        `standard input is over ${USERDATA_MAX_BYTES} bytes; user-data may be at most 1 MiB`,
      );
    chunks.push(b);
  }
  return decodeText(Buffer.concat(chunks), 'standard input', 'user-data file');
}

export function registerUserdataCommands(program: Command, cli: CliContext): void {
  const ud = program
    .command('userdata')
    .description(
      'installer user-data (Kairos cloud-config with Palette stylus keys): validate, render, convert',
    );

  ud.command('validate <files...>')
    .description('check user-data files; every finding is printed as FILE:LINE:COL key.path message')
    .option('--json', 'print {ok, file, valid, errors, warnings} as JSON, one line per file')
    .addHelpText(
      'after',
      `
Checks: the #cloud-config first line, YAML syntax, duplicate keys, key types, typos of known keys
(warnings), central management needs stylus.site.paletteEndpoint and edgeHostToken or
registrationURL, static interfaces need ipAddress, mask (or /prefix) and a gateway inside the
subnet, IPv4/URL syntax, the edge host ID rule, SSH public keys, CA certificates, and the two
mistakes in Palette's docs (initramfs beside stages, users written as a list).
Profile templates may hold {{host.id}}-style placeholders (a warning). "-" reads standard input.

Exit codes: 0 all valid (warnings are printed), 1 any invalid or unreadable (binary, UTF-16,
not UTF-8, over 1 MiB), 5 file not found (a single file).

Example:
  edgebench userdata validate user-data
  user-data:14:9 stylus.site.network.interfaces.eth0.gateway static interface eth0 needs gateway`,
    )
    .action(async (files: string[], o: { json?: boolean }) => {
      let anyInvalid = false;
      for (const file of files) {
        let text: string;
        try {
          text = file === '-' ? await readStdinText() : await readUserDataFile(file);
        } catch (e) {
          if (files.length === 1 || !isAppError(e)) throw e;
          anyInvalid = true;
          if (cli.json(o)) cli.jsonLine({ ok: false, file, error: e.toData() });
          else cli.err(`${file}: ${e.code}: ${e.message}`);
          continue;
        }
        const name = file === '-' ? '<stdin>' : file;
        const r = analyzeUserData(text).report;
        if (!r.valid) anyInvalid = true;
        if (cli.json(o)) cli.jsonLine({ ok: r.valid, file: name, ...r });
        else {
          printReport(cli, name, r.errors, r.warnings);
          cli.err(
            r.valid
              ? `${name}: valid${r.warnings.length ? ` (${plural(r.warnings.length, 'warning')})` : ''}`
              : `${name}: invalid: ${plural(r.errors.length, 'error')}, ${plural(r.warnings.length, 'warning')}`,
          );
        }
      }
      if (anyInvalid) process.exitCode = EXIT.INVALID;
    });

  ud.command('render')
    .description("write one host's user-data from a profile (to stdout, or -o FILE)")
    .requiredOption('--profile <name>', 'the profile (template) to render')
    .option('--host <id>', 'the host (from "edgebench hosts") whose ID, static IP and tags fill the template')
    .option('-o, --output <file>', 'write to FILE (temporary file + rename) instead of stdout')
    .option('--force', 'replace FILE if it exists')
    .option(
      '--keep-plain-passwords',
      'keep plain-text passwd values plain (default: hash them with SHA-512 crypt)',
    )
    .addHelpText(
      'after',
      `
The host's values fill {{host.id}}, {{host.<value>}} and {{values.<value>}} placeholders; then
stylus.site.name is set to the host ID, hostName from the host's hostName value, the static NIC
(nic, default eth0) from ipAddress, mask, gateway, nameserver, and the host's tags are merged into
stylus.site.tags. The result is validated; an invalid result is not written (exit 1).

Examples:
  edgebench userdata render --profile store-template --host edge-0042 -o user-data
  edgebench userdata render --profile store-template   # a profile without placeholders`,
    )
    .action(
      async (o: {
        profile: string;
        host?: string;
        output?: string;
        force?: boolean;
        keepPlainPasswords?: boolean;
      }) => {
        await showingDiagnostics(cli, `profile:${o.profile}`, cli.json(), async () => {
          const profile = await getProfile(cli.app.store.profiles, o.profile);
          let host;
          if (o.host) {
            host = await cli.app.store.hosts.get(o.host);
            if (!host)
              throw new AppError(
                'ENOTFOUND',
                `no host with ID ${o.host} ("edgebench hosts list" shows the hosts)`,
              );
          }
          const text = renderProfileText(profile.userData, host, {
            keepPlainPasswords: o.keepPlainPasswords,
          });
          if (o.output) {
            await writeFileAtomic(o.output, text, { force: o.force });
            if (cli.json()) cli.jsonLine({ ok: true, output: o.output, profile: o.profile, host: o.host });
            else
              cli.err(`Wrote ${o.output}${o.host ? ` for host ${o.host}` : ''} from profile ${o.profile}.`);
          } else process.stdout.write(text);
        });
      },
    );

  ud.command('convert <file>')
    .description('rewrite the old flat stylus.site.network form as interfaces.<nic> (stdout, or -o FILE)')
    .option('-o, --output <file>', 'write to FILE instead of stdout (the same path as <file> needs --force)')
    .option('--nic <name>', 'interface name for the converted settings', 'eth0')
    .option('--force', 'replace FILE if it exists')
    .addHelpText(
      'after',
      `
Comments, key order and other keys stay. Proxies and noProxy stay under network; type, ipAddress,
mask, gateway and nameserver move to network.interfaces.<nic>. A file already in the current form
is printed unchanged.

Example:
  edgebench userdata convert old-user-data -o user-data`,
    )
    .action(async (file: string, o: { output?: string; nic: string; force?: boolean }) => {
      const text = await readUserDataFile(file);
      const r = convertFlatNetwork(text, o.nic);
      if (o.output) {
        await writeFileAtomic(o.output, r.text, { force: o.force });
        cli.err(
          r.changed
            ? `Converted the network section to interfaces.${o.nic}: ${o.output}`
            : `Nothing to convert; copied to ${o.output}`,
        );
      } else {
        process.stdout.write(r.text);
        if (!r.changed) cli.err('Nothing to convert: no flat network keys under stylus.site.network.');
      }
    });

  const profile = program
    .command('profile')
    .description('user-data profiles: templates shared by many hosts, kept in the store');

  profile
    .command('import <file>')
    .description('save a user-data file as a profile (validated; plain passwords hashed)')
    .requiredOption('--name <name>', 'profile name (letters, digits, ".", "_", "-")')
    .option('--description <text>', 'what the profile is for')
    .option('--force', 'replace an existing profile of that name')
    .option('--keep-plain-passwords', 'store plain-text passwd values as they are')
    .option('--allow-invalid', 'save even when validation finds errors (fix them later in the wizard)')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      `\nExample:\n  edgebench profile import user-data --name store-template --description "Stores, static IP"`,
    )
    .action(
      async (
        file: string,
        o: {
          name: string;
          description?: string;
          force?: boolean;
          keepPlainPasswords?: boolean;
          allowInvalid?: boolean;
          json?: boolean;
        },
      ) => {
        const r = await showingDiagnostics(cli, file, cli.json(o), () =>
          importProfileFile(cli.app.store.profiles, file, {
            name: o.name,
            description: o.description,
            overwrite: o.force,
            keepPlainPasswords: o.keepPlainPasswords,
            allowInvalid: o.allowInvalid,
          }),
        );
        if (cli.json(o))
          return cli.jsonLine({
            ok: true,
            profile: r.profile.name,
            replaced: r.replaced,
            hashed: r.hashed,
            report: r.report,
          });
        printReport(cli, file, r.report.errors, r.report.warnings);
        cli.out(
          `${r.replaced ? 'Replaced' : 'Saved'} profile ${r.profile.name}${r.hashed ? ` (${plural(r.hashed, 'password')} hashed)` : ''}.`,
        );
      },
    );

  profile
    .command('export <name>')
    .description('write a profile as a user-data file (stdout, or -o FILE); plain passwords are hashed')
    .option('-o, --output <file>', 'write to FILE (temporary file + rename)')
    .option('--force', 'replace FILE if it exists')
    .option('--keep-plain-passwords', 'keep plain-text passwd values plain')
    .action(async (name: string, o: { output?: string; force?: boolean; keepPlainPasswords?: boolean }) => {
      if (o.output) {
        const r = await exportProfileFile(cli.app.store.profiles, name, o.output, o);
        if (cli.json()) cli.jsonLine({ ok: true, output: o.output, hashed: r.hashed });
        else cli.err(`Wrote profile ${name} to ${o.output}.`);
      } else {
        const p = await getProfile(cli.app.store.profiles, name);
        process.stdout.write(o.keepPlainPasswords ? p.userData : hashPlainPasswords(p.userData).text);
      }
    });

  profile
    .command('list')
    .description('list profiles with their validation state')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const list = await cli.app.store.profiles.list();
      const rows = list.map((p) => {
        const r = analyzeUserData(p.userData).report;
        return {
          name: p.name,
          description: p.description,
          updatedAt: p.updatedAt,
          valid: r.valid,
          errors: r.errors.length,
          warnings: r.warnings.length,
        };
      });
      if (cli.json(o)) return cli.jsonLine({ ok: true, profiles: rows });
      if (!rows.length)
        return cli.out('No profiles. Import one with "edgebench profile import FILE --name NAME".');
      cli.out(['NAME', 'STATE', 'UPDATED', 'DESCRIPTION'].join('\t'));
      for (const r of rows)
        cli.out(
          [
            r.name,
            r.valid
              ? r.warnings
                ? `ok (${plural(r.warnings, 'warning')})`
                : 'ok'
              : `invalid (${plural(r.errors, 'error')})`,
            r.updatedAt,
            r.description || '-',
          ].join('\t'),
        );
    });

  profile
    .command('show <name>')
    .description("print a profile's user-data, description and recorded installer settings")
    .option('--json', 'JSON output')
    .action(async (name: string, o: { json?: boolean }) => {
      const p = await getProfile(cli.app.store.profiles, name);
      const env = await getInstallerEnv(cli.app.store.settings, name);
      const r = analyzeUserData(p.userData).report;
      if (cli.json(o)) return cli.jsonLine({ ok: true, profile: p, installerEnv: env, report: r });
      cli.err(`# profile ${p.name}${p.description ? ` — ${p.description}` : ''} (updated ${p.updatedAt})`);
      if (env)
        cli.err(
          `# installer settings: ${Object.entries(env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
        );
      process.stdout.write(p.userData.endsWith('\n') ? p.userData : p.userData + '\n');
      printReportToErr(cli, `profile:${name}`, r.errors, r.warnings);
    });

  profile
    .command('delete <name>')
    .description('delete a profile (hosts that name it keep the name)')
    .action(async (name: string) => {
      const deleted = await cli.app.store.profiles.delete(name);
      if (!deleted) throw new AppError('ENOTFOUND', `no profile named "${name}"`);
      await cli.app.store.settings.delete(`installerEnv:${name}`);
      if (cli.json()) cli.jsonLine({ ok: true, deleted: name });
      else cli.out(`Deleted profile ${name}.`);
    });

  const ie = program
    .command('installer-env')
    .description(
      "Palette's staging files: .installer.env (ISO_IMAGE, INSTALLER_VERSION, IMAGE_NAME, USER_DATA_FILE) and its user-data",
    );

  ie.command('import <file>')
    .description(
      'import .installer.env and the user-data file it names (USER_DATA_FILE, default user-data, relative to it) as a profile',
    )
    .option('--name <name>', 'profile name (default: ISO_IMAGE, else the folder name)')
    .option('--profile <name>', 'same as --name')
    .option('--force', 'replace an existing profile of that name')
    .option('--keep-plain-passwords', 'store plain-text passwd values as they are')
    .option('--allow-invalid', 'import even when the user-data has validation errors')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      `\nExample (a folder prepared for Palette's build-installer.sh):\n  edgebench installer-env import ./stylus-build/.installer.env --name retail`,
    )
    .action(
      async (
        file: string,
        o: {
          name?: string;
          profile?: string;
          force?: boolean;
          keepPlainPasswords?: boolean;
          allowInvalid?: boolean;
          json?: boolean;
        },
      ) => {
        const r = await showingDiagnostics(cli, file, cli.json(o), () =>
          importInstallerEnvFile(cli.app.store.profiles, cli.app.store.settings, file, {
            name: o.name ?? o.profile,
            overwrite: o.force,
            keepPlainPasswords: o.keepPlainPasswords,
            allowInvalid: o.allowInvalid,
          }),
        );
        if (cli.json(o))
          return cli.jsonLine({
            ok: true,
            profile: r.profile.name,
            env: r.env,
            userData: r.userDataPath,
            report: r.report,
          });
        printReport(cli, r.userDataPath, r.report.errors, r.report.warnings);
        cli.out(
          `Imported ${r.userDataPath} as profile ${r.profile.name}; recorded ${Object.keys(r.env).join(', ') || 'no settings'}.`,
        );
      },
    );

  ie.command('export')
    .description('write DIR/.installer.env and DIR/user-data from a profile, for build-installer.sh')
    .requiredOption('--profile <name>', 'the profile to export')
    .requiredOption('-o, --output <dir>', 'folder to write into (must exist)')
    .option('--force', 'replace existing files')
    .option('--keep-plain-passwords', 'keep plain-text passwd values plain')
    .action(async (o: { profile: string; output: string; force?: boolean; keepPlainPasswords?: boolean }) => {
      const r = await exportInstallerEnv(
        cli.app.store.profiles,
        cli.app.store.settings,
        o.profile,
        o.output,
        o,
      );
      if (cli.json()) cli.jsonLine({ ok: true, ...r });
      else cli.out(`Wrote ${r.envPath} and ${r.userDataPath}.`);
    });
}

function printReportToErr(cli: CliContext, file: string, errors: Diagnostic[], warnings: Diagnostic[]) {
  for (const d of errors) cli.err(formatDiagnostic(d, file));
  for (const d of warnings) cli.err(formatDiagnostic({ ...d, message: `warning: ${d.message}` }, file));
}
