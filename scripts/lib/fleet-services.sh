# The fleet's processes (scripts/fleet.sh): PostgreSQL, Redis, 3 NATS servers and the admin API
# on the core host, Kamailio on the edge host, an Asterisk and its controller on each node host.
# Each is started in its host's namespace and tracked by a PID file under .local/fleet/run. Source it.
# shellcheck shell=bash

. "${PROJECT_ROOT}/scripts/lib/edge-config.sh"

FLEET_DIR="${LOCAL_DIR}/fleet"
FRUN="${FLEET_DIR}/run"
FLOG="${FLEET_DIR}/log"
mkdir -p "$FRUN" "$FLOG"
# shellcheck source=edge-websocket.sh
. "${PROJECT_ROOT}/scripts/lib/edge-websocket.sh"

PG_PORT=5432; REDIS_PORT=6379; NATS_PORTS=(4222 4223 4224); ADMIN_PORT=8080
# The edge's JSON-RPC (kamailio/edge-guard.cfg), which the core's admin API reads bans from.
# The fleet's ban period is 20 s (the tests wait for one to end), pike's limit 1000 requests in 2 s
# from one address (bench/ drives hundreds a second from the host's), the carrier host trusted.
EDGE_RPC_PORT=5090
EDGE_PORT="${EDGE_PORT:-5060}"; NODE_SIP_PORT=5080; ARI_PORT=8088
PG_DB=calling; PG_USER=calling; PG_PASSWORD="${FLEET_PG_PASSWORD:-calling-fleet-local-only}"
ARI_USER=calls; ARI_PASSWORD="${FLEET_ARI_PASSWORD:-calls-fleet-local-only}"
DATABASE_URL="postgresql://${PG_USER}:${PG_PASSWORD}@${CORE_IP}:${PG_PORT}/${PG_DB}"
# Least privilege (prisma/roles.sql): PG_USER owns the database and migrates it; controllers,
# Asterisk and the edge log in with roles of their own.
PG_APP_PASSWORD="${PG_PASSWORD}-app"; PG_ASTERISK_PASSWORD="${PG_PASSWORD}-asterisk"; PG_EDGE_PASSWORD="${PG_PASSWORD}-edge"
APP_DATABASE_URL="postgresql://calling_app:${PG_APP_PASSWORD}@${CORE_IP}:${PG_PORT}/${PG_DB}"
NATS_URL="$(printf "nats://${CORE_IP}:%s," "${NATS_PORTS[@]}")"; NATS_URL="${NATS_URL%,}"

pidfile() { echo "${FRUN}/$1.pid"; }
alive() { pid_alive "$(read_pid "$(pidfile "$1")")"; }
kill_tracked() {
  local name="$1" signal="${2:-TERM}" pid
  pid="$(read_pid "$(pidfile "$name")")"
  if pid_alive "$pid"; then
    kill "-${signal}" "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 15))
    while pid_alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$(pidfile "$name")"
}

wait_http() {
  local url="$1" timeout="$2" what="$3" deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || die "${what} not up within ${timeout}s (${url})"
    sleep 0.3
  done
}

# ---------------------------------------------------------------- core: PostgreSQL
fleet_pg_home() { PROFILE=fleet PROFILE_DIR="$FLEET_DIR" pg_home; }
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

start_postgres() {
  local home bin data
  home="$(fleet_pg_home)"; bin="$(pg_bin)"; data="${home}/pg"
  if pid_alive "$(as_postgres head -n 1 "${data}/postmaster.pid" 2>/dev/null)"; then return; fi
  as_root mkdir -p "$data" "${home}/run" "${home}/log"
  as_root chown postgres:postgres "$data" "${home}/run" "${home}/log"; as_root chmod 700 "$data"
  if ! as_postgres test -f "${data}/PG_VERSION"; then
    as_postgres "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"${FLOG}/initdb.log" 2>&1 \
      || die "initdb failed, see ${FLOG}/initdb.log"
    echo "host all all ${FLEET_NET}.0/24 scram-sha-256" | as_postgres tee -a "${data}/pg_hba.conf" >/dev/null
  fi
  log "core: postgres on ${CORE_IP}:${PG_PORT}"
  ip netns exec "$(ns_of core)" runuser -u postgres -- "$bin/pg_ctl" -D "$data" -l "${home}/log/postgres.log" -w -t 60 start \
    -o "-p ${PG_PORT} -c listen_addresses=${CORE_IP} -c unix_socket_directories=${home}/run -c max_connections=300 -c fsync=off" >/dev/null \
    || die "postgres did not start, see ${home}/log/postgres.log"
  as_postgres head -n 1 "${data}/postmaster.pid" >"$(pidfile postgres)"
  as_postgres "$bin/psql" -h "${home}/run" -p "$PG_PORT" -U postgres -d postgres -qtA \
    -v db="$PG_DB" -v owner="$PG_USER" -v owner_pass="$PG_PASSWORD" -v app_pass="$PG_APP_PASSWORD" \
    -v asterisk_pass="$PG_ASTERISK_PASSWORD" -v edge_pass="$PG_EDGE_PASSWORD" <"${PROJECT_ROOT}/prisma/roles.sql" >/dev/null
  (cd "$PROJECT_ROOT" && DATABASE_URL="$DATABASE_URL" CHECKPOINT_DISABLE=1 node_modules/.bin/prisma migrate deploy >"${FLOG}/migrate.log" 2>&1) \
    || die "migrations failed, see ${FLOG}/migrate.log"
}

