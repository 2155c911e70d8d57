// Builds every runnable part: the CLI and privileged helper (esbuild, Node CJS bundles with
// node_modules left external), the Electron entry and preload, and the renderer (Vite).
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
};
const onlyMain = process.argv.includes('--main');
await Promise.all([
  build({
    ...common,
    entryPoints: { cli: 'main/cli/index.ts', helper: 'main/privileged/helper-main.ts' },
    outdir: 'dist/main',
    outExtension: { '.js': '.cjs' },
  }),
  build({
    ...common,
    entryPoints: { main: 'main/electron/main.ts', preload: 'main/electron/preload.ts' },
    outdir: 'dist/electron',
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
  }),
]);
if (!onlyMain) await viteBuild({ configFile: 'vite.config.mts', logLevel: 'warn' });
