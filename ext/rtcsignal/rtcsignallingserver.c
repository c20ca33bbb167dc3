/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:rtcsignallingserver
 * @title: RtcSignallingServer
 * @short_description: gst-plugins-rs compatible signalling server
 *
 * A libsoup-3 #SoupServer with one WebSocket endpoint at `/` that speaks
 * the signalling protocol of docs/protocol.md through an #RtcSignalRouter.
 * The same port answers a plain HTTP `GET /` (no upgrade) with the
 * embedded viewer page (GResource `/org/meshrtc/viewer/`) when
 * #RtcSignallingServer:serve-viewer is %TRUE.
 *
 * Authentication: when #RtcSignallingServer:auth-token is set, the
 * WebSocket upgrade must carry `Authorization: Bearer <token>` (RFC 6750
 * §2.1) or the query parameter `?token=<token>` (RFC 6750 §2.3; browsers
 * cannot set headers on a WebSocket). Anything else is refused with
 * `401 Unauthorized` before the upgrade. The viewer page itself is public:
 * it holds no secret and passes its own `?token=` on to the WebSocket.
 *
 * Limits (docs/protocol.md has the table): each is a property, applies to
 * one connection or client address only, and says why when it bites.
 * - #RtcSignallingServer:max-message-size: whole messages; the
 *   permessage-deflate extension is refused so that the limit counts the
 *   real bytes (close 1009). libsoup 3.2 checks it per frame only; the
 *   server bounds what a connection reads between two complete messages
 *   (Linux TCP_INFO, see watch_input() and docs/protocol.md).
 * - #RtcSignallingServer:max-connections and
 *   #RtcSignallingServer:max-connections-per-address: TCP connections
 *   (HTTP and WebSocket), refused with 503; the total is also kept below
 *   the process's file descriptor limit, and a listener that libsoup gave
 *   up on (it stops accepting for good after EMFILE) is listened on again.
 * - #RtcSignallingServer:max-sessions-per-peer,
 *   #RtcSignallingServer:max-meta-size: answered with an `error`.
 * - #RtcSignallingServer:message-rate / #RtcSignallingServer:message-burst:
 *   a token bucket per connection; beyond it, close 1008.
 * - #RtcSignallingServer:max-send-backlog: bytes queued for a peer whose
 *   socket takes no more; beyond it, close 1008.
 * - #RtcSignallingServer:handshake-timeout: the request headers must be
 *   complete in time, or the socket is shut down (slowloris);
 *   #RtcSignallingServer:idle-timeout: a socket silent that long (pongs
 *   count) is dropped.
 * - #RtcSignallingServer:allowed-origins: a browser's `Origin` must name
 *   the same host:port as `Host` unless listed (`*`: any); 403.
 * - HTTP: methods other than GET and HEAD get 405 and bodies over 4 KiB
 *   get 413, answered as soon as the headers are in, without reading the
 *   body, and the connection is closed.
 *
 * Sessions outlive the server's connections (issue 7.4): stop() closes
 * every connection with 1001 and ends no session, a peer that drops
 * without a close frame 1000/1001 keeps its sessions for
 * #RtcSignallingServer:reconnect-grace, and a client that reconnects with
 * `?meshrtc-peer=<id>&meshrtc-resume=<token>` gets its id and sessions
 * back (#RtcSignalRouter). The token is never logged.
 *
 * Everything runs in the thread-default #GMainContext of the thread that
 * called rtc_signalling_server_start().
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
#include "rtcsignallingserver.h"
#include "rtccontextthread.h"
#include "rtcsignalrouter.h"
#include "rtcviewerresources.h"

GST_DEBUG_CATEGORY_STATIC (rtc_signalling_server_debug);
#define GST_CAT_DEFAULT rtc_signalling_server_debug

#define DEFAULT_HOST "127.0.0.1"
#define DEFAULT_PORT 8443
#define DEFAULT_MAX_MESSAGE_SIZE (1024 * 1024)
#define DEFAULT_PING_INTERVAL 30
#define DEFAULT_SERVE_VIEWER TRUE
#define DEFAULT_MAX_CONNECTIONS 1000
#define DEFAULT_MAX_CONNECTIONS_PER_ADDRESS 50
#define DEFAULT_MAX_SESSIONS_PER_PEER 64
#define DEFAULT_MAX_META_SIZE 4096
#define DEFAULT_MESSAGE_RATE 50
#define DEFAULT_MESSAGE_BURST 200
#define DEFAULT_MAX_SEND_BACKLOG (4 * 1024 * 1024)
#define DEFAULT_HANDSHAKE_TIMEOUT 10
#define DEFAULT_IDLE_TIMEOUT 75
#define DEFAULT_RECONNECT_GRACE 10000

/* plain HTTP requests carry no body we want */
#define MAX_REQUEST_BODY 4096
/* file descriptors kept free for everything else in the process */
#define FD_RESERVE 64
/* what a connection may have read beyond max-message-size between two
 * messages: frame headers, control frames, a TLS record, a read chunk */
#define MESSAGE_SLACK (64 * 1024)
/* how long a refused HTTP request's socket stays half-open for the client
 * to read the answer (a close with unread input would reset it) */
#define REFUSED_LINGER_MS 1000
/* how long stop() drives the closing handshakes it started (ms) */
#define STOP_LINGER_MS 500
/* how long a connection the server closed has to take the close frame
 * before its socket is shut down (a peer that reads nothing) */
#define KICK_LINGER_MS 2000

#define VIEWER_RESOURCE_PATH "/org/meshrtc/viewer/"

enum
{
  PROP_0,
  PROP_HOST,
  PROP_PORT,
  PROP_AUTH_TOKEN,
  PROP_MAX_MESSAGE_SIZE,
  PROP_PING_INTERVAL,
  PROP_TLS_CERTIFICATE,
  PROP_SERVE_VIEWER,
  PROP_ICE_SERVERS,
  PROP_MAX_CONNECTIONS,
  PROP_MAX_CONNECTIONS_PER_ADDRESS,
  PROP_MAX_SESSIONS_PER_PEER,
  PROP_MAX_META_SIZE,
  PROP_MESSAGE_RATE,
  PROP_MESSAGE_BURST,
  PROP_MAX_SEND_BACKLOG,
  PROP_HANDSHAKE_TIMEOUT,
  PROP_IDLE_TIMEOUT,
  PROP_RECONNECT_GRACE,
  PROP_ALLOWED_ORIGINS,
};

/* One WebSocket connection, and the peer it is on the router. */
typedef struct
{
  RtcSignallingServer *server;
  SoupWebsocketConnection *conn;
  gchar *peer_id;
  GSocket *socket;
  /* token bucket of the message rate limit */
  gdouble tokens;
  gint64 refilled_at;
  /* bytes sent since the socket last took more */
  gsize backlog;
  /* the server closed it on purpose: the peer leaves at once */
  gboolean kicked;
  /* a resumed connection of the same peer took over */
  gboolean replaced;
  /* counted in the server's per-address table */
  gchar *address;
  /* bounds fragmented messages on libsoup < 3.6 (see watch_input()) */
  GSource *input_watch;
  guint64 consumed;
  guint64 consumed_at_message;
  /* shuts a kicked connection down if its close does not complete */
  GSource *kick_timer;
} Client;

struct _RtcSignallingServer
{
  GObject parent;

  /* properties, under lock: they may be set from any thread */
  GMutex lock;
  gchar *host;
  guint port;
  gchar *auth_token;
  guint max_message_size;
  guint ping_interval;
  GTlsCertificate *tls_certificate;
  gboolean serve_viewer;
  JsonArray *ice_servers;
  guint max_connections;
  guint max_connections_per_address;
  guint max_sessions_per_peer;
  guint max_meta_size;
  guint message_rate;
  guint message_burst;
  guint max_send_backlog;
  guint handshake_timeout;
  guint idle_timeout;
  guint reconnect_grace;
  gchar **allowed_origins;

  /* from start to stop; touched only in @context */
  GMainContext *context;
  SoupServer *soup;
  RtcSignalRouter *router;
  GHashTable *clients;          /* set of Client* */
  /* connections told to close by stop(), until their closing handshake
   * ends: set of SoupWebsocketConnection* (a reference each) */
  GHashTable *closing;
  guint bound_port;
  /* every open TCP connection: GSocket* -> its address (weak refs) */
  GHashTable *sockets;
  /* address -> number of its open sockets (GUINT_TO_POINTER) */
  GHashTable *per_address;
  /* the total connection limit in force: max-connections, kept below the
   * file descriptor limit */
  guint connection_cap;
  /* notices listeners libsoup stopped accepting on */
  GSource *watchdog;
  guint64 accepted;
  guint64 accepted_at_check;
  guint stuck_checks;
  SoupServerListenOptions listen_options;
};

#define rtc_signalling_server_parent_class parent_class
G_DEFINE_TYPE (RtcSignallingServer, rtc_signalling_server, G_TYPE_OBJECT);

static void uncount_address (RtcSignallingServer * self,
    const gchar * address);
static gchar *adopt_socket (RtcSignallingServer * self, GSocket * socket);
static guint n_open_connections (RtcSignallingServer * self);

/* ------------------------------------------------------------------------ */
/* Connections */

static void
client_free (Client * client)
{
  if (client->input_watch) {
    g_source_destroy (client->input_watch);
    g_source_unref (client->input_watch);
  }
  if (client->kick_timer) {
    g_source_destroy (client->kick_timer);
    g_source_unref (client->kick_timer);
  }
  uncount_address (client->server, client->address);
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
static void
router_send (const gchar * peer_id, gpointer peer_data, const gchar * text,
    gpointer user_data)
{
  RtcSignallingServer *self = user_data;
  Client *client = peer_data;
  guint max_backlog;

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

/* Token bucket (rate per second, burst) for one more message. */
static gboolean
take_token (RtcSignallingServer * self, Client * client)
{
  gint64 now = g_get_monotonic_time ();
  guint rate, burst;

  g_mutex_lock (&self->lock);
  rate = self->message_rate;
  burst = self->message_burst;
  g_mutex_unlock (&self->lock);
  if (rate == 0)
    return TRUE;

  client->tokens = MIN ((gdouble) MAX (burst, 1), client->tokens +
      (now - client->refilled_at) * (gdouble) rate / G_USEC_PER_SEC);
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
  if (client->replaced)
    ;
  else if (client->kicked || code == SOUP_WEBSOCKET_CLOSE_NORMAL
      || code == SOUP_WEBSOCKET_CLOSE_GOING_AWAY)
    rtc_signal_router_remove_peer (self->router, client->peer_id);
  else
    rtc_signal_router_drop_peer (self->router, client->peer_id);
  g_hash_table_remove (self->clients, client);
  g_signal_handlers_disconnect_by_data (conn, client);
  client_free (client);
  g_object_unref (conn);
}

static void
on_websocket (SoupServer * soup, SoupServerMessage * msg, const gchar * path,
    SoupWebsocketConnection * conn, gpointer user_data)
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
  soup_websocket_connection_set_keepalive_interval (conn,
      self->ping_interval);
  g_mutex_unlock (&self->lock);

  client = g_new0 (Client, 1);
  client->server = self;
  client->conn = g_object_ref (conn);
  client->socket = g_object_get_data (G_OBJECT (msg), "meshrtc-socket");
  if (client->socket) {
    g_object_ref (client->socket);
    client->address = adopt_socket (self, client->socket);
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

/* ------------------------------------------------------------------------ */
/* HTTP: authentication and the viewer page */

/* Compares digests so that the time taken says nothing about how much of
 * a guessed token was right. */
static gboolean
token_matches (const gchar * expected, const gchar * given)
{
  g_autofree gchar *a = NULL;
  g_autofree gchar *b = NULL;

  if (!given)
    return FALSE;
  a = g_compute_checksum_for_string (G_CHECKSUM_SHA256, expected, -1);
  b = g_compute_checksum_for_string (G_CHECKSUM_SHA256, given, -1);
  return g_str_equal (a, b);
}

static gboolean
is_authorized (RtcSignallingServer * self, SoupServerMessage * msg,
    GHashTable * query)
{
  g_autofree gchar *token = NULL;
  const gchar *header;
  gboolean ok;

  g_mutex_lock (&self->lock);
  token = g_strdup (self->auth_token);
  g_mutex_unlock (&self->lock);
  if (!token)
    return TRUE;

  header = soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), "Authorization");
  /* the auth scheme is case-insensitive (RFC 7235 §2.1) */
  if (header && g_ascii_strncasecmp (header, "Bearer ", 7) == 0) {
    const gchar *given = header + 7;

    while (*given == ' ')
      given++;
    ok = token_matches (token, given);
  } else {
    ok = token_matches (token, query ? g_hash_table_lookup (query, "token")
        : NULL);
  }
  return ok;
}

static void
serve_resource (SoupServerMessage * msg, const gchar * name,
    const gchar * content_type)
{
  g_autofree gchar *path = g_strconcat (VIEWER_RESOURCE_PATH, name, NULL);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  SoupMessageHeaders *headers;

  bytes = g_resource_lookup_data (rtc_viewer_get_resource (), path,
      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (!bytes) {
    GST_WARNING ("viewer resource %s: %s", path, error->message);
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
    return;
  }

  headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY,
      g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

/* RFC 6454 §7: a browser says which page opened the WebSocket. By default
 * it must be a page of this server (same host:port as the Host header);
 * clients that send no Origin are not browsers and are let through. */
static gboolean
origin_allowed (RtcSignallingServer * self, SoupServerMessage * msg)
{
  SoupMessageHeaders *headers =
      soup_server_message_get_request_headers (msg);
  const gchar *origin = soup_message_headers_get_one (headers, "Origin");
  const gchar *host = soup_message_headers_get_one (headers, "Host");
  g_autoptr (GUri) uri = NULL;
  g_autofree gchar *authority = NULL;
  gboolean allowed = FALSE;
  gint port;

  if (!origin)
    return TRUE;

  g_mutex_lock (&self->lock);
  if (self->allowed_origins && self->allowed_origins[0]) {
    gchar **o;

    for (o = self->allowed_origins; *o && !allowed; o++)
      allowed = g_str_equal (*o, "*") || g_ascii_strcasecmp (*o, origin) == 0;
    g_mutex_unlock (&self->lock);
    return allowed;
  }
  g_mutex_unlock (&self->lock);

  uri = g_uri_parse (origin, G_URI_FLAGS_NONE, NULL);
  if (!uri || !host || !g_uri_get_host (uri))
    return FALSE;
  port = g_uri_get_port (uri);
  if (port < 0)
    port = g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
  authority = g_strdup_printf ("%s:%d", g_uri_get_host (uri), port);
  if (g_ascii_strcasecmp (host, authority) == 0)
    return TRUE;
  /* a Host without port means the scheme's default */
  if ((port == 80 || port == 443) && !strchr (host, ':'))
    return g_ascii_strcasecmp (host, g_uri_get_host (uri)) == 0;
  return FALSE;
}

/* Counts the address's open connections, including this one. */
static guint
connections_from (RtcSignallingServer * self, SoupServerMessage * msg)
{
  GSocket *socket = g_object_get_data (G_OBJECT (msg), "meshrtc-socket");
  const gchar *address = socket ? g_hash_table_lookup (self->sockets, socket)
      : NULL;

  return address ? GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address,
          address)) : 0;
}

/* Runs before libsoup's WebSocket handshake: a status set here refuses the
 * upgrade, no status lets it proceed. */
static void
on_http_request (SoupServer * soup, SoupServerMessage * msg,
    const gchar * path, GHashTable * query, gpointer user_data)
{
  RtcSignallingServer *self = user_data;
  SoupMessageHeaders *request =
      soup_server_message_get_request_headers (msg);
  const gchar *method = soup_server_message_get_method (msg);
  gboolean serve_viewer;

  if (soup_message_headers_header_contains (request, "Upgrade", "websocket")) {
    guint per_address_limit, total_limit;

    g_mutex_lock (&self->lock);
    per_address_limit = self->max_connections_per_address;
    g_mutex_unlock (&self->lock);
    total_limit = self->connection_cap;

    if (!g_str_equal (path, "/")) {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
    } else if (total_limit > 0 && n_open_connections (self) > total_limit) {
      GST_INFO_OBJECT (self, "refused a connection: %u connections open",
          n_open_connections (self) - 1);
      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
          "Too many connections");
    } else if (per_address_limit > 0
        && connections_from (self, msg) > per_address_limit) {
      GST_INFO_OBJECT (self, "refused a connection from %s: over %u",
          soup_server_message_get_remote_host (msg), per_address_limit);
      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
          "Too many connections from this address");
    } else if (!origin_allowed (self, msg)) {
      GST_INFO_OBJECT (self, "refused a connection from origin %s",
          soup_message_headers_get_one (request, "Origin"));
      soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN,
          "Origin not allowed");
    } else if (!is_authorized (self, msg, query)) {
      GST_INFO_OBJECT (self, "refused an unauthorized connection from %s",
          soup_server_message_get_remote_host (msg));
      soup_message_headers_replace (soup_server_message_get_response_headers
          (msg), "WWW-Authenticate", "Bearer realm=\"gst-meshrtc\"");
      soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
    }
    return;
  }

  if (!g_str_equal (method, SOUP_METHOD_GET)
      && !g_str_equal (method, SOUP_METHOD_HEAD)) {
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Allow", "GET, HEAD");
    soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
        NULL);
    return;
  }

  g_mutex_lock (&self->lock);
  serve_viewer = self->serve_viewer;
  g_mutex_unlock (&self->lock);

  if (serve_viewer && (g_str_equal (path, "/")
          || g_str_equal (path, "/index.html"))) {
    serve_resource (msg, "index.html", "text/html; charset=utf-8");
  } else if (serve_viewer && g_str_equal (path, "/viewer.js")) {
    /* RFC 9239 §6 */
    serve_resource (msg, "viewer.js", "text/javascript; charset=utf-8");
  } else if (g_str_equal (path, "/")) {
    /* the endpoint exists, but only for WebSocket (RFC 9110 §15.5.22) */
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Upgrade", "websocket");
    /* libsoup 3.2 has no name for it */
    soup_server_message_set_status (msg, 426, "Upgrade Required");
  } else {
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  }
}

