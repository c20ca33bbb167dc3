/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Benchmark: a member joins a call of two (rtcsignalbin room=, real
 * signalling server, all in this process); time from the newcomer's
 * PLAYING to its first frame at the observing member:
 *
 *   mix    the observer has mix=true: until its mixed output (320x180)
 *          shows the newcomer's white test pattern in the new tile
 *   pads   the observer has mix=false: until the first decoded frame
 *          leaves the newcomer's own video_src_N pad (the baseline)
 *
 * Samples alternate the two modes; the newcomer leaves after each and the
 * next one starts once the observer has dropped it. Both include the
 * newcomer's own start (encoder, ICE, DTLS, first keyframe).
 *
 *   unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
 *     build/tests/benchmarks/call-join [--samples 8]
 */
#include "bench-common.h"
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#define MEMBER "videotestsrc is-live=true pattern=%s ! " \
  "video/x-raw,width=320,height=240,framerate=30/1 ! c.video_0 " \
  "rtcsignalbin name=c uri=%s room=%s ice-local-addresses=127.0.0.1 "
#define MIX_W 320
#define MIX_H 180
#define SAMPLE_TIMEOUT_MS 15000

static gint samples = 8;

typedef struct
{
  GMutex lock;
  gboolean white;               /* mix: the new tile's centre is white */
  gint64 first_us;              /* when it became so, or the first frame
                                 * of a new pad */
} Seen;

static GstFlowReturn
on_mix_sample (GstAppSink * sink, gpointer data)
{
  Seen *seen = data;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  GstMapInfo map;
  GstBuffer *buf;

  if (!sample)
    return GST_FLOW_OK;
  buf = gst_sample_get_buffer (sample);
  if (gst_buffer_map (buf, &map, GST_MAP_READ)) {
    /* a grid of two: the second tile is the right half */
    const guint8 *p = map.data + (MIX_H / 2) * GST_ROUND_UP_4 (MIX_W * 3) +
        (3 * MIX_W / 4) * 3;
    gboolean white = p[0] > 180 && p[1] > 180 && p[2] > 180;

    g_mutex_lock (&seen->lock);
    if (white && !seen->white)
      seen->first_us = g_get_monotonic_time ();
    seen->white = white;
    g_mutex_unlock (&seen->lock);
    gst_buffer_unmap (buf, &map);
  }
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

static GstPadProbeReturn
on_pad_buffer (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Seen *seen = data;

  g_mutex_lock (&seen->lock);
  if (!seen->first_us)
    seen->first_us = g_get_monotonic_time ();
  g_mutex_unlock (&seen->lock);
  return GST_PAD_PROBE_REMOVE;
}

/* pads mode: a further member's video pad gets a fakesink and a probe */
static void
on_pad_added (GstElement * bin, GstPad * pad, Seen * seen)
{
  GstElement *pipeline = GST_ELEMENT (gst_element_get_parent (bin));
  GstElement *sink;
  GstPad *sinkpad;

  if (!g_str_has_prefix (GST_PAD_NAME (pad), "video_src_")
      || g_str_equal (GST_PAD_NAME (pad), "video_src_0")) {
    gst_object_unref (pipeline);
    return;
  }
  sink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (pipeline), sink);
  sinkpad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_BUFFER, on_pad_buffer, seen,
      NULL);
  gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
  gst_element_sync_state_with_parent (sink);
  gst_object_unref (pipeline);
}

static GstElement *
launch (const gchar * fmt, ...)
{
  GError *err = NULL;
  GstElement *p;
  gchar *desc;
  va_list ap;

  va_start (ap, fmt);
  desc = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  p = gst_parse_launch (desc, &err);
  if (!p)
    g_error ("cannot parse %s: %s", desc, err->message);
  g_free (desc);
  return p;
}

/* One sample: the newcomer joins, the time to its first frame at the
 * observer in ms (-1 on timeout); it leaves again. */
