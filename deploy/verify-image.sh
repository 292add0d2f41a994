#!/usr/bin/env bash
# Checks the monitor's image: builds deploy/Dockerfile and runs `once` in it where a Docker
# engine answers; elsewhere runs the image's install steps (deploy/install.sh: Debian's Chromium,
# `npm ci --omit=dev`) on a clean export of HEAD and runs `once` there, every default check
# included (journeys and Lighthouse need the run-time packages only). Takes minutes: npm ci.
set -euo pipefail
cd "$(dirname "$0")/.."
if docker info >/dev/null 2>&1; then
  docker build -f deploy/Dockerfile -t pitchey-perf-monitor:verify .
  exec docker run --rm pitchey-perf-monitor:verify once
fi
echo "no Docker engine here: running the image's install steps on a clean export of HEAD instead"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git archive HEAD | tar -x -C "$work"
cd "$work"
sh deploy/install.sh
if [ -d node_modules/vitest ] || [ -d node_modules/@biomejs ]; then
  echo "devDependencies were installed: npm ci --omit=dev did not omit them" >&2
  exit 1
fi
MONITOR_DB="$work/data/monitor.db" CHROME_PATH="${CHROME_PATH:-$(command -v chromium || true)}" scripts/health-monitor.sh once
