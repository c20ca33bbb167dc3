/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Unit tests of the signalling server's logic (rtcsignalrouter.h) without
 * any network: text in, messages out.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/check/gstcheck.h>

#include "rtcprotocol.h"
#include "rtcsignalrouter.h"

typedef struct
{
  gchar *to;
  gchar *text;
  RtcMessage *msg;
} Sent;

static GQueue outbox = G_QUEUE_INIT;

static void
sent_free (Sent * sent)
{
  g_free (sent->to);
  g_free (sent->text);
  rtc_message_free (sent->msg);
  g_free (sent);
}

static void
collect (const gchar * peer_id, gpointer peer_data, const gchar * text,
    gpointer user_data)
{
  Sent *sent = g_new0 (Sent, 1);
  GError *error = NULL;

  /* every test adds its peers with &outbox as peer data */
  fail_unless (peer_data == &outbox);
  sent->to = g_strdup (peer_id);
  sent->text = g_strdup (text);
  /* everything the server sends must be valid protocol */
  sent->msg = rtc_message_parse (text, -1, &error);
  fail_unless (sent->msg != NULL, "server sent invalid message %s: %s", text,
      error ? error->message : "");
  g_queue_push_tail (&outbox, sent);
}

static RtcSignalRouter *
new_router (void)
{
  g_queue_clear_full (&outbox, (GDestroyNotify) sent_free);
  return rtc_signal_router_new (collect, NULL, NULL);
}

/* Removes and returns the oldest message sent to @peer, failing if none. */
static Sent *
pop_any (const gchar * peer)
{
  GList *l;

  for (l = outbox.head; l; l = l->next) {
    Sent *sent = l->data;

    if (g_str_equal (sent->to, peer)) {
      g_queue_delete_link (&outbox, l);
      return sent;
    }
  }
  fail ("no message for %s", peer);
  return NULL;
}

static Sent *
pop_for (const gchar * peer, RtcMessageType type)
{
  Sent *sent = pop_any (peer);

  fail_unless_equals_string (rtc_message_type_to_string (sent->msg->type),
      rtc_message_type_to_string (type));
  return sent;
}

static void
expect_text (const gchar * peer, const gchar * text)
{
  Sent *sent = pop_any (peer);

  fail_unless_equals_string (sent->text, text);
  sent_free (sent);
}

static void
expect_error (const gchar * peer, const gchar * details)
{
  Sent *sent = pop_for (peer, RTC_MESSAGE_ERROR);

  fail_unless_equals_string (sent->msg->details, details);
  sent_free (sent);
}

static guint
count_for (const gchar * peer)
{
  GList *l;
  guint n = 0;

  for (l = outbox.head; l; l = l->next)
    n += g_str_equal (((Sent *) l->data)->to, peer);
  return n;
}

static void
expect_nothing (void)
{
  if (!g_queue_is_empty (&outbox)) {
    Sent *sent = g_queue_peek_head (&outbox);
    fail ("unexpected message to %s: %s", sent->to, sent->text);
  }
}

static void
sendf (RtcSignalRouter * router, const gchar * peer, const gchar * format,
    ...) G_GNUC_PRINTF (3, 4);

static void
sendf (RtcSignalRouter * router, const gchar * peer, const gchar * format,
    ...)
{
  g_autofree gchar *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  rtc_signal_router_handle_text (router, peer, text, -1);
}

/* A connected peer, its welcome consumed. */
static gchar *
join (RtcSignalRouter * router)
{
  gchar *id = rtc_signal_router_add_peer (router, &outbox);
  Sent *welcome = pop_for (id, RTC_MESSAGE_WELCOME);

  fail_unless_equals_string (welcome->msg->peer_id, id);
  sent_free (welcome);
  return id;
}

/* Registers @peer; room may be NULL. Drains what listeners got. */
static void
register_peer (RtcSignalRouter * router, const gchar * peer,
    const gchar * roles, const gchar * room)
{
  if (room)
    sendf (router, peer, "{\"type\":\"setPeerStatus\",\"roles\":[%s],"
        "\"meta\":{\"room\":\"%s\"},\"peerId\":null}", roles, room);
  else
    sendf (router, peer, "{\"type\":\"setPeerStatus\",\"roles\":[%s],"
        "\"meta\":null,\"peerId\":null}", roles);
}

static void
drain (void)
{
  g_queue_clear_full (&outbox, (GDestroyNotify) sent_free);
}

/* Starts a session from @from naming @to; returns its id and checks both
 * notifications. @producer is the side that gets startSession. */
static gchar *
start_session (RtcSignalRouter * router, const gchar * from, const gchar * to,
    const gchar * producer, const gchar * consumer)
{
  Sent *started, *start;
  gchar *session_id;

  sendf (router, from, "{\"type\":\"startSession\",\"peerId\":\"%s\"}", to);
  started = pop_for (consumer, RTC_MESSAGE_SESSION_STARTED);
  start = pop_for (producer, RTC_MESSAGE_START_SESSION);
  fail_unless_equals_string (started->msg->peer_id, producer);
  fail_unless_equals_string (start->msg->peer_id, consumer);
  fail_unless_equals_string (start->msg->session_id,
      started->msg->session_id);
  fail_unless (g_uuid_string_is_valid (start->msg->session_id));
  session_id = g_strdup (start->msg->session_id);
  sent_free (started);
  sent_free (start);
  return session_id;
}

GST_START_TEST (test_new_peer_gets_welcome_with_fresh_uuid)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *a = rtc_signal_router_add_peer (router, &outbox);
  g_autofree gchar *b = rtc_signal_router_add_peer (router, &outbox);
  g_autofree gchar *welcome = g_strdup_printf ("{\"type\":\"welcome\","
      "\"peerId\":\"%s\"}", a);

  fail_unless (g_uuid_string_is_valid (a));
  fail_unless (g_uuid_string_is_valid (b));
  fail_if (g_str_equal (a, b));
  fail_unless_equals_int (rtc_signal_router_get_n_peers (router), 2);
  expect_text (a, welcome);
  sent_free (pop_for (b, RTC_MESSAGE_WELCOME));
  expect_nothing ();
}

