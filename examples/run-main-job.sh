#!/usr/bin/env bash
# The main job: a camera (or, without one, a live test pattern) streamed to
# any number of browsers by rtcmeshfanout with its embedded signalling
# server and viewer page. Installs what it needs, builds, runs. Ctrl-C stops.
# Run as root on Debian bookworm. MESHRTC_HOST=0.0.0.0 serves other machines.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${MESHRTC_BUILD_DIR:-build}
HOST=${MESHRTC_HOST:-127.0.0.1}
PORT=${MESHRTC_PORT:-8443}

if [ "${MESHRTC_SKIP_INSTALL:-0}" != 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends \
    meson ninja-build pkg-config gcc gettext \
    libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev \
    gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
    gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-nice gstreamer1.0-x \
    libsoup-3.0-dev libjson-glib-dev libnice-dev libssl-dev v4l-utils
fi
if [ -d "$BUILD" ]; then meson setup --reconfigure "$BUILD" >/dev/null; else meson setup "$BUILD" >/dev/null; fi
ninja -C "$BUILD"
export GST_PLUGIN_PATH="$PWD/$BUILD/ext/meshrtc${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"

# a camera if one opens, else a moving test pattern
src="videotestsrc is-live=true pattern=ball ! video/x-raw,width=1280,height=720,framerate=30/1"
if [ -e /dev/video0 ] && timeout 5 gst-launch-1.0 -q v4l2src num-buffers=1 ! fakesink >/dev/null 2>&1; then
  src="v4l2src ! videoconvert ! videoscale ! video/x-raw,width=1280,height=720"
fi
echo "Source: $src"
echo "Open http://$HOST:$PORT/ in one or more browsers. Ctrl-C stops."
exec gst-launch-1.0 -e $src ! rtcmeshfanout run-signalling-server=true \
  uri="ws://$HOST:$PORT" peer-name=camera
