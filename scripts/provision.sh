#!/usr/bin/env bash
# Install whatever is missing, idempotently: Debian packages, the Asterisk 22 chroot (Debian sid),
# npm packages, the generated Prisma client and the compiled application. A second run only checks.
# Usage: scripts/provision.sh
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$PROJECT_ROOT"
STAMPS="${LOCAL_DIR}/stamps"
mkdir -p "$STAMPS"

# ---------------------------------------------------------------- Debian packages
# chromium: the console's browser tests drive it (puppeteer-core); no browser is downloaded.
APT_PACKAGES=(postgresql redis-server nats-server sip-tester mmdebstrap tshark sox curl perl iproute2 ca-certificates procps libcap2-bin chromium)
# The fleet's SIP edge (scripts/fleet.sh, kamailio/): Kamailio 5.6 with its PostgreSQL driver (carriers
# read from the carriers table); dispatcher, path, rr, tm and permissions are in the core package.
APT_PACKAGES+=(kamailio kamailio-postgres-modules kamailio-extra-modules kamailio-utils-modules)
# nftables: the fleet edge's RPC port is closed to all but the core (scripts/lib/fleet-services.sh).
APT_PACKAGES+=(nftables)
# SIP over TLS at the edge (kamailio/edge-tls.cfg: tls module, openssl for the local certificate);
# baresip: the tests' phone over TLS with SDES-SRTP (the Debian sipp has no TLS).
APT_PACKAGES+=(kamailio-tls-modules openssl baresip-core)
# WebRTC at the edge: secure websockets (websocket + xhttp; tls as above).
APT_PACKAGES+=(kamailio-websocket-modules)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The tests as a user: sipp plays RTP from pcap files through a raw socket, and tshark's dumpcap
# captures on loopback; both need capabilities root has (CAP_NET_RAW, and CAP_NET_ADMIN for
# dumpcap). Granting them to the two binaries is what Debian's wireshark-common offers for dumpcap.
if [ "$(id -u)" -ne 0 ]; then
  for grant in "cap_net_raw=ep:$(command -v sipp)" "cap_net_admin,cap_net_raw=ep:/usr/sbin/dumpcap:/usr/bin/dumpcap"; do
    caps="${grant%%:*}"; candidates="${grant#*:}"
    for bin in ${candidates//:/ }; do
      [ -x "$bin" ] || continue
      getcap "$bin" 2>/dev/null | grep -q "$caps" || { log "granting ${caps} to ${bin} (tests as a user)"; as_root setcap "$caps" "$bin"; }
      break
    done
  done
fi

# ---------------------------------------------------------------- Asterisk 22 chroot
# Debian 12 has no Asterisk; Debian sid has Asterisk 22. It runs from a chroot built by
# mmdebstrap (git-ignored under .local/). The stamp holds the package list, so changing it rebuilds.
ASTERISK_PACKAGES="asterisk,asterisk-modules"
if [ ! -x "${ASTERISK_ROOT}/usr/sbin/asterisk" ] || [ "$(cat "${STAMPS}/asterisk-root" 2>/dev/null)" != "$ASTERISK_PACKAGES" ]; then
  # Replacing the tree under a running Asterisk breaks it (its modules and rest-api vanish).
  for root_link in /proc/[0-9]*/root; do
    if [ "$(readlink "$root_link" 2>/dev/null)" = "$ASTERISK_ROOT" ]; then
      die "an Asterisk still runs from ${ASTERISK_ROOT} (pid $(basename "$(dirname "$root_link")")); stop it (scripts/stack.sh <profile> stop) before the chroot is rebuilt"
    fi
  done
  log "building the Asterisk 22 chroot (Debian sid) in ${ASTERISK_ROOT}"
  tmp="${ASTERISK_ROOT}.building"
  as_root rm -rf "$tmp"
  as_root mmdebstrap --variant=apt --aptopt='Acquire::Check-Valid-Until "false"' \
    --include="$ASTERISK_PACKAGES" sid "$tmp" >"${LOCAL_DIR}/mmdebstrap.log" 2>&1 \
    || die "mmdebstrap failed, see ${LOCAL_DIR}/mmdebstrap.log"
  # sid moves on: the configuration and the ARI use here are Asterisk 22's, so another major
  # version is refused here rather than failing obscurely later.
  built_version="$(as_root chroot "$tmp" /usr/sbin/asterisk -V 2>&1 || true)"
  case "$built_version" in
    "Asterisk 22."*) ;;
    *) as_root rm -rf "$tmp"; die "Debian sid's asterisk is '${built_version}', not Asterisk 22" ;;
  esac
  # Keep each profile's Asterisk state (under srv/calling) when rebuilding.
  if [ -d "${ASTERISK_ROOT}/srv/calling" ]; then as_root mv "${ASTERISK_ROOT}/srv/calling" "$tmp/srv/calling"; fi
  as_root rm -rf "$ASTERISK_ROOT"
  as_root mv "$tmp" "$ASTERISK_ROOT"
  echo "$ASTERISK_PACKAGES" >"${STAMPS}/asterisk-root"
  log "asterisk: $(as_root chroot "$ASTERISK_ROOT" /usr/sbin/asterisk -V)"
