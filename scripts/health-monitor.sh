#!/usr/bin/env bash
# The roadmap's health monitor command:
#   scripts/health-monitor.sh monitor   run the synthetic monitor until SIGINT/SIGTERM
#   scripts/health-monitor.sh once      run every check once: exit 0 all pass, 1 a check failed, 2 could not run
#   scripts/health-monitor.sh status    each check's state and the open incidents, from storage
# BASE_URL points it at a deployment (none: the embedded target); MONITOR_DB at its database.
# Further options (--config FILE, --db FILE, --base-url URL) pass through.
set -euo pipefail
cd "$(dirname "$0")/.."
command="${1:-monitor}"
case "$command" in
  monitor | once | status) shift || true ;;
  *)
    echo "usage: scripts/health-monitor.sh monitor|once|status [--config FILE] [--db FILE] [--base-url URL]" >&2
    exit 2
    ;;
esac
# exec: the signals reach the monitor itself, which stops cleanly.
exec node --import tsx scripts/monitor.ts "$command" "$@"
