#!/usr/bin/env bash
# `npm test`: set up whatever is missing, then run every check: lint, type check, unit tests,
# and, against a real stack of its own (profile "test": PostgreSQL, Redis, NATS, Asterisk),
# the integration and end-to-end tests. Stops everything it started.
# Usage: npm test [-- lint|unit|integration|e2e ...]   (default: all)
# TEST_PROFILE=<profile> runs the integration and e2e suites against another profile's stack.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$PROJECT_ROOT"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(lint unit integration e2e)
wants() { local s; for s in "${suites[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

scripts/provision.sh

MOCHA=(node_modules/.bin/mocha --require tsx/cjs --extension ts --reporter spec)

if wants lint; then
  log "lint (eslint) and type check (tsc)"
  node_modules/.bin/eslint --max-warnings 0 .
  node_modules/.bin/tsc -p tsconfig.json --noEmit
fi

if wants unit; then
  log "unit tests"
  "${MOCHA[@]}" --recursive 'test/unit/**/*.test.ts'
fi

if wants integration || wants e2e; then
  profile="${TEST_PROFILE:-test}"
  load_profile "$profile"
  trap 'scripts/stack.sh "$profile" stop' EXIT
  scripts/stack.sh "$profile" start
  scripts/migrate.sh "$profile"
  export NODE_ENV=test
  export ADMIN_TOKEN="${TEST_ADMIN_TOKEN:-test-admin-token-not-secret}"
  if wants integration; then
    log "integration tests (real PostgreSQL, Redis, NATS)"
    "${MOCHA[@]}" --timeout 30000 --recursive 'test/integration/**/*.test.ts'
  fi
  if wants e2e; then
    log "end-to-end tests (real Asterisk and SIP endpoints)"
    "${MOCHA[@]}" --timeout 120000 --recursive 'test/e2e/**/*.test.ts'
  fi
fi
log "all requested test suites passed: ${suites[*]}"
