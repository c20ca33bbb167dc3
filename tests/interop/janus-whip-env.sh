#!/bin/bash
# janus-whip-env.sh: Janus 1.1.2 (Debian's janus) behind Debian's
# simple-whip-server, for tests of rtcsignalbin's WHIP client against an SFU
# nobody here wrote (tests/interop/janus-whip.sh). Everything runs inside the
# CURRENT network namespace and listens on 127.0.0.1 only; Janus refuses to
# gather ICE candidates on loopback, so it gets a namespace-private veth
# (198.18.0.1 on nic0) that nothing outside can reach.
#
# Usage (as root):
#   bash janus-whip-env.sh setup     # once, outside any namespace: apt-get
#                                    # install janus, simple-whip-server's .deb
#                                    # unpacked, its npm dependencies
#   unshare -n bash janus-whip-env.sh run -- CMD ARGS...
#        start, run CMD with the KEY=VALUE lines of `start` in its
#        environment, stop (SIGTERM by PID, SIGKILL after 5 s); exits with
#        CMD's status. start refuses to run unless the namespace has only lo
#        (and its own veth) and no default route.
#   bash janus-whip-env.sh restart   # inside `run`: stop and start Janus and
#                                    # simple-whip-server again, same ports
#   bash janus-whip-env.sh udp-count PORT SECONDS   # RTP packets Janus forwards
#
# simple-whip-server's Debian package conflicts with this Node.js, hence the
# unpacked .deb. Its endpoints (created at start, in memory only):
#   meshrtc       room 1234 (Opus + VP8), no token, RTP forwarded to
#                 127.0.0.1:$RTP_AUDIO_PORT (audio) and :$RTP_VIDEO_PORT (video)
#   meshrtc-auth  room 1234, needs "Authorization: Bearer $WHIP_TOKEN"
#   meshrtc-link  room 1234, answers with Link ice-server headers
#   meshrtc-multi room 5678 (opus, pcmu, pcma / vp8, vp9, h264, av1)
# Its known behaviour (measured): a wrong token is 403, not 401; trickle
# PATCHes are answered 204 but dropped (Janus learns our address from our
# connectivity checks); no 307; one publisher per endpoint.
#
# State and downloads: MESHRTC_INTEROP_DIR (default build-interop in the
# source tree). Other tunables: WHIP_PORT, JANUS_*_PORT, JANUS_ICE_ADDR,
# RTP_*_PORT.
set -u

JW_HOME=${MESHRTC_INTEROP_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/build-interop}
JW_RUN=${JW_RUN:-$JW_HOME/run}
SWS_ROOT=${SWS_ROOT:-$JW_HOME/swsroot}          # unpacked simple-whip-server .deb
SWS_MODULES=${SWS_MODULES:-$JW_HOME/sws/node_modules}

WHIP_PORT=${WHIP_PORT:-7080}
JANUS_WS_PORT=${JANUS_WS_PORT:-8188}
JANUS_HTTP_PORT=${JANUS_HTTP_PORT:-8088}
JANUS_ADMIN_PORT=${JANUS_ADMIN_PORT:-7088}
JANUS_ADMIN_SECRET=${JANUS_ADMIN_SECRET:-janusoverlord}
JANUS_ICE_IF=${JANUS_ICE_IF:-nic0}
JANUS_ICE_PEER_IF=${JANUS_ICE_PEER_IF:-nic1}
JANUS_ICE_ADDR=${JANUS_ICE_ADDR:-198.18.0.1}
JANUS_RTP_RANGE=${JANUS_RTP_RANGE:-40000-40999}
JANUS_ROOM=${JANUS_ROOM:-1234}           # default codecs: opus / vp8
JANUS_ROOM_MULTI=${JANUS_ROOM_MULTI:-5678} # opus,pcmu,pcma / vp8,vp9,h264,av1
JANUS_ROOM_SECRET=${JANUS_ROOM_SECRET:-adminpwd}
WHIP_TOKEN=${WHIP_TOKEN:-meshrtc-secret}
RTP_AUDIO_PORT=${RTP_AUDIO_PORT:-5002}
RTP_VIDEO_PORT=${RTP_VIDEO_PORT:-5004}
RTP_AUDIO_PORT_MULTI=${RTP_AUDIO_PORT_MULTI:-5012}
RTP_VIDEO_PORT_MULTI=${RTP_VIDEO_PORT_MULTI:-5014}
START_TIMEOUT=${START_TIMEOUT:-20}      # seconds, per service
STOP_TIMEOUT=${STOP_TIMEOUT:-5}         # seconds before SIGKILL

