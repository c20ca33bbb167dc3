/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * rtciceservers against real webrtcbins and a real coturn. Runs inside a
 * loopback-only network namespace:
 *   unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
 *     meson test -C build elements/rtciceservers
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/webrtc/webrtc.h>
#include <libsoup/soup.h>
#include <nice.h>

#include "../meshrtc-check.h"
#include "../meshrtc-turn.h"
#include "../meshrtc-http.h"
#include "rtciceconfig.h"

#define VP8_RTP_CAPS "application/x-rtp,media=video,encoding-name=VP8," \
    "payload=96,clock-rate=90000"
/* every wait in this file is bounded by one of these */
#define CONNECT_TIMEOUT_S 30
#define WARNING_TIMEOUT_S 30
#define REFRESH_TIMEOUT_S 30

static gboolean
have_elements (const gchar * test)
{
  const gchar *needed[] = { "webrtcbin", "nicesrc", "dtlssrtpenc",
    "videotestsrc", "vp8enc", "rtpvp8pay", "fakesink", "rtciceservers"
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (needed); i++) {
    GstElementFactory *f = gst_element_factory_find (needed[i]);

    if (!f) {
      g_printerr ("SKIP %s: element %s is missing\n", test, needed[i]);
      return FALSE;
    }
    gst_object_unref (f);
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Two plain webrtcbins connected in-process                                */

typedef struct
{
  GstElement *pipeline;
  GstElement *send;
  GstElement *recv;
  gint buffers;                 /* atomic: RTP buffers the receiver output */
  GMutex lock;
  GPtrArray *send_turn_uris;    /* what add-turn-server got on send */
} Peers;

/* libnice skips loopback interfaces when gathering; in the test namespace
 * loopback is all there is. */
static void
use_loopback (GstElement * webrtc)
{
  GstWebRTCICE *ice = NULL;
  NiceAgent *agent = NULL;
  NiceAddress addr;

  g_object_get (webrtc, "ice-agent", &ice, NULL);
  fail_unless (ice != NULL);
  g_object_get (ice, "agent", &agent, NULL);
  fail_unless (agent != NULL);
  nice_address_init (&addr);
  fail_unless (nice_address_set_from_string (&addr, "127.0.0.1"));
  fail_unless (nice_agent_add_local_address (agent, &addr));
  g_object_set (agent, "upnp", FALSE, NULL);
  g_object_unref (agent);
  gst_object_unref (ice);
}

static void
on_add_turn_server (GstElement * webrtc, const gchar * uri, Peers * p)
{
  g_mutex_lock (&p->lock);
  g_ptr_array_add (p->send_turn_uris, g_strdup (uri));
  g_mutex_unlock (&p->lock);
}

static void
on_answer_created (GstPromise * promise, gpointer user_data)
{
  Peers *p = user_data;
  GstWebRTCSessionDescription *answer = NULL;
  const GstStructure *reply = gst_promise_get_reply (promise);

  gst_structure_get (reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
      &answer, NULL);
  gst_promise_unref (promise);
  g_assert (answer);
  g_signal_emit_by_name (p->recv, "set-local-description", answer, NULL);
  g_signal_emit_by_name (p->send, "set-remote-description", answer, NULL);
  gst_webrtc_session_description_free (answer);
}

static void
on_offer_created (GstPromise * promise, gpointer user_data)
{
  Peers *p = user_data;
  GstWebRTCSessionDescription *offer = NULL;
  const GstStructure *reply = gst_promise_get_reply (promise);

  gst_structure_get (reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
      &offer, NULL);
  gst_promise_unref (promise);
  g_assert (offer);
  g_signal_emit_by_name (p->send, "set-local-description", offer, NULL);
  g_signal_emit_by_name (p->recv, "set-remote-description", offer, NULL);
  gst_webrtc_session_description_free (offer);

  promise = gst_promise_new_with_change_func (on_answer_created, p, NULL);
  g_signal_emit_by_name (p->recv, "create-answer", NULL, promise);
}

static void
on_negotiation_needed (GstElement * webrtc, Peers * p)
{
  GstPromise *promise =
      gst_promise_new_with_change_func (on_offer_created, p, NULL);

  g_signal_emit_by_name (p->send, "create-offer", NULL, promise);
}

static void
on_send_candidate (GstElement * webrtc, guint mline, gchar * cand, Peers * p)
{
  g_signal_emit_by_name (p->recv, "add-ice-candidate", mline, cand);
}

static void
on_recv_candidate (GstElement * webrtc, guint mline, gchar * cand, Peers * p)
{
  g_signal_emit_by_name (p->send, "add-ice-candidate", mline, cand);
}

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, Peers * p)
{
  g_atomic_int_inc (&p->buffers);
}

static void
on_recv_pad_added (GstElement * webrtc, GstPad * pad, Peers * p)
{
  GstElement *sink;
  GstPad *sinkpad;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  sink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, "signal-handoffs", TRUE,
      NULL);
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), p);
  gst_bin_add (GST_BIN (p->pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  sinkpad = gst_element_get_static_pad (sink, "sink");
  fail_unless_equals_int (gst_pad_link (pad, sinkpad), GST_PAD_LINK_OK);
  gst_object_unref (sinkpad);
}

static void
set_caps (GstElement * bin, const gchar * name, const gchar * caps_str)
{
  GstElement *filter = gst_bin_get_by_name (GST_BIN (bin), name);
  GstCaps *caps = gst_caps_from_string (caps_str);

  fail_unless (filter != NULL && caps != NULL);
  g_object_set (filter, "caps", caps, NULL);
  gst_caps_unref (caps);
  gst_object_unref (filter);
}

/* Adds videotestsrc ! vp8enc ! rtpvp8pay ! webrtcbin (send) and a
 * recvonly webrtcbin (recv) to @pipeline, wired to each other. */
static void
peers_add (Peers * p, GstElement * pipeline)
{
  GstElement *src;
  GstWebRTCRTPTransceiver *trans = NULL;
  GstCaps *caps;
  GError *err = NULL;

  memset (p, 0, sizeof (*p));
  g_mutex_init (&p->lock);
  p->send_turn_uris = g_ptr_array_new_with_free_func (g_free);
  p->pipeline = pipeline;

  src = gst_parse_bin_from_description ("videotestsrc is-live=true ! "
      "capsfilter name=rawcaps ! vp8enc deadline=1 keyframe-max-dist=15 ! "
      "rtpvp8pay mtu=1200 ! capsfilter name=rtpcaps", TRUE, &err);
  fail_unless (src != NULL, "%s", err ? err->message : "");
  set_caps (src, "rawcaps", "video/x-raw,width=320,height=240,"
      "framerate=30/1");
  set_caps (src, "rtpcaps", VP8_RTP_CAPS);

  p->send = gst_element_factory_make ("webrtcbin", "send");
  p->recv = gst_element_factory_make ("webrtcbin", "recv");
  g_object_set (p->send, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE,
      NULL);
  g_object_set (p->recv, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE,
      NULL);
  use_loopback (p->send);
  use_loopback (p->recv);

  g_signal_connect (p->send, "add-turn-server",
      G_CALLBACK (on_add_turn_server), p);
  g_signal_connect (p->send, "on-negotiation-needed",
      G_CALLBACK (on_negotiation_needed), p);
  g_signal_connect (p->send, "on-ice-candidate",
      G_CALLBACK (on_send_candidate), p);
  g_signal_connect (p->recv, "on-ice-candidate",
      G_CALLBACK (on_recv_candidate), p);
  g_signal_connect (p->recv, "pad-added", G_CALLBACK (on_recv_pad_added), p);

  caps = gst_caps_from_string (VP8_RTP_CAPS);
  g_signal_emit_by_name (p->recv, "add-transceiver",
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &trans);
  gst_caps_unref (caps);
  fail_unless (trans != NULL);
  gst_object_unref (trans);

  gst_bin_add_many (GST_BIN (pipeline), src, p->send, p->recv, NULL);
  fail_unless (gst_element_link (src, p->send));
}

static void
peers_clear (Peers * p)
{
  g_ptr_array_unref (p->send_turn_uris);
  g_mutex_clear (&p->lock);
}

static GstStructure *
get_stats (GstElement * webrtc)
{
  GstPromise *promise = gst_promise_new ();
  GstStructure *stats = NULL;

  g_signal_emit_by_name (webrtc, "get-stats", NULL, promise);
  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED)
    stats = gst_structure_copy (gst_promise_get_reply (promise));
  gst_promise_unref (promise);
  return stats;
}