/* ------------------------------------------------------------------------ */
/* Every TCP connection: counting, timeouts, request bodies */

/* Connections are counted per client address while a request is read or
 * answered (self->sockets) and while they are WebSocket clients
 * (Client.address). libsoup 3.2 may keep a socket object alive after its
 * connection closed, so its finalisation cannot be the signal. */

static gchar *
socket_address (GSocket * socket)
{
  g_autoptr (GSocketAddress) remote = g_socket_get_remote_address (socket,
      NULL);

  if (remote && G_IS_INET_SOCKET_ADDRESS (remote))
    return g_inet_address_to_string (g_inet_socket_address_get_address
        (G_INET_SOCKET_ADDRESS (remote)));
  return g_strdup ("unknown");
}

static void
count_address (RtcSignallingServer * self, const gchar * address)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address,
          address));

  g_hash_table_insert (self->per_address, g_strdup (address),
      GUINT_TO_POINTER (n + 1));
}

static void
uncount_address (RtcSignallingServer * self, const gchar * address)
{
  guint n;

  if (!address)
    return;
  n = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address));
  if (n <= 1)
    g_hash_table_remove (self->per_address, address);
  else
    g_hash_table_insert (self->per_address, g_strdup (address),
        GUINT_TO_POINTER (n - 1));
}