GST_END_TEST;

/* TURN credentials go only to registered peers that asked for them with
 * getIceServers; gst-plugins-rs' gstwebrtc-api logs an error for every
 * iceServers it gets unasked (issue 11.4). */
GST_START_TEST (test_ice_servers_only_to_registered_peers_that_asked)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree gchar *asker = NULL;
  g_autofree gchar *early = NULL;
  g_autofree gchar *silent = NULL;
  g_autofree gchar *unregistered = NULL;
  Sent *sent;

  fail_unless (json_parser_load_from_data (parser,
          "[{\"urls\":\"stun:127.0.0.1:3478\"},{\"urls\":[\"turn:127.0.0.1"
          ":3478\"],\"username\":\"1:u\",\"credential\":\"p/+=\"}]", -1,
          NULL));
  rtc_signal_router_set_ice_servers (router,
      json_node_get_array (json_parser_get_root (parser)));

  /* nothing after welcome, to anyone */
  asker = join (router);
  early = join (router);
  silent = join (router);
  unregistered = join (router);
  expect_nothing ();

  /* registered, then asks: answered at once */
  register_peer (router, asker, "\"listener\"", NULL);
  drain ();
  sendf (router, asker, "{\"type\":\"getIceServers\"}");
  sent = pop_for (asker, RTC_MESSAGE_ICE_SERVERS);
  fail_unless_equals_string (sent->text, "{\"type\":\"iceServers\","
      "\"iceServers\":[{\"urls\":\"stun:127.0.0.1:3478\"},{\"urls\":"
      "[\"turn:127.0.0.1:3478\"],\"username\":\"1:u\",\"credential\":"
      "\"p/+=\"}]}");
  sent_free (sent);
  expect_nothing ();

  /* asks first: answered when it registers */
  sendf (router, early, "{\"type\":\"getIceServers\"}");
  expect_nothing ();
  register_peer (router, early, "\"consumer\"", NULL);
  sent_free (pop_for (early, RTC_MESSAGE_ICE_SERVERS));
  drain ();

  /* never asks, or never registers: never sees them */
  register_peer (router, silent, "\"producer\"", NULL);
  sendf (router, unregistered, "{\"type\":\"getIceServers\"}");
  drain ();

  /* a change goes to the two that asked and registered, an empty list
   * when there are none left */
  rtc_signal_router_set_ice_servers (router, NULL);
  sent = pop_for (asker, RTC_MESSAGE_ICE_SERVERS);
  fail_unless_equals_string (sent->text,
      "{\"type\":\"iceServers\",\"iceServers\":[]}");
  sent_free (sent);
  sent_free (pop_for (early, RTC_MESSAGE_ICE_SERVERS));
  expect_nothing ();
}

GST_END_TEST;

GST_START_TEST (test_set_peer_status_notifies_listeners_with_server_peer_id)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *listener = join (router);
  g_autofree gchar *other = join (router);
  g_autofree gchar *producer = join (router);
  g_autofree gchar *expected = NULL;
  Sent *sent;

  register_peer (router, listener, "\"listener\"", NULL);
  /* a listener hears of itself, as on the reference server */
  sent = pop_for (listener, RTC_MESSAGE_PEER_STATUS_CHANGED);
  fail_unless_equals_string (sent->msg->peer_id, listener);
  sent_free (sent);
  register_peer (router, other, "\"consumer\"", NULL);
  sent_free (pop_for (listener, RTC_MESSAGE_PEER_STATUS_CHANGED));
  expect_nothing ();

  sendf (router, producer, "{\"type\":\"setPeerStatus\",\"roles\":"
      "[\"producer\"],\"meta\":{\"name\":\"cam\"},\"peerId\":\"forged\"}");
  expected = g_strdup_printf ("{\"type\":\"peerStatusChanged\",\"roles\":"
      "[\"producer\"],\"meta\":{\"name\":\"cam\"},\"peerId\":\"%s\"}",
      producer);
  expect_text (listener, expected);
  /* neither the consumer nor the producer listens */
  expect_nothing ();

  /* the same status again changes nothing and notifies nobody */
  sendf (router, producer, "{\"type\":\"setPeerStatus\",\"roles\":"
      "[\"producer\"],\"meta\":{\"name\":\"cam\"}}");
  expect_nothing ();

  /* a new meta is announced */
  sendf (router, producer, "{\"type\":\"setPeerStatus\",\"roles\":"
      "[\"producer\"],\"meta\":{\"name\":\"cam2\"}}");
  sent = pop_for (listener, RTC_MESSAGE_PEER_STATUS_CHANGED);
  fail_unless_equals_string (json_object_get_string_member (sent->msg->meta,
          "name"), "cam2");
  sent_free (sent);
  expect_nothing ();
}

GST_END_TEST;

