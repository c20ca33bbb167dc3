#!/bin/bash
# rtcsignalbin's WHIP client against a real SFU: Janus 1.1.2 VideoRoom behind
# Debian's simple-whip-server (janus-whip-env.sh), inside this test's own
# network namespace (run-suite.sh runs meson test in one; without it, run
# `unshare -n bash tests/interop/janus-whip.sh`).
#
# 1. A publisher (VP8 + Opus) POSTs to the endpoint: Janus must forward its
#    RTP (VideoRoom rtp_forward to local UDP ports), video and audio.
# 2. Ctrl-C (SIGINT to gst-launch -e): the publisher DELETEs its resource and
#    exits; the endpoint takes a new publisher at once (it refuses a second
#    one with 403 while the first still has it).
# 3. A wrong token: the endpoint answers 403, the element posts a warning
#    naming the status, keeps retrying, and exits cleanly on Ctrl-C.
# 4. The SFU restarts (Janus and simple-whip-server stopped, started again)
#    under a connected publisher: the publisher notices, POSTs again with
#    backoff, and Janus forwards its video again; Ctrl-C still ends it.
# Prints the time from start to the first forwarded video packet, and from
# the restart to the first packet after it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
env_script=$here/janus-whip-env.sh

if [ -z "${WHIP_URL:-}" ]; then
  # not yet inside the environment: start it around ourselves
  exec bash "$env_script" run -- bash "$0" "$@"
fi

fail=0
check() { # description, condition result
  if [ "$2" = 0 ]; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi
}
tmp=$(mktemp -d)
# gst-launch-1.0 in the background, killed after $WATCHDOG_S (30) s whatever
# happens; its pid in $pub. Not under timeout(1): that passes a SIGINT on to its child
# and to its process group, and gst-launch's second SIGINT kills it.
launch() { # log, gst-launch arguments...
  local log=$1; shift
  gst-launch-1.0 "$@" > "$log" 2>&1 &
  pub=$!
  # the watchdog's sleep is killed too at the end, or its open stdout would
  # keep the caller (meson) waiting
  ( sleep "${WATCHDOG_S:-30}" & echo $! > "$tmp/sleep.$pub"; wait $! && kill -KILL "$pub" 2>/dev/null ) &
  watchdogs="${watchdogs:-} $!"
}
cleanup() {
  local f
  kill ${watchdogs:-} 2>/dev/null
  for f in "$tmp"/sleep.*; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
SRC="videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! b.video_0 audiotestsrc is-live=true wave=ticks ! b.audio_0"

# RTP packets Janus forwards to our ports (its rtp_forward) in $1 seconds,
# or ($2 = early) until 1 s after the first video packet: prints
# "video=N audio=N first_video_ms=T" (T: -1 if none came).
count_rtp() {
python3 - "$RTP_VIDEO_PORT" "$RTP_AUDIO_PORT" "$1" "${2:-}" <<'EOF'
import socket, sys, time, select
ports, secs = [int(p) for p in sys.argv[1:3]], float(sys.argv[3])
early = sys.argv[4] == "early"
socks = []
for p in ports:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", p)); s.setblocking(False); socks.append(s)
counts, first = [0, 0], None
start = time.monotonic(); end = start + secs
while time.monotonic() < end:
    if early and first is not None and time.monotonic() - start > first + 1:
        break
    r, _, _ = select.select(socks, [], [], 0.1)
    for s in r:
        i = socks.index(s)
        while True:
            try:
                s.recv(65535)
            except BlockingIOError:
                break
            counts[i] += 1
            if i == 0 and first is None:
                first = time.monotonic() - start
print("video=%d audio=%d first_video_ms=%d" % (counts[0], counts[1],
      -1 if first is None else first * 1000))
EOF
}

# --- 1. media reaches Janus
count_rtp 8 > "$tmp/rtp" &
counter=$!
sleep 0.3
launch "$tmp/pub.log" -e $SRC rtcsignalbin name=b \
  whip-endpoint="$WHIP_URL" video-codec=vp8
wait "$counter"
read -r rtp < "$tmp/rtp"
echo "# forwarded by Janus in 8 s: $rtp (first video packet counted from the publisher's start)"
video=${rtp#video=}; video=${video%% *}
audio=${rtp#*audio=}; audio=${audio%% *}
check "Janus forwards the publisher's video (over 100 packets)" "$([ "$video" -gt 100 ]; echo $?)"
check "Janus forwards the publisher's audio (over 50 packets)" "$([ "$audio" -gt 50 ]; echo $?)"

# --- 2. Ctrl-C: DELETE, clean exit, endpoint free again
kill -INT "$pub"
start=$(date +%s%N)
wait "$pub"; rc=$?
stop_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# exit after Ctrl-C in $stop_ms ms"
check "the publisher exits 0 after Ctrl-C" "$rc"
check "within 5 s" "$([ "$stop_ms" -lt 5000 ]; echo $?)"
launch "$tmp/pub2.log" -m -e $SRC rtcsignalbin name=b \
  whip-endpoint="$WHIP_URL" video-codec=vp8
for _ in $(seq 1 50); do
  grep -q meshrtc-peer-connected "$tmp/pub2.log" && break
  sleep 0.2
done
check "a new publisher connects right after (the endpoint was released)" \
  "$(grep -q meshrtc-peer-connected "$tmp/pub2.log"; echo $?)"
kill -INT "$pub"; wait "$pub"

# --- 3. a refused token is a warning naming the status
launch "$tmp/auth.log" -e $SRC rtcsignalbin name=b \
  whip-endpoint="$WHIP_URL_AUTH" auth-token=wrong video-codec=vp8
for _ in $(seq 1 50); do
  grep -q 'answered the offer with 403' "$tmp/auth.log" && break
  sleep 0.2
done
check "a wrong token is a warning naming 403" \
  "$(grep -A4 '^WARNING' "$tmp/auth.log" | grep -q 'answered the offer with 403'; echo $?)"
sleep 0.5
kill -INT "$pub"; wait "$pub"; rc=$?
echo "# exit status after Ctrl-C: $rc"
check "and Ctrl-C still ends it cleanly" "$rc"

# --- 4. the SFU restarts under a connected publisher
WATCHDOG_S=120 launch "$tmp/pub4.log" -m -e $SRC rtcsignalbin name=b \
  whip-endpoint="$WHIP_URL" video-codec=vp8
for _ in $(seq 1 50); do
  grep -q meshrtc-peer-connected "$tmp/pub4.log" && break
  sleep 0.2
done
check "a publisher connects before the restart" \
  "$(grep -q meshrtc-peer-connected "$tmp/pub4.log"; echo $?)"
bash "$env_script" restart > "$tmp/restart.log" 2>&1
check "Janus and simple-whip-server start again" "$?"
# until the first packets after the restart, at most 90 s: libnice 0.1.21
# notices a remote that stopped answering its keepalives after 50 s
count_rtp 90 early > "$tmp/rtp4"
read -r rtp4 < "$tmp/rtp4"
echo "# after the restart: $rtp4 (first video packet counted from the restart)"
video=${rtp4#video=}; video=${video%% *}
check "after the restart, Janus forwards the publisher's video again" \
  "$([ "$video" -gt 0 ]; echo $?)"
kill -INT "$pub"; wait "$pub"; rc=$?
check "and Ctrl-C ends the publisher cleanly" "$rc"

if [ "$fail" != 0 ]; then
  for f in pub pub2 auth pub4 restart; do echo "--- $f.log"; tail -25 "$tmp/$f.log"; done
fi
exit "$fail"