log() { echo "janus-whip-env: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------- setup
cmd_setup() {
	[ "$(id -u)" = 0 ] || die "must be root"
	mkdir -p "$JW_HOME"
	if ! command -v janus >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y janus >&2 || die "apt-get install janus failed"
	fi
	if [ ! -f "$SWS_ROOT/usr/share/simple-whip-server/src/server.js" ]; then
		( cd "$JW_HOME" && apt-get download simple-whip-server >&2 ) || die "apt-get download failed"
		dpkg-deb -x "$(ls -1 "$JW_HOME"/simple-whip-server_*_all.deb | tail -n1)" "$SWS_ROOT" || die "dpkg-deb -x failed"
	fi
	if [ ! -d "$SWS_MODULES/websocket" ]; then
		mkdir -p "$JW_HOME/sws"
		[ -f "$JW_HOME/sws/package.json" ] || echo '{ "name": "sws-local", "version": "0.0.0", "private": true }' > "$JW_HOME/sws/package.json"
		# Same packages the .deb depends on (node-async, node-colors, node-cors,
		# node-debug, node-express, node-websocket; body-parser comes with express)
		( cd "$JW_HOME/sws" && timeout 300 npm install --no-audit --no-fund \
			express@4 async@3 colors@1.4.0 cors@2 debug@4 websocket@1.0.35 body-parser@1 >&2 ) || die "npm install (server) failed"
	fi
	log "setup done"
}

# ---------------------------------------------------------------- helpers
check_netns() {
	# Refuse unless this network namespace is isolated: no interface other than
	# lo and our own veth pair, and no default route. (Comparing with
	# /proc/1/ns/net is not reliable: it may be unreadable in a sandbox.)
	[ "${JW_ALLOW_HOST_NETNS:-0}" = 1 ] && return 0
	local ifname
	for ifname in $(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//'); do
		case "$ifname" in
			lo|"$JANUS_ICE_IF"|"$JANUS_ICE_PEER_IF") ;;
			*) die "refusing to run: interface '$ifname' exists, this is not an isolated network namespace; use: unshare -n bash $0 start" ;;
		esac
	done
	[ -z "$(ip route show default 2>/dev/null)" ] || die "refusing to run: a default route exists; use: unshare -n bash $0 start"
}

http_ok() { # url -> 0 if 2xx
	curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null | grep -q '^2'
}

wait_http() { # url timeout_s pid
	local url=$1 t=$2 pid=$3 deadline=$(( $(date +%s) + $2 ))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		http_ok "$url" && return 0
		alive "$pid" || return 2
		sleep 0.1
	done
	return 1
}