stop_postgres() {
  local home data; home="$(fleet_pg_home)"; data="${home}/pg"
  as_postgres test -f "${data}/postmaster.pid" 2>/dev/null || { rm -f "$(pidfile postgres)"; return 0; }
  as_postgres "$(pg_bin)/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || kill_tracked postgres
  rm -f "$(pidfile postgres)"
}

# ---------------------------------------------------------------- core: Redis, NATS cluster
start_redis() {
  alive redis && return
  mkdir -p "${FLEET_DIR}/redis"
  in_ns_bg core "${FLOG}/redis.log" redis-server --bind "$CORE_IP" --port "$REDIS_PORT" --protected-mode no \
    --dir "${FLEET_DIR}/redis" --save "" --appendonly yes --appendfsync everysec >"$(pidfile redis)"
  wait_tcp "$CORE_IP" "$REDIS_PORT" 20 redis
}

nats_routes() { local p out=""; for p in 6222 6223 6224; do out+="nats://${CORE_IP}:${p},"; done; echo "${out%,}"; }

# start_nats I (1..3): server I of the JetStream cluster; streams are replicated 3 ways.
start_nats() {
  local i="$1" port="${NATS_PORTS[$(($1 - 1))]}"
  alive "nats-$i" && return
  mkdir -p "${FLEET_DIR}/nats-$i"
  in_ns_bg core "${FLOG}/nats-$i.log" nats-server -a "$CORE_IP" -p "$port" -m "$((8221 + i))" --jetstream \
    --store_dir "${FLEET_DIR}/nats-$i" -n "fleet-nats-$i" --cluster_name fleet \
    --cluster "nats://${CORE_IP}:$((6221 + i))" --routes "$(nats_routes)" >"$(pidfile "nats-$i")"
}

wait_nats_cluster() {
  local deadline=$((SECONDS + 60)) i
  for i in 1 2 3; do
    until curl -fsS "http://${CORE_IP}:$((8221 + i))/healthz" >/dev/null 2>&1; do
      [ "$SECONDS" -lt "$deadline" ] || die "nats-$i not healthy within 60s, see ${FLOG}/nats-$i.log"
      sleep 0.3
    done
  done
  # A new cluster elects its JetStream meta leader a moment after the servers are up; streams can
  # be created only then (a controller starting earlier fails its stream set-up).
  until curl -fsS "http://${CORE_IP}:8222/jsz" 2>/dev/null | grep -q '"leader"'; do
    [ "$SECONDS" -lt "$deadline" ] || die "no JetStream meta leader within 60s, see ${FLOG}/nats-*.log"
    sleep 0.3
  done
}

# ---------------------------------------------------------------- controllers (nodes and core)
# The app's environment for one instance: node-N's controller, or the core's admin API ("core").
app_env() {
  local name="$1" ip="$2" ari_host="$3" ari_app="$4"
  printf '%s\n' NODE_ENV=test LOG_LEVEL="${FLEET_LOG_LEVEL:-info}" INSTANCE_ID="$name" NODE_NAME="$name" \
    ADMIN_HOST="$ip" ADMIN_PORT="$ADMIN_PORT" ADMIN_TOKEN="$ADMIN_TOKEN" DATABASE_URL="$APP_DATABASE_URL" \
    REDIS_URL="redis://${CORE_IP}:${REDIS_PORT}" NATS_URL="$NATS_URL" NATS_STREAM_REPLICAS=3 \
    ARI_URL="http://${ari_host}:${ARI_PORT}" ARI_USER="$ARI_USER" ARI_PASSWORD="$ARI_PASSWORD" ARI_APP="$ari_app" \
    SIP_HOST="$EDGE_IP" SIP_PORT="$EDGE_PORT" SIP_REALM=calling.local SIP_BEHIND_EDGE=true \
    INTERCEPT_ADMIN_TOKEN="$INTERCEPT_ADMIN_TOKEN" INTERCEPT_LOG_FILE="${FLEET_DIR}/${name}/intercept.log" INTERCEPT_EVIDENCE_LOCATIONS="file://${FLEET_DIR}/evidence/1,file://${FLEET_DIR}/evidence/2,file://${FLEET_DIR}/evidence/3"
  # A node's controller reads its own Asterisk's event file (cel_custom.conf); the core has no switch.
  case "$name" in node-*) echo "SWITCH_EVENTS_FILE=${ASTERISK_ROOT}/srv/calling/fleet-${name}/log/switch-events.csv" ;; esac
  # The core's admin API lists and lifts the edge's bans, and exports its counters (once, not per node).
  if [ "$name" = core ]; then echo "EDGE_RPC_URL=udp://${EDGE_IP}:${EDGE_RPC_PORT}"; fi
  # The core drives no call: its click-to-calls are placed by a node whose switch is up.
  if [ "$name" = core ]; then echo "FLEET_ROLE=admin"; fi
}

