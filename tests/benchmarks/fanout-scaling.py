#!/usr/bin/env python3
# gst-meshrtc
# Copyright (C) 2026 gst-meshrtc developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fanout scaling benchmark: one 1280x720@30 H264 2 Mbit/s source sent to N
receivers in a second process, for three senders:

  ours     rtcmeshfanout (one encoder, one webrtcbin per peer)
  raw      x264enc ! tee, per peer `queue leaky ! webrtcbin`, no element of
           ours, SDP/ICE relayed by this script (fanout-peers send-raw)
  raw-nack the same with NACK and RTX on every transceiver, as our
           sessions have them (BENCH_RAW_DO_NACK=1): the baseline with the
           same features
  encoder  an encoder per peer: raw video tee'd into N rtcsignalbins, each
           with its own x264enc (webrtcsink's design)

For each N the sender's CPU (utime+stime from /proc/PID/stat over a fixed
window, % of one core), RSS and thread count (/proc/PID/status) and every
receiver's frame rate are measured. Prints a table and writes JSON.

Run inside a loopback-only namespace, from the build directory's parent:
  unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
    python3 tests/benchmarks/fanout-scaling.py --build build [--quick]
Prints figures only; never asserts timing.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time

REALTIME_FPS = 28.5
SOURCE = ("videotestsrc is-live=true pattern=smpte horizontal-speed=4 ! "
          "video/x-raw,width=1280,height=720,framerate=30/1")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is state (field 3); utime, stime are fields 14, 15
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "Threads"):
                out[k] = int(v.split()[0])
    return out.get("VmRSS", 0), out.get("Threads", 0)


def thread_group(name):
    """A thread's name without its element numbers: queue12:src -> queue:src."""
    return re.sub(r"\d+", "", name)


def proc_threads(pid):
    """Each thread of the process as (tid, name, CPU seconds so far)."""
    out = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue            # the thread ended meanwhile
        out.append((tid, name, (int(fields[11]) + int(fields[12])) / CLK_TCK))
    return out


def proc_thread_cpu(pid):
    """CPU seconds used so far by each thread: {tid: (group, seconds)}."""
    return {tid: (thread_group(name), cpu)
            for tid, name, cpu in proc_threads(pid)}


def thread_group_cpu(before, after, seconds):
    """% of one core per thread group over a window, from two
    proc_thread_cpu() readings; threads that ended in between are left
    out, new ones count from zero."""
    groups = {}
    for tid, (group, t1) in after.items():
        t0 = before.get(tid, (group, 0.0))[1]
        groups[group] = groups.get(group, 0.0) + t1 - t0
    return {g: round(100 * v / seconds, 2) for g, v in sorted(groups.items())}


def proc_thread_names(pid):
    """How many threads of each name the process has (/proc/PID/task)."""
    names = {}
    for _, name, _ in proc_threads(pid):
        names[name] = names.get(name, 0) + 1
    return dict(sorted(names.items()))


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


class Proc:
    """A child process whose stdout lines are collected by a thread."""

    def __init__(self, argv, on_line=None, env=None):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True,
                                  bufsize=1,
                                  env=dict(os.environ, **(env or {})))
        self.lines = []
        self.cond = threading.Condition()
        self.on_line = on_line
        self.wlock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            line = line.rstrip("\n")
            if self.on_line and self.on_line(line):
                continue
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()

    def send(self, line):
        with self.wlock:
            try:
                self.p.stdin.write(line + "\n")
                self.p.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass

    def wait_line(self, prefix, timeout):
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    if line.startswith(prefix):
                        self.lines.remove(line)
                        return line
                left = end - time.monotonic()
                if left <= 0 or self.p.poll() is not None:
                    return None
                self.cond.wait(min(left, 0.2))

    def count(self, prefix):
        with self.cond:
            return sum(1 for line in self.lines if line.startswith(prefix))

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()


