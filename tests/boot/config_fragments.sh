#!/usr/bin/env bash
# config.<arch>.fragments: every option the fragments ask for is in the final .config (the
# build checks this too; the test keeps the check visible in the report).
# usage: config_fragments.sh ENV SRCARCH FRAGMENT...
set -euo pipefail
source "$1"
srcarch=$2
shift 2
"$KDK" kconfig verify --kconfig-root "$LINUX_SOURCE_DIR" --arch "$srcarch" --catalogue "$KCONFIG_CATALOGUE" "$LINUX_BUILD_DIR/.config" "$@"
echo "ok: $(cat "$@" | grep -cE '^(CONFIG_|# CONFIG_.* is not set)') requested options are in $LINUX_BUILD_DIR/.config"
