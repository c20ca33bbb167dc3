/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Calls: rooms of three and four rtcsignalbins (a mesh, each member talking
 * to every other), with per-peer pads and with mix=true (one compositor
 * grid). Real signalling server, real webrtcbin peers, the fourth member a
 * separate gst-launch-1.0 process killed with SIGKILL; every member sends
 * a test pattern of its own colour, which the others' outputs are checked
 * for, pixel by pixel.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "../meshrtc-check.h"

#define BIN "rtcsignalbin uri=%s ice-local-addresses=127.0.0.1"
/* a member's own colour: videotestsrc's pattern */
#define MEMBER_SRC "videotestsrc is-live=true pattern=%s ! " \
  "video/x-raw,width=160,height=120,framerate=15/1"
#define MIX_W 320
#define MIX_H 240
#define RGB_SINK "videoconvert ! video/x-raw,format=RGB ! appsink " \
  "name=%s sync=false max-buffers=1 drop=true emit-signals=true"

typedef enum
{
  COLOUR_OTHER,
  COLOUR_RED,
  COLOUR_GREEN,
  COLOUR_BLUE,
  COLOUR_WHITE,
  COLOUR_BLACK,
} Colour;

static const gchar *colour_names[] = { "other", "red", "green", "blue",
  "white", "black"
};

/* What an appsink shows: its last frame (RGB), and the largest gap
 * between two frames since gap_from_us. */
typedef struct
{
  GMutex lock;
  guint8 *rgb;
  gint width, height, stride;
  guint frames;
  gint64 last_us, gap_from_us, max_gap_us;
} View;

static GstFlowReturn
view_new_sample (GstAppSink * sink, gpointer data)
{
  View *v = data;
  GstSample *sample = gst_app_sink_pull_sample (sink);
  GstVideoInfo info;
  GstMapInfo map;
  GstBuffer *buf;
  gint64 now = g_get_monotonic_time ();

  if (!sample)
    return GST_FLOW_OK;
  buf = gst_sample_get_buffer (sample);
  if (gst_video_info_from_caps (&info, gst_sample_get_caps (sample))
      && gst_buffer_map (buf, &map, GST_MAP_READ)) {
    g_mutex_lock (&v->lock);
    g_free (v->rgb);
    v->rgb = g_memdup2 (map.data, map.size);
    v->width = GST_VIDEO_INFO_WIDTH (&info);
    v->height = GST_VIDEO_INFO_HEIGHT (&info);
    v->stride = GST_VIDEO_INFO_PLANE_STRIDE (&info, 0);
    v->frames++;
    if (v->gap_from_us && v->last_us >= v->gap_from_us)
      v->max_gap_us = MAX (v->max_gap_us, now - v->last_us);
    v->last_us = now;
    g_mutex_unlock (&v->lock);
    gst_buffer_unmap (buf, &map);
  }
  gst_sample_unref (sample);
  return GST_FLOW_OK;
}

static void
view_attach (View * v, GstElement * pipeline, const gchar * name)
{
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), name);

  fail_unless (sink != NULL);
  g_mutex_init (&v->lock);
  g_signal_connect (sink, "new-sample", G_CALLBACK (view_new_sample), v);
  gst_object_unref (sink);
}

static void
view_clear (View * v)
{
  g_free (v->rgb);
  g_mutex_clear (&v->lock);
}

/* The colour at (@x, @y) of @v's last frame, in 0..1 of its size. */
static Colour
view_colour_at (View * v, gdouble x, gdouble y)
{
  Colour c = COLOUR_OTHER;
  const guint8 *p;
  gint r, g, b;

  g_mutex_lock (&v->lock);
  if (!v->rgb) {
    g_mutex_unlock (&v->lock);
    return COLOUR_OTHER;
  }
  p = v->rgb + (gint) (y * (v->height - 1)) * v->stride +
      (gint) (x * (v->width - 1)) * 3;
  r = p[0];
  g = p[1];
  b = p[2];
  g_mutex_unlock (&v->lock);
  if (r > 180 && g < 90 && b < 90)
    c = COLOUR_RED;
  else if (g > 180 && r < 90 && b < 90)
    c = COLOUR_GREEN;
  else if (b > 180 && r < 90 && g < 90)
    c = COLOUR_BLUE;
  else if (r > 180 && g > 180 && b > 180)
    c = COLOUR_WHITE;
  else if (r < 40 && g < 40 && b < 40)
    c = COLOUR_BLACK;
  return c;
}

/* A grid of @n as rtcsignalbin lays it out: ceil(sqrt(n)) columns, in
 * join order. */
static guint
cols_of (guint n)
{
  guint cols;

  for (cols = 1; cols * cols < n; cols++);
  return cols;
}