def start_server(build):
    # every receiver and the sender connect from 127.0.0.1, and the sender
    # is in one session per receiver: the defaults for an internet-facing
    # server (50 connections per address, 64 sessions per peer) would
    # refuse receivers of the N=100 point
    p = subprocess.Popen([f"{build}/tools/gst-meshrtc-signalling-server",
                          "--host", "127.0.0.1", "--port", "0",
                          "--max-connections-per-address", "0",
                          "--max-sessions-per-peer", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True)
    for line in p.stdout:
        m = re.search(r"ws://127\.0\.0\.1:(\d+)", line)
        if m:
            # keep draining so the server never blocks on a full pipe
            threading.Thread(target=lambda: [None for _ in p.stdout],
                             daemon=True).start()
            return p, f"ws://127.0.0.1:{m.group(1)}"
    raise RuntimeError("signalling server did not start")


def sender_argv(mode, n, uri, build, run_id):
    common = "ice-local-addresses=127.0.0.1 video-bitrate=2000000"
    if mode == "ours":
        return ["gst-launch-1.0", "-q"] + (
            f"{SOURCE} ! rtcmeshfanout uri={uri} peer-name=fan{run_id} "
            f"max-peers=0 {common}").split()
    if mode == "encoder":
        desc = f"{SOURCE} ! tee name=t allow-not-linked=true"
        if n == 0:
            desc += " t. ! queue ! fakesink"
        for i in range(n):
            desc += (f" t. ! queue leaky=downstream max-size-buffers=2 ! "
                     f"rtcsignalbin uri={uri} peer-name=enc{run_id}x{i} "
                     f"{common}")
        return ["gst-launch-1.0", "-q"] + desc.split()
    if mode in ("raw", "raw-nack"):
        return [f"{build}/tests/benchmarks/fanout-peers", "send-raw", str(n)]
    raise ValueError(mode)


def receiver_argv(mode, n, uri, build, run_id):
    exe = f"{build}/tests/benchmarks/fanout-peers"
    if mode == "ours":
        return [exe, "receive-ours", uri, f"fan{run_id}", str(n), "0"]
    if mode == "encoder":
        return [exe, "receive-ours", uri, f"enc{run_id}x", str(n), "1"]
    return [exe, "receive-raw", str(n)]


def measure(mode, n, args, uri, run_id):
    """One sender with @n receivers; returns a dict of figures."""
    relay = {}
    backlog = []
    relay_lock = threading.Lock()

    def from_sender(line):
        if not line.startswith("SIG "):
            return False
        with relay_lock:
            # offers made before the receiver runs wait for it
            if "rx" in relay:
                relay["rx"].send(line)
            else:
                backlog.append(line)
        return True

    def from_receiver(line):
        if line.startswith("SIG ") and "tx" in relay:
            relay["tx"].send(line)
            return True
        return False

    env = {"BENCH_RAW_DO_NACK": "1"} if mode == "raw-nack" else None
    tx = Proc(sender_argv(mode, n, uri, args.build, run_id), from_sender, env)
    relay["tx"] = tx
    rx = None
    row = {"mode": mode, "n": n, "load_before": loadavg()}
    try:
        time.sleep(2.0)         # encoder and DTLS certificate warm
        if n > 0:
            rx = Proc(receiver_argv(mode, n, uri, args.build, run_id),
                      from_receiver, env)
            with relay_lock:
                relay["rx"] = rx
                for line in backlog:
                    rx.send(line)
            t0 = time.monotonic()
            got = rx.wait_line("ALL", 20 + 0.4 * n)
            row["connect_s"] = round(time.monotonic() - t0, 2)
            row["all_connected"] = got is not None
            row["with_media_at_start"] = rx.count("FIRST")
        time.sleep(args.settle)
        if rx:
            rx.send("MARK")
        c0 = proc_cpu_seconds(tx.p.pid)
        t0 = proc_thread_cpu(tx.p.pid)
        r0 = proc_cpu_seconds(rx.p.pid) if rx else 0
        rt0 = proc_thread_cpu(rx.p.pid) if rx else {}
        w0 = time.monotonic()
        time.sleep(args.window)
        c1 = proc_cpu_seconds(tx.p.pid)
        t1 = proc_thread_cpu(tx.p.pid)
        r1 = proc_cpu_seconds(rx.p.pid) if rx else 0
        rt1 = proc_thread_cpu(rx.p.pid) if rx else {}
        dt = time.monotonic() - w0
        rss, threads = proc_status(tx.p.pid)
        row.update(cpu=round(100 * (c1 - c0) / dt, 2),
                   rx_cpu=round(100 * (r1 - r0) / dt, 2),
                   rss_kb=rss, threads=threads, load_after=loadavg(),
                   thread_names=proc_thread_names(tx.p.pid),
                   thread_cpu=thread_group_cpu(t0, t1, dt),
                   rx_thread_cpu=thread_group_cpu(rt0, rt1, dt))
        if rx:
            rx.send("REPORT")
            rep = rx.wait_line("REPORT", 10)
            if rep:
                for k, v in re.findall(r"(\w+)=([\d.]+)", rep):
                    row[k] = float(v)
    finally:
        if rx:
            rx.kill()
        tx.kill()
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--quick", action="store_true",
                    help="fewer points, one repeat, 5 s windows")
    ap.add_argument("--modes", default="ours,raw,encoder")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--window", type=float, default=None)
    ap.add_argument("--settle", type=float, default=3.0)
    ap.add_argument("--budget", type=float, default=900,
                    help="stop starting new points after this many seconds")
    ap.add_argument("--peers", default=None,
                    help="comma-separated N list for every mode")
    ap.add_argument("--out", default="fanout-scaling.json")
    ap.add_argument("--merge", nargs="+", metavar="JSON",
                    help="measure nothing: merge the rows of earlier runs "
                    "into --out and print the table")
    args = ap.parse_args()
    if args.merge:
        rows, dates, meta = [], [], {}
        for path in args.merge:
            with open(path) as f:
                d = json.load(f)
            rows += d["rows"]
            dates.append(d["date"])
            meta = d
        summary = summarize(rows)
        with open(args.out, "w") as f:
            json.dump({"date": ", ".join(dates), "nproc": meta["nproc"],
                       "window_s": meta["window_s"],
                       "repeats": "1-%d" % (len(args.merge) * meta["repeats"]),
                       "rows": rows, "summary": summary}, f, indent=1)
        print_table(summary)
        return 0
    if args.quick:
        peers = {"ours": [0, 1, 10, 40, 100], "raw": [0, 1, 10, 40, 100],
                 "raw-nack": [0, 1, 10, 40, 100],
                 "encoder": [0, 1, 2, 4]}
        args.repeats = args.repeats or 1
        args.window = args.window or 5
    else:
        peers = {"ours": [0, 1, 5, 10, 20, 40, 60, 80, 100, 120],
                 "raw": [0, 1, 5, 10, 20, 40, 60, 80, 100, 120],
                 "raw-nack": [0, 1, 5, 10, 20, 40, 60, 80, 100, 120],
                 "encoder": [0, 1, 2, 3, 4, 6]}
        args.repeats = args.repeats or 2
        args.window = args.window or 10

    if args.peers:
        lst = [int(x) for x in args.peers.split(",")]
        peers = {m: lst for m in peers}
    os.environ.setdefault("GST_PLUGIN_PATH",
                          os.path.abspath(f"{args.build}/ext/meshrtc"))
    server, uri = start_server(args.build)
    start = time.monotonic()
    rows = []
    run_id = 0
    try:
        for rep in range(args.repeats):
            for mode in args.modes.split(","):
                misses = 0
                for n in peers[mode]:
                    if time.monotonic() - start > args.budget:
                        print(f"# budget of {args.budget:.0f} s used up, "
                              f"skipping {mode} n={n}", flush=True)
                        break
                    run_id += 1
                    row = measure(mode, n, args, uri, run_id)
                    row["repeat"] = rep
                    rows.append(row)
                    print(json.dumps(row), flush=True)
                    time.sleep(1.0)
                    # past real time twice in a row: larger N only costs
                    # time (once may be a peer that failed to connect)
                    if n > 0 and row.get("fps_median", 0) < REALTIME_FPS:
                        misses += 1
                        if misses >= 2:
                            break
                    else:
                        misses = 0
    finally:
        server.kill()
        server.wait()

    summary = summarize(rows)
    with open(args.out, "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d %H:%M UTC",
                                         time.gmtime()),
                   "nproc": os.cpu_count(), "window_s": args.window,
                   "repeats": args.repeats, "rows": rows,
                   "summary": summary}, f, indent=1)
    print_table(summary)


