/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Real-socket tests of RtcSignallingServer with libsoup WebSocket clients
 * in the same main context. Run inside a loopback-only network namespace
 * (see tests/check/meson.build); the server listens on 127.0.0.1, port 0.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <libsoup/soup.h>

#include "rtcprotocol.h"
#include "rtcsignallingserver.h"
#include "rtcsignaller.h"
#include "rtcviewerresources.h"

/* every wait is bounded by this */
#define WAIT_MS 5000

typedef struct
{
  SoupWebsocketConnection *conn;
  GQueue received;              /* of gchar* */
  gboolean connect_done;
  guint http_status;
  gboolean closed;
  gushort close_code;
  gchar *peer_id;
} Client;

static SoupSession *session;

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the default main context until *@flag is TRUE or WAIT_MS passed. */
static gboolean
wait_for (gboolean * flag)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (WAIT_MS, timeout_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return *flag;
}

/* Runs pending work for a short while, to let unwanted messages arrive. */
static void
settle (void)
{
  gboolean done = FALSE;

  g_timeout_add (100, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
on_client_message (SoupWebsocketConnection * conn, gint type,
    GBytes * message, Client * client)
{
  gsize size;
  const gchar *data = g_bytes_get_data (message, &size);

  fail_unless_equals_int (type, SOUP_WEBSOCKET_DATA_TEXT);
  g_queue_push_tail (&client->received, g_strndup (data, size));
}

static void
on_client_closed (SoupWebsocketConnection * conn, Client * client)
{
  client->close_code = soup_websocket_connection_get_close_code (conn);
  client->closed = TRUE;
}

static void
connected_cb (GObject * source, GAsyncResult * result, gpointer data)
{
  Client *client = data;
  SoupMessage *msg = soup_session_get_async_result_message (session, result);

  client->conn = soup_session_websocket_connect_finish (session, result, NULL);
  client->http_status = soup_message_get_status (msg);
  if (client->conn) {
    /* big enough for the size-limit test's message */
    soup_websocket_connection_set_max_incoming_payload_size (client->conn,
        1 << 20);
    g_signal_connect (client->conn, "message",
        G_CALLBACK (on_client_message), client);
    g_signal_connect (client->conn, "closed", G_CALLBACK (on_client_closed),
        client);
  }
  client->connect_done = TRUE;
}

/* Connects to ws://127.0.0.1:@port@path_query; @bearer adds the
 * Authorization header. Returns the client even if refused (conn NULL). */
static Client *
client_try_connect (guint port, const gchar * path_query, const gchar * bearer)
{
  Client *client = g_new0 (Client, 1);
  g_autofree gchar *uri = g_strdup_printf ("ws://127.0.0.1:%u%s", port,
      path_query ? path_query : "/");
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, uri);

  g_queue_init (&client->received);
  if (bearer) {
    g_autofree gchar *value = g_strdup_printf ("Bearer %s", bearer);

    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "Authorization", value);
  }
  soup_session_websocket_connect_async (session, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, connected_cb, client);
  fail_unless (wait_for (&client->connect_done), "connect timed out");
  return client;
}