static void
track_socket (RtcSignallingServer * self, GSocket * socket)
{
  gchar *address;

  if (g_hash_table_contains (self->sockets, socket))
    return;
  address = socket_address (socket);
  g_hash_table_insert (self->sockets, g_object_ref (socket), address);
  count_address (self, address);
  self->accepted++;
}

static void
untrack_socket (RtcSignallingServer * self, GSocket * socket)
{
  gchar *address = NULL;
  GSocket *key = NULL;

  if (!g_hash_table_steal_extended (self->sockets, socket,
          (gpointer *) & key, (gpointer *) & address))
    return;
  uncount_address (self, address);
  g_free (address);
  g_object_unref (key);
}

/* A WebSocket client takes over the count of its request's socket. */
static gchar *
adopt_socket (RtcSignallingServer * self, GSocket * socket)
{
  gchar *address = NULL;
  GSocket *key = NULL;

  if (g_hash_table_steal_extended (self->sockets, socket,
          (gpointer *) & key, (gpointer *) & address)) {
    g_object_unref (key);
    return address;
  }
  address = socket_address (socket);
  count_address (self, address);
  return address;
}

/* The connection closed: libsoup emits request-finished or -aborted only
 * for requests that got as far as a request line, so a client that
 * connects and closes without a word (port scans, browsers' speculative
 * connections) ends here. */
static void
on_request_disconnected (SoupServerMessage * msg, RtcSignallingServer * self)
{
  GSocket *socket = g_object_get_data (G_OBJECT (msg), "meshrtc-socket");

  if (socket)
    untrack_socket (self, socket);
}

static void
on_request_done (SoupServer * soup, SoupServerMessage * msg,
    RtcSignallingServer * self)
{
  /* a later request on the same (keep-alive) connection counts it again */
  g_signal_handlers_disconnect_by_func (msg, on_request_disconnected, self);
  on_request_disconnected (msg, self);
}

