/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Helper processes for tests/benchmarks/fanout-scaling.py (run that, not
 * this). Roles:
 *
 *   fanout-peers receive-ours URI NAME N DISTINCT
 *       N `rtcsignalbin producer-name=NAME decode=false ! fakesink` bins in
 *       one pipeline (producer-name=NAME<i> when DISTINCT is 1), added one
 *       every 50 ms. BENCH_RX_LATENCY=MS sets their `latency` (the
 *       element's default is 100 ms; receive-raw's webrtcbins have 200).
 *   fanout-peers send-raw N
 *       the baseline without our elements: one x264enc, a tee, and per peer
 *       `queue leaky=downstream ! webrtcbin`; SDP and ICE go out on stdout
 *       and come in on stdin (a tiny signalling through the driver).
 *   fanout-peers receive-raw N
 *       N plain webrtcbins answering send-raw's offers, each
 *       `rtph264depay ! h264parse ! fakesink`.
 *
 * Lines on stdin: `MARK` (start a measurement window), `REPORT` (print the
 * frame rate of every receiver since MARK), `SIG <i> <kind> <mline>
 * <escaped text>` (signalling for peer i). Lines on stdout: `FIRST <i>`,
 * `ALL <n>` once every receiver has media, `REPORT ...`, `SIG ...`.
 * Every wait is bounded; the driver kills the process when done.
 */
#include "bench-common.h"
#include <stdio.h>
#include <gio/gunixinputstream.h>

#define SOURCE "videotestsrc is-live=true pattern=smpte horizontal-speed=4 ! " \
  "video/x-raw,width=1280,height=720,framerate=30/1"
#define ADD_INTERVAL_MS 50
#define MAX_PEERS 1000

typedef struct
{
  gint64 first_us;
  guint64 frames, bytes;
  guint64 mark_frames, mark_bytes;
} Receiver;

static GMutex lock;
static Receiver receivers[MAX_PEERS];
static guint n_peers, n_first;
static gint64 mark_us;
static GstElement *pipeline;
static GstElement *webrtc[MAX_PEERS];   /* raw roles */
static GMutex out_lock;

static void
out (const gchar * fmt, ...)
{
  va_list ap;

  g_mutex_lock (&out_lock);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  fflush (stdout);
  g_mutex_unlock (&out_lock);
}

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, gpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  gboolean first = FALSE, all = FALSE;

  g_mutex_lock (&lock);
  receivers[i].frames++;
  receivers[i].bytes += gst_buffer_get_size (buf);
  if (!receivers[i].first_us) {
    receivers[i].first_us = g_get_monotonic_time ();
    first = TRUE;
    all = ++n_first == n_peers;
  }
  g_mutex_unlock (&lock);
  if (first)
    out ("FIRST %u\n", i);
  if (all)
    out ("ALL %u\n", n_peers);
}

static GstElement *
counting_sink (guint i)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);

  g_object_set (sink, "signal-handoffs", TRUE, "sync", FALSE, "async", FALSE,
      NULL);
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff),
      GUINT_TO_POINTER (i));
  return sink;
}

static void
report (void)
{
  gdouble fps[MAX_PEERS], kbps[MAX_PEERS], dt;
  guint i, below = 0, with_media = 0;
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&lock);
  dt = (now - mark_us) / 1e6;
  for (i = 0; i < n_peers; i++) {
    fps[i] = (receivers[i].frames - receivers[i].mark_frames) / dt;
    kbps[i] = (receivers[i].bytes - receivers[i].mark_bytes) * 8 / dt / 1000;
    if (fps[i] < 28.5)
      below++;
    if (receivers[i].first_us)
      with_media++;
  }
  g_mutex_unlock (&lock);
  out ("REPORT n=%u with_media=%u below_28_5=%u fps_min=%.2f "
      "fps_median=%.2f fps_max=%.2f kbps_median=%.0f window_s=%.2f\n",
      n_peers, with_media, below, bench_percentile (fps, n_peers, 0),
      bench_median (fps, n_peers), bench_percentile (fps, n_peers, 100),
      bench_median (kbps, n_peers), dt);
}

static void
mark (void)
{
  guint i;

  g_mutex_lock (&lock);
  mark_us = g_get_monotonic_time ();
  for (i = 0; i < n_peers; i++) {
    receivers[i].mark_frames = receivers[i].frames;
    receivers[i].mark_bytes = receivers[i].bytes;
  }
  g_mutex_unlock (&lock);
}

/* ---- raw signalling over stdin/stdout ---- */

static void
send_sig (guint i, const gchar * kind, guint mline, const gchar * text)
{
  gchar *esc = g_strescape (text, NULL);

  out ("SIG %u %s %u %s\n", i, kind, mline, esc);
  g_free (esc);
}

static void
on_candidate (GstElement * w, guint mline, gchar * cand, gpointer data)
{
  send_sig (GPOINTER_TO_UINT (data), "ice", mline, cand);
}

