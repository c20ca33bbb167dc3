/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * WHIP and WHEP end to end: rtcsignalbin's WHIP and WHEP clients against
 * the real signalling server program's /whip and /whep endpoints, with
 * real webrtcbin peers on loopback on the other side (rtcmeshfanout and
 * rtcsignalbin over the WebSocket protocol), and the endpoints' answers
 * to bad requests from a real HTTP client (libsoup).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <libsoup/soup.h>
#include "../meshrtc-check.h"
#include "../meshrtc-turn.h"
#include "../meshrtc-http.h"

#define VIDEO_SRC "videotestsrc is-live=true ! " \
  "video/x-raw,width=320,height=240,framerate=30/1"
#define ICE "ice-local-addresses=127.0.0.1"

static gchar *
http_url (TestServer * srv, const gchar * path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", srv->port, path);
}

/* A fanout producing "cam" on @srv, playing; the WHEP URL of cam in
 * @whep unless NULL. */
static TestPipeline *
start_cam (TestServer * srv, gchar ** whep)
{
  g_autofree gchar *uri = test_server_uri (srv);
  TestPipeline *fanout = test_pipeline_new (VIDEO_SRC " ! rtcmeshfanout "
      "uri=%s " ICE " peer-name=cam", uri);

  if (whep)
    *whep = http_url (srv, "/whep/cam");
  test_pipeline_play (fanout);
  return fanout;
}

/* Three WHEP players and a WebSocket viewer on one fanout: each decodes. */
GST_START_TEST (test_whep_players_and_a_websocket_viewer_share_a_fanout)
{
  TestServer *srv;
  TestPipeline *fanout, *players[3], *viewer;
  g_autofree gchar *uri = NULL;
  g_autofree gchar *whep = NULL;
  guint i;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  fanout = start_cam (srv, &whep);
  /* the players may come before the producer registered: 409, retried */
  for (i = 0; i < G_N_ELEMENTS (players); i++) {
    players[i] = test_pipeline_new ("rtcsignalbin whep-endpoint=%s " ICE
        " ! video/x-raw ! fakesink name=sink", whep);
    test_pipeline_play (players[i]);
  }
  viewer = test_pipeline_new ("rtcsignalbin uri=%s " ICE " producer-name=cam "
      "! video/x-raw ! fakesink name=sink", uri);
  test_pipeline_play (viewer);
  for (i = 0; i < G_N_ELEMENTS (players); i++)
    fail_unless (test_wait_buffers (players[i], 60, 40),
        "WHEP player %u decoded only %d frames", i, players[i]->buffers);
  fail_unless (test_wait_buffers (viewer, 60, 40),
      "WebSocket viewer decoded only %d frames", viewer->buffers);

  /* one player leaves (DELETE): the others keep decoding */
  test_pipeline_free (players[0]);
  {
    gint before = g_atomic_int_get (&players[1]->buffers);

    fail_unless (test_wait_buffers (players[1], before + 30, 20),
        "a player stopped when another left");
  }
  for (i = 1; i < G_N_ELEMENTS (players); i++) {
    test_pipeline_check_no_error (players[i]);
    test_pipeline_free (players[i]);
  }
  test_pipeline_check_no_error (fanout);
  test_pipeline_free (viewer);
  test_pipeline_free (fanout);
  test_server_kill (srv);
}

GST_END_TEST;

/* A WHIP publisher is a producer of the server: a WebSocket consumer
 * decodes it, and sees it go when the publisher stops (DELETE). */
GST_START_TEST (test_whip_publisher_reaches_a_websocket_consumer)
{
  TestServer *srv;
  TestPipeline *publisher, *consumer;
  g_autofree gchar *uri = NULL;
  g_autofree gchar *whip = NULL;
  GstStructure *removed;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  uri = test_server_uri (srv);
  whip = http_url (srv, "/whip/studio");
  consumer = test_pipeline_new ("rtcsignalbin uri=%s " ICE
      " producer-name=studio ! video/x-raw ! fakesink name=sink", uri);
  test_pipeline_play (consumer);
  publisher = test_pipeline_new (VIDEO_SRC " ! rtcsignalbin whip-endpoint=%s "
      ICE, whip);
  test_pipeline_play (publisher);
  fail_unless (test_wait_buffers (consumer, 60, 40),
      "the consumer decoded only %d frames of the WHIP publisher",
      consumer->buffers);
  test_pipeline_check_no_error (publisher);
  test_pipeline_free (publisher);
  removed = test_wait_element_message (consumer, "meshrtc-peer-removed", 10);
  fail_unless (removed != NULL, "the consumer did not see the publisher go");
  gst_structure_free (removed);
  test_pipeline_check_no_error (consumer);
  test_pipeline_free (consumer);
  test_server_kill (srv);
}

