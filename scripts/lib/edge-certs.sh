# The SIP edge's TLS certificate (SIP over TLS on 5061; the websocket listener can use the same).
# Production: EDGE_TLS_CERT, EDGE_TLS_KEY (PEM; the certificate file may hold the chain) and
# optionally EDGE_TLS_CA (the CA clients are told to trust) name files from the operator's PKI.
# Locally, when they are unset: a self-signed CA and an edge certificate signed by it, made once
# under .local/certs (git-ignored) and kept; delete the directory to make new ones. Source it.
# shellcheck shell=bash

EDGE_CERT_DIR="${EDGE_CERT_DIR:-${LOCAL_DIR}/certs}"

# Names the local certificate answers to: the realm, localhost and the edge's address on every
# fleet network (198.18.<tag>.2, scripts/lib/fleet-net.sh) and on the loopback.
edge_cert_names() {
  local tag names="DNS:calling.local,DNS:localhost,IP:127.0.0.1"
  for tag in $(seq 0 31); do names+=",IP:198.18.${tag}.2"; done
  echo "$names"
}

# Sets EDGE_TLS_CERT, EDGE_TLS_KEY and EDGE_TLS_CA, making the local ones first if needed.
ensure_edge_certs() {
  if [ -n "${EDGE_TLS_CERT:-}" ] || [ -n "${EDGE_TLS_KEY:-}" ]; then
    [ -r "${EDGE_TLS_CERT:-}" ] && [ -r "${EDGE_TLS_KEY:-}" ] || die "EDGE_TLS_CERT and EDGE_TLS_KEY must both name readable PEM files"
    EDGE_TLS_CA="${EDGE_TLS_CA:-}"
    export EDGE_TLS_CERT EDGE_TLS_KEY EDGE_TLS_CA
    return
  fi
  local dir="$EDGE_CERT_DIR"
  if [ ! -s "${dir}/edge.crt" ] || [ ! -s "${dir}/edge.key" ] || [ ! -s "${dir}/ca.crt" ]; then
    command -v openssl >/dev/null || die "openssl is needed to make the local edge certificate"
    log "making the local CA and edge certificate in ${dir}"
    mkdir -p "$dir"; chmod 755 "$dir"
    local tmp; tmp="$(mktemp -d)"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=calling-platform local CA" \
      -keyout "${tmp}/ca.key" -out "${tmp}/ca.crt" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || die "openssl: could not make the local CA"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=calling.local" \
      -keyout "${tmp}/edge.key" -out "${tmp}/edge.csr" 2>/dev/null || die "openssl: could not make the edge key"
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' \
      "$(edge_cert_names)" >"${tmp}/edge.ext"
    openssl x509 -req -in "${tmp}/edge.csr" -CA "${tmp}/ca.crt" -CAkey "${tmp}/ca.key" -CAcreateserial -days 825 \
      -extfile "${tmp}/edge.ext" -out "${tmp}/edge.crt" 2>/dev/null || die "openssl: could not sign the edge certificate"
    install -m 644 "${tmp}/ca.crt" "${tmp}/edge.crt" "$dir/"
    install -m 600 "${tmp}/ca.key" "${tmp}/edge.key" "$dir/"
    rm -rf "$tmp"
  fi
  EDGE_TLS_CERT="${dir}/edge.crt"; EDGE_TLS_KEY="${dir}/edge.key"; EDGE_TLS_CA="${dir}/ca.crt"
  export EDGE_TLS_CERT EDGE_TLS_KEY EDGE_TLS_CA
}
