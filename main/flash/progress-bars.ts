// Multi-line progress bars for the CLI: one line per target, redrawn in place on a terminal;
// one line per phase change otherwise (logs stay readable).
import { formatBytes, formatDuration } from '../../shared/format';
import type { ProgressEvent } from '../../shared/progress';

export function barLine(e: ProgressEvent, width = 24, label = e.item ?? ''): string {
  const pct = Math.max(0, Math.min(100, e.percent ?? 0));
  const filled = Math.round((pct / 100) * width);
  const parts = [
    label,
    (e.phase ?? '').padEnd(11),
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`,
    `${pct.toFixed(0).padStart(3)}%`,
  ];
  if (e.speed) parts.push(`${formatBytes(e.speed)}/s`);
  if (e.etaSeconds !== undefined && e.phase !== 'done') parts.push(`ETA ${formatDuration(e.etaSeconds)}`);
  if (e.message) parts.push(e.message);
  return parts.join(' ');
}

export class MultiBar {
  private readonly state = new Map<string, ProgressEvent>();
  private readonly lastPhase = new Map<string, string>();
  private drawn = 0;
  private last = 0;
  private readonly width: number;
  constructor(
    private readonly targets: string[],
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.width = Math.max(...targets.map((t) => t.length), 4);
    for (const t of targets) this.state.set(t, { phase: 'waiting', item: t, percent: 0 });
  }
  update(e: ProgressEvent): void {
    const key = e.item ?? '';
    this.state.set(key, e);
    if (!this.out.isTTY) {
      if (this.lastPhase.get(key) !== e.phase) {
        this.lastPhase.set(key, e.phase);
        this.out.write(`${key}: ${e.phase}${e.message ? ' - ' + e.message : ''}\n`);
      }
      return;
    }
    const now = Date.now();
    if (now - this.last < 100 && e.phase !== 'done' && e.phase !== 'failed') return;
    this.last = now;
    this.draw();
  }
  private draw(): void {
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A`);
    const keys = [...new Set([...this.targets, ...this.state.keys()])];
    for (const k of keys)
      this.out.write(`\r\x1b[K${barLine(this.state.get(k)!, 24, k.padEnd(this.width))}\n`);
    this.drawn = keys.length;
  }
  finish(): void {
    if (this.out.isTTY && this.state.size) this.draw();
  }
}