typedef struct
{
  const GstStructure *all;
  gchar *local_type;
  gchar *remote_type;
} PairLookup;

static gchar *
candidate_type (const GstStructure * all, const gchar * id)
{
  GstStructure *cand = NULL;
  gchar *type = NULL;

  if (id && gst_structure_get (all, id, GST_TYPE_STRUCTURE, &cand, NULL)) {
    type = g_strdup (gst_structure_get_string (cand, "candidate-type"));
    gst_structure_free (cand);
  }
  return type;
}

static gboolean
find_selected_pair (GQuark field, const GValue * value, gpointer user_data)
{
  PairLookup *l = user_data;
  const GstStructure *s;
  const gchar *pair_id;
  GstStructure *pair = NULL;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;
  s = gst_value_get_structure (value);
  pair_id = gst_structure_get_string (s, "selected-candidate-pair-id");
  if (!pair_id || !gst_structure_get (l->all, pair_id, GST_TYPE_STRUCTURE,
          &pair, NULL))
    return TRUE;

  l->local_type = candidate_type (l->all,
      gst_structure_get_string (pair, "local-candidate-id"));
  l->remote_type = candidate_type (l->all,
      gst_structure_get_string (pair, "remote-candidate-id"));
  gst_structure_free (pair);
  return FALSE;
}

/* TRUE when the transport's selected candidate pair is relay on both ends
 * (transport's selected-candidate-pair-id -> candidate-pair -> local and
 * remote candidate-type). */
static gboolean
selected_pair_is_relay (GstElement * webrtc)
{
  GstStructure *stats = get_stats (webrtc);
  PairLookup l = { stats, NULL, NULL };
  gboolean relay;

  if (!stats)
    return FALSE;
  gst_structure_foreach (stats, find_selected_pair, &l);
  GST_INFO_OBJECT (webrtc, "selected pair: local %s, remote %s",
      GST_STR_NULL (l.local_type), GST_STR_NULL (l.remote_type));
  relay = g_strcmp0 (l.local_type, "relay") == 0
      && g_strcmp0 (l.remote_type, "relay") == 0;
  g_free (l.local_type);
  g_free (l.remote_type);
  gst_structure_free (stats);
  return relay;
}

/* Fails on any ERROR on the bus; returns the first WARNING from @from. */
static GstMessage *
pop_warning_or_fail (GstBus * bus, GstElement * from, GstClockTime timeout)
{
  GstMessage *msg;

  while ((msg = gst_bus_timed_pop_filtered (bus, timeout,
              GST_MESSAGE_ERROR | GST_MESSAGE_WARNING))) {
    GError *err = NULL;
    gchar *dbg = NULL;

    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      gst_message_parse_error (msg, &err, &dbg);
      fail ("error from %s: %s (%s)", GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)),
          err->message, dbg);
    }
    if (GST_MESSAGE_SRC (msg) == GST_OBJECT_CAST (from))
      return msg;
    gst_message_parse_warning (msg, &err, &dbg);
    GST_INFO ("warning from %s: %s (%s)",
        GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message, dbg);
    g_clear_error (&err);
    g_free (dbg);
    gst_message_unref (msg);
  }
  return NULL;
}

/* Waits until media flows and both ends selected a relay pair. */
static void
wait_relayed_media (Peers * p, GstElement * ice)
{
  GstBus *bus = gst_element_get_bus (p->pipeline);
  gint64 deadline = g_get_monotonic_time () +
      CONNECT_TIMEOUT_S * G_TIME_SPAN_SECOND;
  gboolean ok = FALSE;

  while (!ok && g_get_monotonic_time () < deadline) {
    GstMessage *warning = pop_warning_or_fail (bus, ice, 200 * GST_MSECOND);

    if (warning) {
      GError *err = NULL;
      gchar *dbg = NULL;

      gst_message_parse_warning (warning, &err, &dbg);
      fail ("unexpected warning from rtciceservers: %s (%s)", err->message,
          dbg);
    }
    ok = g_atomic_int_get (&p->buffers) >= 30
        && selected_pair_is_relay (p->send) && selected_pair_is_relay (p->recv);
  }
  gst_object_unref (bus);

  fail_unless (ok, "no relayed media within %d s (%d buffers received)",
      CONNECT_TIMEOUT_S, g_atomic_int_get (&p->buffers));
}

