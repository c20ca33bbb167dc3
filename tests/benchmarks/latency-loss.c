/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Benchmark: the receiver's jitterbuffer latency (GstRtcBaseBin:latency)
 * against first frame and smoothness, on a clean path and under packet
 * loss and reordering. A producer rtcsignalbin and a consumer rtcsignalbin
 * (its default decoding chain) talk through the real signalling server
 * program; the impairment is a buffer probe on the consumer's nicesrc
 * (inside its webrtcbin), which drops RTP packets and delays them in
 * spikes at random (fixed seed per sample), never DTLS, STUN or RTCP. The
 * network namespace has no netem, so the probe stands in for it; NACK
 * retransmissions go through the same impairment. The baseline, in the
 * same run, is a plain webrtcbin pair with the same impairment.
 *
 * Per sample: time from PLAYING to the first decoded frame, then after
 * 1 s of settling a window of --window seconds: decoded frames (30 fps
 * expected), the largest gap between two decoded frames, and the
 * jitterbuffer's packets lost and late (rtpjitterbuffer "stats"). Medians
 * over --runs.
 *
 *   unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
 *     build/tests/benchmarks/latency-loss [--runs 3] [--window 8]
 *
 * Environment: GST_PLUGIN_PATH to the plugin build dir,
 * MESHRTC_SIGNALLING_SERVER to the server program.
 */
#include "bench-common.h"

#define SRC "videotestsrc is-live=true horizontal-speed=4 ! " \
  "video/x-raw,width=640,height=480,framerate=30/1"
#define SAMPLE_TIMEOUT_MS 20000
#define SETTLE_MS 1000

static gint runs = 3;
static gint window_s = 8;
static gboolean no_raw = FALSE;

static guint latencies[] = { 0, 50, 100, 200 };

static gdouble reorder = 0;

typedef struct
{
  const gchar *name;
  gdouble loss;                 /* probability of dropping an RTP packet */
  gdouble stall;                /* probability of a delay spike before one */
  gdouble reorder;              /* probability of holding one back a packet
                                 * (--reorder; 0 by default, see below) */
} Impairment;

/* A delay spike holds the receiving thread 10-40 ms: the packets behind
 * wait in the socket and then arrive in a burst, as on a busy Wi-Fi link.
 * Reordering is off by default: on Debian's GStreamer 1.22.0, swapping
 * adjacent SRTP packets before webrtcbin makes its receive path unref a
 * freed buffer (GStreamer-CRITICAL, then a crash in rtph264depay) within
 * seconds, for a plain webrtcbin pair as for ours (docs/performance.md). */
static Impairment impairments[] = {
  {"clean", 0, 0, 0},
  {"loss 1%", 0.01, 0, 0},
  {"loss 3%, spikes 1%", 0.03, 0.01, 0},
};

typedef struct
{
  GMutex lock;
  const Impairment *imp;
  GRand *rand;
  GstBuffer *held;              /* a packet held back, sent after the next */
  gboolean passing;             /* re-entry from our own push */
  guint64 dropped, swapped, stalled;
  GstElement *jitterbuffer;     /* first rtpjitterbuffer, ref */
  /* decoded frames */
  gint64 t0_us, first_us, win_start_us, win_end_us, last_us;
  guint64 frames;               /* in the window */
  gint64 max_gap_us;            /* in the window */
} Sample;

static gboolean
is_rtp (GstBuffer * buf)
{
  guint8 b[2];

  if (gst_buffer_extract (buf, 0, b, 2) != 2)
    return FALSE;
  /* RFC 7983: 128..191 is RTP or RTCP; RTCP's payload types 64..95 */
  return b[0] >= 128 && b[0] <= 191 && !((b[1] & 0x7f) >= 64
      && (b[1] & 0x7f) <= 95);
}