start_app() {
  local name="$1" host="$2" ip="$3" ari_host="$4" ari_app="$5"
  alive "app-$name" && return
  mkdir -p "${FLEET_DIR}/${name}"
  local env_args; mapfile -t env_args < <(app_env "$name" "$ip" "$ari_host" "$ari_app")
  in_ns_bg "$host" "${FLOG}/app-${name}.log" env -i PATH="$PATH" HOME="${HOME:-/root}" "${env_args[@]}" \
    node --enable-source-maps "${PROJECT_ROOT}/dist/app/main.js" >"$(pidfile "app-$name")"
  # Each node runs the workers (the consumers of call events, app/bin/workers-main.ts) beside its
  # controller, in its namespace and with its settings: the intercept consumer snoops through its own
  # node's ARI as before, and a lost node takes only its own workers away while the other nodes'
  # drain the same durable consumers (no single consumer host in the core). The core has no switch.
  case "$name" in node-*) start_workers "$name" "$host" "${env_args[@]}" ;; esac
}

start_workers() {
  local name="$1" host="$2"; shift 2
  alive "workers-$name" && return
  in_ns_bg "$host" "${FLOG}/workers-${name}.log" env -i PATH="$PATH" HOME="${HOME:-/root}" "$@" \
    node --enable-source-maps "${PROJECT_ROOT}/dist/app/bin/workers-main.js" >"$(pidfile "workers-$name")"
}

wait_app() { wait_http "http://$2:${ADMIN_PORT}/healthz" "${3:-90}" "controller $1 (see ${FLOG}/app-$1.log)"; }