static guint
n_open_connections (RtcSignallingServer * self)
{
  return g_hash_table_size (self->sockets) + g_hash_table_size (self->clients);
}

/* slowloris: the headers were not complete in time */
static gboolean
handshake_timed_out (gpointer data)
{
  GSocket *socket = data;

  GST_INFO ("request headers not complete in time: connection shut down");
  g_socket_shutdown (socket, TRUE, TRUE, NULL);
  return G_SOURCE_REMOVE;
}

static void
source_destroy_unref (gpointer data)
{
  g_source_destroy (data);
  g_source_unref (data);
}

/* A refused request's answer is written; the client gets a moment to
 * read it before the socket closes. */
static gboolean
close_refused (gpointer data)
{
  g_io_stream_close_async (G_IO_STREAM (data), G_PRIORITY_DEFAULT, NULL,
      NULL, NULL);
  return G_SOURCE_REMOVE;
}

static void
refusal_written (GObject * source, GAsyncResult * result, gpointer data)
{
  GIOStream *stream = data;
  GSocket *socket = g_object_get_data (G_OBJECT (stream), "GSocket");
  GSource *linger;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL,
      NULL);
  /* FIN after the answer; the body is never read */
  if (socket)
    g_socket_shutdown (socket, FALSE, TRUE, NULL);
  linger = g_timeout_source_new (REFUSED_LINGER_MS);
  g_source_set_callback (linger, close_refused, stream, g_object_unref);
  g_source_attach (linger, g_main_context_get_thread_default ());
  g_source_unref (linger);
}

/* libsoup 3.2 reads a request body whole before it answers, whatever the
 * status: a refused request takes its connection from libsoup at once and
 * is answered here, without reading (or storing) the body. */
static void
refuse_request (RtcSignallingServer * self, SoupServerMessage * msg,
    guint status, const gchar * extra_headers)
{
  GSocket *socket = g_object_get_data (G_OBJECT (msg), "meshrtc-socket");
  GIOStream *stream;
  gchar *answer;

  GST_INFO_OBJECT (self, "refusing %s %s from %s: %u",
      soup_server_message_get_method (msg),
      g_uri_get_path (soup_server_message_get_uri (msg)),
      soup_server_message_get_remote_host (msg), status);
  if (socket)
    untrack_socket (self, socket);
  stream = soup_server_message_steal_connection (msg);
  if (!stream)
    return;
  answer = g_strdup_printf ("HTTP/1.1 %u %s\r\n%sContent-Length: 0\r\n"
      "Connection: close\r\n\r\n", status, soup_status_get_phrase (status),
      extra_headers);
  /* the answer lives as long as the stream */
  g_object_set_data_full (G_OBJECT (stream), "meshrtc-answer", answer,
      g_free);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
      answer, strlen (answer), G_PRIORITY_DEFAULT, NULL, refusal_written,
      stream);
}

/* Plain HTTP requests are GET or HEAD without a body (405, 413). */
static void
on_got_headers (SoupServerMessage * msg, RtcSignallingServer * self)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  const gchar *method = soup_server_message_get_method (msg);
  goffset length = soup_message_headers_get_content_length (request);
  SoupEncoding encoding = soup_message_headers_get_encoding (request);

  g_object_set_data (G_OBJECT (msg), "meshrtc-handshake-timer", NULL);

  if (!g_str_equal (method, SOUP_METHOD_GET)
      && !g_str_equal (method, SOUP_METHOD_HEAD))
    refuse_request (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
        "Allow: GET, HEAD\r\n");
  else if ((encoding == SOUP_ENCODING_CONTENT_LENGTH
          && length > MAX_REQUEST_BODY) || encoding == SOUP_ENCODING_CHUNKED)
    refuse_request (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "");
}

static void
on_request_started (SoupServer * soup, SoupServerMessage * msg,
    RtcSignallingServer * self)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  guint handshake_timeout, idle_timeout;
  GSource *timer;

  if (!socket)
    return;
  track_socket (self, socket);
  g_object_set_data_full (G_OBJECT (msg), "meshrtc-socket",
      g_object_ref (socket), g_object_unref);
  g_signal_connect_object (msg, "disconnected",
      G_CALLBACK (on_request_disconnected), self, 0);

  g_mutex_lock (&self->lock);
  handshake_timeout = self->handshake_timeout;
  idle_timeout = self->idle_timeout;
  g_mutex_unlock (&self->lock);

  /* Reads and writes that wait longer fail with G_IO_ERROR_TIMED_OUT and
   * libsoup drops the connection: a WebSocket whose client answers no
   * ping, or an HTTP client that stops in the middle. */
  g_socket_set_timeout (socket, idle_timeout);

  /* above the connection cap, the socket goes at once: no fd for it */
  if (self->connection_cap > 0
      && n_open_connections (self) > self->connection_cap + 16) {
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
    return;
  }

  if (handshake_timeout > 0) {
    /* to the millisecond: the seconds variant may fire up to 1 s early */
    timer = g_timeout_source_new (MIN (handshake_timeout, G_MAXUINT / 1000)
        * 1000);
    g_source_set_callback (timer, handshake_timed_out, g_object_ref (socket),
        g_object_unref);
    g_source_attach (timer, self->context);
    g_object_set_data_full (G_OBJECT (msg), "meshrtc-handshake-timer", timer,
        source_destroy_unref);
  }
  g_signal_connect_object (msg, "got-headers", G_CALLBACK (on_got_headers),
      self, 0);
}

/* libsoup 3.2 stops accepting on a listener for good when accept() fails
 * (EMFILE): a listening socket that stays readable while nothing is
 * accepted is listened on again, once a file descriptor is free. */
static gboolean
watchdog_check (gpointer data)
{
  RtcSignallingServer *self = data;
  GSList *listeners, *l;
  gboolean pending = FALSE;

  if (!self->soup)
    return G_SOURCE_REMOVE;
  listeners = soup_server_get_listeners (self->soup);
  for (l = listeners; l; l = l->next)
    pending |= (g_socket_condition_check (l->data, G_IO_IN) & G_IO_IN) != 0;

  if (!pending || self->accepted != self->accepted_at_check) {
    self->stuck_checks = 0;
  } else if (++self->stuck_checks >= 2) {
    gint fd = dup (0);
    GHashTable *seen = g_hash_table_new (NULL, NULL);

    if (fd >= 0) {
      close (fd);
      GST_WARNING_OBJECT (self, "listeners stopped accepting (out of file "
          "descriptors?): listening again");
      for (l = listeners; l; l = l->next) {
        g_autoptr (GError) error = NULL;
        gint lfd = g_socket_get_fd (l->data);

        /* an old, stopped listener object shares the fd: once per fd */
        if (g_hash_table_contains (seen, GINT_TO_POINTER (lfd)))
          continue;
        g_hash_table_add (seen, GINT_TO_POINTER (lfd));
        if (!soup_server_listen_socket (self->soup, l->data,
                self->listen_options & SOUP_SERVER_LISTEN_HTTPS, &error))
          GST_WARNING_OBJECT (self, "listening again: %s", error->message);
      }
      self->stuck_checks = 0;
    }
    g_hash_table_unref (seen);
  }
  self->accepted_at_check = self->accepted;
  g_slist_free (listeners);
  return G_SOURCE_CONTINUE;
}

