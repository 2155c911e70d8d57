// The `edgebench` command line. Every capability registers its commands from
// main/cli/commands/<domain>.ts; this file wires global options, errors and exit codes.
import { Command, CommanderError } from 'commander';
import { AppError, describeError, isAppError } from '../../shared/errors';
import { toErrorData } from '../api/dispatch';
import { VERSION } from '../api/system-handlers';
import { CliContext } from './context';
import { EXIT, EXIT_CODE_HELP, exitCodeFor } from './exit-codes';
import { registerServeCommands } from './commands/serve';
import { registerHostCommands } from './commands/hosts';
import { registerUserdataCommands } from './commands/userdata';
import { registerMediaCommands } from './commands/media';
import { registerFlashCommands } from './commands/flash';
import { registerPxeCommands } from './commands/pxe';
import { registerRegisterCommands } from './commands/register';
import { registerStagingCommands } from './commands/staging';

export function buildProgram(): { program: Command; cli: CliContext } {
  const program = new Command('edgebench');
  const cli = new CliContext(program);
  program
    .description(
      'Edgebench: stage edge hosts for Palette (user-data, installer media, flashing, PXE, registration).',
    )
    .version(VERSION, '-V, --version')
    .option('--json', 'machine-readable JSON output')
    .option(
      '--data-dir <dir>',
      'where the store and caches live (default: $EDGEBENCH_DATA_DIR or the XDG data dir)',
    )
    .option('-v, --verbose', 'print log lines to stderr')
    .showHelpAfterError()
    .addHelpText('after', `\n${EXIT_CODE_HELP}\n\nDocumentation: README.md and docs/ in the repository.`)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });
  registerServeCommands(program, cli);
  registerUserdataCommands(program, cli);
  registerHostCommands(program, cli);
  registerMediaCommands(program, cli);
  registerFlashCommands(program, cli);
  registerPxeCommands(program, cli);
  registerRegisterCommands(program, cli);
  registerStagingCommands(program, cli);
  program.commands.forEach(function exitOverrideAll(c: Command): void {
    c.exitOverride();
    c.commands.forEach(exitOverrideAll);
  });
  return { program, cli };
}

export async function main(argv: string[]): Promise<number> {
  const { program, cli } = buildProgram();
  let interrupted = 0;
  const onSigint = () => {
    interrupted++;
    if (interrupted > 1) process.exit(EXIT.CANCELLED);
    cli.abort.abort(new AppError('ECANCELLED', 'Cancelled by Ctrl-C'));
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return EXIT.OK;
      if (cli.json()) cli.jsonLine({ ok: false, error: { code: 'EUSAGE', message: e.message } });
      return EXIT.USAGE;
    }
    const data = toErrorData(e);
    if (cli.json()) {
      cli.jsonLine({ ok: false, error: data });
    } else {
      const d = describeError(data);
      cli.err(`edgebench: ${data.code}: ${data.message}`);
      if (data.code !== 'EINVALID' || !isAppError(e)) cli.err(`  ${d.hint}`);
      if (data.code === 'EINTERNAL' && e instanceof Error && e.stack && cli.opts.verbose) cli.err(e.stack);
    }
    return exitCodeFor(data.code);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await cli.close().catch(() => undefined);
  }
}

/** Entry used by bin/edgebench.cjs. */
export function runCli(): void {
  // `edgebench ... | head`: a closed pipe ends the command quietly instead of crashing.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  main(process.argv).then(
    (code) => {
      // Long-running servers keep the event loop alive themselves; everything else ends here.
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`edgebench: EINTERNAL: ${String(e)}\n`);
      process.exitCode = EXIT.FAILED;
    },
  );
}
