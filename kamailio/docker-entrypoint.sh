#!/usr/bin/env bash
# Entrypoint of the edge image: writes the dispatcher list from EDGE_NODES ("sip:host:port,..."),
# renders kamailio/edge.cfg from the environment, checks it, and runs Kamailio in the foreground.
set -euo pipefail
: "${EDGE_NODES:?set EDGE_NODES (sip:node-address:port, comma separated)}"
export EDGE_RUN_DIR=/run/calling-edge EDGE_DISPATCHER_LIST=/etc/calling-edge/dispatcher.list
export EDGE_NAME="${EDGE_NAME:-edge}" EDGE_LOG_LEVEL="${EDGE_LOG_LEVEL:-1}" EDGE_CHILDREN="${EDGE_CHILDREN:-8}"
export EDGE_ALIASES="${EDGE_ALIASES:-}" EDGE_NODE_RESPONSE_MS="${EDGE_NODE_RESPONSE_MS:-2000}"
export EDGE_PROBE_INTERVAL_S="${EDGE_PROBE_INTERVAL_S:-1}" EDGE_PROBE_THRESHOLD="${EDGE_PROBE_THRESHOLD:-2}" EDGE_CARRIER_CACHE_S="${EDGE_CARRIER_CACHE_S:-5}"
for dir in /usr/lib/*/kamailio/modules; do [ -d "$dir" ] && export KAMAILIO_MODULES="$dir" && break; done
: >"$EDGE_DISPATCHER_LIST"
IFS=',' read -ra nodes <<<"$EDGE_NODES"
for node in "${nodes[@]}"; do echo "1 ${node} 0 0" >>"$EDGE_DISPATCHER_LIST"; done
# Secure websockets (edge-websocket.cfg): the certificate comes from the operator (mounted at
# EDGE_TLS_CERT/EDGE_TLS_KEY); without one a self-signed certificate is made, and said, so the edge
# still starts, but browsers will refuse it until a real one is mounted.
export EDGE_WSS_PORT="${EDGE_WSS_PORT:-8443}" EDGE_TLS_CERT="${EDGE_TLS_CERT:-/etc/calling-edge/tls/edge.pem}" EDGE_TLS_KEY="${EDGE_TLS_KEY:-/etc/calling-edge/tls/edge.key}"
if [ ! -s "$EDGE_TLS_CERT" ]; then
  echo "edge: no TLS certificate at ${EDGE_TLS_CERT}: using a self-signed one (mount a real one for browsers)" >&2
  EDGE_TLS_CERT=/etc/calling-edge/self-signed.pem EDGE_TLS_KEY=/etc/calling-edge/self-signed.key
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=${EDGE_NAME}" -keyout "$EDGE_TLS_KEY" -out "$EDGE_TLS_CERT" 2>/dev/null
fi
render-template.sh /usr/local/share/calling/edge.cfg /etc/calling-edge/kamailio.cfg
for part in /usr/local/share/calling/edge-*.cfg; do
  [ -e "$part" ] && render-template.sh "$part" "/etc/calling-edge/$(basename "$part")"
done
kamailio -c -f /etc/calling-edge/kamailio.cfg
exec kamailio -DD -E -f /etc/calling-edge/kamailio.cfg -Y "$EDGE_RUN_DIR"