write_janus_conf() {
	local c=$JW_RUN/janus-conf lib=/usr/lib/x86_64-linux-gnu/janus
	[ -d "$lib" ] || lib=$(dirname "$(dpkg -L janus | grep -m1 '/janus/plugins/libjanus_videoroom.so$')")/..
	mkdir -p "$c" "$JW_RUN/janus-plugins" "$JW_RUN/janus-transports" "$JW_RUN/janus-empty"
	# Only the VideoRoom plugin and the HTTP + WebSockets transports are loaded.
	ln -sfn "$lib/plugins/libjanus_videoroom.so" "$JW_RUN/janus-plugins/libjanus_videoroom.so"
	ln -sfn "$lib/transports/libjanus_http.so" "$JW_RUN/janus-transports/libjanus_http.so"
	ln -sfn "$lib/transports/libjanus_websockets.so" "$JW_RUN/janus-transports/libjanus_websockets.so"
	cat > "$c/janus.jcfg" <<EOF
general: {
	configs_folder = "$c"
	plugins_folder = "$JW_RUN/janus-plugins"
	transports_folder = "$JW_RUN/janus-transports"
	events_folder = "$JW_RUN/janus-empty"
	loggers_folder = "$JW_RUN/janus-empty"
	debug_level = 4
	admin_secret = "$JANUS_ADMIN_SECRET"
	session_timeout = 60
	server_name = "meshrtc-test-janus"
}
certificates: {
}
media: {
	rtp_port_range = "$JANUS_RTP_RANGE"
}
nat: {
	nice_debug = false
	ice_enforce_list = "$JANUS_ICE_IF"
	ignore_mdns = true
}
plugins: {
}
transports: {
}
loggers: {
}
events: {
	broadcast = false
}
EOF
	cat > "$c/janus.transport.websockets.jcfg" <<EOF
general: {
	json = "indented"
	ws = true
	ws_port = $JANUS_WS_PORT
	ws_ip = "127.0.0.1"
	wss = false
}
admin: {
	admin_ws = false
	admin_wss = false
}
EOF
	cat > "$c/janus.transport.http.jcfg" <<EOF
general: {
	json = "indented"
	base_path = "/janus"
	http = true
	port = $JANUS_HTTP_PORT
	ip = "127.0.0.1"
	https = false
}
admin: {
	admin_base_path = "/admin"
	admin_http = true
	admin_port = $JANUS_ADMIN_PORT
	admin_ip = "127.0.0.1"
	admin_https = false
}
EOF
	cat > "$c/janus.plugin.videoroom.jcfg" <<EOF
general: {
}
room-$JANUS_ROOM: {
	description = "meshrtc WHIP test room (default codecs: opus + vp8)"
	secret = "$JANUS_ROOM_SECRET"
	publishers = 6
	bitrate = 2000000
	fir_freq = 10
	record = false
}
room-$JANUS_ROOM_MULTI: {
	description = "meshrtc WHIP test room (multi codec)"
	secret = "$JANUS_ROOM_SECRET"
	publishers = 6
	bitrate = 2000000
	fir_freq = 10
	audiocodec = "opus,pcmu,pcma"
	videocodec = "vp8,vp9,h264,av1"
	record = false
}
EOF
}

write_sws() {
	local d=$JW_RUN/sws src=$SWS_ROOT/usr/share/simple-whip-server
	[ -f "$src/src/server.js" ] || die "simple-whip-server not unpacked at $SWS_ROOT (run: $0 setup)"
	[ -d "$SWS_MODULES/websocket" ] || die "server npm modules missing at $SWS_MODULES (run: $0 setup)"
	rm -rf "$d"; mkdir -p "$d/src" "$d/web"
	cp "$src/src/server.js" "$src/src/whip-janus.js" "$d/src/"
	cp "$src/web/index.html" "$src/web/index.js" "$d/web/" 2>/dev/null
	ln -sfn "$SWS_MODULES" "$d/node_modules"
	cat > "$d/src/config.js" <<EOF
module.exports = {
	janus: { address: 'ws://127.0.0.1:$JANUS_WS_PORT' },
	port: $WHIP_PORT,
	rest: '/whip',
	allowTrickle: true,
	strictETags: false,
	iceServers: []
};
EOF
	# The server calls http.listen(port) (all addresses). This preload makes a
	# listen() without an explicit host bind to 127.0.0.1 instead.
	cat > "$d/bind-loopback.js" <<'EOF'
'use strict';
const net = require('net');
const host = process.env.BIND_HOST || '127.0.0.1';
const origListen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
	const p = args[0];
	const isPort = typeof p === 'number' || (typeof p === 'string' && /^[0-9]+$/.test(p));
	if (isPort && typeof args[1] !== 'string')
		args.splice(1, 0, host);
	return origListen.apply(this, args);
};
EOF
}

create_endpoint() { # json
	local code
	code=$(curl -s -o "$JW_RUN/create.out" -m 5 -w '%{http_code}' -H 'Content-Type: application/json' \
		-d "$1" "http://127.0.0.1:$WHIP_PORT/whip/create")
	[ "$code" = 200 ] || die "endpoint create failed ($code): $(cat "$JW_RUN/create.out") for $1"
}