GST_START_TEST (test_list_and_list_consumers_answer_sorted_with_meta)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *asker = join (router);
  g_autofree gchar *p1 = join (router);
  g_autofree gchar *p2 = join (router);
  g_autofree gchar *c1 = join (router);
  const gchar *lo, *hi;
  Sent *sent;
  RtcPeerInfo *info;

  sendf (router, asker, "{\"type\":\"list\"}");
  sent = pop_for (asker, RTC_MESSAGE_LIST);
  fail_unless_equals_string (sent->text, "{\"type\":\"list\","
      "\"producers\":[]}");
  sent_free (sent);

  sendf (router, p1, "{\"type\":\"setPeerStatus\",\"roles\":[\"producer\"],"
      "\"meta\":{\"name\":\"one\"}}");
  sendf (router, p2, "{\"type\":\"setPeerStatus\",\"roles\":[\"producer\"]}");
  register_peer (router, c1, "\"consumer\"", NULL);
  expect_nothing ();

  sendf (router, asker, "{\"type\":\"list\"}");
  sent = pop_for (asker, RTC_MESSAGE_LIST);
  fail_unless_equals_int (sent->msg->peers->len, 2);
  lo = strcmp (p1, p2) < 0 ? p1 : p2;
  hi = lo == p1 ? p2 : p1;
  info = g_ptr_array_index (sent->msg->peers, 0);
  fail_unless_equals_string (info->id, lo);
  fail_unless_equals_int (info->meta != NULL, lo == p1);
  info = g_ptr_array_index (sent->msg->peers, 1);
  fail_unless_equals_string (info->id, hi);
  sent_free (sent);

  sendf (router, asker, "{\"type\":\"listConsumers\"}");
  sent = pop_for (asker, RTC_MESSAGE_LIST_CONSUMERS);
  fail_unless_equals_int (sent->msg->peers->len, 1);
  info = g_ptr_array_index (sent->msg->peers, 0);
  fail_unless_equals_string (info->id, c1);
  fail_unless (info->meta == NULL);
  sent_free (sent);
  expect_nothing ();
}

GST_END_TEST;

GST_START_TEST (test_consumer_starts_session_with_producer)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *producer = join (router);
  g_autofree gchar *consumer = join (router);
  g_autofree gchar *session = NULL;
  g_autofree gchar *text = NULL;
  Sent *started, *start;

  register_peer (router, producer, "\"producer\"", NULL);

  /* with a consumer offer: forwarded in startSession */
  sendf (router, consumer, "{\"type\":\"startSession\",\"peerId\":\"%s\","
      "\"offer\":\"v=0\\r\\n\"}", producer);
  started = pop_for (consumer, RTC_MESSAGE_SESSION_STARTED);
  start = pop_for (producer, RTC_MESSAGE_START_SESSION);
  text = g_strdup_printf ("{\"type\":\"sessionStarted\",\"peerId\":\"%s\","
      "\"sessionId\":\"%s\"}", producer, started->msg->session_id);
  fail_unless_equals_string (started->text, text);
  g_free (text);
  text = g_strdup_printf ("{\"type\":\"startSession\",\"peerId\":\"%s\","
      "\"sessionId\":\"%s\",\"offer\":\"v=0\\r\\n\"}", consumer,
      started->msg->session_id);
  fail_unless_equals_string (start->text, text);
  sent_free (started);
  sent_free (start);
  expect_nothing ();

  /* without: offer null */
  session = start_session (router, consumer, producer, producer, consumer);
  fail_unless_equals_int (rtc_signal_router_get_n_sessions (router), 2);
  expect_nothing ();
}

GST_END_TEST;

GST_START_TEST (test_producer_starts_session_with_passive_consumer)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *producer = join (router);
  g_autofree gchar *consumer = join (router);
  g_autofree gchar *session = NULL;

  register_peer (router, consumer, "\"consumer\"", NULL);
  register_peer (router, producer, "\"producer\"", NULL);
  session = start_session (router, producer, consumer, producer, consumer);
  expect_nothing ();
}

GST_END_TEST;

GST_START_TEST (test_start_session_errors)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *a = join (router);
  g_autofree gchar *idle = join (router);
  g_autofree gchar *details = NULL;

  sendf (router, a, "{\"type\":\"startSession\",\"peerId\":\"x\"}");
  expect_error (a, "Peer with ID 'x' not found");

  register_peer (router, a, "\"producer\"", NULL);
  sendf (router, a, "{\"type\":\"startSession\",\"peerId\":\"%s\"}", a);
  expect_error (a, "Cannot start a session with oneself");

  sendf (router, a, "{\"type\":\"startSession\",\"peerId\":\"%s\"}", idle);
  details = g_strdup_printf ("Peer '%s' is neither a producer nor a "
      "consumer", idle);
  expect_error (a, details);

  sendf (router, a, "{\"type\":\"startSession\"}");
  expect_error (a, "field 'peerId' missing in 'startSession'");
  fail_unless_equals_int (rtc_signal_router_get_n_sessions (router), 0);
  expect_nothing ();
}

GST_END_TEST;

GST_START_TEST (test_peer_messages_relay_only_within_their_session)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *producer = join (router);
  g_autofree gchar *consumer = join (router);
  g_autofree gchar *intruder = join (router);
  g_autofree gchar *session = NULL;
  g_autofree gchar *offer = NULL;
  g_autofree gchar *ice = NULL;
  g_autofree gchar *details = NULL;

  register_peer (router, producer, "\"producer\"", NULL);
  session = start_session (router, consumer, producer, producer, consumer);

  offer = g_strdup_printf ("{\"type\":\"peer\",\"sessionId\":\"%s\","
      "\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}}", session);
  rtc_signal_router_handle_text (router, producer, offer, -1);
  expect_text (consumer, offer);

  /* browsers' candidate.toJSON(): extra members accepted, not forwarded */
  sendf (router, consumer, "{\"type\":\"peer\",\"sessionId\":\"%s\",\"ice\":"
      "{\"candidate\":\"candidate:1 1 UDP 2 127.0.0.1 5000 typ host\","
      "\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"u\"}}",
      session);
  ice = g_strdup_printf ("{\"type\":\"peer\",\"sessionId\":\"%s\",\"ice\":"
      "{\"candidate\":\"candidate:1 1 UDP 2 127.0.0.1 5000 typ host\","
      "\"sdpMLineIndex\":0}}", session);
  expect_text (producer, ice);
  expect_nothing ();

  /* a third peer that knows the id is told it does not exist */
  rtc_signal_router_handle_text (router, intruder, offer, -1);
  details = g_strdup_printf ("Session with ID '%s' not found", session);
  expect_error (intruder, details);

  sendf (router, consumer, "{\"type\":\"peer\",\"sessionId\":\"nope\","
      "\"ice\":{\"candidate\":\"\",\"sdpMLineIndex\":0}}");
  expect_error (consumer, "Session with ID 'nope' not found");
  expect_nothing ();
}

