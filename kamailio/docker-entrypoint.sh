#!/usr/bin/env bash
# Entrypoint of the edge image: writes the dispatcher list from EDGE_NODES ("sip:host:port,..."),
# renders kamailio/edge.cfg from the environment, checks it, and runs Kamailio in the foreground.
set -euo pipefail
: "${EDGE_NODES:?set EDGE_NODES (sip:node-address:port, comma separated)}"
export EDGE_RUN_DIR=/run/calling-edge EDGE_DISPATCHER_LIST=/etc/calling-edge/dispatcher.list
export EDGE_NAME="${EDGE_NAME:-edge}" EDGE_LOG_LEVEL="${EDGE_LOG_LEVEL:-1}" EDGE_CHILDREN="${EDGE_CHILDREN:-8}"
export EDGE_ALIASES="${EDGE_ALIASES:-}" EDGE_NODE_SIDE_LISTEN="${EDGE_NODE_SIDE_LISTEN:-}" EDGE_NODE_RESPONSE_MS="${EDGE_NODE_RESPONSE_MS:-2000}"
export EDGE_PROBE_INTERVAL_S="${EDGE_PROBE_INTERVAL_S:-1}" EDGE_PROBE_THRESHOLD="${EDGE_PROBE_THRESHOLD:-2}" EDGE_CARRIER_CACHE_S="${EDGE_CARRIER_CACHE_S:-5}"
# SIP over TLS (edge-tls.cfg): the operator's certificate and key, mounted into the container.
: "${EDGE_TLS_CERT:?set EDGE_TLS_CERT and EDGE_TLS_KEY (PEM files mounted into the container)}" "${EDGE_TLS_KEY:?set EDGE_TLS_KEY}"
export EDGE_TLS_PORT="${EDGE_TLS_PORT:-5061}"
for dir in /usr/lib/*/kamailio/modules; do [ -d "$dir" ] && export KAMAILIO_MODULES="$dir" && break; done
: >"$EDGE_DISPATCHER_LIST"
IFS=',' read -ra nodes <<<"$EDGE_NODES"
# Secure websockets for browsers (edge-websocket.cfg), with the edge's TLS certificate.
export EDGE_WSS_PORT="${EDGE_WSS_PORT:-8443}"
# Attack handling (edge-guard.cfg): failed authentications before a ban, their window, the ban
# period, pike's limit (requests in 2 s from one address), scanner user agents, trusted sources
# (carriers: comma-separated CIDR blocks), and the JSON-RPC listener the app reads bans from
# (EDGE_RPC_LISTEN: an internal address only, never the public one).
export EDGE_GUARD_AUTH_FAILURES="${EDGE_GUARD_AUTH_FAILURES:-10}" EDGE_GUARD_WINDOW_S="${EDGE_GUARD_WINDOW_S:-60}" EDGE_GUARD_BAN_S="${EDGE_GUARD_BAN_S:-900}"
export EDGE_PIKE_REQS="${EDGE_PIKE_REQS:-200}" EDGE_GUARD_TRUSTED="${EDGE_GUARD_TRUSTED:-127.0.0.1/32}" EDGE_RPC_LISTEN="${EDGE_RPC_LISTEN:-${EDGE_IP:?set EDGE_IP}:5090}"
export EDGE_SCANNER_UA="${EDGE_SCANNER_UA:-friendly-scanner|sipvicious|sipcli|vaxsipuseragent|sip-scan|sipscan|iwar|sivus|smap|sundayddr|pplsip|nessus}"
# EDGE_NODE_ATTRS: dispatcher attributes of every node, e.g. socket=udp:127.0.2.1:5060 (a fleet of
# one on host networking, where the node's ACL admits the edge's node-side address only).
for node in "${nodes[@]}"; do echo "1 ${node} 0 0 ${EDGE_NODE_ATTRS:-}" >>"$EDGE_DISPATCHER_LIST"; done
render-template.sh /usr/local/share/calling/edge.cfg /etc/calling-edge/kamailio.cfg
# Every edge feature file (kamailio/edge-*.cfg) beside it, as scripts/lib/edge-config.sh does.
for part in /usr/local/share/calling/edge-*.cfg; do
  if [ -e "$part" ]; then render-template.sh "$part" "/etc/calling-edge/$(basename "$part")"; fi
done
kamailio -c -f /etc/calling-edge/kamailio.cfg
exec kamailio -DD -E -f /etc/calling-edge/kamailio.cfg -Y "$EDGE_RUN_DIR"
