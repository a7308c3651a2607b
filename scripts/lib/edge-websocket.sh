# The edge's secure websockets (kamailio/edge-websocket.cfg): its port and TLS certificate. The
# certificate is made once under .local/certs (git-ignored) by a local CA of its own: tests trust
# the CA (or ignore certificate errors); production passes its own (EDGE_TLS_CERT, EDGE_TLS_KEY).
# Source it.
# shellcheck shell=bash

EDGE_CERT_DIR="${LOCAL_DIR}/certs"

# ensure_edge_certificate IP...: a CA and an edge certificate valid for calling.local and the IPs.
# A certificate that lacks one of the IPs is made again (the fleet's network follows FLEET_TAG).
ensure_edge_certificate() {
  local dir="$EDGE_CERT_DIR" ip san="DNS:calling.local,DNS:localhost"
  for ip in "$@"; do san+=",IP:${ip}"; done
  mkdir -p "$dir"; chmod 700 "$dir"
  if [ -s "${dir}/edge.pem" ] && [ "$(cat "${dir}/edge.san" 2>/dev/null)" = "$san" ]; then return; fi
  if [ ! -s "${dir}/ca.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=calling-platform local CA" \
      -keyout "${dir}/ca.key" -out "${dir}/ca.pem" 2>/dev/null || die "could not make the local CA"
  fi
  openssl req -newkey rsa:2048 -nodes -subj "/CN=calling.local" -keyout "${dir}/edge.key" -out "${dir}/edge.csr" 2>/dev/null \
    || die "could not make the edge's key"
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" >"${dir}/edge.ext"
  openssl x509 -req -in "${dir}/edge.csr" -CA "${dir}/ca.pem" -CAkey "${dir}/ca.key" -CAcreateserial -days 825 \
    -extfile "${dir}/edge.ext" -out "${dir}/edge.pem" 2>/dev/null || die "could not sign the edge's certificate"
  chmod 600 "${dir}"/*.key
  echo "$san" >"${dir}/edge.san"
}

# edge_websocket_env IP...: the placeholders edge-websocket.cfg needs, exported, with a certificate
# for the IPs made if there is none. Call it before render_edge_config.
edge_websocket_env() {
  EDGE_WSS_PORT="${EDGE_WSS_PORT:-8443}"
  if [ -z "${EDGE_TLS_CERT:-}" ]; then
    ensure_edge_certificate "$@"
    EDGE_TLS_CERT="${EDGE_CERT_DIR}/edge.pem"; EDGE_TLS_KEY="${EDGE_CERT_DIR}/edge.key"
  fi
  export EDGE_WSS_PORT EDGE_TLS_CERT EDGE_TLS_KEY
}
