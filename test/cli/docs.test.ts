// The README's command list and docs/cli.md are generated from the CLI; they must match it.
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/env';

it('README and docs/cli.md document every command exactly as --help does', () => {
  const r = spawnSync(process.execPath, ['scripts/gen-cli-docs.mjs', '--check'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  expect(r.stderr + r.stdout).toMatch(/up to date/);
  expect(r.status).toBe(0);
});