def summarize(rows):
    """Median over repeats per (mode, n), and per-peer figures against the
    same mode's n=0 point."""
    out = []
    keys = sorted({(r["mode"], r["n"]) for r in rows},
                  key=lambda k: (k[0], k[1]))
    base = {}
    for mode, n in keys:
        rs = [r for r in rows if r["mode"] == mode and r["n"] == n]

        def med(k):
            vals = [r[k] for r in rs if k in r]
            return round(statistics.median(vals), 2) if vals else None
        s = {"mode": mode, "n": n, "runs": len(rs), "cpu": med("cpu"),
             "rx_cpu": med("rx_cpu"), "rss_kb": med("rss_kb"),
             "threads": med("threads"), "fps_min": med("fps_min"),
             "fps_median": med("fps_median"), "below": med("below_28_5"),
             "kbps_median": med("kbps_median"),
             "load": med("load_after")}
        if n == 0:
            base[mode] = s
        elif mode in base:
            b = base[mode]
            s["cpu_per_peer"] = round((s["cpu"] - b["cpu"]) / n, 3)
            s["rss_kb_per_peer"] = round((s["rss_kb"] - b["rss_kb"]) / n, 1)
            s["threads_per_peer"] = round((s["threads"] - b["threads"]) / n,
                                          2)
        s["realtime"] = bool(n == 0 or (s["fps_min"] or 0) >= REALTIME_FPS)
        out.append(s)
    return out