GST_END_TEST;

/* Ingest: rtcsignalbin runs the server itself and plays the first WHIP
 * publisher from its src pad. */
GST_START_TEST (test_signalbin_with_its_own_server_plays_a_whip_publisher)
{
  TestPipeline *ingest, *publisher;
  guint port;

  if (!test_have_webrtc ())
    return;
  port = test_free_port (G_SOCKET_TYPE_STREAM);
  ingest = test_pipeline_new ("rtcsignalbin run-signalling-server=true "
      "uri=ws://127.0.0.1:%u " ICE " ! video/x-raw ! fakesink name=sink", port);
  test_pipeline_play (ingest);
  publisher = test_pipeline_new (VIDEO_SRC " ! rtcsignalbin "
      "whip-endpoint=http://127.0.0.1:%u/whip/obs " ICE, port);
  test_pipeline_play (publisher);
  fail_unless (test_wait_buffers (ingest, 60, 40),
      "the ingest decoded only %d frames of the WHIP publisher",
      ingest->buffers);
  test_pipeline_check_no_error (publisher);
  test_pipeline_check_no_error (ingest);
  test_pipeline_free (publisher);
  test_pipeline_free (ingest);
}

GST_END_TEST;

static void
on_candidate_look_for_relay (GstElement * webrtcbin, guint mline,
    const gchar * candidate, gint * relay_seen)
{
  if (strstr (candidate, " typ relay"))
    g_atomic_int_set (relay_seen, 1);
}

static void
on_element_watch_candidates (GstBin * bin, GstBin * sub_bin,
    GstElement * element, gint * relay_seen)
{
  GstElementFactory *f = gst_element_get_factory (element);

  if (f && g_strcmp0 (GST_OBJECT_NAME (f), "webrtcbin") == 0)
    g_signal_connect (element, "on-ice-candidate",
        G_CALLBACK (on_candidate_look_for_relay), relay_seen);
}

/* RFC 9725 section 4.6: the ICE servers of the endpoint's Link headers
 * reach the player's ICE agent before it gathers. The server program
 * hands out a TURN server (real coturn); the player, with no rtciceservers
 * of its own, gathers a relay candidate on it and plays. */
GST_START_TEST (test_whep_player_gathers_on_the_link_headers_turn_server)
{
  Turn turn;
  TestServer *srv;
  TestPipeline *fanout, *player;
  g_autofree gchar *user = NULL, *pass = NULL, *arg = NULL;
  g_autofree gchar *whep = NULL;
  gint relay_seen = 0;
  gint64 end;

  if (!test_have_webrtc () || !have_turnserver (__FUNCTION__))
    return;
  turn_start (&turn);
  turn_rest_credentials (3600, &user, &pass);
  arg = g_strdup_printf ("--ice-servers=[{\"urls\":\"turn:127.0.0.1:%u"
      "?transport=udp\",\"username\":\"%s\",\"credential\":\"%s\"}]",
      turn.port, user, pass);
  srv = test_server_start (0, arg);
  fanout = start_cam (srv, &whep);
  player = test_pipeline_new ("rtcsignalbin whep-endpoint=%s " ICE
      " ! video/x-raw ! fakesink name=sink", whep);
  g_signal_connect (player->pipeline, "deep-element-added",
      G_CALLBACK (on_element_watch_candidates), &relay_seen);
  test_pipeline_play (player);
  fail_unless (test_wait_buffers (player, 30, 40),
      "the WHEP player decoded only %d frames", player->buffers);
  end = test_deadline (20);
  while (!g_atomic_int_get (&relay_seen) && g_get_monotonic_time () < end)
    g_usleep (50 * 1000);
  fail_unless (g_atomic_int_get (&relay_seen),
      "the player gathered no relay candidate: the Link headers' TURN "
      "server was not used");
  test_pipeline_check_no_error (player);
  test_pipeline_free (player);
  test_pipeline_free (fanout);
  test_server_kill (srv);
  turn_stop (&turn);
}

GST_END_TEST;

typedef struct
{
  gchar *target;
  gint requests;                /* atomic */
  gint with_token;              /* atomic: requests that had our token */
} Redirect;

