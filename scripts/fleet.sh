#!/usr/bin/env bash
# The fleet on one machine: a Kamailio SIP edge in front of N Asterisk switch nodes (each with its
# controller), a core host (NATS x3 as a JetStream cluster, Redis, PostgreSQL, the admin API) and a
# carrier host (for sipp), each a network namespace on a bridge, addresses in 198.18.0.0/15.
# Usage: scripts/fleet.sh up [N] | status | down | wipe | kill-node NAME | restore-node NAME
#                         | kill-controller NAME | restore-controller NAME | kill-nats I | restore-nats I
#                         | kill-asterisk NAME (its controller lives; restore-node brings Asterisk back)
#                         | edge (whether the edge sends new calls to each node: node-1 active|inactive)
#                         | restart-edge (the edge stopped and started again, its configuration rendered anew)
# Every verb may run twice; down removes every namespace, link and process up made (by PID).
# Needs root (namespaces). ADMIN_TOKEN is honoured; without it one is generated and printed.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
[ "$(id -u)" -eq 0 ] || exec sudo --preserve-env=ADMIN_TOKEN,FLEET_LOG_LEVEL,EDGE_LOG_LEVEL,FLEET_TAG,FLEET_NET "$0" "$@"
. "${PROJECT_ROOT}/scripts/lib/fleet-net.sh"
. "${PROJECT_ROOT}/scripts/lib/fleet-services.sh"

verb="${1:-}"; shift || true

token_file="${FLEET_DIR}/admin-token"
if [ -z "${ADMIN_TOKEN:-}" ]; then
  [ -s "$token_file" ] || head -c 24 /dev/urandom | base64 | tr '+/' '-_' >"$token_file"
  ADMIN_TOKEN="$(cat "$token_file")"; token_generated=1
else
  printf '%s\n' "$ADMIN_TOKEN" >"$token_file"; token_generated=0
fi
chmod 600 "$token_file"
# The intercept administrator's token (agencies, warrants): one for every instance of the fleet, so
# whichever instance answers takes it (each would otherwise make up its own).
intercept_token_file="${FLEET_DIR}/intercept-admin-token"
[ -s "$intercept_token_file" ] || head -c 24 /dev/urandom | base64 | tr '+/' '-_' >"$intercept_token_file"
chmod 600 "$intercept_token_file"
INTERCEPT_ADMIN_TOKEN="${INTERCEPT_ADMIN_TOKEN:-$(cat "$intercept_token_file")}"

node_known() { [[ "${1:-}" =~ ^node-[0-9]+$ ]] && ns_exists "$(ns_of "$1")"; }

node_up() {
  local node="$1"
  start_asterisk "$node"
  # The controller starts while Asterisk boots: it connects to ARI once ARI answers (its own retry),
  # which saves a restored node seconds.
  start_app "$node" "$node" "$(node_ip "$node")" "$(node_ip "$node")" calls
  wait_asterisk "$node" 60
}

# Waits until a node's controller is healthy and the edge sends it calls.
node_ready() {
  local node="$1" deadline=$((SECONDS + ${2:-90}))
  wait_app "$node" "$(node_ip "$node")" "${2:-90}"
  until edge_node_active "$node"; do
    [ "$SECONDS" -lt "$deadline" ] || die "the edge does not send calls to ${node} (see ${FLOG}/edge.log)"
    sleep 0.2
  done
}

up() {
  local n="${1:-2}" i started=$SECONDS
  [[ "$n" =~ ^[1-9][0-9]?$ ]] || die "up: N must be 1-99 (got ${n})"
  [ -f "${PROJECT_ROOT}/dist/app/main.js" ] || die "the app is not built (run scripts/provision.sh)"
  bridge_up
  host_up edge "$EDGE_IP"; host_up core "$CORE_IP"; host_up carrier "$CARRIER_IP"
  for i in $(seq 1 "$n"); do host_up "node-$i" "$(node_ip "node-$i")"; done
  start_postgres; start_redis
  for i in 1 2 3; do start_nats "$i"; done
  wait_nats_cluster
  for i in $(seq 1 "$n"); do node_up "node-$i"; done
  start_edge
  # The core's admin API is an instance with no calls of its own (its ARI application name takes
  # none): it answers operators while any node lives.
  start_app core core "$CORE_IP" "$(node_ip node-1)" fleet-admin
  for i in $(seq 1 "$n"); do node_ready "node-$i" 120; done
  wait_app core "$CORE_IP" 60
  log "fleet up in $((SECONDS - started))s: ${n} node(s)"
  echo "edge sip: udp:${EDGE_IP}:${EDGE_PORT}"
  echo "edge sip over tls: ${EDGE_IP}:${EDGE_TLS_PORT:-5061} (CA: ${EDGE_TLS_CA:-see EDGE_TLS_CERT})"
  echo "admin api: http://${CORE_IP}:${ADMIN_PORT}"
  echo "carrier host: ${CARRIER_IP} (ip netns exec $(ns_of carrier) ...)"
  [ "$token_generated" -eq 0 ] || echo "admin token: ${ADMIN_TOKEN}"
}

status() {
  local node
  for node in $(fleet_nodes); do
    if alive "asterisk-$node" && alive "app-$node"; then echo "$node up"; else echo "$node down"; fi
  done
}