static gboolean
bus_has_no_error (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

  gst_object_unref (bus);
  if (msg) {
    gst_message_unref (msg);
    return FALSE;
  }
  return TRUE;
}

static GstElement *
make_ice_servers (const gchar * json, const gchar * secret,
    RtcIceTransportPolicy policy)
{
  GstElement *ice = gst_element_factory_make ("rtciceservers", NULL);

  fail_unless (ice != NULL);
  g_object_set (ice, "ice-servers", json, "turn-secret", secret,
      "ice-transport-policy", policy, NULL);
  return ice;
}

/* ------------------------------------------------------------------------ */
/* Tests with coturn                                                        */

GST_START_TEST (test_rtciceservers_turn_rest_secret_relays_media_via_coturn)
{
  Turn turn;
  Peers p;
  GstElement *pipeline, *ice;
  gchar *json, *prefix;

  if (!have_elements (__FUNCTION__) || !have_turnserver (__FUNCTION__))
    return;
  turn_start (&turn);

  pipeline = gst_pipeline_new (NULL);
  json = g_strdup_printf ("[{\"urls\":\"turn:127.0.0.1:%u\"}]", turn.port);
  ice = make_ice_servers (json, TURN_SECRET, RTC_ICE_TRANSPORT_POLICY_RELAY);
  gst_bin_add (GST_BIN (pipeline), ice);
  peers_add (&p, pipeline);

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  wait_relayed_media (&p, ice);

  /* the credentials went in escaped: "<expiry>%3Agst-meshrtc:<b64 escaped>" */
  g_mutex_lock (&p.lock);
  fail_unless_equals_int (p.send_turn_uris->len, 1);
  fail_unless (g_regex_match_simple ("^turn://[0-9]+%3Agst-meshrtc:"
          "[A-Za-z0-9%]+@127\\.0\\.0\\.1:[0-9]+$",
          g_ptr_array_index (p.send_turn_uris, 0), 0, 0),
      "unexpected uri form");
  prefix = g_strdup_printf ("@127.0.0.1:%u", turn.port);
  fail_unless (g_str_has_suffix (g_ptr_array_index (p.send_turn_uris, 0),
          prefix));
  g_mutex_unlock (&p.lock);

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (pipeline);
  peers_clear (&p);
  g_free (prefix);
  g_free (json);
  turn_stop (&turn);
}

GST_END_TEST;

GST_START_TEST (test_rtciceservers_wrong_secret_warns_and_does_not_connect)
{
  Turn turn;
  Peers p;
  GstElement *pipeline, *ice;
  GstMessage *warning;
  GstBus *bus;
  GError *err = NULL;
  gchar *json, *dbg = NULL, *server;

  if (!have_elements (__FUNCTION__) || !have_turnserver (__FUNCTION__))
    return;
  turn_start (&turn);

  pipeline = gst_pipeline_new (NULL);
  json = g_strdup_printf ("[{\"urls\":\"turn:127.0.0.1:%u\"}]", turn.port);
  ice = make_ice_servers (json, "not-the-secret",
      RTC_ICE_TRANSPORT_POLICY_RELAY);
  gst_bin_add (GST_BIN (pipeline), ice);
  peers_add (&p, pipeline);

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);

  bus = gst_element_get_bus (pipeline);
  warning = pop_warning_or_fail (bus, ice, WARNING_TIMEOUT_S * GST_SECOND);
  fail_unless (warning != NULL, "no relay warning within %d s",
      WARNING_TIMEOUT_S);
  gst_message_parse_warning (warning, &err, &dbg);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_OPEN_READ_WRITE), "%s", err->message);
  /* it names the server, never a credential */
  server = g_strdup_printf ("turn:127.0.0.1:%u", turn.port);
  fail_unless (strstr (dbg, server) != NULL, "%s", dbg);
  fail_unless (strstr (dbg, "not-the-secret") == NULL);
  fail_unless (strstr (dbg, "gst-meshrtc:") == NULL);

  /* and nothing got through */
  fail_unless_equals_int (g_atomic_int_get (&p.buffers), 0);
  fail_if (selected_pair_is_relay (p.send));

  gst_message_unref (warning);
  g_error_free (err);
  g_free (dbg);
  g_free (server);
  gst_object_unref (bus);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (pipeline);
  peers_clear (&p);
  g_free (json);
  turn_stop (&turn);
}

GST_END_TEST;

/* A TURN REST service (draft-uberti-behave-turn-rest-00 §2.2) on 127.0.0.1,
 * in its own thread and main context. */
typedef struct
{
  TestHttpServer http;
  guint port;
  guint turn_port;
  guint ttl;
  gint requests;                /* atomic */
  gint fail_after;              /* answer 500 after this many; 0: never */
} RestServer;

static void
rest_handler (SoupServer * server, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  RestServer *rs = user_data;
  gchar *username, *password, *body;

  if (rs->fail_after > 0 && g_atomic_int_get (&rs->requests) >= rs->fail_after) {
    g_atomic_int_inc (&rs->requests);
    soup_server_message_set_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
        NULL);
    return;
  }

  turn_rest_credentials (rs->ttl, &username, &password);
  body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\","
      "\"ttl\":%u,\"uris\":[\"turn:localhost:%u?transport=udp\"]}",
      username, password, rs->ttl, rs->turn_port);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json",
      SOUP_MEMORY_TAKE, body, strlen (body));
  g_atomic_int_inc (&rs->requests);

  g_free (username);
  g_free (password);
}

/* Never answers. */
static void
hang_handler (SoupServer * server, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  soup_server_message_pause (msg);
}

static void
rest_setup (SoupServer * server, gpointer data)
{
  soup_server_add_handler (server, "/turn", rest_handler, data, NULL);
  soup_server_add_handler (server, "/hang", hang_handler, data, NULL);
}

static void
rest_server_start (RestServer * rs, guint turn_port, guint ttl, gint fail_after)
{
  memset (rs, 0, sizeof (*rs));
  rs->fail_after = fail_after;
  rs->turn_port = turn_port;
  rs->ttl = ttl;
  test_http_server_start (&rs->http, rest_setup, rs);
  rs->port = rs->http.port;
}

static void
rest_server_stop (RestServer * rs)
{
  test_http_server_stop (&rs->http);
}

