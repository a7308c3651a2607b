#!/usr/bin/env bash
# The Asterisk CLI of a running profile, for operators: scripts/asterisk-cli.sh [profile] [command]
#   scripts/asterisk-cli.sh local                          interactive console
#   scripts/asterisk-cli.sh local "pjsip show contacts"    one command
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
load_profile "${1:-local}"
conf="${AST_INSTANCE_IN_CHROOT}/etc/asterisk.conf"
# The console socket is root's: through sudo when this runs as a user.
as_root_prefix=(); [ "$(id -u)" -eq 0 ] || as_root_prefix=(sudo)
if [ $# -ge 2 ]; then
  exec "${as_root_prefix[@]}" chroot "$ASTERISK_ROOT" /usr/sbin/asterisk -C "$conf" -rx "$2"
fi
exec "${as_root_prefix[@]}" chroot "$ASTERISK_ROOT" /usr/sbin/asterisk -C "$conf" -r
