# The fleet's network (scripts/fleet.sh): one Linux bridge on the host and one network namespace
# per host, each linked to the bridge by a veth pair. Every address is in 198.18.0.0/15 (the
# benchmarking range, RFC 2544); nothing else on the machine is touched. Source it.
# shellcheck shell=bash

# FLEET_TAG (a digit or two, default none) keeps two fleets on one machine apart: their namespaces,
# bridge and links are named with it, and FLEET_NET defaults to 198.18.<tag>.
FLEET_TAG="${FLEET_TAG:-}"
case "$FLEET_TAG" in ''|[0-9]|[0-9][0-9]) ;; *) die "FLEET_TAG must be empty or 1-2 digits (got ${FLEET_TAG})" ;; esac
FLEET_NET="${FLEET_NET:-198.18.${FLEET_TAG:-0}}"
FLEET_BRIDGE="fleet${FLEET_TAG}-br0"
FLEET_HOST_IP="${FLEET_NET}.1"
EDGE_IP="${FLEET_NET}.2"
CORE_IP="${FLEET_NET}.3"
CARRIER_IP="${FLEET_NET}.4"
# node-N is at .(10+N)
node_ip() { echo "${FLEET_NET}.$((10 + ${1#node-}))"; }
ns_of() { echo "fleet${FLEET_TAG}-$1"; }

case "$FLEET_NET" in 198.18.*|198.19.*) ;; *) die "FLEET_NET must be inside 198.18.0.0/15 (got ${FLEET_NET})" ;; esac

ns_exists() { [ -e "/run/netns/$1" ]; }

bridge_up() {
  if ! ip link show "$FLEET_BRIDGE" >/dev/null 2>&1; then
    ip link add "$FLEET_BRIDGE" type bridge
  fi
  [[ "$(ip addr show dev "$FLEET_BRIDGE")" == *"inet ${FLEET_HOST_IP}/24"* ]] || ip addr add "${FLEET_HOST_IP}/24" dev "$FLEET_BRIDGE"
  ip link set "$FLEET_BRIDGE" up
}

# host_up NAME IP: namespace fleet<tag>-NAME with eth0 at IP, its peer fv<tag>-NAME on the bridge.
host_up() {
  local name="$1" ip="$2" ns veth peer
  ns="$(ns_of "$name")"; veth="fv${FLEET_TAG}-${name}"; peer="fp${FLEET_TAG}-${name}"
  ns_exists "$ns" || ip netns add "$ns"
  if ! ip link show "$veth" >/dev/null 2>&1; then
    ip link add "$veth" type veth peer name "$peer"
    ip link set "$peer" netns "$ns"
    ip -n "$ns" link set "$peer" name eth0
  fi
  ip link set "$veth" master "$FLEET_BRIDGE"
  ip link set "$veth" up
  ip -n "$ns" link set lo up
  [[ "$(ip -n "$ns" addr show dev eth0)" == *"inet ${ip}/24"* ]] || ip -n "$ns" addr add "${ip}/24" dev eth0
  ip -n "$ns" link set eth0 up
}

host_down() {
  local name="$1"
  ip link show "fv${FLEET_TAG}-${name}" >/dev/null 2>&1 && ip link del "fv${FLEET_TAG}-${name}"
  ns_exists "$(ns_of "$name")" && ip netns del "$(ns_of "$name")"
  return 0
}

bridge_down() {
  ip link show "$FLEET_BRIDGE" >/dev/null 2>&1 && ip link del "$FLEET_BRIDGE"
  return 0
}

# Every fleet host that exists now: edge, core, carrier, node-1 .. node-N.
fleet_hosts() { ip netns list 2>/dev/null | awk '{print $1}' | grep "^fleet${FLEET_TAG}-" | sed "s/^fleet${FLEET_TAG}-//" | sort -V; }
fleet_nodes() { fleet_hosts | grep '^node-[0-9]*$' || true; }

# in_ns HOST CMD...: run CMD in the host's namespace, in a session of its own, in the background;
# prints its PID (ip netns exec, setsid and env all exec, so it is the command's own PID).
in_ns_bg() {
  local host="$1" logfile="$2"; shift 2
  nohup ip netns exec "$(ns_of "$host")" setsid "$@" >>"$logfile" 2>&1 &
  echo $!
}