GST_END_TEST;

GST_START_TEST (test_end_session_tells_the_other_side)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *producer = join (router);
  g_autofree gchar *consumer = join (router);
  g_autofree gchar *session = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *details = NULL;

  register_peer (router, producer, "\"producer\"", NULL);
  session = start_session (router, consumer, producer, producer, consumer);

  sendf (router, consumer, "{\"type\":\"endSession\",\"sessionId\":\"%s\"}",
      session);
  text = g_strdup_printf ("{\"type\":\"endSession\",\"sessionId\":\"%s\"}",
      session);
  expect_text (producer, text);
  fail_unless_equals_int (rtc_signal_router_get_n_sessions (router), 0);
  expect_nothing ();

  /* ended is gone: a second end is not answered (gstwebrtc-api answers
   * every endSession with its own, issue 11.3, as the reference server
   * only logs it), late ICE is an error */
  sendf (router, producer, "{\"type\":\"endSession\",\"sessionId\":\"%s\"}",
      session);
  expect_nothing ();
  sendf (router, producer, "{\"type\":\"endSession\",\"sessionId\":"
      "\"never-existed\"}");
  expect_nothing ();
  details = g_strdup_printf ("Session with ID '%s' not found", session);
  sendf (router, consumer, "{\"type\":\"peer\",\"sessionId\":\"%s\","
      "\"ice\":{\"candidate\":\"\",\"sdpMLineIndex\":0}}", session);
  expect_error (consumer, details);
  expect_nothing ();
}

GST_END_TEST;

GST_START_TEST (test_protocol_version_and_end_session_v1_1)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *v11 = join (router);
  g_autofree gchar *v10 = join (router);
  g_autofree gchar *late = join (router);
  g_autofree gchar *s1 = NULL;
  g_autofree gchar *s2 = NULL;
  g_autofree gchar *text = NULL;
  Sent *sent;

  sendf (router, v11, "{\"type\":\"setProtocolVersion\",\"version\":"
      "\"v1_1\"}");
  sendf (router, v10, "{\"type\":\"setProtocolVersion\",\"version\":"
      "\"v1_0\"}");
  expect_nothing ();

  /* only as the first message */
  sendf (router, late, "{\"type\":\"list\"}");
  sent_free (pop_for (late, RTC_MESSAGE_LIST));
  sendf (router, late, "{\"type\":\"setProtocolVersion\",\"version\":"
      "\"v1_1\"}");
  expect_error (late, "Protocol version selection must be the first "
      "message");
  g_free (late);
  late = join (router);
  sendf (router, late, "{\"type\":\"setProtocolVersion\",\"version\":"
      "\"v2\"}");
  expect_error (late, "Unsupported protocol version 'v2', expected 'v1_0' "
      "or 'v1_1'");

  register_peer (router, v11, "\"producer\"", NULL);
  register_peer (router, v10, "\"producer\"", NULL);

  /* endSessionV1_1 needs v1_1 */
  s1 = start_session (router, v10, v11, v11, v10);
  sendf (router, v10, "{\"type\":\"endSessionV1_1\",\"sessionId\":\"%s\","
      "\"error\":null}", s1);
  expect_error (v10, "endSessionV1_1 requires protocol version v1_1, "
      "selected with setProtocolVersion");

  /* a v1.0 peer ending: the v1.1 side gets endSessionV1_1 */
  sendf (router, v10, "{\"type\":\"endSession\",\"sessionId\":\"%s\"}", s1);
  text = g_strdup_printf ("{\"type\":\"endSessionV1_1\",\"sessionId\":"
      "\"%s\",\"error\":null}", s1);
  expect_text (v11, text);

  /* a v1.1 peer ending with a reason: the v1.0 side gets endSession */
  s2 = start_session (router, v11, v10, v10, v11);
  sendf (router, v11, "{\"type\":\"endSessionV1_1\",\"sessionId\":\"%s\","
      "\"error\":\"camera unplugged\"}", s2);
  sent = pop_for (v10, RTC_MESSAGE_END_SESSION);
  fail_unless_equals_string (sent->msg->session_id, s2);
  sent_free (sent);
  expect_nothing ();

  /* between two v1.1 peers the reason travels */
  g_free (late);
  late = join (router);
  sendf (router, late, "{\"type\":\"setProtocolVersion\",\"version\":"
      "\"v1_1\"}");
  g_free (s2);
  s2 = start_session (router, late, v11, v11, late);
  sendf (router, late, "{\"type\":\"endSessionV1_1\",\"sessionId\":\"%s\","
      "\"error\":\"bye\"}", s2);
  sent = pop_for (v11, RTC_MESSAGE_END_SESSION_V1_1);
  fail_unless_equals_string (sent->msg->error, "bye");
  sent_free (sent);
  expect_nothing ();
}

GST_END_TEST;