def print_table(summary):
    print(f"{'mode':8} {'N':>4} {'runs':>4} {'cpu%':>7} {'cpu%/peer':>9} "
          f"{'rx cpu%':>7} {'RSS MB':>7} {'KB/peer':>8} {'thr':>5} "
          f"{'thr/peer':>8} {'fps min':>7} {'fps med':>7} {'kbps':>6} "
          f"{'load':>5} rt")
    for s in summary:
        def f(k, fmt):
            v = s.get(k)
            return format(v, fmt) if v is not None else "-"
        print(f"{s['mode']:8} {s['n']:>4} {s['runs']:>4} {f('cpu', '7.1f')} "
              f"{f('cpu_per_peer', '9.3f')} {f('rx_cpu', '7.1f')} "
              f"{(s['rss_kb'] or 0) / 1024:7.1f} "
              f"{f('rss_kb_per_peer', '8.0f')} {f('threads', '5.0f')} "
              f"{f('threads_per_peer', '8.2f')} {f('fps_min', '7.2f')} "
              f"{f('fps_median', '7.2f')} {f('kbps_median', '6.0f')} "
              f"{f('load', '5.2f')} {'yes' if s['realtime'] else 'NO'}")
    for mode in sorted({s["mode"] for s in summary}):
        rt = [s["n"] for s in summary if s["mode"] == mode and s["realtime"]
              and s["n"] > 0]
        print(f"largest real-time N ({mode}): {max(rt) if rt else 0}")


if __name__ == "__main__":
    sys.exit(main())