/* The "ice-servers" JSON of the next have-context from rtciceservers. */
static gchar *
pop_context_json (GstBus * bus, GstElement * ice, GstClockTime timeout)
{
  GstMessage *msg;
  gchar *json = NULL;

  while (!json && (msg = gst_bus_timed_pop_filtered (bus, timeout,
              GST_MESSAGE_HAVE_CONTEXT | GST_MESSAGE_ERROR))) {
    GstContext *ctx = NULL;

    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR, "error on bus");
    if (GST_MESSAGE_SRC (msg) == GST_OBJECT_CAST (ice)) {
      gst_message_parse_have_context (msg, &ctx);
      json = rtc_ice_config_context_get_json (ctx);
      gst_context_unref (ctx);
    }
    gst_message_unref (msg);
  }
  return json;
}

static gchar *
first_username (const gchar * json)
{
  RtcIceConfig *config = rtc_ice_config_parse (json, -1, NULL);
  RtcIceServer *server;
  gchar *username;

  fail_unless (config != NULL);
  fail_unless (config->servers->len > 0);
  server = g_ptr_array_index (config->servers, 0);
  username = g_strdup (server->username);
  rtc_ice_config_free (config);
  return username;
}

GST_START_TEST
    (test_rtciceservers_location_refreshes_and_new_webrtcbins_get_new_credentials)
{
  const guint ttl = 8;          /* refetched after 80%: 6 s */
  Turn turn;
  RestServer rs;
  Peers p;
  GstElement *pipeline, *ice;
  GstBus *bus;
  gchar *location, *json1, *json2 = NULL, *user1, *user2, *escaped, *expect;
  gint64 deadline;

  if (!have_elements (__FUNCTION__) || !have_turnserver (__FUNCTION__))
    return;
  turn_start (&turn);
  rest_server_start (&rs, turn.port, ttl, 0);

  pipeline = gst_pipeline_new (NULL);
  bus = gst_element_get_bus (pipeline);
  ice = gst_element_factory_make ("rtciceservers", NULL);
  location = g_strdup_printf ("http://127.0.0.1:%u/turn?service=turn"
      "&username=rest-user&key=api-key-123", rs.port);
  g_object_set (ice, "location", location, "ice-transport-policy",
      RTC_ICE_TRANSPORT_POLICY_RELAY, NULL);
  gst_bin_add (GST_BIN (pipeline), ice);

  /* the first fetch happens synchronously in NULL->READY */
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (g_atomic_int_get (&rs.requests), 1);
  json1 = pop_context_json (bus, ice, GST_SECOND);
  fail_unless (json1 != NULL);
  user1 = first_username (json1);

  /* a refresh is observed: a second request and a new context */
  deadline = g_get_monotonic_time () + REFRESH_TIMEOUT_S * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time () < deadline) {
    json2 = pop_context_json (bus, ice, GST_SECOND);
    if (json2 && g_strcmp0 (json1, json2) != 0)
      break;
    g_clear_pointer (&json2, g_free);
  }
  fail_unless (json2 != NULL, "no refresh within %d s", REFRESH_TIMEOUT_S);
  fail_unless (g_atomic_int_get (&rs.requests) >= 2);
  user2 = first_username (json2);
  fail_unless (g_ascii_strtoll (user2, NULL, 10) >
      g_ascii_strtoll (user1, NULL, 10), "%s vs %s", user2, user1);

  /* webrtcbins added now get the refreshed credentials, and they work */
  peers_add (&p, pipeline);
  escaped = g_uri_escape_string (user2, NULL, FALSE);
  expect = g_strdup_printf ("turn://%s:", escaped);
  g_mutex_lock (&p.lock);
  fail_unless_equals_int (p.send_turn_uris->len, 1);
  fail_unless (g_str_has_prefix (g_ptr_array_index (p.send_turn_uris, 0),
          expect), "the new webrtcbin did not get the refreshed username");
  /* "localhost" reached webrtcbin as an address: libnice takes no names */
  {
    gchar *suffix = g_strdup_printf ("@127.0.0.1:%u?transport=udp",
        turn.port);

    fail_unless (g_str_has_suffix (g_ptr_array_index (p.send_turn_uris, 0),
            suffix), "%s", "TURN host name not resolved");
    g_free (suffix);
  }
  g_mutex_unlock (&p.lock);

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  wait_relayed_media (&p, ice);

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  peers_clear (&p);
  rest_server_stop (&rs);
  turn_stop (&turn);
  g_free (location);
  g_free (json1);
  g_free (json2);
  g_free (user1);
  g_free (user2);
  g_free (escaped);
  g_free (expect);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Tests without a TURN server                                              */

static void
record_turn_uri (GstElement * webrtc, const gchar * uri, GPtrArray * seen)
{
  g_ptr_array_add (seen, g_strdup (uri));
}

static GstElement *
spied_webrtcbin (const gchar * name, GPtrArray * seen)
{
  GstElement *webrtc = gst_element_factory_make ("webrtcbin", name);

  g_signal_connect (webrtc, "add-turn-server", G_CALLBACK (record_turn_uri),
      seen);
  return webrtc;
}

static void
assert_configured (GstElement * webrtc, GPtrArray * seen, guint n_turn)
{
  gchar *stun = NULL;
  gint policy = -1;

  g_object_get (webrtc, "stun-server", &stun, "ice-transport-policy", &policy,
      NULL);
  fail_unless_equals_string (stun, "stun://192.0.2.1:3478");
  fail_unless_equals_int (policy, GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY);
  fail_unless_equals_int (seen->len, n_turn);
  fail_unless_equals_string (g_ptr_array_index (seen, n_turn - 1),
      "turn://1795242216%3Aalice:fZOYNzqd1r%2BJec2Sv%2Bnc6K4LM3Y%3D"
      "@192.0.2.2:3478?transport=tcp");
  g_free (stun);
}

#define STATIC_CONFIG "{\"iceServers\": [{\"urls\": \"stun:192.0.2.1\"}," \
    "{\"urls\": \"turn:192.0.2.2?transport=tcp\", \"username\": " \
    "\"1795242216:alice\", \"credential\": \"fZOYNzqd1r+Jec2Sv+nc6K4LM3Y=\"}]}"

