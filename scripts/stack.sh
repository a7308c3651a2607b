#!/usr/bin/env bash
# Start, stop and inspect the infrastructure of one profile: PostgreSQL, Redis, NATS (JetStream),
# Asterisk in its chroot and the SIP edge (Kamailio) in front of it: a fleet of one, the edge on
# SIP_HOST:SIP_PORT and its node behind it. Every process is tracked by a PID file and stopped by that PID.
# Usage: stack.sh <profile> start|stop|status|restart [postgres|redis|nats|asterisk|edge ...] | wipe
# status without services also reports the profile's controller (started by scripts/start.sh, which
# writes its PID file), on a line of its own: "controller: running (pid N)" or "controller: stopped",
# and its workers (the consumers of its events, app/bin/workers-main.ts) on the next: "workers: ...".
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/edge-config.sh"

profile="${1:?usage: stack.sh <profile> start|stop|status|restart [service...] | wipe}"
action="${2:?usage: stack.sh <profile> start|stop|status|restart [service...]}"
shift 2
load_profile "$profile"

ALL_SERVICES=(postgres redis nats asterisk edge)
[ "$EDGE_IN_FRONT" = yes ] || ALL_SERVICES=(postgres redis nats asterisk)
services=("$@")
all_named=0
[ ${#services[@]} -gt 0 ] || { services=("${ALL_SERVICES[@]}"); all_named=1; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# ---------------------------------------------------------------- PostgreSQL
PG_HOME="$(pg_home)"
PG_DATA="${PG_HOME}/pg"
PG_SOCKET_DIR="${PG_HOME}/run/pg-socket"
PG_LOG="${PG_HOME}/log/postgres.log"

# The data directory is postgres's own (mode 0700): read its PID file as postgres.
postgres_pid() { as_postgres head -n 1 "${PG_DATA}/postmaster.pid" 2>/dev/null || true; }

start_postgres() {
  local bin
  bin="$(pg_bin)"; [ -n "$bin" ] || die "PostgreSQL is not installed (run scripts/provision.sh)"
  if pid_alive "$(postgres_pid)"; then log "postgres already running (pid $(postgres_pid))"; return; fi
  ensure_port_free -t "$PG_PORT" postgres
  as_root mkdir -p "$PG_DATA" "$PG_SOCKET_DIR" "$(dirname "$PG_LOG")"
  as_root chown postgres:postgres "$PG_DATA" "$PG_SOCKET_DIR"
  as_root chmod 700 "$PG_DATA"
  as_root truncate -s 0 "$PG_LOG"; as_root chown postgres "$PG_LOG"
  if ! as_postgres test -f "$PG_DATA/PG_VERSION"; then
    log "postgres: initialising ${PG_DATA}"
    as_postgres "$bin/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"${LOG_DIR}/initdb.log" 2>&1 || die "initdb failed, see ${LOG_DIR}/initdb.log"
  fi
  log "postgres: starting on ${PG_HOST}:${PG_PORT}"
  as_postgres "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start \
    -o "-p ${PG_PORT} -c listen_addresses=${PG_HOST} -c unix_socket_directories=${PG_SOCKET_DIR} -c max_connections=200 -c fsync=${PG_FSYNC:-on}" \
    >/dev/null || die "postgres did not start, see ${PG_LOG}"
  postgres_pid >"${RUN_DIR}/postgres.pid"
  # The owner (migrations; may create databases: Prisma's shadow database), the controller's and
  # Asterisk's roles, and the database (prisma/roles.sql; the grants are in a migration).
  as_postgres "$bin/psql" -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres -qtA \
    -v db="$PG_DB" -v owner="$PG_USER" -v owner_pass="$PG_PASSWORD" -v app_pass="$PG_APP_PASSWORD" \
    -v asterisk_pass="$PG_ASTERISK_PASSWORD" -v edge_pass="$PG_EDGE_PASSWORD" <"${PROJECT_ROOT}/prisma/roles.sql" >/dev/null
}

stop_postgres() {
  local pid; pid="$(read_pid "${RUN_DIR}/postgres.pid")"
  [ -n "$pid" ] || pid="$(postgres_pid)"
  stop_pid postgres "$pid" INT
}

# Servers run in sessions of their own (setsid, which does not fork here: a background job of a
# script is not a group leader, so $! stays the server's PID): a Ctrl-C in the terminal that started
# them reaches only that script, which stops them in order, instead of every server at once.

# ---------------------------------------------------------------- Redis
start_redis() {
  local pid; pid="$(read_pid "${RUN_DIR}/redis.pid")"
  if pid_alive "$pid"; then log "redis already running (pid $pid)"; return; fi
  ensure_port_free -t "$REDIS_PORT" redis
  mkdir -p "${PROFILE_DIR}/redis"
  log "redis: starting on 127.0.0.1:${REDIS_PORT}"
  # Live call state is rebuilt from Asterisk on a restart; an append-only file keeps it across
  # a Redis restart too.
  # ACL users (passwords from load_profile): the app's `calling` without administrative commands,
  # `ops` with all; the passwordless default user is off.
  nohup setsid redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "${PROFILE_DIR}/redis" \
    --save "" --appendonly yes --appendfsync everysec --daemonize no \
    --user default off --user calling on ">${REDIS_PASSWORD}" '~*' '&*' +@all -@admin \
    --user ops on ">${REDIS_OPS_PASSWORD}" '~*' '&*' +@all \
    --logfile "${LOG_DIR}/redis.log" >/dev/null 2>&1 &
  echo $! >"${RUN_DIR}/redis.pid"
  wait_tcp 127.0.0.1 "$REDIS_PORT" 20 redis
}

stop_redis() { stop_pid redis "$(read_pid "${RUN_DIR}/redis.pid")" TERM; }

# ---------------------------------------------------------------- NATS
start_nats() {
  local pid; pid="$(read_pid "${RUN_DIR}/nats.pid")"
  if pid_alive "$pid"; then log "nats already running (pid $pid)"; return; fi
  ensure_port_free -t "$NATS_PORT" nats
  mkdir -p "${PROFILE_DIR}/nats"
  log "nats: starting on 127.0.0.1:${NATS_PORT} with JetStream"
  nohup setsid nats-server -a 127.0.0.1 -p "$NATS_PORT" -m "$NATS_MONITOR_PORT" --jetstream \
    --user "$NATS_USER" --pass "$NATS_PASSWORD" \
    --store_dir "${PROFILE_DIR}/nats" -n "calling-${PROFILE}" >>"${LOG_DIR}/nats.log" 2>&1 &
  echo $! >"${RUN_DIR}/nats.pid"
  wait_tcp 127.0.0.1 "$NATS_PORT" 20 nats
  # JetStream is ready once the monitoring endpoint reports it.
  local deadline=$((SECONDS + 20))
  until curl -fsS "http://127.0.0.1:${NATS_MONITOR_PORT}/healthz?js-enabled-only=true" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "nats JetStream not healthy within 20s, see ${LOG_DIR}/nats.log"
    sleep 0.2
  done
}

stop_nats() { stop_pid nats "$(read_pid "${RUN_DIR}/nats.pid")" TERM; }

# ---------------------------------------------------------------- Asterisk
asterisk_moddir() { (cd "$ASTERISK_ROOT" && ls -d usr/lib/*/asterisk/modules 2>/dev/null | head -n 1); }

start_asterisk() {
  local pid; pid="$(read_pid "${RUN_DIR}/asterisk.pid")"
  if pid_alive "$pid"; then log "asterisk already running (pid $pid)"; return; fi
  [ -x "${ASTERISK_ROOT}/usr/sbin/asterisk" ] || die "no Asterisk chroot at ${ASTERISK_ROOT} (run scripts/provision.sh)"
  ensure_port_free -t "$ARI_PORT" "asterisk (ARI)"
  ensure_port_free -u "$SWITCH_SIP_PORT" "asterisk (SIP)"
  local moddir; moddir="/$(asterisk_moddir)"
  # The instance lives inside the root-owned chroot: the configuration is rendered here, then
  # installed there (as root when the scripts run as a user with sudo).
  as_root mkdir -p "${AST_INSTANCE_DIR}"/{etc,cache,lib,spool,spool/recording,run,log}
  local rendered; rendered="$(mktemp -d)"
  # Asterisk sees the controller's SWITCH_EVENTS_FILE without the chroot's prefix.
  case "$SWITCH_EVENTS_FILE" in "${ASTERISK_ROOT}"/*) ;; *) die "SWITCH_EVENTS_FILE must be inside ${ASTERISK_ROOT}" ;; esac
  # The node listens behind the edge (SWITCH_SIP_*) and takes SIP only from it (EDGE_IP: its ACL);
  # it logs in to PostgreSQL with its own role (res_pgsql.conf), not the owner's.
  AST_INSTANCE="$AST_INSTANCE_IN_CHROOT" AST_MODDIR="$moddir" SWITCH_EVENTS_FILE="${SWITCH_EVENTS_FILE#"$ASTERISK_ROOT"}" \
    SIP_HOST="$SWITCH_SIP_HOST" SIP_PORT="$SWITCH_SIP_PORT" EDGE_IP="$EDGE_NODE_SIDE_IP" \
    PG_USER="$PG_ASTERISK_USER" PG_PASSWORD="$PG_ASTERISK_PASSWORD" \
    "${PROJECT_ROOT}/scripts/render-asterisk-conf.sh" "${PROJECT_ROOT}/asterisk/conf" "$rendered"
  as_root install -m 600 "$rendered"/*.conf "${AST_INSTANCE_DIR}/etc/"
  rm -rf "$rendered"
  as_root rm -f "${AST_INSTANCE_DIR}/run/asterisk.pid"
  log "asterisk: starting (SIP udp ${SWITCH_SIP_HOST}:${SWITCH_SIP_PORT} from the edge only, ARI ${ARI_HOST}:${ARI_PORT})"
  # -f: stay in the foreground (no fork). As root, chroot execs asterisk, so $! is Asterisk's own
  # PID; through sudo it is sudo's, so Asterisk's own PID file replaces it once it is up.
  nohup setsid $([ "$(id -u)" -eq 0 ] || echo sudo) chroot "$ASTERISK_ROOT" /usr/sbin/asterisk -f -n \
    -C "${AST_INSTANCE_IN_CHROOT}/etc/asterisk.conf" >>"${LOG_DIR}/asterisk.out" 2>&1 &
  echo $! >"${RUN_DIR}/asterisk.pid"
  local deadline=$((SECONDS + 60))
  until curl -fsS -u "${ARI_USER}:${ARI_PASSWORD}" "${ARI_URL}/ari/asterisk/ping" >/dev/null 2>&1; do
    pid_alive "$(read_pid "${RUN_DIR}/asterisk.pid")" || die "asterisk exited, see ${LOG_DIR}/asterisk.out and ${AST_INSTANCE_DIR}/log/messages.log"
    [ "$SECONDS" -lt "$deadline" ] || die "asterisk ARI not up within 60s, see ${AST_INSTANCE_DIR}/log/messages.log"
    sleep 0.2
  done
  asterisk_cli "core waitfullybooted" >/dev/null
  local own_pid; own_pid="$(cat "${AST_INSTANCE_DIR}/run/asterisk.pid" 2>/dev/null || true)"
  if pid_alive "$own_pid"; then echo "$own_pid" >"${RUN_DIR}/asterisk.pid"; fi
}

asterisk_cli() { as_root chroot "$ASTERISK_ROOT" /usr/sbin/asterisk -C "${AST_INSTANCE_IN_CHROOT}/etc/asterisk.conf" -rx "$1"; }

stop_asterisk() { stop_pid asterisk "$(read_pid "${RUN_DIR}/asterisk.pid")" TERM; }

# ---------------------------------------------------------------- SIP edge (Kamailio)
# The same kamailio/edge.cfg as the netns fleet's edge, with one node: this profile's Asterisk. It
# reaches the node from EDGE_NODE_SIDE_IP (the node's ACL admits only that address) and answers
# phones and carriers on SIP_HOST:SIP_PORT (UDP and TCP); carriers are recognised by source address
# from this profile's carriers table. Its attack handling trusts 127.0.0.1 by default: every phone,
# test and sipp of a local stack comes from there, and one wrong-password test must not ban them
# all (the guard is shown on the netns fleet, whose phones have addresses of their own).
EDGE_DIR="${PROFILE_DIR}/edge"

start_edge() {
  local pid; pid="$(read_pid "${RUN_DIR}/edge.pid")"
  if pid_alive "$pid"; then log "edge already running (pid $pid)"; return; fi
  command -v kamailio >/dev/null || die "Kamailio is not installed (run scripts/provision.sh)"
  ensure_port_free -u "$SIP_PORT" "edge (SIP)"
  ensure_port_free -t "$SIP_PORT" "edge (SIP)"
  mkdir -p "${EDGE_DIR}/run"
  echo "1 sip:${SWITCH_SIP_HOST}:${SWITCH_SIP_PORT} 0 0 socket=udp:${EDGE_NODE_SIDE_IP}:${SIP_PORT};name=${NODE_NAME:-node-1}" >"${EDGE_DIR}/dispatcher.list"
  EDGE_IP="$SIP_HOST" EDGE_PORT="$SIP_PORT" EDGE_ALIASES="alias=${SIP_REALM}" \
    EDGE_NODE_SIDE_LISTEN="listen=udp:${EDGE_NODE_SIDE_IP}:${SIP_PORT}" \
    EDGE_RUN_DIR="${EDGE_DIR}/run" EDGE_NODE_RESPONSE_MS="${EDGE_NODE_RESPONSE_MS:-5000}" EDGE_DISPATCHER_LIST="${EDGE_DIR}/dispatcher.list" \
    EDGE_DB_URL="postgres://calling_edge:${PG_EDGE_PASSWORD}@${PG_HOST}:${PG_PORT}/${PG_DB}" EDGE_CARRIER_CACHE_S=2 \
    EDGE_RPC_LISTEN="127.0.0.1:${EDGE_RPC_PORT}" EDGE_GUARD_BAN_S="${EDGE_GUARD_BAN_S:-900}" \
    EDGE_GUARD_TRUSTED="${EDGE_GUARD_TRUSTED:-127.0.0.1/32}" \
    render_edge_config "$EDGE_DIR"
  kamailio -c -f "${EDGE_DIR}/kamailio.cfg" >"${LOG_DIR}/edge-check.log" 2>&1 || die "edge config refused, see ${LOG_DIR}/edge-check.log"
  log "edge: starting on ${SIP_HOST}:${SIP_PORT} (udp, tcp; tls ${EDGE_TLS_PORT}; wss ${EDGE_WSS_PORT}), node sip:${SWITCH_SIP_HOST}:${SWITCH_SIP_PORT}"
  nohup setsid kamailio -DD -E -f "${EDGE_DIR}/kamailio.cfg" -Y "${EDGE_DIR}/run" >>"${LOG_DIR}/edge.log" 2>&1 &
  echo $! >"${RUN_DIR}/edge.pid"
  wait_tcp "$SIP_HOST" "$SIP_PORT" 20 edge
}

stop_edge() { stop_pid edge "$(read_pid "${RUN_DIR}/edge.pid")" TERM; }

# ---------------------------------------------------------------- common
# A port already taken means another stack (or a leftover of one) would answer in our place.
# Listeners are seen by anyone; who holds one only by root (hence sudo for the name).
ensure_port_free() {
  local proto="$1" port="$2" what="$3" holder
  [ -n "$(ss -Hln "${proto}" "sport = :${port}" 2>/dev/null)" ] || return 0
  holder="$(as_root ss -Hlpn "${proto}" "sport = :${port}" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 || true)"
  die "${what}: port ${port}/${proto#-} is already in use (${holder:-holder unknown}); stop that process first"
}

stop_pid() {
  local name="$1" pid="$2" signal="$3"
  if ! pid_alive "$pid"; then rm -f "${RUN_DIR}/${name}.pid"; return; fi
  log "${name}: stopping (pid ${pid})"
  signal_pid "$signal" "$pid"
  local deadline=$((SECONDS + 20))
  while pid_alive "$pid"; do
    if [ "$SECONDS" -ge "$deadline" ]; then log "${name}: did not stop in 20s, killing"; signal_pid KILL "$pid"; fi
    sleep 0.1
  done
  rm -f "${RUN_DIR}/${name}.pid"
}

status_of() {
  local pid; pid="$(read_pid "${RUN_DIR}/$1.pid")"
  if pid_alive "$pid"; then echo "$1: running (pid ${pid})"; else echo "$1: stopped"; fi
}

# The controller counts as running only if its PID file names a live process that runs the app
# (a PID file left by a killed controller may name a reused PID).
controller_status() {
  local pid; pid="$(read_pid "$(controller_pid_file)")"
  if pid_alive "$pid" && tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null | grep -q 'dist/app/main.js'; then
    echo "controller: running (pid ${pid})"
  else
    echo "controller: stopped"
  fi
  pid="$(read_pid "$(workers_pid_file)")"
  if pid_alive "$pid" && tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null | grep -q 'dist/app/bin/workers-main.js'; then
    echo "workers: running (pid ${pid})"
  else
    echo "workers: stopped"
  fi
}

# Forget a stopped profile's state (databases, streams, live calls, evidence, Asterisk's own
# files), so that its next start is like a first one. Refused while any of its services runs.
wipe() {
  local s
  for s in "${ALL_SERVICES[@]}"; do
    if pid_alive "$(read_pid "${RUN_DIR}/${s}.pid")"; then die "wipe: ${s} of profile ${PROFILE} is running; stop it first"; fi
  done
  log "wiping the state of profile ${PROFILE}"
  as_root rm -rf "$PG_DATA" "${AST_INSTANCE_DIR}/lib" "${AST_INSTANCE_DIR}/spool" "${SWITCH_EVENTS_FILE}" "${SWITCH_EVENTS_FILE}.1"
  rm -rf "${PROFILE_DIR}/redis" "${PROFILE_DIR}/nats" "${PROFILE_DIR}/evidence"
}

case "$action" in
  wipe)    wipe ;;
  start)   for s in "${services[@]}"; do "start_$s"; done ;;
  stop)    for ((i=${#services[@]}-1; i>=0; i--)); do "stop_${services[$i]}"; done ;;
  restart) for s in "${services[@]}"; do "stop_$s"; "start_$s"; done ;;
  status)  for s in "${services[@]}"; do status_of "$s"; done; [ "$all_named" -eq 0 ] || controller_status ;;
  *) die "unknown action '${action}'" ;;
esac
