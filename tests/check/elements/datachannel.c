/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Data channels through the elements: rtcmeshfanout opens one with each
 * viewer (data-channel=, or a data_%u pad's label), messages go out with
 * "send-data" or into data_%u pads and come in with "data-received" and
 * out of data_src_%u pads, both ways, through the real signalling server
 * and real webrtcbin peers on loopback; and a gst-launch-1.0 line prints
 * what a viewer sends.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib-unix.h>
#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>
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

  /* a viewer given no data channel exposes no data pad ('! fakesink'
   * would link it in place of the video) */
  for (i = 0; i < 2; i++) {
    GstPad *pad = gst_element_get_static_pad (v[i], "data_src_0");

    fail_if (pad != NULL, "viewer %u exposed data_src_0", i);
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

/* the next message out of @sink (at most @timeout_s), its text, caps name
 * and the sender's id from its GstRtcPeerMeta */
static gboolean
pull_message (GstElement * sink, guint timeout_s, gchar ** text,
    gchar ** caps_name, gchar ** peer_id)
{
  GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
      timeout_s * test_timeout_factor () * GST_SECOND);
  GstBuffer *buf;
  GstCustomMeta *meta;
  GstMapInfo map;

  if (!sample)
    return FALSE;
  buf = gst_sample_get_buffer (sample);
  gst_buffer_map (buf, &map, GST_MAP_READ);
  *text = g_strndup ((const gchar *) map.data, map.size);
  gst_buffer_unmap (buf, &map);
  *caps_name = g_strdup (gst_structure_get_name (gst_caps_get_structure
          (gst_sample_get_caps (sample), 0)));
  meta = gst_buffer_get_custom_meta (buf, "GstRtcPeerMeta");
  *peer_id = meta ? g_strdup (gst_structure_get_string
      (gst_custom_meta_get_structure (meta), "peer-id")) : NULL;
  gst_sample_unref (sample);
  return TRUE;
}

static void
push_message (GstElement * appsrc, const gchar * text)
{
  fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (appsrc),
          gst_buffer_new_memdup (text, strlen (text))), GST_FLOW_OK);
}

static GstElement *
labelled_pad_owner (TestPipeline * tp, const gchar * name,
    const gchar * pad_name, const gchar * label)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (tp->pipeline), name);
  GstPad *pad = gst_element_get_static_pad (e, pad_name);

  fail_unless (pad != NULL, "%s has no %s", name, pad_name);
  g_object_set (pad, "label", label, NULL);
  gst_object_unref (pad);
  return e;
}

/* Declaratively: text into the fanout's data_0 (label "chat") comes out of
 * the viewer's data_src_0 in order, as text/x-raw, with the fanout's id in
 * its GstRtcPeerMeta; binary into the viewer's data_0 comes out of the
 * fanout's data_src_0 as application/octet-stream with the viewer's id; a
 * message over 256 KiB is a warning and goes nowhere. */
