/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * End-to-end tests of rtcsignalbin: real signalling server program, real
 * webrtcbin peers on loopback (run inside a loopback-only namespace).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "../meshrtc-check.h"

#define VIDEO_SRC "videotestsrc is-live=true ! " \
  "video/x-raw,width=320,height=240,framerate=30/1"
#define AUDIO_SRC "audiotestsrc is-live=true wave=ticks"
#define BIN "rtcsignalbin uri=%s ice-local-addresses=127.0.0.1"

/* @src sends into a room, a second pipeline receives @caps from it. */
static void
run_room_pair (const gchar * src, const gchar * room, const gchar * caps)
{
  TestServer *srv;
  TestPipeline *tx, *rx;
  gchar *uri;

  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  tx = test_pipeline_new ("%s ! " BIN " room=%s", src, uri, room);
  rx = test_pipeline_new (BIN " room=%s ! %s ! fakesink name=sink", uri, room,
      caps);
  test_pipeline_play (tx);
  test_pipeline_play (rx);
  fail_unless (test_wait_buffers (rx, 60, 40),
      "receiver got only %d decoded %s buffers", rx->buffers, caps);
  test_pipeline_check_no_error (tx);
  test_pipeline_check_no_error (rx);
  test_pipeline_free (rx);
  test_pipeline_free (tx);
  test_server_kill (srv);
  g_free (uri);
}

GST_START_TEST (test_room_video_receiver_gets_60_decoded_frames)
{
  if (test_have_webrtc ())
    run_room_pair (VIDEO_SRC, "r1", "video/x-raw");
}

GST_END_TEST;

GST_START_TEST (test_room_audio_receiver_gets_decoded_audio)
{
  if (test_have_webrtc ())
    run_room_pair (AUDIO_SRC, "a1", "audio/x-raw");
}

GST_END_TEST;

GST_START_TEST (test_room_both_directions_at_once)
{
  TestServer *srv;
  TestPipeline *a, *b;
  gchar *uri;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  a = test_pipeline_new (VIDEO_SRC " ! b.video_0 " BIN " name=b room=d1 "
      "b. ! video/x-raw ! fakesink name=sink", uri);
  b = test_pipeline_new (VIDEO_SRC ",pattern=ball ! b.video_0 " BIN
      " name=b room=d1 b. ! video/x-raw ! fakesink name=sink", uri);
  test_pipeline_play (a);
  test_pipeline_play (b);
  fail_unless (test_wait_buffers (a, 60, 40),
      "first peer got only %d frames", a->buffers);
  fail_unless (test_wait_buffers (b, 60, 40),
      "second peer got only %d frames", b->buffers);
  test_pipeline_check_no_error (a);
  test_pipeline_check_no_error (b);
  test_pipeline_free (a);
  test_pipeline_free (b);
  test_server_kill (srv);
  g_free (uri);
}

GST_END_TEST;

static guint
count_messages (TestPipeline * tp, const gchar * name)
{
  GstBus *bus = gst_element_get_bus (tp->pipeline);
  GstMessage *msg;
  guint n = 0;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    if (gst_message_has_name (msg, name))
      n++;
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
  return n;
}

/* Waits up to @timeout_s for @name on @tp's bus, keeping count. */
static gboolean
wait_message (TestPipeline * tp, const gchar * name, guint timeout_s)
{
  GstStructure *s = test_wait_element_message (tp, name, timeout_s);

  if (!s)
    return FALSE;
  gst_structure_free (s);
  return TRUE;
}

GST_START_TEST (test_server_restart_keeps_media_and_reregisters)
{
  TestServer *srv;
  TestPipeline *tx, *rx, *rx2;
  gchar *uri;
  guint port;
  gint before;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  port = srv->port;
  uri = test_server_uri (srv);
  tx = test_pipeline_new (VIDEO_SRC " ! " BIN " peer-name=cam", uri);
  rx = test_pipeline_new (BIN " producer-name=cam ! fakesink name=sink", uri);
  test_pipeline_play (tx);
  test_pipeline_play (rx);
  fail_unless (test_wait_buffers (rx, 30, 40), "no frames before restart");
  /* drain the first registration messages */
  count_messages (tx, "meshrtc-signalling-connected");
  count_messages (rx, "meshrtc-signalling-connected");

  /* the server goes away: established media keeps flowing */
  test_server_kill (srv);
  fail_unless (wait_message (rx, "meshrtc-signalling-lost", 10),
      "receiver did not notice the server going away");
  before = g_atomic_int_get (&rx->buffers);
  fail_unless (test_wait_buffers (rx, before + 45, 10),
      "media stopped while the server was away (%d -> %d)", before,
      rx->buffers);

  /* back on the same port: both bins register again */
  srv = test_server_start (port, NULL);
  fail_unless (wait_message (tx, "meshrtc-signalling-connected", 20),
      "producer did not re-register");
  fail_unless (wait_message (rx, "meshrtc-signalling-connected", 20),
      "consumer did not re-register");

  /* and a new session works through the new server */
  test_pipeline_free (rx);
  rx2 = test_pipeline_new (BIN " producer-name=cam ! fakesink name=sink", uri);
  test_pipeline_play (rx2);
  fail_unless (test_wait_buffers (rx2, 30, 40),
      "new session after restart got only %d frames", rx2->buffers);
  test_pipeline_check_no_error (tx);

  test_pipeline_free (rx2);
  test_pipeline_free (tx);
  test_server_kill (srv);
  g_free (uri);
}

