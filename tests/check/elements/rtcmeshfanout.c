/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * End-to-end tests of rtcmeshfanout with the real signalling server and
 * real webrtcbin consumers (rtcsignalbin) on loopback, plus a raw protocol
 * client for consumers that misbehave.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "../meshrtc-check.h"
#include "rtcprotocol.h"

#define VIDEO_SRC "videotestsrc is-live=true ! " \
  "video/x-raw,width=320,height=240,framerate=30/1"
#define FANOUT "rtcmeshfanout name=fanout uri=%s ice-local-addresses=127.0.0.1"
#define CONSUMER "rtcsignalbin uri=%s ice-local-addresses=127.0.0.1 " \
  "producer-name=%s ! video/x-raw ! fakesink name=sink"

/* ---- a raw protocol client, for consumers that misbehave ---- */

typedef struct
{
  SoupSession *session;
  SoupWebsocketConnection *ws;
  GQueue messages;              /* RtcMessage* received */
} RawClient;

static void
raw_on_message (SoupWebsocketConnection * ws, gint type, GBytes * bytes,
    RawClient * c)
{
  gsize len;
  const gchar *data = g_bytes_get_data (bytes, &len);
  RtcMessage *msg = rtc_message_parse (data, len, NULL);

  if (msg)
    g_queue_push_tail (&c->messages, msg);
}

static void
raw_on_connected (GObject * src, GAsyncResult * res, RawClient * c)
{
  c->ws = soup_session_websocket_connect_finish (SOUP_SESSION (src), res, NULL);
  if (c->ws)
    g_signal_connect (c->ws, "message", G_CALLBACK (raw_on_message), c);
}

/* Pops the first message of @type, waiting at most @timeout_ms. */
static RtcMessage *
raw_wait (RawClient * c, RtcMessageType type, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * 1000;

  while (g_get_monotonic_time () < end) {
    GList *l;
    for (l = c->messages.head; l; l = l->next) {
      RtcMessage *msg = l->data;
      if (msg->type == type) {
        g_queue_delete_link (&c->messages, l);
        return msg;
      }
    }
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
  }
  return NULL;
}

static void
raw_send (RawClient * c, RtcMessage * msg)
{
  gchar *text = rtc_message_to_json (msg);

  soup_websocket_connection_send_text (c->ws, text);
  g_free (text);
  rtc_message_free (msg);
}

static RawClient *
raw_connect (const gchar * uri)
{
  RawClient *c = g_new0 (RawClient, 1);
  SoupMessage *msg = soup_message_new ("GET", uri);
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  RtcMessage *welcome, *version;

  g_queue_init (&c->messages);
  c->session = soup_session_new ();
  soup_session_websocket_connect_async (c->session, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, (GAsyncReadyCallback) raw_on_connected, c);
  g_object_unref (msg);
  while (!c->ws && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  fail_unless (c->ws != NULL, "raw client could not connect");
  /* v1.1, so session ends carry their reason (endSessionV1_1) */
  version = rtc_message_new (RTC_MESSAGE_SET_PROTOCOL_VERSION);
  version->version = g_strdup (RTC_PROTOCOL_VERSION);
  raw_send (c, version);
  welcome = raw_wait (c, RTC_MESSAGE_WELCOME, 5000);
  fail_unless (welcome != NULL);
  rtc_message_free (welcome);
  return c;
}

/* Asks for a session with the producer named @name; returns the offer. */
static RtcMessage *
raw_start_session (RawClient * c, const gchar * producer_id)
{
  RtcMessage *msg = rtc_message_new (RTC_MESSAGE_START_SESSION);
  RtcMessage *started;

  msg->peer_id = g_strdup (producer_id);
  raw_send (c, msg);
  started = raw_wait (c, RTC_MESSAGE_SESSION_STARTED, 5000);
  fail_unless (started != NULL, "no sessionStarted");
  rtc_message_free (started);
  return raw_wait (c, RTC_MESSAGE_PEER, 10000);
}

static void
raw_free (RawClient * c)
{
  if (c->ws) {
    soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    g_object_unref (c->ws);
  }
  g_queue_clear_full (&c->messages, (GDestroyNotify) rtc_message_free);
  g_object_unref (c->session);
  g_free (c);
}

/* ---- helpers ---- */

static gchar *
fanout_peer_id (TestPipeline * tp)
{
  GstElement *fanout = gst_bin_get_by_name (GST_BIN (tp->pipeline),
      "fanout");
  gchar *id = NULL;
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!id && g_get_monotonic_time () < end) {
    g_object_get (fanout, "peer-id", &id, NULL);
    if (!id)
      g_usleep (20000);
  }
  gst_object_unref (fanout);
  fail_unless (id != NULL, "fanout did not register");
  return id;
}

static GstStructure *
fanout_stats (TestPipeline * tp)
{
  GstElement *fanout = gst_bin_get_by_name (GST_BIN (tp->pipeline),
      "fanout");
  GstStructure *s = NULL;

  g_object_get (fanout, "stats", &s, NULL);
  gst_object_unref (fanout);
  return s;
}