GST_START_TEST (test_data_pads_both_ways)
{
  TestServer *srv;
  TestPipeline *fanout, *viewer;
  GstElement *f, *v, *f_in, *f_out, *v_in, *v_out;
  g_autofree gchar *uri = NULL;
  gchar *f_id = NULL, *v_id = NULL, *text, *caps, *from;
  guint i;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  fanout = test_pipeline_new (VIDEO_SRC " ! rtcmeshfanout name=f uri=%s "
      ICE " peer-name=cam appsrc name=in format=time "
      "caps=text/x-raw,format=utf8 ! f.data_0 f.data_src_0 ! appsink "
      "name=out sync=false async=false", uri);
  f = labelled_pad_owner (fanout, "f", "data_0", "chat");
  f_in = gst_bin_get_by_name (GST_BIN (fanout->pipeline), "in");
  f_out = gst_bin_get_by_name (GST_BIN (fanout->pipeline), "out");
  viewer = test_pipeline_new ("rtcsignalbin name=v uri=%s " ICE
      " producer-name=cam ! video/x-raw ! fakesink name=sink "
      "appsrc name=in format=time caps=application/octet-stream ! v.data_0 "
      "v.data_src_0 ! appsink name=out sync=false async=false", uri);
  v = labelled_pad_owner (viewer, "v", "data_0", "chat");
  v_in = gst_bin_get_by_name (GST_BIN (viewer->pipeline), "in");
  v_out = gst_bin_get_by_name (GST_BIN (viewer->pipeline), "out");
  test_pipeline_play (fanout);
  test_pipeline_play (viewer);
  fail_unless (test_wait_buffers (viewer, 30, 40),
      "the viewer decoded only %d frames", viewer->buffers);
  g_object_get (f, "peer-id", &f_id, NULL);
  g_object_get (v, "peer-id", &v_id, NULL);

  for (i = 0; i < 100; i++) {
    text = g_strdup_printf ("message %03u", i);
    push_message (f_in, text);
    g_free (text);
  }
  for (i = 0; i < 100; i++) {
    gchar *want = g_strdup_printf ("message %03u", i);

    fail_unless (pull_message (v_out, 20, &text, &caps, &from),
        "the viewer got %u of 100 messages", i);
    fail_unless_equals_string (text, want);
    fail_unless_equals_string (caps, "text/x-raw");
    fail_unless_equals_string (from, f_id);
    g_free (want);
    g_free (text);
    g_free (caps);
    g_free (from);
  }

  push_message (v_in, "binary from the viewer");
  fail_unless (pull_message (f_out, 20, &text, &caps, &from),
      "the fanout got nothing");
  fail_unless_equals_string (text, "binary from the viewer");
  fail_unless_equals_string (caps, "application/octet-stream");
  fail_unless_equals_string (from, v_id);
  g_free (text);
  g_free (caps);
  g_free (from);

  /* over 256 KiB: a warning, nothing sent, the channel goes on */
  {
    GstBuffer *big = gst_buffer_new_allocate (NULL, 256 * 1024 + 1, NULL);

    gst_buffer_memset (big, 0, 'x', 256 * 1024 + 1);
    fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (f_in),
            big), GST_FLOW_OK);
    push_message (f_in, "after the big one");
    fail_unless (pull_message (v_out, 20, &text, &caps, &from));
    fail_unless_equals_string (text, "after the big one");
    g_free (text);
    g_free (caps);
    g_free (from);
    fail_unless (test_wait_element_warning (fanout, "too large", 5),
        "no warning for the message over 256 KiB");
  }

  test_pipeline_check_no_error (fanout);
  test_pipeline_check_no_error (viewer);
  gst_object_unref (f_in);
  gst_object_unref (f_out);
  gst_object_unref (v_in);
  gst_object_unref (v_out);
  gst_object_unref (f);
  gst_object_unref (v);
  g_free (f_id);
  g_free (v_id);
  test_pipeline_free (viewer);
  test_pipeline_free (fanout);
  test_server_kill (srv);
}

GST_END_TEST;

/* A gst-launch-1.0 line prints what viewers send (data_src_0 ! fdsink),
 * and ends on Ctrl-C with -e within seconds. */
GST_START_TEST (test_launch_line_prints_what_viewers_send)
{
  TestServer *srv;
  TestPipeline *viewer;
  GstElement *v;
  g_autofree gchar *uri = NULL;
  gchar *cmd;
  const gchar *argv[] = { "/bin/sh", "-c", NULL, NULL };
  GString *out = g_string_new (NULL);
  GError *err = NULL;
  GPid pid;
  gint out_fd, status = 0;
  gboolean exited = FALSE, seen = FALSE;
  gint64 end;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  cmd = g_strdup_printf ("G_DEBUG=fatal-criticals exec gst-launch-1.0 -e "
      VIDEO_SRC " ! rtcmeshfanout name=f uri=%s " ICE " peer-name=cam "
      "data-channel=chat f.data_src_0 ! fdsink async=false", uri);
  argv[2] = cmd;
  fail_unless (g_spawn_async_with_pipes (NULL, (gchar **) argv, NULL,
          G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, NULL, &out_fd, NULL,
          &err), "spawn: %s", err ? err->message : "");
  g_unix_set_fd_nonblocking (out_fd, TRUE, NULL);

  viewer = test_pipeline_new ("rtcsignalbin name=v uri=%s " ICE
      " producer-name=cam ! video/x-raw ! fakesink name=sink", uri);
  v = gst_bin_get_by_name (GST_BIN (viewer->pipeline), "v");
  test_pipeline_play (viewer);
  fail_unless (test_wait_buffers (viewer, 10, 40),
      "the viewer decoded only %d frames", viewer->buffers);
  fail_unless (send_text (v, NULL, "hello from a viewer"));

  end = test_deadline (20);
  while (!seen && g_get_monotonic_time () < end) {
    gchar buf[4096];
    gssize n = read (out_fd, buf, sizeof (buf));

    if (n > 0)
      g_string_append_len (out, buf, n);
    seen = strstr (out->str, "hello from a viewer") != NULL;
    if (!seen)
      g_usleep (50 * 1000);
  }
  fail_unless (seen, "gst-launch-1.0 did not print the message:\n%s", out->str);

  kill (pid, SIGINT);
  end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!exited && g_get_monotonic_time () < end) {
    exited = waitpid (pid, &status, WNOHANG) == pid;
    if (!exited)
      g_usleep (20 * 1000);
  }
  if (!exited) {
    kill (pid, SIGKILL);
    waitpid (pid, &status, 0);
  }
  fail_unless (exited, "gst-launch-1.0 still runs 20 s after SIGINT");
  fail_unless (WIFEXITED (status) && WEXITSTATUS (status) == 0,
      "gst-launch-1.0 ended with status %d", status);

  close (out_fd);
  g_string_free (out, TRUE);
  g_free (cmd);
  gst_object_unref (v);
  test_pipeline_free (viewer);
  test_server_kill (srv);
}