/* /whep/front redirects to /whep/hop on the same origin; any other path
 * to the target. */
static void
redirect_handler (SoupServer * server, SoupServerMessage * msg,
    const char *path, GHashTable * query, gpointer data)
{
  Redirect *r = data;
  const gchar *auth = soup_message_headers_get_one
      (soup_server_message_get_request_headers (msg), "Authorization");

  g_atomic_int_inc (&r->requests);
  if (g_strcmp0 (auth, "Bearer front-token") == 0)
    g_atomic_int_inc (&r->with_token);
  soup_message_headers_replace (soup_server_message_get_response_headers
      (msg), "Location", g_str_equal (path, "/whep/front") ? "/whep/hop" :
      r->target);
  soup_server_message_set_status (msg, SOUP_STATUS_TEMPORARY_REDIRECT, NULL);
}

static void
redirect_setup (SoupServer * server, gpointer data)
{
  soup_server_add_handler (server, NULL, redirect_handler, data, NULL);
}

/* RFC 9725 section 4.5: a WHIP/WHEP endpoint may redirect with 307. The
 * player POSTs to a front that redirects on its own origin, then to
 * another origin, which redirects to the real endpoint; the offer goes
 * there (same method, same body), the resource is relative to it, and the
 * player plays. The token goes along on the front's origin only (what
 * browsers do with Authorization). */
GST_START_TEST (test_whep_player_follows_a_307_redirect)
{
  TestServer *srv;
  TestPipeline *fanout, *player;
  TestHttpServer front, other;
  Redirect rf = { NULL, 0, 0 }, ro = { NULL, 0, 0 };

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  ro.target = http_url (srv, "/whep/cam");
  test_http_server_start (&other, redirect_setup, &ro);
  rf.target = g_strdup_printf ("http://127.0.0.1:%u/whep/other", other.port);
  test_http_server_start (&front, redirect_setup, &rf);
  fanout = start_cam (srv, NULL);
  player = test_pipeline_new ("rtcsignalbin whep-endpoint="
      "http://127.0.0.1:%u/whep/front auth-token=front-token " ICE
      " ! video/x-raw ! fakesink name=sink", front.port);
  test_pipeline_play (player);
  fail_unless (test_wait_buffers (player, 30, 40),
      "the WHEP player decoded only %d frames", player->buffers);
  /* /whep/front and /whep/hop, with the token */
  fail_unless (g_atomic_int_get (&rf.requests) >= 2);
  fail_unless_equals_int (g_atomic_int_get (&rf.with_token),
      g_atomic_int_get (&rf.requests));
  /* the other origin, without */
  fail_unless (g_atomic_int_get (&ro.requests) >= 1);
  fail_unless_equals_int (g_atomic_int_get (&ro.with_token), 0);
  test_pipeline_check_no_error (player);
  test_pipeline_free (player);
  test_pipeline_free (fanout);
  test_http_server_stop (&front);
  test_http_server_stop (&other);
  g_free (rf.target);
  g_free (ro.target);
  test_server_kill (srv);
}

GST_END_TEST;

static void
count_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, gint * n)
{
  g_atomic_int_inc (n);
}

static GstPadProbeReturn
count_eos (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS)
    g_atomic_int_inc ((gint *) data);
  return GST_PAD_PROBE_OK;
}

static gboolean
has_pad (GstElement * element, const gchar * name)
{
  GstPad *pad = gst_element_get_static_pad (element, name);

  if (pad)
    gst_object_unref (pad);
  return pad != NULL;
}

/* An ingest plays every WHIP publisher at once, each on src pads of its
 * own: the first on video_src_0, the second, while the first plays, on
 * video_src_1. When the second leaves, video_src_1 goes and the first
 * plays on; when the first leaves, the next publisher plays on
 * video_src_0 again (it stays, as for any rtcsignalbin). */