/* max-connections, kept below the file descriptor limit */
static guint
connection_cap (guint max_connections)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur !=
      RLIM_INFINITY && limit.rlim_cur > FD_RESERVE) {
    guint fds = (guint) MIN (limit.rlim_cur - FD_RESERVE, G_MAXUINT);

    if (max_connections == 0 || max_connections > fds)
      return fds;
  }
  return max_connections;
}

/* ------------------------------------------------------------------------ */
/* Start and stop */

static gboolean
listen_on (RtcSignallingServer * self, const gchar * host, guint port,
    SoupServerListenOptions options, GError ** error)
{
  g_autoptr (GInetAddress) literal = g_inet_address_new_from_string (host);
  g_autolist (GInetAddress) resolved = NULL;
  GList *addresses, *l;

  if (literal) {
    addresses = g_list_prepend (NULL, literal);
  } else {
    g_autoptr (GResolver) resolver = g_resolver_get_default ();

    resolved = g_resolver_lookup_by_name (resolver, host, NULL, error);
    if (!resolved)
      return FALSE;
    addresses = g_list_copy (resolved);
  }

  /* with port 0 on a name of several addresses, all share the first's */
  for (l = addresses; l; l = l->next) {
    g_autoptr (GSocketAddress) address =
        g_inet_socket_address_new (l->data, port);
    GSList *listeners;

    if (!soup_server_listen (self->soup, address, options, error)) {
      g_list_free (addresses);
      return FALSE;
    }
    listeners = soup_server_get_listeners (self->soup);
    if (port == 0 && listeners) {
      g_autoptr (GSocketAddress) local =
          g_socket_get_local_address (listeners->data, NULL);

      if (local)
        port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
    }
    g_slist_free (listeners);
  }
  g_list_free (addresses);
  self->bound_port = port;
  return TRUE;
}

/**
 * rtc_signalling_server_start:
 * @self: the server
 * @error: return location for a G_IO_ERROR
 *
 * Binds #RtcSignallingServer:host and #RtcSignallingServer:port and serves
 * from the caller's thread-default #GMainContext. Starting a running server
 * does nothing.
 *
 * Returns: %TRUE when listening.
 */