static void
on_local_description (GstPromise * promise, gpointer data)
{
  guint i = GPOINTER_TO_UINT (data) & 0xffff;
  gboolean offer = GPOINTER_TO_UINT (data) >> 16;
  const GstStructure *reply;
  GstWebRTCSessionDescription *desc = NULL;
  gchar *text;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED)
    return;
  reply = gst_promise_get_reply (promise);
  gst_structure_get (reply, offer ? "offer" : "answer",
      GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
  gst_promise_unref (promise);
  if (!desc)
    return;
  text = gst_sdp_message_as_text (desc->sdp);
  /* sent before setting it locally, so no candidate can overtake it */
  send_sig (i, offer ? "offer" : "answer", 0, text);
  g_signal_emit_by_name (webrtc[i], "set-local-description", desc, NULL);
  gst_webrtc_session_description_free (desc);
  g_free (text);
}

static void
on_negotiation_needed (GstElement * w, gpointer data)
{
  g_signal_emit_by_name (w, "create-offer", NULL,
      gst_promise_new_with_change_func (on_local_description,
          GUINT_TO_POINTER (GPOINTER_TO_UINT (data) | (1 << 16)), NULL));
}

static void
on_raw_pad (GstElement * w, GstPad * pad, gpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  GstElement *chain, *sink;
  GstPad *sinkpad;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  chain = gst_parse_bin_from_description ("rtph264depay ! h264parse", TRUE,
      NULL);
  sink = counting_sink (i);
  gst_bin_add_many (GST_BIN (pipeline), chain, sink, NULL);
  gst_element_link (chain, sink);
  gst_element_sync_state_with_parent (sink);
  gst_element_sync_state_with_parent (chain);
  sinkpad = gst_element_get_static_pad (chain, "sink");
  gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
}

static void
on_new_transceiver (GstElement * w, GObject * trans, gpointer data)
{
  g_object_set (trans, "do-nack", TRUE, NULL);
}

static GstElement *
new_raw_webrtcbin (guint i)
{
  GstElement *w = gst_element_factory_make ("webrtcbin", NULL);

  /* experiments: what our session adds to a plain webrtcbin */
  if (g_getenv ("BENCH_RAW_DO_NACK"))
    g_signal_connect (w, "on-new-transceiver",
        G_CALLBACK (on_new_transceiver), NULL);

  g_object_set (w, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  bench_webrtcbin_loopback (w);
  g_signal_connect (w, "on-ice-candidate", G_CALLBACK (on_candidate),
      GUINT_TO_POINTER (i));
  return w;
}

static void
handle_sig (gboolean sender, gchar * line)
{
  gchar **f = g_strsplit (line, " ", 5);
  guint i, mline;
  gchar *text;

  if (g_strv_length (f) < 5) {
    g_strfreev (f);
    return;
  }
  i = atoi (f[1]);
  mline = atoi (f[3]);
  text = g_strcompress (f[4]);
  if (i >= MAX_PEERS)
    goto done;
  if (g_str_equal (f[2], "ice")) {
    if (webrtc[i])
      g_signal_emit_by_name (webrtc[i], "add-ice-candidate", mline, text);
  } else {
    GstSDPMessage *sdp;
    GstWebRTCSessionDescription *desc;
    gboolean offer = g_str_equal (f[2], "offer");

    if (!sender && offer && !webrtc[i]) {
      webrtc[i] = new_raw_webrtcbin (i);
      g_signal_connect (webrtc[i], "pad-added", G_CALLBACK (on_raw_pad),
          GUINT_TO_POINTER (i));
      gst_bin_add (GST_BIN (pipeline), webrtc[i]);
      gst_element_sync_state_with_parent (webrtc[i]);
    }
    if (!webrtc[i])
      goto done;
    gst_sdp_message_new_from_text (text, &sdp);
    desc = gst_webrtc_session_description_new (offer ?
        GST_WEBRTC_SDP_TYPE_OFFER : GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
    g_signal_emit_by_name (webrtc[i], "set-remote-description", desc, NULL);
    gst_webrtc_session_description_free (desc);
    if (offer)
      g_signal_emit_by_name (webrtc[i], "create-answer", NULL,
          gst_promise_new_with_change_func (on_local_description,
              GUINT_TO_POINTER (i), NULL));
  }
done:
  g_free (text);
  g_strfreev (f);
}

/* ---- roles ---- */

static void
add_raw_branch (guint i)
{
  GstElement *tee = gst_bin_get_by_name (GST_BIN (pipeline), "t");
  GstElement *q = gst_element_factory_make ("queue", NULL);
  GstElement *w = new_raw_webrtcbin (i);

  /* a leaky queue per branch keeps a peer that is not connected yet from
   * blocking the tee (webrtcbin blocks its sink pad until negotiated) */
  g_object_set (q, "leaky", 2, "max-size-buffers", 0, "max-size-bytes", 0,
      "max-size-time", (guint64) 500 * GST_MSECOND, NULL);
  g_signal_connect (w, "on-negotiation-needed",
      G_CALLBACK (on_negotiation_needed), GUINT_TO_POINTER (i));
  webrtc[i] = w;
  gst_bin_add_many (GST_BIN (pipeline), q, w, NULL);
  gst_element_sync_state_with_parent (w);
  gst_element_sync_state_with_parent (q);
  gst_element_link (q, w);
  gst_element_link (tee, q);
  gst_object_unref (tee);
}

static void
add_ours_receiver (const gchar * uri, const gchar * name, guint i,
    gboolean distinct)
{
  gchar *suffix = distinct ? g_strdup_printf ("%u", i) : g_strdup ("");
  const gchar *latency = g_getenv ("BENCH_RX_LATENCY");
  gchar *desc = g_strdup_printf ("rtcsignalbin uri=%s "
      "ice-local-addresses=127.0.0.1 decode=false producer-name=%s%s%s%s ! "
      "fakesink name=s", uri, name, suffix, latency ? " latency=" : "",
      latency ? latency : "");
  /* gst_parse links the sometimes src pad when it appears */
  GstElement *bin = gst_parse_bin_from_description (desc, FALSE, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (bin), "s");

  g_object_set (sink, "signal-handoffs", TRUE, "sync", FALSE, "async", FALSE,
      NULL);
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff),
      GUINT_TO_POINTER (i));
  gst_object_unref (sink);
  gst_bin_add (GST_BIN (pipeline), bin);
  gst_element_sync_state_with_parent (bin);
  g_free (desc);
  g_free (suffix);
}

