# Shared helpers for the project's shell scripts. Source it; do not execute it.
# shellcheck shell=bash

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL_DIR="${PROJECT_ROOT}/.local"
ASTERISK_ROOT="${ASTERISK_ROOT:-${LOCAL_DIR}/asterisk-root}"
export PROJECT_ROOT LOCAL_DIR ASTERISK_ROOT
# Debian installs some servers (nats-server) in /usr/sbin, which a user's PATH leaves out.
case ":${PATH}:" in *:/usr/sbin:*) ;; *) PATH="${PATH}:/usr/sbin:/sbin"; export PATH ;; esac

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Run a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# PostgreSQL refuses to run as root, so its processes run as the postgres system user.
as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else as_root runuser -u postgres -- "$@"; fi
}

# Load a profile (local, test, bench): ports, data directories and the app's environment.
load_profile() {
  local name="${1:?profile name}"
  local file="${PROJECT_ROOT}/scripts/profiles/${name}.env"
  [ -f "$file" ] || die "unknown profile '${name}' (no ${file})"
  PROFILE="$name"
  PROFILE_DIR="${LOCAL_DIR}/${name}"
  RUN_DIR="${PROFILE_DIR}/run"
  LOG_DIR="${PROFILE_DIR}/log"
  # Asterisk's per-profile directories live inside the chroot so that Asterisk sees them.
  AST_INSTANCE_IN_CHROOT="/srv/calling/${name}"
  AST_INSTANCE_DIR="${ASTERISK_ROOT}${AST_INSTANCE_IN_CHROOT}"
  export PROFILE PROFILE_DIR RUN_DIR LOG_DIR AST_INSTANCE_IN_CHROOT AST_INSTANCE_DIR
  set -a
  # shellcheck disable=SC1090
  . "$file"
  set +a
  # An explicit environment wins over the profile, so operators can move a port without editing files.
  if [ -f "${PROJECT_ROOT}/.env" ] && [ "$name" = local ]; then
    set -a
    # shellcheck disable=SC1091
    . "${PROJECT_ROOT}/.env"
    set +a
  fi
  # The switch's event file (asterisk/conf/cel_custom.conf) as the controller reads it: in the
  # instance's log directory inside the chroot unless the profile says otherwise.
  SWITCH_EVENTS_FILE="${SWITCH_EVENTS_FILE:-${AST_INSTANCE_DIR}/log/switch-events.csv}"
  export SWITCH_EVENTS_FILE
  # A profile runs a fleet of one: the SIP edge (Kamailio) takes SIP_HOST:SIP_PORT, the address
  # phones and carriers use; its Asterisk node listens SWITCH_SIP_PORT further on and takes SIP only
  # from EDGE_NODE_SIDE_IP, the loopback address the edge reaches it from (a phone on loopback
  # sends from 127.0.0.1, so the node's ACL tells the two apart). The bench profile is a bare switch
  # on SIP_PORT (bench/call-setup and bench/soak measure Asterisk and the controller; the edge's
  # own cost is bench/fleet's): EDGE_IN_FRONT=no.
  if [ "$name" = bench ]; then EDGE_IN_FRONT="${EDGE_IN_FRONT:-no}"; else EDGE_IN_FRONT="${EDGE_IN_FRONT:-yes}"; fi
  SWITCH_SIP_HOST="${SWITCH_SIP_HOST:-${SIP_HOST}}"
  if [ "$EDGE_IN_FRONT" = yes ]; then
    SWITCH_SIP_PORT="${SWITCH_SIP_PORT:-$((SIP_PORT + 20))}"
    EDGE_NODE_SIDE_IP="${EDGE_NODE_SIDE_IP:-127.0.2.1}"
    # The switch reaches devices through the edge's node-side address (outbound proxy).
    SIP_EDGE_NODE_SIDE="${SIP_EDGE_NODE_SIDE:-${EDGE_NODE_SIDE_IP}:${SIP_PORT}}"
    export SIP_EDGE_NODE_SIDE
    SIP_BEHIND_EDGE="${SIP_BEHIND_EDGE:-true}"
    # The edge's JSON-RPC (bans and attack counters, read by the app: /v1/sip-bans) on the loopback
    # only, and its TLS listener beside SIP_PORT.
    EDGE_RPC_PORT="${EDGE_RPC_PORT:-$((SIP_PORT + 30))}"
    EDGE_RPC_URL="${EDGE_RPC_URL:-udp://127.0.0.1:${EDGE_RPC_PORT}}"
    EDGE_TLS_PORT="${EDGE_TLS_PORT:-$((SIP_PORT + 1))}"
    # Browsers' secure websockets (8443 for the local profile), and where the web phone finds them.
    EDGE_WSS_PORT="${EDGE_WSS_PORT:-$((SIP_PORT + 3383))}"
    WEB_PHONE_WSS_URL="${WEB_PHONE_WSS_URL:-wss://${SIP_HOST}:${EDGE_WSS_PORT}}"
    export EDGE_RPC_PORT EDGE_RPC_URL EDGE_TLS_PORT EDGE_WSS_PORT WEB_PHONE_WSS_URL
  else
    SWITCH_SIP_PORT="${SWITCH_SIP_PORT:-${SIP_PORT}}"
    EDGE_NODE_SIDE_IP="${EDGE_NODE_SIDE_IP:-0.0.0.0/0}"
    SIP_BEHIND_EDGE="${SIP_BEHIND_EDGE:-false}"
  fi
  export EDGE_IN_FRONT SWITCH_SIP_HOST SWITCH_SIP_PORT EDGE_NODE_SIDE_IP SIP_BEHIND_EDGE
  profile_roles
  mkdir -p "$RUN_DIR" "$LOG_DIR"
}