static guint
fanout_peers (TestPipeline * tp)
{
  GstStructure *s = fanout_stats (tp);
  guint n = 0;

  gst_structure_get_uint (s, "peers", &n);
  gst_structure_free (s);
  return n;
}

/* Records the largest gap between buffers on a steady viewer's sink. */
typedef struct
{
  GMutex lock;
  gint64 last_us, max_gap_us;
} GapMeter;

static void
gap_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, GapMeter * m)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&m->lock);
  if (m->last_us)
    m->max_gap_us = MAX (m->max_gap_us, now - m->last_us);
  m->last_us = now;
  g_mutex_unlock (&m->lock);
}

static void
gap_attach (TestPipeline * tp, GapMeter * m)
{
  GstElement *sink = gst_bin_get_by_name (GST_BIN (tp->pipeline), "sink");

  g_mutex_init (&m->lock);
  g_signal_connect (sink, "handoff", G_CALLBACK (gap_handoff), m);
  gst_object_unref (sink);
}

static guint64
rss_kb (void)
{
  gchar *status = NULL;
  const gchar *p;
  guint64 kb = 0;

  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      && (p = strstr (status, "VmRSS:")))
    kb = g_ascii_strtoull (p + 6, NULL, 10);
  g_free (status);
  return kb;
}

static gboolean
wait_peers (TestPipeline * tp, guint n, guint timeout_s)
{
  gint64 end = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  while (fanout_peers (tp) != n) {
    if (g_get_monotonic_time () > end)
      return FALSE;
    g_usleep (20000);
  }
  return TRUE;
}

/* A fanout named @name (with extra @props) behind a real server, and one
 * steady viewer already receiving (its frames optionally timed by @gap).
 * Returns the fanout's peer id. */
static gchar *
start_fanout_with_viewer (const gchar * name, const gchar * props,
    gint min_frames, GapMeter * gap, TestServer ** srv, gchar ** uri,
    TestPipeline ** tx, TestPipeline ** steady)
{
  *srv = test_server_start (0, NULL);
  *uri = test_server_uri (*srv);
  *tx = test_pipeline_new (VIDEO_SRC " ! " FANOUT " peer-name=%s %s", *uri,
      name, props);
  test_pipeline_play (*tx);
  *steady = test_pipeline_new (CONSUMER, *uri, name);
  if (gap)
    gap_attach (*steady, gap);
  test_pipeline_play (*steady);
  fail_unless (test_wait_buffers (*steady, min_frames, 40),
      "steady viewer: no frames");
  return fanout_peer_id (*tx);
}

static void
stop_fanout_with_viewer (TestServer * srv, gchar * uri, TestPipeline * tx,
    TestPipeline * steady)
{
  test_pipeline_check_no_error (tx);
  test_pipeline_free (steady);
  test_pipeline_free (tx);
  test_server_kill (srv);
  g_free (uri);
}

/* ---- tests ---- */

GST_START_TEST (test_fanout_two_gstreamer_consumers_get_60_frames_each)
{
  TestServer *srv;
  TestPipeline *tx, *rx1, *rx2;
  gchar *uri;
  GstStructure *stats;
  guint forced = 0;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  tx = test_pipeline_new (VIDEO_SRC " ! " FANOUT " peer-name=cam", uri);
  test_pipeline_play (tx);
  rx1 = test_pipeline_new (CONSUMER, uri, "cam");
  rx2 = test_pipeline_new (CONSUMER, uri, "cam");
  test_pipeline_play (rx1);
  test_pipeline_play (rx2);
  fail_unless (test_wait_buffers (rx1, 60, 40), "consumer 1: %d frames",
      rx1->buffers);
  fail_unless (test_wait_buffers (rx2, 60, 40), "consumer 2: %d frames",
      rx2->buffers);
  stats = fanout_stats (tx);
  fail_unless (gst_structure_get_uint (stats, "keyframes-forced", &forced));
  fail_unless (forced >= 1, "no keyframe was forced for new peers");
  GST_INFO ("stats: %" GST_PTR_FORMAT, stats);
  /* each peer's transport figures, asked for when read */
  {
    guint i, sessions = 0;

    for (i = 0; i < (guint) gst_structure_n_fields (stats); i++) {
      const GValue *v = gst_structure_get_value (stats,
          gst_structure_nth_field_name (stats, i));
      const GstStructure *peer;
      guint64 bytes = 0;

      if (!GST_VALUE_HOLDS_STRUCTURE (v))
        continue;
      peer = gst_value_get_structure (v);
      fail_unless_equals_string (gst_structure_get_string (peer, "state"),
          "connected");
      fail_unless (gst_structure_get_uint64 (peer, "bytes-sent", &bytes));
      fail_unless (bytes > 0, "session %s: no bytes sent",
          gst_structure_nth_field_name (stats, i));
      sessions++;
    }
    fail_unless_equals_int (sessions, 2);
  }
  gst_structure_free (stats);
  fail_unless_equals_int (fanout_peers (tx), 2);
  test_pipeline_check_no_error (tx);
  test_pipeline_free (rx1);
  /* a clean leave: the viewer's own reason, said to be the viewer's */
  {
    GstStructure *removed = test_wait_element_message (tx,
        "meshrtc-peer-removed", 15);
    const gchar *reason;

    fail_unless (removed != NULL, "no meshrtc-peer-removed");
    reason = gst_structure_get_string (removed, "reason");
    fail_unless (g_str_has_prefix (reason,
            "the remote peer ended the session: "), "reason: %s", reason);
    gst_structure_free (removed);
  }
  test_pipeline_free (rx2);
  fail_unless (wait_peers (tx, 0, 15), "peers were not removed");
  test_pipeline_free (tx);
  test_server_kill (srv);
  g_free (uri);
}

