#!/usr/bin/env python3
# gst-meshrtc
# Copyright (C) 2026 gst-meshrtc developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""CPU per member of a 4-way call, on this one machine: four gst-launch-1.0
processes in one room of the signalling server, each sending 640x360@30
video (H264) and a tone (Opus), each receiving the three others, as:

  mix    rtcsignalbin mix=true: one compositor grid (1280x720@30, I420) and
         one audiomixer, out of video_src_0/audio_src_0 into fakesinks
  pads   the same call with mix=false: each remote track decoded out of its
         own video_src_N/audio_src_N into a fakesink (the baseline: what an
         application gets before placing the pictures itself)

Rounds alternate the two modes. In each, once every member is connected to
the three others (meshrtc-peer-connected, gst-launch-1.0 -m) and after a
warm-up, each member's CPU (utime+stime from /proc/PID/stat over a fixed
window, % of one core) and RSS are measured. Prints per-round figures, the
medians and the ratio mix/pads.

Run inside a loopback-only namespace, from the source directory:
  unshare -n sh -c 'ip link set lo up && exec "$@"' sh \\
    python3 tests/benchmarks/call-cpu.py --build build-bench
Prints figures only; never asserts timing.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time

MEMBERS = 4
CLK_TCK = os.sysconf("SC_CLK_TCK")
SOURCE = ("videotestsrc is-live=true pattern=ball ! "
          "video/x-raw,width=640,height=360,framerate=30/1 ! c.video_0 "
          "audiotestsrc is-live=true ! c.audio_0 ")


def proc_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


class Member:
    """One gst-launch-1.0 member; counts its connected sessions."""

    def __init__(self, argv):
        self.connected = 0
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True,
                                  bufsize=1)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            if "meshrtc-peer-connected" in line:
                self.connected += 1

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGINT)
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def start_server(build):
    p = subprocess.Popen([f"{build}/tools/gst-meshrtc-signalling-server",
                          "--port=0"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, bufsize=1)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        line = p.stdout.readline()
        if "ws://" in line:
            uri = "ws://" + line.split("ws://", 1)[1].split()[0].rstrip("/")
            threading.Thread(target=lambda: [None for _ in p.stdout],
                             daemon=True).start()
            return p, uri
    p.kill()
    raise RuntimeError("signalling server did not start")


def member_argv(mode, i, uri, room):
    sinks = "fakesink sync=true async=false"
    line = (SOURCE + f"rtcsignalbin name=c uri={uri} room={room} "
            f"peer-name=m{i} ice-local-addresses=127.0.0.1 ")
    if mode == "mix":
        line += (f"mix=true c.video_src_0 ! {sinks} "
                 f"c.audio_src_0 ! {sinks}")
    else:
        line += " ".join(f"c.{kind}_src_{n} ! {sinks}"
                         for kind in ("video", "audio")
                         for n in range(MEMBERS - 1))
    return ["gst-launch-1.0", "-m"] + line.split()


def measure(mode, args, uri, round_no):
    room = f"bench-{mode}-{round_no}"
    members = [Member(member_argv(mode, i, uri, room))
               for i in range(MEMBERS)]
    try:
        deadline = time.monotonic() + 60
        while (time.monotonic() < deadline and
               any(m.connected < MEMBERS - 1 for m in members)):
            time.sleep(0.1)
        if any(m.connected < MEMBERS - 1 for m in members):
            raise RuntimeError(f"{mode}: not all connected: "
                               f"{[m.connected for m in members]}")
        time.sleep(args.warmup)
        before = [proc_cpu_seconds(m.p.pid) for m in members]
        t0 = time.monotonic()
        time.sleep(args.window)
        after = [proc_cpu_seconds(m.p.pid) for m in members]
        elapsed = time.monotonic() - t0
        rss = [proc_rss_kib(m.p.pid) for m in members]
        if any(m.p.poll() is not None for m in members):
            raise RuntimeError(f"{mode}: a member exited")
        cpu = [100 * (a - b) / elapsed for a, b in zip(after, before)]
        return statistics.mean(cpu), statistics.mean(rss) / 1024
    finally:
        for m in members:
            m.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--window", type=float, default=10.0,
                    help="measuring window (s)")
    ap.add_argument("--warmup", type=float, default=3.0)
    args = ap.parse_args()
    os.environ.setdefault("GST_PLUGIN_PATH", f"{args.build}/ext/meshrtc")

    server, uri = start_server(args.build)
    results = {"mix": [], "pads": []}
    try:
        print(f"{MEMBERS} members, 640x360@30 + tone each; load average "
              f"{loadavg():.2f} at start")
        for r in range(args.rounds):
            for mode in ("mix", "pads") if r % 2 == 0 else ("pads", "mix"):
                cpu, rss = measure(mode, args, uri, r)
                results[mode].append((cpu, rss))
                print(f"round {r + 1} {mode:4}: {cpu:5.1f} % of a core per "
                      f"member, RSS {rss:5.1f} MiB per member", flush=True)
    finally:
        server.kill()
        server.wait()
    med = {k: (statistics.median(c for c, _ in v),
               statistics.median(m for _, m in v))
           for k, v in results.items()}
    for k in ("mix", "pads"):
        print(f"median {k:4}: {med[k][0]:5.1f} % of a core per member, "
              f"RSS {med[k][1]:5.1f} MiB")
    print(f"ratio mix/pads: CPU {med['mix'][0] / med['pads'][0]:.2f}, "
          f"RSS {med['mix'][1] / med['pads'][1]:.2f}; load average "
          f"{loadavg():.2f} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