GST_START_TEST (test_rtciceservers_configures_present_and_late_webrtcbins)
{
  GstElement *pipeline, *ice, *early, *late, *in_bin, *nested, *after;
  GPtrArray *seen_after = g_ptr_array_new_with_free_func (g_free);
  GstElement *sub, *sub2;
  GPtrArray *seen_early = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *seen_late = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *seen_in_bin = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *seen_nested = g_ptr_array_new_with_free_func (g_free);

  if (!have_elements (__FUNCTION__))
    return;

  pipeline = gst_pipeline_new (NULL);
  sub = gst_bin_new ("sub");
  ice = make_ice_servers (STATIC_CONFIG, NULL, RTC_ICE_TRANSPORT_POLICY_RELAY);
  /* rtciceservers itself inside a bin: it still covers the whole pipeline */
  gst_bin_add (GST_BIN (sub), ice);
  early = spied_webrtcbin ("early", seen_early);
  gst_bin_add_many (GST_BIN (pipeline), sub, early, NULL);

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  assert_configured (early, seen_early, 1);

  /* added to the running pipeline */
  late = spied_webrtcbin ("late", seen_late);
  gst_bin_add (GST_BIN (pipeline), late);
  assert_configured (late, seen_late, 1);

  /* added to a sub-bin that is already in the pipeline */
  in_bin = spied_webrtcbin ("in-bin", seen_in_bin);
  gst_bin_add (GST_BIN (sub), in_bin);
  assert_configured (in_bin, seen_in_bin, 1);

  /* a bin that already holds a webrtcbin, added later */
  sub2 = gst_bin_new ("sub2");
  nested = spied_webrtcbin ("nested", seen_nested);
  gst_bin_add (GST_BIN (sub2), nested);
  fail_unless_equals_int (seen_nested->len, 0);
  gst_bin_add (GST_BIN (pipeline), sub2);
  assert_configured (nested, seen_nested, 1);

  /* configured once only, even when re-added */
  gst_object_ref (late);
  gst_bin_remove (GST_BIN (pipeline), late);
  gst_bin_add (GST_BIN (sub2), late);
  gst_object_unref (late);
  fail_unless_equals_int (seen_late->len, 1);

  fail_unless (bus_has_no_error (pipeline));
  gst_element_set_state (pipeline, GST_STATE_NULL);

  /* after going down, new webrtcbins are left alone */
  after = spied_webrtcbin ("after", seen_after);
  gst_bin_add (GST_BIN (pipeline), after);
  fail_unless_equals_int (seen_after->len, 0);

  /* a restart configures everything again, with fresh credentials */
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless_equals_int (seen_after->len, 1);
  assert_configured (early, seen_early, 2);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  g_ptr_array_unref (seen_after);
  gst_object_unref (pipeline);
  g_ptr_array_unref (seen_early);
  g_ptr_array_unref (seen_late);
  g_ptr_array_unref (seen_in_bin);
  g_ptr_array_unref (seen_nested);
}

GST_END_TEST;

static GError *
start_and_get_error (GstElement * ice, gchar ** debug)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  GError *err = NULL;

  gst_bin_add (GST_BIN (pipeline), ice);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error message");
  fail_unless (GST_MESSAGE_SRC (msg) == GST_OBJECT_CAST (ice));
  gst_message_parse_error (msg, &err, debug);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return err;
}

GST_START_TEST (test_rtciceservers_bad_configuration_fails_ready_with_details)
{
  GstElement *ice;
  GError *err;
  gchar *dbg = NULL;

  if (!have_elements (__FUNCTION__))
    return;

  ice = make_ice_servers ("[{\"urls\":\"stun:192.0.2.1\"},"
      "{\"urls\":[\"http://192.0.2.2\"]}]", NULL, 0);
  err = start_and_get_error (ice, &dbg);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS));
  fail_unless (strstr (dbg, "iceServers[1].urls[0]: unknown scheme \"http\"")
      != NULL, "%s", dbg);
  g_clear_error (&err);
  g_free (dbg);

  ice = make_ice_servers ("[{\"urls\":\"stun:192.0.2.1\"", NULL, 0);
  err = start_and_get_error (ice, &dbg);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS));
  fail_unless (strstr (dbg, "not valid JSON") != NULL, "%s", dbg);
  g_clear_error (&err);
  g_free (dbg);

  /* TURN without credentials and no secret */
  ice = make_ice_servers ("[{\"urls\":\"turn:192.0.2.2\"}]", NULL, 0);
  err = start_and_get_error (ice, &dbg);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS));
  fail_unless (strstr (dbg, "iceServers[0]: TURN server \"turn:192.0.2.2\" "
          "has no username and credential, and no TURN secret is set")
      != NULL, "%s", dbg);
  g_clear_error (&err);
  g_free (dbg);

  /* nothing configured */
  ice = gst_element_factory_make ("rtciceservers", NULL);
  err = start_and_get_error (ice, &dbg);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS));
  g_clear_error (&err);
  g_free (dbg);
}

GST_END_TEST;

GST_START_TEST (test_rtciceservers_unreachable_location_fails_ready)
{
  GstElement *ice;
  GError *err;
  gchar *dbg = NULL, *location;
  guint port;

  if (!have_elements (__FUNCTION__))
    return;

  /* a port nobody listens on: connection refused */
  port = test_free_port (G_SOCKET_TYPE_STREAM);
  location = g_strdup_printf ("http://127.0.0.1:%u/turn?key=api-key-123", port);
  ice = gst_element_factory_make ("rtciceservers", NULL);
  g_object_set (ice, "location", location, "timeout", 3, NULL);
  err = start_and_get_error (ice, &dbg);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_OPEN_READ), "%s", err->message);
  /* the API key in the query is not repeated */
  fail_unless (strstr (dbg, "api-key-123") == NULL, "%s", dbg);
  g_clear_error (&err);
  g_free (dbg);
  g_free (location);
}

GST_END_TEST;

GST_START_TEST (test_rtciceservers_silent_location_times_out_at_ready)
{
  RestServer rs;
  GstElement *ice;
  GError *err;
  gchar *dbg = NULL, *location;

  if (!have_elements (__FUNCTION__))
    return;
  rest_server_start (&rs, 3478, 60, 0);

  location = g_strdup_printf ("http://127.0.0.1:%u/hang", rs.port);
  ice = gst_element_factory_make ("rtciceservers", NULL);
  g_object_set (ice, "location", location, "timeout", 1, NULL);
  /* bounded: NULL->READY gives up after the timeout property */
  err = start_and_get_error (ice, &dbg);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_OPEN_READ), "%s", err->message);
  fail_unless (strstr (dbg, "no answer within 1 s") != NULL, "%s", dbg);

  g_clear_error (&err);
  g_free (dbg);
  g_free (location);
  rest_server_stop (&rs);
}

GST_END_TEST;