GST_START_TEST (test_disconnect_ends_sessions_and_announces_departure)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *listener = join (router);
  g_autofree gchar *producer = join (router);
  g_autofree gchar *c10 = join (router);
  g_autofree gchar *c11 = join (router);
  g_autofree gchar *unregistered = join (router);
  g_autofree gchar *s10 = NULL;
  g_autofree gchar *s11 = NULL;
  g_autofree gchar *text = NULL;
  Sent *sent;

  sendf (router, c11, "{\"type\":\"setProtocolVersion\",\"version\":"
      "\"v1_1\"}");
  register_peer (router, listener, "\"listener\"", NULL);
  sendf (router, producer, "{\"type\":\"setPeerStatus\",\"roles\":"
      "[\"producer\"],\"meta\":{\"name\":\"cam\"}}");
  drain ();
  s10 = start_session (router, c10, producer, producer, c10);
  s11 = start_session (router, c11, producer, producer, c11);

  rtc_signal_router_remove_peer (router, producer);
  text = g_strdup_printf ("{\"type\":\"endSession\",\"sessionId\":\"%s\"}",
      s10);
  expect_text (c10, text);
  g_free (text);
  text = g_strdup_printf ("{\"type\":\"endSessionV1_1\",\"sessionId\":\"%s\","
      "\"error\":null}", s11);
  expect_text (c11, text);
  g_free (text);
  text = g_strdup_printf ("{\"type\":\"peerStatusChanged\",\"roles\":[],"
      "\"meta\":{\"name\":\"cam\"},\"peerId\":\"%s\"}", producer);
  expect_text (listener, text);
  expect_nothing ();
  fail_unless_equals_int (rtc_signal_router_get_n_sessions (router), 0);
  fail_unless_equals_int (rtc_signal_router_get_n_peers (router), 4);

  /* the departed peer is unknown now */
  sendf (router, c10, "{\"type\":\"startSession\",\"peerId\":\"%s\"}",
      producer);
  sent = pop_for (c10, RTC_MESSAGE_ERROR);
  sent_free (sent);

  /* a peer that never registered leaves silently; removal is idempotent */
  rtc_signal_router_remove_peer (router, unregistered);
  rtc_signal_router_remove_peer (router, unregistered);
  rtc_signal_router_remove_peer (router, "never-existed");
  expect_nothing ();
  fail_unless_equals_int (rtc_signal_router_get_n_peers (router), 3);

  /* messages from a removed peer are dropped */
  sendf (router, producer, "{\"type\":\"list\"}");
  expect_nothing ();
}

GST_END_TEST;

GST_START_TEST (test_dropping_a_role_ends_that_side_of_sessions)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *a = join (router);
  g_autofree gchar *b = join (router);
  g_autofree gchar *as_producer = NULL;
  g_autofree gchar *as_consumer = NULL;
  Sent *sent;

  register_peer (router, a, "\"producer\",\"consumer\"", NULL);
  register_peer (router, b, "\"producer\",\"consumer\"", NULL);
  as_producer = start_session (router, b, a, a, b);
  as_consumer = start_session (router, a, b, b, a);

  register_peer (router, a, "\"consumer\"", NULL);
  sent = pop_for (b, RTC_MESSAGE_END_SESSION);
  fail_unless_equals_string (sent->msg->session_id, as_producer);
  sent_free (sent);
  expect_nothing ();
  fail_unless_equals_int (rtc_signal_router_get_n_sessions (router), 1);
}

GST_END_TEST;

GST_START_TEST (test_rooms_are_isolated)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *a1 = join (router);
  g_autofree gchar *a2 = join (router);
  g_autofree gchar *b1 = join (router);
  g_autofree gchar *d1 = join (router);
  g_autofree gchar *a_session = NULL;
  g_autofree gchar *details = NULL;
  g_autofree gchar *text = NULL;
  const gchar *mesh = "\"producer\",\"consumer\",\"listener\"";
  Sent *sent;
  RtcPeerInfo *info;

  register_peer (router, a1, mesh, "a");
  sent_free (pop_for (a1, RTC_MESSAGE_PEER_STATUS_CHANGED));
  register_peer (router, a2, mesh, "a");
  sent_free (pop_for (a1, RTC_MESSAGE_PEER_STATUS_CHANGED));
  sent_free (pop_for (a2, RTC_MESSAGE_PEER_STATUS_CHANGED));
  /* b1 and d1 arrive: nobody of room a hears of them */
  register_peer (router, b1, mesh, "b");
  sent = pop_for (b1, RTC_MESSAGE_PEER_STATUS_CHANGED);
  fail_unless_equals_string (sent->msg->peer_id, b1);
  sent_free (sent);
  register_peer (router, d1, mesh, NULL);
  sent = pop_for (d1, RTC_MESSAGE_PEER_STATUS_CHANGED);
  fail_unless_equals_string (sent->msg->peer_id, d1);
  sent_free (sent);
  expect_nothing ();

  /* lists show the own scope only */
  sendf (router, a1, "{\"type\":\"list\"}");
  sent = pop_for (a1, RTC_MESSAGE_LIST);
  fail_unless_equals_int (sent->msg->peers->len, 2);
  info = g_ptr_array_index (sent->msg->peers, 0);
  fail_unless_equals_string (rtc_meta_get_room (info->meta), "a");
  info = g_ptr_array_index (sent->msg->peers, 1);
  fail_unless_equals_string (rtc_meta_get_room (info->meta), "a");
  sent_free (sent);
  sendf (router, d1, "{\"type\":\"listConsumers\"}");
  sent = pop_for (d1, RTC_MESSAGE_LIST_CONSUMERS);
  fail_unless_equals_int (sent->msg->peers->len, 1);
  fail_unless_equals_string (((RtcPeerInfo *) g_ptr_array_index
          (sent->msg->peers, 0))->id, d1);
  sent_free (sent);

  /* another room's peer is answered exactly like an unknown one */
  sendf (router, a1, "{\"type\":\"startSession\",\"peerId\":\"%s\"}", b1);
  details = g_strdup_printf ("Peer with ID '%s' not found", b1);
  expect_error (a1, details);
  g_free (details);
  sendf (router, d1, "{\"type\":\"startSession\",\"peerId\":\"%s\"}", a2);
  details = g_strdup_printf ("Peer with ID '%s' not found", a2);
  expect_error (d1, details);
  expect_nothing ();
  fail_unless_equals_int (rtc_signal_router_get_n_sessions (router), 0);

  /* within the room it works */
  a_session = start_session (router, a1, a2, a2, a1);

  /* b1 leaving is not heard in room a */
  rtc_signal_router_remove_peer (router, b1);
  expect_nothing ();

  /* a2 moving to room b: its session ends, room a hears it left, room b
   * (now empty) has no listener, and d1 in the default scope hears
   * nothing */
  register_peer (router, a2, mesh, "b");
  sent = pop_for (a1, RTC_MESSAGE_END_SESSION);
  fail_unless_equals_string (sent->msg->session_id, a_session);
  sent_free (sent);
  text = g_strdup_printf ("{\"type\":\"peerStatusChanged\",\"roles\":[],"
      "\"meta\":{\"room\":\"a\"},\"peerId\":\"%s\"}", a2);
  expect_text (a1, text);
  sent = pop_for (a2, RTC_MESSAGE_PEER_STATUS_CHANGED);
  fail_unless_equals_string (rtc_meta_get_room (sent->msg->meta), "b");
  sent_free (sent);
  expect_nothing ();
}

