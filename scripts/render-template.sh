#!/usr/bin/env bash
# Render one template file, filling {{NAME}} placeholders from the environment (as
# render-asterisk-conf.sh does for Asterisk's directory). Fails on a placeholder without a value.
# Usage: render-template.sh <template> <destination>
set -euo pipefail
src="${1:?template}"; dest="${2:?destination}"
mkdir -p "$(dirname "$dest")"
perl -pe 's/\{\{([A-Z0-9_]+)\}\}/exists $ENV{$1} ? $ENV{$1} : die("'"$(basename "$src")"': no value for {{$1}}\n")/ge' "$src" >"$dest.tmp"
mv "$dest.tmp" "$dest"