GST_END_TEST;

/* A chat in a room of three rtcsignalbins (a mesh: three sessions): each
 * says something once, after it is connected to the two others, and hears
 * each other member exactly once, with the sender's peer id. */
GST_START_TEST (test_room_of_three_chat)
{
  const gchar *names[] = { "ann", "bob", "cid" };
  TestServer *srv;
  TestPipeline *m[3];
  GstElement *e[3];
  Received heard[3];
  g_autofree gchar *uri = NULL;
  gchar *ids[3];
  guint i, j, k;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  for (i = 0; i < 3; i++) {
    m[i] = test_pipeline_new (VIDEO_SRC " ! rtcsignalbin name=c uri=%s " ICE
        " room=chat3 peer-name=%s data-channel=chat", uri, names[i]);
    e[i] = gst_bin_get_by_name (GST_BIN (m[i]->pipeline), "c");
    g_mutex_init (&heard[i].lock);
    heard[i].messages = g_ptr_array_new_with_free_func (g_free);
    g_signal_connect (e[i], "data-received", G_CALLBACK (on_data_received),
        &heard[i]);
    test_pipeline_play (m[i]);
  }
  for (i = 0; i < 3; i++) {
    for (j = 0; j < 2; j++) {
      GstStructure *st = test_wait_element_message (m[i],
          "meshrtc-peer-connected", 40);

      fail_unless (st != NULL, "%s connected to %u of the two others",
          names[i], j);
      gst_structure_free (st);
    }
    g_object_get (e[i], "peer-id", &ids[i], NULL);
  }
  for (i = 0; i < 3; i++) {
    gchar *text = g_strdup_printf ("hi, %s here", names[i]);

    fail_unless (send_text (e[i], NULL, text));
    g_free (text);
  }
  for (i = 0; i < 3; i++) {
    fail_unless (wait_received (&heard[i], 2, 20), "%s heard %u of 2",
        names[i], received_count (&heard[i]));
    for (j = 0; j < 3; j++) {
      gchar *want;
      guint times = 0;

      if (j == i)
        continue;
      want = g_strdup_printf ("%s|chat|hi, %s here", ids[j], names[j]);
      g_mutex_lock (&heard[i].lock);
      for (k = 0; k < heard[i].messages->len; k++)
        times += g_str_equal (g_ptr_array_index (heard[i].messages, k), want);
      g_mutex_unlock (&heard[i].lock);
      fail_unless_equals_int (times, 1);
      g_free (want);
    }
  }
  /* and nothing more: no echo, no duplicate */
  g_usleep (500 * 1000);
  for (i = 0; i < 3; i++) {
    fail_unless_equals_int (received_count (&heard[i]), 2);
    test_pipeline_check_no_error (m[i]);
  }
  for (i = 0; i < 3; i++) {
    test_pipeline_free (m[i]);
    gst_object_unref (e[i]);
    g_ptr_array_unref (heard[i].messages);
    g_mutex_clear (&heard[i].lock);
    g_free (ids[i]);
  }
  test_server_kill (srv);
}

GST_END_TEST;

#define FLOOD_MESSAGE (64 * 1024)
#define FLOOD_COUNT 160         /* 10 MiB */

