#!/usr/bin/env bash
# Recompute the routing batch layer of a profile now (the app also does it every
# ROUTING_BATCH_INTERVAL_MINUTES): every carrier's quality figures (ASR, ACD, PDD, MES, jitter,
# loss per destination prefix) from the call records of the last ROUTING_HISTORY_DAYS, stored with
# their watermark; running instances take them in within ROUTING_REFRESH_MS. Prints the run as JSON.
# Exit 0: stored (or a batch of a later watermark was already there); 2: it failed.
# Usage: scripts/routing-batch.sh <profile>
# Production (image): node dist/app/bin/routing-batch.js, with the app's environment.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
load_profile "${1:?usage: routing-batch.sh <profile>}"
cd "$PROJECT_ROOT"
if [ -f dist/app/bin/routing-batch.js ]; then
  exec node dist/app/bin/routing-batch.js
fi
exec node_modules/.bin/tsx app/bin/routing-batch.ts
