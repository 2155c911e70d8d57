// Regenerates the command reference: docs/cli.md (every command's --help) and the command list
// between the markers in README.md. Run after adding or changing a command:
//   npm run build && node scripts/gen-cli-docs.mjs
// test/cli/docs.test.ts fails when they are out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { buildProgram } = require('../dist/main/cli.cjs');

export function walk(cmd, prefix = []) {
  const out = [];
  for (const c of cmd.commands) {
    if (c.name() === 'help') continue;
    const path = [...prefix, c.name()];
    const usage = c.usage();
    out.push({ path: path.join(' '), usage, description: c.description(), help: c.helpInformation() });
    out.push(...walk(c, path));
  }
  return out;
}

export function render() {
  const { program } = buildProgram();
  const cmds = walk(program);
  const list = cmds.map(
    (c) =>
      `| \`edgebench ${c.path}${c.usage ? ' ' + c.usage : ''}\` | ${c.description.replace(/\|/g, '\\|')} |`,
  );
  const table = ['| command | what it does |', '| --- | --- |', ...list].join('\n');
  const full = [
    '# edgebench command reference',
    '',
    'Generated from the CLI itself by `node scripts/gen-cli-docs.mjs`; the same text is printed by `--help`.',
    '',
    '```',
    program.helpInformation().trimEnd(),
    '```',
    '',
    ...cmds.flatMap((c) => [`## edgebench ${c.path}`, '', '```', c.help.trimEnd(), '```', '']),
  ].join('\n');
  return { table, full };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const { table, full } = render();
  const readme = readFileSync('README.md', 'utf8');
  const next = readme.replace(
    /<!-- commands:start -->[\s\S]*<!-- commands:end -->/,
    `<!-- commands:start -->\n${table}\n<!-- commands:end -->`,
  );
  if (process.argv.includes('--check')) {
    const stale = [];
    if (readFileSync('docs/cli.md', 'utf8') !== full) stale.push('docs/cli.md');
    if (readme !== next) stale.push('README.md');
    if (stale.length) {
      console.error(`out of date: ${stale.join(', ')}; run: npm run build && node scripts/gen-cli-docs.mjs`);
      process.exit(1);
    }
    console.log('command reference is up to date');
  } else {
    writeFileSync('docs/cli.md', full);
    writeFileSync('README.md', next);
    console.log('updated docs/cli.md and README.md');
  }
}