# Whether a process is alive, whoever owns it: kill -0 would need the right to signal it, and
# PostgreSQL runs as postgres, Asterisk as root, even when the scripts run as a user with sudo.
pid_alive() { [ -n "${1:-}" ] && ps -p "$1" >/dev/null 2>&1; }

# Signal a process this project started, whoever it runs as.
signal_pid() {
  local signal="$1" pid="$2"
  kill "-${signal}" "$pid" 2>/dev/null || as_root kill "-${signal}" "$pid" 2>/dev/null || true
}

# PostgreSQL runs as the postgres user, which must reach its data directory and socket: a clone
# under a home directory (mode 0700 on Debian 12) is out of its reach, and a Unix socket path has
# a 107-byte limit. Then the profile's PostgreSQL files live under /var/lib instead.
# Layout under it: pg/ (data), run/pg-socket/, log/postgres.log.
pg_home() {
  local home="$PROFILE_DIR"
  if [ ${#home} -gt 75 ] || ! as_postgres test -x "$PROFILE_DIR" 2>/dev/null; then
    home="/var/lib/calling-platform/$(printf '%s' "$PROJECT_ROOT" | sha256sum | cut -c1-12)/${PROFILE}"
  fi
  printf '%s\n' "$home"
}

# Where scripts/start.sh keeps the PID of the profile's controller (stack.sh status reads it).
controller_pid_file() { printf '%s\n' "${RUN_DIR}/controller.pid"; }
workers_pid_file() { printf '%s\n' "${RUN_DIR}/workers.pid"; }

# Least privilege (issue 15): the profile's PG_USER owns the database and runs the migrations
# (DATABASE_URL, also the tests' own connection for fixtures); the controller logs in as
# calling_app (APP_DATABASE_URL) and Asterisk as calling_asterisk (prisma/roles.sql). Their
# passwords derive from the profile's unless set.
profile_roles() {
  PG_APP_USER=calling_app
  PG_APP_PASSWORD="${PG_APP_PASSWORD:-${PG_PASSWORD}-app}"
  PG_ASTERISK_USER=calling_asterisk
  PG_ASTERISK_PASSWORD="${PG_ASTERISK_PASSWORD:-${PG_PASSWORD}-asterisk}"
  PG_EDGE_PASSWORD="${PG_EDGE_PASSWORD:-${PG_PASSWORD}-edge}"
  APP_DATABASE_URL="${APP_DATABASE_URL:-postgresql://${PG_APP_USER}:${PG_APP_PASSWORD}@${PG_HOST}:${PG_PORT}/${PG_DB}}"
  export PG_APP_USER PG_APP_PASSWORD PG_ASTERISK_USER PG_ASTERISK_PASSWORD PG_EDGE_PASSWORD APP_DATABASE_URL
  # Redis (ACL user `calling`, no administrative commands; `ops` for operators and tests that
  # watch MONITOR) and NATS (user `calling`) take credentials; the URLs carry them.
  REDIS_PASSWORD="${REDIS_PASSWORD:-${PG_PASSWORD}-redis}"
  REDIS_OPS_PASSWORD="${REDIS_OPS_PASSWORD:-${PG_PASSWORD}-redis-ops}"
  NATS_USER=calling
  NATS_PASSWORD="${NATS_PASSWORD:-${PG_PASSWORD}-nats}"
  case "$REDIS_URL" in *@*) ;; redis://*) REDIS_URL="redis://calling:${REDIS_PASSWORD}@${REDIS_URL#redis://}" ;; esac
  REDIS_OPS_URL="redis://ops:${REDIS_OPS_PASSWORD}@${REDIS_URL#*@}"
  case "$NATS_URL" in *@*) ;; *) NATS_URL="$(printf '%s' "$NATS_URL" | sed "s#nats://#nats://${NATS_USER}:${NATS_PASSWORD}@#g")" ;; esac
  export REDIS_PASSWORD REDIS_OPS_PASSWORD REDIS_URL REDIS_OPS_URL NATS_USER NATS_PASSWORD NATS_URL
}

read_pid() { [ -f "$1" ] && cat "$1" 2>/dev/null || true; }

# Wait until a TCP port accepts connections, or fail after a timeout (seconds).
wait_tcp() {
  local host="$1" port="$2" timeout="${3:-30}" what="${4:-$1:$2}"
  local deadline=$((SECONDS + timeout))
  until (exec 3<>"/dev/tcp/${host}/${port}") 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || die "${what} did not open ${host}:${port} within ${timeout}s"
    sleep 0.2
  done
}
