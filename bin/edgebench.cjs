#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is bundled by `npm run build` into dist/main/cli.cjs.
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'main', 'cli.cjs');
if (!fs.existsSync(entry)) {
  process.stderr.write(
    'edgebench: not built yet. Run `npm run build` (or `npm test`) in ' + path.dirname(__dirname) + '\n',
  );
  process.exit(3);
}
require(entry).runCli();
