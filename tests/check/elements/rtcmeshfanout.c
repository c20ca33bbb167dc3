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
  c->ws = soup_session_websocket_connect_finish (SOUP_SESSION (src), res,
      NULL);
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
    soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL,
        NULL);
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
  gst_structure_free (stats);
  fail_unless_equals_int (fanout_peers (tx), 2);
  test_pipeline_check_no_error (tx);
  test_pipeline_free (rx1);
  test_pipeline_free (rx2);
  fail_unless (wait_peers (tx, 0, 15), "peers were not removed");
  test_pipeline_free (tx);
  test_server_kill (srv);
  g_free (uri);
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
  fail_unless (connected >= cycles / 4, "only %u cycles connected",
      connected);
  fail_unless (gap.max_gap_us < 500 * 1000,
      "steady viewer stalled for %" G_GINT64_FORMAT " ms",
      gap.max_gap_us / 1000);
  /* the process holds the consumers too; allow 64 MB for allocator
   * high-water marks, far below 200 leaked sessions */
  fail_unless (rss_end < rss_start + 64 * 1024,
      "memory grew from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT " kB",
      rss_start, rss_end);
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

static guint
free_port (void)
{
  GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0), *bound;
  guint port;

  fail_unless (g_socket_bind (sock, addr, TRUE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  g_object_unref (addr);
  g_object_unref (lo);
  g_socket_close (sock, NULL);
  g_object_unref (sock);
  return port;
}

GST_START_TEST (test_fanout_embedded_server_serves_viewer_and_consumers)
{
  TestPipeline *tx, *rx;
  gchar *uri, *http;
  guint port = free_port ();
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

static Suite *
rtcmeshfanout_suite (void)
{
  Suite *s = suite_create ("rtcmeshfanout");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 500);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_fanout_two_gstreamer_consumers_get_60_frames_each);
  tcase_add_test (tc, test_fanout_new_peer_gets_keyframe_fast);
  tcase_add_test (tc, test_fanout_embedded_server_serves_viewer_and_consumers);
  tcase_add_test (tc, test_fanout_max_peers_refuses_with_error);
  tcase_add_test (tc, test_fanout_bad_sessions_do_not_affect_other_peers);
  tcase_add_test (tc, test_fanout_consumer_without_common_codec_gets_error);
  tcase_add_test (tc, test_fanout_churn_200_cycles_no_stall_bounded_memory);
  return s;
}

GST_CHECK_MAIN (rtcmeshfanout);