fi
# Asterisk resolves the machine's own name at start; without it in the chroot's hosts file every
# lookup fails (and, where DNS is slow, stalls).
host_name="$(hostname)"
if ! grep -qw -- "$host_name" "${ASTERISK_ROOT}/etc/hosts" 2>/dev/null; then
  printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n' "$host_name" | as_root tee -a "${ASTERISK_ROOT}/etc/hosts" >/dev/null
fi

# ---------------------------------------------------------------- the edge's local TLS certificate
# A self-signed CA and the edge's certificate under .local/certs (git-ignored), made once; an
# operator's own (EDGE_TLS_CERT/EDGE_TLS_KEY) replaces them (scripts/lib/edge-certs.sh).
. "${PROJECT_ROOT}/scripts/lib/edge-certs.sh"
ensure_edge_certs

# ---------------------------------------------------------------- npm packages
command -v node >/dev/null || die "Node.js 20 is required (node not found)"
node -e 'const [maj, min] = process.versions.node.split(".").map(Number); process.exit(maj > 20 || (maj === 20 && min >= 19) ? 0 : 1)' \
  || die "Node.js >= 20.19 is required (found $(node --version))"
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ "$(cat "${STAMPS}/npm" 2>/dev/null)" != "$lock_hash" ]; then
  log "installing npm packages (npm ci)"
  # No install scripts: none is needed, and some (Prisma's) would try to download engines.
  npm ci --no-audit --no-fund --loglevel=error --ignore-scripts
  echo "$lock_hash" >"${STAMPS}/npm"
fi

# ---------------------------------------------------------------- Prisma client
# Prisma 6 falls back to downloading an engine when DATABASE_URL is unset, even for generate.
schema_hash="$(cat prisma/schema.prisma package-lock.json | sha256sum | cut -d' ' -f1)"
if [ ! -f app/shared/infra/prisma/generated/client.ts ] || [ "$(cat "${STAMPS}/prisma" 2>/dev/null)" != "$schema_hash" ]; then
  log "generating the Prisma client"
  DATABASE_URL="${DATABASE_URL:-postgresql://generate:only@127.0.0.1:1/generate}" CHECKPOINT_DISABLE=1 \
    node_modules/.bin/prisma generate >/dev/null
  echo "$schema_hash" >"${STAMPS}/prisma"
fi

# ---------------------------------------------------------------- build
# A compiled file whose source was moved or deleted would still be loaded: dist/app/x.js shadows a
# new folder dist/app/x/index.js (shared/infra/outbox.ts became shared/infra/outbox/).
if [ -d dist/app ]; then
  while IFS= read -r -d '' js; do
    src="${js#dist/}"
    [ -f "${src%.js}.ts" ] || rm -f "$js" "$js.map"
  done < <(find dist/app -name '*.js' -print0)
fi
node_modules/.bin/tsc -p tsconfig.build.json
# The operations console's front end (esbuild), served under /console.
node scripts/build-console.mjs
