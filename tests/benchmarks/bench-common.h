/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Shared helpers for the benchmark programs: the signalling server program,
 * statistics, and a plain webrtcbin pair connected in-process (the
 * baseline without our elements). Benchmarks print figures; they never
 * assert timing. Run them inside a loopback-only network namespace.
 */
#ifndef __MESHRTC_BENCH_COMMON_H__
#define __MESHRTC_BENCH_COMMON_H__

#include <stdlib.h>
#include <string.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif
#include <gst/webrtc/webrtc.h>
#include <gio/gio.h>
#include <nice/agent.h>

/* The same x264 settings as gst/rtcpeer/rtctrack.c, so the baselines
 * encode exactly like our elements do. */
#define BENCH_X264(kbps) "x264enc tune=zerolatency speed-preset=ultrafast " \
  "threads=2 bframes=0 key-int-max=300 bitrate=" kbps " ! " \
  "video/x-h264,profile=constrained-baseline ! rtph264pay pt=96 mtu=1200 " \
  "config-interval=-1 aggregate-mode=zero-latency ! " \
  "application/x-rtp,media=video,encoding-name=H264,payload=96," \
  "clock-rate=90000"

/* Parses the command line (@entries and GStreamer's options, @summary
 * for --help) and initialises GStreamer; FALSE on a bad option. */
static inline gboolean
bench_init (int *argc, char ***argv, const GOptionEntry * entries,
    const gchar * summary)
{
  GOptionContext *ctx = g_option_context_new (summary);
  gboolean ok;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  ok = g_option_context_parse (ctx, argc, argv, NULL);
  g_option_context_free (ctx);
  if (ok)
    gst_init (NULL, NULL);
  return ok;
}

/* ---- signalling server program ---- */

typedef struct
{
  GSubprocess *proc;
  guint port;
  gchar *uri;
} BenchServer;

static inline const gchar *
bench_server_path (void)
{
  const gchar *exe = g_getenv ("MESHRTC_SIGNALLING_SERVER");

  return exe ? exe : "tools/gst-meshrtc-signalling-server";
}

/* Starts the server program on 127.0.0.1, any free port, and waits for its
 * "Listening on ws://127.0.0.1:PORT/" line. */
static inline BenchServer *
bench_server_start (void)
{
  GError *err = NULL;
  GDataInputStream *in;
  gchar *line;
  BenchServer *srv = g_new0 (BenchServer, 1);

  srv->proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &err,
      bench_server_path (), "--host", "127.0.0.1", "--port", "0", NULL);
  if (!srv->proc)
    g_error ("cannot start %s: %s (set MESHRTC_SIGNALLING_SERVER)",
        bench_server_path (), err->message);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (srv->proc));
  /* bounded: the server prints the line at once or exits (EOF) */
  while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL))) {
    const gchar *p = strstr (line, "ws://127.0.0.1:");
    if (p) {
      srv->port = atoi (p + strlen ("ws://127.0.0.1:"));
      g_free (line);
      break;
    }
    g_free (line);
  }
  g_object_unref (in);
  if (!srv->port)
    g_error ("signalling server did not start");
  srv->uri = g_strdup_printf ("ws://127.0.0.1:%u", srv->port);
  return srv;
}

static inline void
bench_server_stop (BenchServer * srv)
{
  g_subprocess_force_exit (srv->proc);
  g_subprocess_wait (srv->proc, NULL, NULL);
  g_object_unref (srv->proc);
  g_free (srv->uri);
  g_free (srv);
}

/* ---- statistics ---- */

static inline gint
bench_cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile @p (0..100) of @n values (sorted in place). */
static inline gdouble
bench_percentile (gdouble * v, guint n, gdouble p)
{
  guint rank;

  if (n == 0)
    return -1;
  qsort (v, n, sizeof (gdouble), bench_cmp_double);
  rank = (guint) (p / 100.0 * n + 0.999999);
  rank = CLAMP (rank, 1, n);
  return v[rank - 1];
}