static GstPadProbeReturn
impair_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Sample *s = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstBuffer *held = NULL;
  gboolean drop = FALSE, hold = FALSE;
  gint32 stall_us = 0;

  g_mutex_lock (&s->lock);
  if (s->passing || !is_rtp (buf)) {
    g_mutex_unlock (&s->lock);
    return GST_PAD_PROBE_OK;
  }
  if (g_rand_double (s->rand) < s->imp->stall) {
    stall_us = g_rand_int_range (s->rand, 10000, 40001);
    s->stalled++;
  }
  if (g_rand_double (s->rand) < s->imp->loss) {
    drop = TRUE;
    s->dropped++;
  } else if (s->held) {
    held = s->held;
    s->held = NULL;
  } else if (g_rand_double (s->rand) < s->imp->reorder) {
    s->held = gst_buffer_ref (buf);
    hold = TRUE;
    s->swapped++;
  }
  g_mutex_unlock (&s->lock);

  if (stall_us)
    g_usleep (stall_us);
  if (drop || hold)
    return GST_PAD_PROBE_DROP;
  if (held) {
    /* this packet first, then the one held back; one streaming thread */
    s->passing = TRUE;
    gst_pad_push (pad, gst_buffer_ref (buf));
    s->passing = FALSE;
    gst_buffer_unref (buf);
    GST_PAD_PROBE_INFO_DATA (info) = held;
  }
  return GST_PAD_PROBE_OK;
}

static void
element_added (GstBin * bin, GstBin * sub, GstElement * e, Sample * s)
{
  GstElementFactory *f = gst_element_get_factory (e);
  const gchar *name = f ? GST_OBJECT_NAME (f) : "";

  if (g_str_equal (name, "nicesrc")
      && s->imp->loss + s->imp->stall + s->imp->reorder > 0) {
    GstPad *src = gst_element_get_static_pad (e, "src");

    gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, impair_probe, s, NULL);
    gst_object_unref (src);
  } else if (g_str_equal (name, "rtpjitterbuffer")) {
    g_mutex_lock (&s->lock);
    if (!s->jitterbuffer)
      s->jitterbuffer = gst_object_ref (e);
    g_mutex_unlock (&s->lock);
  }
}

static void
handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, Sample * s)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&s->lock);
  if (!s->first_us) {
    s->first_us = now;
    s->win_start_us = now + SETTLE_MS * 1000;
    s->win_end_us = s->win_start_us + window_s * G_USEC_PER_SEC;
  } else if (now >= s->win_start_us && now < s->win_end_us) {
    if (s->last_us >= s->win_start_us)
      s->max_gap_us = MAX (s->max_gap_us, now - s->last_us);
    s->frames++;
  }
  s->last_us = now;
  g_mutex_unlock (&s->lock);
}

typedef struct
{
  gdouble first_ms, max_gap_ms, frames_lost, jb_lost, jb_late;
} Result;

static void
on_new_transceiver (GstElement * webrtc, GObject * trans, gpointer data)
{
  g_object_set (trans, "do-nack", TRUE, NULL);
}

/* One sample, with our elements or (@raw) the baseline: two plain
 * webrtcbins handing SDP and ICE to each other in-process, the same
 * encoder and decoder, NACK on like our sessions; FALSE if no frame came
 * within SAMPLE_TIMEOUT_MS. */
