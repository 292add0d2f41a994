#!/bin/sh
# What the monitor's image installs (deploy/Dockerfile runs it; run it by hand on a plain
# Debian/Ubuntu host to get the same): Debian's Chromium and fonts when no Chromium is there,
# then the run-time packages only.
set -eu
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update
  apt-get install -y --no-install-recommends chromium fonts-liberation ca-certificates
  rm -rf /var/lib/apt/lists/*
fi
npm ci --omit=dev --no-audit --no-fund
npm cache clean --force >/dev/null 2>&1 || true