GST_END_TEST;

/* The mesh flow of docs/protocol.md with N = 3: every pair sees each other,
 * the lower id starts ONE session naming the higher, which offers. */
GST_START_TEST (test_mesh_of_three_makes_one_session_per_pair)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  const gchar *mesh = "\"producer\",\"consumer\",\"listener\"";
  gchar *ids[3];
  guint i, j, n_sessions = 0;

  for (i = 0; i < 3; i++) {
    ids[i] = join (router);
    register_peer (router, ids[i], mesh, "room1");
    /* each newcomer lists who is already there */
    sendf (router, ids[i], "{\"type\":\"list\"}");
  }

  /* every participant learnt of every other, by list or notification */
  for (i = 0; i < 3; i++) {
    for (j = 0; j < 3; j++) {
      GList *l;
      gboolean seen = FALSE;

      for (l = outbox.head; l && !seen; l = l->next) {
        Sent *sent = l->data;
        guint k;

        if (!g_str_equal (sent->to, ids[i]))
          continue;
        if (sent->msg->type == RTC_MESSAGE_PEER_STATUS_CHANGED)
          seen = g_str_equal (sent->msg->peer_id, ids[j]);
        for (k = 0; sent->msg->peers && k < sent->msg->peers->len; k++)
          seen |= g_str_equal (((RtcPeerInfo *)
                  g_ptr_array_index (sent->msg->peers, k))->id, ids[j]);
      }
      fail_unless (seen, "%u never learnt of %u", i, j);
    }
  }
  drain ();

  for (i = 0; i < 3; i++) {
    for (j = 0; j < 3; j++) {
      g_autofree gchar *session = NULL;
      g_autofree gchar *answer = NULL;

      if (strcmp (ids[i], ids[j]) >= 0)
        continue;
      /* i sorts lower: it names j; j (named, producer side) offers */
      session = start_session (router, ids[i], ids[j], ids[j], ids[i]);
      sendf (router, ids[j], "{\"type\":\"peer\",\"sessionId\":\"%s\","
          "\"sdp\":{\"type\":\"offer\",\"sdp\":\"o\"}}", session);
      sent_free (pop_for (ids[i], RTC_MESSAGE_PEER));
      sendf (router, ids[i], "{\"type\":\"peer\",\"sessionId\":\"%s\","
          "\"sdp\":{\"type\":\"answer\",\"sdp\":\"a\"}}", session);
      sent_free (pop_for (ids[j], RTC_MESSAGE_PEER));
      n_sessions++;
    }
  }
  expect_nothing ();
  fail_unless_equals_int (n_sessions, 3);
  fail_unless_equals_int (rtc_signal_router_get_n_sessions (router), 3);

  /* one leaves: the two others each lose one session and hear of it */
  rtc_signal_router_remove_peer (router, ids[0]);
  for (i = 1; i < 3; i++)
    fail_unless_equals_int (count_for (ids[i]), 2);
  drain ();
  fail_unless_equals_int (rtc_signal_router_get_n_sessions (router), 1);

  for (i = 0; i < 3; i++)
    g_free (ids[i]);
}

GST_END_TEST;

GST_START_TEST (test_bad_input_gets_an_error_and_the_peer_stays)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *a = join (router);
  static const struct
  {
    const gchar *text;
    const gchar *details;
  } cases[] = {
    {"", "malformed JSON: empty message"},
    {"[1,2]", "message is not a JSON object"},
    {"{\"type\":\"hello\"}", "unknown message type 'hello'"},
    {"{\"sessionId\":\"s\"}", "field 'type' missing"},
    {"{\"type\":\"peer\",\"ice\":{}}", "field 'sessionId' missing in 'peer'"},
    {"{\"type\":\"setPeerStatus\",\"roles\":\"producer\"}",
        "field 'roles' in 'setPeerStatus' must be an array of strings"},
    {"{\"type\":\"welcome\",\"peerId\":\"me\"}",
        "Unexpected message type 'welcome' from a peer"},
    {"{\"type\":\"sessionStarted\",\"peerId\":\"x\",\"sessionId\":\"s\"}",
        "Unexpected message type 'sessionStarted' from a peer"},
    {"{\"type\":\"iceServers\",\"iceServers\":[]}",
        "Unexpected message type 'iceServers' from a peer"},
    {"{\"type\":\"error\",\"details\":\"x\"}",
        "Unexpected message type 'error' from a peer"},
  };
  guint i;
  Sent *sent;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    rtc_signal_router_handle_text (router, a, cases[i].text, -1);
    expect_error (a, cases[i].details);
    expect_nothing ();
  }

  /* not JSON at all, and a length that cuts the text */
  rtc_signal_router_handle_text (router, a, "{\"type\":\"list\"}", 5);
  sent = pop_for (a, RTC_MESSAGE_ERROR);
  fail_unless (g_str_has_prefix (sent->msg->details, "malformed JSON: "));
  sent_free (sent);

  /* still served */
  rtc_signal_router_handle_text (router, a, "{\"type\":\"list\"}", -1);
  sent_free (pop_for (a, RTC_MESSAGE_LIST));
  expect_nothing ();
  fail_unless_equals_int (rtc_signal_router_get_n_peers (router), 1);
}

GST_END_TEST;

/* Resumable peers: join with a token, as rtcsignaller does. */
static gboolean last_welcome_kept_sessions;

