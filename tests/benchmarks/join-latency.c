/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Benchmark: a new peer joins a running 1280x720@30 H264 2 Mbit/s stream;
 * time from the joiner's PLAYING to its first decoded frame (which needs a
 * keyframe), split at the moment its peer connection is up.
 *
 *   ours        rtcmeshfanout, the joiner is `rtcsignalbin producer-name=`
 *               through the real signalling server (the fanout forces a
 *               keyframe when DTLS is up)
 *   raw         x264enc ! tee ! queue leaky ! webrtcbin per joiner, SDP/ICE
 *               handed over in-process, keyframe requests dropped: the
 *               joiner waits for the next periodic keyframe (key-int-max=300)
 *   raw-kf      the same, plus one forced keyframe when the joiner's
 *               connection is up (what our element does, in 10 lines)
 *
 *   unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
 *     build/tests/benchmarks/join-latency [--runs 15]
 */
#include "bench-common.h"
#include <gst/video/video.h>

#define SRC "videotestsrc is-live=true pattern=smpte horizontal-speed=4 ! " \
  "video/x-raw,width=1280,height=720,framerate=30/1"
#define SAMPLE_TIMEOUT_MS 12000

static gint runs = 15;
static gint latency = 200;      /* the joiner's jitterbuffer, ms */
/* between joins: more than keyframe-interval (1000 ms), so every join is
 * a solitary one and no keyframe request is coalesced with the last */
static gint gap = 1500;

typedef struct
{
  BenchProbe probe;
  gint64 connected_us;
} Join;

static GstBusSyncReply
on_joiner_message (GstBus * bus, GstMessage * msg, gpointer data)
{
  Join *j = data;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT
      && gst_message_has_name (msg, "meshrtc-peer-connected")
      && !j->connected_us)
    j->connected_us = g_get_monotonic_time ();
  return GST_BUS_PASS;
}

/* Waits (bounded) for the first keyframe after the first frame. */
static gdouble
wait_keyframe (Join * j, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * (gint64) 1000;
  gint64 kf;

  for (;;) {
    g_mutex_lock (&j->probe.lock);
    kf = j->probe.keyframe_us;
    g_mutex_unlock (&j->probe.lock);
    if (kf || g_get_monotonic_time () > end)
      break;
    g_usleep (5000);
  }
  return kf ? (kf - j->probe.t0_us) / 1000.0 : -1;
}

static void
print_keyframes (const gchar * what, gdouble * kf, guint n, guint failed)
{
  gdouble med = bench_median (kf, n), p95 = bench_percentile (kf, n, 95);
  GString *all = g_string_new (NULL);
  guint i;

  for (i = 0; i < n; i++)
    g_string_append_printf (all, "%s%.0f", i ? " " : "", kf[i]);
  g_print ("%-8s n=%2u failed=%u FIRST KEYFRAME: median=%7.1f ms "
      "p95=%7.1f ms  [sorted: %s]\n", what, n, failed, med, p95, all->str);
  g_string_free (all, TRUE);
}

static void
print_series (const gchar * what, gdouble * total, gdouble * conn, guint n,
    guint failed)
{
  gdouble t_med = bench_median (total, n), t_p95 =
      bench_percentile (total, n, 95);
  gdouble c_med = bench_median (conn, n), c_p95 =
      bench_percentile (conn, n, 95);
  GString *all = g_string_new (NULL);
  guint i;

  for (i = 0; i < n; i++)
    g_string_append_printf (all, "%s%.0f", i ? " " : "", total[i]);
  g_print ("%-8s n=%2u failed=%u first frame: median=%7.1f ms p95=%7.1f ms | "
      "connected: median=%6.1f p95=%6.1f  [sorted: %s]\n", what, n, failed,
      t_med, t_p95, c_med, c_p95, all->str);
  g_string_free (all, TRUE);
}

/* ---- ours ---- */