static void
client_free (Client * client)
{
  if (client->conn) {
    g_signal_handlers_disconnect_by_data (client->conn, client);
    if (soup_websocket_connection_get_state (client->conn) ==
        SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close (client->conn,
          SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    g_object_unref (client->conn);
  }
  g_queue_clear_full (&client->received, g_free);
  g_free (client->peer_id);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free);

static gboolean
has_message (Client * client)
{
  return !g_queue_is_empty (&client->received) || client->closed;
}

/* The next message, which must be of @type. */
static RtcMessage *
client_expect (Client * client, RtcMessageType type)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (WAIT_MS, timeout_cb, &timed_out);
  g_autofree gchar *text = NULL;
  GError *error = NULL;
  RtcMessage *msg;

  while (!has_message (client) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  fail_if (g_queue_is_empty (&client->received), "no %s (closed: %d)",
      rtc_message_type_to_string (type), client->closed);

  text = g_queue_pop_head (&client->received);
  msg = rtc_message_parse (text, -1, &error);
  fail_unless (msg != NULL, "server sent invalid %s: %s", text,
      error ? error->message : "");
  fail_unless_equals_string (rtc_message_type_to_string (msg->type),
      rtc_message_type_to_string (type));
  return msg;
}

static void
client_expect_error (Client * client, const gchar * details)
{
  g_autoptr (RtcMessage) msg = client_expect (client, RTC_MESSAGE_ERROR);

  if (details)
    fail_unless_equals_string (msg->details, details);
}

static void
client_send (Client * client, const gchar * format, ...)
G_GNUC_PRINTF (2, 3);

     static void client_send (Client * client, const gchar * format, ...)
{
  g_autofree gchar *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  soup_websocket_connection_send_text (client->conn, text);
}

/* A connected client whose welcome has arrived. */
static Client *
client_connect_with (guint port, const gchar * path_query, const gchar * bearer)
{
  Client *client = client_try_connect (port, path_query, bearer);
  g_autoptr (RtcMessage) welcome = NULL;

  fail_unless (client->conn != NULL, "connection refused: HTTP %u",
      client->http_status);
  welcome = client_expect (client, RTC_MESSAGE_WELCOME);
  fail_unless (g_uuid_string_is_valid (welcome->peer_id));
  client->peer_id = g_strdup (welcome->peer_id);
  return client;
}

static Client *
client_connect (guint port)
{
  return client_connect_with (port, NULL, NULL);
}

static RtcSignallingServer *
start_server (const gchar * first_property, ...)
{
  RtcSignallingServer *server = rtc_signalling_server_new ("127.0.0.1", 0);
  GError *error = NULL;
  va_list args;

  va_start (args, first_property);
  if (first_property)
    g_object_set_valist (G_OBJECT (server), first_property, args);
  va_end (args);

  fail_unless (rtc_signalling_server_start (server, &error), "start: %s",
      error ? error->message : "");
  fail_unless (rtc_signalling_server_get_port (server) > 0);
  return server;
}

/* Closes every connection, waiting (bounded) for the handshakes, then
 * frees the server. */
static void
stop_server (RtcSignallingServer * server)
{
  gboolean timed_out = FALSE;
  guint id;

  rtc_signalling_server_stop (server);
  id = g_timeout_add (WAIT_MS, timeout_cb, &timed_out);
  while (rtc_signalling_server_get_n_connections (server) > 0 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  fail_unless_equals_int (rtc_signalling_server_get_n_connections (server), 0);
  g_object_unref (server);
}

/* Two fresh clients on @port (with @path_query, for tokens) go through a
 * whole producer/consumer exchange: register, list, startSession, offer,
 * answer, ICE both ways, endSession. */
static void
full_exchange (guint port, const gchar * path_query, const gchar * room)
{
  g_autoptr (Client) producer = client_connect_with (port, path_query, NULL);
  g_autoptr (Client) consumer = client_connect_with (port, path_query, NULL);
  g_autoptr (RtcMessage) list = NULL;
  g_autoptr (RtcMessage) started = NULL;
  g_autoptr (RtcMessage) start = NULL;
  g_autoptr (RtcMessage) offer = NULL;
  g_autoptr (RtcMessage) answer = NULL;
  g_autoptr (RtcMessage) ice1 = NULL;
  g_autoptr (RtcMessage) ice2 = NULL;
  g_autoptr (RtcMessage) end = NULL;
  g_autofree gchar *meta = room ? g_strdup_printf ("{\"room\":\"%s\"}",
      room) : g_strdup ("null");
  const gchar *session_id;
  guint i;
  gboolean found = FALSE;

  client_send (producer, "{\"type\":\"setPeerStatus\",\"roles\":"
      "[\"producer\"],\"meta\":%s,\"peerId\":null}", meta);
  client_send (consumer, "{\"type\":\"setPeerStatus\",\"roles\":"
      "[\"listener\"],\"meta\":%s,\"peerId\":null}", meta);
  /* the listener hears of itself: proves its status is set */
  {
    g_autoptr (RtcMessage) self_status = client_expect (consumer,
        RTC_MESSAGE_PEER_STATUS_CHANGED);
    fail_unless_equals_string (self_status->peer_id, consumer->peer_id);
  }

  client_send (consumer, "{\"type\":\"list\"}");
  list = client_expect (consumer, RTC_MESSAGE_LIST);
  for (i = 0; i < list->peers->len; i++)
    found |= g_str_equal (((RtcPeerInfo *) g_ptr_array_index (list->peers,
                i))->id, producer->peer_id);
  fail_unless (found, "producer not listed");

  client_send (consumer, "{\"type\":\"startSession\",\"peerId\":\"%s\","
      "\"offer\":null}", producer->peer_id);
  started = client_expect (consumer, RTC_MESSAGE_SESSION_STARTED);
  start = client_expect (producer, RTC_MESSAGE_START_SESSION);
  session_id = started->session_id;
  fail_unless_equals_string (start->session_id, session_id);
  fail_unless_equals_string (started->peer_id, producer->peer_id);
  fail_unless_equals_string (start->peer_id, consumer->peer_id);

  client_send (producer, "{\"type\":\"peer\",\"sessionId\":\"%s\","
      "\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}}", session_id);
  offer = client_expect (consumer, RTC_MESSAGE_PEER);
  fail_unless_equals_string (offer->sdp_type, "offer");
  fail_unless_equals_string (offer->sdp, "v=0\r\n");

  client_send (consumer, "{\"type\":\"peer\",\"sessionId\":\"%s\","
      "\"sdp\":{\"type\":\"answer\",\"sdp\":\"v=0\\r\\n\"}}", session_id);
  answer = client_expect (producer, RTC_MESSAGE_PEER);
  fail_unless_equals_string (answer->sdp_type, "answer");

  client_send (producer, "{\"type\":\"peer\",\"sessionId\":\"%s\",\"ice\":"
      "{\"candidate\":\"candidate:1 1 UDP 1 127.0.0.1 5000 typ host\","
      "\"sdpMLineIndex\":0}}", session_id);
  ice1 = client_expect (consumer, RTC_MESSAGE_PEER);
  fail_unless (ice1->has_ice);
  client_send (consumer, "{\"type\":\"peer\",\"sessionId\":\"%s\",\"ice\":"
      "{\"candidate\":\"candidate:2 1 UDP 1 127.0.0.1 5001 typ host\","
      "\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"usernameFragment\":\"x\"}}",
      session_id);
  ice2 = client_expect (producer, RTC_MESSAGE_PEER);
  fail_unless_equals_string (ice2->candidate,
      "candidate:2 1 UDP 1 127.0.0.1 5001 typ host");

  client_send (consumer, "{\"type\":\"endSession\",\"sessionId\":\"%s\"}",
      session_id);
  end = client_expect (producer, RTC_MESSAGE_END_SESSION);
  fail_unless_equals_string (end->session_id, session_id);
}

GST_START_TEST (test_producer_consumer_flow)
{
  RtcSignallingServer *server = start_server (NULL);

  full_exchange (rtc_signalling_server_get_port (server), NULL, NULL);
  /* both clients of the exchange have gone */
  settle ();
  fail_unless_equals_int (rtc_signalling_server_get_n_connections (server), 0);
  stop_server (server);
}

GST_END_TEST;

GST_START_TEST (test_disconnect_ends_session_for_the_other_side)
{
  RtcSignallingServer *server = start_server (NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autoptr (Client) producer = client_connect (port);
  g_autoptr (Client) consumer = client_connect (port);
  g_autoptr (Client) listener = client_connect (port);
  g_autoptr (RtcMessage) started = NULL;
  g_autoptr (RtcMessage) end = NULL;
  g_autoptr (RtcMessage) gone = NULL;
  g_autoptr (RtcMessage) status = NULL;

  client_send (listener, "{\"type\":\"setPeerStatus\",\"roles\":"
      "[\"listener\"]}");
  status = client_expect (listener, RTC_MESSAGE_PEER_STATUS_CHANGED);
  client_send (producer, "{\"type\":\"setPeerStatus\",\"roles\":"
      "[\"producer\"]}");
  rtc_message_free (client_expect (listener, RTC_MESSAGE_PEER_STATUS_CHANGED));
  client_send (consumer, "{\"type\":\"startSession\",\"peerId\":\"%s\"}",
      producer->peer_id);
  started = client_expect (consumer, RTC_MESSAGE_SESSION_STARTED);
  rtc_message_free (client_expect (producer, RTC_MESSAGE_START_SESSION));

  /* a close frame 1000: the producer really left, so its sessions end at
   * once (an abrupt drop would keep them for the reconnect grace) */
  soup_websocket_connection_close (producer->conn,
      SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  end = client_expect (consumer, RTC_MESSAGE_END_SESSION);
  fail_unless_equals_string (end->session_id, started->session_id);
  gone = client_expect (listener, RTC_MESSAGE_PEER_STATUS_CHANGED);
  fail_unless_equals_string (gone->peer_id, producer->peer_id);
  fail_unless_equals_int (gone->roles, RTC_ROLE_NONE);

  stop_server (server);
}

GST_END_TEST;

GST_START_TEST (test_rooms_are_isolated_over_sockets)
{
  RtcSignallingServer *server = start_server (NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autoptr (Client) a1 = client_connect (port);
  g_autoptr (Client) a2 = client_connect (port);
  g_autoptr (Client) b1 = client_connect (port);
  g_autoptr (RtcMessage) list = NULL;
  g_autofree gchar *details = NULL;
  const gchar *mesh = "[\"producer\",\"consumer\",\"listener\"]";

  client_send (a1, "{\"type\":\"setPeerStatus\",\"roles\":%s,\"meta\":"
      "{\"room\":\"a\"}}", mesh);
  rtc_message_free (client_expect (a1, RTC_MESSAGE_PEER_STATUS_CHANGED));
  client_send (b1, "{\"type\":\"setPeerStatus\",\"roles\":%s,\"meta\":"
      "{\"room\":\"b\"}}", mesh);
  rtc_message_free (client_expect (b1, RTC_MESSAGE_PEER_STATUS_CHANGED));
  client_send (a2, "{\"type\":\"setPeerStatus\",\"roles\":%s,\"meta\":"
      "{\"room\":\"a\"}}", mesh);
  rtc_message_free (client_expect (a2, RTC_MESSAGE_PEER_STATUS_CHANGED));
  {
    g_autoptr (RtcMessage) joined = client_expect (a1,
        RTC_MESSAGE_PEER_STATUS_CHANGED);
    fail_unless_equals_string (joined->peer_id, a2->peer_id);
  }

  client_send (b1, "{\"type\":\"list\"}");
  list = client_expect (b1, RTC_MESSAGE_LIST);
  fail_unless_equals_int (list->peers->len, 1);
  fail_unless_equals_string (((RtcPeerInfo *) g_ptr_array_index (list->peers,
              0))->id, b1->peer_id);

  client_send (b1, "{\"type\":\"startSession\",\"peerId\":\"%s\"}",
      a1->peer_id);
  details = g_strdup_printf ("Peer with ID '%s' not found", a1->peer_id);
  client_expect_error (b1, details);

  /* b1 leaves: room a hears nothing of it */
  soup_websocket_connection_close (b1->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  settle ();
  fail_unless (g_queue_is_empty (&a1->received));
  fail_unless (g_queue_is_empty (&a2->received));

  stop_server (server);
}

GST_END_TEST;

GST_START_TEST (test_bad_input_is_answered_and_others_are_still_served)
{
  RtcSignallingServer *server = start_server ("max-message-size", 4096,
      NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autoptr (Client) bad = client_connect (port);
  g_autoptr (Client) big = client_connect (port);
  g_autoptr (Client) bystander = client_connect (port);
  g_autoptr (GBytes) binary = g_bytes_new_static ("\x00\x01", 2);
  gchar *huge;
  gsize i;

  soup_websocket_connection_send_text (bad->conn, "{not json");
  client_expect_error (bad, NULL);
  client_send (bad, "{\"type\":\"teleport\"}");
  client_expect_error (bad, "unknown message type 'teleport'");
  client_send (bad, "{\"type\":\"peer\",\"sdp\":{\"type\":\"offer\","
      "\"sdp\":\"\"}}");
  client_expect_error (bad, "field 'sessionId' missing in 'peer'");
  client_send (bad, "{\"type\":\"setPeerStatus\",\"roles\":[7]}");
  client_expect_error (bad, "field 'roles' in 'setPeerStatus' must be an "
      "array of strings");
  client_send (bad, "{\"type\":\"peer\",\"sessionId\":\"no-such\","
      "\"ice\":{\"candidate\":\"\",\"sdpMLineIndex\":0}}");
  client_expect_error (bad, "Session with ID 'no-such' not found");
  /* not answered (issue 11.3): gstwebrtc-api answers every endSession
   * with its own; the next answer is the binary message's */
  client_send (bad, "{\"type\":\"endSession\",\"sessionId\":\"no-such\"}");
  soup_websocket_connection_send_binary (bad->conn,
      g_bytes_get_data (binary, NULL), g_bytes_get_size (binary));
  client_expect_error (bad, "binary messages are not supported");
  /* deep nesting that would crash json-glib */
  huge = g_malloc (4001);
  for (i = 0; i < 2000; i++) {
    huge[i] = '[';
    huge[2000 + i] = ']';
  }
  huge[4000] = '\0';
  soup_websocket_connection_send_text (bad->conn, huge);
  g_free (huge);
  client_expect_error (bad, "malformed JSON: nested deeper than 32 levels");
  /* still connected and served */
  fail_if (bad->closed);
  client_send (bad, "{\"type\":\"list\"}");
  rtc_message_free (client_expect (bad, RTC_MESSAGE_LIST));

  /* over max-message-size: closed with 1009, nothing else */
  huge = g_strnfill (8192, ' ');
  memcpy (huge, "{\"type\":\"list\",\"x\":\"", 20);
  huge[8190] = '"';
  huge[8191] = '}';
  soup_websocket_connection_send_text (big->conn, huge);
  g_free (huge);
  fail_unless (wait_for (&big->closed), "not closed");
  fail_unless_equals_int (big->close_code, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  fail_unless (g_queue_is_empty (&big->received));

  /* the others noticed nothing, and the server still works */
  fail_unless (g_queue_is_empty (&bystander->received));
  client_send (bystander, "{\"type\":\"listConsumers\"}");
  rtc_message_free (client_expect (bystander, RTC_MESSAGE_LIST_CONSUMERS));
  full_exchange (port, NULL, NULL);

  stop_server (server);
}

GST_END_TEST;

GST_START_TEST (test_auth_token_is_required)
{
  RtcSignallingServer *server = start_server ("auth-token", "s3cret", NULL);
  guint port = rtc_signalling_server_get_port (server);
  static const struct
  {
    const gchar *path_query;
    const gchar *bearer;
  } refused[] = {
    {NULL, NULL},
    {NULL, "wrong"},
    {NULL, "s3cre"},
    {NULL, "s3cret2"},
    {"/?token=wrong", NULL},
    {"/?token=", NULL},
    {"/?tok=s3cret", NULL},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (refused); i++) {
    g_autoptr (Client) client = client_try_connect (port,
        refused[i].path_query, refused[i].bearer);

    fail_unless (client->conn == NULL, "case %u admitted", i);
    fail_unless_equals_int (client->http_status, SOUP_STATUS_UNAUTHORIZED);
  }

  /* header form and query form are both accepted */
  {
    g_autoptr (Client) by_header = client_connect_with (port, NULL, "s3cret");
    g_autoptr (Client) by_query = client_connect_with (port,
        "/?token=s3cret", NULL);
  }
  full_exchange (port, "/?token=s3cret", NULL);

  stop_server (server);
}

GST_END_TEST;

typedef struct
{
  GBytes *bytes;
  GError *error;
  gboolean done;
} HttpResult;

static void
http_done (GObject * source, GAsyncResult * result, gpointer data)
{
  HttpResult *res = data;

  res->bytes = soup_session_send_and_read_finish (session, result, &res->error);
  res->done = TRUE;
}

/* The server runs in this thread: only the async client API works here.
 * The response headers are returned in @headers if not NULL. */
static void
http_get_full (guint port, const gchar * method, const gchar * path,
    guint expected_status, const gchar * content_type, GBytes ** body,
    SoupMessageHeaders ** headers)
{
  g_autofree gchar *uri = g_strdup_printf ("http://127.0.0.1:%u%s", port,
      path);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  HttpResult res = { NULL, };

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL,
      http_done, &res);
  fail_unless (wait_for (&res.done), "%s timed out", uri);
  fail_unless (res.bytes != NULL, "%s: %s", uri,
      res.error ? res.error->message : "");
  fail_unless_equals_int (soup_message_get_status (msg), expected_status);
  if (content_type)
    fail_unless_equals_string (soup_message_headers_get_one
        (soup_message_get_response_headers (msg), "Content-Type"),
        content_type);
  if (body)
    *body = res.bytes;
  else
    g_bytes_unref (res.bytes);
  if (headers)
    *headers = soup_message_headers_ref (soup_message_get_response_headers
        (msg));
}

static void
http_get (guint port, const gchar * method, const gchar * path,
    guint expected_status, const gchar * content_type, GBytes ** body)
{
  http_get_full (port, method, path, expected_status, content_type, body, NULL);
}

GST_START_TEST (test_viewer_page_is_served_over_plain_http)
{
  RtcSignallingServer *server = start_server (NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autoptr (GBytes) page = NULL;
  g_autoptr (GBytes) script = NULL;
  g_autoptr (GBytes) embedded_page = NULL;
  g_autoptr (GBytes) embedded_script = NULL;
  SoupMessageHeaders *headers = NULL;
  const gchar *csp;

  /* exactly the files of web/, compiled into the GResource */
  embedded_page = g_resource_lookup_data (rtc_viewer_get_resource (),
      "/org/meshrtc/viewer/index.html", G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  embedded_script = g_resource_lookup_data (rtc_viewer_get_resource (),
      "/org/meshrtc/viewer/viewer.js", G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  fail_unless (embedded_page != NULL && embedded_script != NULL);

  http_get_full (port, "GET", "/", 200, "text/html; charset=utf-8", &page,
      &headers);
  fail_unless (g_bytes_equal (page, embedded_page));
  /* no inline script or style to allow, no framing, no referrer */
  csp = soup_message_headers_get_one (headers, "Content-Security-Policy");
  fail_unless (csp != NULL);
  fail_unless (strstr (csp, "default-src 'none'") != NULL, "%s", csp);
  fail_unless (strstr (csp, "script-src 'self'") != NULL, "%s", csp);
  fail_unless (strstr (csp, "frame-ancestors 'none'") != NULL, "%s", csp);
  fail_unless (strstr (csp, "unsafe-inline") == NULL, "%s", csp);
  fail_unless_equals_string (soup_message_headers_get_one (headers,
          "X-Frame-Options"), "DENY");
  fail_unless_equals_string (soup_message_headers_get_one (headers,
          "Referrer-Policy"), "no-referrer");
  soup_message_headers_unref (headers);
  http_get (port, "GET", "/viewer.js", 200,
      "text/javascript; charset=utf-8", &script);
  fail_unless (g_bytes_equal (script, embedded_script));
  http_get (port, "GET", "/index.html", 200, "text/html; charset=utf-8", NULL);
  http_get (port, "GET", "/viewer.css", 200, "text/css; charset=utf-8", NULL);
  http_get (port, "GET", "/secret.txt", 404, NULL, NULL);
  http_get (port, "POST", "/", 405, NULL, NULL);

  /* the WebSocket endpoint on the same path still works */
  full_exchange (port, NULL, NULL);

  g_object_set (server, "serve-viewer", FALSE, NULL);
  http_get (port, "GET", "/", 426, NULL, NULL);
  http_get (port, "GET", "/viewer.js", 404, NULL, NULL);

  stop_server (server);
}

GST_END_TEST;

/* iceServers (TURN credentials) only to a registered client that asked
 * with getIceServers: unknown clients never see them, and gstwebrtc-api
 * is not sent a message it logs as an error (issue 11.4). */
GST_START_TEST (test_ice_servers_only_on_request_after_registering)
{
  RtcSignallingServer *server = start_server ("ice-servers",
      "{\"iceServers\":[{\"urls\":\"stun:127.0.0.1:3478\"}]}", NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autoptr (Client) client = client_connect (port);
  g_autoptr (Client) stranger = client_connect (port);
  g_autoptr (RtcMessage) initial = NULL;
  g_autoptr (RtcMessage) changed = NULL;
  GError *error = NULL;
  JsonObject *entry;

  /* nothing after welcome; asking before registering gives nothing yet */
  client_send (client, "{\"type\":\"getIceServers\"}");
  client_send (stranger, "{\"type\":\"getIceServers\"}");
  settle ();
  fail_unless (g_queue_is_empty (&client->received));
  fail_unless (g_queue_is_empty (&stranger->received));

  client_send (client, "{\"type\":\"setPeerStatus\",\"roles\":"
      "[\"listener\"]}");
  rtc_message_free (client_expect (client, RTC_MESSAGE_PEER_STATUS_CHANGED));
  initial = client_expect (client, RTC_MESSAGE_ICE_SERVERS);
  fail_unless_equals_int (json_array_get_length (initial->ice_servers), 1);

  fail_unless (rtc_signalling_server_set_ice_servers (server,
          "[{\"urls\":\"turn:127.0.0.1:3478\",\"username\":\"1:u\","
          "\"credential\":\"pw\"}]", &error));
  changed = client_expect (client, RTC_MESSAGE_ICE_SERVERS);
  entry = json_array_get_object_element (changed->ice_servers, 0);
  /* browsers need the real credential */
  fail_unless_equals_string (json_object_get_string_member (entry,
          "credential"), "pw");

  /* invalid: refused, nothing sent */
  fail_if (rtc_signalling_server_set_ice_servers (server,
          "[{\"urls\":\"http://example.org\"}]", &error));
  fail_unless (error != NULL);
  g_clear_error (&error);
  settle ();
  fail_unless (g_queue_is_empty (&client->received));
  /* the unregistered one never saw any of it */
  fail_unless (g_queue_is_empty (&stranger->received));

  stop_server (server);
}

GST_END_TEST;

/* Issue 7.4: media must not depend on the server. stop() used to end
 * every session (one side got endSession); now it ends none and closes
 * every connection with 1001, so the clients resume on the next server. */
GST_START_TEST (test_stop_ends_no_session_and_closes_cleanly)
{
  RtcSignallingServer *server = start_server (NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autoptr (Client) producer = client_connect (port);
  g_autoptr (Client) consumer = client_connect (port);
  GError *error = NULL;

  client_send (producer, "{\"type\":\"setPeerStatus\",\"roles\":"
      "[\"producer\"]}");
  settle ();
  client_send (consumer, "{\"type\":\"startSession\",\"peerId\":\"%s\"}",
      producer->peer_id);
  rtc_message_free (client_expect (consumer, RTC_MESSAGE_SESSION_STARTED));
  rtc_message_free (client_expect (producer, RTC_MESSAGE_START_SESSION));
  fail_unless_equals_int (rtc_signalling_server_get_n_connections (server), 2);

  rtc_signalling_server_stop (server);
  fail_unless_equals_int (rtc_signalling_server_get_port (server), 0);
  /* stop() itself drove the closing handshakes: an element stops the
   * server's thread right after it, and a connection still closing then
   * would stay open until the process ends */
  fail_unless_equals_int (rtc_signalling_server_get_n_connections (server), 0);
  fail_unless (wait_for (&producer->closed));
  fail_unless (wait_for (&consumer->closed));
  fail_unless_equals_int (producer->close_code,
      SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  fail_unless_equals_int (consumer->close_code,
      SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  /* no endSession, nor anything else */
  fail_unless_equals_int (g_queue_get_length (&producer->received) +
      g_queue_get_length (&consumer->received), 0);

  /* it can start again, and stop is idempotent */
  rtc_signalling_server_stop (server);
  fail_unless (rtc_signalling_server_start (server, &error));
  full_exchange (rtc_signalling_server_get_port (server), NULL, NULL);
  stop_server (server);
}

GST_END_TEST;

/* Drops @client's TCP connection without a close frame. */
static void
client_drop (Client * client)
{
  GIOStream *stream = soup_websocket_connection_get_io_stream (client->conn);

  g_signal_handlers_disconnect_by_data (client->conn, client);
  g_io_stream_close (stream, NULL, NULL);
  g_clear_object (&client->conn);
}

/* A producer in a session with a consumer; the producer connected with
 * @query (resume parameters). Returns the session id. */
static gchar *
producer_in_session (Client * producer, Client * consumer)
{
  g_autoptr (RtcMessage) started = NULL;

  client_send (producer, "{\"type\":\"setPeerStatus\",\"roles\":"
      "[\"producer\"]}");
  settle ();
  client_send (consumer, "{\"type\":\"startSession\",\"peerId\":\"%s\"}",
      producer->peer_id);
  started = client_expect (consumer, RTC_MESSAGE_SESSION_STARTED);
  rtc_message_free (client_expect (producer, RTC_MESSAGE_START_SESSION));
  return g_strdup (started->session_id);
}

GST_START_TEST (test_abrupt_drop_and_resume_keeps_the_session)
{
  RtcSignallingServer *server = start_server ("reconnect-grace", 5000, NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autoptr (Client) producer = client_connect_with (port,
      "/?meshrtc-resume=tok-1", NULL);
  g_autoptr (Client) consumer = client_connect (port);
  g_autoptr (Client) again = NULL;
  g_autoptr (Client) thief = NULL;
  g_autoptr (RtcMessage) relayed = NULL;
  g_autofree gchar *session = producer_in_session (producer, consumer);
  g_autofree gchar *query = NULL;

  client_drop (producer);
  settle ();
  /* the partner is told nothing */
  fail_unless (g_queue_is_empty (&consumer->received));

  /* a wrong token does not resume */
  query = g_strdup_printf ("/?meshrtc-peer=%s&meshrtc-resume=bad",
      producer->peer_id);
  thief = client_connect_with (port, query, NULL);
  fail_if (g_str_equal (thief->peer_id, producer->peer_id));

  g_free (query);
  query = g_strdup_printf ("/?meshrtc-peer=%s&meshrtc-resume=tok-1",
      producer->peer_id);
  again = client_connect_with (port, query, NULL);
  fail_unless_equals_string (again->peer_id, producer->peer_id);
  settle ();
  fail_unless (g_queue_is_empty (&consumer->received));

  /* the session goes on */
  client_send (consumer, "{\"type\":\"peer\",\"sessionId\":\"%s\","
      "\"ice\":{\"candidate\":\"c\",\"sdpMLineIndex\":0}}", session);
  relayed = client_expect (again, RTC_MESSAGE_PEER);
  fail_unless_equals_string (relayed->session_id, session);

  stop_server (server);
}

GST_END_TEST;

GST_START_TEST (test_abrupt_drop_without_return_ends_after_grace)
{
  RtcSignallingServer *server = start_server ("reconnect-grace", 300, NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autoptr (Client) producer = client_connect_with (port,
      "/?meshrtc-resume=tok-2", NULL);
  g_autoptr (Client) consumer = client_connect (port);
  g_autoptr (RtcMessage) end = NULL;
  g_autofree gchar *session = producer_in_session (producer, consumer);
  gint64 dropped_at;

  client_drop (producer);
  dropped_at = g_get_monotonic_time ();
  end = client_expect (consumer, RTC_MESSAGE_END_SESSION);
  fail_unless_equals_string (end->session_id, session);
  /* not at once: after the grace */
  fail_unless (g_get_monotonic_time () - dropped_at >= 250 * 1000);

  stop_server (server);
}

GST_END_TEST;

/* A clean close (1000) is a peer that left: its sessions end at once,
 * grace or not. */
GST_START_TEST (test_clean_close_ends_sessions_at_once)
{
  RtcSignallingServer *server = start_server ("reconnect-grace", 60000,
      NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autoptr (Client) producer = client_connect_with (port,
      "/?meshrtc-resume=tok-3", NULL);
  g_autoptr (Client) consumer = client_connect (port);
  g_autoptr (RtcMessage) end = NULL;
  g_autofree gchar *session = producer_in_session (producer, consumer);

  soup_websocket_connection_close (producer->conn,
      SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  end = client_expect (consumer, RTC_MESSAGE_END_SESSION);
  fail_unless_equals_string (end->session_id, session);

  stop_server (server);
}

GST_END_TEST;

GST_START_TEST (test_message_rate_limit_closes_only_the_flooder)
{
  RtcSignallingServer *server = start_server ("message-rate", 5,
      "message-burst", 10, NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autoptr (Client) flooder = client_connect (port);
  g_autoptr (Client) bystander = client_connect (port);
  guint i;

  for (i = 0; i < 50; i++)
    client_send (flooder, "{\"type\":\"list\"}");
  fail_unless (wait_for (&flooder->closed), "not closed");
  fail_unless_equals_int (flooder->close_code,
      SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  fail_unless (g_queue_get_length (&flooder->received) <= 10);

  client_send (bystander, "{\"type\":\"list\"}");
  rtc_message_free (client_expect (bystander, RTC_MESSAGE_LIST));
  stop_server (server);
}

GST_END_TEST;

/* Sends @n ICE candidates on @session_id (or, with NULL, `list`
 * requests), one every 100 ms or more; FALSE if @client got closed. */
static gboolean
send_paced (Client * client, const gchar * session_id, guint n)
{
  guint i;

  for (i = 0; i < n && !client->closed; i++) {
    if (session_id)
      client_send (client, "{\"type\":\"peer\",\"sessionId\":\"%s\","
          "\"ice\":{\"candidate\":\"candidate:1 1 UDP 1 127.0.0.1 5000 typ "
          "host\",\"sdpMLineIndex\":0}}", session_id);
    else
      client_send (client, "{\"type\":\"list\"}");
    settle ();
  }
  return !client->closed;
}

/* A producer signals every session it serves: its rate is message-rate
 * per session it is in, plus one. 40 messages at 10/s or less after a
 * burst of 10: a peer in no session has 5/s and is closed within 4 s, a
 * producer in three sessions has 20/s. */
GST_START_TEST (test_message_rate_grows_with_the_peers_sessions)
{
  RtcSignallingServer *server = start_server ("message-rate", 5,
      "message-burst", 10, NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autoptr (Client) lone = client_connect (port);
  g_autoptr (Client) producer = client_connect (port);
  Client *consumers[3];
  g_autofree gchar *session = NULL;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (consumers); i++) {
    consumers[i] = client_connect (port);
    g_free (session);
    session = producer_in_session (producer, consumers[i]);
  }
  fail_unless (send_paced (producer, session, 40),
      "a producer in 3 sessions was closed (code %u)", producer->close_code);
  fail_unless (!send_paced (lone, NULL, 40), "the lone peer was not closed");
  fail_unless_equals_int (lone->close_code,
      SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  for (i = 0; i < G_N_ELEMENTS (consumers); i++)
    client_free (consumers[i]);
  stop_server (server);
}

GST_END_TEST;

static Client *
client_try_connect_origin (guint port, const gchar * origin)
{
  Client *client = g_new0 (Client, 1);
  g_autofree gchar *uri = g_strdup_printf ("ws://127.0.0.1:%u/", port);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, uri);

  g_queue_init (&client->received);
  soup_session_websocket_connect_async (session, msg, origin, NULL,
      G_PRIORITY_DEFAULT, NULL, connected_cb, client);
  fail_unless (wait_for (&client->connect_done), "connect timed out");
  return client;
}

GST_START_TEST (test_browser_origin_must_match_host)
{
  RtcSignallingServer *server = start_server (NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autofree gchar *same = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_autoptr (Client) good = client_try_connect_origin (port, same);
  g_autoptr (Client) evil = client_try_connect_origin (port,
      "https://evil.example");
  g_autoptr (Client) no_origin = client_try_connect_origin (port, NULL);
  const gchar *any[] = { "*", NULL };
  g_autoptr (Client) allowed = NULL;

  fail_unless (good->conn != NULL, "HTTP %u", good->http_status);
  fail_unless (evil->conn == NULL);
  fail_unless_equals_int (evil->http_status, SOUP_STATUS_FORBIDDEN);
  fail_unless (no_origin->conn != NULL);

  g_object_set (server, "allowed-origins", any, NULL);
  allowed = client_try_connect_origin (port, "https://evil.example");
  fail_unless (allowed->conn != NULL);

  stop_server (server);
}

GST_END_TEST;

GST_START_TEST (test_connections_per_address_are_limited)
{
  RtcSignallingServer *server = start_server ("max-connections-per-address",
      3, NULL);
  guint port = rtc_signalling_server_get_port (server);
  Client *clients[3];
  g_autoptr (Client) refused = NULL;
  g_autoptr (Client) later = NULL;
  guint i;

  for (i = 0; i < 3; i++)
    clients[i] = client_connect (port);
  refused = client_try_connect (port, NULL, NULL);
  fail_unless (refused->conn == NULL);
  fail_unless_equals_int (refused->http_status,
      SOUP_STATUS_SERVICE_UNAVAILABLE);

  /* the others are still served; a freed slot can be taken again */
  client_send (clients[0], "{\"type\":\"list\"}");
  rtc_message_free (client_expect (clients[0], RTC_MESSAGE_LIST));
  for (i = 0; i < 3; i++)
    client_free (clients[i]);
  {
    gboolean done = FALSE;
    guint id = g_timeout_add (WAIT_MS, timeout_cb, &done);

    while (!done && rtc_signalling_server_get_n_connections (server) > 0)
      g_main_context_iteration (NULL, TRUE);
    if (!done)
      g_source_remove (id);
  }
  settle ();
  later = client_connect (port);

  stop_server (server);
}

GST_END_TEST;

/* ---- raw TCP clients: what a WebSocket library would never send ---- */

typedef struct
{
  GSocket *socket;
  GByteArray *in;               /* everything received */
  gboolean eof;                 /* the server closed (or reset) it */
} Tcp;

/* Connects to 127.0.0.1:@port without waiting for the server (the kernel
 * completes the handshake); @rcvbuf > 0 shrinks the receive buffer. */
static Tcp *
tcp_connect (guint port, gint rcvbuf)
{
  Tcp *tcp = g_new0 (Tcp, 1);
  g_autoptr (GInetAddress) lo =
      g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (lo, port);
  GError *error = NULL;

  tcp->in = g_byte_array_new ();
  tcp->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, &error);
  fail_unless (tcp->socket != NULL, "%s", error ? error->message : "");
  if (rcvbuf > 0)
    g_socket_set_option (tcp->socket, SOL_SOCKET, SO_RCVBUF, rcvbuf, NULL);
  g_socket_set_blocking (tcp->socket, FALSE);
  if (!g_socket_connect (tcp->socket, address, NULL, &error)) {
    fail_unless (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING),
        "connect: %s", error->message);
    g_clear_error (&error);
  }
  return tcp;
}

static void
tcp_free (Tcp * tcp)
{
  g_socket_close (tcp->socket, NULL);
  g_object_unref (tcp->socket);
  g_byte_array_unref (tcp->in);
  g_free (tcp);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Tcp, tcp_free);

/* Reads what has arrived; TRUE if anything did. */
static gboolean
tcp_read_some (Tcp * tcp)
{
  guint8 buf[16384];
  gboolean got = FALSE;

  while (!tcp->eof) {
    GError *error = NULL;
    gssize n = g_socket_receive (tcp->socket, (gchar *) buf, sizeof (buf),
        NULL, &error);

    if (n > 0) {
      g_byte_array_append (tcp->in, buf, n);
      got = TRUE;
      continue;
    }
    /* 0: end of stream; an error other than "nothing yet": a reset */
    if (n == 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
      tcp->eof = TRUE;
    g_clear_error (&error);
    break;
  }
  return got;
}

/* Runs the main context (the server may be in it) and reads, until
 * @done (NULL: end of stream) or @ms passed. */
static gboolean
tcp_pump (Tcp * tcp, gboolean (*done) (Tcp *), guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end) {
    gboolean busy = g_main_context_iteration (NULL, FALSE);

    busy |= tcp_read_some (tcp);
    if (done ? done (tcp) : tcp->eof)
      return TRUE;
    if (tcp->eof)
      return FALSE;
    if (!busy)
      g_usleep (1000);
  }
  return FALSE;
}

/* Writes all of @data (bounded by WAIT_MS), serving the main context
 * while the socket is full; FALSE if it could not. */
static gboolean
tcp_write (Tcp * tcp, const void *data, gsize size)
{
  gint64 end = g_get_monotonic_time () + WAIT_MS * 1000;
  gsize done = 0;

  while (done < size && g_get_monotonic_time () < end) {
    GError *error = NULL;
    gssize n = g_socket_send (tcp->socket, (const gchar *) data + done,
        size - done, NULL, &error);

    if (n > 0) {
      done += n;
    } else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)
        || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING)) {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    } else {
      g_clear_error (&error);
      return FALSE;
    }
    g_clear_error (&error);
  }
  return done == size;
}

static gboolean
tcp_has_headers (Tcp * tcp)
{
  return g_strstr_len ((const gchar *) tcp->in->data, tcp->in->len,
      "\r\n\r\n") != NULL;
}

/* The response head received so far, as a string. */
static gchar *
tcp_response_head (Tcp * tcp)
{
  const gchar *data = (const gchar *) tcp->in->data;
  const gchar *end = g_strstr_len (data, tcp->in->len, "\r\n\r\n");

  return g_strndup (data, end ? end - data + 4 : tcp->in->len);
}

/* WebSocket upgrade by hand (@extra: more header lines); returns the
 * response head and leaves what follows it in tcp->in. */
static gchar *
tcp_upgrade (Tcp * tcp, guint port, const gchar * extra)
{
  g_autofree gchar *request = g_strdup_printf ("GET / HTTP/1.1\r\n"
      "Host: 127.0.0.1:%u\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n%s\r\n", port, extra ? extra : "");
  gchar *head;

  fail_unless (tcp_write (tcp, request, strlen (request)));
  fail_unless (tcp_pump (tcp, tcp_has_headers, WAIT_MS), "no response");
  head = tcp_response_head (tcp);
  g_byte_array_remove_range (tcp->in, 0, strlen (head));
  return head;
}

/* One client frame (masked, RFC 6455 §5.2; the all-zero key leaves the
 * payload as it is). @first: FIN, RSV and opcode bits. */
static gboolean
tcp_send_frame (Tcp * tcp, guint8 first, const void *payload, gsize size)
{
  gboolean sent;
  GByteArray *frame = g_byte_array_sized_new (size + 14);
  guint8 head[10] = { first, };
  static const guint8 mask[4] = { 0, };
  gsize head_size;
  gint i;

  if (size < 126) {
    head[1] = 0x80 | size;
    head_size = 2;
  } else if (size <= G_MAXUINT16) {
    head[1] = 0x80 | 126;
    head[2] = size >> 8;
    head[3] = size & 0xff;
    head_size = 4;
  } else {
    head[1] = 0x80 | 127;
    for (i = 0; i < 8; i++)
      head[2 + i] = ((guint64) size >> (56 - 8 * i)) & 0xff;
    head_size = 10;
  }
  g_byte_array_append (frame, head, head_size);
  g_byte_array_append (frame, mask, 4);
  g_byte_array_append (frame, payload, size);
  sent = tcp_write (tcp, frame->data, frame->len);
  g_byte_array_unref (frame);
  return sent;
}

/* The close code of the first close frame among the server's frames in
 * tcp->in, -1 when there is none (yet). */
static gint
tcp_close_code (Tcp * tcp)
{
  const guint8 *p = tcp->in->data;
  gsize left = tcp->in->len;

  while (left >= 2) {
    guint64 size = p[1] & 0x7f;
    gsize head = 2;

    if (size == 126 && left >= 4) {
      size = (p[2] << 8) | p[3];
      head = 4;
    } else if (size == 127 && left >= 10) {
      gint i;

      for (size = 0, i = 0; i < 8; i++)
        size = (size << 8) | p[2 + i];
      head = 10;
    } else if (size >= 126) {
      return -1;
    }
    if (left < head + size)
      return -1;
    if ((p[0] & 0x0f) == 0x8)
      return size >= 2 ? (p[head] << 8) | p[head + 1] : 1005;
    p += head + size;
    left -= head + size;
  }
  return -1;
}

static gboolean
tcp_has_close_frame (Tcp * tcp)
{
  return tcp_close_code (tcp) >= 0;
}

/* Waits (bounded) until the server counts @n WebSocket connections. */
static void
wait_n_connections (RtcSignallingServer * server, guint n)
{
  gint64 end = g_get_monotonic_time () + WAIT_MS * 1000;

  while (rtc_signalling_server_get_n_connections (server) != n
      && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  fail_unless_equals_int (rtc_signalling_server_get_n_connections (server), n);
}

GST_START_TEST (test_total_connection_cap_answers_503)
{
  RtcSignallingServer *server = start_server ("max-connections", 3, NULL);
  guint port = rtc_signalling_server_get_port (server);
  Client *clients[3];
  g_autoptr (Client) refused = NULL;
  g_autoptr (Client) later = NULL;
  guint i;

  for (i = 0; i < 3; i++)
    clients[i] = client_connect (port);
  refused = client_try_connect (port, NULL, NULL);
  fail_unless (refused->conn == NULL);
  fail_unless_equals_int (refused->http_status,
      SOUP_STATUS_SERVICE_UNAVAILABLE);

  /* the others are still served; a freed slot can be taken again */
  client_send (clients[2], "{\"type\":\"list\"}");
  rtc_message_free (client_expect (clients[2], RTC_MESSAGE_LIST));
  client_free (clients[0]);
  wait_n_connections (server, 2);
  later = client_connect (port);
  client_free (clients[1]);
  client_free (clients[2]);

  stop_server (server);
}

GST_END_TEST;

/* A client that never reads while the server has a lot to send it (list
 * answers with a 100 KB meta) is closed with 1008 once the bytes queued
 * behind its full socket pass max-send-backlog; the others go on. */
GST_START_TEST (test_slow_reader_is_closed_at_the_send_backlog)
{
  RtcSignallingServer *server = start_server ("max-send-backlog", 65536,
      "message-rate", 0, "max-meta-size", 0, NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autoptr (Client) producer = client_connect (port);
  g_autoptr (Client) bystander = client_connect (port);
  g_autoptr (Tcp) slow = tcp_connect (port, 4096);
  g_autofree gchar *filler = g_strnfill (100 * 1024, 'x');
  g_autofree gchar *head = NULL;
  static const gchar list[] = "{\"type\":\"list\"}";
  guint i;

  client_send (producer, "{\"type\":\"setPeerStatus\",\"roles\":"
      "[\"producer\"],\"meta\":{\"filler\":\"%s\"}}", filler);
  client_send (bystander, "{\"type\":\"list\"}");
  {
    g_autoptr (RtcMessage) answer = client_expect (bystander, RTC_MESSAGE_LIST);
    fail_unless_equals_int (answer->peers->len, 1);
  }

  head = tcp_upgrade (slow, port, NULL);
  fail_unless (g_str_has_prefix (head, "HTTP/1.1 101"), "%s", head);
  /* 200 answers of 100 KB: far more than the kernel buffers hold */
  for (i = 0; i < 200; i++)
    fail_unless (tcp_send_frame (slow, 0x81, list, strlen (list)));
  /* now it reads: what was in flight, then the close frame */
  fail_unless (tcp_pump (slow, tcp_has_close_frame, WAIT_MS), "no close "
      "frame in %u bytes", slow->in->len);
  fail_unless_equals_int (tcp_close_code (slow),
      SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  /* instead of answering the close frame; the server would wait 5 s */
  g_clear_pointer (&slow, tcp_free);
  wait_n_connections (server, 2);

  client_send (bystander, "{\"type\":\"list\"}");
  rtc_message_free (client_expect (bystander, RTC_MESSAGE_LIST));
  client_send (producer, "{\"type\":\"list\"}");
  rtc_message_free (client_expect (producer, RTC_MESSAGE_LIST));
  stop_server (server);
}

GST_END_TEST;

/* Slowloris: half a request line, then nothing. The socket is shut down
 * after handshake-timeout, unanswered; a WebSocket client is not. */
GST_START_TEST (test_half_request_line_is_cut_at_the_handshake_timeout)
{
  RtcSignallingServer *server = start_server ("handshake-timeout", 1, NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autoptr (Client) bystander = client_connect (port);
  g_autoptr (Tcp) slow = tcp_connect (port, 0);
  g_autoptr (Tcp) mute = tcp_connect (port, 0);
  gint64 start = g_get_monotonic_time ();

  fail_unless (tcp_write (slow, "GET / HT", 8));
  fail_unless (tcp_pump (slow, NULL, 3000), "not disconnected");
  fail_unless (g_get_monotonic_time () - start >= 900 * 1000);
  fail_unless_equals_int (slow->in->len, 0);
  /* one that sends nothing at all goes the same way */
  fail_unless (tcp_pump (mute, NULL, 1000), "silent one not disconnected");
  fail_unless_equals_int (mute->in->len, 0);

  fail_if (bystander->closed);
  client_send (bystander, "{\"type\":\"list\"}");
  rtc_message_free (client_expect (bystander, RTC_MESSAGE_LIST));
  stop_server (server);
}

GST_END_TEST;

/* A WebSocket silent for idle-timeout is dropped; pongs to the server's
 * pings count as traffic, so a live client stays. */
GST_START_TEST (test_idle_timeout_drops_only_silent_connections)
{
  RtcSignallingServer *server = start_server ("idle-timeout", 1,
      "ping-interval", 0, NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autoptr (Client) silent = client_connect (port);
  g_autoptr (Client) alive = NULL;
  gint64 start = g_get_monotonic_time ();
  gboolean waited = FALSE;

  g_object_set (server, "idle-timeout", 2, "ping-interval", 1, NULL);
  alive = client_connect (port);

  fail_unless (wait_for (&silent->closed), "silent client not dropped");
  fail_unless (g_get_monotonic_time () - start < 3 * G_USEC_PER_SEC);
  /* the live one outlasts its idle timeout thanks to the pongs */
  g_timeout_add (3000, timeout_cb, &waited);
  while (!waited)
    g_main_context_iteration (NULL, TRUE);
  fail_if (alive->closed, "client answering pings was dropped");
  client_send (alive, "{\"type\":\"list\"}");
  rtc_message_free (client_expect (alive, RTC_MESSAGE_LIST));
  stop_server (server);
}

GST_END_TEST;

/* 405 and 413 are answered as soon as the headers are in: the client has
 * sent 100 bytes of a 1 MiB body and gets the answer and the end of the
 * connection all the same. */
GST_START_TEST (test_post_and_large_bodies_are_refused_before_the_body)
{
  RtcSignallingServer *server = start_server (NULL);
  guint port = rtc_signalling_server_get_port (server);
  static const struct
  {
    const gchar *request;
    const gchar *status_line;
    const gchar *header;
  } cases[] = {
    {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n",
        "HTTP/1.1 405 ", "Allow: GET, HEAD"},
    {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n",
        "HTTP/1.1 413 ", NULL},
    {"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
          "100000\r\n", "HTTP/1.1 413 ", NULL},
  };
  g_autofree gchar *some_body = g_strnfill (100, 'b');
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (Tcp) tcp = tcp_connect (port, 0);
    g_autofree gchar *head = NULL;

    fail_unless (tcp_write (tcp, cases[i].request, strlen (cases[i].request)));
    fail_unless (tcp_write (tcp, some_body, 100));
    fail_unless (tcp_pump (tcp, NULL, 3000), "case %u: not answered and "
        "closed (%u bytes)", i, tcp->in->len);
    head = tcp_response_head (tcp);
    fail_unless (g_str_has_prefix (head, cases[i].status_line), "case %u: "
        "%s", i, head);
    if (cases[i].header)
      fail_unless (strstr (head, cases[i].header) != NULL, "%s", head);
  }
  /* and a small body on a GET is fine */
  full_exchange (port, NULL, NULL);
  settle ();
  stop_server (server);
}

GST_END_TEST;

/* permessage-deflate is refused (the size limit counts real bytes): the
 * handshake answer names no extension, and a compressed frame (RSV1) that
 * would inflate to 200 KB is a protocol error (1002), nothing else. */
GST_START_TEST (test_permessage_deflate_is_refused)
{
  RtcSignallingServer *server = start_server ("max-message-size", 4096,
      NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autoptr (Client) bystander = client_connect (port);
  g_autoptr (Tcp) tcp = tcp_connect (port, 0);
  g_autoptr (GZlibCompressor) zlib =
      g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW, 9);
  g_autofree gchar *head = NULL;
  g_autofree gchar *plain = g_strnfill (200 * 1024, ' ');
  guint8 *packed = g_malloc (64 * 1024);
  gsize read = 0, written = 0;

  head = tcp_upgrade (tcp, port, "Sec-WebSocket-Extensions: "
      "permessage-deflate; client_max_window_bits\r\n");
  fail_unless (g_str_has_prefix (head, "HTTP/1.1 101"), "%s", head);
  fail_unless (g_strrstr (head, "Sec-WebSocket-Extensions") == NULL &&
      g_strrstr (head, "sec-websocket-extensions") == NULL, "%s", head);

  memcpy (plain, "{\"type\":\"list\",\"x\":\"", 20);
  plain[200 * 1024 - 2] = '"';
  plain[200 * 1024 - 1] = '}';
  fail_unless_equals_int (g_converter_convert (G_CONVERTER (zlib), plain,
          200 * 1024, packed, 64 * 1024, G_CONVERTER_INPUT_AT_END, &read,
          &written, NULL), G_CONVERTER_FINISHED);
  fail_unless (written < 4096);
  /* FIN | RSV1 | text */
  fail_unless (tcp_send_frame (tcp, 0xc1, packed, written));
  g_free (packed);
  fail_unless (tcp_pump (tcp, tcp_has_close_frame, WAIT_MS), "not closed");
  fail_unless_equals_int (tcp_close_code (tcp),
      SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR);
  g_clear_pointer (&tcp, tcp_free);
  wait_n_connections (server, 1);

  /* a libsoup client, which offers the extension by default, gets none */
  fail_if (soup_websocket_connection_get_extensions (bystander->conn));
  client_send (bystander, "{\"type\":\"list\"}");
  rtc_message_free (client_expect (bystander, RTC_MESSAGE_LIST));
  stop_server (server);
}

GST_END_TEST;

/* libsoup 3.2 limits frames, not messages; the server bounds what it
 * reads between two complete messages: a message sent as 100 fragments
 * of the largest allowed frame is closed with 1009 after a few, and a
 * client sending many full-size messages in a row is not. */
GST_START_TEST (test_fragmented_message_over_the_limit_is_closed)
{
  const gsize frame = 64 * 1024;
  RtcSignallingServer *server = start_server ("max-message-size",
      (guint) frame, "message-rate", 0, NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autoptr (Client) bystander = client_connect (port);
  g_autoptr (Client) honest = client_connect (port);
  g_autoptr (Tcp) tcp = tcp_connect (port, 0);
  g_autofree gchar *head = NULL;
  g_autofree gchar *chunk = g_strnfill (frame, ' ');
  g_autofree gchar *full = g_strnfill (frame, ' ');
  guint i, sent = 0;

  head = tcp_upgrade (tcp, port, NULL);
  fail_unless (g_str_has_prefix (head, "HTTP/1.1 101"), "%s", head);
  /* first fragment: text, no FIN; then continuations */
  memcpy (chunk, "{\"type\":\"list\",\"x\":\"", 20);
  fail_unless (tcp_send_frame (tcp, 0x01, chunk, frame));
  memset (chunk, ' ', 20);
  /* the server may close while a fragment is on its way: sending fails */
  for (i = 1; i < 100; i++) {
    tcp_read_some (tcp);
    if (tcp_has_close_frame (tcp) || tcp->eof
        || !tcp_send_frame (tcp, i == 99 ? 0x80 : 0x00, chunk, frame))
      break;
    sent = i;
  }
  fail_unless (tcp_pump (tcp, tcp_has_close_frame, WAIT_MS), "not closed "
      "(%u fragments sent)", sent);
  fail_unless_equals_int (tcp_close_code (tcp), SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  fail_unless (sent < 99, "all fragments were taken");
  g_clear_pointer (&tcp, tcp_free);
  wait_n_connections (server, 2);

  /* full-size messages back to back are fine */
  memcpy (full, "{\"type\":\"list\",\"x\":\"", 20);
  full[frame - 2] = '"';
  full[frame - 1] = '}';
  for (i = 0; i < 20; i++)
    soup_websocket_connection_send_text (honest->conn, full);
  for (i = 0; i < 20; i++)
    rtc_message_free (client_expect (honest, RTC_MESSAGE_LIST));
  fail_if (honest->closed);
  client_send (bystander, "{\"type\":\"list\"}");
  rtc_message_free (client_expect (bystander, RTC_MESSAGE_LIST));
  stop_server (server);
}

GST_END_TEST;

static void
on_signaller_connected (RtcSignallable * signaller, const gchar * peer_id,
    gboolean resumed, gchar ** out)
{
  g_free (*out);
  *out = g_strdup (peer_id);
}

/* The client signaller presents its resume token and former peer id: a
 * restarted server gives the same id back, so elements can tell a resumed
 * registration from a new one. */
GST_START_TEST (test_signaller_gets_its_peer_id_back_after_a_restart)
{
  RtcSignallingServer *server = start_server (NULL);
  guint port = rtc_signalling_server_get_port (server);
  g_autofree gchar *uri = g_strdup_printf ("ws://127.0.0.1:%u/", port);
  RtcSignaller *signaller = rtc_signaller_new (uri, NULL);
  gchar *first = NULL, *second = NULL;
  gboolean timed_out = FALSE;
  GError *error = NULL;
  guint id;

  g_signal_connect (signaller, "connected",
      G_CALLBACK (on_signaller_connected), &first);
  rtc_signallable_start (RTC_SIGNALLABLE (signaller));
  id = g_timeout_add (WAIT_MS, timeout_cb, &timed_out);
  while (!first && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  fail_unless (first != NULL, "signaller did not connect");
  g_source_remove (id);
  g_signal_handlers_disconnect_by_data (signaller, &first);

  g_signal_connect (signaller, "connected",
      G_CALLBACK (on_signaller_connected), &second);
  rtc_signalling_server_stop (server);
  g_object_set (server, "port", port, NULL);
  fail_unless (rtc_signalling_server_start (server, &error));
  id = g_timeout_add (WAIT_MS, timeout_cb, &timed_out);
  while (!second && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  fail_unless (second != NULL, "signaller did not reconnect");
  g_source_remove (id);
  fail_unless_equals_string (second, first);

  rtc_signallable_stop (RTC_SIGNALLABLE (signaller));
  g_object_unref (signaller);
  g_free (first);
  g_free (second);
  stop_server (server);
}

GST_END_TEST;

GST_START_TEST (test_start_reports_a_port_in_use)
{
  RtcSignallingServer *first = start_server (NULL);
  RtcSignallingServer *second = rtc_signalling_server_new ("127.0.0.1",
      rtc_signalling_server_get_port (first));
  GError *error = NULL;

  fail_if (rtc_signalling_server_start (second, &error));
  fail_unless (g_error_matches (error, G_IO_ERROR,
          G_IO_ERROR_ADDRESS_IN_USE), "%s", error ? error->message : "");
  g_clear_error (&error);
  fail_unless_equals_int (rtc_signalling_server_get_port (second), 0);
  g_object_unref (second);
  stop_server (first);
}

GST_END_TEST;

static gboolean
accept_any_certificate (SoupMessage * msg, GTlsCertificate * certificate,
    GTlsCertificateFlags errors, gpointer user_data)
{
  return TRUE;
}

GST_START_TEST (test_wss_with_tls_certificate)
{
  g_autofree gchar *dir = g_dir_make_tmp ("meshrtc-tls-XXXXXX", NULL);
  g_autofree gchar *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree gchar *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree gchar *openssl = g_find_program_in_path ("openssl");
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree gchar *uri = NULL;
  RtcSignallingServer *server;
  GError *error = NULL;
  gint status = -1;
  Client client = { NULL, };

  if (!openssl) {
    g_print ("SKIP test_wss_with_tls_certificate: openssl not found\n");
    return;
  }
  {
    const gchar *argv[] = { openssl, "req", "-x509", "-newkey", "rsa:2048",
      "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1", "-keyout", key,
      "-out", cert, NULL
    };
    fail_unless (g_spawn_sync (NULL, (gchar **) argv, NULL,
            G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
            NULL, NULL, NULL, &status, &error), "%s",
        error ? error->message : "");
    fail_unless (g_spawn_check_wait_status (status, NULL));
  }
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  fail_unless (certificate != NULL, "%s", error ? error->message : "");

  server = start_server ("tls-certificate", certificate, NULL);
  uri = g_strdup_printf ("wss://127.0.0.1:%u/",
      rtc_signalling_server_get_port (server));
  msg = soup_message_new (SOUP_METHOD_GET, uri);
  g_signal_connect (msg, "accept-certificate",
      G_CALLBACK (accept_any_certificate), NULL);
  g_queue_init (&client.received);
  soup_session_websocket_connect_async (session, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, NULL, connected_cb, &client);
  fail_unless (wait_for (&client.connect_done));
  fail_unless (client.conn != NULL, "wss refused: %u", client.http_status);
  rtc_message_free (client_expect (&client, RTC_MESSAGE_WELCOME));
  g_signal_handlers_disconnect_by_data (client.conn, &client);
  g_object_unref (client.conn);
  g_queue_clear_full (&client.received, g_free);

  stop_server (server);
  g_unlink (cert);
  g_unlink (key);
  g_rmdir (dir);
}

GST_END_TEST;

typedef struct
{
  gchar *line;
  gboolean done;
} LineResult;

static void
line_read (GObject * source, GAsyncResult * result, gpointer data)
{
  LineResult *res = data;

  res->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM
      (source), result, NULL, NULL);
  res->done = TRUE;
}

static void
process_exited (GObject * source, GAsyncResult * result, gpointer data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) data = TRUE;
}

/* The program from tools/, or NULL (and a printed reason) if not built. */
static const gchar *
server_program (void)
{
  const gchar *program = g_getenv ("MESHRTC_SIGNALLING_SERVER");

  if (!program || !g_file_test (program, G_FILE_TEST_IS_EXECUTABLE)) {
    g_print ("SKIP: gst-meshrtc-signalling-server not built (%s)\n",
        GST_STR_NULL (program));
    return NULL;
  }
  return program;
}

GST_START_TEST (test_program_prints_its_port_serves_and_stops_on_sigterm)
{
  const gchar *program = server_program ();
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  LineResult line = { NULL, };
  gboolean exited = FALSE;
  guint port = 0;

  if (!program)
    return;
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
      program, "--port", "0", "--auth-token", "t0k", "--ping-interval", "5",
      NULL);
  fail_unless (process != NULL, "%s", error ? error->message : "");
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL,
      line_read, &line);
  fail_unless (wait_for (&line.done) && line.line != NULL, "no line");
  fail_unless (sscanf (line.line, "Listening on ws://127.0.0.1:%u/",
          &port) == 1, "unexpected line: %s", line.line);
  fail_unless (port > 0);
  g_free (line.line);

  full_exchange (port, "/?token=t0k", "r");
  {
    g_autoptr (Client) refused = client_try_connect (port, NULL, NULL);
    fail_unless_equals_int (refused->http_status, SOUP_STATUS_UNAUTHORIZED);
  }

  /* a connected client is closed with 1001 and the program exits 0 */
  {
    g_autoptr (Client) client = client_connect_with (port, NULL, "t0k");

    g_subprocess_send_signal (process, SIGTERM);
    fail_unless (wait_for (&client->closed));
    fail_unless_equals_int (client->close_code,
        SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  }
  g_subprocess_wait_async (process, NULL, process_exited, &exited);
  fail_unless (wait_for (&exited));
  fail_unless (g_subprocess_get_if_exited (process));
  fail_unless_equals_int (g_subprocess_get_exit_status (process), 0);
}

GST_END_TEST;

GST_START_TEST (test_program_exits_1_when_it_cannot_listen)
{
  const gchar *program = server_program ();
  RtcSignallingServer *server;
  g_autoptr (GSubprocess) process = NULL;
  g_autofree gchar *port = NULL;
  g_autofree gchar *err_text = NULL;
  g_autoptr (GError) error = NULL;
  gboolean exited = FALSE;

  if (!program)
    return;
  server = start_server (NULL);
  port = g_strdup_printf ("%u", rtc_signalling_server_get_port (server));
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
      G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, program, "--port", port, NULL);
  fail_unless (process != NULL, "%s", error ? error->message : "");
  g_subprocess_wait_async (process, NULL, process_exited, &exited);
  fail_unless (wait_for (&exited));
  fail_unless (g_subprocess_get_if_exited (process));
  fail_unless_equals_int (g_subprocess_get_exit_status (process), 1);
  {
    g_autoptr (GDataInputStream) err =
        g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
    err_text = g_data_input_stream_read_line_utf8 (err, NULL, NULL, NULL);
  }
  fail_unless (err_text && strstr (err_text, port), "stderr: %s",
      GST_STR_NULL (err_text));
  stop_server (server);
}

GST_END_TEST;

/* Starts the program with @args (NULL-terminated, after --port 0) and
 * returns its port; @launcher may set the environment or a child setup. */
static GSubprocess *
program_start (GSubprocessLauncher * launcher, guint * port,
    const gchar * first_arg, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  LineResult line = { NULL, };
  GSubprocess *process;
  const gchar *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) server_program ());
  g_ptr_array_add (argv, (gpointer) "--port");
  g_ptr_array_add (argv, (gpointer) "0");
  va_start (args, first_arg);
  for (arg = first_arg; arg; arg = va_arg (args, const gchar *))
      g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher,
      (const gchar * const *) argv->pdata, &error);
  fail_unless (process != NULL, "%s", error ? error->message : "");
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL,
      line_read, &line);
  fail_unless (wait_for (&line.done) && line.line != NULL, "no line");
  fail_unless (sscanf (line.line, "Listening on ws://127.0.0.1:%u/",
          port) == 1, "unexpected line: %s", line.line);
  g_free (line.line);
  return process;
}

/* SIGTERM, and a bounded wait for the exit. */
static void
program_stop (GSubprocess * process)
{
  gboolean exited = FALSE;

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait_async (process, NULL, process_exited, &exited);
  fail_unless (wait_for (&exited), "program did not exit");
}

GST_START_TEST (test_program_takes_its_limits_from_the_command_line)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (Client) allowed = NULL;
  g_autoptr (Client) evil = NULL;
  g_autoptr (Client) second = NULL;
  g_autoptr (Client) third = NULL;
  g_autoptr (Tcp) slow = NULL;
  guint port = 0;
  gint64 start;

  if (!server_program ())
    return;
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  process = program_start (launcher, &port, "--handshake-timeout", "1",
      "--max-connections", "2", "--allowed-origins",
      "https://a.example, https://b.example", "--idle-timeout", "30", NULL);

  allowed = client_try_connect_origin (port, "https://b.example");
  fail_unless (allowed->conn != NULL, "HTTP %u", allowed->http_status);
  evil = client_try_connect_origin (port, "https://evil.example");
  fail_unless_equals_int (evil->http_status, SOUP_STATUS_FORBIDDEN);

  second = client_try_connect (port, NULL, NULL);
  fail_unless (second->conn != NULL, "HTTP %u", second->http_status);
  third = client_try_connect (port, NULL, NULL);
  fail_unless_equals_int (third->http_status, SOUP_STATUS_SERVICE_UNAVAILABLE);
  g_clear_pointer (&second, client_free);

  slow = tcp_connect (port, 0);
  start = g_get_monotonic_time ();
  fail_unless (tcp_write (slow, "GET / HT", 8));
  fail_unless (tcp_pump (slow, NULL, 3000), "not disconnected");
  fail_unless (g_get_monotonic_time () - start >= 900 * 1000);

  program_stop (process);
  fail_unless_equals_int (g_subprocess_get_exit_status (process), 0);
}

GST_END_TEST;

GST_START_TEST (test_program_rejects_a_limit_out_of_range)
{
  const gchar *program = server_program ();
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  gboolean exited = FALSE;

  if (!program)
    return;
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
      G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, program, "--port", "0",
      "--idle-timeout", "-5", NULL);
  fail_unless (process != NULL, "%s", error ? error->message : "");
  g_subprocess_wait_async (process, NULL, process_exited, &exited);
  fail_unless (wait_for (&exited));
  fail_unless_equals_int (g_subprocess_get_exit_status (process), 1);
}

GST_END_TEST;

#define LOW_FD_LIMIT 48

static void
limit_file_descriptors (gpointer data)
{
  struct rlimit limit = { LOW_FD_LIMIT, LOW_FD_LIMIT };

  setrlimit (RLIMIT_NOFILE, &limit);
}

static guint
count_fds (GSubprocess * process)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%s/fd",
      g_subprocess_get_identifier (process));
  GDir *dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir && g_dir_read_name (dir))
    n++;
  if (dir)
    g_dir_close (dir);
  return n;
}

/* Waits (serving the main context) until @process has @n open file
 * descriptors, at most @ms. */
static gboolean
wait_for_fds (GSubprocess * process, guint n, guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (count_fds (process) < n && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10 * 1000);
  return count_fds (process) >= n;
}

/* libsoup 3.2 stops accepting for good after accept() fails with EMFILE.
 * The program, with few file descriptors, is run out of them by idle
 * connections; once they are gone it accepts again (the watchdog). */
GST_START_TEST (test_program_accepts_again_after_running_out_of_fds)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (Client) after = NULL;
  g_autoptr (GDataInputStream) err = NULL;
  g_autoptr (GString) log = g_string_new (NULL);
  Tcp *held[2 * LOW_FD_LIMIT];
  gchar *line;
  guint i, port = 0, n_held = 0, misses = 0;

  if (!server_program ())
    return;
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
      G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "GST_DEBUG",
      "rtcsignallingserver:2", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "GST_DEBUG_FILE");
  g_subprocess_launcher_set_child_setup (launcher, limit_file_descriptors,
      NULL, NULL);
  process = program_start (launcher, &port, NULL);

  /* one connection at a time while the program takes them; once three
   * in a row stay in the listen queue, accept() has failed */
  while (n_held < G_N_ELEMENTS (held) && misses < 3) {
    guint before = count_fds (process);

    held[n_held++] = tcp_connect (port, 0);
    misses = wait_for_fds (process, before + 1, 300) ? 0 : misses + 1;
  }
  fail_unless (count_fds (process) >= LOW_FD_LIMIT - 2,
      "the program stopped accepting at %u file descriptors",
      count_fds (process));
  for (i = 0; i < n_held; i++)
    tcp_free (held[i]);

  after = client_connect (port);
  client_send (after, "{\"type\":\"list\"}");
  rtc_message_free (client_expect (after, RTC_MESSAGE_LIST));
  g_clear_pointer (&after, client_free);

  program_stop (process);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  while ((line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, NULL))) {
    g_string_append_printf (log, "%s\n", line);
    g_free (line);
  }
  /* it really ran out: the watchdog had to listen again */
  fail_unless (strstr (log->str, "listening again") != NULL, "%s", log->str);
}

GST_END_TEST;

static void
setup (void)
{
  session = soup_session_new ();
}

static void
teardown (void)
{
  guint i;

  g_clear_object (&session);
  /* let closing handshakes finish before the next test (bounded) */
  for (i = 0; i < 1000 && g_main_context_iteration (NULL, FALSE); i++);
}

static Suite *
signallingserver_suite (void)
{
  Suite *s = suite_create ("rtcsignallingserver");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_producer_consumer_flow);
  tcase_add_test (tc, test_disconnect_ends_session_for_the_other_side);
  tcase_add_test (tc, test_rooms_are_isolated_over_sockets);
  tcase_add_test (tc, test_bad_input_is_answered_and_others_are_still_served);
  tcase_add_test (tc, test_auth_token_is_required);
  tcase_add_test (tc, test_viewer_page_is_served_over_plain_http);
  tcase_add_test (tc, test_ice_servers_only_on_request_after_registering);
  tcase_add_test (tc, test_stop_ends_no_session_and_closes_cleanly);
  tcase_add_test (tc, test_abrupt_drop_and_resume_keeps_the_session);
  tcase_add_test (tc, test_abrupt_drop_without_return_ends_after_grace);
  tcase_add_test (tc, test_clean_close_ends_sessions_at_once);
  tcase_add_test (tc, test_message_rate_limit_closes_only_the_flooder);
  tcase_add_test (tc, test_message_rate_grows_with_the_peers_sessions);
  tcase_add_test (tc, test_browser_origin_must_match_host);
  tcase_add_test (tc, test_connections_per_address_are_limited);
  tcase_add_test (tc, test_total_connection_cap_answers_503);
  tcase_add_test (tc, test_slow_reader_is_closed_at_the_send_backlog);
  tcase_add_test (tc, test_half_request_line_is_cut_at_the_handshake_timeout);
  tcase_add_test (tc, test_idle_timeout_drops_only_silent_connections);
  tcase_add_test (tc, test_post_and_large_bodies_are_refused_before_the_body);
  tcase_add_test (tc, test_permessage_deflate_is_refused);
  tcase_add_test (tc, test_fragmented_message_over_the_limit_is_closed);
  tcase_add_test (tc, test_signaller_gets_its_peer_id_back_after_a_restart);
  tcase_add_test (tc, test_start_reports_a_port_in_use);
  tcase_add_test (tc, test_wss_with_tls_certificate);
  tcase_add_test (tc, test_program_prints_its_port_serves_and_stops_on_sigterm);
  tcase_add_test (tc, test_program_exits_1_when_it_cannot_listen);
  tcase_add_test (tc, test_program_takes_its_limits_from_the_command_line);
  tcase_add_test (tc, test_program_rejects_a_limit_out_of_range);
  tcase_add_test (tc, test_program_accepts_again_after_running_out_of_fds);
  return s;
}

GST_CHECK_MAIN (signallingserver);