GST_END_TEST;

/* Every video codec of the codec table (gst/rtcpeer/rtccodecs.c) reaches a
 * consumer: on the wire as that codec (decode=false) and decoded. */
GST_START_TEST (test_fanout_every_video_codec_reaches_consumers)
{
  static const gchar *codecs[][2] = {
    {"h264", "video/x-h264"}, {"vp8", "video/x-vp8"}, {"vp9", "video/x-vp9"},
  };
  guint i;

  if (!test_have_webrtc ())
    return;
  for (i = 0; i < G_N_ELEMENTS (codecs); i++) {
    TestServer *srv = test_server_start (0, NULL);
    gchar *uri = test_server_uri (srv);
    TestPipeline *tx, *encoded, *decoded;

    tx = test_pipeline_new (VIDEO_SRC " ! " FANOUT
        " peer-name=c video-codec=%s", uri, codecs[i][0]);
    test_pipeline_play (tx);
    encoded = test_pipeline_new ("rtcsignalbin uri=%s "
        "ice-local-addresses=127.0.0.1 producer-name=c decode=false ! "
        "capsfilter caps=%s ! fakesink name=sink", uri, codecs[i][1]);
    decoded = test_pipeline_new (CONSUMER, uri, "c");
    test_pipeline_play (encoded);
    test_pipeline_play (decoded);
    fail_unless (test_wait_buffers (encoded, 10, 40), "%s: %d encoded frames",
        codecs[i][0], encoded->buffers);
    fail_unless (test_wait_buffers (decoded, 10, 40), "%s: %d decoded frames",
        codecs[i][0], decoded->buffers);
    test_pipeline_check_no_error (tx);
    test_pipeline_free (encoded);
    test_pipeline_free (decoded);
    test_pipeline_free (tx);
    test_server_kill (srv);
    g_free (uri);
  }
}

GST_END_TEST;

GST_START_TEST (test_fanout_new_peer_gets_keyframe_fast)
{
  TestServer *srv;
  TestPipeline *tx, *rx;
  gchar *uri;
  GstStructure *s;
  gint64 t0;
  guint64 setup = 0;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  /* periodic keyframes every 300 frames (10 s): without a request on join
   * the peer would wait seconds */
  tx = test_pipeline_new (VIDEO_SRC " ! " FANOUT " peer-name=kf", uri);
  test_pipeline_play (tx);
  g_usleep (G_USEC_PER_SEC);
  rx = test_pipeline_new (CONSUMER, uri, "kf");
  t0 = g_get_monotonic_time ();
  test_pipeline_play (rx);
  s = test_wait_element_message (tx, "meshrtc-peer-connected", 20);
  fail_unless (s != NULL, "peer never connected");
  gst_structure_get_uint64 (s, "setup-time", &setup);
  gst_structure_free (s);
  fail_unless (test_wait_buffers (rx, 1, 20), "no frame");
  g_print ("join: setup %" G_GUINT64_FORMAT " ms, first decoded frame %"
      G_GINT64_FORMAT " ms after PLAYING\n", setup / GST_MSECOND,
      (g_get_monotonic_time () - t0) / 1000);
  test_pipeline_free (rx);
  test_pipeline_free (tx);
  test_server_kill (srv);
  g_free (uri);
}

GST_END_TEST;

