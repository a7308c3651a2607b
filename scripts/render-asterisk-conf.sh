#!/usr/bin/env bash
# Render asterisk/conf/*.conf into an Asterisk etc directory, filling {{NAME}} placeholders from
# the environment. Fails on any placeholder without a value, so a typo never reaches Asterisk.
# Usage: render-asterisk-conf.sh <source dir> <destination dir>
# Used locally by scripts/stack.sh and in production by the Asterisk image's entrypoint.
set -euo pipefail
src="${1:?source dir}"
dest="${2:?destination dir}"
mkdir -p "$dest"
# AMI (manager.conf) listens beside ARI unless told otherwise: the controller derives the same.
export AMI_HOST="${AMI_HOST:-${ARI_HOST:-127.0.0.1}}"
export AMI_PORT="${AMI_PORT:-$(( ${ARI_PORT:-8088} + 50 ))}"
for file in "$src"/*.conf; do
  name="$(basename "$file")"
  perl -pe 's/\{\{([A-Z0-9_]+)\}\}/exists $ENV{$1} ? $ENV{$1} : die("'"$name"': no value for {{$1}}\n")/ge' \
    "$file" > "$dest/$name.tmp"
  mv "$dest/$name.tmp" "$dest/$name"
done
