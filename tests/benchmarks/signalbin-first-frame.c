/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Benchmark: time from PLAYING to the first decoded frame between two
 * rtcsignalbins talking through the real signalling server program, cold
 * (first peer connection of a process: every sample is a fresh process,
 * this program re-executing itself) and warm (later sessions in one
 * process), against a plain webrtcbin pair connected in-process with the
 * same codec settings.
 *
 *   unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
 *     build/tests/benchmarks/signalbin-first-frame [--runs 15]
 *
 * Environment: GST_PLUGIN_PATH to the plugin build dir,
 * MESHRTC_SIGNALLING_SERVER to the server program.
 */
#include "bench-common.h"

#define WIDTH 640
#define HEIGHT 480
#define SRC "videotestsrc is-live=true ! video/x-raw,width=640,height=480," \
  "framerate=30/1"
#define SAMPLE_TIMEOUT_MS 20000
/* after the first frame; the periodic keyframe comes every 10 s */
#define KEYFRAME_TIMEOUT_MS 11000

static gint runs = 15;
static gint latency = 200;      /* the receiver's jitterbuffer, ms */
static gchar *child_mode = NULL;
static gchar *child_uri = NULL;

typedef enum
{
  PATH_WEBSOCKET,               /* producer and consumer over WebSocket */
  PATH_WHEP,                    /* consumer plays over WHEP (/whep/<name>) */
  PATH_WHIP,                    /* producer publishes over WHIP (/whip/<name>) */
} Path;

/* One sample with our elements: a producer rtcsignalbin and a consumer
 * rtcsignalbin (producer-name) through the server at @uri, each side over
 * the WebSocket protocol or, per @path, over WHEP or WHIP to the same
 * server. */
/* After the first frame: waits (bounded) for the first keyframe. */
static gdouble
wait_keyframe (BenchProbe * p)
{
  gint64 end = g_get_monotonic_time () + KEYFRAME_TIMEOUT_MS * (gint64) 1000;
  gint64 kf;

  for (;;) {
    g_mutex_lock (&p->lock);
    kf = p->keyframe_us;
    g_mutex_unlock (&p->lock);
    if (kf || g_get_monotonic_time () > end)
      break;
    g_usleep (5000);
  }
  return kf ? (kf - p->t0_us) / 1000.0 : -1;
}

static gdouble
sample_ours_on (const gchar * uri, guint n, Path path, gdouble * kf)
{
  g_autofree gchar *http = g_strconcat ("http", uri + strlen ("ws"), NULL);
  g_autofree gchar *tx_signalling = NULL;
  g_autofree gchar *rx_signalling = NULL;
  gchar *desc;
  GstElement *tx, *rx, *sink;
  BenchProbe probe;
  gdouble ms;

  tx_signalling = path == PATH_WHIP ?
      g_strdup_printf ("whip-endpoint=%s/whip/bench-%u-%d", http, n,
      (gint) getpid ()) : g_strdup_printf ("uri=%s peer-name=bench-%u-%d",
      uri, n, (gint) getpid ());
  rx_signalling = path == PATH_WHEP ?
      g_strdup_printf ("whep-endpoint=%s/whep/bench-%u-%d", http, n,
      (gint) getpid ()) : g_strdup_printf ("uri=%s producer-name=bench-%u-%d",
      uri, n, (gint) getpid ());
  desc = g_strdup_printf (SRC " ! rtcsignalbin %s "
      "ice-local-addresses=127.0.0.1", tx_signalling);
  tx = gst_parse_launch (desc, NULL);
  g_free (desc);
  /* decode=false and the raw receiver's decoding chain, so that the first
   * keyframe is seen too */
  desc = g_strdup_printf ("rtcsignalbin %s ice-local-addresses=127.0.0.1 "
      "latency=%d decode=false ! "
      "h264parse name=parse ! avdec_h264 ! videoconvert ! fakesink name=sink",
      rx_signalling, latency);
  rx = gst_parse_launch (desc, NULL);
  g_free (desc);
  g_assert (tx && rx);

  bench_probe_init (&probe);
  sink = gst_bin_get_by_name (GST_BIN (rx), "sink");
  bench_probe_attach (sink, &probe);
  gst_object_unref (sink);
  {
    GstElement *parse = gst_bin_get_by_name (GST_BIN (rx), "parse");
    GstPad *src = gst_element_get_static_pad (parse, "src");

    bench_probe_watch_keyframes (src, &probe);
    gst_object_unref (src);
    gst_object_unref (parse);
  }

  probe.t0_us = g_get_monotonic_time ();
  gst_element_set_state (tx, GST_STATE_PLAYING);
  gst_element_set_state (rx, GST_STATE_PLAYING);
  ms = bench_probe_wait (&probe, SAMPLE_TIMEOUT_MS, tx, rx);
  *kf = ms >= 0 ? wait_keyframe (&probe) : -1;

  gst_element_set_state (rx, GST_STATE_NULL);
  gst_element_set_state (tx, GST_STATE_NULL);
  gst_object_unref (rx);
  gst_object_unref (tx);
  bench_probe_clear (&probe);
  return ms;
}