GST_START_TEST (test_fanout_churn_200_cycles_no_stall_bounded_memory)
{
  TestServer *srv;
  TestPipeline *tx, *steady;
  GapMeter gap = { 0, };
  gchar *uri;
  guint i, cycles = 200, connected = 0;
  guint64 rss_start, rss_end;
  gint64 deadline;

  if (!test_have_webrtc ())
    return;
  g_free (start_fanout_with_viewer ("churn", "", 30, &gap, &srv, &uri, &tx,
          &steady));
  /* measure from a running state; the first cycles warm up allocators */
  g_mutex_lock (&gap.lock);
  gap.max_gap_us = 0;
  g_mutex_unlock (&gap.lock);

  rss_start = 0;
  deadline = g_get_monotonic_time () + 400 * G_USEC_PER_SEC;
  for (i = 0; i < cycles && g_get_monotonic_time () < deadline; i++) {
    TestPipeline *rx = test_pipeline_new ("rtcsignalbin uri=%s "
        "ice-local-addresses=127.0.0.1 producer-name=churn ! fakesink", uri);
    GstStructure *s;

    test_pipeline_play (rx);
    /* join: wait until the fanout sees the session connected (bounded);
     * every other cycle leaves right after joining, before connecting */
    if (i % 2 == 0) {
      s = test_wait_element_message (tx, "meshrtc-peer-connected", 10);
      if (s) {
        connected++;
        gst_structure_free (s);
      }
    } else {
      s = test_wait_element_message (tx, "meshrtc-peer-added", 10);
      if (s)
        gst_structure_free (s);
    }
    test_pipeline_free (rx);
    if (i == 20)
      rss_start = rss_kb ();
  }
  fail_unless (wait_peers (tx, 1, 20), "churned peers were not all removed "
      "(%u left)", fanout_peers (tx));
  rss_end = rss_kb ();
  g_print ("churn: %u cycles (%u connected), steady viewer largest "
      "inter-frame gap %" G_GINT64_FORMAT " ms, RSS %" G_GUINT64_FORMAT
      " -> %" G_GUINT64_FORMAT " kB\n", i, connected, gap.max_gap_us / 1000,
      rss_start, rss_end);
  fail_unless_equals_int (i, cycles);
  fail_unless (connected >= cycles / 4, "only %u cycles connected", connected);
  /* a stall, not a speed figure (the soak benchmark measures gaps): a
   * teardown blocking the streaming thread stops the viewer for seconds
   * or for good, while a loaded shared machine (or ASan, with
   * MESHRTC_TIMEOUT_FACTOR) delays frames by up to about a second */
  fail_unless (gap.max_gap_us < 2000 * 1000 * (gint64) test_timeout_factor (),
      "steady viewer stalled for %" G_GINT64_FORMAT " ms",
      gap.max_gap_us / 1000);
  /* the process holds the consumers too; allow 64 MB for allocator
   * high-water marks, far below 200 leaked sessions. Not under ASan
   * (MESHRTC_SANITIZER): its quarantine keeps freed memory, and
   * LeakSanitizer checks the leaks themselves at exit. */
  if (g_getenv ("MESHRTC_SANITIZER"))
    g_print ("churn: RSS bound not checked under the %s sanitizer\n",
        g_getenv ("MESHRTC_SANITIZER"));
  else
    fail_unless (rss_end < rss_start + 64 * 1024,
        "memory grew from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT
        " kB", rss_start, rss_end);
  stop_fanout_with_viewer (srv, uri, tx, steady);
}

GST_END_TEST;

GST_START_TEST (test_fanout_bad_sessions_do_not_affect_other_peers)
{
  TestServer *srv;
  TestPipeline *tx, *steady;
  RawClient *garbage, *silent;
  RtcMessage *offer, *end;
  gchar *uri, *producer;
  gint before;
  GstStructure *s;
  gboolean removed;

  if (!test_have_webrtc ())
    return;
  producer = start_fanout_with_viewer ("bad", "connect-timeout=3000", 30,
      NULL, &srv, &uri, &tx, &steady);

  /* a consumer that answers with garbage SDP gets its session ended */
  garbage = raw_connect (uri);
  offer = raw_start_session (garbage, producer);
  fail_unless (offer != NULL && g_strcmp0 (offer->sdp_type, "offer") == 0,
      "no offer from the fanout");
  raw_send (garbage, rtc_message_new_peer_sdp (offer->session_id, "answer",
          "this is not an SDP answer"));
  end = raw_wait (garbage, RTC_MESSAGE_END_SESSION_V1_1, 10000);
  fail_unless (end != NULL, "garbage SDP did not end the session");
  fail_unless (end->error != NULL, "the session end gave no reason");
  rtc_message_free (end);
  rtc_message_free (offer);

  /* a consumer that never answers is removed after connect-timeout */
  silent = raw_connect (uri);
  offer = raw_start_session (silent, producer);
  fail_unless (offer != NULL);
  before = g_atomic_int_get (&steady->buffers);
  /* the garbage peer's removal may still be queued: wait for this one */
  do {
    s = test_wait_element_message (tx, "meshrtc-peer-removed", 15);
    fail_unless (s != NULL, "the silent peer was not removed");
    removed = g_strcmp0 (gst_structure_get_string (s, "session-id"),
        offer->session_id) == 0;
    gst_structure_free (s);
  } while (!removed);
  rtc_message_free (offer);

  /* meanwhile the steady viewer kept receiving */
  fail_unless (test_wait_buffers (steady, before + 30, 10),
      "steady viewer stalled (%d -> %d)", before, steady->buffers);
  fail_unless_equals_int (fanout_peers (tx), 1);

  raw_free (garbage);
  raw_free (silent);
  g_free (producer);
  stop_fanout_with_viewer (srv, uri, tx, steady);
}

GST_END_TEST;

/* Turns an offer into an answer that rejects every m-line (port 0), as a
 * consumer that supports none of the offered codecs would (RFC 8829
 * section 5.3.1). */