static void
series_ours (void)
{
  BenchServer *srv = bench_server_start ();
  gchar *desc, *name = g_strdup_printf ("join-%d", (gint) getpid ());
  GstElement *fan;
  gdouble *total = g_new0 (gdouble, runs), *conn = g_new0 (gdouble, runs);
  gdouble *kf = g_new0 (gdouble, runs);
  guint n = 0, failed = 0, nk = 0, failedk = 0;
  gint i;

  desc = g_strdup_printf (SRC " ! rtcmeshfanout uri=%s peer-name=%s "
      "ice-local-addresses=127.0.0.1 video-bitrate=2000000", srv->uri, name);
  fan = gst_parse_launch (desc, NULL);
  g_free (desc);
  gst_element_set_state (fan, GST_STATE_PLAYING);
  g_usleep (2 * G_USEC_PER_SEC);        /* registered, encoder running */

  for (i = 0; i < runs + 1; i++) {
    GstElement *rx, *sink;
    GstBus *bus;
    Join j = { 0 };
    gdouble ms, kfms;

    /* decode=false and the same decoding chain as the raw joiner, so the
     * first keyframe can be seen */
    desc = g_strdup_printf ("rtcsignalbin uri=%s producer-name=%s "
        "ice-local-addresses=127.0.0.1 latency=%d decode=false ! "
        "h264parse name=parse ! avdec_h264 ! videoconvert ! "
        "fakesink name=sink", srv->uri, name, latency);
    rx = gst_parse_launch (desc, NULL);
    g_free (desc);
    bench_probe_init (&j.probe);
    sink = gst_bin_get_by_name (GST_BIN (rx), "sink");
    bench_probe_attach (sink, &j.probe);
    gst_object_unref (sink);
    {
      GstElement *parse = gst_bin_get_by_name (GST_BIN (rx), "parse");
      GstPad *src = gst_element_get_static_pad (parse, "src");

      bench_probe_watch_keyframes (src, &j.probe);
      gst_object_unref (src);
      gst_object_unref (parse);
    }
    bus = gst_element_get_bus (rx);
    gst_bus_set_sync_handler (bus, on_joiner_message, &j, NULL);

    j.probe.t0_us = g_get_monotonic_time ();
    gst_element_set_state (rx, GST_STATE_PLAYING);
    ms = bench_probe_wait (&j.probe, SAMPLE_TIMEOUT_MS, rx, fan);
    kfms = ms >= 0 ? wait_keyframe (&j, SAMPLE_TIMEOUT_MS) : -1;
    gst_element_set_state (rx, GST_STATE_NULL);
    gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
    gst_object_unref (bus);
    gst_object_unref (rx);
    /* the first join of the process pays for plugin loading: not counted */
    if (i > 0) {
      if (kfms >= 0)
        kf[nk++] = kfms;
      else
        failedk++;
      if (ms >= 0 && j.connected_us) {
        total[n] = ms;
        conn[n++] = (j.connected_us - j.probe.t0_us) / 1000.0;
      } else {
        failed++;
      }
    }
    bench_probe_clear (&j.probe);
    g_usleep (gap * (gulong) 1000);
  }
  print_series ("ours", total, conn, n, failed);
  print_keyframes ("ours", kf, nk, failedk);

  gst_element_set_state (fan, GST_STATE_NULL);
  gst_object_unref (fan);
  bench_server_stop (srv);
  g_free (name);
  g_free (total);
  g_free (conn);
  g_free (kf);
}

/* ---- raw webrtcbin behind a tee ---- */

static GstPadProbeReturn
drop_keyframe_requests (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);

  return gst_video_event_is_force_key_unit (ev) ? GST_PAD_PROBE_DROP :
      GST_PAD_PROBE_OK;
}

typedef struct
{
  GstElement *encoder;
  gboolean force_keyframe;
  Join *join;
} RawJoin;

static void
on_tx_connection_state (GObject * w, GParamSpec * pspec, RawJoin * r)
{
  GstWebRTCPeerConnectionState state;

  g_object_get (w, "connection-state", &state, NULL);
  if (state != GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED
      || r->join->connected_us)
    return;
  r->join->connected_us = g_get_monotonic_time ();
  if (r->force_keyframe)
    gst_element_send_event (r->encoder,
        gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
            TRUE, 0));
}