gboolean
rtc_signalling_server_start (RtcSignallingServer * self, GError ** error)
{
  g_autofree gchar *host = NULL;
  g_autoptr (GTlsCertificate) certificate = NULL;
  SoupServerListenOptions options = 0;
  guint port;

  g_return_val_if_fail (RTC_IS_SIGNALLING_SERVER (self), FALSE);

  if (self->soup)
    return TRUE;

  g_mutex_lock (&self->lock);
  host = g_strdup (self->host);
  port = self->port;
  if (self->tls_certificate)
    certificate = g_object_ref (self->tls_certificate);
  g_mutex_unlock (&self->lock);

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  self->soup = soup_server_new ("server-header", "gst-meshrtc ", NULL);
  if (certificate) {
    soup_server_set_tls_certificate (self->soup, certificate);
    options |= SOUP_SERVER_LISTEN_HTTPS;
  }
  /* libsoup 3 offers permessage-deflate by default: then the message size
   * limit would count compressed bytes and a small frame could inflate to
   * anything. Signalling messages are small; no compression. */
  soup_server_remove_websocket_extension (self->soup,
      SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_handler (self->soup, "/", on_http_request, self, NULL);
  soup_server_add_websocket_handler (self->soup, "/", NULL, NULL,
      on_websocket, self, NULL);
  g_signal_connect (self->soup, "request-started",
      G_CALLBACK (on_request_started), self);
  g_signal_connect (self->soup, "request-finished",
      G_CALLBACK (on_request_done), self);
  g_signal_connect (self->soup, "request-aborted",
      G_CALLBACK (on_request_done), self);

  self->router = rtc_signal_router_new (router_send, self, NULL);
  g_mutex_lock (&self->lock);
  rtc_signal_router_set_ice_servers (self->router, self->ice_servers);
  rtc_signal_router_set_limits (self->router, self->max_sessions_per_peer,
      self->max_meta_size);
  rtc_signal_router_set_reconnect_grace (self->router, self->reconnect_grace);
  self->connection_cap = connection_cap (self->max_connections);
  g_mutex_unlock (&self->lock);
  self->listen_options = options;

  if (!listen_on (self, host, port, options, error)) {
    GST_WARNING_OBJECT (self, "could not listen on %s:%u", host, port);
    rtc_signalling_server_stop (self);
    return FALSE;
  }

  self->watchdog = g_timeout_source_new (500);
  g_source_set_callback (self->watchdog, watchdog_check, self, NULL);
  g_source_attach (self->watchdog, self->context);

  GST_INFO_OBJECT (self, "listening on %s://%s:%u/",
      certificate ? "wss" : "ws", host, self->bound_port);
  return TRUE;
}

static void
closing_done (SoupWebsocketConnection * conn, RtcSignallingServer * self)
{
  g_signal_handlers_disconnect_by_data (conn, self);
  g_hash_table_remove (self->closing, conn);
}

/* Cleanly closes every connection with 1001 and ends no session: media
 * between peers must never depend on the server being up (issue 7.4), and
 * the clients will resume on the next server. */
static void
close_all (RtcSignallingServer * self)
{
  GList *clients = g_hash_table_get_keys (self->clients), *l;

  g_hash_table_steal_all (self->clients);
  for (l = clients; l; l = l->next) {
    Client *client = l->data;
    SoupWebsocketConnection *conn = client->conn;

    g_signal_handlers_disconnect_by_data (conn, client);
    client_free (client);

    if (soup_websocket_connection_get_state (conn) ==
        SOUP_WEBSOCKET_STATE_CLOSED) {
      g_object_unref (conn);
      continue;
    }
    g_hash_table_add (self->closing, conn);
    g_signal_connect (conn, "closed", G_CALLBACK (closing_done), self);
    if (soup_websocket_connection_get_state (conn) ==
        SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close (conn,
          SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "server shutting down");
  }
  g_list_free (clients);
}

/* The closing handshakes close_all() started need this context to run,
 * and an embedding element stops its thread right after stop(): drive
 * them here, bounded, then close the TCP connections of peers that did not
 * answer. A connection left open would keep its socket until the process
 * ends and make its peer wait for libsoup's 5 s close timeout before it
 * can reconnect. */
static void
finish_closing (RtcSignallingServer * self)
{
  gint64 deadline = g_get_monotonic_time () + STOP_LINGER_MS * 1000;
  GHashTableIter iter;
  SoupWebsocketConnection *conn;

  while (g_hash_table_size (self->closing) > 0
      && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (self->context, FALSE))
      g_usleep (1000);

  g_hash_table_iter_init (&iter, self->closing);
  while (g_hash_table_iter_next (&iter, (gpointer *) & conn, NULL)) {
    GST_INFO_OBJECT (self, "a peer did not answer our close frame within "
        "%d ms: connection shut down", STOP_LINGER_MS);
    g_signal_handlers_disconnect_by_data (conn, self);
    g_io_stream_close (soup_websocket_connection_get_io_stream (conn), NULL,
        NULL);
    g_hash_table_iter_remove (&iter);
  }
}

static void
stop_in_context (RtcSignallingServer * self)
{
  if (!self->soup)
    return;

  GST_INFO_OBJECT (self, "stopping, %u connections",
      g_hash_table_size (self->clients));

  close_all (self);
  finish_closing (self);
  if (self->watchdog) {
    g_source_destroy (self->watchdog);
    g_clear_pointer (&self->watchdog, g_source_unref);
  }
  soup_server_disconnect (self->soup);
  g_hash_table_remove_all (self->sockets);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->router, rtc_signal_router_free);
  self->bound_port = 0;
}

static gboolean
stop_invoked (gpointer data)
{
  stop_in_context (data);
  return G_SOURCE_REMOVE;
}

/**
 * rtc_signalling_server_stop:
 * @self: the server
 *
 * Closes every connection with 1001 "server shutting down" and stops
 * listening. No session is ended and no endSession is sent: media between
 * peers does not depend on the server, and clients resume their peer ids
 * and sessions on the next server. Idempotent. From a thread other than
 * the server's, it waits until the server's context has done it. It waits
 * at most 500 ms for the closing handshakes (driving the server's context)
 * and then shuts down the TCP connections of peers that did not answer, so
 * nothing is left open when the caller stops that context.
 */
void
rtc_signalling_server_stop (RtcSignallingServer * self)
{
  g_return_if_fail (RTC_IS_SIGNALLING_SERVER (self));

  if (!self->context)
    return;
  /* at once when this thread can hold the context, else on the thread
   * that runs it */
  rtc_context_invoke_sync (self->context, stop_invoked, self);
}

/**
 * rtc_signalling_server_get_port:
 * @self: the server
 *
 * Returns: the port listened on while started (the real one when
 *   #RtcSignallingServer:port is 0), else 0.
 */
guint
rtc_signalling_server_get_port (RtcSignallingServer * self)
{
  g_return_val_if_fail (RTC_IS_SIGNALLING_SERVER (self), 0);
  return self->bound_port;
}

/**
 * rtc_signalling_server_get_n_connections:
 * @self: the server
 *
 * Call from the server's context.
 *
 * Returns: the WebSocket connections that are open, or that stop() is
 *   still closing.
 */
guint
rtc_signalling_server_get_n_connections (RtcSignallingServer * self)
{
  g_return_val_if_fail (RTC_IS_SIGNALLING_SERVER (self), 0);
  return g_hash_table_size (self->clients) +
      g_hash_table_size (self->closing);
}

static gboolean
apply_ice_servers (gpointer data)
{
  RtcSignallingServer *self = data;
  g_autoptr (JsonArray) ice_servers = NULL;

  g_mutex_lock (&self->lock);
  if (self->ice_servers)
    ice_servers = json_array_ref (self->ice_servers);
  g_mutex_unlock (&self->lock);

  if (self->router)
    rtc_signal_router_set_ice_servers (self->router, ice_servers);
  return G_SOURCE_REMOVE;
}

/**
 * rtc_signalling_server_set_ice_servers:
 * @self: the server
 * @json: (nullable): ICE servers in any form rtc_ice_config_parse() takes,
 *   or %NULL for none
 * @error: return location for a #RTC_ICE_CONFIG_ERROR
 *
 * Validates and sets #RtcSignallingServer:ice-servers. A running server
 * sends the new `iceServers` message to every connected peer.
 *
 * Returns: %FALSE, keeping the old value, when @json is not a valid ICE
 *   configuration.
 */
gboolean
rtc_signalling_server_set_ice_servers (RtcSignallingServer * self,
    const gchar * json, GError ** error)
{
  g_autoptr (JsonArray) array = NULL;

  g_return_val_if_fail (RTC_IS_SIGNALLING_SERVER (self), FALSE);

  if (json) {
    g_autoptr (RtcIceConfig) config = rtc_ice_config_parse (json, -1, error);
    g_autoptr (JsonNode) root = NULL;
    g_autofree gchar *browser_form = NULL;

    if (!config)
      return FALSE;
    /* normalised to the browser's RTCIceServer array, credentials kept;
     * our own output, but parsed the one safe way all the same */
    browser_form = rtc_ice_config_to_json (config, FALSE);
    root = rtc_json_parse (browser_form, -1, RTC_JSON_MAX_DEPTH, error);
    if (!root)
      return FALSE;
    g_assert (JSON_NODE_HOLDS_ARRAY (root));
    array = json_array_ref (json_node_get_array (root));
  }

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->ice_servers, json_array_unref);
  self->ice_servers = g_steal_pointer (&array);
  g_mutex_unlock (&self->lock);

  if (self->context)
    g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT,
        apply_ice_servers, g_object_ref (self), g_object_unref);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* GObject */

RtcSignallingServer *
rtc_signalling_server_new (const gchar * host, guint port)
{
  return g_object_new (RTC_TYPE_SIGNALLING_SERVER, "host", host, "port",
      port, NULL);
}

static void
rtc_signalling_server_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  RtcSignallingServer *self = RTC_SIGNALLING_SERVER (object);

  if (prop_id == PROP_ICE_SERVERS) {
    g_autoptr (GError) error = NULL;

    if (!rtc_signalling_server_set_ice_servers (self,
            g_value_get_string (value), &error))
      GST_WARNING_OBJECT (self, "ice-servers not changed: %s",
          error->message);
    return;
  }

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_HOST:
      g_free (self->host);
      self->host = g_value_dup_string (value);
      if (!self->host)
        self->host = g_strdup (DEFAULT_HOST);
      break;
    case PROP_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_AUTH_TOKEN:
      g_free (self->auth_token);
      self->auth_token = g_value_dup_string (value);
      /* an empty token would be trivially guessable: treat it as none */
      if (self->auth_token && !*self->auth_token)
        g_clear_pointer (&self->auth_token, g_free);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      self->max_message_size = g_value_get_uint (value);
      break;
    case PROP_PING_INTERVAL:
      self->ping_interval = g_value_get_uint (value);
      break;
    case PROP_TLS_CERTIFICATE:
      g_clear_object (&self->tls_certificate);
      self->tls_certificate = g_value_dup_object (value);
      break;
    case PROP_SERVE_VIEWER:
      self->serve_viewer = g_value_get_boolean (value);
      break;
    case PROP_MAX_CONNECTIONS:
      self->max_connections = g_value_get_uint (value);
      break;
    case PROP_MAX_CONNECTIONS_PER_ADDRESS:
      self->max_connections_per_address = g_value_get_uint (value);
      break;
    case PROP_MAX_SESSIONS_PER_PEER:
      self->max_sessions_per_peer = g_value_get_uint (value);
      break;
    case PROP_MAX_META_SIZE:
      self->max_meta_size = g_value_get_uint (value);
      break;
    case PROP_MESSAGE_RATE:
      self->message_rate = g_value_get_uint (value);
      break;
    case PROP_MESSAGE_BURST:
      self->message_burst = g_value_get_uint (value);
      break;
    case PROP_MAX_SEND_BACKLOG:
      self->max_send_backlog = g_value_get_uint (value);
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      self->handshake_timeout = g_value_get_uint (value);
      break;
    case PROP_IDLE_TIMEOUT:
      self->idle_timeout = g_value_get_uint (value);
      break;
    case PROP_RECONNECT_GRACE:
      self->reconnect_grace = g_value_get_uint (value);
      break;
    case PROP_ALLOWED_ORIGINS:
      g_strfreev (self->allowed_origins);
      self->allowed_origins = g_value_dup_boxed (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}