static gchar *
rejecting_answer (const gchar * offer)
{
  GRegex *port = g_regex_new ("^m=(\\w+) \\d+ ", G_REGEX_MULTILINE, 0, NULL);
  gchar *tmp = g_regex_replace (port, offer, -1, 0, "m=\\1 0 ", 0, NULL);
  GRegex *setup = g_regex_new ("a=setup:actpass", 0, 0, NULL);
  gchar *answer = g_regex_replace_literal (setup, tmp, -1, 0,
      "a=setup:active", 0, NULL);

  g_regex_unref (port);
  g_regex_unref (setup);
  g_free (tmp);
  return answer;
}

GST_START_TEST (test_fanout_consumer_without_common_codec_gets_error)
{
  TestServer *srv;
  TestPipeline *tx, *steady;
  RawClient *picky;
  RtcMessage *offer, *end;
  gchar *uri, *producer, *answer;
  gint before;

  if (!test_have_webrtc ())
    return;
  producer = start_fanout_with_viewer ("codec", "", 30, NULL, &srv, &uri, &tx,
      &steady);

  picky = raw_connect (uri);
  offer = raw_start_session (picky, producer);
  fail_unless (offer != NULL && g_strcmp0 (offer->sdp_type, "offer") == 0);
  answer = rejecting_answer (offer->sdp);
  raw_send (picky, rtc_message_new_peer_sdp (offer->session_id, "answer",
          answer));
  end = raw_wait (picky, RTC_MESSAGE_END_SESSION_V1_1, 10000);
  fail_unless (end != NULL, "the session was not ended");
  fail_unless (end->error && strstr (end->error, "codec"),
      "no clear reason: %s", end->error ? end->error : "(null)");
  rtc_message_free (end);
  rtc_message_free (offer);
  g_free (answer);

  before = g_atomic_int_get (&steady->buffers);
  fail_unless (test_wait_buffers (steady, before + 30, 10),
      "steady viewer stalled");
  fail_unless_equals_int (fanout_peers (tx), 1);

  raw_free (picky);
  g_free (producer);
  stop_fanout_with_viewer (srv, uri, tx, steady);
}

GST_END_TEST;

GST_START_TEST (test_fanout_max_peers_refuses_with_error)
{
  TestServer *srv;
  TestPipeline *tx, *rx;
  RawClient *extra;
  RtcMessage *msg, *end;
  gchar *uri, *producer;

  if (!test_have_webrtc ())
    return;
  producer = start_fanout_with_viewer ("max", "max-peers=1", 10, NULL, &srv,
      &uri, &tx, &rx);

  extra = raw_connect (uri);
  msg = rtc_message_new (RTC_MESSAGE_START_SESSION);
  msg->peer_id = g_strdup (producer);
  raw_send (extra, msg);
  end = raw_wait (extra, RTC_MESSAGE_END_SESSION_V1_1, 10000);
  fail_unless (end != NULL, "the extra consumer was not refused");
  fail_unless (end->error && strstr (end->error, "max-peers"),
      "refusal without the reason: %s", end->error ? end->error : "(null)");
  rtc_message_free (end);
  fail_unless_equals_int (fanout_peers (tx), 1);

  raw_free (extra);
  g_free (producer);
  stop_fanout_with_viewer (srv, uri, tx, rx);
}

GST_END_TEST;

GST_START_TEST (test_fanout_embedded_server_serves_viewer_and_consumers)
{
  TestPipeline *tx, *rx;
  gchar *uri, *http;
  guint port = test_free_port (G_SOCKET_TYPE_STREAM);
  SoupSession *session;
  SoupMessage *msg;
  GBytes *body;

  if (!test_have_webrtc ())
    return;
  uri = g_strdup_printf ("ws://127.0.0.1:%u", port);
  tx = test_pipeline_new (VIDEO_SRC " ! " FANOUT " peer-name=emb "
      "run-signalling-server=true", uri);
  test_pipeline_play (tx);

  /* the viewer page is served on the same port */
  http = g_strdup_printf ("http://127.0.0.1:%u/", port);
  session = soup_session_new ();
  msg = soup_message_new ("GET", http);
  body = soup_session_send_and_read (session, msg, NULL, NULL);
  fail_unless (body != NULL);
  fail_unless_equals_int (soup_message_get_status (msg), 200);
  fail_unless (g_strstr_len (g_bytes_get_data (body, NULL),
          g_bytes_get_size (body), "<html") != NULL
      || g_strstr_len (g_bytes_get_data (body, NULL),
          g_bytes_get_size (body), "<!doctype") != NULL);
  g_bytes_unref (body);
  g_object_unref (msg);
  g_object_unref (session);

  rx = test_pipeline_new (CONSUMER, uri, "emb");
  test_pipeline_play (rx);
  fail_unless (test_wait_buffers (rx, 60, 40), "consumer: %d frames",
      rx->buffers);
  test_pipeline_free (rx);
  test_pipeline_free (tx);
  g_free (http);
  g_free (uri);
}

GST_END_TEST;

/* ---- the embedded server's access rules ---- */

typedef struct
{
  SoupWebsocketConnection *ws;
  guint status;
  gboolean done;
} WsAttempt;