static GstPadProbeReturn
unlink_when_idle (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  GstPad *peer = gst_pad_get_peer (pad);

  if (peer) {
    gst_pad_unlink (pad, peer);
    gst_object_unref (peer);
  }
  return GST_PAD_PROBE_REMOVE;
}

static GstElement *
find_encoder (GstBin * bin)
{
  GstIterator *it = gst_bin_iterate_elements (bin);
  GValue v = G_VALUE_INIT;
  GstElement *enc = NULL;

  while (!enc && gst_iterator_next (it, &v) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&v);
    if (g_str_equal (GST_OBJECT_NAME (gst_element_get_factory (e)), "x264enc"))
      enc = gst_object_ref (e);
    g_value_reset (&v);
  }
  g_value_unset (&v);
  gst_iterator_free (it);
  return enc;
}

static GstPadProbeReturn
count_keyframes (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  if (!GST_BUFFER_FLAG_IS_SET (GST_PAD_PROBE_INFO_BUFFER (info),
          GST_BUFFER_FLAG_DELTA_UNIT))
    g_atomic_int_inc ((gint *) data);
  return GST_PAD_PROBE_OK;
}

static void
series_raw (gboolean force_keyframe)
{
  gint keyframes = 0;
  GstPad *encsrc;
  GstElement *txp = gst_parse_launch (SRC " ! videoconvert ! "
      BENCH_X264 ("2000") " ! tee name=t allow-not-linked=true", NULL);
  GstElement *tee = gst_bin_get_by_name (GST_BIN (txp), "t");
  GstElement *enc = find_encoder (GST_BIN (txp));
  gdouble *total = g_new0 (gdouble, runs), *conn = g_new0 (gdouble, runs);
  gdouble *kf = g_new0 (gdouble, runs);
  guint n = 0, failed = 0, nk = 0, failedk = 0;
  gint i;

  g_assert (enc);
  encsrc = gst_element_get_static_pad (enc, "src");
  gst_pad_add_probe (encsrc, GST_PAD_PROBE_TYPE_BUFFER, count_keyframes,
      &keyframes, NULL);
  gst_object_unref (encsrc);
  gst_element_set_state (txp, GST_STATE_PLAYING);
  g_usleep (2 * G_USEC_PER_SEC);

  for (i = 0; i < runs + 1; i++) {
    GstElement *q = gst_element_factory_make ("queue", NULL);
    GstElement *tw = gst_element_factory_make ("webrtcbin", NULL);
    GstElement *rxp = gst_parse_launch ("webrtcbin name=w fakesink name=sink",
        NULL);
    GstElement *rw = gst_bin_get_by_name (GST_BIN (rxp), "w");
    GstElement *sink = gst_bin_get_by_name (GST_BIN (rxp), "sink");
    GstPad *teepad, *qsrc;
    Join j = { 0 };
    RawJoin r = { enc, force_keyframe, &j };
    gdouble ms, kfms;

    bench_probe_init (&j.probe);
    bench_probe_attach (sink, &j.probe);
    bench_link_new (tw, rw);
    g_object_set (rw, "latency", (guint) latency, NULL);
    bench_recv_attach (rw, sink, TRUE, &j.probe);
    g_signal_connect (tw, "notify::connection-state",
        G_CALLBACK (on_tx_connection_state), &r);
    g_object_set (q, "leaky", 2, "max-size-buffers", 0, "max-size-bytes", 0,
        "max-size-time", (guint64) 500 * GST_MSECOND, NULL);
    /* no keyframe request from this peer ever reaches the encoder */
    qsrc = gst_element_get_static_pad (q, "src");
    gst_pad_add_probe (qsrc, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
        drop_keyframe_requests, NULL, NULL);
    gst_object_unref (qsrc);

    j.probe.t0_us = g_get_monotonic_time ();
    gst_element_set_state (rxp, GST_STATE_PLAYING);
    gst_bin_add_many (GST_BIN (txp), q, tw, NULL);
    gst_element_sync_state_with_parent (tw);
    gst_element_sync_state_with_parent (q);
    gst_element_link (q, tw);
    teepad = gst_element_request_pad_simple (tee, "src_%u");
    {
      GstPad *qsink = gst_element_get_static_pad (q, "sink");
      gst_pad_link (teepad, qsink);
      gst_object_unref (qsink);
    }
    ms = bench_probe_wait (&j.probe, SAMPLE_TIMEOUT_MS, rxp, txp);
    kfms = ms >= 0 ? wait_keyframe (&j, SAMPLE_TIMEOUT_MS) : -1;

    /* tear the branch down: unlink at an idle moment, then stop it */
    gst_pad_add_probe (teepad, GST_PAD_PROBE_TYPE_IDLE, unlink_when_idle,
        NULL, NULL);
    g_usleep (100 * 1000);
    gst_element_release_request_pad (tee, teepad);
    gst_object_unref (teepad);
    g_signal_handlers_disconnect_by_data (tw, &r);
    gst_element_set_state (rxp, GST_STATE_NULL);
    gst_element_set_state (tw, GST_STATE_NULL);
    gst_element_set_state (q, GST_STATE_NULL);
    gst_bin_remove_many (GST_BIN (txp), q, tw, NULL);
    gst_object_unref (sink);
    gst_object_unref (rw);
    gst_object_unref (rxp);

    if (i > 0) {
      if (kfms >= 0)
        kf[nk++] = kfms;
      else
        failedk++;
      if (ms >= 0 && j.connected_us) {
        total[n] = ms;
        conn[n++] = (j.connected_us - j.probe.t0_us) / 1000.0;
      } else {
        failed++;
      }
    }
    bench_probe_clear (&j.probe);
    g_usleep (gap * (gulong) 1000);
  }
  print_series (force_keyframe ? "raw-kf" : "raw", total, conn, n, failed);
  print_keyframes (force_keyframe ? "raw-kf" : "raw", kf, nk, failedk);
  g_print ("%-8s keyframes encoded during the series: %d\n",
      force_keyframe ? "raw-kf" : "raw", g_atomic_int_get (&keyframes));

  gst_element_set_state (txp, GST_STATE_NULL);
  gst_object_unref (enc);
  gst_object_unref (tee);
  gst_object_unref (txp);
  g_free (total);
  g_free (conn);
  g_free (kf);
}

