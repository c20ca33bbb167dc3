#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan+UBSan, -Dfuzzing=enabled) in
# their own build dir and runs each for MESHRTC_FUZZ_SECONDS (default 60)
# over its committed corpus plus generated hostile seeds. One result line
# per harness:
#   fuzz/<harness>: PASS|FAIL <executions> executions in <s> s
# then "fuzz: N passed, N failed". Exits non-zero if any harness crashed,
# leaked, tripped UBSan or ran out of memory. The reproducer of a failure
# is left in <build>/tests/fuzz/artifacts/.
#
# Long mode: MESHRTC_FUZZ_SECONDS=3600 bash tests/fuzz/run-smoke.sh
# One harness: MESHRTC_FUZZ_ONLY=router bash tests/fuzz/run-smoke.sh
# A campaign of N executions (ends at N or at MESHRTC_FUZZ_SECONDS,
# whichever comes first), at low priority:
#   MESHRTC_FUZZ_RUNS=10000000 MESHRTC_FUZZ_SECONDS=3600 MESHRTC_FUZZ_NICE=19 \
#     MESHRTC_FUZZ_ONLY=protocol bash tests/fuzz/run-smoke.sh
# MESHRTC_FUZZ_SANITIZER=leak builds build-fuzz-leak instead: LeakSanitizer
# alone, with UBSan checks that trap (clang 14 links no UBSan runtime beside
# LSan's), for campaigns where ASan's allocator is the bottleneck (the
# router harness runs about 2.5 times faster). It finds leaks, crashes and
# undefined behaviour, but not the out-of-bounds accesses that do not crash:
# CI's smoke stays on ASan.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD
SANITIZER=${MESHRTC_FUZZ_SANITIZER:-address}
case $SANITIZER in
  address) BUILD=${MESHRTC_FUZZ_BUILD_DIR:-build-fuzz}
    sanitize_opts=(-Db_sanitize=address,undefined
      -Dc_args=-fsanitize=fuzzer-no-link) ;;
  leak) BUILD=${MESHRTC_FUZZ_BUILD_DIR:-build-fuzz-leak}
    sanitize_opts=(-Db_sanitize=none
      "-Dc_args=-fsanitize=fuzzer-no-link -fsanitize=leak,undefined -fsanitize-trap=undefined"
      "-Dc_link_args=-fsanitize=leak,undefined -fsanitize-trap=undefined") ;;
  *) echo "fuzz: MESHRTC_FUZZ_SANITIZER must be address or leak" >&2; exit 1 ;;
esac
SECONDS_EACH=${MESHRTC_FUZZ_SECONDS:-60}
HARNESSES=${MESHRTC_FUZZ_ONLY:-protocol router iceconfig remote-sdp}
RUNS=${MESHRTC_FUZZ_RUNS:--1}

if ! command -v clang >/dev/null; then
  echo "fuzz: clang not found (apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi
if [ -d "$BUILD" ]; then
  meson setup --reconfigure "$BUILD" >/dev/null
else
  # Only what the harnesses link; the libraries get coverage
  # instrumentation through c_args.
  CC=clang meson setup "$BUILD" -Dfuzzing=enabled \
    "${sanitize_opts[@]}" -Db_lundef=false \
    -Dtests=disabled -Dexamples=disabled -Dtools=disabled \
    -Ddoc=disabled -Dnls=disabled >/dev/null
fi
targets=()
for h in $HARNESSES; do targets+=("tests/fuzz/fuzz-$h"); done
ninja -C "$BUILD" "${targets[@]}" >/dev/null

out=$BUILD/tests/fuzz
rm -rf "$out/hostile" "$out/artifacts"
mkdir -p "$out/artifacts"
python3 tests/fuzz/seeds.py hostile "$out/hostile"

# GSlice caches would hide leaks and make every input look unbalanced to
# libFuzzer's leak check; UBSan reports are failures, not warnings.
export G_SLICE=always-malloc
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=0:detect_stack_use_after_return=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export GST_REGISTRY_FORK=no

passed=0 failed=0
for h in $HARNESSES; do
  dict=tests/fuzz/$h.dict
  [ "$h" = router ] && dict=tests/fuzz/protocol.dict
  # room for the 200 KB hostile seeds where JSON goes in whole
  case $h in
    protocol|iceconfig) max_len=262144 ;;
    router) max_len=8192 ;;
    *) max_len=65536 ;;
  esac
  work=$out/work/$h
  mkdir -p "$work"
  log=$out/$h.log
  start=$(date +%s)
  set +e
  # -max_total_time bounds the run; timeout bounds a hung harness
  timeout --kill-after=30 $((SECONDS_EACH + 300)) \
    nice -n "${MESHRTC_FUZZ_NICE:-0}" "$BUILD/tests/fuzz/fuzz-$h" \
    -max_total_time="$SECONDS_EACH" -runs="$RUNS" -rss_limit_mb=2048 -max_len=$max_len \
    -timeout=25 -dict="$dict" -print_final_stats=1 \
    -artifact_prefix="$out/artifacts/$h-" \
    "$work" "tests/fuzz/corpus/$h" "$out/hostile/$h" >"$log" 2>&1
  rc=$?
  set -e
  secs=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  if [ "$rc" = 0 ] && ! ls "$out/artifacts/$h-"* >/dev/null 2>&1; then
    passed=$((passed + 1))
    echo "fuzz/$h: PASS ${execs:-0} executions in $secs s"
  else
    failed=$((failed + 1))
    echo "fuzz/$h: FAIL (exit $rc) after ${execs:-?} executions in $secs s; log $log"
    grep -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|CRITICAL|^artifact_prefix|Test unit written' "$log" | head -20 || true
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