static gboolean
accept_any_certificate (SoupMessage * msg, GTlsCertificate * certificate,
    GTlsCertificateFlags errors, gpointer user_data)
{
  return TRUE;
}

static void
ws_attempt_done (GObject * src, GAsyncResult * res, gpointer data)
{
  WsAttempt *a = data;

  a->ws = soup_session_websocket_connect_finish (SOUP_SESSION (src), res, NULL);
  a->status = soup_message_get_status (soup_session_get_async_result_message
      (SOUP_SESSION (src), res));
  a->done = TRUE;
}

/* Opens a WebSocket to @uri (a self-signed certificate is accepted) with
 * an optional bearer token and Origin; returns the HTTP status (101 when
 * open) and the connection in @ws, if wanted. */
static guint
ws_try (const gchar * uri, const gchar * bearer, const gchar * origin,
    SoupWebsocketConnection ** ws)
{
  SoupSession *session = soup_session_new ();
  SoupMessage *msg = soup_message_new ("GET", uri);
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  WsAttempt a = { NULL, };

  fail_unless (msg != NULL, "bad URI %s", uri);
  g_signal_connect (msg, "accept-certificate",
      G_CALLBACK (accept_any_certificate), NULL);
  if (bearer) {
    gchar *value = g_strdup_printf ("Bearer %s", bearer);

    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "Authorization", value);
    g_free (value);
  }
  soup_session_websocket_connect_async (session, msg, origin, NULL,
      G_PRIORITY_DEFAULT, NULL, ws_attempt_done, &a);
  while (!a.done && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  fail_unless (a.done, "%s: no answer", uri);
  if (a.ws && ws)
    *ws = g_object_ref (a.ws);
  else if (a.ws)
    soup_websocket_connection_close (a.ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&a.ws);
  g_object_unref (msg);
  g_object_unref (session);
  return a.status;
}

/* The welcome message on @ws, bounded. */
static gboolean
ws_got_welcome (SoupWebsocketConnection * ws)
{
  RawClient c = { NULL, ws, };
  RtcMessage *welcome;

  g_queue_init (&c.messages);
  g_signal_connect (ws, "message", G_CALLBACK (raw_on_message), &c);
  welcome = raw_wait (&c, RTC_MESSAGE_WELCOME, 5000);
  g_signal_handlers_disconnect_by_data (ws, &c);
  g_queue_clear_full (&c.messages, (GDestroyNotify) rtc_message_free);
  if (welcome)
    rtc_message_free (welcome);
  return welcome != NULL;
}

GST_START_TEST (test_fanout_embedded_server_checks_token_and_origin)
{
  TestPipeline *tx;
  guint port = test_free_port (G_SOCKET_TYPE_STREAM);
  gchar *uri = g_strdup_printf ("ws://127.0.0.1:%u", port);
  gchar *with_token = g_strdup_printf ("%s/?token=s3cret", uri);
  gchar *with_wrong = g_strdup_printf ("%s/?token=wrong", uri);
  gchar *same_origin = g_strdup_printf ("http://127.0.0.1:%u", port);
  SoupWebsocketConnection *ws = NULL;
  gchar *producer;

  if (!test_have_webrtc ())
    return;
  tx = test_pipeline_new (VIDEO_SRC " ! " FANOUT " peer-name=tok "
      "run-signalling-server=true auth-token=s3cret "
      "allowed-origins=\"https://a.example, https://b.example\"", uri);
  test_pipeline_play (tx);
  /* the element's own signaller presents the token and registers */
  producer = fanout_peer_id (tx);

  fail_unless_equals_int (ws_try (uri, NULL, NULL, NULL),
      SOUP_STATUS_UNAUTHORIZED);
  fail_unless_equals_int (ws_try (uri, "wrong", NULL, NULL),
      SOUP_STATUS_UNAUTHORIZED);
  fail_unless_equals_int (ws_try (with_wrong, NULL, NULL, NULL),
      SOUP_STATUS_UNAUTHORIZED);
  fail_unless_equals_int (ws_try (uri, "s3cret", NULL, &ws),
      SOUP_STATUS_SWITCHING_PROTOCOLS);
  fail_unless (ws_got_welcome (ws));
  g_clear_object (&ws);
  /* browsers: the token in the query, the page on the list */
  fail_unless_equals_int (ws_try (with_token, NULL, "https://b.example",
          NULL), SOUP_STATUS_SWITCHING_PROTOCOLS);
  fail_unless_equals_int (ws_try (with_token, NULL, "https://evil.example",
          NULL), SOUP_STATUS_FORBIDDEN);
  /* a list replaces the same-origin rule */
  fail_unless_equals_int (ws_try (with_token, NULL, same_origin, NULL),
      SOUP_STATUS_FORBIDDEN);

  /* and a right token gets the stream's producer */
  {
    RawClient *c = raw_connect (with_token);
    RtcMessage *offer = raw_start_session (c, producer);

    fail_unless (offer != NULL && g_strcmp0 (offer->sdp_type, "offer") == 0,
        "no offer through the embedded server");
    rtc_message_free (offer);
    raw_free (c);
  }
  test_pipeline_check_no_error (tx);
  test_pipeline_free (tx);
  g_free (producer);
  g_free (same_origin);
  g_free (with_wrong);
  g_free (with_token);
  g_free (uri);
}

