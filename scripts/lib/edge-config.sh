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
# Settings every topology shares have their defaults here; a caller names only what differs (its
# addresses, ban period, trusted sources, timeouts).
render_edge_config() {
  local dir="$1" part
  export EDGE_NAME="${EDGE_NAME:-edge}" EDGE_LOG_LEVEL="${EDGE_LOG_LEVEL:-1}" EDGE_CHILDREN="${EDGE_CHILDREN:-4}" \
    KAMAILIO_MODULES="${KAMAILIO_MODULES:-$(kamailio_moddir)}" EDGE_PROBE_INTERVAL_S="${EDGE_PROBE_INTERVAL_S:-1}" \
    EDGE_PROBE_THRESHOLD="${EDGE_PROBE_THRESHOLD:-2}" EDGE_GUARD_AUTH_FAILURES="${EDGE_GUARD_AUTH_FAILURES:-10}" \
    EDGE_GUARD_WINDOW_S="${EDGE_GUARD_WINDOW_S:-60}" EDGE_PIKE_REQS="${EDGE_PIKE_REQS:-1000}" \
    EDGE_SCANNER_UA="${EDGE_SCANNER_UA:-$EDGE_SCANNER_UA_DEFAULT}"
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