# ---------------------------------------------------------------- nodes: Asterisk
asterisk_moddir() { (cd "$ASTERISK_ROOT" && ls -d usr/lib/*/asterisk/modules 2>/dev/null | head -n 1); }

start_asterisk() {
  local node="$1" ip; ip="$(node_ip "$node")"
  alive "asterisk-$node" && return
  [ -x "${ASTERISK_ROOT}/usr/sbin/asterisk" ] || die "no Asterisk chroot at ${ASTERISK_ROOT} (run scripts/provision.sh)"
  local inst="/srv/calling/fleet-${node}" dir="${ASTERISK_ROOT}/srv/calling/fleet-${node}" rendered
  mkdir -p "$dir"/{etc,cache,lib,spool,spool/recording,run,log}
  rendered="$(mktemp -d)"
  AST_INSTANCE="$inst" AST_MODDIR="/$(asterisk_moddir)" SIP_HOST="$ip" SIP_PORT="$NODE_SIP_PORT" SIP_REALM=calling.local \
    RTP_PORT_START=20000 RTP_PORT_END=29999 AST_MAXLOAD=0 ARI_HOST="$ip" ARI_PORT="$ARI_PORT" ARI_USER="$ARI_USER" \
    ARI_PASSWORD="$ARI_PASSWORD" ARI_APP=calls PG_HOST="$CORE_IP" PG_PORT="$PG_PORT" PG_DB="$PG_DB" PG_USER=calling_asterisk \
    PG_PASSWORD="$PG_ASTERISK_PASSWORD" EDGE_IP="$EDGE_IP" SWITCH_EVENTS_FILE="${inst}/log/switch-events.csv" bash -c '
      "$0/scripts/render-asterisk-conf.sh" "$0/asterisk/conf" "$1" && "$0/scripts/render-asterisk-conf.sh" "$0/asterisk/conf-node" "$1"' \
    "$PROJECT_ROOT" "$rendered"
  install -m 600 "$rendered"/*.conf "${dir}/etc/"; rm -rf "$rendered"
  rm -f "${dir}/run/asterisk.pid"
  in_ns_bg "$node" "${FLOG}/asterisk-${node}.out" chroot "$ASTERISK_ROOT" /usr/sbin/asterisk -f -n \
    -C "${inst}/etc/asterisk.conf" >"$(pidfile "asterisk-$node")"
}

wait_asterisk() {
  local node="$1" deadline=$((SECONDS + ${2:-60}))
  until curl -fsS -u "${ARI_USER}:${ARI_PASSWORD}" "http://$(node_ip "$node"):${ARI_PORT}/ari/asterisk/ping" >/dev/null 2>&1; do
    alive "asterisk-$node" || die "asterisk of ${node} exited, see ${FLOG}/asterisk-${node}.out"
    [ "$SECONDS" -lt "$deadline" ] || die "asterisk of ${node} not up within ${2:-60}s"
    sleep 0.2
  done
}

# ---------------------------------------------------------------- edge: Kamailio
write_dispatcher_list() {
  local node out="${FLEET_DIR}/edge/dispatcher.list"
  mkdir -p "${FLEET_DIR}/edge"
  : >"$out.tmp"
  for node in $(fleet_nodes); do echo "1 sip:$(node_ip "$node"):${NODE_SIP_PORT} 0 0 name=${node}" >>"$out.tmp"; done
  mv "$out.tmp" "$out"
}

start_edge() {
  alive edge && return
  mkdir -p "${FLEET_DIR}/edge/run"
  write_dispatcher_list
  edge_websocket_env
  # The fleet's own TLS and wss ports, whatever a profile loaded before it exported (npm test runs
  # the fleet after the test profile's suites, whose edge is on ports of its own).
  EDGE_TLS_PORT=5061 EDGE_WSS_PORT=8443 \
  EDGE_IP="$EDGE_IP" EDGE_PORT="$EDGE_PORT" EDGE_ALIASES="alias=calling.local" \
    EDGE_RUN_DIR="${FLEET_DIR}/edge/run" EDGE_NODE_RESPONSE_MS="${EDGE_NODE_RESPONSE_MS:-2000}" EDGE_DISPATCHER_LIST="${FLEET_DIR}/edge/dispatcher.list" \
    EDGE_DB_URL="postgres://calling_edge:${PG_EDGE_PASSWORD}@${CORE_IP}:${PG_PORT}/${PG_DB}" EDGE_CARRIER_CACHE_S=5 \
    EDGE_RPC_LISTEN="${EDGE_IP}:${EDGE_RPC_PORT}" EDGE_GUARD_BAN_S="${EDGE_GUARD_BAN_S:-20}" \
    EDGE_GUARD_TRUSTED="${EDGE_GUARD_TRUSTED:-127.0.0.1/32,${CARRIER_IP}/32}" \
    render_edge_config "${FLEET_DIR}/edge"
  kamailio -c -f "${FLEET_DIR}/edge/kamailio.cfg" >"${FLOG}/edge-check.log" 2>&1 || die "edge config refused, see ${FLOG}/edge-check.log"
  in_ns_bg edge "${FLOG}/edge.log" kamailio -DD -E -f "${FLEET_DIR}/edge/kamailio.cfg" -Y "${FLEET_DIR}/edge/run" >"$(pidfile edge)"
  edge_rpc_firewall
}

# The edge's JSON-RPC (EDGE_RPC_PORT) answers the core alone: a phone on the fleet network that
# reached it could lift its own ban (or stop the edge). Jsonrpcs has no ACL; the edge host's
# firewall is the place (in production too: see README, attack handling).
edge_rpc_firewall() {
  ip netns exec "$(ns_of edge)" nft -f - <<NFT || die "nft refused the edge's RPC firewall"
table inet calling_edge_rpc {}
flush table inet calling_edge_rpc
table inet calling_edge_rpc {
  chain input {
    type filter hook input priority 0; policy accept;
    udp dport ${EDGE_RPC_PORT} ip saddr != ${CORE_IP} drop
  }
}
NFT
}

edge_rpc() { kamcmd -s "unix:${FLEET_DIR}/edge/run/kamailio_ctl" "$@"; }

# Whether the edge sends new calls to a node: its dispatcher entry is active (flags A...).
edge_node_active() {
  local list; list="$(edge_rpc dispatcher.list 2>/dev/null | tr -d '\n')"
  [[ "$list" =~ URI:\ sip:$(node_ip "$1"):${NODE_SIP_PORT}[[:space:]]*FLAGS:\ A ]]
}