static guint
rows_of (guint n)
{
  return (n + cols_of (n) - 1) / cols_of (n);
}

static void
tile_centre (guint n, guint i, gdouble * x, gdouble * y)
{
  *x = ((i % cols_of (n)) + 0.5) / cols_of (n);
  *y = ((i / cols_of (n)) + 0.5) / rows_of (n);
}

/* Whether the @n tiles of @v show exactly the colours of @want (a bit
 * set of Colour), each once, whatever their order; black elsewhere. */
static gboolean
mix_shows (View * v, guint n, guint want)
{
  guint seen = 0, i;
  gdouble x, y;

  for (i = 0; i < n; i++) {
    Colour c;

    tile_centre (n, i, &x, &y);
    c = view_colour_at (v, x, y);
    if (c == COLOUR_OTHER || c == COLOUR_BLACK || (seen & (1 << c)))
      return FALSE;
    /* the whole tile, not the centre only: a grid of another size can
     * have the same colour there (the label is at the tile's bottom) */
    if (view_colour_at (v, x, y - 0.2 / rows_of (n)) != c
        || view_colour_at (v, x, y + 0.2 / rows_of (n)) != c)
      return FALSE;
    seen |= 1 << c;
  }
  return seen == want;
}

static gchar *
describe_tiles (View * v, guint n)
{
  GString *s = g_string_new (NULL);
  guint i;
  gdouble x, y;

  for (i = 0; i < n; i++) {
    tile_centre (n, i, &x, &y);
    g_string_append_printf (s, "%s%s", i ? ", " : "",
        colour_names[view_colour_at (v, x, y)]);
  }
  return g_string_free (s, FALSE);
}

/* Waits until every mix in @views (of @n_views) shows @tiles tiles of the
 * colours @want[i], at most @timeout_s (scaled). */
static gboolean
wait_mixes (View ** views, const guint * want, guint n_views, guint tiles,
    guint timeout_s)
{
  gint64 end = test_deadline (timeout_s);
  guint i;

  while (g_get_monotonic_time () < end) {
    for (i = 0; i < n_views && mix_shows (views[i], tiles, want[i]); i++);
    if (i == n_views)
      return TRUE;
    g_usleep (100 * 1000);
  }
  for (i = 0; i < n_views; i++) {
    gchar *d = describe_tiles (views[i], tiles);

    g_printerr ("mix %u shows: %s\n", i, d);
    g_free (d);
  }
  return FALSE;
}

#define BIT(c) (1u << (c))

GST_START_TEST (test_room_of_three_each_member_sees_the_two_others)
{
  const gchar *patterns[] = { "red", "green", "blue" };
  const Colour colours[] = { COLOUR_RED, COLOUR_GREEN, COLOUR_BLUE };
  TestServer *srv;
  TestPipeline *m[3];
  View views[3][2];
  gint64 end;
  gchar *uri;
  guint i, j, seen;

  if (!test_have_webrtc ())
    return;
  memset (views, 0, sizeof (views));
  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  for (i = 0; i < 3; i++) {
    m[i] = test_pipeline_new (MEMBER_SRC " ! c.video_0 " BIN " name=c "
        "room=three c.video_src_0 ! " RGB_SINK " c.video_src_1 ! " RGB_SINK,
        patterns[i], uri, "v0", "v1");
    view_attach (&views[i][0], m[i]->pipeline, "v0");
    view_attach (&views[i][1], m[i]->pipeline, "v1");
    test_pipeline_play (m[i]);
  }
  /* each member shows the two others, one on each pad */
  end = test_deadline (40);
  do {
    for (i = 0; i < 3; i++) {
      seen = BIT (view_colour_at (&views[i][0], 0.5, 0.5)) |
          BIT (view_colour_at (&views[i][1], 0.5, 0.5));
      for (j = 0; j < 3; j++)
        if (j != i)
          seen &= ~BIT (colours[j]);
      if (seen)
        break;
    }
    if (i == 3)
      break;
    g_usleep (100 * 1000);
  } while (g_get_monotonic_time () < end);
  fail_unless (i == 3, "member %s does not show the two others (%s, %s)",
      patterns[i % 3], colour_names[view_colour_at (&views[i % 3][0], .5, .5)],
      colour_names[view_colour_at (&views[i % 3][1], .5, .5)]);

  /* the third leaves: the two others keep seeing each other */
  test_pipeline_check_no_error (m[2]);
  test_pipeline_free (m[2]);
  for (i = 0; i < 2; i++) {
    guint before = views[i][0].frames + views[i][1].frames;

    end = test_deadline (20);
    while (g_get_monotonic_time () < end
        && views[i][0].frames + views[i][1].frames < before + 30)
      g_usleep (50 * 1000);
    fail_unless (views[i][0].frames + views[i][1].frames >= before + 30,
        "member %s stopped receiving after the third left", patterns[i]);
    seen = BIT (view_colour_at (&views[i][0], 0.5, 0.5)) |
        BIT (view_colour_at (&views[i][1], 0.5, 0.5));
    fail_unless (seen & BIT (colours[1 - i]));
    test_pipeline_check_no_error (m[i]);
  }
  for (i = 0; i < 2; i++)
    test_pipeline_free (m[i]);
  for (i = 0; i < 3; i++)
    for (j = 0; j < 2; j++)
      view_clear (&views[i][j]);
  test_server_kill (srv);
  g_free (uri);
}

