#!/usr/bin/env bash
# `npm start`: set up whatever is missing, then run the whole system in the foreground:
# PostgreSQL, Redis, NATS (JetStream), Asterisk, the controller with the admin API (the call path),
# and the workers (the consumers of its events: call records, billing, invoices, routing, intercept).
# Ctrl-C or SIGTERM stops everything this started.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

"${PROJECT_ROOT}/scripts/provision.sh"
load_profile local

# Every process this starts runs in a session of its own (setsid), so a Ctrl-C reaches only this
# script, which then stops them in order: the app first (it drains into NATS, Redis, PostgreSQL),
# then the infrastructure. Signals during the stop are ignored so that it always completes; the app
# has a shutdown deadline of its own and stack.sh kills what does not stop within 20 s.
app_pid=""
workers_pid=""
stopping=0
stop_app_process() {
  local name="$1" pid="$2"
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  while pid_alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if pid_alive "$pid"; then log "${name}: did not stop in 15s, killing"; kill -KILL "$pid" 2>/dev/null || true; fi
}
shutdown() {
  [ "$stopping" -eq 0 ] || return
  stopping=1
  trap '' INT TERM
  # The controller first (its last events go out), then the workers that consume them.
  stop_app_process app "$app_pid"
  stop_app_process workers "$workers_pid"
  rm -f "$(controller_pid_file)" "$(workers_pid_file)"
  "${PROJECT_ROOT}/scripts/stack.sh" local stop
}
trap shutdown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"${PROJECT_ROOT}/scripts/stack.sh" local start
"${PROJECT_ROOT}/scripts/migrate.sh" local

cat >&2 <<EOF

  Calling platform (profile: local)
    admin API   http://${ADMIN_HOST}:${ADMIN_PORT}   (OpenAPI: /v1/openapi.json, health: /healthz)
    workers     http://${ADMIN_HOST}:${WORKERS_METRICS_PORT:-$((ADMIN_PORT + 1))}/metrics   (the consumers' metrics)
    SIP         udp/tcp ${SIP_HOST}:${SIP_PORT}   realm ${SIP_REALM}   (the Kamailio edge)
    switch      Asterisk on ${SWITCH_SIP_HOST}:${SWITCH_SIP_PORT}, SIP from the edge only
    ARI         ${ARI_URL}   (app ${ARI_APP})
    Asterisk CLI: scripts/asterisk-cli.sh local
    Lawful intercept log: ${INTERCEPT_LOG_FILE:-.local/local/intercept.log}
      (admin and intercept administrator tokens, when not set, are printed below)
    Ctrl-C stops everything.

EOF

cd "$PROJECT_ROOT"
# The controller logs in with its own database role (no DDL, append-only audit tables).
DATABASE_URL="$APP_DATABASE_URL" setsid node --enable-source-maps dist/app/main.js &
app_pid=$!
# Operators and `stack.sh local status` find the controller by this file.
echo "$app_pid" >"$(controller_pid_file)"
# The consumers of the controller's events, off the call path, with the same role and settings.
DATABASE_URL="$APP_DATABASE_URL" setsid node --enable-source-maps dist/app/bin/workers-main.js &
workers_pid=$!
echo "$workers_pid" >"$(workers_pid_file)"
# wait returns early when a signal arrives (or when either process ends); the trap then stops everything.
wait -n "$app_pid" "$workers_pid"