GST_START_TEST (test_ingest_plays_two_whip_publishers_at_once)
{
  TestPipeline *ingest, *pub[3];
  GstElement *bin, *sink2;
  GstPad *sink2_pad;
  gint second = 0, second_eos = 0, before;
  gint64 end;
  guint port, i;

  if (!test_have_webrtc ())
    return;
  port = test_free_port (G_SOCKET_TYPE_STREAM);
  /* async=false: a sink that has nothing yet must not hold the pipeline
   * out of PLAYING */
  ingest = test_pipeline_new ("rtcsignalbin name=i run-signalling-server=true "
      "uri=ws://127.0.0.1:%u " ICE " i.video_src_0 ! video/x-raw ! fakesink "
      "name=sink async=false i.video_src_1 ! video/x-raw ! fakesink "
      "name=sink2 signal-handoffs=true sync=false async=false", port);
  sink2 = gst_bin_get_by_name (GST_BIN (ingest->pipeline), "sink2");
  g_signal_connect (sink2, "handoff", G_CALLBACK (count_handoff), &second);
  sink2_pad = gst_element_get_static_pad (sink2, "sink");
  gst_pad_add_probe (sink2_pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      count_eos, &second_eos, NULL);
  gst_object_unref (sink2_pad);
  gst_object_unref (sink2);
  bin = gst_bin_get_by_name (GST_BIN (ingest->pipeline), "i");
  test_pipeline_play (ingest);
  for (i = 0; i < G_N_ELEMENTS (pub); i++)
    pub[i] = test_pipeline_new (VIDEO_SRC " ! rtcsignalbin "
        "whip-endpoint=http://127.0.0.1:%u/whip/cam%u " ICE, port, i);

  test_pipeline_play (pub[0]);
  fail_unless (test_wait_buffers (ingest, 60, 40),
      "video_src_0 decoded only %d frames", ingest->buffers);
  test_pipeline_play (pub[1]);
  end = test_deadline (40);
  while (g_atomic_int_get (&second) < 60 && g_get_monotonic_time () < end)
    g_usleep (20 * 1000);
  fail_unless (g_atomic_int_get (&second) >= 60,
      "video_src_1 decoded only %d frames", g_atomic_int_get (&second));
  before = g_atomic_int_get (&ingest->buffers);
  fail_unless (test_wait_buffers (ingest, before + 30, 20),
      "the first publisher stopped when the second came");

  /* the second leaves: its pad goes, the first plays on */
  test_pipeline_free (pub[1]);
  end = test_deadline (20);
  while (has_pad (bin, "video_src_1") && g_get_monotonic_time () < end)
    g_usleep (20 * 1000);
  fail_if (has_pad (bin, "video_src_1"), "the leaving publisher's pad "
      "stayed");
  /* what was linked to it ended first */
  fail_unless_equals_int (g_atomic_int_get (&second_eos), 1);
  before = g_atomic_int_get (&ingest->buffers);
  fail_unless (test_wait_buffers (ingest, before + 30, 20),
      "the first publisher stopped when the second left");

  /* the first leaves, a third comes: it plays on video_src_0 */
  test_pipeline_free (pub[0]);
  test_pipeline_play (pub[2]);
  before = g_atomic_int_get (&ingest->buffers);
  fail_unless (test_wait_buffers (ingest, before + 60, 40),
      "the third publisher did not play on video_src_0");
  fail_unless (has_pad (bin, "video_src_0"));
  fail_if (has_pad (bin, "video_src_1"));

  gst_object_unref (bin);
  test_pipeline_check_no_error (ingest);
  test_pipeline_free (pub[2]);
  test_pipeline_free (ingest);
}

GST_END_TEST;

/* An endpoint that takes the request and never answers: after the
 * request timeout (10 s) a warning says so, the player retries, and a
 * player of a working endpoint in the same process plays on meanwhile. */
GST_START_TEST (test_whep_endpoint_that_never_answers_is_a_warning)
{
  GSocket *sock;
  TestServer *srv;
  TestPipeline *fanout, *good, *mute;
  g_autofree gchar *whep = NULL;
  GstBus *bus;
  GstMessage *msg;
  gboolean seen = FALSE;
  gint64 end;
  guint port;

  if (!test_have_webrtc ())
    return;
  sock = test_silent_listener (&port);

  srv = test_server_start (0, NULL);
  fanout = start_cam (srv, &whep);
  good = test_pipeline_new ("rtcsignalbin whep-endpoint=%s " ICE
      " ! video/x-raw ! fakesink name=sink", whep);
  test_pipeline_play (good);
  mute = test_pipeline_new ("rtcsignalbin whep-endpoint="
      "http://127.0.0.1:%u/whep/cam " ICE " ! video/x-raw ! fakesink", port);
  test_pipeline_play (mute);

  bus = gst_element_get_bus (mute->pipeline);
  end = test_deadline (30);
  while (!seen && g_get_monotonic_time () < end) {
    GError *err = NULL;
    gchar *debug = NULL;

    msg = gst_bus_timed_pop_filtered (bus, 100 * GST_MSECOND,
        GST_MESSAGE_WARNING | GST_MESSAGE_ERROR);
    if (!msg)
      continue;
    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR);
    gst_message_parse_warning (msg, &err, &debug);
    seen = strstr (err->message, "WHIP or WHEP endpoint") != NULL;
    GST_INFO ("warning: %s (%s)", err->message, debug);
    /* the debug text says why */
    if (seen)
      fail_unless (debug && strstr (debug, "timed out"), "%s", debug);
    g_clear_error (&err);
    g_free (debug);
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
  fail_unless (seen, "no warning about the endpoint that never answers");
  fail_unless (test_wait_buffers (good, 60, 40),
      "the other player decoded only %d frames", good->buffers);
  test_pipeline_check_no_error (good);
  test_pipeline_free (mute);
  test_pipeline_free (good);
  test_pipeline_free (fanout);
  test_server_kill (srv);
  g_socket_close (sock, NULL);
  g_object_unref (sock);
}

