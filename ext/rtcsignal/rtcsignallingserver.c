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
 * Everything runs in the thread-default #GMainContext of the thread that
 * called rtc_signalling_server_start().
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/gst.h>
#include <libsoup/soup.h>

#include "rtciceconfig.h"
#include "rtcprotocol.h"
#include "rtcsignallingserver.h"
#include "rtcsignalrouter.h"
#include "rtcviewerresources.h"

GST_DEBUG_CATEGORY_STATIC (rtc_signalling_server_debug);
#define GST_CAT_DEFAULT rtc_signalling_server_debug

#define DEFAULT_HOST "127.0.0.1"
#define DEFAULT_PORT 8443
#define DEFAULT_MAX_MESSAGE_SIZE (1024 * 1024)
#define DEFAULT_PING_INTERVAL 30
#define DEFAULT_SERVE_VIEWER TRUE

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
};

/* One WebSocket connection, and the peer it is on the router. */
typedef struct
{
  RtcSignallingServer *server;
  SoupWebsocketConnection *conn;
  gchar *peer_id;
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

  /* from start to stop; touched only in @context */
  GMainContext *context;
  SoupServer *soup;
  RtcSignalRouter *router;
  GHashTable *clients;          /* set of Client* */
  /* connections told to close by stop(), until their closing handshake
   * ends: set of SoupWebsocketConnection* (a reference each) */
  GHashTable *closing;
  guint bound_port;
};

#define rtc_signalling_server_parent_class parent_class
G_DEFINE_TYPE (RtcSignallingServer, rtc_signalling_server, G_TYPE_OBJECT);

/* ------------------------------------------------------------------------ */
/* Connections */

static void
client_free (Client * client)
{
  g_free (client->peer_id);
  g_free (client);
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
  Client *client = peer_data;

  send_text (client->conn, text);
}

static void
on_message (SoupWebsocketConnection * conn, gint type, GBytes * message,
    Client * client)
{
  gsize size;
  const gchar *data = g_bytes_get_data (message, &size);

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

  GST_INFO_OBJECT (self, "peer %s disconnected (close code %u)",
      client->peer_id, soup_websocket_connection_get_close_code (conn));

  rtc_signal_router_remove_peer (self->router, client->peer_id);
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
  Client *client;

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
  g_hash_table_add (self->clients, client);

  g_signal_connect (conn, "message", G_CALLBACK (on_message), client);
  g_signal_connect (conn, "error", G_CALLBACK (on_error), client);
  g_signal_connect (conn, "closed", G_CALLBACK (on_closed), client);

  client->peer_id = rtc_signal_router_add_peer (self->router, client);
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
    if (!g_str_equal (path, "/")) {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
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
  soup_server_add_handler (self->soup, "/", on_http_request, self, NULL);
  soup_server_add_websocket_handler (self->soup, "/", NULL, NULL,
      on_websocket, self, NULL);

  self->router = rtc_signal_router_new (router_send, self, NULL);
  g_mutex_lock (&self->lock);
  rtc_signal_router_set_ice_servers (self->router, self->ice_servers);
  g_mutex_unlock (&self->lock);

  if (!listen_on (self, host, port, options, error)) {
    GST_WARNING_OBJECT (self, "could not listen on %s:%u", host, port);
    rtc_signalling_server_stop (self);
    return FALSE;
  }

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

/* Cleanly closes every connection: their peers leave the router first,
 * so partners still connected learn that their sessions ended. */
static void
close_all (RtcSignallingServer * self)
{
  GList *clients = g_hash_table_get_keys (self->clients), *l;

  g_hash_table_steal_all (self->clients);
  for (l = clients; l; l = l->next) {
    Client *client = l->data;

    rtc_signal_router_remove_peer (self->router, client->peer_id);
  }

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

static void
stop_in_context (RtcSignallingServer * self)
{
  if (!self->soup)
    return;

  GST_INFO_OBJECT (self, "stopping, %u connections",
      g_hash_table_size (self->clients));

  close_all (self);
  soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->router, rtc_signal_router_free);
  self->bound_port = 0;
}

typedef struct
{
  RtcSignallingServer *self;
  GMutex lock;
  GCond cond;
  gboolean done;
} StopCall;

static gboolean
stop_invoked (gpointer data)
{
  StopCall *call = data;

  stop_in_context (call->self);
  g_mutex_lock (&call->lock);
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->lock);
  return G_SOURCE_REMOVE;
}

/**
 * rtc_signalling_server_stop:
 * @self: the server
 *
 * Ends every session, closes every connection with 1001 "going away" and
 * stops listening. Idempotent. From a thread other than the server's, it
 * waits until the server's context has done it; the closing handshakes
 * complete as that context keeps running.
 */
void
rtc_signalling_server_stop (RtcSignallingServer * self)
{
  StopCall call = { self, };

  g_return_if_fail (RTC_IS_SIGNALLING_SERVER (self));

  if (!self->context)
    return;

  if (g_main_context_acquire (self->context)) {
    stop_in_context (self);
    g_main_context_release (self->context);
  } else {
    /* another thread runs the server's context */
    g_mutex_init (&call.lock);
    g_cond_init (&call.cond);
    g_main_context_invoke (self->context, stop_invoked, &call);
    g_mutex_lock (&call.lock);
    while (!call.done)
      g_cond_wait (&call.cond, &call.lock);
    g_mutex_unlock (&call.lock);
    g_mutex_clear (&call.lock);
    g_cond_clear (&call.cond);
  }
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
   * RTCIceServer JSON (any form rtc_ice_config_parse() takes) handed to
   * every client in an `iceServers` message after welcome, and to all
   * connected clients when it changes. An invalid value is refused with a
   * warning; use rtc_signalling_server_set_ice_servers() to get the error.
   * Write-only: it holds TURN credentials.
   */
  g_object_class_install_property (gobject_class, PROP_ICE_SERVERS,
      g_param_spec_string ("ice-servers", "ICE servers",
          "RTCIceServer JSON sent to clients (write-only)", NULL,
          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));

  GST_DEBUG_CATEGORY_INIT (rtc_signalling_server_debug, "rtcsignallingserver",
      0, "signalling server");
}

static void
rtc_signalling_server_init (RtcSignallingServer * self)
{
  g_mutex_init (&self->lock);
  self->clients = g_hash_table_new (NULL, NULL);
  self->closing = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
}