GST_START_TEST (test_rtciceservers_file_location_and_context)
{
  GstElement *pipeline, *ice, *webrtc;
  GPtrArray *seen = g_ptr_array_new_with_free_func (g_free);
  GError *err = NULL;
  GstQuery *query;
  GstContext *ctx = NULL;
  gchar *path, *uri, *json, *policy, *dir;

  if (!have_elements (__FUNCTION__))
    return;

  dir = g_dir_make_tmp ("rtciceservers-XXXXXX", &err);
  path = g_build_filename (dir, "ice.json", NULL);
  fail_unless (g_file_set_contents (path, STATIC_CONFIG, -1, &err));
  uri = g_filename_to_uri (path, NULL, &err);

  pipeline = gst_pipeline_new (NULL);
  ice = gst_element_factory_make ("rtciceservers", NULL);
  g_object_set (ice, "location", uri, "ice-transport-policy",
      RTC_ICE_TRANSPORT_POLICY_RELAY, NULL);
  webrtc = spied_webrtcbin ("w", seen);
  gst_bin_add_many (GST_BIN (pipeline), ice, webrtc, NULL);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  assert_configured (webrtc, seen, 1);

  /* the context others query carries the credentials browsers need */
  query = gst_query_new_context (RTC_ICE_CONFIG_CONTEXT_TYPE);
  fail_unless (gst_element_query (ice, query));
  gst_query_parse_context (query, &ctx);
  json = rtc_ice_config_context_get_json (ctx);
  policy = rtc_ice_config_context_get_policy (ctx);
  fail_unless (strstr (json, "\"credential\":\"fZOYNzqd1r+Jec2Sv+nc6K4LM3Y=\"")
      != NULL, "%s", json);
  fail_unless_equals_string (policy, "relay");
  gst_query_unref (query);
  g_free (json);
  g_free (policy);

  /* and the pipeline got it pushed (set_context on every element) */
  ctx = gst_element_get_context (webrtc, RTC_ICE_CONFIG_CONTEXT_TYPE);
  fail_unless (ctx != NULL);
  gst_context_unref (ctx);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  g_ptr_array_unref (seen);
  g_unlink (path);
  g_remove (dir);
  g_free (dir);
  g_free (path);
  g_free (uri);
}

GST_END_TEST;

GST_START_TEST (test_rtciceservers_resolves_host_names_for_webrtcbin)
{
  GstElement *pipeline, *ice, *webrtc;
  GPtrArray *seen = g_ptr_array_new_with_free_func (g_free);
  GstBus *bus;
  GstMessage *warning;
  GError *err = NULL;
  gchar *stun = NULL, *dbg = NULL, *json;

  if (!have_elements (__FUNCTION__))
    return;

  pipeline = gst_pipeline_new (NULL);
  bus = gst_element_get_bus (pipeline);
  ice = make_ice_servers ("[{\"urls\":\"stun:localhost:3479\"},"
      "{\"urls\":\"turn:no-such-host.invalid\",\"username\":\"u\","
      "\"credential\":\"p\"}]", NULL, RTC_ICE_TRANSPORT_POLICY_ALL);
  webrtc = spied_webrtcbin ("w", seen);
  gst_bin_add_many (GST_BIN (pipeline), ice, webrtc, NULL);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);

  g_object_get (webrtc, "stun-server", &stun, NULL);
  fail_unless_equals_string (stun, "stun://127.0.0.1:3479");

  /* a name that does not resolve is reported, not silently dropped */
  warning = pop_warning_or_fail (bus, ice, GST_SECOND);
  fail_unless (warning != NULL);
  gst_message_parse_warning (warning, &err, &dbg);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_NOT_FOUND), "%s", err->message);
  fail_unless (strstr (dbg, "no-such-host.invalid") != NULL, "%s", dbg);

  /* browsers get the names */
  json = pop_context_json (bus, ice, GST_SECOND);
  fail_unless (json && strstr (json, "stun:localhost:3479"), "%s", json);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_message_unref (warning);
  g_error_free (err);
  g_free (dbg);
  g_free (stun);
  g_free (json);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  g_ptr_array_unref (seen);
}

GST_END_TEST;

typedef struct
{
  GMutex lock;
  GString *all;                 /* every category */
  GString *ours;                /* rtciceservers and rtciceconfig */
} LogCapture;

static void
capture_log (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  LogCapture *c = user_data;
  const gchar *name = gst_debug_category_get_name (category);
  const gchar *text = gst_debug_message_get (message);

  g_mutex_lock (&c->lock);
  g_string_append_printf (c->all, "%s: %s\n", name, text);
  if (g_str_equal (name, "rtciceservers") || g_str_equal (name, "rtciceconfig"))
    g_string_append_printf (c->ours, "%s: %s\n", name, text);
  g_mutex_unlock (&c->lock);
}

GST_START_TEST (test_rtciceservers_never_logs_secrets)
{
  GstElement *pipeline, *ice, *webrtc;
  GstBus *bus;
  LogCapture c;
  gchar *json, *credential, *escaped;
  RtcIceConfig *config;
  GstDebugLevel old_level = gst_debug_get_default_threshold ();

  if (!have_elements (__FUNCTION__))
    return;

  g_mutex_init (&c.lock);
  c.all = g_string_new (NULL);
  c.ours = g_string_new (NULL);
  /* everything to us only, not to stderr */
  gst_debug_remove_log_function (gst_debug_log_default);
  gst_debug_add_log_function (capture_log, &c, NULL);
  gst_debug_set_default_threshold (GST_LEVEL_MEMDUMP);
  gst_debug_set_active (TRUE);

  pipeline = gst_pipeline_new (NULL);
  bus = gst_element_get_bus (pipeline);
  ice = make_ice_servers ("[{\"urls\":\"turn:127.0.0.1:3478\"},"
      "{\"urls\":\"turn:127.0.0.2:3478\",\"username\":\"bob\","
      "\"credential\":\"static-pass-42\"}]", "the-shared-secret-17",
      RTC_ICE_TRANSPORT_POLICY_RELAY);
  webrtc = gst_element_factory_make ("webrtcbin", NULL);
  gst_bin_add_many (GST_BIN (pipeline), ice, webrtc, NULL);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  json = pop_context_json (bus, ice, GST_SECOND);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  gst_debug_set_default_threshold (old_level);
  gst_debug_remove_log_function (capture_log);
  gst_debug_add_log_function (gst_debug_log_default, NULL, NULL);

  fail_unless (json != NULL);
  config = rtc_ice_config_parse (json, -1, NULL);
  credential = g_strdup (((RtcIceServer *)
          g_ptr_array_index (config->servers, 0))->credential);
  escaped = g_uri_escape_string (credential, NULL, FALSE);

  /* the logs are real: our categories did log */
  fail_unless (strstr (c.ours->str, "rtciceservers:") != NULL);
  /* the secret nowhere, not even in GStreamer's own categories */
  fail_unless (strstr (c.all->str, "the-shared-secret-17") == NULL);
  /* credentials not from us (GStreamer core prints contexts, and
   * webrtcbin's ICE category its TURN URIs, at debug level) */
  fail_unless (strstr (c.ours->str, "static-pass-42") == NULL);
  fail_unless (strstr (c.ours->str, credential) == NULL);
  fail_unless (strstr (c.ours->str, escaped) == NULL);

  rtc_ice_config_free (config);
  g_free (credential);
  g_free (escaped);
  g_free (json);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  g_string_free (c.all, TRUE);
  g_string_free (c.ours, TRUE);
  g_mutex_clear (&c.lock);
}

