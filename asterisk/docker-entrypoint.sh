#!/usr/bin/env bash
# Entrypoint of the Asterisk image: render asterisk/conf/*.conf into the instance's etc directory
# from the environment (as scripts/stack.sh does locally), then exec Asterisk in the foreground.
# With arguments, it renders and then execs those instead (e.g. `true` to check the rendering).
# The renderer fails on any {{NAME}} without a value, so a missing variable stops the container
# here with the variable's name instead of reaching Asterisk.
set -euo pipefail

: "${AST_INSTANCE:=/srv/calling/prod}"
: "${AST_CONF_TEMPLATES:=/usr/local/share/calling/asterisk-conf}"
: "${AST_RENDERER:=/usr/local/bin/render-asterisk-conf.sh}"

# The module directory is multiarch (/usr/lib/<triplet>/asterisk/modules); found as in stack.sh.
if [ -z "${AST_MODDIR:-}" ]; then
  for dir in /usr/lib/*/asterisk/modules; do
    if [ -d "$dir" ]; then AST_MODDIR="$dir"; break; fi
  done
  [ -n "${AST_MODDIR:-}" ] || { echo "docker-entrypoint: no Asterisk module directory under /usr/lib/*/asterisk/modules" >&2; exit 1; }
fi
# Refuse new calls past a load average of 0.95 per CPU unless AST_MAXLOAD is set (0 = off). The
# load average is the host's, so it is compared with the host's CPUs, not the container's cpuset.
if [ -z "${AST_MAXLOAD:-}" ]; then
  AST_MAXLOAD="$(perl -e 'printf "%.2f", $ARGV[0] * 0.95' "$(getconf _NPROCESSORS_ONLN)")"
fi
export AST_INSTANCE AST_MODDIR AST_MAXLOAD

mkdir -p "$AST_INSTANCE"/{etc,cache,lib,spool,spool/recording,run,log}
# A run directory left by a killed container holds a stale control socket and PID file.
rm -rf "${AST_INSTANCE:?}/run/"*
"$AST_RENDERER" "$AST_CONF_TEMPLATES" "$AST_INSTANCE/etc"
# A fleet node (behind the Kamailio edge): its overlay replaces some files (asterisk/conf-node).
if [ -n "${AST_CONF_OVERLAY:-}" ]; then "$AST_RENDERER" "$AST_CONF_OVERLAY" "$AST_INSTANCE/etc"; fi
# The rendered files hold the ARI and PostgreSQL passwords.
chmod 600 "$AST_INSTANCE"/etc/*.conf

if [ "$#" -gt 0 ]; then exec "$@"; fi
# -f: stay in the foreground, so the container lives as long as Asterisk; -n: no colour codes in logs.
exec asterisk -f -n -C "$AST_INSTANCE/etc/asterisk.conf"
