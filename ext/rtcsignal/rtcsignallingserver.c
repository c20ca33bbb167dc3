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
 *   a token bucket per connection, its rate multiplied by one plus the
 *   number of sessions the peer is in; beyond it, close 1008.
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
#include "rtcsignallingserver-private.h"
#include "rtccontextthread.h"
#include "rtcsignalrouter.h"
#include "rtcviewerresources.h"

GST_DEBUG_CATEGORY_STATIC (rtc_signalling_server_debug);
#define GST_CAT_DEFAULT rtc_signalling_server_debug

GstDebugCategory *
rtc_signalling_server_debug_category (void)
{
  return rtc_signalling_server_debug;
}

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

#define rtc_signalling_server_parent_class parent_class
G_DEFINE_TYPE (RtcSignallingServer, rtc_signalling_server, G_TYPE_OBJECT);


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
  soup_server_add_handler (self->soup, "/", rtc_server_on_http_request, self,
      NULL);
  soup_server_add_websocket_handler (self->soup, "/", NULL, NULL,
      rtc_server_on_websocket, self, NULL);
  g_signal_connect (self->soup, "request-started",
      G_CALLBACK (rtc_server_on_request_started), self);
  g_signal_connect (self->soup, "request-finished",
      G_CALLBACK (rtc_server_on_request_done), self);
  g_signal_connect (self->soup, "request-aborted",
      G_CALLBACK (rtc_server_on_request_done), self);

  self->router = rtc_signal_router_new (rtc_server_router_send, self, NULL);
  g_mutex_lock (&self->lock);
  rtc_signal_router_set_ice_servers (self->router, self->ice_servers);
  rtc_signal_router_set_limits (self->router, self->max_sessions_per_peer,
      self->max_meta_size);
  rtc_signal_router_set_reconnect_grace (self->router, self->reconnect_grace);
  self->rtc_server_connection_cap =
      rtc_server_connection_cap (self->max_connections);
  g_mutex_unlock (&self->lock);
  self->listen_options = options;

  if (!listen_on (self, host, port, options, error)) {
    GST_WARNING_OBJECT (self, "could not listen on %s:%u", host, port);
    rtc_signalling_server_stop (self);
    return FALSE;
  }

  self->watchdog = g_timeout_source_new (500);
  g_source_set_callback (self->watchdog, rtc_server_watchdog_check, self, NULL);
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
    rtc_server_client_free (client);

    if (soup_websocket_connection_get_state (conn) ==
        SOUP_WEBSOCKET_STATE_CLOSED) {
      g_object_unref (conn);
      continue;
    }
    g_hash_table_add (self->closing, conn);
    g_signal_connect (conn, "closed", G_CALLBACK (closing_done), self);
    if (soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
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
static gboolean
nothing_closing (gpointer data)
{
  RtcSignallingServer *self = data;

  return g_hash_table_size (self->closing) == 0;
}

static void
finish_closing (RtcSignallingServer * self)
{
  GHashTableIter iter;
  SoupWebsocketConnection *conn;

  rtc_context_iterate_until (self->context, STOP_LINGER_MS, nothing_closing,
      self);

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

  rtc_server_whip_stop (self);
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
  return g_hash_table_size (self->clients) + g_hash_table_size (self->closing);
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
      GST_WARNING_OBJECT (self, "ice-servers not changed: %s", error->message);
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
  g_hash_table_unref (self->http_peers);
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
   * and registered with setPeerStatus, and to those again when it
   * changes. An invalid value is refused with a warning; use
   * rtc_signalling_server_set_ice_servers() to get the error.
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
   * of #RtcSignallingServer:message-burst), for each session its peer is
   * in plus one: a producer sends an offer and its ICE candidates for
   * every viewer, so one serving 10 viewers may send 550 messages/s by
   * default. Beyond it the server closes the connection with 1008
   * "message rate exceeded". 0: no limit. Default: 50.
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
  self->http_peers = g_hash_table_new (g_str_hash, g_str_equal);
  self->closing = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->sockets = g_hash_table_new_full (NULL, NULL, g_object_unref, g_free);
  self->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
}
