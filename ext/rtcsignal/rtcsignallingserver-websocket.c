/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * RtcSignallingServer's WebSocket peers: one Client per connection, its
 * place on the router, the message rate limit, the send backlog, the bound
 * on fragmented messages, and closing a peer on purpose. See
 * rtcsignallingserver.c for the object and its documentation.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/resource.h>
#ifdef __linux__
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
/* tcpi_bytes_received: glibc's <netinet/tcp.h> does not have it */
#include <linux/tcp.h>
#include <linux/sockios.h>
#endif

#include <glib-unix.h>
#include <gst/gst.h>
#include <libsoup/soup.h>

#include "rtciceconfig.h"
#include "rtcprotocol.h"
#include "rtcsignallingserver-private.h"
#include "rtccontextthread.h"
#include "rtcsignalrouter.h"
#include "rtcviewerresources.h"

#define GST_CAT_DEFAULT rtc_signalling_server_debug_category ()

/* ------------------------------------------------------------------------ */
/* Connections */

void
rtc_server_client_free (Client * client)
{
  if (client->input_watch) {
    g_source_destroy (client->input_watch);
    g_source_unref (client->input_watch);
  }
  if (client->kick_timer) {
    g_source_destroy (client->kick_timer);
    g_source_unref (client->kick_timer);
  }
  rtc_server_uncount_address (client->server, client->address);
  g_free (client->address);
  g_clear_object (&client->socket);
  g_free (client->peer_id);
  g_free (client);
}

static gboolean
kick_expired (gpointer data)
{
  Client *client = data;

  GST_INFO_OBJECT (client->server, "peer %s did not take its close frame: "
      "connection shut down", client->peer_id);
  g_socket_shutdown (client->socket, TRUE, TRUE, NULL);
  return G_SOURCE_REMOVE;
}

/* The server closes @client on purpose, saying why (RFC 6455 §7.4.1); its
 * peer leaves at once when the close completes. */