static void
rtc_signalling_server_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  RtcSignallingServer *self = RTC_SIGNALLING_SERVER (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint (value, self->max_message_size);
      break;
    case PROP_PING_INTERVAL:
      g_value_set_uint (value, self->ping_interval);
      break;
    case PROP_TLS_CERTIFICATE:
      g_value_set_object (value, self->tls_certificate);
      break;
    case PROP_SERVE_VIEWER:
      g_value_set_boolean (value, self->serve_viewer);
      break;
    case PROP_MAX_CONNECTIONS:
      g_value_set_uint (value, self->max_connections);
      break;
    case PROP_MAX_CONNECTIONS_PER_ADDRESS:
      g_value_set_uint (value, self->max_connections_per_address);
      break;
    case PROP_MAX_SESSIONS_PER_PEER:
      g_value_set_uint (value, self->max_sessions_per_peer);
      break;
    case PROP_MAX_META_SIZE:
      g_value_set_uint (value, self->max_meta_size);
      break;
    case PROP_MESSAGE_RATE:
      g_value_set_uint (value, self->message_rate);
      break;
    case PROP_MESSAGE_BURST:
      g_value_set_uint (value, self->message_burst);
      break;
    case PROP_MAX_SEND_BACKLOG:
      g_value_set_uint (value, self->max_send_backlog);
      break;
    case PROP_HANDSHAKE_TIMEOUT:
      g_value_set_uint (value, self->handshake_timeout);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout);
      break;
    case PROP_RECONNECT_GRACE:
      g_value_set_uint (value, self->reconnect_grace);
      break;
    case PROP_ALLOWED_ORIGINS:
      g_value_set_boxed (value, self->allowed_origins);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}

static void
rtc_signalling_server_dispose (GObject * object)
{
  RtcSignallingServer *self = RTC_SIGNALLING_SERVER (object);
  GHashTableIter iter;
  SoupWebsocketConnection *conn;

  rtc_signalling_server_stop (self);

  /* connections still closing drop themselves when they are done */
  g_hash_table_iter_init (&iter, self->closing);
  while (g_hash_table_iter_next (&iter, (gpointer *) & conn, NULL)) {
    g_signal_handlers_disconnect_by_data (conn, self);
    g_signal_connect (conn, "closed", G_CALLBACK (g_object_unref), NULL);
    g_hash_table_iter_steal (&iter);
  }
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (parent_class)->dispose (object);
}

