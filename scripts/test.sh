#!/usr/bin/env bash
# One command from a fresh clone: set up (Debian packages when root, npm packages), build and run
# every test. Tests that need root, QEMU or Chromium skip with a reason when those are missing.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit $?
rm -f test-artifacts/vitest-report.json
npm test
rc=$?
node scripts/test-summary.mjs
exit $rc