GST_END_TEST;

GST_START_TEST (test_fanout_embedded_server_default_origin_is_its_own)
{
  GstElement *fanout = gst_element_factory_make ("rtcmeshfanout", NULL);
  guint port = test_free_port (G_SOCKET_TYPE_STREAM);
  gchar *uri = g_strdup_printf ("ws://127.0.0.1:%u", port);
  gchar *same_origin = g_strdup_printf ("http://127.0.0.1:%u", port);

  fail_unless (fanout != NULL);
  g_object_set (fanout, "uri", uri, "run-signalling-server", TRUE, NULL);
  fail_unless_equals_int (gst_element_set_state (fanout, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (ws_try (uri, NULL, same_origin, NULL),
      SOUP_STATUS_SWITCHING_PROTOCOLS);
  fail_unless_equals_int (ws_try (uri, NULL, "https://evil.example", NULL),
      SOUP_STATUS_FORBIDDEN);
  fail_unless_equals_int (ws_try (uri, NULL, NULL, NULL),
      SOUP_STATUS_SWITCHING_PROTOCOLS);
  gst_element_set_state (fanout, GST_STATE_NULL);
  gst_object_unref (fanout);
  g_free (same_origin);
  g_free (uri);
}

GST_END_TEST;

/* A self-signed certificate for 127.0.0.1 in @dir: cert.pem, key.pem and
 * both.pem; FALSE (with a printed reason) without openssl. */
static gboolean
make_test_certificate (const gchar * dir)
{
  gchar *openssl = g_find_program_in_path ("openssl");
  gchar *cert = g_build_filename (dir, "cert.pem", NULL);
  gchar *key = g_build_filename (dir, "key.pem", NULL);
  gchar *both = g_build_filename (dir, "both.pem", NULL);
  gchar *cert_text = NULL, *key_text = NULL, *both_text;
  gint status = -1;

  if (!openssl) {
    g_print ("SKIP: openssl not found, no test certificate\n");
    g_free (cert);
    g_free (key);
    g_free (both);
    return FALSE;
  }
  {
    const gchar *argv[] = { openssl, "req", "-x509", "-newkey", "rsa:2048",
      "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1", "-keyout", key,
      "-out", cert, NULL
    };
    fail_unless (g_spawn_sync (NULL, (gchar **) argv, NULL,
            G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
            NULL, NULL, NULL, &status, NULL));
    fail_unless (g_spawn_check_wait_status (status, NULL));
  }
  fail_unless (g_file_get_contents (cert, &cert_text, NULL, NULL));
  fail_unless (g_file_get_contents (key, &key_text, NULL, NULL));
  both_text = g_strconcat (cert_text, key_text, NULL);
  fail_unless (g_file_set_contents (both, both_text, -1, NULL));
  g_free (both_text);
  g_free (cert_text);
  g_free (key_text);
  g_free (openssl);
  g_free (cert);
  g_free (key);
  g_free (both);
  return TRUE;
}

static void
remove_test_certificate (const gchar * dir)
{
  const gchar *names[] = { "cert.pem", "key.pem", "both.pem" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    gchar *path = g_build_filename (dir, names[i], NULL);

    g_unlink (path);
    g_free (path);
  }
  g_rmdir (dir);
}

/* wss:// with a certificate serves WebSocket clients and the viewer page
 * over TLS, with the key in its own file or in the certificate's. The
 * client signaller (rtcsignalbin) trusts only the system's CAs, so the
 * clients here are libsoup ones that accept the self-signed certificate. */
GST_START_TEST (test_fanout_embedded_server_speaks_wss_with_a_certificate)
{
  gchar *dir = g_dir_make_tmp ("meshrtc-fanout-tls-XXXXXX", NULL);
  gchar *cert = g_build_filename (dir, "cert.pem", NULL);
  gchar *key = g_build_filename (dir, "key.pem", NULL);
  gchar *both = g_build_filename (dir, "both.pem", NULL);
  guint port = test_free_port (G_SOCKET_TYPE_STREAM);
  gchar *uri = g_strdup_printf ("wss://127.0.0.1:%u", port);
  gchar *plain = g_strdup_printf ("ws://127.0.0.1:%u", port);
  gchar *https = g_strdup_printf ("https://127.0.0.1:%u/", port);
  GstElement *fanout = gst_element_factory_make ("rtcmeshfanout", NULL);
  SoupWebsocketConnection *ws = NULL;
  guint round;

  fail_unless (fanout != NULL);
  if (!make_test_certificate (dir))
    goto out;

  for (round = 0; round < 2; round++) {
    /* round 0: two files; round 1: one file with both */
    g_object_set (fanout, "uri", uri, "run-signalling-server", TRUE,
        "auth-token", "t0k", "tls-certificate-file", round ? both : cert,
        "tls-key-file", round ? NULL : key, NULL);
    fail_unless_equals_int (gst_element_set_state (fanout, GST_STATE_READY),
        GST_STATE_CHANGE_SUCCESS);

    fail_unless_equals_int (ws_try (uri, "t0k", NULL, &ws),
        SOUP_STATUS_SWITCHING_PROTOCOLS);
    fail_unless (ws_got_welcome (ws), "no welcome over wss");
    g_clear_object (&ws);
    fail_unless_equals_int (ws_try (uri, NULL, NULL, NULL),
        SOUP_STATUS_UNAUTHORIZED);
    /* no plain WebSocket on a TLS port */
    fail_if (ws_try (plain, "t0k", NULL, NULL) ==
        SOUP_STATUS_SWITCHING_PROTOCOLS);
    {
      SoupSession *session = soup_session_new ();
      SoupMessage *msg = soup_message_new ("GET", https);
      GBytes *body;

      g_signal_connect (msg, "accept-certificate",
          G_CALLBACK (accept_any_certificate), NULL);
      /* the server runs on the element's thread: a blocking call is fine */
      body = soup_session_send_and_read (session, msg, NULL, NULL);
      fail_unless (body != NULL);
      fail_unless_equals_int (soup_message_get_status (msg), 200);
      g_bytes_unref (body);
      g_object_unref (msg);
      g_object_unref (session);
    }
    fail_unless_equals_int (gst_element_set_state (fanout, GST_STATE_NULL),
        GST_STATE_CHANGE_SUCCESS);
  }
  remove_test_certificate (dir);

out:
  gst_object_unref (fanout);
  g_free (https);
  g_free (plain);
  g_free (uri);
  g_free (both);
  g_free (key);
  g_free (cert);
  g_free (dir);
}

GST_END_TEST;

/* Pops the ERROR posted on @bus, if any. */
static GError *
pop_error (GstBus * bus, gchar ** debug)
{
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  GError *error = NULL;

  if (msg) {
    gst_message_parse_error (msg, &error, debug);
    gst_message_unref (msg);
  }
  return error;
}

GST_START_TEST (test_fanout_wss_without_certificate_fails_ready)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *fanout = gst_element_factory_make ("rtcmeshfanout", NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  guint port = test_free_port (G_SOCKET_TYPE_STREAM);
  gchar *uri = g_strdup_printf ("wss://127.0.0.1:%u", port);
  gchar *debug = NULL;
  GError *error;

  gst_bin_add (GST_BIN (pipeline), fanout);
  g_object_set (fanout, "uri", uri, "run-signalling-server", TRUE, NULL);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_FAILURE);
  error = pop_error (bus, &debug);
  fail_unless (error != NULL, "no error message");
  fail_unless (g_error_matches (error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS), "%s", error->message);
  fail_unless (strstr (error->message, "TLS certificate") != NULL, "%s",
      error->message);
  fail_unless (debug && strstr (debug, "tls-certificate-file"), "%s",
      GST_STR_NULL (debug));
  g_clear_error (&error);
  g_free (debug);
  debug = NULL;

  /* a file that is not a certificate: the same, with the reason */
  g_object_set (fanout, "tls-certificate-file", "/nonexistent/cert.pem", NULL);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_FAILURE);
  error = pop_error (bus, &debug);
  fail_unless (error != NULL && g_error_matches (error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS));
  fail_unless (debug && strstr (debug, "/nonexistent/cert.pem"), "%s",
      GST_STR_NULL (debug));
  g_clear_error (&error);
  g_free (debug);

  /* the port was never taken: a ws:// server can have it */
  g_free (uri);
  uri = g_strdup_printf ("ws://127.0.0.1:%u", port);
  g_object_set (fanout, "uri", uri, NULL);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  g_free (uri);
}