static void
kick (Client * client, gushort code, const gchar * reason)
{
  GST_INFO_OBJECT (client->server, "closing peer %s: %s", client->peer_id,
      reason);
  client->kicked = TRUE;
  if (soup_websocket_connection_get_state (client->conn) ==
      SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (client->conn, code, reason);

  /* libsoup waits for the close frame to be written, which a peer that
   * reads nothing never lets happen */
  if (client->socket && !client->kick_timer) {
    client->kick_timer = g_timeout_source_new (KICK_LINGER_MS);
    g_source_set_callback (client->kick_timer, kick_expired, client, NULL);
    g_source_attach (client->kick_timer, client->server->context);
  }
}

static void
send_text (SoupWebsocketConnection * conn, const gchar * text)
{
  if (soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (conn, text);
}

/* RtcSignalRouterSendFunc */
void
rtc_server_router_send (const gchar * peer_id, gpointer peer_data,
    const gchar * text, gpointer user_data)
{
  RtcSignallingServer *self = user_data;
  Client *client = peer_data;
  guint max_backlog;

  if (client->kind == RTC_SERVER_PEER_HTTP) {
    rtc_server_whip_send (self, peer_data, text);
    return;
  }
  if (client->kicked || client->replaced)
    return;

  /* libsoup 3.2 has no buffered amount: count what is sent while the
   * kernel's send buffer stays full, which is what libsoup queues. A
   * socket that takes more drains the queue: then nothing is behind (a
   * single message larger than the limit is no backlog) */
  if (!client->socket
      || (g_socket_condition_check (client->socket, G_IO_OUT) & G_IO_OUT))
    client->backlog = 0;
  else
    client->backlog += strlen (text);

  g_mutex_lock (&self->lock);
  max_backlog = self->max_send_backlog;
  g_mutex_unlock (&self->lock);
  if (max_backlog > 0 && client->backlog > max_backlog) {
    kick (client, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
        "send backlog exceeded");
    return;
  }
  send_text (client->conn, text);
}

/* Token bucket (rate per second, burst) for one more message. The rate is
 * per session the peer is in, plus one: a producer signals every session
 * it serves (an offer and its candidates each), and its share must not
 * shrink as viewers join; the session count is bounded by
 * max-sessions-per-peer. */
static gboolean
take_token (RtcSignallingServer * self, Client * client)
{
  gint64 now = g_get_monotonic_time ();
  guint rate, burst, sessions;

  g_mutex_lock (&self->lock);
  rate = self->message_rate;
  burst = self->message_burst;
  g_mutex_unlock (&self->lock);
  if (rate == 0)
    return TRUE;
  sessions = rtc_signal_router_get_n_peer_sessions (self->router,
      client->peer_id);

  client->tokens = MIN ((gdouble) MAX (burst, 1), client->tokens +
      (now - client->refilled_at) * (gdouble) rate * (1.0 + sessions) /
      G_USEC_PER_SEC);
  client->refilled_at = now;
  if (client->tokens < 1.0)
    return FALSE;
  client->tokens -= 1.0;
  return TRUE;
}

/* Bytes of the connection read from the kernel so far (by libsoup, or by
 * TLS for it): what TCP received minus what still waits to be read.
 * FALSE where the kernel does not say. */
static gboolean
bytes_consumed (GSocket * socket, guint64 * consumed)
{
#if defined(__linux__) && defined(TCP_INFO)
  struct tcp_info info;
  socklen_t len = sizeof (info);
  gint fd = g_socket_get_fd (socket);
  gint unread = 0;

  memset (&info, 0, sizeof (info));
  if (getsockopt (fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0
      || len < G_STRUCT_OFFSET (struct tcp_info, tcpi_bytes_received) +
      sizeof (info.tcpi_bytes_received)
      || ioctl (fd, SIOCINQ, &unread) < 0 || unread < 0)
      return FALSE;
  *consumed = info.tcpi_bytes_received -
      MIN ((guint64) unread, info.tcpi_bytes_received);
  return TRUE;
#else
  return FALSE;
#endif
}

/* client->consumed, updated. The two system calls race with arriving
 * data (by a few KiB at most, far below MESSAGE_SLACK): the count never
 * goes back, so differences of it never wrap. */
static gboolean
update_consumed (Client * client)
{
  guint64 consumed;

  if (!bytes_consumed (client->socket, &consumed))
    return FALSE;
  client->consumed = MAX (client->consumed, consumed);
  return TRUE;
}

/* A message (or a pong) was complete: what libsoup buffers starts again
 * from nothing. */
static void
note_message_end (Client * client)
{
  if (client->input_watch && update_consumed (client))
    client->consumed_at_message = client->consumed;
}

static void
on_pong (SoupWebsocketConnection * conn, GBytes * message, Client * client)
{
  note_message_end (client);
}

/* libsoup 3.2 limits each frame to max-message-size but gathers the frames
 * of one message without a limit (a client could send 100 fragments of
 * 1 MiB). Whatever libsoup read since the last complete message is that
 * message's data: once it is larger than the limit, the client is closed
 * with 1009 as libsoup does for a single frame. Checked whenever the
 * socket has input, so libsoup has read at most one batch more. */
static gboolean
input_ready (gint fd, GIOCondition condition, gpointer data)
{
  Client *client = data;
  RtcSignallingServer *self = client->server;
  guint64 limit;

  /* once closing, libsoup may close the socket before it says so, and its
   * descriptor may be another connection's */
  if (client->kicked || client->replaced
      || soup_websocket_connection_get_state (client->conn) !=
      SOUP_WEBSOCKET_STATE_OPEN || !update_consumed (client))
    return G_SOURCE_REMOVE;

  g_mutex_lock (&self->lock);
  limit = (guint64) self->max_message_size + MESSAGE_SLACK;
  g_mutex_unlock (&self->lock);
  if (client->consumed - client->consumed_at_message <= limit)
    return G_SOURCE_CONTINUE;

  GST_INFO_OBJECT (self, "peer %s: a fragmented message over %" G_GUINT64_FORMAT
      " bytes", client->peer_id, limit - MESSAGE_SLACK);
  kick (client, SOUP_WEBSOCKET_CLOSE_TOO_BIG, "message too big");
  return G_SOURCE_REMOVE;
}

static void
watch_input (RtcSignallingServer * self, Client * client)
{
  /* libsoup >= 3.6 does it itself (max-total-message-size) */
  if (!client->socket || g_object_class_find_property (G_OBJECT_GET_CLASS
          (client->conn), "max-total-message-size")
      || !update_consumed (client))
    return;
  client->consumed_at_message = client->consumed;
  client->input_watch = g_unix_fd_source_new (g_socket_get_fd
      (client->socket), G_IO_IN);
  g_source_set_callback (client->input_watch, (GSourceFunc) input_ready,
      client, NULL);
  g_source_attach (client->input_watch, self->context);
}

static void
on_message (SoupWebsocketConnection * conn, gint type, GBytes * message,
    Client * client)
{
  gsize size;
  const gchar *data = g_bytes_get_data (message, &size);

  if (client->kicked || client->replaced)
    return;
  note_message_end (client);
  if (!take_token (client->server, client)) {
    kick (client, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
        "message rate exceeded");
    return;
  }

  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    g_autoptr (RtcMessage) msg =
        rtc_message_new_error ("binary messages are not supported");
    g_autofree gchar *text = rtc_message_to_json (msg);

    send_text (conn, text);
    return;
  }
  rtc_signal_router_handle_text (client->server->router, client->peer_id,
      data, size);
}

static void
on_error (SoupWebsocketConnection * conn, GError * error, Client * client)
{
  GST_INFO_OBJECT (client->server, "peer %s: %s", client->peer_id,
      error->message);

  /* libsoup drops a connection that sends more than max-message-size
   * without a word; send the close frame that says why (1009, RFC 6455
   * §7.4.1) while the socket is still open. */
  if (g_error_matches (error, SOUP_WEBSOCKET_ERROR,
          SOUP_WEBSOCKET_CLOSE_TOO_BIG)
      && soup_websocket_connection_get_state (conn) ==
      SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_TOO_BIG,
        "message too big");
}

static void
on_closed (SoupWebsocketConnection * conn, Client * client)
{
  RtcSignallingServer *self = client->server;
  gushort code = soup_websocket_connection_get_close_code (conn);

  GST_INFO_OBJECT (self, "peer %s disconnected (close code %u)",
      client->peer_id, code);

  /* 1000 and 1001 from the client mean it really left; anything else
   * (no close frame, 1006, a ping timeout) may be a network hiccup that
   * must not end media between peers: the peer may resume */
  if (client->replaced);
  else if (client->kicked || code == SOUP_WEBSOCKET_CLOSE_NORMAL
      || code == SOUP_WEBSOCKET_CLOSE_GOING_AWAY)
    rtc_signal_router_remove_peer (self->router, client->peer_id);
  else
    rtc_signal_router_drop_peer (self->router, client->peer_id);
  g_hash_table_remove (self->clients, client);
  g_signal_handlers_disconnect_by_data (conn, client);
  rtc_server_client_free (client);
  g_object_unref (conn);
}

void
rtc_server_on_websocket (SoupServer * soup, SoupServerMessage * msg,
    const gchar * path, SoupWebsocketConnection * conn, gpointer user_data)
{
  RtcSignallingServer *self = user_data;
  g_autoptr (GHashTable) params = NULL;
  const gchar *query = g_uri_get_query (soup_server_message_get_uri (msg));
  gpointer replaced = NULL;
  Client *client;

  if (query)
    params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);

  g_mutex_lock (&self->lock);
  soup_websocket_connection_set_max_incoming_payload_size (conn,
      self->max_message_size);
  /* libsoup 3.2 limits single frames only; from 3.6 on, a message split
   * into many small frames can be limited too */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (conn),
          "max-total-message-size"))
    g_object_set (conn, "max-total-message-size",
        (guint64) self->max_message_size, NULL);
  soup_websocket_connection_set_keepalive_interval (conn, self->ping_interval);
  g_mutex_unlock (&self->lock);

  client = g_new0 (Client, 1);
  client->server = self;
  client->conn = g_object_ref (conn);
  client->socket = g_object_get_data (G_OBJECT (msg), "meshrtc-socket");
  if (client->socket) {
    g_object_ref (client->socket);
    client->address = rtc_server_adopt_socket (self, client->socket);
  }
  g_mutex_lock (&self->lock);
  client->tokens = MAX (self->message_burst, 1);
  g_mutex_unlock (&self->lock);
  client->refilled_at = g_get_monotonic_time ();
  g_hash_table_add (self->clients, client);

  g_signal_connect (conn, "message", G_CALLBACK (on_message), client);
  g_signal_connect (conn, "error", G_CALLBACK (on_error), client);
  g_signal_connect (conn, "closed", G_CALLBACK (on_closed), client);
  g_signal_connect (conn, "pong", G_CALLBACK (on_pong), client);
  watch_input (self, client);

  /* the resume token is a secret: never logged */
  client->peer_id = rtc_signal_router_add_peer_resuming (self->router,
      client, params ? g_hash_table_lookup (params, "meshrtc-peer") : NULL,
      params ? g_hash_table_lookup (params, "meshrtc-resume") : NULL,
      &replaced);
  if (replaced) {
    Client *old = replaced;

    old->replaced = TRUE;
    if (soup_websocket_connection_get_state (old->conn) ==
        SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close (old->conn, SOUP_WEBSOCKET_CLOSE_NORMAL,
          "replaced by a new connection of the same peer");
  }
  GST_INFO_OBJECT (self, "peer %s connected from %s", client->peer_id,
      soup_server_message_get_remote_host (msg));
}
