#!/usr/bin/env bash
# One command from a fresh clone: set up (Debian packages when root, npm packages), build, and
# start the workbench (the Electron app where its binary exists, else `edgebench serve` on
# 127.0.0.1:8080 with the URL to open). Extra arguments go to `edgebench start`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build --silent
exec node bin/edgebench.cjs start "$@"
