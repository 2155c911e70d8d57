// `edgebench serve` (headless UI over HTTP/WebSocket) and `edgebench start` (the desktop app
// where an Electron binary exists, otherwise serve).
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { startServer } from '../../server/serve';
import type { CliContext } from '../context';

export function parseListen(s: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(s) ?? /^()()(\d{1,5})$/.exec(s);
  if (!m)
    throw new AppError('EUSAGE', `--listen takes ADDR:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), not "${s}"`);
  const port = Number(m[3]);
  if (port > 65535) throw new AppError('EUSAGE', `port ${port} is out of range`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

async function serve(
  cli: CliContext,
  listen: string,
  opts: { json?: boolean; token?: string },
): Promise<void> {
  const { host, port } = parseListen(listen);
  const srv = await startServer({
    app: cli.app,
    host,
    port,
    token: opts.token ?? process.env.EDGEBENCH_TOKEN,
  });
  if (cli.json(opts))
    cli.jsonLine({ type: 'listening', url: srv.url, openUrl: srv.openUrl, token: srv.token });
  else {
    cli.out(`Edgebench is serving on ${srv.url}`);
    cli.out(`Open this URL (it carries the access token):\n\n    ${srv.openUrl}\n`);
    if (!['127.0.0.1', 'localhost', '::1'].includes(host))
      cli.out('Listening beyond loopback: anyone with the token can use the workbench.');
    cli.out('Press Ctrl-C to stop.');
  }
  await new Promise<void>((resolve) => {
    if (cli.signal.aborted) return resolve();
    cli.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await srv.close();
  if (!cli.json(opts)) cli.out('Stopped.');
}

function electronBinary(): string | undefined {
  try {
    const dir = path.dirname(require.resolve('electron/package.json'));
    const p = path.join(dir, 'path.txt');
    if (!fs.existsSync(p)) return undefined;
    const exe = path.join(dir, 'dist', fs.readFileSync(p, 'utf8').trim());
    return fs.existsSync(exe) ? exe : undefined;
  } catch {
    return undefined;
  }
}

export function registerServeCommands(program: Command, cli: CliContext): void {
  program
    .command('serve')
    .description(
      'serve the workbench UI and its API over HTTP + WebSocket (loopback by default, token-protected)',
    )
    .option('--listen <addr:port>', 'address and port to listen on', '127.0.0.1:8080')
    .option('--token <token>', 'use this access token instead of a random one (or set EDGEBENCH_TOKEN)')
    .option('--json', 'print the listening URL as JSON')
    .action(async (o: { listen: string; json?: boolean; token?: string }) => serve(cli, o.listen, o));

  program
    .command('start')
    .description(
      'start the workbench: the Electron app when its binary is installed, otherwise `serve` with the URL to open',
    )
    .option('--listen <addr:port>', 'address and port for the fallback server', '127.0.0.1:8080')
    .action(async (o: { listen: string }) => {
      const exe = electronBinary();
      const main = path.resolve(__dirname, '..', 'electron', 'main.cjs');
      if (exe && fs.existsSync(main)) {
        const child = spawn(exe, [main], {
          stdio: 'inherit',
          env: { ...process.env, EDGEBENCH_DATA_DIR: cli.app.dataDir },
        });
        await new Promise<void>((r) => child.on('exit', () => r()));
        return;
      }
      cli.err('No Electron binary is installed here; starting the workbench as a local web server instead.');
      await serve(cli, o.listen, {});
    });
}
