# The SIP edge's configuration, shared by every topology: the netns fleet (scripts/fleet.sh) and a
# profile's fleet of one (scripts/stack.sh <profile> start edge). Source it.
# shellcheck shell=bash

# Scanners' user agents the edge drops (edge-guard.cfg), unless EDGE_SCANNER_UA says otherwise.
EDGE_SCANNER_UA_DEFAULT='friendly-scanner|sipvicious|sipcli|vaxsipuseragent|sip-scan|sipscan|iwar|sivus|smap|sundayddr|pplsip|nessus'

kamailio_moddir() { ls -d /usr/lib/*/kamailio/modules 2>/dev/null | head -n 1; }

# kamailio/edge.cfg (as kamailio.cfg) and every kamailio/edge-*.cfg it includes (one file per edge
# feature, include_file'd by name from edge.cfg), rendered side by side from the environment.
# EDGE_NODE_SIDE_LISTEN: listen lines the edge reaches its nodes from when that is not its public
# address (a fleet of one on loopback: the nodes' ACL can then tell the edge from a phone).
render_edge_config() {
  local dir="$1" part
  # SIP over TLS (kamailio/edge-tls.cfg): the operator's certificate or the local one.
  . "${PROJECT_ROOT}/scripts/lib/edge-certs.sh"
  ensure_edge_certs
  EDGE_TLS_PORT="${EDGE_TLS_PORT:-5061}"; export EDGE_TLS_PORT
  EDGE_NODE_SIDE_LISTEN="${EDGE_NODE_SIDE_LISTEN:-}" \
    "${PROJECT_ROOT}/scripts/render-template.sh" "${PROJECT_ROOT}/kamailio/edge.cfg" "${dir}/kamailio.cfg"
  for part in "${PROJECT_ROOT}"/kamailio/edge-*.cfg; do
    [ -e "$part" ] || continue
    EDGE_NODE_SIDE_LISTEN="${EDGE_NODE_SIDE_LISTEN:-}" \
      "${PROJECT_ROOT}/scripts/render-template.sh" "$part" "${dir}/$(basename "$part")"
  done
}
