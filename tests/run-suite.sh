#!/usr/bin/env bash
# Installs what the tests need (build deps, GStreamer plugins, Chromium,
# coturn, npm playwright-core, clang, Janus with simple-whip-server),
# builds, and runs the whole suite
# inside a loopback-only network namespace, in three stages
# (docs/testing.md):
#   1. the meson test suite (GstCheck and browser tests) in build-tests;
#   2. the GstCheck tests again in an ASan+UBSan build (build-asan);
#      MESHRTC_SANITIZE=0 skips it;
#   3. the libFuzzer harnesses, MESHRTC_FUZZ_SECONDS (default 60) each, in
#      build-fuzz; MESHRTC_FUZZ_SECONDS=0 skips it.
# Ends with "N skipped" and "N passed, N failed", summed over the stages.
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
    gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-nice gstreamer1.0-x \
    libsoup-3.0-dev libjson-glib-dev libnice-dev libssl-dev \
    chromium coturn ca-certificates gdb \
    clang libclang-rt-14-dev python3
  command -v npm >/dev/null || apt-get install -y -q nodejs npm
fi
if [ -f tests/browser/package.json ]; then
  (cd tests/browser && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund; })
fi
# Janus and simple-whip-server for tests/interop (apt-get, npm)
if [ "${MESHRTC_SKIP_INSTALL:-0}" != 1 ]; then
  bash tests/interop/janus-whip-env.sh setup
fi

if [ -d "$BUILD" ]; then meson setup --reconfigure "$BUILD"; else meson setup "$BUILD"; fi
ninja -C "$BUILD"

