#!/usr/bin/env bash
# `npm start`: set up whatever is missing, then run the whole system in the foreground:
# PostgreSQL, Redis, NATS (JetStream), Asterisk, and the controller with the admin API.
# Ctrl-C or SIGTERM stops everything this started.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

"${PROJECT_ROOT}/scripts/provision.sh"
load_profile local

app_pid=""
stopping=0
shutdown() {
  [ "$stopping" -eq 0 ] || return
  stopping=1
  if pid_alive "$app_pid"; then
    kill -TERM "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
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
    SIP         udp ${SIP_HOST}:${SIP_PORT}   realm ${SIP_REALM}
    ARI         ${ARI_URL}   (app ${ARI_APP})
    Asterisk CLI: scripts/asterisk-cli.sh local
    Lawful intercept log: ${INTERCEPT_LOG_FILE:-.local/local/intercept.log}
      (admin and intercept administrator tokens, when not set, are printed below)
    Ctrl-C stops everything.

EOF

cd "$PROJECT_ROOT"
node --enable-source-maps dist/app/main.js &
app_pid=$!
wait "$app_pid"