GST_END_TEST;

static gchar *
get_peer_id (TestPipeline * tp, const gchar * name)
{
  GstElement *bin = gst_bin_get_by_name (GST_BIN (tp->pipeline), name);
  gchar *id = NULL;

  g_object_get (bin, "peer-id", &id, NULL);
  gst_object_unref (bin);
  return id;
}

/* Media between peers never depends on the server: a graceful stop
 * (SIGTERM: the server closes every connection with 1001) ends no session,
 * and when the server comes back both peers get their ids back and keep
 * the session they have (no new session, no gap). */
GST_START_TEST (test_room_media_survives_server_sigterm_and_restart)
{
  TestServer *srv;
  TestPipeline *a, *b;
  gchar *uri, *id_a, *id_b, *id_a2, *id_b2;
  guint port;
  gint before;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  port = srv->port;
  uri = test_server_uri (srv);
  a = test_pipeline_new (VIDEO_SRC " ! " BIN " name=bin room=r ! fakesink "
      "name=sink", uri);
  b = test_pipeline_new (VIDEO_SRC " ! " BIN " name=bin room=r ! fakesink "
      "name=sink", uri);
  test_pipeline_play (a);
  test_pipeline_play (b);
  fail_unless (test_wait_buffers (a, 30, 40), "no frames at a");
  fail_unless (test_wait_buffers (b, 30, 40), "no frames at b");
  id_a = get_peer_id (a, "bin");
  id_b = get_peer_id (b, "bin");
  count_messages (a, "meshrtc-signalling-connected");
  count_messages (b, "meshrtc-signalling-connected");

  test_server_terminate (srv);
  fail_unless (wait_message (a, "meshrtc-signalling-lost", 10));
  before = g_atomic_int_get (&a->buffers);
  /* 3 s at 30 fps: at least half of it must arrive */
  fail_unless (test_wait_buffers (a, before + 45, 3),
      "media stopped after a graceful server stop (%d -> %d in 3 s)", before,
      g_atomic_int_get (&a->buffers));
  fail_unless_equals_int (count_messages (a, "meshrtc-peer-removed"), 0);
  fail_unless_equals_int (count_messages (b, "meshrtc-peer-removed"), 0);

  srv = test_server_start (port, NULL);
  fail_unless (wait_message (a, "meshrtc-signalling-connected", 20));
  fail_unless (wait_message (b, "meshrtc-signalling-connected", 20));
  id_a2 = get_peer_id (a, "bin");
  id_b2 = get_peer_id (b, "bin");
  fail_unless_equals_string (id_a2, id_a);
  fail_unless_equals_string (id_b2, id_b);
  before = g_atomic_int_get (&b->buffers);
  fail_unless (test_wait_buffers (b, before + 45, 3),
      "media stopped after the server came back");
  fail_unless_equals_int (count_messages (a, "meshrtc-peer-removed"), 0);
  fail_unless_equals_int (count_messages (b, "meshrtc-peer-added"), 0);
  test_pipeline_check_no_error (a);
  test_pipeline_check_no_error (b);

  test_pipeline_free (a);
  test_pipeline_free (b);
  test_server_kill (srv);
  g_free (id_a);
  g_free (id_b);
  g_free (id_a2);
  g_free (id_b2);
  g_free (uri);
}

GST_END_TEST;

GST_START_TEST (test_consumer_reconnects_after_producer_restarts)
{
  TestServer *srv;
  TestPipeline *tx, *rx;
  gchar *uri;
  gint before;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  tx = test_pipeline_new (VIDEO_SRC " ! " BIN " peer-name=cam2", uri);
  rx = test_pipeline_new (BIN " producer-name=cam2 ! fakesink name=sink", uri);
  test_pipeline_play (tx);
  test_pipeline_play (rx);
  fail_unless (test_wait_buffers (rx, 30, 40), "no frames at first");

  /* the remote peer goes away: the session is torn down cleanly */
  test_pipeline_free (tx);
  fail_unless (wait_message (rx, "meshrtc-peer-removed", 15),
      "consumer did not notice the producer leaving");
  /* and the next session is accepted on the same src pad */
  tx = test_pipeline_new (VIDEO_SRC " ! " BIN " peer-name=cam2", uri);
  test_pipeline_play (tx);
  before = g_atomic_int_get (&rx->buffers);
  fail_unless (test_wait_buffers (rx, before + 30, 40),
      "no frames from the second session");
  test_pipeline_check_no_error (rx);
  test_pipeline_free (rx);
  test_pipeline_free (tx);
  test_server_kill (srv);
  g_free (uri);
}

