#!/usr/bin/env bash
# Verify the lawful-intercept evidence of a profile now (the app also does it every
# INTERCEPT_VERIFY_INTERVAL_MINUTES): every copy of every recording is re-read and its hashes
# checked, a lost or corrupt copy is rewritten from an intact one, every warrant's hash chain is
# checked. --retention also deletes (and records the deletion of) evidence past retention.
# --rewrap first moves recordings sealed with an older key (INTERCEPT_PREVIOUS_ENCRYPTION_KEYS, after
# a rotation of INTERCEPT_ENCRYPTION_KEY) to the current key; the app's verification job does it too.
# Prints a JSON report. Exit 0: intact or repaired; 1: problems remain; 2: the check failed.
# Usage: scripts/intercept-verify.sh <profile> [--retention] [--rewrap]
# Production (image): node dist/app/bin/intercept-verify.js [--retention] [--rewrap], with the app's environment.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
load_profile "${1:?usage: intercept-verify.sh <profile> [--retention] [--rewrap]}"
shift
cd "$PROJECT_ROOT"
# Locally the evidence of a profile lives in .local/<profile>/evidence/<n> (the app's default for
# the local profile; tests pass the same to the app).
if [ -z "${INTERCEPT_EVIDENCE_DIRS:-}" ] && [ -z "${INTERCEPT_EVIDENCE_LOCATIONS:-}" ]; then
  INTERCEPT_EVIDENCE_DIRS="$(seq -s, -f ".local/${PROFILE}/evidence/%g" 1 "${INTERCEPT_COPIES:-3}")"
  export INTERCEPT_EVIDENCE_DIRS
fi
# Its log (it names warrants) goes to the profile's intercept log, as the app's does.
if [ -z "${INTERCEPT_LOG_FILE:-}" ]; then
  export INTERCEPT_LOG_FILE=".local/${PROFILE}/intercept.log"
fi
if [ -f dist/app/bin/intercept-verify.js ]; then
  exec node dist/app/bin/intercept-verify.js "$@"
fi
exec node_modules/.bin/tsx app/bin/intercept-verify.ts "$@"