GST_END_TEST;

/* A refused POST is an element warning naming the status, and retried. */
GST_START_TEST (test_whip_wrong_token_is_a_warning_naming_401)
{
  TestServer *srv;
  TestPipeline *publisher;
  g_autofree gchar *whip = NULL;
  GstBus *bus;
  GstMessage *msg;
  gboolean seen = FALSE;
  gint64 end;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, "--auth-token=right");
  whip = http_url (srv, "/whip");
  publisher = test_pipeline_new (VIDEO_SRC " ! rtcsignalbin whip-endpoint=%s "
      ICE " auth-token=wrong", whip);
  test_pipeline_play (publisher);
  bus = gst_element_get_bus (publisher->pipeline);
  end = test_deadline (10);
  while (!seen && g_get_monotonic_time () < end) {
    msg = gst_bus_timed_pop_filtered (bus, 100 * GST_MSECOND,
        GST_MESSAGE_WARNING | GST_MESSAGE_ERROR);
    if (!msg)
      continue;
    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR);
    {
      GError *err = NULL;
      gchar *debug = NULL;

      gst_message_parse_warning (msg, &err, &debug);
      seen = debug && strstr (debug, "401") != NULL;
      /* the user text says what was not reached */
      if (seen)
        fail_unless (strstr (err->message, "WHIP or WHEP endpoint") != NULL,
            "%s", err->message);
      g_clear_error (&err);
      g_free (debug);
    }
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
  fail_unless (seen, "no warning naming 401");
  test_pipeline_free (publisher);
  test_server_kill (srv);
}

GST_END_TEST;

typedef struct
{
  guint status;
  gchar *body;
  gchar *allow_origin;
  gchar *location;
} Reply;

static void
reply_clear (Reply * r)
{
  g_free (r->body);
  g_free (r->allow_origin);
  g_free (r->location);
  memset (r, 0, sizeof *r);
}