GST_END_TEST;

GST_START_TEST (test_invalid_uri_fails_state_change_with_error)
{
  GstElement *bin = gst_element_factory_make ("rtcsignalbin", NULL);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  GError *err = NULL;

  fail_unless (bin != NULL);
  gst_element_set_bus (bin, bus);
  g_object_set (bin, "uri", "http://127.0.0.1:1/", NULL);
  fail_unless_equals_int (gst_element_set_state (bin, GST_STATE_READY),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error message");
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS));
  g_error_free (err);
  gst_message_unref (msg);
  gst_element_set_state (bin, GST_STATE_NULL);
  gst_element_set_bus (bin, NULL);
  gst_object_unref (bus);
  gst_object_unref (bin);
}

GST_END_TEST;

/* A producer that stops leaves the server cleanly (its endSession goes
 * out with its reason before it is gone): the consumer learns at once and
 * why, not after the server's reconnect grace for abrupt drops (10 s). */
GST_START_TEST (test_stopped_producer_leaves_at_once)
{
  TestServer *srv;
  TestPipeline *producer, *consumer;
  GstStructure *removed;
  gchar *uri;
  gint64 start;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  producer = test_pipeline_new (VIDEO_SRC " ! " BIN " peer-name=p", uri);
  consumer = test_pipeline_new (BIN " producer-name=p ! video/x-raw ! "
      "fakesink name=sink", uri);
  test_pipeline_play (producer);
  test_pipeline_play (consumer);
  fail_unless (test_wait_buffers (consumer, 30, 40),
      "consumer got only %d frames", consumer->buffers);
  start = g_get_monotonic_time ();
  test_pipeline_free (producer);
  removed = test_wait_element_message (consumer, "meshrtc-peer-removed", 8);
  fail_unless (removed != NULL, "the consumer did not learn that the "
      "producer left");
  GST_INFO ("learnt in %" G_GINT64_FORMAT " ms, reason %s",
      (g_get_monotonic_time () - start) / 1000,
      gst_structure_get_string (removed, "reason"));
  fail_unless (strstr (gst_structure_get_string (removed, "reason"),
          "shutting down") != NULL, "reason: %s",
      gst_structure_get_string (removed, "reason"));
  gst_structure_free (removed);
  test_pipeline_free (consumer);
  test_server_kill (srv);
  g_free (uri);
}

GST_END_TEST;

GST_START_TEST (test_unreachable_server_is_a_warning_not_an_error)
{
  TestPipeline *tp;
  GstBus *bus;
  GstMessage *msg;
  GstState state;

  if (!test_have_webrtc ())
    return;
  /* port 9 (discard) on loopback: nothing listens there */
  tp = test_pipeline_new (VIDEO_SRC " ! rtcsignalbin uri=ws://127.0.0.1:9");
  test_pipeline_play (tp);
  bus = gst_element_get_bus (tp->pipeline);
  msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
      GST_MESSAGE_WARNING | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no warning posted");
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_WARNING);
  gst_message_unref (msg);
  /* still retrying, still playing, no error */
  g_usleep (500 * 1000);
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) == NULL);
  gst_element_get_state (tp->pipeline, &state, NULL, 5 * GST_SECOND);
  fail_unless_equals_int (state, GST_STATE_PLAYING);
  gst_object_unref (bus);
  test_pipeline_free (tp);
}

GST_END_TEST;

static Suite *
rtcsignalbin_suite (void)
{
  Suite *s = suite_create ("rtcsignalbin");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_invalid_uri_fails_state_change_with_error);
  tcase_add_test (tc, test_unreachable_server_is_a_warning_not_an_error);
  tcase_add_test (tc, test_room_video_receiver_gets_60_decoded_frames);
  tcase_add_test (tc, test_room_audio_receiver_gets_decoded_audio);
  tcase_add_test (tc, test_room_both_directions_at_once);
  tcase_add_test (tc, test_server_restart_keeps_media_and_reregisters);
  tcase_add_test (tc, test_stopped_producer_leaves_at_once);
  tcase_add_test (tc, test_room_media_survives_server_sigterm_and_restart);
  tcase_add_test (tc, test_consumer_reconnects_after_producer_restarts);
  return s;
}

GST_CHECK_MAIN (rtcsignalbin);
