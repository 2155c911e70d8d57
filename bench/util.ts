// Helpers for benchmarks: timing, peak memory, and writing results.
import fs from 'node:fs';
import path from 'node:path';

export async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

export function writeResult(name: string, result: Record<string, unknown>): void {
  const dir = path.join('test-artifacts', 'bench');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, `${name}.json`),
    JSON.stringify({ name, date: new Date().toISOString(), ...result }, null, 2),
  );
  console.log(JSON.stringify(result, null, 2));
}