static void
request (SoupSession * session, const gchar * method, const gchar * url,
    const gchar * content_type, const gchar * body, gsize len,
    const gchar * origin, const gchar * token, Reply * r)
{
  SoupMessage *msg = soup_message_new (method, url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  GError *error = NULL;
  GBytes *answer;

  if (body) {
    GBytes *bytes = g_bytes_new_static (body, len);

    soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    g_bytes_unref (bytes);
  }
  if (origin)
    soup_message_headers_replace (headers, "Origin", origin);
  if (token) {
    gchar *value = g_strdup_printf ("Bearer %s", token);
    soup_message_headers_replace (headers, "Authorization", value);
    g_free (value);
  }
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  fail_unless (answer != NULL, "%s %s: %s", method, url,
      error ? error->message : "");
  reply_clear (r);
  r->status = soup_message_get_status (msg);
  r->body = g_strndup (g_bytes_get_data (answer, NULL),
      g_bytes_get_size (answer));
  r->allow_origin = g_strdup (soup_message_headers_get_one
      (soup_message_get_response_headers (msg), "Access-Control-Allow-Origin"));
  r->location = g_strdup (soup_message_headers_get_one
      (soup_message_get_response_headers (msg), "Location"));
  g_bytes_unref (answer);
  g_object_unref (msg);
}

/* Each bad request gets its own clear status; the server keeps serving. */
GST_START_TEST (test_whip_whep_bad_requests)
{
  TestServer *srv = test_server_start (0, "--auth-token=t");
  SoupSession *session = soup_session_new_with_options ("timeout", 10, NULL);
  g_autofree gchar *whip = http_url (srv, "/whip");
  g_autofree gchar *whep = http_url (srv, "/whep");
  g_autofree gchar *unknown = http_url (srv,
      "/whip/resource/00000000-0000-4000-8000-000000000000");
  g_autofree gchar *page = g_strdup_printf ("http://127.0.0.1:%u", srv->port);
  const gchar *sdp = "v=0\r\no=- 1 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
      "a=rtpmap:96 VP8/90000\r\na=mid:0\r\n";
  gchar *huge = g_malloc0 (100 * 1024);
  Reply r = { 0, };

  /* no token, then a wrong one */
  request (session, "POST", whip, "application/sdp", sdp, strlen (sdp), NULL,
      NULL, &r);
  fail_unless_equals_int (r.status, 401);
  request (session, "POST", whip, "application/sdp", sdp, strlen (sdp), NULL,
      "x", &r);
  fail_unless_equals_int (r.status, 401);
  /* not SDP, and not even said to be */
  request (session, "POST", whip, "application/sdp", "hello", 5, NULL, "t", &r);
  fail_unless_equals_int (r.status, 400);
  fail_unless (strstr (r.body, "invalid SDP") != NULL, "%s", r.body);
  request (session, "POST", whip, "text/plain", sdp, strlen (sdp), NULL, "t",
      &r);
  fail_unless_equals_int (r.status, 415);
  /* a body over 64 KiB is refused before it is read */
  memset (huge, 'a', 100 * 1024 - 1);
  request (session, "POST", whip, "application/sdp", huge, 100 * 1024, NULL,
      "t", &r);
  fail_unless_equals_int (r.status, 413);
  /* an unknown resource, someone else's or not */
  request (session, "PATCH", unknown, "application/trickle-ice-sdpfrag",
      "a=end-of-candidates\r\n", 21, NULL, "t", &r);
  fail_unless_equals_int (r.status, 404);
  request (session, "DELETE", unknown, NULL, NULL, 0, NULL, "t", &r);
  fail_unless_equals_int (r.status, 404);
  /* nothing to play */
  request (session, "POST", whep, "application/sdp", sdp, strlen (sdp), NULL,
      "t", &r);
  fail_unless_equals_int (r.status, 409);
  /* GET is not WHIP */
  request (session, "GET", whip, NULL, NULL, 0, NULL, "t", &r);
  fail_unless_equals_int (r.status, 405);
  /* CORS: a page of this server may read answers, another may not */
  request (session, "OPTIONS", whep, NULL, NULL, 0, page, NULL, &r);
  fail_unless_equals_int (r.status, 204);
  fail_unless_equals_string (r.allow_origin, page);
  request (session, "OPTIONS", whep, NULL, NULL, 0, "http://evil.example",
      NULL, &r);
  fail_unless_equals_int (r.status, 204);
  fail_unless (r.allow_origin == NULL);
  request (session, "POST", whep, "application/sdp", sdp, strlen (sdp),
      "http://evil.example", "t", &r);
  fail_unless_equals_int (r.status, 403);
  /* still serving */
  request (session, "POST", whep, "application/sdp", sdp, strlen (sdp), NULL,
      "t", &r);
  fail_unless_equals_int (r.status, 409);

  reply_clear (&r);
  g_free (huge);
  g_object_unref (session);
  test_server_kill (srv);
}

GST_END_TEST;

static Suite *
whipwhep_suite (void)
{
  Suite *s = suite_create ("whipwhep");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 240);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_whep_players_and_a_websocket_viewer_share_a_fanout);
  tcase_add_test (tc, test_whip_publisher_reaches_a_websocket_consumer);
  tcase_add_test (tc, test_whip_wrong_token_is_a_warning_naming_401);
  tcase_add_test (tc,
      test_signalbin_with_its_own_server_plays_a_whip_publisher);
  tcase_add_test (tc, test_whip_whep_bad_requests);
  tcase_add_test (tc, test_whep_player_gathers_on_the_link_headers_turn_server);
  tcase_add_test (tc, test_whep_player_follows_a_307_redirect);
  tcase_add_test (tc, test_ingest_plays_two_whip_publishers_at_once);
  tcase_add_test (tc, test_whep_endpoint_that_never_answers_is_a_warning);
  return s;
}

GST_CHECK_MAIN (whipwhep);