int
main (int argc, char **argv)
{
  gchar *series = NULL;
  GOptionEntry entries[] = {
    {"runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Joins per series", "N"},
    {"gap", 'g', 0, G_OPTION_ARG_INT, &gap,
        "Pause between joins in ms (default 1500)", "MS"},
    {"latency", 'l', 0, G_OPTION_ARG_INT, &latency,
        "Joiner's jitterbuffer latency in ms (element default 200)", "MS"},
    {"series", 's', 0, G_OPTION_ARG_STRING, &series,
        "Comma-separated: ours,raw,raw-kf (default all)", "LIST"},
    {NULL}
  };
  gchar **list;
  guint i;

  if (!bench_init (&argc, &argv, entries, "- join latency benchmark"))
    return 2;
  runs = CLAMP (runs, 1, 200);

  g_print ("join-latency: 1280x720@30 H264 2 Mbit/s (x264 ultrafast "
      "zerolatency key-int-max=300), %d joins per series (+1 discarded), "
      "decoded by avdec_h264, joiner latency=%d ms, %d ms between joins\n",
      runs, latency, gap);
  list = g_strsplit (series ? series : "ours,raw-kf,raw", ",", -1);
  for (i = 0; list[i]; i++) {
    if (g_str_equal (list[i], "ours"))
      series_ours ();
    else if (g_str_equal (list[i], "raw"))
      series_raw (FALSE);
    else if (g_str_equal (list[i], "raw-kf"))
      series_raw (TRUE);
  }
  g_print ("goals: ours median <= 150 ms, p95 <= 300 ms\n");
  g_strfreev (list);
  g_free (series);
  return 0;
}