static gchar *
join_resumable (RtcSignalRouter * router, const gchar * peer_id,
    const gchar * token)
{
  gpointer replaced = NULL;
  gchar *id = rtc_signal_router_add_peer_resuming (router, &outbox, peer_id,
      token, &replaced);
  Sent *welcome = pop_for (id, RTC_MESSAGE_WELCOME);

  fail_unless (replaced == NULL);
  /* the extension member is only there when true */
  last_welcome_kept_sessions = welcome->msg->sessions_kept;
  fail_unless_equals_int (strstr (welcome->text, "meshrtcSessionsKept") !=
      NULL, last_welcome_kept_sessions);
  sent_free (welcome);
  return id;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
run_for_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Issue 7.4: media must not depend on the server, so an abrupt drop keeps
 * the sessions for the grace period and a resume takes them over without
 * anyone being told anything. */
GST_START_TEST (test_dropped_peer_resumes_within_grace_silently)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *listener = join (router);
  g_autofree gchar *producer = join_resumable (router, NULL, "secret-1");
  g_autofree gchar *consumer = join (router);
  g_autofree gchar *again = NULL;
  g_autofree gchar *session = NULL;
  Sent *sent;

  register_peer (router, listener, "\"listener\"", NULL);
  register_peer (router, producer, "\"producer\"", NULL);
  drain ();
  session = start_session (router, consumer, producer, producer, consumer);

  rtc_signal_router_set_reconnect_grace (router, 60000);
  rtc_signal_router_drop_peer (router, producer);
  expect_nothing ();
  fail_unless_equals_int (rtc_signal_router_get_n_sessions (router), 1);

  /* messages for the absent peer are dropped, not errors */
  sendf (router, consumer, "{\"type\":\"peer\",\"sessionId\":\"%s\","
      "\"ice\":{\"candidate\":\"c\",\"sdpMLineIndex\":0}}", session);
  expect_nothing ();
  /* ... and it takes no new session meanwhile */
  sendf (router, listener, "{\"type\":\"startSession\",\"peerId\":\"%s\"}",
      producer);
  sent_free (pop_for (listener, RTC_MESSAGE_ERROR));

  again = join_resumable (router, producer, "secret-1");
  fail_unless_equals_string (again, producer);
  /* welcome says the sessions are still there */
  fail_unless (last_welcome_kept_sessions);
  /* a new connection may select its protocol version again */
  sendf (router, producer, "{\"type\":\"setProtocolVersion\",\"version\":"
      "\"v1_1\"}");
  register_peer (router, producer, "\"producer\"", NULL);
  expect_nothing ();

  /* the session lives on in both directions */
  sendf (router, producer, "{\"type\":\"peer\",\"sessionId\":\"%s\","
      "\"ice\":{\"candidate\":\"c\",\"sdpMLineIndex\":0}}", session);
  sent_free (pop_for (consumer, RTC_MESSAGE_PEER));
  sendf (router, consumer, "{\"type\":\"peer\",\"sessionId\":\"%s\","
      "\"ice\":{\"candidate\":\"c\",\"sdpMLineIndex\":0}}", session);
  sent = pop_for (producer, RTC_MESSAGE_PEER);
  sent_free (sent);
  expect_nothing ();
  fail_unless_equals_int (rtc_signal_router_get_n_sessions (router), 1);
}

GST_END_TEST;

GST_START_TEST (test_dropped_peer_that_does_not_return_ends_after_grace)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *listener = join (router);
  g_autofree gchar *producer = join_resumable (router, NULL, "secret-2");
  g_autofree gchar *consumer = join (router);
  g_autofree gchar *session = NULL;
  g_autofree gchar *text = NULL;

  register_peer (router, listener, "\"listener\"", NULL);
  register_peer (router, producer, "\"producer\"", NULL);
  drain ();
  session = start_session (router, consumer, producer, producer, consumer);

  rtc_signal_router_set_reconnect_grace (router, 100);
  rtc_signal_router_drop_peer (router, producer);
  expect_nothing ();
  run_for_ms (300);

  text = g_strdup_printf ("{\"type\":\"endSession\",\"sessionId\":\"%s\"}",
      session);
  expect_text (consumer, text);
  g_free (text);
  text = g_strdup_printf ("{\"type\":\"peerStatusChanged\",\"roles\":[],"
      "\"meta\":null,\"peerId\":\"%s\"}", producer);
  expect_text (listener, text);
  expect_nothing ();
  fail_unless_equals_int (rtc_signal_router_get_n_sessions (router), 0);
  fail_unless_equals_int (rtc_signal_router_get_n_peers (router), 2);

  /* too late: the id comes back (it is a free UUID), the session not */
  g_free (join_resumable (router, producer, "secret-2"));
  fail_unless_equals_int (rtc_signal_router_get_n_sessions (router), 0);
}

GST_END_TEST;

GST_START_TEST (test_resume_needs_the_same_token)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *producer = join_resumable (router, NULL, "right");
  g_autofree gchar *consumer = join (router);
  g_autofree gchar *thief = NULL;
  g_autofree gchar *plain = NULL;
  g_autofree gchar *session = NULL;

  register_peer (router, producer, "\"producer\"", NULL);
  session = start_session (router, consumer, producer, producer, consumer);
  rtc_signal_router_set_reconnect_grace (router, 60000);
  rtc_signal_router_drop_peer (router, producer);

  thief = join_resumable (router, producer, "wrong");
  fail_if (g_str_equal (thief, producer));
  plain = join_resumable (router, producer, NULL);
  fail_if (g_str_equal (plain, producer));
  expect_nothing ();
  fail_unless_equals_int (rtc_signal_router_get_n_sessions (router), 1);

  /* a peer that never presented a token cannot resume: dropped, it ends
   * at once */
  rtc_signal_router_remove_peer (router, producer);
  drain ();
  g_free (session);
  register_peer (router, thief, "\"producer\"", NULL);
  session = start_session (router, plain, thief, thief, plain);
  rtc_signal_router_drop_peer (router, plain);
  sent_free (pop_for (thief, RTC_MESSAGE_END_SESSION));
  expect_nothing ();
}