GST_END_TEST;

/* A member in its own gst-launch-1.0 process, sending white, linking
 * nothing of what it receives. */
static GSubprocess *
spawn_member (const gchar * uri, const gchar * room)
{
  GError *err = NULL;
  gchar *bin = g_strdup_printf (BIN, uri);
  gchar *desc = g_strdup_printf (MEMBER_SRC " ! %s room=%s peer-name=white",
      "white", bin, room);
  gchar **argv = NULL, **full;
  GSubprocess *proc;
  guint n, i;

  fail_unless (g_shell_parse_argv (desc, NULL, &argv, NULL));
  n = g_strv_length (argv);
  full = g_new0 (gchar *, n + 2);
  full[0] = g_strdup ("gst-launch-1.0");
  for (i = 0; i < n; i++)
    full[i + 1] = g_strdup (argv[i]);
  proc = g_subprocess_newv ((const gchar * const *) full,
      G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &err);
  fail_unless (proc != NULL, "gst-launch-1.0: %s", err ? err->message : "");
  g_strfreev (full);
  g_strfreev (argv);
  g_free (desc);
  g_free (bin);
  return proc;
}

GST_START_TEST (test_mix_grid_of_three_then_four_reflows_when_one_is_killed)
{
  const gchar *patterns[] = { "red", "green", "blue" };
  const Colour colours[] = { COLOUR_RED, COLOUR_GREEN, COLOUR_BLUE };
  TestServer *srv;
  TestPipeline *m[3];
  View views[3], *vp[3];
  guint want[3];
  GSubprocess *fourth;
  gint64 killed_us;
  gchar *uri;
  guint i, j;

  if (!test_have_webrtc ())
    return;
  memset (views, 0, sizeof (views));
  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  for (i = 0; i < 3; i++) {
    m[i] = test_pipeline_new (MEMBER_SRC " ! c.video_0 " BIN " name=c "
        "room=mix mix=true mix-width=%d mix-height=%d peer-name=%s "
        "c.video_src_0 ! " RGB_SINK " c.audio_src_0 ! fakesink name=sink",
        patterns[i], uri, MIX_W, MIX_H, patterns[i], "mix");
    view_attach (&views[i], m[i]->pipeline, "mix");
    vp[i] = &views[i];
    want[i] = 0;
    for (j = 0; j < 3; j++)
      if (j != i)
        want[i] |= BIT (colours[j]);
    test_pipeline_play (m[i]);
  }
  /* the mix flows before any peer came: black, and silence */
  fail_unless (test_wait_buffers (m[0], 10, 20), "no mixed audio");
  fail_unless (wait_mixes (vp, want, 3, 2, 40),
      "the mixes of three do not show the two others");

  fourth = spawn_member (uri, "mix");
  for (i = 0; i < 3; i++)
    want[i] |= BIT (COLOUR_WHITE);
  fail_unless (wait_mixes (vp, want, 3, 3, 40),
      "the mixes do not show the fourth member");

  /* the fourth dies: no mix stalls, each reflows to two tiles */
  killed_us = g_get_monotonic_time ();
  for (i = 0; i < 3; i++) {
    g_mutex_lock (&views[i].lock);
    views[i].gap_from_us = killed_us;
    views[i].max_gap_us = 0;
    g_mutex_unlock (&views[i].lock);
  }
  g_subprocess_send_signal (fourth, SIGKILL);
  fail_unless (g_subprocess_wait (fourth, NULL, NULL));
  g_object_unref (fourth);
  for (i = 0; i < 3; i++)
    want[i] &= ~BIT (COLOUR_WHITE);
  fail_unless (wait_mixes (vp, want, 3, 2, 40),
      "the mixes do not reflow to two tiles after the fourth died");
  /* a second more of frames, to see gaps after the reflow too */
  g_usleep (G_USEC_PER_SEC);
  for (i = 0; i < 3; i++) {
    gint64 gap;

    g_mutex_lock (&views[i].lock);
    gap = views[i].max_gap_us;
    g_mutex_unlock (&views[i].lock);
    g_printerr ("mix %s: largest gap %" G_GINT64_FORMAT " ms after the "
        "fourth member was killed\n", patterns[i], gap / 1000);
    fail_unless (gap < 200 * 1000 * (gint64) test_timeout_factor (),
        "mix %s had a gap of %" G_GINT64_FORMAT " ms when a member died",
        patterns[i], gap / 1000);
    test_pipeline_check_no_error (m[i]);
  }
  for (i = 0; i < 3; i++) {
    test_pipeline_free (m[i]);
    view_clear (&views[i]);
  }
  test_server_kill (srv);
  g_free (uri);
}

