#!/usr/bin/env bash
# Apply pending Prisma migrations to a profile's database (the database must be running).
# Usage: scripts/migrate.sh <profile>
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
load_profile "${1:?usage: migrate.sh <profile>}"
cd "$PROJECT_ROOT"
CHECKPOINT_DISABLE=1 node_modules/.bin/prisma migrate deploy >"${LOG_DIR}/migrate.log" 2>&1 \
  || { cat "${LOG_DIR}/migrate.log" >&2; die "migrations failed"; }
log "database migrations applied ($(grep -c . <(ls -d prisma/migrations/*/)) in prisma/migrations)"