GST_END_TEST;

GST_START_TEST (test_rtciceservers_secrets_are_not_readable)
{
  GstElement *ice = gst_element_factory_make ("rtciceservers", NULL);
  GParamSpec *pspec;
  gchar *json = NULL;

  if (!ice) {
    g_printerr ("SKIP: rtciceservers is missing\n");
    return;
  }
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (ice),
      "turn-secret");
  fail_unless (pspec != NULL);
  fail_if (pspec->flags & G_PARAM_READABLE);

  g_object_set (ice, "ice-servers", STATIC_CONFIG, "turn-secret", "s", NULL);
  g_object_get (ice, "ice-servers", &json, NULL);
  fail_unless (strstr (json, "fZOYNzqd1r") == NULL, "%s", json);
  fail_unless (strstr (json, "\"credential\":\"<redacted>\"") != NULL, "%s",
      json);
  g_free (json);
  gst_object_unref (ice);
}

GST_END_TEST;

static gchar *
first_turn_uri (GPtrArray * seen)
{
  fail_unless (seen->len >= 1);
  return g_strdup (g_ptr_array_index (seen, 0));
}

GST_START_TEST (test_rtciceservers_failed_refresh_warns_and_keeps_last_config)
{
  RestServer rs;
  GstElement *pipeline, *ice, *webrtc;
  GPtrArray *seen = g_ptr_array_new_with_free_func (g_free);
  GstBus *bus;
  GstMessage *warning;
  GError *err = NULL;
  gchar *location, *json1, *user1, *dbg = NULL, *escaped, *uri;

  if (!have_elements (__FUNCTION__))
    return;
  /* ttl 2 s: refetched after 1 s, and every refetch fails */
  rest_server_start (&rs, 3478, 2, 1);

  pipeline = gst_pipeline_new (NULL);
  bus = gst_element_get_bus (pipeline);
  ice = gst_element_factory_make ("rtciceservers", NULL);
  location = g_strdup_printf ("http://127.0.0.1:%u/turn?key=api-key-123",
      rs.port);
  g_object_set (ice, "location", location, NULL);
  gst_bin_add (GST_BIN (pipeline), ice);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  json1 = pop_context_json (bus, ice, GST_SECOND);
  fail_unless (json1 != NULL);
  user1 = first_username (json1);

  /* a warning per failed attempt, naming the cause but not the API key */
  warning = pop_warning_or_fail (bus, ice, REFRESH_TIMEOUT_S * GST_SECOND);
  fail_unless (warning != NULL, "no warning about the failed refresh");
  gst_message_parse_warning (warning, &err, &dbg);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_READ), "%s", err->message);
  fail_unless (strstr (dbg, "HTTP 500") != NULL, "%s", dbg);
  fail_unless (strstr (dbg, "api-key-123") == NULL, "%s", dbg);
  gst_message_unref (warning);
  g_clear_error (&err);
  g_free (dbg);

  /* it retries (with backoff) */
  warning = pop_warning_or_fail (bus, ice, REFRESH_TIMEOUT_S * GST_SECOND);
  fail_unless (warning != NULL, "no retry");
  gst_message_unref (warning);
  fail_unless (g_atomic_int_get (&rs.requests) >= 3);

  /* new webrtcbins still get the last good configuration */
  webrtc = spied_webrtcbin ("w", seen);
  gst_bin_add (GST_BIN (pipeline), webrtc);
  escaped = g_uri_escape_string (user1, NULL, FALSE);
  uri = first_turn_uri (seen);
  fail_unless (g_str_has_prefix (uri + strlen ("turn://"), escaped), "%s",
      "not the last good username");

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  rest_server_stop (&rs);
  g_ptr_array_unref (seen);
  g_free (location);
  g_free (json1);
  g_free (user1);
  g_free (escaped);
  g_free (uri);
}

GST_END_TEST;

GST_START_TEST
    (test_rtciceservers_generated_credentials_are_renewed_before_expiry) {
  GstElement *pipeline, *ice, *webrtc;
  GPtrArray *seen = g_ptr_array_new_with_free_func (g_free);
  GstBus *bus;
  gchar *json1, *json2 = NULL, *user1, *user2, *escaped, *uri;
  gint64 deadline, expiry1, expiry2;

  if (!have_elements (__FUNCTION__))
    return;

  pipeline = gst_pipeline_new (NULL);
  bus = gst_element_get_bus (pipeline);
  /* ttl 10 s: renewed once less than 2 s remain */
  ice = make_ice_servers ("[{\"urls\":\"turn:192.0.2.2\"}]", "secret",
      RTC_ICE_TRANSPORT_POLICY_ALL);
  g_object_set (ice, "ttl", 10, "turn-user", "cam1", NULL);
  gst_bin_add (GST_BIN (pipeline), ice);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  json1 = pop_context_json (bus, ice, GST_SECOND);
  fail_unless (json1 != NULL);
  user1 = first_username (json1);
  fail_unless (g_str_has_suffix (user1, ":cam1"), "%s", user1);
  expiry1 = g_ascii_strtoll (user1, NULL, 10);

  deadline = g_get_monotonic_time () + REFRESH_TIMEOUT_S * G_TIME_SPAN_SECOND;
  while (!json2 && g_get_monotonic_time () < deadline)
    json2 = pop_context_json (bus, ice, GST_SECOND);
  fail_unless (json2 != NULL, "credentials not renewed");
  user2 = first_username (json2);
  expiry2 = g_ascii_strtoll (user2, NULL, 10);
  /* renewed before the old ones expired */
  fail_unless (expiry2 > expiry1);
  fail_unless (expiry2 - 10 < expiry1, "%s after %s", user2, user1);

  webrtc = spied_webrtcbin ("w", seen);
  gst_bin_add (GST_BIN (pipeline), webrtc);
  escaped = g_uri_escape_string (user2, NULL, FALSE);
  uri = first_turn_uri (seen);
  fail_unless (g_str_has_prefix (uri + strlen ("turn://"), escaped));

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  g_ptr_array_unref (seen);
  g_free (json1);
  g_free (json2);
  g_free (user1);
  g_free (user2);
  g_free (escaped);
  g_free (uri);
}