/* A viewer floods the fanout with 10 MiB of messages while the
 * application reads none of them (an appsink holding one buffer): the
 * fanout keeps at most its 4 MiB waiting and drops the rest, reports no
 * error, and another viewer keeps playing throughout. */
GST_START_TEST (test_a_flooding_peer_is_bounded)
{
  TestServer *srv;
  TestPipeline *fanout, *flooder, *watcher;
  GstElement *fl, *out, *f;
  Received at_fanout;
  g_autofree gchar *uri = NULL;
  GBytes *chunk;
  GstSample *sample;
  guint i, kept = 0;
  gint before;
  guint8 *data;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  fanout = test_pipeline_new (VIDEO_SRC " ! rtcmeshfanout name=f uri=%s "
      ICE " peer-name=cam data-channel=chat f.data_src_0 ! appsink name=out "
      "sync=false async=false max-buffers=1 drop=false", uri);
  out = gst_bin_get_by_name (GST_BIN (fanout->pipeline), "out");
  f = gst_bin_get_by_name (GST_BIN (fanout->pipeline), "f");
  g_mutex_init (&at_fanout.lock);
  at_fanout.messages = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f, "data-received", G_CALLBACK (on_data_received),
      &at_fanout);
  test_pipeline_play (fanout);
  flooder = test_pipeline_new ("rtcsignalbin name=v uri=%s " ICE
      " producer-name=cam ! video/x-raw ! fakesink name=sink", uri);
  watcher = test_pipeline_new ("rtcsignalbin uri=%s " ICE
      " producer-name=cam ! video/x-raw ! fakesink name=sink", uri);
  fl = gst_bin_get_by_name (GST_BIN (flooder->pipeline), "v");
  test_pipeline_play (flooder);
  test_pipeline_play (watcher);
  fail_unless (test_wait_buffers (flooder, 10, 40));
  fail_unless (test_wait_buffers (watcher, 10, 40));

  data = g_malloc (FLOOD_MESSAGE);
  memset (data, 'f', FLOOD_MESSAGE);
  chunk = g_bytes_new_take (data, FLOOD_MESSAGE);
  before = g_atomic_int_get (&watcher->buffers);
  for (i = 0; i < FLOOD_COUNT; i++) {
    gboolean ok = FALSE;

    g_signal_emit_by_name (fl, "send-data", NULL, "chat", chunk, &ok);
    fail_unless (ok);
  }
  g_bytes_unref (chunk);
  /* 3 s at 30 fps while the flood goes through: most of it must arrive */
  fail_unless (test_wait_buffers (watcher, before + 45, 3),
      "the other viewer stalled during the flood (%d -> %d frames in 3 s)",
      before, g_atomic_int_get (&watcher->buffers));

  /* all of it came in (the signal sees every message) */
  fail_unless (wait_received (&at_fanout, FLOOD_COUNT, 60),
      "the fanout received %u of %u messages", received_count (&at_fanout),
      FLOOD_COUNT);

  /* what the fanout kept: at most 4 MiB waiting in the element, one it is
   * pushing, and downstream the appsink's one queued and one blocked in
   * its chain (seen: 67 under ASan) */
  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (out),
              2 * GST_SECOND * test_timeout_factor ()))) {
    kept++;
    gst_sample_unref (sample);
  }
  fail_unless (kept >= 1, "no message reached the application");
  fail_unless (kept <= (4 * 1024 * 1024) / FLOOD_MESSAGE + 3,
      "the fanout kept %u messages of %u KiB: more than 4 MiB", kept,
      FLOOD_MESSAGE / 1024);
  GST_INFO ("flood: %u of %u messages kept", kept, FLOOD_COUNT);

  test_pipeline_check_no_error (fanout);
  test_pipeline_check_no_error (flooder);
  test_pipeline_check_no_error (watcher);
  gst_object_unref (fl);
  gst_object_unref (out);
  gst_object_unref (f);
  g_ptr_array_unref (at_fanout.messages);
  g_mutex_clear (&at_fanout.lock);
  test_pipeline_free (flooder);
  test_pipeline_free (watcher);
  test_pipeline_free (fanout);
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
  tcase_add_test (tc, test_data_pads_both_ways);
  tcase_add_test (tc, test_launch_line_prints_what_viewers_send);
  tcase_add_test (tc, test_a_flooding_peer_is_bounded);
  tcase_add_test (tc, test_room_of_three_chat);
  return s;
}

GST_CHECK_MAIN (datachannel);