static gdouble
sample_ours (const gchar * uri, guint n, gdouble * kf)
{
  return sample_ours_on (uri, n, PATH_WEBSOCKET, kf);
}

/* One sample of the baseline: webrtcbin to webrtcbin, SDP and ICE handed
 * over directly, the same x264 settings and decoder as rtcsignalbin. */
static gdouble
sample_raw (gdouble * kf)
{
  GstElement *txp, *rxp, *tx, *rx, *sink;
  BenchProbe probe;
  gdouble ms;

  txp = gst_parse_launch (SRC " ! videoconvert ! " BENCH_X264 ("2000")
      " ! webrtcbin name=w", NULL);
  rxp = gst_parse_launch ("webrtcbin name=w fakesink name=sink", NULL);
  g_assert (txp && rxp);
  tx = gst_bin_get_by_name (GST_BIN (txp), "w");
  rx = gst_bin_get_by_name (GST_BIN (rxp), "w");
  sink = gst_bin_get_by_name (GST_BIN (rxp), "sink");
  bench_link_new (tx, rx);
  g_object_set (rx, "latency", (guint) latency, NULL);
  bench_recv_attach (rx, sink, TRUE, &probe);
  bench_probe_init (&probe);
  bench_probe_attach (sink, &probe);

  probe.t0_us = g_get_monotonic_time ();
  /* the receiver first: the sender's offer may come as soon as it plays,
   * and a webrtcbin still in NULL refuses it ("webrtcbin is closed": 5 of
   * 15 warm samples failed so) */
  gst_element_set_state (rxp, GST_STATE_PLAYING);
  gst_element_set_state (txp, GST_STATE_PLAYING);
  ms = bench_probe_wait (&probe, SAMPLE_TIMEOUT_MS, txp, rxp);
  *kf = ms >= 0 ? wait_keyframe (&probe) : -1;

  gst_element_set_state (rxp, GST_STATE_NULL);
  gst_element_set_state (txp, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (rx);
  gst_object_unref (tx);
  gst_object_unref (rxp);
  gst_object_unref (txp);
  bench_probe_clear (&probe);
  return ms;
}

/* Runs one cold sample in a fresh process: this program with --child. */
static gdouble
sample_cold (const gchar * self_exe, const gchar * mode, const gchar * uri,
    gdouble * kf)
{
  GError *err = NULL;
  gchar *out = NULL;
  gdouble ms = -1;
  gchar lat[16];
  GSubprocess *p;

  *kf = -1;
  g_snprintf (lat, sizeof (lat), "%d", latency);
  p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &err,
      self_exe, "--child", mode, "--uri", uri, "--latency", lat, NULL);

  if (!p)
    g_error ("cannot re-execute %s: %s", self_exe, err->message);
  if (g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, &err)) {
    const gchar *l = out ? strstr (out, "FIRST_FRAME_MS ") : NULL;
    const gchar *k = out ? strstr (out, "KEYFRAME_MS ") : NULL;
    if (l)
      ms = g_ascii_strtod (l + strlen ("FIRST_FRAME_MS "), NULL);
    *kf = k ? g_ascii_strtod (k + strlen ("KEYFRAME_MS "), NULL) : -1;
  }
  g_free (out);
  g_clear_error (&err);
  g_object_unref (p);
  return ms;
}

typedef struct
{
  const gchar *name;
  gdouble *frame, *keyframe;
  guint n, nk, failed;
} Series;

static void
series_add (Series * s, gdouble frame_ms, gdouble keyframe_ms)
{
  g_print ("  sample %-19s first frame %8.1f ms, first keyframe %8.1f ms\n",
      s->name, frame_ms, keyframe_ms);
  if (frame_ms < 0) {
    s->failed++;
    return;
  }
  s->frame[s->n++] = frame_ms;
  if (keyframe_ms >= 0)
    s->keyframe[s->nk++] = keyframe_ms;
}

