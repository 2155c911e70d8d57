// Small helpers shared by the register capability's CLI command files.
import { AppError } from '../../../shared/errors';
import type { CliContext } from '../context';

export const collect = (v: string, prev: string[] = []) => [...prev, v];

/** A plain aligned text table. */
export function table(cli: CliContext, head: string[], rows: string[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (c ?? '').padEnd(w[i]))
      .join('  ')
      .trimEnd();
  cli.out(line(head));
  for (const r of rows) cli.out(line(r));
}

/** --tags k=v,k=v */
export function parseTags(s?: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!s) return out;
  for (const part of s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0) throw new AppError('EUSAGE', `--tags takes k=v,k=v; "${part}" has no "="`);
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}
