/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Data channels through the elements: rtcmeshfanout opens one with each
 * viewer (data-channel=), messages go out with "send-data" and come in
 * with "data-received", both ways, through the real signalling server and
 * real webrtcbin peers on loopback.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include "../meshrtc-check.h"

#define VIDEO_SRC "videotestsrc is-live=true ! " \
  "video/x-raw,width=320,height=240,framerate=30/1"
#define ICE "ice-local-addresses=127.0.0.1"

typedef struct
{
  GMutex lock;
  GPtrArray *messages;          /* of gchar *, "peer-id|label|text" */
} Received;

static void
on_data_received (GstElement * element, const gchar * peer_id,
    const gchar * label, GBytes * message, Received * r)
{
  gsize size;
  const gchar *data = g_bytes_get_data (message, &size);

  g_mutex_lock (&r->lock);
  g_ptr_array_add (r->messages, g_strdup_printf ("%s|%s|%.*s", peer_id,
          label, (int) size, data));
  g_mutex_unlock (&r->lock);
}

static guint
received_count (Received * r)
{
  guint n;

  g_mutex_lock (&r->lock);
  n = r->messages->len;
  g_mutex_unlock (&r->lock);
  return n;
}

static gboolean
wait_received (Received * r, guint n, guint timeout_s)
{
  gint64 end = test_deadline (timeout_s);

  while (received_count (r) < n && g_get_monotonic_time () < end)
    g_usleep (20 * 1000);
  return received_count (r) >= n;
}

static gboolean
send_text (GstElement * element, const gchar * peer_id, const gchar * text)
{
  GBytes *b = g_bytes_new (text, strlen (text));
  gboolean ok = FALSE;

  g_signal_emit_by_name (element, "send-data", peer_id, "chat", b, &ok);
  g_bytes_unref (b);
  return ok;
}

/* The fanout's channel reaches two consumers; 100 messages arrive in
 * order at each; each consumer answers on it and the fanout knows who
 * sent what; a message to one peer goes to that peer only. */
GST_START_TEST (test_fanout_data_channel_both_ways)
{
  TestServer *srv;
  TestPipeline *fanout, *viewers[2];
  GstElement *f, *v[2];
  Received from_fanout[2], at_fanout;
  g_autofree gchar *uri = NULL;
  gchar *peer_id[2];
  guint i, j;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  fanout = test_pipeline_new (VIDEO_SRC " ! rtcmeshfanout name=f uri=%s "
      ICE " peer-name=cam data-channel=chat", uri);
  f = gst_bin_get_by_name (GST_BIN (fanout->pipeline), "f");
  g_mutex_init (&at_fanout.lock);
  at_fanout.messages = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f, "data-received", G_CALLBACK (on_data_received),
      &at_fanout);
  test_pipeline_play (fanout);
  for (i = 0; i < 2; i++) {
    viewers[i] = test_pipeline_new ("rtcsignalbin name=v uri=%s " ICE
        " producer-name=cam ! video/x-raw ! fakesink name=sink", uri);
    v[i] = gst_bin_get_by_name (GST_BIN (viewers[i]->pipeline), "v");
    g_mutex_init (&from_fanout[i].lock);
    from_fanout[i].messages = g_ptr_array_new_with_free_func (g_free);
    g_signal_connect (v[i], "data-received", G_CALLBACK (on_data_received),
        &from_fanout[i]);
    test_pipeline_play (viewers[i]);
  }
  for (i = 0; i < 2; i++)
    fail_unless (test_wait_buffers (viewers[i], 30, 40),
        "viewer %u decoded only %d frames", i, viewers[i]->buffers);
  for (i = 0; i < 2; i++)
    g_object_get (v[i], "peer-id", &peer_id[i], NULL);

  /* to everyone: they wait for a channel still opening, in order */
  for (i = 0; i < 100; i++) {
    gchar *text = g_strdup_printf ("hello %03u", i);

    fail_unless (send_text (f, NULL, text));
    g_free (text);
  }
  for (i = 0; i < 2; i++) {
    fail_unless (wait_received (&from_fanout[i], 100, 20),
        "viewer %u got %u of 100 messages", i,
        received_count (&from_fanout[i]));
    for (j = 0; j < 100; j++) {
      gchar *want = g_strdup_printf ("|chat|hello %03u", j);

      fail_unless (g_str_has_suffix (g_ptr_array_index
              (from_fanout[i].messages, j), want), "viewer %u: %s", i,
          (gchar *) g_ptr_array_index (from_fanout[i].messages, j));
      g_free (want);
    }
  }

  /* each answers on the fanout's channel: the fanout knows who */
  for (i = 0; i < 2; i++)
    fail_unless (send_text (v[i], NULL, i == 0 ? "from zero" : "from one"));
  fail_unless (wait_received (&at_fanout, 2, 20));
  for (i = 0; i < 2; i++) {
    gchar *want = g_strdup_printf ("%s|chat|%s", peer_id[i],
        i == 0 ? "from zero" : "from one");
    gboolean found = FALSE;

    for (j = 0; j < at_fanout.messages->len; j++)
      found |= g_str_equal (g_ptr_array_index (at_fanout.messages, j), want);
    fail_unless (found, "the fanout did not get '%s'", want);
    g_free (want);
  }

  /* to one peer only */
  fail_unless (send_text (f, peer_id[1], "just you"));
  fail_unless (wait_received (&from_fanout[1], 101, 20));
  g_usleep (300 * 1000);
  fail_unless_equals_int (received_count (&from_fanout[0]), 100);

  /* a message without a label is refused */
  {
    GBytes *b = g_bytes_new_static ("x", 1);
    gboolean ok = TRUE;

    g_signal_emit_by_name (f, "send-data", NULL, NULL, b, &ok);
    fail_if (ok);
    g_bytes_unref (b);
  }

  for (i = 0; i < 2; i++) {
    test_pipeline_check_no_error (viewers[i]);
    gst_object_unref (v[i]);
    test_pipeline_free (viewers[i]);
    g_ptr_array_unref (from_fanout[i].messages);
    g_mutex_clear (&from_fanout[i].lock);
    g_free (peer_id[i]);
  }
  test_pipeline_check_no_error (fanout);
  gst_object_unref (f);
  test_pipeline_free (fanout);
  g_ptr_array_unref (at_fanout.messages);
  g_mutex_clear (&at_fanout.lock);
  test_server_kill (srv);
}

GST_END_TEST;

static Suite *
datachannel_suite (void)
{
  Suite *s = suite_create ("datachannel");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_fanout_data_channel_both_ways);
  return s;
}

GST_CHECK_MAIN (datachannel);
