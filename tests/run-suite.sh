#!/usr/bin/env bash
# Installs what the tests need (build deps, GStreamer plugins, Chromium,
# coturn, npm playwright-core), builds, and runs the whole suite inside a
# loopback-only network namespace. Ends with "N passed, N failed".
# Run as root on Debian bookworm. MESHRTC_SKIP_INSTALL=1 skips apt/npm.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${MESHRTC_BUILD_DIR:-build-tests}

if [ "${MESHRTC_SKIP_INSTALL:-0}" != 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends \
    meson ninja-build pkg-config gcc gettext util-linux iproute2 \
    libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev \
    gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
    gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-nice \
    libsoup-3.0-dev libjson-glib-dev libnice-dev libssl-dev \
    chromium coturn ca-certificates gdb
  command -v npm >/dev/null || apt-get install -y -q nodejs npm
fi
if [ -f tests/browser/package.json ]; then
  (cd tests/browser && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund; })
fi

if [ -d "$BUILD" ]; then meson setup --reconfigure "$BUILD"; else meson setup "$BUILD"; fi
ninja -C "$BUILD"

# Every server a test starts listens on loopback; the namespace makes sure
# no packet leaves the machine.
log=$(mktemp)
set +e
unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
  meson test -C "$BUILD" --no-rebuild --print-errorlogs "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -1)
fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$log" | tail -1)
timeout=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$log" | tail -1)
skipped=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$log" | tail -1)
rm -f "$log"
echo "${skipped:-0} skipped"
echo "${ok:-0} passed, $(( ${fail:-0} + ${timeout:-0} )) failed"
exit "$rc"