GST_END_TEST;

/* Alone in its room, a mix=true member plays black and silence and ends on
 * EOS. */
GST_START_TEST (test_mix_alone_flows_and_ends_on_eos)
{
  TestServer *srv;
  TestPipeline *tp;
  View view = { 0 };
  GstMessage *msg;
  GstBus *bus;
  gchar *uri;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  tp = test_pipeline_new (MEMBER_SRC " ! c.video_0 " BIN " name=c room=alone "
      "mix=true mix-width=%d mix-height=%d c.video_src_0 ! " RGB_SINK
      " c.audio_src_0 ! audio/x-raw,rate=48000,channels=2 ! fakesink "
      "name=sink", "red", uri, MIX_W, MIX_H, "mix");
  view_attach (&view, tp->pipeline, "mix");
  test_pipeline_play (tp);
  fail_unless (test_wait_buffers (tp, 25, 20), "only %d mixed audio buffers",
      tp->buffers);
  fail_unless (view.frames > 0);
  fail_unless_equals_int (view.width, MIX_W);
  fail_unless_equals_int (view_colour_at (&view, 0.5, 0.5), COLOUR_BLACK);

  gst_element_send_event (tp->pipeline, gst_event_new_eos ());
  bus = gst_element_get_bus (tp->pipeline);
  msg = gst_bus_timed_pop_filtered (bus, 10 * test_timeout_factor () *
      GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS,
      "the mix did not end on EOS");
  gst_message_unref (msg);
  gst_object_unref (bus);
  test_pipeline_free (tp);
  view_clear (&view);
  test_server_kill (srv);
  g_free (uri);
}

GST_END_TEST;

static void
relink_audio (GstElement * bin, GstPad * pad, GstElement * pipeline)
{
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GstPad *sinkpad = gst_element_get_static_pad (sink, "sink");

  if (g_str_equal (GST_PAD_NAME (pad), "audio_src_0")
      && !gst_pad_is_linked (sinkpad))
    gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
  gst_object_unref (sink);
}

/* mix=true across state changes: its pads go at READY and come back at
 * PAUSED, and it flows again each time, then ends at NULL. */
GST_START_TEST (test_mix_survives_state_cycles)
{
  TestServer *srv;
  TestPipeline *tp;
  GstElement *bin;
  gchar *uri;
  guint i;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  tp = test_pipeline_new (BIN " name=c room=cycles mix=true mix-width=%d "
      "mix-height=%d c.audio_src_0 ! fakesink name=sink async=false",
      uri, MIX_W, MIX_H);
  bin = gst_bin_get_by_name (GST_BIN (tp->pipeline), "c");
  /* gst_parse_launch() links a delayed pad once: the next ones here */
  g_signal_connect (bin, "pad-added", G_CALLBACK (relink_audio), tp->pipeline);
  for (i = 0; i < 4; i++) {
    gint before = g_atomic_int_get (&tp->buffers);
    GstPad *pad;

    test_pipeline_play (tp);
    fail_unless (test_wait_buffers (tp, before + 10, 20),
        "cycle %u: the mix does not flow", i);
    fail_unless (gst_element_set_state (tp->pipeline, i % 2 ?
            GST_STATE_READY : GST_STATE_NULL) == GST_STATE_CHANGE_SUCCESS);
    pad = gst_element_get_static_pad (bin, "video_src_0");
    fail_unless (pad == NULL, "cycle %u: video_src_0 stayed in READY", i);
    pad = gst_element_get_static_pad (bin, "audio_src_0");
    fail_unless (pad == NULL);
  }
  test_pipeline_check_no_error (tp);
  gst_object_unref (bin);
  test_pipeline_free (tp);
  test_server_kill (srv);
  g_free (uri);
}

GST_END_TEST;

static Suite *
call_suite (void)
{
  Suite *s = suite_create ("call");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_mix_alone_flows_and_ends_on_eos);
  tcase_add_test (tc, test_mix_survives_state_cycles);
  tcase_add_test (tc, test_room_of_three_each_member_sees_the_two_others);
  tcase_add_test (tc,
      test_mix_grid_of_three_then_four_reflows_when_one_is_killed);
  return s;
}

GST_CHECK_MAIN (call);
