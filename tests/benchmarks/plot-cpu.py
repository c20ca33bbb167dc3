#!/usr/bin/python3
# gst-meshrtc
# Copyright (C) 2026 gst-meshrtc developers
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Plots sender CPU against the number of peers from the JSON that
fanout-scaling.py writes.

  /usr/bin/python3 tests/benchmarks/plot-cpu.py \
      tests/benchmarks/fanout-scaling-results.json docs/performance-cpu.png

Needs python3-matplotlib (Debian), i.e. the system /usr/bin/python3.
"""

import json
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {
    "ours": "rtcmeshfanout (one encoder)",
    "raw": "baseline b: x264enc ! tee ! queue leaky ! webrtcbin",
    "raw-nack": "baseline b with NACK/RTX, as our sessions",
    "encoder": "baseline a: an encoder per peer (N rtcsignalbins)",
}
STYLE = {"ours": ("tab:blue", "o"), "raw": ("tab:gray", "s"),
         "raw-nack": ("tab:olive", "D"),
         "encoder": ("tab:red", "^")}


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else \
        "tests/benchmarks/fanout-scaling-results.json"
    dst = sys.argv[2] if len(sys.argv) > 2 else "docs/performance-cpu.png"
    with open(src) as f:
        data = json.load(f)
    summary = data["summary"]

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 5))
    for mode in ("ours", "raw", "raw-nack", "encoder"):
        pts = sorted((s for s in summary if s["mode"] == mode
                      and s.get("cpu") is not None), key=lambda s: s["n"])
        if not pts:
            continue
        color, marker = STYLE[mode]
        xs = [s["n"] for s in pts]
        ys = [s["cpu"] for s in pts]
        ax.plot(xs, ys, color=color, marker=marker, label=LABELS[mode])
        bad = [(s["n"], s["cpu"]) for s in pts if not s["realtime"]]
        if bad:
            ax.scatter([b[0] for b in bad], [b[1] for b in bad], s=160,
                       facecolors="none", edgecolors="black", zorder=5)
        # only where media really flowed: a point whose receivers starved
        # costs the sender less and says nothing about the per-peer cost
        per = [(s["n"], s["cpu_per_peer"]) for s in pts
               if s.get("cpu_per_peer") is not None and s["realtime"]]
        if per:
            ax2.plot([p[0] for p in per], [p[1] for p in per], color=color,
                     marker=marker, label=LABELS[mode])

    top = max([s["cpu"] for s in summary if s.get("cpu") is not None] +
              [10])
    ax.set_ylim(0, top * 1.3)
    ax.set_xlabel("peers (N receivers, 1280x720@30 H264 2 Mbit/s)")
    ax.set_ylabel("sender CPU, % of one core (machine: 200 %)")
    ax.set_title("Sender CPU (circled: receivers below 28.5 fps)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")

    ax2.axhline(0.6, color="tab:green", linestyle="--", linewidth=1)
    ax2.text(1, 0.63, "goal 0.6 %", color="tab:green", fontsize=8)
    ax2.set_xlabel("peers")
    ax2.set_ylabel("(CPU(N) - CPU(0)) / N, % of one core")
    ax2.set_title("Marginal sender CPU per peer (real-time points)")
    ax2.grid(True, alpha=0.3)
    ax2.set_yscale("log")
    ax2.legend(fontsize=8)

    fig.suptitle(f"gst-meshrtc fanout scaling, {data.get('date', '')}, "
                 f"{data.get('nproc', '?')} cores, median of "
                 f"{data.get('repeats', '?')} runs, "
                 f"{data.get('window_s', '?')} s windows", fontsize=10)
    fig.tight_layout()
    fig.savefig(dst, dpi=100)
    print(f"wrote {dst}")


if __name__ == "__main__":
    main()