static inline gdouble
bench_median (gdouble * v, guint n)
{
  if (n == 0)
    return -1;
  qsort (v, n, sizeof (gdouble), bench_cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- waiting for a first buffer ---- */

typedef struct
{
  GMutex lock;
  GCond cond;
  gint64 t0_us;
  gint64 first_us;              /* 0 until the first buffer */
  gint64 keyframe_us;           /* 0 until the first keyframe, if watched */
  guint64 buffers;
  guint64 bytes;
} BenchProbe;

static inline void
bench_probe_init (BenchProbe * p)
{
  memset (p, 0, sizeof (*p));
  g_mutex_init (&p->lock);
  g_cond_init (&p->cond);
}

static inline void
bench_probe_clear (BenchProbe * p)
{
  g_mutex_clear (&p->lock);
  g_cond_clear (&p->cond);
}

static inline void
bench_probe_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad,
    BenchProbe * p)
{
  g_mutex_lock (&p->lock);
  if (!p->first_us) {
    p->first_us = g_get_monotonic_time ();
    g_cond_broadcast (&p->cond);
  }
  p->buffers++;
  p->bytes += gst_buffer_get_size (buf);
  g_mutex_unlock (&p->lock);
}

static inline void
bench_probe_attach (GstElement * fakesink, BenchProbe * p)
{
  g_object_set (fakesink, "signal-handoffs", TRUE, "sync", FALSE, NULL);
  g_signal_connect (fakesink, "handoff", G_CALLBACK (bench_probe_handoff), p);
}

static GstPadProbeReturn
bench_probe_keyframe_cb (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  BenchProbe *p = data;

  if (GST_BUFFER_FLAG_IS_SET (GST_PAD_PROBE_INFO_BUFFER (info),
          GST_BUFFER_FLAG_DELTA_UNIT))
    return GST_PAD_PROBE_OK;
  g_mutex_lock (&p->lock);
  if (!p->keyframe_us)
    p->keyframe_us = g_get_monotonic_time ();
  g_mutex_unlock (&p->lock);
  return GST_PAD_PROBE_REMOVE;
}

/* Records in @p when the first keyframe passes @pad (encoded H264). */
static inline void
bench_probe_watch_keyframes (GstPad * pad, BenchProbe * p)
{
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, bench_probe_keyframe_cb,
      p, NULL);
}

/* Prints and returns TRUE if @pipeline posted an ERROR. */
static inline gboolean
bench_pipeline_failed (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  gboolean failed = msg != NULL;

  if (msg) {
    GError *err = NULL;
    gchar *dbg = NULL;

    gst_message_parse_error (msg, &err, &dbg);
    g_printerr ("pipeline error: %s (%s)\n", err->message, dbg);
    g_clear_error (&err);
    g_free (dbg);
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
  return failed;
}

/* Waits until @p saw a buffer, at most @timeout_ms; returns the time from
 * t0 in ms, or -1. @a and @b (may be NULL) are checked for errors. */
static inline gdouble
bench_probe_wait (BenchProbe * p, guint timeout_ms, GstElement * a,
    GstElement * b)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * (gint64) 1000;
  gdouble ret = -1;

  g_mutex_lock (&p->lock);
  while (!p->first_us && g_get_monotonic_time () < end) {
    g_cond_wait_until (&p->cond, &p->lock,
        MIN (end, g_get_monotonic_time () + 50 * 1000));
    if (p->first_us)
      break;
    g_mutex_unlock (&p->lock);
    if ((a && bench_pipeline_failed (a)) || (b && bench_pipeline_failed (b))) {
      g_mutex_lock (&p->lock);
      break;
    }
    g_mutex_lock (&p->lock);
  }
  if (p->first_us)
    ret = (p->first_us - p->t0_us) / 1000.0;
  g_mutex_unlock (&p->lock);
  return ret;
}

/* ---- plain webrtcbin, no element of ours ---- */

/* libnice skips loopback interfaces; restrict it to 127.0.0.1 and turn
 * UPnP off, as gst/rtcpeer/rtcpeersession.c does. */
static inline void
bench_webrtcbin_loopback (GstElement * webrtcbin)
{
  GObject *ice = NULL;
  NiceAgent *agent = NULL;
  NiceAddress na;

  g_object_get (webrtcbin, "ice-agent", &ice, NULL);
  g_object_get (ice, "agent", &agent, NULL);
  g_object_set (agent, "upnp", FALSE, NULL);
  nice_address_init (&na);
  nice_address_set_from_string (&na, "127.0.0.1");
  nice_agent_add_local_address (agent, &na);
  g_object_unref (agent);
  g_object_unref (ice);
}

/* Two webrtcbins exchanging SDP and ICE directly. @tx offers. */
typedef struct
{
  GstElement *tx, *rx;
} BenchLink;

static void
bench_link_on_answer (GstPromise * promise, gpointer user_data)
{
  BenchLink *l = user_data;
  const GstStructure *reply;
  GstWebRTCSessionDescription *answer = NULL;

  /* a failed negotiation is reported, and the sample then times out */
  GError *error = NULL;

  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED) {
    reply = gst_promise_get_reply (promise);
    gst_structure_get (reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
        &answer, NULL);
    if (!answer)
      gst_structure_get (reply, "error", G_TYPE_ERROR, &error, NULL);
  }
  gst_promise_unref (promise);
  if (!answer) {
    g_printerr ("raw webrtcbin: creating the answer failed: %s\n",
        error ? error->message : "no reply");
    g_clear_error (&error);
    return;
  }
  g_signal_emit_by_name (l->rx, "set-local-description", answer, NULL);
  g_signal_emit_by_name (l->tx, "set-remote-description", answer, NULL);
  gst_webrtc_session_description_free (answer);
}

