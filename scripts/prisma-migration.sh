#!/usr/bin/env bash
# Author a migration from the change in prisma/schema.prisma (Prisma's `migrate dev` needs the
# native engine; this uses `migrate diff` with the JS engine). Needs the test profile's PostgreSQL
# (`scripts/stack.sh test start postgres`) for the shadow database; MIGRATION_PROFILE=<profile>
# uses another profile's.
# Usage: scripts/prisma-migration.sh <snake_case_name>
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
name="${1:?usage: prisma-migration.sh <name>}"
load_profile "${MIGRATION_PROFILE:-test}"
cd "$PROJECT_ROOT"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
set +e
CHECKPOINT_DISABLE=1 npx prisma migrate diff --from-migrations prisma/migrations \
  --to-schema-datamodel prisma/schema.prisma --script --exit-code --output "$tmp"
code=$?
set -e
case "$code" in
  0) log "schema.prisma matches the migrations: nothing to do" ;;
  2) dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
     mkdir -p "$dir" && mv "$tmp" "$dir/migration.sql" && log "wrote ${dir}/migration.sql" ;;
  *) die "prisma migrate diff failed (exit ${code})" ;;
esac
