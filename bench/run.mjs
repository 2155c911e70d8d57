// `npm run bench [-- NAME...]`: bundles each bench/*.bench.ts with esbuild and runs them one after
// another in a fresh Node process. Each bench prints its numbers and writes
// test-artifacts/bench/<name>.json.
import { build } from 'esbuild';
import { readdirSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const only = process.argv.slice(2);
const files = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !only.length || only.includes(f.replace('.bench.ts', '')));
mkdirSync('test-artifacts/bench', { recursive: true });
let failed = 0;
for (const f of files) {
  const name = f.replace('.bench.ts', '');
  const out = path.join('dist', 'bench', `${name}.cjs`);
  await build({
    entryPoints: [path.join('bench', f)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    outfile: out,
    logLevel: 'warning',
  });
  console.log(`\n=== bench: ${name}`);
  const r = spawnSync(process.execPath, [out], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`=== bench ${name} failed (exit ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