static gdouble
join_once (const gchar * uri, const gchar * room, Seen * seen,
    GstElement * observer)
{
  GstElement *newcomer = launch (MEMBER " peer-name=newcomer", "white", uri,
      room);
  gint64 t0, end;
  gdouble ms = -1;

  g_mutex_lock (&seen->lock);
  seen->first_us = 0;
  g_mutex_unlock (&seen->lock);
  t0 = g_get_monotonic_time ();
  gst_element_set_state (newcomer, GST_STATE_PLAYING);
  end = t0 + SAMPLE_TIMEOUT_MS * (gint64) 1000;
  while (g_get_monotonic_time () < end) {
    g_mutex_lock (&seen->lock);
    if (seen->first_us)
      ms = (seen->first_us - t0) / 1000.0;
    g_mutex_unlock (&seen->lock);
    if (ms >= 0 || bench_pipeline_failed (observer)
        || bench_pipeline_failed (newcomer))
      break;
    g_usleep (2000);
  }
  gst_element_set_state (newcomer, GST_STATE_NULL);
  gst_object_unref (newcomer);
  /* until the observer dropped it (its session ends with the server's
   * notice): the mix no longer shows white, or a while for pads */
  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  for (;;) {
    gboolean gone;

    g_mutex_lock (&seen->lock);
    gone = !seen->white;
    g_mutex_unlock (&seen->lock);
    if ((gone && g_get_monotonic_time () > end - 3 * G_USEC_PER_SEC)
        || g_get_monotonic_time () > end)
      break;
    g_usleep (20 * 1000);
  }
  return ms;
}

static void
run_mode (const gchar * uri, gboolean mix, gdouble * out, guint n, guint * got)
{
  Seen seen = { 0 };
  gchar *room = g_strdup_printf ("join-%s-%u", mix ? "mix" : "pads",
      g_random_int ());
  GstElement *other = launch (MEMBER " peer-name=other", "green", uri, room);
  GstElement *observer;
  guint i;

  g_mutex_init (&seen.lock);
  if (mix) {
    GstElement *sink;

    observer = launch (MEMBER " peer-name=observer mix=true mix-width=%d "
        "mix-height=%d c.video_src_0 ! videoconvert ! video/x-raw,format=RGB "
        "! appsink name=out sync=false max-buffers=1 drop=true "
        "emit-signals=true", "red", uri, room, MIX_W, MIX_H);
    sink = gst_bin_get_by_name (GST_BIN (observer), "out");
    g_signal_connect (sink, "new-sample", G_CALLBACK (on_mix_sample), &seen);
    gst_object_unref (sink);
  } else {
    GstElement *bin;

    observer = launch (MEMBER " peer-name=observer c.video_src_0 ! fakesink "
        "sync=false async=false", "red", uri, room);
    bin = gst_bin_get_by_name (GST_BIN (observer), "c");
    g_signal_connect (bin, "pad-added", G_CALLBACK (on_pad_added), &seen);
    gst_object_unref (bin);
  }
  gst_element_set_state (observer, GST_STATE_PLAYING);
  gst_element_set_state (other, GST_STATE_PLAYING);
  /* the call of two settles */
  g_usleep (3 * G_USEC_PER_SEC);
  for (i = 0; i < n; i++) {
    gdouble ms = join_once (uri, room, &seen, observer);

    g_print ("%s sample %u: %.1f ms\n", mix ? "mix " : "pads", i + 1, ms);
    if (ms >= 0)
      out[(*got)++] = ms;
  }
  gst_element_set_state (other, GST_STATE_NULL);
  gst_element_set_state (observer, GST_STATE_NULL);
  gst_object_unref (other);
  gst_object_unref (observer);
  g_mutex_clear (&seen.lock);
  g_free (room);
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    {"samples", 0, 0, G_OPTION_ARG_INT, &samples, "joins per mode (8)",
        "N"},
    {NULL}
  };
  BenchServer *srv;
  gdouble *mix, *pads;
  guint n_mix = 0, n_pads = 0, r;

  if (!bench_init (&argc, &argv, entries, "- join to first frame in a call"))
    return 1;
  samples = CLAMP (samples, 1, 100);
  mix = g_new0 (gdouble, samples);
  pads = g_new0 (gdouble, samples);
  srv = bench_server_start ();
  /* alternating halves, so a drift of the machine touches both modes */
  for (r = 0; r < 2; r++) {
    guint half = r == 0 ? samples / 2 : samples - samples / 2;

    run_mode (srv->uri, TRUE, mix, half, &n_mix);
    run_mode (srv->uri, FALSE, pads, half, &n_pads);
  }
  bench_server_stop (srv);
  if (n_mix && n_pads) {
    gdouble m = bench_median (mix, n_mix), p = bench_median (pads, n_pads);

    g_print ("join to first frame, median of %u / %u: mix %.1f ms (p95 "
        "%.1f), pads %.1f ms (p95 %.1f); ratio mix/pads %.2f\n", n_mix,
        n_pads, m, bench_percentile (mix, n_mix, 95), p,
        bench_percentile (pads, n_pads, 95), m / p);
  } else {
    g_print ("not enough samples (mix %u, pads %u)\n", n_mix, n_pads);
  }
  g_free (mix);
  g_free (pads);
  return 0;
}
