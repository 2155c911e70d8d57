// What every CLI command gets: the app (store opened lazily), output helpers honouring --json,
// a cancellation signal wired to Ctrl-C, and a progress printer.
import type { Command } from 'commander';
import { createApp, type AppContext } from '../app';
import type { ProgressEvent } from '../../shared/progress';
import { formatBytes, formatDuration } from '../../shared/format';

export interface GlobalOptions {
  json?: boolean;
  dataDir?: string;
  verbose?: boolean;
  color?: boolean;
}

export class CliContext {
  private appInstance?: AppContext;
  readonly abort = new AbortController();
  constructor(private readonly program: Command) {}

  get opts(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }
  /** True when this command prints JSON (global --json or the command's own --json). */
  json(cmdOpts?: { json?: boolean }): boolean {
    return Boolean(this.opts.json || cmdOpts?.json);
  }
  get app(): AppContext {
    if (!this.appInstance)
      this.appInstance = createApp({ dataDir: this.opts.dataDir, echoLog: this.opts.verbose });
    return this.appInstance;
  }
  get signal(): AbortSignal {
    return this.abort.signal;
  }
  async close(): Promise<void> {
    await this.appInstance?.close();
  }

  out(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }
  err(text: string): void {
    process.stderr.write(text.endsWith('\n') ? text : text + '\n');
  }
  /** Print one JSON value on its own line (used for results and for streamed events). */
  jsonLine(value: unknown): void {
    process.stdout.write(JSON.stringify(value) + '\n');
  }

  /** A progress sink: JSON lines with --json, a redrawn bar on a TTY, a line per phase otherwise. */
  progressPrinter(cmdOpts?: { json?: boolean }): (e: ProgressEvent) => void {
    if (this.json(cmdOpts)) return (e) => this.jsonLine({ type: 'progress', ...e });
    const tty = process.stderr.isTTY;
    let lastPhase = '';
    let lastPrint = 0;
    return (e) => {
      const now = Date.now();
      if (!tty) {
        const key = `${e.item ?? ''}:${e.phase}`;
        if (key !== lastPhase) {
          lastPhase = key;
          this.err(`${e.item ? e.item + ': ' : ''}${e.phase}${e.message ? ' - ' + e.message : ''}`);
        }
        return;
      }
      if (now - lastPrint < 100 && e.percent !== 100) return;
      lastPrint = now;
      process.stderr.write(`\r\x1b[K${renderBar(e)}`);
      if (e.percent === 100) process.stderr.write('\n');
    };
  }
}

export function renderBar(e: ProgressEvent, width = 30): string {
  const pct = Math.max(0, Math.min(100, e.percent ?? 0));
  const filled = Math.round((pct / 100) * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const parts = [
    `${e.item ? e.item + ' ' : ''}${e.phase.padEnd(12)}`,
    `[${bar}]`,
    `${pct.toFixed(0).padStart(3)}%`,
  ];
  if (e.speed) parts.push(`${formatBytes(e.speed)}/s`);
  if (e.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(e.etaSeconds)}`);
  return parts.join(' ');
}