static gdouble
series_report (Series * s)
{
  gdouble med = bench_median (s->frame, s->n);
  gdouble p95 = bench_percentile (s->frame, s->n, 95);
  gdouble kmed = bench_median (s->keyframe, s->nk);
  gdouble kp95 = bench_percentile (s->keyframe, s->nk, 95);
  GString *all = g_string_new (NULL);
  guint i;

  for (i = 0; i < s->n; i++)
    g_string_append_printf (all, "%s%.0f", i ? " " : "", s->frame[i]);
  g_print ("%-19s n=%2u failed=%u first frame median=%7.1f p95=%7.1f ms | "
      "first keyframe median=%7.1f p95=%7.1f ms  [frames sorted: %s]\n",
      s->name, s->n, s->failed, med, p95, kmed, kp95, all->str);
  g_string_free (all, TRUE);
  return med;
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    {"runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Samples per series (>= 10)",
        "N"},
    {"latency", 'l', 0, G_OPTION_ARG_INT, &latency,
        "Receiver's jitterbuffer latency in ms (element default 200)", "MS"},
    {"child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &child_mode,
        "Run one cold sample (ours|raw)", NULL},
    {"uri", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &child_uri,
        "Signalling URI for --child", NULL},
    {NULL}
  };
  BenchServer *srv;
  Series series[6] = {
    {"cold rtcsignalbin"}, {"cold raw webrtcbin"},
    {"warm rtcsignalbin"}, {"warm raw webrtcbin"},
    {"warm rtcsignalbin, consumer over WHEP"},
    {"warm rtcsignalbin, producer over WHIP"},
  };
  gdouble med[6], kf, ms;
  gchar *self_exe;
  gint i;

  if (!bench_init (&argc, &argv, entries, "- first-frame benchmark"))
    return 2;

  if (child_mode) {
    ms = g_str_equal (child_mode, "raw") ? sample_raw (&kf) :
        sample_ours (child_uri, 0, &kf);
    g_print ("FIRST_FRAME_MS %.3f KEYFRAME_MS %.3f\n", ms, kf);
    return ms < 0;
  }

  runs = CLAMP (runs, 1, 200);
  for (i = 0; i < 6; i++) {
    series[i].frame = g_new0 (gdouble, runs);
    series[i].keyframe = g_new0 (gdouble, runs);
  }
  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  srv = bench_server_start ();
  g_print ("signalbin-first-frame: %dx%d@30 H264 (x264 ultrafast "
      "zerolatency), decoded by avdec_h264, receiver latency=%d ms; %d runs "
      "per series; server %s\n", WIDTH, HEIGHT, latency, runs, srv->uri);

  /* cold: alternate the two kinds so load changes hit both alike */
  for (i = 0; i < runs; i++) {
    ms = sample_cold (self_exe, "ours", srv->uri, &kf);
    series_add (&series[0], ms, kf);
    ms = sample_cold (self_exe, "raw", srv->uri, &kf);
    series_add (&series[1], ms, kf);
  }

  /* warm: the first sample of each kind in this process is discarded */
  sample_ours (srv->uri, 1000, &kf);
  sample_raw (&kf);
  for (i = 0; i < runs; i++) {
    ms = sample_ours (srv->uri, i + 1, &kf);
    series_add (&series[2], ms, kf);
    ms = sample_raw (&kf);
    series_add (&series[3], ms, kf);
    /* the same through the server's WHEP and WHIP endpoints */
    ms = sample_ours_on (srv->uri, 2000 + i, PATH_WHEP, &kf);
    series_add (&series[4], ms, kf);
    ms = sample_ours_on (srv->uri, 3000 + i, PATH_WHIP, &kf);
    series_add (&series[5], ms, kf);
  }

  for (i = 0; i < 6; i++)
    med[i] = series_report (&series[i]);
  g_print ("ratio rtcsignalbin/raw (median first frame): cold %.2f, "
      "warm %.2f\n", med[0] / med[1], med[2] / med[3]);
  g_print ("ratio to the WebSocket path (warm, median first frame): "
      "WHEP %.2f, WHIP %.2f\n", med[4] / med[2], med[5] / med[2]);
  {
    gchar *load = NULL;

    g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);
    g_print ("goals: cold <= 120 ms, warm <= 80 ms; /proc/loadavg at the "
        "end: %s", load ? load : "?\n");
    g_free (load);
  }

  bench_server_stop (srv);
  for (i = 0; i < 6; i++) {
    g_free (series[i].frame);
    g_free (series[i].keyframe);
  }
  g_free (self_exe);
  return 0;
}
