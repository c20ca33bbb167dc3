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

static gint runs = 15;
static gint latency = 200;     /* the receiver's jitterbuffer, ms */
static gchar *child_mode = NULL;
static gchar *child_uri = NULL;

/* One sample with our elements: a producer rtcsignalbin and a consumer
 * rtcsignalbin (producer-name) through the server at @uri. */
static gdouble
sample_ours (const gchar * uri, guint n)
{
  gchar *desc;
  GstElement *tx, *rx, *sink;
  BenchProbe probe;
  gdouble ms;

  desc = g_strdup_printf (SRC " ! rtcsignalbin uri=%s "
      "ice-local-addresses=127.0.0.1 peer-name=bench-%u-%d", uri, n,
      (gint) getpid ());
  tx = gst_parse_launch (desc, NULL);
  g_free (desc);
  desc = g_strdup_printf ("rtcsignalbin uri=%s ice-local-addresses=127.0.0.1 "
      "producer-name=bench-%u-%d latency=%d ! video/x-raw ! "
      "fakesink name=sink", uri, n, (gint) getpid (), latency);
  rx = gst_parse_launch (desc, NULL);
  g_free (desc);
  g_assert (tx && rx);

  bench_probe_init (&probe);
  sink = gst_bin_get_by_name (GST_BIN (rx), "sink");
  bench_probe_attach (sink, &probe);
  gst_object_unref (sink);

  probe.t0_us = g_get_monotonic_time ();
  gst_element_set_state (tx, GST_STATE_PLAYING);
  gst_element_set_state (rx, GST_STATE_PLAYING);
  ms = bench_probe_wait (&probe, SAMPLE_TIMEOUT_MS, tx, rx);

  gst_element_set_state (rx, GST_STATE_NULL);
  gst_element_set_state (tx, GST_STATE_NULL);
  gst_object_unref (rx);
  gst_object_unref (tx);
  bench_probe_clear (&probe);
  return ms;
}

/* One sample of the baseline: webrtcbin to webrtcbin, SDP and ICE handed
 * over directly, the same x264 settings and decoder as rtcsignalbin. */
static gdouble
sample_raw (void)
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
  bench_recv_attach (rx, sink, TRUE, NULL);
  bench_probe_init (&probe);
  bench_probe_attach (sink, &probe);

  probe.t0_us = g_get_monotonic_time ();
  gst_element_set_state (txp, GST_STATE_PLAYING);
  gst_element_set_state (rxp, GST_STATE_PLAYING);
  ms = bench_probe_wait (&probe, SAMPLE_TIMEOUT_MS, txp, rxp);

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
sample_cold (const gchar * self_exe, const gchar * mode, const gchar * uri)
{
  GError *err = NULL;
  gchar *out = NULL;
  gdouble ms = -1;
  gchar lat[16];
  GSubprocess *p;

  g_snprintf (lat, sizeof (lat), "%d", latency);
  p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &err,
      self_exe, "--child", mode, "--uri", uri, "--latency", lat, NULL);

  if (!p)
    g_error ("cannot re-execute %s: %s", self_exe, err->message);
  if (g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, &err)) {
    const gchar *l = out ? strstr (out, "FIRST_FRAME_MS ") : NULL;
    if (l)
      ms = g_ascii_strtod (l + strlen ("FIRST_FRAME_MS "), NULL);
  }
  g_free (out);
  g_clear_error (&err);
  g_object_unref (p);
  return ms;
}

static void
report (const gchar * what, gdouble * v, guint n, guint failed,
    gdouble * median_out)
{
  gdouble med = bench_median (v, n), p95 = bench_percentile (v, n, 95);
  GString *all = g_string_new (NULL);
  guint i;

  for (i = 0; i < n; i++)
    g_string_append_printf (all, "%s%.0f", i ? " " : "", v[i]);
  g_print ("%-22s n=%2u failed=%u median=%7.1f ms p95=%7.1f ms min=%6.1f "
      "max=%7.1f  [%s]\n", what, n, failed, med, p95, n ? v[0] : -1,
      n ? v[n - 1] : -1, all->str);
  g_string_free (all, TRUE);
  *median_out = med;
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
  GOptionContext *ctx = g_option_context_new ("- first-frame benchmark");
  BenchServer *srv;
  gdouble *cold_ours, *cold_raw, *warm_ours, *warm_raw;
  guint nco = 0, ncr = 0, nwo = 0, nwr = 0, fco = 0, fcr = 0, fwo = 0, fwr = 0;
  gdouble mco, mcr, mwo, mwr;
  gchar *self_exe;
  gint i;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, NULL))
    return 2;
  g_option_context_free (ctx);
  gst_init (NULL, NULL);

  if (child_mode) {
    gdouble ms = g_str_equal (child_mode, "raw") ? sample_raw () :
        sample_ours (child_uri, 0);
    g_print ("FIRST_FRAME_MS %.3f\n", ms);
    return ms < 0;
  }

  runs = CLAMP (runs, 1, 200);
  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  srv = bench_server_start ();
  g_print ("signalbin-first-frame: %dx%d@30 H264 (x264 ultrafast "
      "zerolatency), decoded by avdec_h264, receiver latency=%d ms; %d runs "
      "per series; server %s\n", WIDTH, HEIGHT, latency, runs, srv->uri);
  cold_ours = g_new0 (gdouble, runs);
  cold_raw = g_new0 (gdouble, runs);
  warm_ours = g_new0 (gdouble, runs);
  warm_raw = g_new0 (gdouble, runs);

  /* cold: alternate the two kinds so load changes hit both alike */
  for (i = 0; i < runs; i++) {
    gdouble o = sample_cold (self_exe, "ours", srv->uri);
    gdouble r = sample_cold (self_exe, "raw", srv->uri);
    if (o >= 0)
      cold_ours[nco++] = o;
    else
      fco++;
    if (r >= 0)
      cold_raw[ncr++] = r;
    else
      fcr++;
  }

  /* warm: the first sample of each kind in this process is discarded */
  sample_ours (srv->uri, 1000);
  sample_raw ();
  for (i = 0; i < runs; i++) {
    gdouble o = sample_ours (srv->uri, i + 1);
    gdouble r = sample_raw ();
    if (o >= 0)
      warm_ours[nwo++] = o;
    else
      fwo++;
    if (r >= 0)
      warm_raw[nwr++] = r;
    else
      fwr++;
  }

  report ("cold rtcsignalbin", cold_ours, nco, fco, &mco);
  report ("cold raw webrtcbin", cold_raw, ncr, fcr, &mcr);
  report ("warm rtcsignalbin", warm_ours, nwo, fwo, &mwo);
  report ("warm raw webrtcbin", warm_raw, nwr, fwr, &mwr);
  g_print ("ratio rtcsignalbin/raw (median): cold %.2f, warm %.2f\n",
      mco / mcr, mwo / mwr);
  g_print ("goals: cold <= 120 ms, warm <= 80 ms\n");

  bench_server_stop (srv);
  g_free (cold_ours);
  g_free (cold_raw);
  g_free (warm_ours);
  g_free (warm_raw);
  g_free (self_exe);
  return 0;
}