GST_END_TEST;

static Suite *
rtcmeshfanout_suite (void)
{
  Suite *s = suite_create ("rtcmeshfanout");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 500);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_fanout_two_gstreamer_consumers_get_60_frames_each);
  tcase_add_test (tc, test_fanout_new_peer_gets_keyframe_fast);
  tcase_add_test (tc, test_fanout_every_video_codec_reaches_consumers);
  tcase_add_test (tc, test_fanout_embedded_server_serves_viewer_and_consumers);
  tcase_add_test (tc, test_fanout_embedded_server_checks_token_and_origin);
  tcase_add_test (tc, test_fanout_embedded_server_default_origin_is_its_own);
  tcase_add_test (tc,
      test_fanout_embedded_server_speaks_wss_with_a_certificate);
  tcase_add_test (tc, test_fanout_wss_without_certificate_fails_ready);
  tcase_add_test (tc, test_fanout_max_peers_refuses_with_error);
  tcase_add_test (tc, test_fanout_bad_sessions_do_not_affect_other_peers);
  tcase_add_test (tc, test_fanout_consumer_without_common_codec_gets_error);
  tcase_add_test (tc, test_fanout_churn_200_cycles_no_stall_bounded_memory);
  return s;
}

GST_CHECK_MAIN (rtcmeshfanout);