static gboolean
run_sample (const gchar * uri, guint n, gboolean raw, guint latency,
    const Impairment * imp, Result * r)
{
  gchar *desc;
  GstElement *tx, *rx, *sink;
  Sample s = { 0 };
  gint64 end;
  gboolean ok;

  g_mutex_init (&s.lock);
  s.imp = imp;
  s.rand = g_rand_new_with_seed (n);
  if (raw) {
    GstElement *wtx, *wrx;

    tx = gst_parse_launch (SRC " ! videoconvert ! " BENCH_X264 ("2000")
        " ! webrtcbin name=w", NULL);
    rx = gst_parse_launch ("webrtcbin name=w fakesink name=sink sync=false "
        "signal-handoffs=true", NULL);
    g_assert (tx && rx);
    wtx = gst_bin_get_by_name (GST_BIN (tx), "w");
    wrx = gst_bin_get_by_name (GST_BIN (rx), "w");
    sink = gst_bin_get_by_name (GST_BIN (rx), "sink");
    g_signal_connect (wtx, "on-new-transceiver",
        G_CALLBACK (on_new_transceiver), NULL);
    g_signal_connect (wrx, "on-new-transceiver",
        G_CALLBACK (on_new_transceiver), NULL);
    bench_link_new (wtx, wrx);
    g_object_set (wrx, "latency", latency, NULL);
    bench_recv_attach (wrx, sink, TRUE, NULL);
    gst_object_unref (sink);
    gst_object_unref (wtx);
    gst_object_unref (wrx);
  } else {
    desc = g_strdup_printf (SRC " ! rtcsignalbin uri=%s peer-name=ll-%u-%d "
        "ice-local-addresses=127.0.0.1", uri, n, (gint) getpid ());
    tx = gst_parse_launch (desc, NULL);
    g_free (desc);
    desc = g_strdup_printf ("rtcsignalbin uri=%s producer-name=ll-%u-%d "
        "ice-local-addresses=127.0.0.1 latency=%u ! fakesink name=sink "
        "sync=false signal-handoffs=true", uri, n, (gint) getpid (), latency);
    rx = gst_parse_launch (desc, NULL);
    g_free (desc);
    g_assert (tx && rx);
  }
  g_signal_connect (rx, "deep-element-added", G_CALLBACK (element_added), &s);
  sink = gst_bin_get_by_name (GST_BIN (rx), "sink");
  g_signal_connect (sink, "handoff", G_CALLBACK (handoff), &s);
  gst_object_unref (sink);

  s.t0_us = g_get_monotonic_time ();
  /* the receiver first: a plain webrtcbin still in NULL refuses an offer */
  gst_element_set_state (rx, GST_STATE_PLAYING);
  gst_element_set_state (tx, GST_STATE_PLAYING);

  /* bounded: first frame within SAMPLE_TIMEOUT_MS, then the window */
  end = s.t0_us + SAMPLE_TIMEOUT_MS * (gint64) 1000;
  for (;;) {
    gint64 now = g_get_monotonic_time (), first;

    g_mutex_lock (&s.lock);
    first = s.first_us;
    g_mutex_unlock (&s.lock);
    if (first && now >= first + (SETTLE_MS + window_s * 1000 + 100) * 1000)
      break;
    if (!first && (now > end || bench_pipeline_failed (tx)
            || bench_pipeline_failed (rx)))
      break;
    g_usleep (20 * 1000);
  }

  g_mutex_lock (&s.lock);
  ok = s.first_us != 0;
  if (ok) {
    GstStructure *st = NULL;
    guint64 lost = 0, late = 0;
    /* a frame gap at the window's end counts too */
    gint64 tail = s.win_end_us - MAX (s.last_us, s.win_start_us);

    if (s.last_us < s.win_end_us)
      s.max_gap_us = MAX (s.max_gap_us, tail);
    if (s.jitterbuffer)
      g_object_get (s.jitterbuffer, "stats", &st, NULL);
    if (st) {
      gst_structure_get_uint64 (st, "num-lost", &lost);
      gst_structure_get_uint64 (st, "num-late", &late);
      gst_structure_free (st);
    }
    r->first_ms = (s.first_us - s.t0_us) / 1000.0;
    r->max_gap_ms = s.max_gap_us / 1000.0;
    r->frames_lost = MAX (0.0, window_s * 30.0 - (gdouble) s.frames);
    r->jb_lost = lost;
    r->jb_late = late;
    g_print
        ("  %s latency=%3u %-19s first frame %7.1f ms, largest gap %6.1f ms, "
        "frames %3" G_GUINT64_FORMAT "/%d, jitterbuffer lost %" G_GUINT64_FORMAT
        " late %" G_GUINT64_FORMAT ", injected: dropped %" G_GUINT64_FORMAT
        " spikes %" G_GUINT64_FORMAT " swapped %" G_GUINT64_FORMAT "\n",
        raw ? "raw " : "ours", latency, imp->name, r->first_ms, r->max_gap_ms,
        s.frames, window_s * 30, lost, late, s.dropped, s.stalled, s.swapped);
  } else {
    g_print ("  %s latency=%3u %-19s FAILED (no frame in %d ms)\n",
        raw ? "raw " : "ours", latency, imp->name, SAMPLE_TIMEOUT_MS);
  }
  g_mutex_unlock (&s.lock);

  gst_element_set_state (rx, GST_STATE_NULL);
  gst_element_set_state (tx, GST_STATE_NULL);
  gst_object_unref (rx);
  gst_object_unref (tx);
  gst_clear_buffer (&s.held);
  gst_clear_object (&s.jitterbuffer);
  g_rand_free (s.rand);
  g_mutex_clear (&s.lock);
  return ok;
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    {"runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Samples per point", "N"},
    {"window", 'w', 0, G_OPTION_ARG_INT, &window_s,
        "Measuring window after the first frame, s", "S"},
    {"no-raw", 0, 0, G_OPTION_ARG_NONE, &no_raw,
        "Leave out the raw webrtcbin baseline", NULL},
    {"reorder", 0, 0, G_OPTION_ARG_DOUBLE, &reorder,
          "Also swap adjacent RTP packets with this probability in the "
          "impaired series (crashes GStreamer 1.22.0's receive path)",
        "P"},
    {NULL}
  };
  const guint n_lat = G_N_ELEMENTS (latencies);
  const guint n_imp = G_N_ELEMENTS (impairments);
  Result *res;
  guint *n_ok;
  BenchServer *srv;
  guint seq = 0;
  gint i;
  guint l, m, k;
  gchar *load = NULL;

  if (!bench_init (&argc, &argv, entries, "- latency under loss"))
    return 2;
  runs = CLAMP (runs, 1, 50);
  if (reorder > 0) {
    impairments[1].reorder = impairments[2].reorder = CLAMP (reorder, 0, 1);
    impairments[1].name = "loss 1%, reordering";
    impairments[2].name = "loss 3%, spikes 1%, reordering";
  }
  window_s = CLAMP (window_s, 2, 60);

  res = g_new0 (Result, 2 * n_lat * n_imp * runs);
  n_ok = g_new0 (guint, 2 * n_lat * n_imp);
  srv = bench_server_start ();
  g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);
  g_print ("latency-loss: 640x480@30 H264 through %s; %d runs per point, "
      "%d s windows; /proc/loadavg at the start: %s", srv->uri, runs,
      window_s, load ? load : "?\n");
  g_free (load);

  /* one warm-up sample of each kind, not counted */
  {
    Result warm;

    run_sample (srv->uri, 999998, FALSE, 200, &impairments[0], &warm);
    run_sample (srv->uri, 999999, TRUE, 200, &impairments[0], &warm);
  }
  /* rounds: every point once per round, so that load changes hit all */
  for (i = 0; i < runs; i++)
    for (l = 0; l < n_lat; l++)
      for (m = 0; m < n_imp; m++)
        for (k = 0; k < 2; k++) {
          guint p = (k * n_lat + l) * n_imp + m;

          if (k == 1 && no_raw)
            continue;
          if (run_sample (srv->uri, ++seq, k == 1, latencies[l],
                  &impairments[m], &res[p * runs + n_ok[p]]))
            n_ok[p]++;
        }

  g_print ("\n| sender/receiver | latency | path | n | first frame | "
      "largest gap | frames lost / %d | jitterbuffer lost | late |\n"
      "|---|---|---|---|---|---|---|---|---|\n", window_s * 30);
  for (k = 0; k < 2; k++)
    for (l = 0; l < n_lat; l++)
      for (m = 0; m < n_imp; m++) {
        guint p = (k * n_lat + l) * n_imp + m, q, n = n_ok[p];
        gdouble *v = g_new0 (gdouble, MAX (n, 1));
        gdouble med[5];
        gint f;

        for (f = 0; f < 5; f++) {
          for (q = 0; q < n; q++) {
            Result *r = &res[p * runs + q];
            v[q] = f == 0 ? r->first_ms : f == 1 ? r->max_gap_ms : f == 2 ?
                r->frames_lost : f == 3 ? r->jb_lost : r->jb_late;
          }
          med[f] = n ? bench_median (v, n) : -1;
        }
        g_free (v);
        if (k == 1 && no_raw)
          continue;
        g_print ("| %s | %u ms | %s | %u | %.1f ms | %.1f ms | %.0f | %.0f | "
            "%.0f |\n", k ? "raw webrtcbin" : "rtcsignalbin", latencies[l],
            impairments[m].name, n, med[0], med[1], med[2], med[3], med[4]);
      }
  g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);
  g_print ("(medians; /proc/loadavg at the end: %s)\n", load ? load : "?\n");
  g_free (load);

  bench_server_stop (srv);
  g_free (res);
  g_free (n_ok);
  return 0;
}