GST_END_TEST;

GST_START_TEST
    (test_rtciceservers_changes_while_playing_apply_to_new_webrtcbins) {
  GstElement *pipeline, *ice, *before, *after;
  GPtrArray *seen_before = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *seen_after = g_ptr_array_new_with_free_func (g_free);
  GstBus *bus;
  gchar *json = NULL, *stun = NULL;
  gint64 deadline;

  if (!have_elements (__FUNCTION__))
    return;

  pipeline = gst_pipeline_new (NULL);
  bus = gst_element_get_bus (pipeline);
  ice = make_ice_servers ("[{\"urls\":\"stun:192.0.2.7\"}]", NULL,
      RTC_ICE_TRANSPORT_POLICY_ALL);
  before = spied_webrtcbin ("before", seen_before);
  gst_bin_add_many (GST_BIN (pipeline), ice, before, NULL);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  g_free (pop_context_json (bus, ice, GST_SECOND));

  g_object_set (ice, "ice-servers", STATIC_CONFIG, "ice-transport-policy",
      RTC_ICE_TRANSPORT_POLICY_RELAY, NULL);
  /* applied in rtciceservers' thread, announced with a new context */
  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (!json && g_get_monotonic_time () < deadline)
    json = pop_context_json (bus, ice, GST_SECOND);
  fail_unless (json != NULL);
  fail_unless (strstr (json, "turn:192.0.2.2") != NULL, "%s", json);

  after = spied_webrtcbin ("after", seen_after);
  gst_bin_add (GST_BIN (pipeline), after);
  assert_configured (after, seen_after, 1);
  /* the one already configured is left alone */
  g_object_get (before, "stun-server", &stun, NULL);
  fail_unless_equals_string (stun, "stun://192.0.2.7:3478");
  fail_unless_equals_int (seen_before->len, 0);

  /* an invalid change is a warning; the last good configuration stays */
  g_object_set (ice, "ice-servers", "[{\"urls\":\"bogus\"}]", NULL);
  {
    GstMessage *warning = pop_warning_or_fail (bus, ice, 10 * GST_SECOND);
    fail_unless (warning != NULL);
    gst_message_unref (warning);
  }

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  g_ptr_array_unref (seen_before);
  g_ptr_array_unref (seen_after);
  g_free (json);
  g_free (stun);
}

GST_END_TEST;

/* gst-launch-1.0 -v prints every have-context message: the context must
 * not carry the credentials in a printable form (issue 7). */
GST_START_TEST (test_rtciceservers_gst_launch_verbose_prints_no_credential)
{
  const gchar *argv[] = { "gst-launch-1.0", "-v", "rtciceservers",
    "ice-servers=[{\"urls\":\"turn:127.0.0.1:3478\",\"username\":"
        "\"alice\",\"credential\":\"s3cr3t-static-pass\"},"
        "{\"urls\":\"turn:127.0.0.1:3479\"}]",
    "turn-secret=northpole-secret", "ttl=600", "videotestsrc",
    "is-live=true", "num-buffers=15", "!", "rtcsignalbin",
    "uri=ws://127.0.0.1:9", NULL
  };
  gchar *out = NULL, *err = NULL;
  GError *error = NULL;

  fail_unless (g_spawn_sync (NULL, (gchar **) argv, NULL,
          G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, NULL, &error),
      "gst-launch-1.0: %s", error ? error->message : "");
  fail_unless (strstr (out, "Got context from element") != NULL,
      "no context was printed: %s", out);
  fail_if (strstr (out, "s3cr3t-static-pass") || strstr (err,
          "s3cr3t-static-pass"), "the static TURN password was printed");
  fail_if (strstr (out, "northpole-secret") || strstr (err,
          "northpole-secret"), "the TURN secret was printed");
  /* the generated TURN REST credential is base64, its username ends in
   * ":alice"-like text only when given; none of the JSON may show */
  fail_if (strstr (out, "\"credential\"") != NULL,
      "credentials were printed: %s", out);
  g_free (out);
  g_free (err);
}

GST_END_TEST;

static Suite *
rtciceservers_suite (void)
{
  Suite *s = suite_create ("rtciceservers");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_rtciceservers_secrets_are_not_readable);
  tcase_add_test (tc, test_rtciceservers_never_logs_secrets);
  tcase_add_test (tc,
      test_rtciceservers_gst_launch_verbose_prints_no_credential);
  tcase_add_test (tc,
      test_rtciceservers_bad_configuration_fails_ready_with_details);
  tcase_add_test (tc, test_rtciceservers_unreachable_location_fails_ready);
  tcase_add_test (tc, test_rtciceservers_silent_location_times_out_at_ready);
  tcase_add_test (tc,
      test_rtciceservers_configures_present_and_late_webrtcbins);
  tcase_add_test (tc, test_rtciceservers_file_location_and_context);
  tcase_add_test (tc, test_rtciceservers_resolves_host_names_for_webrtcbin);
  tcase_add_test (tc,
      test_rtciceservers_changes_while_playing_apply_to_new_webrtcbins);
  tcase_add_test (tc,
      test_rtciceservers_failed_refresh_warns_and_keeps_last_config);
  tcase_add_test (tc,
      test_rtciceservers_generated_credentials_are_renewed_before_expiry);
  tcase_add_test (tc,
      test_rtciceservers_turn_rest_secret_relays_media_via_coturn);
  tcase_add_test (tc,
      test_rtciceservers_wrong_secret_warns_and_does_not_connect);
  tcase_add_test (tc,
      test_rtciceservers_location_refreshes_and_new_webrtcbins_get_new_credentials);

  return s;
}

GST_CHECK_MAIN (rtciceservers);
