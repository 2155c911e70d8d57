// CLI commands of the register capability: register and sync here; palette, site/cluster and
// labels/export live beside this file. See docs/register.md.
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { isTransient } from '../../palette/errors';
import { loadSettings } from '../../palette/credentials';
import { enqueueRegistration, syncRegistrations } from '../../register/queue';
import type { CliContext } from '../context';
import { parseTags, table } from './register-shared';
export { parseTags };
import { registerPalette } from './palette';
import { registerClusters, registerSites } from './sites';
import { registerLabelsExport } from './labels';

function registerRegisterSync(program: Command, cli: CliContext): void {
  program
    .command('register <host...>')
    .description(
      'pre-register hosts from the store in Palette (queued durably; queued for later when Palette is unreachable)',
    )
    .option('--tags <k=v,...>', 'extra tags (Palette labels)')
    .option('--site <site>', 'assign the hosts to this site first')
    .option('--queue-only', 'queue without sending now')
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      '\nExamples:\n  edgebench register edge-0001 edge-0002 --site store-042 --tags rack=3,env=prod\n  edgebench sync          # replay anything queued while offline',
    )
    .action(
      async (hosts: string[], o: { tags?: string; site?: string; queueOnly?: boolean; json?: boolean }) => {
        const tags = parseTags(o.tags);
        const jobs = [];
        for (const h of hosts)
          jobs.push(await enqueueRegistration(cli.app, { hostId: h, tags, site: o.site }));
        if (o.queueOnly || !(await loadSettings(cli.app))) {
          if (cli.json(o)) return cli.jsonLine({ ok: true, queued: jobs.map((j) => j.id), sync: null });
          return cli.out(
            `Queued ${jobs.length} registration(s). ${o.queueOnly ? '' : 'No Palette login yet: run `edgebench palette login`, then `edgebench sync`.'}`,
          );
        }
        const r = await syncRegistrations(cli.app, {
          signal: cli.signal,
          onProgress: cli.progressPrinter(o),
        });
        const states = await Promise.all(jobs.map(async (j) => (await cli.app.store.register.getJob(j.id))!));
        if (cli.json(o)) {
          cli.jsonLine({
            ok: !r.stoppedBy || isTransientCode(r.stoppedBy.code),
            queued: jobs.map((j) => j.id),
            sync: r,
            jobs: states,
          });
        } else {
          for (const j of states)
            cli.out(
              `${j.hostId}: ${j.state === 'done' ? (j.created ? 'registered' : 'already registered (matching record)') : j.state === 'failed' ? `FAILED ${j.lastError?.code}: ${j.lastError?.message}` : `queued (${j.lastError?.code ?? 'not sent yet'})`}`,
            );
          if (r.stoppedBy && isTransientCode(r.stoppedBy.code))
            cli.out(
              `Palette is unreachable (${r.stoppedBy.code}): ${r.pending} registration(s) stay queued; run \`edgebench sync\` later.`,
            );
        }
        if (r.stoppedBy && !isTransientCode(r.stoppedBy.code)) throw AppError.fromData(r.stoppedBy as never);
        if (r.failed) process.exitCode = 4;
      },
    );

  program
    .command('sync')
    .description('replay queued registrations in order (safe to interrupt: nothing is lost or sent twice)')
    .option('--list', 'only list the queue (and failed jobs)')
    .option('--retry-failed', 'put failed jobs back in the queue first')
    .option('--json', 'JSON output')
    .action(async (o: { list?: boolean; retryFailed?: boolean; json?: boolean }) => {
      const repo = cli.app.store.register;
      if (o.retryFailed)
        for (const j of await repo.listJobs()) if (j.state === 'failed') await repo.retry(j.id);
      if (o.list) {
        const jobs = await repo.listJobs();
        if (cli.json(o)) return cli.jsonLine({ ok: true, jobs });
        if (!jobs.length) return cli.out('The registration queue is empty.');
        table(
          cli,
          ['SEQ', 'HOST', 'STATE', 'ATTEMPTS', 'LAST ERROR'],
          jobs.map((j) => [
            String(j.seq),
            j.hostId,
            j.state,
            String(j.attempts),
            j.lastError ? `${j.lastError.code}: ${j.lastError.message}` : '-',
          ]),
        );
        return;
      }
      const r = await syncRegistrations(cli.app, { signal: cli.signal, onProgress: cli.progressPrinter(o) });
      if (cli.json(o)) cli.jsonLine({ ok: !r.stoppedBy, ...r });
      else {
        cli.out(`${r.done} registered, ${r.failed} failed, ${r.pending} still queued.`);
        if (r.stoppedBy) cli.out(`Stopped: ${r.stoppedBy.code}: ${r.stoppedBy.message}`);
      }
      if (r.stoppedBy) throw AppError.fromData(r.stoppedBy as never);
      if (r.failed) process.exitCode = 4;
    });
}

function isTransientCode(code: string): boolean {
  return isTransient(new AppError(code as never, ''));
}

export function registerRegisterCommands(program: Command, cli: CliContext): void {
  registerPalette(program, cli);
  registerRegisterSync(program, cli);
  registerSites(program, cli);
  registerClusters(program, cli);
  registerLabelsExport(program, cli);
}