kill_node() {
  local node="${1:-}" killed=0 what
  node_known "$node" || die "kill-node: no node '${node}'"
  for what in "asterisk-$node" "app-$node" "workers-$node"; do
    if alive "$what"; then kill -KILL "$(read_pid "$(pidfile "$what")")"; killed=1; fi
    rm -f "$(pidfile "$what")"
  done
  [ "$killed" -eq 1 ] || die "kill-node: ${node} was not running"
  log "${node}: killed (kill -9)"
}

restore_node() {
  local node="${1:-}" started=$SECONDS
  node_known "$node" || die "restore-node: no node '${node}'"
  node_up "$node"
  node_ready "$node" 60
  log "${node}: back in rotation in $((SECONDS - started))s"
}

kill_controller() {
  local node="${1:-}"
  node_known "$node" || die "kill-controller: no node '${node}'"
  alive "app-$node" || die "kill-controller: the controller of ${node} was not running"
  kill -KILL "$(read_pid "$(pidfile "app-$node")")"; rm -f "$(pidfile "app-$node")"
  log "${node}: controller killed (kill -9)"
}

# Only the node's Asterisk (kill -9): its controller lives on, without a switch.
kill_asterisk() {
  local node="${1:-}"
  node_known "$node" || die "kill-asterisk: no node '${node}'"
  alive "asterisk-$node" || die "kill-asterisk: the Asterisk of ${node} was not running"
  kill -KILL "$(read_pid "$(pidfile "asterisk-$node")")"; rm -f "$(pidfile "asterisk-$node")"
  log "${node}: Asterisk killed (kill -9), its controller left running"
}

kill_nats() {
  local i="${1:-}"
  [[ "$i" =~ ^[1-3]$ ]] || die "kill-nats: 1, 2 or 3"
  alive "nats-$i" || die "kill-nats: nats-$i was not running"
  kill -KILL "$(read_pid "$(pidfile "nats-$i")")"; rm -f "$(pidfile "nats-$i")"
  log "nats-$i: killed (kill -9)"
}

# The edge stopped (TERM) and started again: what it keeps in memory only (registrations' TCP and
# websocket connections, htable caches) is gone; returns once it sends calls to every node again.
restart_edge() {
  local node started=$SECONDS
  kill_tracked edge TERM
  start_edge
  for node in $(fleet_nodes); do node_ready "$node" 30; done
  log "edge restarted in $((SECONDS - started))s"
}

down() {
  local name
  for name in $(ls "$FRUN" 2>/dev/null | sed -n 's/^\(app-.*\)\.pid$/\1/p'); do kill_tracked "$name" TERM; done
  for name in $(ls "$FRUN" 2>/dev/null | sed -n 's/^\(workers-.*\)\.pid$/\1/p'); do kill_tracked "$name" TERM; done
  kill_tracked edge TERM
  for name in $(ls "$FRUN" 2>/dev/null | sed -n 's/^\(asterisk-.*\)\.pid$/\1/p'); do kill_tracked "$name" TERM; done
  for name in 1 2 3; do kill_tracked "nats-$name" TERM; done
  kill_tracked redis TERM
  stop_postgres
  for name in $(fleet_hosts); do host_down "$name"; done
  bridge_down
  log "fleet down"
}

# Forgets the fleet's state (database, streams, live calls, Asterisk's own files), so that the next
# up is like a first one. Refused while anything of the fleet runs.
wipe() {
  local f
  for f in "$FRUN"/*.pid; do
    [ -e "$f" ] || continue
    pid_alive "$(read_pid "$f")" && die "wipe: $(basename "$f" .pid) is running; run down first"
  done
  as_root rm -rf "$(fleet_pg_home)/pg"
  rm -rf "${FLEET_DIR}/redis" "${FLEET_DIR}"/nats-* "${FLEET_DIR}/evidence" "${ASTERISK_ROOT}"/srv/calling/fleet-node-*
  log "fleet state wiped"
}

case "$verb" in
  up) up "$@" ;;
  status) status ;;
  down) down ;;
  wipe) wipe ;;
  kill-node) kill_node "$@" ;;
  restore-node) restore_node "$@" ;;
  kill-controller) kill_controller "$@" ;;
  kill-asterisk) kill_asterisk "$@" ;;
  restore-controller) node_known "${1:-}" || die "no node '${1:-}'"; start_app "$1" "$1" "$(node_ip "$1")" "$(node_ip "$1")" calls; node_ready "$1" 60 ;;
  edge) for node in $(fleet_nodes); do if edge_node_active "$node"; then echo "$node active"; else echo "$node inactive"; fi; done ;;
  restart-edge) restart_edge ;;
  kill-nats) kill_nats "$@" ;;
  restore-nats) [[ "${1:-}" =~ ^[1-3]$ ]] || die "restore-nats: 1, 2 or 3"; start_nats "$1"; wait_nats_cluster ;;
  *) die "usage: fleet.sh up [N] | status | down | kill-node NAME | restore-node NAME | kill-controller NAME | restore-controller NAME | kill-asterisk NAME | kill-nats I | restore-nats I | edge | restart-edge" ;;
esac