# ---------------------------------------------------------------- start
cmd_start() {
	[ "$(id -u)" = 0 ] || die "must be root"
	check_netns
	command -v janus >/dev/null || die "janus not installed (run: $0 setup)"
	command -v node >/dev/null || die "node not found"
	if [ -f "$JW_RUN/janus.pid" ] && alive "$(cat "$JW_RUN/janus.pid")"; then
		die "already running (JANUS_PID=$(cat "$JW_RUN/janus.pid")); stop first"
	fi
	local t0 t1 t2 t3
	t0=$(now_ms)
	mkdir -p "$JW_RUN"
	rm -f "$JW_RUN"/*.pid "$JW_RUN/env"

	# --- network: lo + namespace-private veth pair for Janus ICE
	ip link set lo up
	if ! ip link show "$JANUS_ICE_IF" >/dev/null 2>&1; then
		ip link add "$JANUS_ICE_IF" type veth peer name "$JANUS_ICE_PEER_IF" || die "veth creation failed"
	fi
	ip addr replace "$JANUS_ICE_ADDR/24" dev "$JANUS_ICE_IF"
	ip link set "$JANUS_ICE_IF" up
	ip link set "$JANUS_ICE_PEER_IF" up
	if [ "${JW_SYSCTLS:-1}" = 1 ]; then  # per-netns sysctls; not strictly needed (tested working without)
		sysctl -qw net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.all.accept_local=1 >/dev/null 2>&1 || true
	fi

	write_janus_conf
	write_sws

	# --- Janus
	: > "$JW_RUN/janus.log"
	setsid janus -C "$JW_RUN/janus-conf/janus.jcfg" -F "$JW_RUN/janus-conf" \
		-N -L "$JW_RUN/janus.log" -o -D </dev/null >"$JW_RUN/janus.stdout" 2>&1 &
	local jpid=$!
	echo "$jpid" > "$JW_RUN/janus.pid"
	wait_http "http://127.0.0.1:$JANUS_HTTP_PORT/janus/info" "$START_TIMEOUT" "$jpid" \
		|| { tail -n 30 "$JW_RUN/janus.log" >&2; cmd_stop >/dev/null; die "Janus did not come up"; }
	t1=$(now_ms)

	# --- simple-whip-server
	( cd "$JW_RUN/sws" && NODE_ENV=production DEBUG="${SWS_DEBUG:-whip:*,-whip:debug,janus:*,-janus:debug,-janus:vdebug}" \
		exec setsid node -r "$JW_RUN/sws/bind-loopback.js" src/server.js ) </dev/null >"$JW_RUN/sws.log" 2>&1 &
	local spid=$!
	echo "$spid" > "$JW_RUN/sws.pid"
	wait_http "http://127.0.0.1:$WHIP_PORT/whip/healthcheck" "$START_TIMEOUT" "$spid" \
		|| { tail -n 30 "$JW_RUN/sws.log" >&2; cmd_stop >/dev/null; die "simple-whip-server did not come up"; }
	t2=$(now_ms)

	# --- WHIP endpoints (simple-whip-server keeps them in memory only)
	# meshrtc      : room $JANUS_ROOM, no token, media RTP-forwarded to 127.0.0.1:$RTP_AUDIO_PORT/$RTP_VIDEO_PORT
	# meshrtc-auth : room $JANUS_ROOM, needs "Authorization: Bearer $WHIP_TOKEN"
	# meshrtc-link : room $JANUS_ROOM, returns a Link: <stun:...>; rel="ice-server" header
	# meshrtc-multi: room $JANUS_ROOM_MULTI (vp8/vp9/h264/av1 + opus/pcmu/pcma), no token, RTP-forwarded
	create_endpoint "{\"id\":\"meshrtc\",\"room\":$JANUS_ROOM,\"secret\":\"$JANUS_ROOM_SECRET\",\"recipient\":{\"host\":\"127.0.0.1\",\"audioPort\":$RTP_AUDIO_PORT,\"videoPort\":$RTP_VIDEO_PORT}}"
	create_endpoint "{\"id\":\"meshrtc-auth\",\"room\":$JANUS_ROOM,\"token\":\"$WHIP_TOKEN\"}"
	create_endpoint "{\"id\":\"meshrtc-link\",\"room\":$JANUS_ROOM,\"iceServers\":[{\"uri\":\"stun:$JANUS_ICE_ADDR:3478\"},{\"uri\":\"turn:$JANUS_ICE_ADDR:3478?transport=udp\",\"username\":\"user\",\"credential\":\"pass\"}]}"
	create_endpoint "{\"id\":\"meshrtc-multi\",\"room\":$JANUS_ROOM_MULTI,\"secret\":\"$JANUS_ROOM_SECRET\",\"recipient\":{\"host\":\"127.0.0.1\",\"audioPort\":$RTP_AUDIO_PORT_MULTI,\"videoPort\":$RTP_VIDEO_PORT_MULTI}}"
	t3=$(now_ms)

	local base="http://127.0.0.1:$WHIP_PORT/whip"
	cat > "$JW_RUN/env" <<EOF
WHIP_URL=$base/endpoint/meshrtc
WHIP_URL_AUTH=$base/endpoint/meshrtc-auth
WHIP_TOKEN=$WHIP_TOKEN
WHIP_URL_LINK=$base/endpoint/meshrtc-link
WHIP_URL_MULTI=$base/endpoint/meshrtc-multi
WHIP_BASE=$base
WHIP_PORT=$WHIP_PORT
RTP_AUDIO_PORT=$RTP_AUDIO_PORT
RTP_VIDEO_PORT=$RTP_VIDEO_PORT
RTP_AUDIO_PORT_MULTI=$RTP_AUDIO_PORT_MULTI
RTP_VIDEO_PORT_MULTI=$RTP_VIDEO_PORT_MULTI
JANUS_PID=$jpid
WHIP_SERVER_PID=$spid
JANUS_WS_URL=ws://127.0.0.1:$JANUS_WS_PORT
JANUS_HTTP_URL=http://127.0.0.1:$JANUS_HTTP_PORT/janus
JANUS_ADMIN_URL=http://127.0.0.1:$JANUS_ADMIN_PORT/admin
JANUS_ADMIN_SECRET=$JANUS_ADMIN_SECRET
JANUS_ROOM=$JANUS_ROOM
JANUS_ROOM_MULTI=$JANUS_ROOM_MULTI
JANUS_ROOM_SECRET=$JANUS_ROOM_SECRET
JANUS_ICE_ADDR=$JANUS_ICE_ADDR
JANUS_LOG=$JW_RUN/janus.log
WHIP_SERVER_LOG=$JW_RUN/sws.log
JW_RUN=$JW_RUN
START_MS_JANUS=$((t1 - t0))
START_MS_WHIP_SERVER=$((t2 - t1))
START_MS_TOTAL=$((t3 - t0))
EOF
	cat "$JW_RUN/env"
}

# ---------------------------------------------------------------- stop
alive() { # pid -> 0 if running (a zombie waiting for PID 1 to reap it counts as dead)
	local st
	st=$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

stop_pid() { # name pidfile cmdline-pattern
	local f=$2 pid deadline
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	# guard against PID reuse: only signal the process we started
	if [ -n "$pid" ] && alive "$pid" && ! tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "$3"; then
		log "pid $pid is no longer $1, not killing it"; rm -f "$f"; return 0
	fi
	if [ -n "$pid" ] && alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		deadline=$(( $(now_ms) + STOP_TIMEOUT * 1000 ))
		while alive "$pid" && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.05; done
		if alive "$pid"; then
			log "$1 (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s, sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null
			sleep 0.2
		fi
	fi
	rm -f "$f"
}

cmd_stop() {
	local t0; t0=$(now_ms)
	stop_pid simple-whip-server "$JW_RUN/sws.pid" "$JW_RUN/sws/bind-loopback.js"
	stop_pid janus "$JW_RUN/janus.pid" "$JW_RUN/janus-conf/janus.jcfg"
	# veth disappears with the namespace; delete it anyway if we are in it.
	if [ "${JW_KEEP_VETH:-0}" != 1 ] && ip link show "$JANUS_ICE_IF" >/dev/null 2>&1 \
		&& ( JW_ALLOW_HOST_NETNS=0 check_netns ) 2>/dev/null; then
		ip link del "$JANUS_ICE_IF" 2>/dev/null
	fi
	[ -f "$JW_RUN/env" ] && mv -f "$JW_RUN/env" "$JW_RUN/env.last"
	echo "STOP_MS=$(( $(now_ms) - t0 ))"
}

# Stops Janus and simple-whip-server and starts them again, on the same
# ports and endpoints (the veth stays): the SFU going away and coming back.
cmd_restart() {
	JW_KEEP_VETH=1 cmd_stop > /dev/null
	cmd_start
}

cmd_status() {
	local n pid
	for n in janus sws; do
		if [ -f "$JW_RUN/$n.pid" ] && pid=$(cat "$JW_RUN/$n.pid") && alive "$pid"; then
			echo "$n=running pid=$pid"
		else
			echo "$n=stopped"
		fi
	done
	[ -f "$JW_RUN/env" ] && cat "$JW_RUN/env"
	return 0
}

cmd_run() {
	[ "${1:-}" = "--" ] && shift
	[ $# -gt 0 ] || die "usage: $0 run -- CMD [ARGS...]"
	cmd_start > /dev/null || exit 1
	trap 'cmd_stop >&2; exit 130' INT TERM
	set -a; . "$JW_RUN/env"; set +a
	"$@"
	local rc=$?
	cmd_stop >&2
	return $rc
}

cmd_udp_count() { # port seconds -> prints "UDP_PACKETS=<n> UDP_BYTES=<n>"
	python3 - "$1" "$2" <<'EOF'
import socket, sys, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
s.settimeout(0.2)
n = b = 0
end = time.monotonic() + secs
while time.monotonic() < end:
    try:
        d = s.recv(65535)
    except socket.timeout:
        continue
    n += 1; b += len(d)
print("UDP_PACKETS=%d UDP_BYTES=%d" % (n, b))
EOF
}

cmd_participants() { # room -> VideoRoom listparticipants JSON (via Janus HTTP API)
	[ -f "$JW_RUN/env" ] || die "not started"
	local u="http://127.0.0.1:$JANUS_HTTP_PORT/janus" sid hid room=${1:-$JANUS_ROOM}
	sid=$(curl -s -m 3 -d '{"janus":"create","transaction":"p1"}' "$u" | python3 -c 'import json,sys;print(json.load(sys.stdin)["data"]["id"])') || return 1
	hid=$(curl -s -m 3 -d '{"janus":"attach","plugin":"janus.plugin.videoroom","transaction":"p2"}' "$u/$sid" \
		| python3 -c 'import json,sys;print(json.load(sys.stdin)["data"]["id"])') || return 1
	curl -s -m 3 -d "{\"janus\":\"message\",\"transaction\":\"p3\",\"body\":{\"request\":\"listparticipants\",\"room\":$room}}" "$u/$sid/$hid" \
		| python3 -c 'import json,sys;print("PARTICIPANTS=" + json.dumps(json.load(sys.stdin)["plugindata"]["data"]["participants"]))'
	curl -s -m 3 -o /dev/null -d '{"janus":"destroy","transaction":"p4"}' "$u/$sid"
}

case "${1:-}" in
	setup) cmd_setup ;;
	start) cmd_start ;;
	stop) cmd_stop ;;
	restart) cmd_restart ;;
	status) cmd_status ;;
	run) shift; cmd_run "$@" ;;
	udp-count) cmd_udp_count "${2:?port}" "${3:?seconds}" ;;
	participants) set -a; . "$JW_RUN/env"; set +a; cmd_participants "${2:-}" ;;
	*) sed -n '2,34p' "$0"; exit 2 ;;
esac