GST_END_TEST;

GST_START_TEST (test_resume_replaces_a_connection_not_yet_noticed_dropped)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *producer = join_resumable (router, NULL, "tok");
  g_autofree gchar *consumer = join (router);
  g_autofree gchar *session = NULL;
  g_autofree gchar *again = NULL;
  gpointer replaced = NULL;

  register_peer (router, producer, "\"producer\"", NULL);
  session = start_session (router, consumer, producer, producer, consumer);

  again = rtc_signal_router_add_peer_resuming (router, &outbox, producer,
      "tok", &replaced);
  fail_unless_equals_string (again, producer);
  fail_unless (replaced == &outbox);
  sent_free (pop_for (producer, RTC_MESSAGE_WELCOME));
  expect_nothing ();
  fail_unless_equals_int (rtc_signal_router_get_n_sessions (router), 1);
}

GST_END_TEST;

/* After a server restart the client presents an id the server never saw:
 * a well-formed UUID not in use is given back, anything else is not. */
GST_START_TEST (test_unknown_former_id_is_given_back_if_free)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  const gchar *former = "0b6f4d3c-1c2e-4b8a-9f7d-2a5e8c1d3f40";
  g_autofree gchar *back = join_resumable (router, former, "t");
  /* the id only: this server knows none of its sessions */
  gboolean kept = last_welcome_kept_sessions;
  g_autofree gchar *taken = join_resumable (router, former, "other");
  g_autofree gchar *bogus = join_resumable (router, "not-a-uuid", "t");

  fail_unless_equals_string (back, former);
  fail_if (kept);
  fail_if (g_str_equal (taken, former));
  fail_unless (g_uuid_string_is_valid (bogus));
  expect_nothing ();
}

GST_END_TEST;

GST_START_TEST (test_session_and_meta_limits)
{
  g_autoptr (RtcSignalRouter) router = new_router ();
  g_autofree gchar *producer = join (router);
  g_autofree gchar *consumer = join (router);
  g_autofree gchar *big = g_strnfill (200, 'x');
  guint i;

  rtc_signal_router_set_limits (router, 2, 100);
  register_peer (router, producer, "\"producer\"", NULL);
  for (i = 0; i < 2; i++)
    g_free (start_session (router, consumer, producer, producer, consumer));
  sendf (router, consumer, "{\"type\":\"startSession\",\"peerId\":\"%s\"}",
      producer);
  expect_error (consumer, "Too many sessions: a peer may have at most 2");
  fail_unless_equals_int (rtc_signal_router_get_n_sessions (router), 2);

  sendf (router, consumer, "{\"type\":\"setPeerStatus\",\"roles\":"
      "[\"listener\"],\"meta\":{\"name\":\"%s\"}}", big);
  expect_error (consumer, "meta is larger than 100 bytes");
  /* ignored: it is not registered */
  sendf (router, producer, "{\"type\":\"startSession\",\"peerId\":\"%s\"}",
      consumer);
  sent_free (pop_for (producer, RTC_MESSAGE_ERROR));
  expect_nothing ();
}

GST_END_TEST;

static void
count_notify (gpointer data)
{
  (*(guint *) data)++;
}

GST_START_TEST (test_free_releases_user_data_and_state)
{
  guint notified = 0;
  RtcSignalRouter *router = rtc_signal_router_new (collect, &notified,
      count_notify);
  g_autofree gchar *a = join (router);
  g_autofree gchar *b = join (router);
  g_autofree gchar *session = NULL;

  register_peer (router, a, "\"producer\"", NULL);
  session = start_session (router, b, a, a, b);
  rtc_signal_router_free (router);
  fail_unless_equals_int (notified, 1);
  expect_nothing ();
}

GST_END_TEST;

static void
teardown (void)
{
  drain ();
}

static Suite *
signalrouter_suite (void)
{
  Suite *s = suite_create ("rtcsignalrouter");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, NULL, teardown);
  tcase_add_test (tc, test_new_peer_gets_welcome_with_fresh_uuid);
  tcase_add_test (tc, test_ice_servers_only_to_registered_peers_that_asked);
  tcase_add_test (tc,
      test_set_peer_status_notifies_listeners_with_server_peer_id);
  tcase_add_test (tc, test_list_and_list_consumers_answer_sorted_with_meta);
  tcase_add_test (tc, test_consumer_starts_session_with_producer);
  tcase_add_test (tc, test_producer_starts_session_with_passive_consumer);
  tcase_add_test (tc, test_start_session_errors);
  tcase_add_test (tc, test_peer_messages_relay_only_within_their_session);
  tcase_add_test (tc, test_end_session_tells_the_other_side);
  tcase_add_test (tc, test_protocol_version_and_end_session_v1_1);
  tcase_add_test (tc, test_disconnect_ends_sessions_and_announces_departure);
  tcase_add_test (tc, test_dropping_a_role_ends_that_side_of_sessions);
  tcase_add_test (tc, test_rooms_are_isolated);
  tcase_add_test (tc, test_mesh_of_three_makes_one_session_per_pair);
  tcase_add_test (tc, test_bad_input_gets_an_error_and_the_peer_stays);
  tcase_add_test (tc, test_free_releases_user_data_and_state);
  tcase_add_test (tc, test_dropped_peer_resumes_within_grace_silently);
  tcase_add_test (tc, test_dropped_peer_that_does_not_return_ends_after_grace);
  tcase_add_test (tc, test_resume_needs_the_same_token);
  tcase_add_test (tc, test_resume_replaces_a_connection_not_yet_noticed_dropped);
  tcase_add_test (tc, test_unknown_former_id_is_given_back_if_free);
  tcase_add_test (tc, test_session_and_meta_limits);
  return s;
}

GST_CHECK_MAIN (signalrouter);