static void
rtc_signalling_server_finalize (GObject * object)
{
  RtcSignallingServer *self = RTC_SIGNALLING_SERVER (object);

  g_hash_table_unref (self->clients);
  g_hash_table_unref (self->closing);
  g_free (self->host);
  g_free (self->auth_token);
  g_clear_object (&self->tls_certificate);
  g_clear_pointer (&self->ice_servers, json_array_unref);
  g_strfreev (self->allowed_origins);
  g_hash_table_unref (self->sockets);
  g_hash_table_unref (self->per_address);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
rtc_signalling_server_class_init (RtcSignallingServerClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->set_property = rtc_signalling_server_set_property;
  gobject_class->get_property = rtc_signalling_server_get_property;
  gobject_class->dispose = rtc_signalling_server_dispose;
  gobject_class->finalize = rtc_signalling_server_finalize;

  /**
   * RtcSignallingServer:host:
   *
   * Address or host name to listen on; takes effect at the next start.
   */
  g_object_class_install_property (gobject_class, PROP_HOST,
      g_param_spec_string ("host", "Host", "Address to listen on",
          DEFAULT_HOST, G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
          G_PARAM_STATIC_STRINGS));

  /**
   * RtcSignallingServer:port:
   *
   * TCP port; 0 picks a free one (see rtc_signalling_server_get_port()).
   * Takes effect at the next start.
   */
  g_object_class_install_property (gobject_class, PROP_PORT,
      g_param_spec_uint ("port", "Port", "TCP port to listen on (0 = any)",
          0, 65535, DEFAULT_PORT, G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
          G_PARAM_STATIC_STRINGS));

  /**
   * RtcSignallingServer:auth-token:
   *
   * Bearer token WebSocket clients must present (RFC 6750 §2.1 header or
   * §2.3 `token` query parameter); %NULL or empty admits everyone. Checked
   * for every new connection. Write-only: it is a secret.
   */
  g_object_class_install_property (gobject_class, PROP_AUTH_TOKEN,
      g_param_spec_string ("auth-token", "Auth token",
          "Bearer token clients must present (write-only)", NULL,
          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));

  /**
   * RtcSignallingServer:max-message-size:
   *
   * Largest WebSocket message accepted, in bytes. A peer that sends more
   * is disconnected with close code 1009 (RFC 6455 §7.4.1). Applies to new
   * connections.
   */
  g_object_class_install_property (gobject_class, PROP_MAX_MESSAGE_SIZE,
      g_param_spec_uint ("max-message-size", "Max message size",
          "Largest accepted message in bytes", 1, G_MAXUINT,
          DEFAULT_MAX_MESSAGE_SIZE, G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
          G_PARAM_STATIC_STRINGS));

  /**
   * RtcSignallingServer:ping-interval:
   *
   * Seconds between WebSocket pings (RFC 6455 §5.5.2) that keep idle
   * connections alive through NATs and proxies; 0 disables them. Applies
   * to new connections.
   */
  g_object_class_install_property (gobject_class, PROP_PING_INTERVAL,
      g_param_spec_uint ("ping-interval", "Ping interval",
          "Seconds between keep-alive pings (0 = none)", 0, G_MAXUINT,
          DEFAULT_PING_INTERVAL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
          G_PARAM_STATIC_STRINGS));

  /**
   * RtcSignallingServer:tls-certificate:
   *
   * Certificate with private key: when set, the server speaks wss:// and
   * https:// only. Takes effect at the next start.
   */
  g_object_class_install_property (gobject_class, PROP_TLS_CERTIFICATE,
      g_param_spec_object ("tls-certificate", "TLS certificate",
          "Certificate and key for wss://", G_TYPE_TLS_CERTIFICATE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  /**
   * RtcSignallingServer:serve-viewer:
   *
   * Answer a plain HTTP GET of `/` with the embedded viewer page.
   */
  g_object_class_install_property (gobject_class, PROP_SERVE_VIEWER,
      g_param_spec_boolean ("serve-viewer", "Serve viewer",
          "Serve the viewer page on plain HTTP GET /", DEFAULT_SERVE_VIEWER,
          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));

  /**
   * RtcSignallingServer:ice-servers:
   *
   * RTCIceServer JSON (any form rtc_ice_config_parse() takes) handed in an
   * `iceServers` message to every client that asked with `getIceServers`
   * and registered with setPeerStatus, and to those again when it changes. An invalid value is refused with a
   * warning; use rtc_signalling_server_set_ice_servers() to get the error.
   * Write-only: it holds TURN credentials.
   */
  g_object_class_install_property (gobject_class, PROP_ICE_SERVERS,
      g_param_spec_string ("ice-servers", "ICE servers",
          "RTCIceServer JSON sent to clients (write-only)", NULL,
          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));

#define UINT_PROP(id, name, nick, blurb, max, def) \
  g_object_class_install_property (gobject_class, id, \
      g_param_spec_uint (name, nick, blurb, 0, max, def, \
          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS))

  /**
   * RtcSignallingServer:max-connections:
   *
   * Open TCP connections (HTTP and WebSocket) in total; a WebSocket upgrade
   * beyond it is refused with `503 Too many connections`. Kept below the
   * process's file descriptor limit (RLIMIT_NOFILE minus 64) whatever its
   * value. 0: only that. Default: 1000. Takes effect at the next start.
   */
  UINT_PROP (PROP_MAX_CONNECTIONS, "max-connections", "Max connections",
      "Open TCP connections in total (0 = file descriptor limit only)",
      G_MAXUINT, DEFAULT_MAX_CONNECTIONS);

  /**
   * RtcSignallingServer:max-connections-per-address:
   *
   * Open TCP connections from one client IP address; a WebSocket upgrade
   * beyond it is refused with `503 Too many connections from this
   * address`. 0: no limit. Default: 50.
   */
  UINT_PROP (PROP_MAX_CONNECTIONS_PER_ADDRESS, "max-connections-per-address",
      "Max connections per address",
      "Open TCP connections from one IP address (0 = no limit)", G_MAXUINT,
      DEFAULT_MAX_CONNECTIONS_PER_ADDRESS);

  /**
   * RtcSignallingServer:max-sessions-per-peer:
   *
   * Sessions one peer may be in at once; a startSession beyond it (for
   * either side) is answered with an `error`. 0: no limit. Default: 64.
   * Takes effect at the next start.
   */
  UINT_PROP (PROP_MAX_SESSIONS_PER_PEER, "max-sessions-per-peer",
      "Max sessions per peer", "Sessions a peer may be in (0 = no limit)",
      G_MAXUINT, DEFAULT_MAX_SESSIONS_PER_PEER);

  /**
   * RtcSignallingServer:max-meta-size:
   *
   * Bytes of a peer's `meta` object, serialised; a setPeerStatus with a
   * larger one is answered with an `error` and ignored. 0: no limit.
   * Default: 4096. Takes effect at the next start.
   */
  UINT_PROP (PROP_MAX_META_SIZE, "max-meta-size", "Max meta size",
      "Bytes of a peer's serialised meta (0 = no limit)", G_MAXUINT,
      DEFAULT_MAX_META_SIZE);

  /**
   * RtcSignallingServer:message-rate:
   *
   * Messages per second a connection may send on average (a token bucket
   * of #RtcSignallingServer:message-burst); beyond it the server closes
   * the connection with 1008 "message rate exceeded". 0: no limit.
   * Default: 50.
   */
  UINT_PROP (PROP_MESSAGE_RATE, "message-rate", "Message rate",
      "Messages per second per connection (0 = no limit)", G_MAXUINT,
      DEFAULT_MESSAGE_RATE);

  /**
   * RtcSignallingServer:message-burst:
   *
   * Messages a connection may send at once before
   * #RtcSignallingServer:message-rate applies. Default: 200.
   */
  UINT_PROP (PROP_MESSAGE_BURST, "message-burst", "Message burst",
      "Messages a connection may send at once", G_MAXUINT,
      DEFAULT_MESSAGE_BURST);

  /**
   * RtcSignallingServer:max-send-backlog:
   *
   * Bytes the server may have queued for a peer whose socket takes no
   * more (counted from the moment its kernel send buffer is full); beyond
   * it the slow peer is closed with 1008 "send backlog exceeded".
   * 0: no limit. Default: 4194304 (4 MiB).
   */
  UINT_PROP (PROP_MAX_SEND_BACKLOG, "max-send-backlog", "Max send backlog",
      "Bytes queued for a slow peer before it is closed (0 = no limit)",
      G_MAXUINT, DEFAULT_MAX_SEND_BACKLOG);

  /**
   * RtcSignallingServer:handshake-timeout:
   *
   * Seconds a new request has to send its complete headers (WebSocket
   * upgrade or HTTP); then the socket is shut down without an answer.
   * 0: no limit. Default: 10.
   */
  UINT_PROP (PROP_HANDSHAKE_TIMEOUT, "handshake-timeout",
      "Handshake timeout", "Seconds to send request headers (0 = none)",
      G_MAXUINT, DEFAULT_HANDSHAKE_TIMEOUT);

  /**
   * RtcSignallingServer:idle-timeout:
   *
   * Seconds a connection may stay silent (no byte read, pongs included,
   * or no byte written when it has something to write) before it is
   * dropped; keep it above #RtcSignallingServer:ping-interval. A dropped
   * peer keeps its sessions for #RtcSignallingServer:reconnect-grace.
   * 0: no limit. Default: 75.
   */
  UINT_PROP (PROP_IDLE_TIMEOUT, "idle-timeout", "Idle timeout",
      "Seconds a connection may stay silent (0 = no limit)", G_MAXUINT,
      DEFAULT_IDLE_TIMEOUT);

  /**
   * RtcSignallingServer:reconnect-grace:
   *
   * Milliseconds a peer whose connection dropped without a close frame
   * 1000 or 1001 keeps its sessions, waiting for it to resume (see
   * docs/protocol.md); messages for it meanwhile are dropped. Then its
   * sessions end and listeners are told it left. 0: at once.
   * Default: 10000. Takes effect at the next start.
   */
  UINT_PROP (PROP_RECONNECT_GRACE, "reconnect-grace", "Reconnect grace",
      "Milliseconds a dropped peer keeps its sessions", G_MAXUINT,
      DEFAULT_RECONNECT_GRACE);

  /**
   * RtcSignallingServer:allowed-origins:
   *
   * Origins (e.g. `https://example.org:8443`) whose pages may open a
   * WebSocket; `*` allows any. %NULL or empty (the default): a browser's
   * `Origin` must name the same host and port as its `Host` header.
   * Requests without `Origin` (not from a browser) are always allowed.
   * Others are refused with 403.
   */
  g_object_class_install_property (gobject_class, PROP_ALLOWED_ORIGINS,
      g_param_spec_boxed ("allowed-origins", "Allowed origins",
          "Origins whose pages may connect (* = any; default: same host)",
          G_TYPE_STRV, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  GST_DEBUG_CATEGORY_INIT (rtc_signalling_server_debug, "rtcsignallingserver",
      0, "signalling server");
}

static void
rtc_signalling_server_init (RtcSignallingServer * self)
{
  g_mutex_init (&self->lock);
  self->clients = g_hash_table_new (NULL, NULL);
  self->closing = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->sockets = g_hash_table_new_full (NULL, NULL, g_object_unref, g_free);
  self->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
}