# Every server a test starts listens on loopback; the namespace makes sure
# no packet leaves the machine.
in_netns() { unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"; }
ok_total=0 fail_total=0 skip_total=0 rc=0
# Adds the counts of one `meson test` log to the totals.
count_meson() {
  local ok fail timeout skipped
  ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$1" | tail -1)
  fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$1" | tail -1)
  timeout=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$1" | tail -1)
  skipped=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$1" | tail -1)
  ok_total=$(( ok_total + ${ok:-0} ))
  fail_total=$(( fail_total + ${fail:-0} + ${timeout:-0} ))
  skip_total=$(( skip_total + ${skipped:-0} ))
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Stage 1: the suite
t0=$(date +%s)
set +e
in_netns meson test -C "$BUILD" --no-rebuild --print-errorlogs "$@" 2>&1 | tee "$log"
stage_rc=${PIPESTATUS[0]}
set -e
[ "$stage_rc" = 0 ] || rc=$stage_rc
count_meson "$log"
echo "stage 1 (suite): $(( $(date +%s) - t0 )) s"

# Stage 2: the GstCheck tests under AddressSanitizer (with LeakSanitizer)
# and UndefinedBehaviorSanitizer; MESHRTC_SANITIZE=0 skips it. The browser
# tests stay in stage 1: node and Chromium gain nothing from it. Known
# costs (docs/testing.md): libproxy (GIO's proxy resolver) throws C++
# exceptions ASan cannot intercept, so the dummy resolver;
# gst-plugin-scanner is not built with ASan, so the registry is scanned
# in-process; GLib keeps one-time allocations until exit (tests/lsan.supp,
# which needs the slow unwinder); everything runs about 3 times slower, so
# the tests' bounded waits (MESHRTC_TIMEOUT_FACTOR) and check's and meson's
# timeouts are tripled, and elements/lifecycle runs fewer random cycles.
if [ "${MESHRTC_SANITIZE:-1}" != 0 ]; then
  t0=$(date +%s)
  ASAN_BUILD=${MESHRTC_ASAN_BUILD_DIR:-build-asan}
  if [ -d "$ASAN_BUILD" ]; then
    meson setup --reconfigure "$ASAN_BUILD" >/dev/null
  else
    meson setup "$ASAN_BUILD" -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
  fi
  ninja -C "$ASAN_BUILD" >/dev/null
  mapfile -t check_tests < <(meson test -C "$ASAN_BUILD" --no-rebuild --list 2>/dev/null | grep -v -e '^browser/' -e '^interop/')
  asan_dir=$(mktemp -d)
  trap 'rm -f "$log"; rm -rf "$asan_dir"' EXIT
  # libsoup < 3.4.3 leaks in its listener (tests/lsan-libsoup-3.2.supp)
  cp tests/lsan.supp "$asan_dir/lsan.supp"
  if ! pkg-config --atleast-version=3.4.3 libsoup-3.0; then
    cat tests/lsan-libsoup-3.2.supp >> "$asan_dir/lsan.supp"
  fi
  # Tests run gst-launch-1.0 (a system program) with our plugin: it can
  # only load the ASan-built plugin with libasan preloaded. Its reports go
  # to files, checked below (the tests look at its output, not its status).
  libasan=$(cc -print-file-name=libasan.so)
  mkdir "$asan_dir/bin"
  cat > "$asan_dir/bin/gst-launch-1.0" <<WRAPPER
#!/bin/sh
ASAN_OPTIONS="\$ASAN_OPTIONS:log_path=$asan_dir/gst-launch" \
UBSAN_OPTIONS="\$UBSAN_OPTIONS:log_path=$asan_dir/gst-launch" \
LD_PRELOAD="$libasan\${LD_PRELOAD:+ \$LD_PRELOAD}" exec $(command -v gst-launch-1.0) "\$@"
WRAPPER
  chmod +x "$asan_dir/bin/gst-launch-1.0"
  set +e
  PATH="$asan_dir/bin:$PATH" \
  GIO_USE_PROXY_RESOLVER=dummy GST_REGISTRY_FORK=no G_SLICE=always-malloc \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0:malloc_context_size=40:detect_stack_use_after_return=0:intercept_tls_get_addr=0 \
  LSAN_OPTIONS="suppressions=$asan_dir/lsan.supp:print_suppressions=0" \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  MESHRTC_SANITIZER=address \
  MESHRTC_TIMEOUT_FACTOR=${MESHRTC_ASAN_TIMEOUT_MULTIPLIER:-3} \
  CK_TIMEOUT_MULTIPLIER=${MESHRTC_ASAN_TIMEOUT_MULTIPLIER:-3} \
  MESHRTC_LIFECYCLE_CYCLES=${MESHRTC_ASAN_LIFECYCLE_CYCLES:-30} \
  in_netns meson test -C "$ASAN_BUILD" --no-rebuild --print-errorlogs \
      --timeout-multiplier="${MESHRTC_ASAN_TIMEOUT_MULTIPLIER:-3}" \
      "${check_tests[@]}" 2>&1 | tee "$log"
  stage_rc=${PIPESTATUS[0]}
  set -e
  [ "$stage_rc" = 0 ] || rc=$stage_rc
  count_meson "$log"
  # a report from a gst-launch-1.0 a test ran counts as one more failure
  if compgen -G "$asan_dir/gst-launch.*" >/dev/null; then
    echo "sanitizer reports from gst-launch-1.0 run by the tests:"
    cat "$asan_dir"/gst-launch.*
    fail_total=$(( fail_total + 1 ))
    rc=1
  fi
  echo "stage 2 (ASan+UBSan, GstCheck tests): $(( $(date +%s) - t0 )) s"
fi

# Stage 3: each libFuzzer harness for MESHRTC_FUZZ_SECONDS, one result each
if [ "${MESHRTC_FUZZ_SECONDS:-60}" != 0 ]; then
  t0=$(date +%s)
  set +e
  in_netns bash tests/fuzz/run-smoke.sh 2>&1 | tee "$log"
  stage_rc=${PIPESTATUS[0]}
  set -e
  [ "$stage_rc" = 0 ] || rc=$stage_rc
  # grep -c exits 1 when it counts 0: not a failure of the script (set -e)
  fuzz_ok=$(grep -c '^fuzz/.*: PASS' "$log" || true)
  fuzz_fail=$(grep -c '^fuzz/.*: FAIL' "$log" || true)
  ok_total=$(( ok_total + fuzz_ok ))
  # a build or set-up failure before any harness ran counts as one failure
  if [ "$stage_rc" != 0 ] && [ "$fuzz_fail" = 0 ]; then fuzz_fail=1; fi
  fail_total=$(( fail_total + fuzz_fail ))
  echo "stage 3 (fuzzing): $(( $(date +%s) - t0 )) s"
fi

echo "$skip_total skipped"
echo "$ok_total passed, $fail_total failed"
exit "$rc"
