# The edge's secure websockets (kamailio/edge-websocket.cfg): its port. The certificate is the
# edge's TLS certificate (scripts/lib/edge-certs.sh, ensured by render_edge_config). Source it.
# shellcheck shell=bash

# edge_websocket_env: the placeholders edge-websocket.cfg needs, exported. Call it before
# render_edge_config.
edge_websocket_env() {
  EDGE_WSS_PORT="${EDGE_WSS_PORT:-8443}"
  export EDGE_WSS_PORT
}