static void
bench_link_on_offer (GstPromise * promise, gpointer user_data)
{
  BenchLink *l = user_data;
  const GstStructure *reply;
  GstWebRTCSessionDescription *offer = NULL;

  /* a failed negotiation is reported, and the sample then times out */
  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED) {
    reply = gst_promise_get_reply (promise);
    gst_structure_get (reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
        &offer, NULL);
  }
  gst_promise_unref (promise);
  if (!offer) {
    g_printerr ("raw webrtcbin: creating the offer failed\n");
    return;
  }
  g_signal_emit_by_name (l->tx, "set-local-description", offer, NULL);
  g_signal_emit_by_name (l->rx, "set-remote-description", offer, NULL);
  g_signal_emit_by_name (l->rx, "create-answer", NULL,
      gst_promise_new_with_change_func (bench_link_on_answer, l, NULL));
  gst_webrtc_session_description_free (offer);
}

static void
bench_link_negotiate (GstElement * tx, BenchLink * l)
{
  g_signal_emit_by_name (tx, "create-offer", NULL,
      gst_promise_new_with_change_func (bench_link_on_offer, l, NULL));
}

static void
bench_link_tx_candidate (GstElement * tx, guint mline, gchar * cand,
    BenchLink * l)
{
  g_signal_emit_by_name (l->rx, "add-ice-candidate", mline, cand);
}

static void
bench_link_rx_candidate (GstElement * rx, guint mline, gchar * cand,
    BenchLink * l)
{
  g_signal_emit_by_name (l->tx, "add-ice-candidate", mline, cand);
}

/* Connects @tx (sending) and @rx (receiving), both fresh webrtcbins not yet
 * above READY. The link lives as long as both webrtcbins. */
static inline BenchLink *
bench_link_new (GstElement * tx, GstElement * rx)
{
  BenchLink *l = g_new0 (BenchLink, 1);

  l->tx = tx;
  l->rx = rx;
  g_object_set (tx, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  g_object_set (rx, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  bench_webrtcbin_loopback (tx);
  bench_webrtcbin_loopback (rx);
  g_signal_connect (tx, "on-negotiation-needed",
      G_CALLBACK (bench_link_negotiate), l);
  g_signal_connect (tx, "on-ice-candidate",
      G_CALLBACK (bench_link_tx_candidate), l);
  g_signal_connect (rx, "on-ice-candidate",
      G_CALLBACK (bench_link_rx_candidate), l);
  g_object_set_data_full (G_OBJECT (rx), "bench-link", l, g_free);
  return l;
}

/* On @rx's pad-added: depayload (and decode if @decode) into @sink, a
 * fakesink already in @rx's parent bin. */
typedef struct
{
  GstElement *sink;
  gboolean decode;
  BenchProbe *keyframes;        /* may be NULL */
} BenchRecv;

static void
bench_recv_pad_added (GstElement * rx, GstPad * pad, BenchRecv * r)
{
  GstElement *chain;
  GstPad *sinkpad;
  GstBin *bin = GST_BIN (GST_ELEMENT_PARENT (rx));

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  chain = gst_parse_bin_from_description (r->decode ?
      "rtph264depay ! h264parse name=parse ! avdec_h264 ! videoconvert" :
      "rtph264depay ! h264parse name=parse", TRUE, NULL);
  if (r->keyframes) {
    GstElement *parse = gst_bin_get_by_name (GST_BIN (chain), "parse");
    GstPad *src = gst_element_get_static_pad (parse, "src");

    bench_probe_watch_keyframes (src, r->keyframes);
    gst_object_unref (src);
    gst_object_unref (parse);
  }
  gst_bin_add (bin, chain);
  gst_element_link (chain, r->sink);
  gst_element_sync_state_with_parent (chain);
  sinkpad = gst_element_get_static_pad (chain, "sink");
  gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
}

static inline void
bench_recv_attach (GstElement * rx, GstElement * sink, gboolean decode,
    BenchProbe * keyframes)
{
  BenchRecv *r = g_new0 (BenchRecv, 1);

  r->sink = sink;
  r->decode = decode;
  r->keyframes = keyframes;
  g_signal_connect_data (rx, "pad-added", G_CALLBACK (bench_recv_pad_added),
      r, (GClosureNotify) g_free, 0);
}

#endif
