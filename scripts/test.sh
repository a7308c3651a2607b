#!/usr/bin/env bash
# `npm test`: set up whatever is missing, then run every check: lint, type check, unit tests,
# and, against a real stack of its own (profile "test": PostgreSQL, Redis, NATS, Asterisk),
# the integration and end-to-end tests. Stops everything it started.
# Usage: npm test [-- lint|unit|integration|e2e|faults|fleet ...]   (default: all)
# faults: dependencies made to fail under live calls (test/faults/), on the test profile's stack.
# fleet: the netns fleet of scripts/fleet.sh (edge, two nodes, NATS cluster), started once for the
# fleet tests (test/fleet) and removed after them; needs root or sudo (network namespaces).
# TEST_PROFILE=<profile> runs the integration and e2e suites against another profile's stack.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$PROJECT_ROOT"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(lint unit integration e2e faults fleet)
wants() { local s; for s in "${suites[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

scripts/provision.sh

MOCHA=(node_modules/.bin/mocha --require tsx/cjs --extension ts --reporter spec)
# A suite that hangs (a handle left open, a peer that never answers) fails with a clear message
# instead of holding CI until its own limit.
suite_timeout() {
  local limit="$1" name="$2"; shift 2
  local code=0
  timeout --foreground --kill-after=30s "$limit" "$@" || code=$?
  [ "$code" -ne 124 ] && [ "$code" -ne 137 ] || die "${name} did not finish within ${limit}"
  return "$code"
}

if wants lint; then
  log "lint (eslint) and type check (tsc)"
  node_modules/.bin/eslint --max-warnings 0 .
  node_modules/.bin/tsc -p tsconfig.json --noEmit
fi

if wants unit; then
  log "unit tests"
  suite_timeout 10m "unit tests" "${MOCHA[@]}" --recursive 'test/unit/**/*.test.ts'
fi

if wants integration || wants e2e || wants faults; then
  profile="${TEST_PROFILE:-test}"
  load_profile "$profile"
  # Stop only what this run starts: a stack already up (e.g. TEST_PROFILE=local beside `npm start`)
  # is left as it was found.
  to_stop=()
  while read -r service state _; do
    [ "$state" = stopped ] && to_stop+=("${service%:}")
  done < <(scripts/stack.sh "$profile" status postgres redis nats asterisk edge)
  stop_started() { [ ${#to_stop[@]} -eq 0 ] || scripts/stack.sh "$profile" stop "${to_stop[@]}"; }
  trap stop_started EXIT
  # A run that starts the test stack starts it empty, as CI does: what an earlier run left (a
  # failed test's evidence, streams, live calls) cannot decide this one.
  if [ "$profile" = test ] && [ ${#to_stop[@]} -eq 5 ]; then scripts/stack.sh "$profile" wipe; fi
  scripts/stack.sh "$profile" start
  scripts/migrate.sh "$profile"
  export NODE_ENV=test
  export ADMIN_TOKEN="${TEST_ADMIN_TOKEN:-test-admin-token-not-secret}"
  if wants integration; then
    log "integration tests (real PostgreSQL, Redis, NATS)"
    suite_timeout 15m "integration tests" "${MOCHA[@]}" --timeout 30000 --recursive 'test/integration/**/*.test.ts'
  fi
  if wants e2e; then
    log "end-to-end tests (real Asterisk and SIP endpoints)"
    suite_timeout 25m "end-to-end tests" "${MOCHA[@]}" --timeout 120000 --recursive 'test/e2e/**/*.test.ts'
  fi
  if wants faults; then
    # Dependencies made to fail under live calls (test/faults/); the summary table is printed last.
    log "fault tests (dependencies failing under live calls)"
    export FAULTS_SUMMARY_FILE="${LOCAL_DIR}/${profile}/faults-summary.txt"
    printf 'fault | calls during it | lost | duplicated | longest answer time\n' >"$FAULTS_SUMMARY_FILE"
    suite_timeout 8m "fault tests" "${MOCHA[@]}" --timeout 180000 --recursive 'test/faults/**/*.test.ts'
    cat "$FAULTS_SUMMARY_FILE"
  fi
fi
if wants fleet; then
  log "fleet tests (Kamailio edge, two Asterisk nodes, NATS cluster in network namespaces)"
  export ADMIN_TOKEN="${TEST_ADMIN_TOKEN:-test-admin-token-not-secret}"
  # One fleet for every fleet test, removed (by PID) whatever the outcome; one left by an earlier
  # run is removed first so this run starts from an empty database.
  scripts/fleet.sh down
  scripts/fleet.sh wipe
  trap 'scripts/fleet.sh down; type stop_started >/dev/null 2>&1 && stop_started' EXIT
  suite_timeout 4m "fleet start" scripts/fleet.sh up 2
  suite_timeout 8m "fleet tests" "${MOCHA[@]}" --timeout 240000 --recursive 'test/fleet/**/*.test.ts'
  scripts/fleet.sh down
fi
log "all requested test suites passed: ${suites[*]}"