static gpointer
stdin_thread (gpointer data)
{
  gboolean sender = GPOINTER_TO_UINT (data);
  GInputStream *raw = g_unix_input_stream_new (0, FALSE);
  GDataInputStream *in = g_data_input_stream_new (raw);
  gchar *line;

  /* ends at EOF: the driver closes our stdin or kills us */
  while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL))) {
    if (g_str_equal (line, "MARK"))
      mark ();
    else if (g_str_equal (line, "REPORT"))
      report ();
    else if (g_str_has_prefix (line, "SIG "))
      handle_sig (sender, line);
    g_free (line);
  }
  g_object_unref (in);
  g_object_unref (raw);
  exit (0);
  return NULL;
}

int
main (int argc, char **argv)
{
  const gchar *role;
  guint i;
  gboolean sender;
  gint64 deadline, next_stats;
  gint stats_ms;

  gst_init (&argc, &argv);
  if (argc < 3) {
    g_printerr ("usage: %s receive-ours URI NAME N DISTINCT | send-raw N | "
        "receive-raw N\n", argv[0]);
    return 2;
  }
  role = argv[1];
  sender = g_str_equal (role, "send-raw");
  n_peers = MIN (atoi (argv[g_str_equal (role, "receive-ours") ? 4 : 2]),
      MAX_PEERS);

  if (sender)
    pipeline = gst_parse_launch (SOURCE " ! videoconvert ! "
        BENCH_X264 ("2000") " ! tee name=t allow-not-linked=true", NULL);
  else
    pipeline = gst_pipeline_new (NULL);
  g_assert (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_thread_unref (g_thread_new ("stdin", stdin_thread,
          GUINT_TO_POINTER (sender)));

  for (i = 0; i < n_peers; i++) {
    if (sender)
      add_raw_branch (i);
    else if (g_str_equal (role, "receive-ours"))
      add_ours_receiver (argv[2], argv[3], i, atoi (argv[5]));
    g_usleep (ADD_INTERVAL_MS * 1000);
  }

  /* bounded: the driver kills us long before this */
  deadline = g_get_monotonic_time () + G_USEC_PER_SEC * (gint64) 3600;
  stats_ms = g_getenv ("BENCH_RAW_STATS_MS") ?
      atoi (g_getenv ("BENCH_RAW_STATS_MS")) : 0;
  next_stats = g_get_monotonic_time ();
  while (g_get_monotonic_time () < deadline) {
    if (bench_pipeline_failed (pipeline))
      out ("ERROR\n");
    /* experiment: poll get-stats per peer, as RtcPeerSession does */
    if (sender && stats_ms > 0 && g_get_monotonic_time () >= next_stats) {
      for (i = 0; i < n_peers; i++) {
        if (webrtc[i]) {
          GstPromise *promise = gst_promise_new ();

          g_signal_emit_by_name (webrtc[i], "get-stats", NULL, promise);
          gst_promise_unref (promise);
        }
      }
      next_stats += stats_ms * (gint64) 1000;
    }
    g_usleep (stats_ms > 0 ? 20 * 1000 : 200 * 1000);
  }
  return 0;
}
