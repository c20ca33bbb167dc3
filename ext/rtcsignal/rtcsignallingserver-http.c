/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * RtcSignallingServer's HTTP side: authentication, the Origin check, the
 * viewer page, and every TCP connection's accounting (per address and in
 * total), handshake timeout, refusals before the body, and the watchdog
 * of listeners libsoup stopped accepting on. See rtcsignallingserver.c for
 * the object and its documentation.
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

static guint n_open_connections (RtcSignallingServer * self);

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

gboolean
rtc_server_is_authorized (RtcSignallingServer * self, SoupServerMessage * msg,
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
  /* the page loads only its own script and style and talks only to this
   * server (CSP 3: 'self' covers ws: and wss: to the same host and port);
   * it may not be framed (clickjacking: CSP frame-ancestors, and
   * X-Frame-Options for older browsers, RFC 7034), and its URL, which may
   * hold ?token=, is never sent on as a referrer */
  soup_message_headers_replace (headers, "Content-Security-Policy",
      VIEWER_CONTENT_SECURITY_POLICY);
  soup_message_headers_replace (headers, "X-Frame-Options", "DENY");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY,
      g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

/* RFC 6454 §7: a browser says which page opened the WebSocket. By default
 * it must be a page of this server (same host:port as the Host header);
 * clients that send no Origin are not browsers and are let through. */
gboolean
rtc_server_origin_allowed (RtcSignallingServer * self, SoupServerMessage * msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
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
void
rtc_server_on_http_request (SoupServer * soup, SoupServerMessage * msg,
    const gchar * path, GHashTable * query, gpointer user_data)
{
  RtcSignallingServer *self = user_data;
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  const gchar *method = soup_server_message_get_method (msg);
  gboolean serve_viewer;

  if (soup_message_headers_header_contains (request, "Upgrade", "websocket")) {
    guint per_address_limit, total_limit;

    g_mutex_lock (&self->lock);
    per_address_limit = self->max_connections_per_address;
    g_mutex_unlock (&self->lock);
    total_limit = self->rtc_server_connection_cap;

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
    } else if (!rtc_server_origin_allowed (self, msg)) {
      GST_INFO_OBJECT (self, "refused a connection from origin %s",
          soup_message_headers_get_one (request, "Origin"));
      soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN,
          "Origin not allowed");
    } else if (!rtc_server_is_authorized (self, msg, query)) {
      GST_INFO_OBJECT (self, "refused an unauthorized connection from %s",
          soup_server_message_get_remote_host (msg));
      soup_message_headers_replace (soup_server_message_get_response_headers
          (msg), "WWW-Authenticate", "Bearer realm=\"gst-meshrtc\"");
      soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
    }
    return;
  }

  if (rtc_server_whip_is_path (path)) {
    rtc_server_whip_request (self, msg, path, query);
    return;
  }

  if (!g_str_equal (method, SOUP_METHOD_GET)
      && !g_str_equal (method, SOUP_METHOD_HEAD)) {
    soup_message_headers_replace (soup_server_message_get_response_headers
        (msg), "Allow", "GET, HEAD");
    soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
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
  } else if (serve_viewer && g_str_equal (path, "/viewer.css")) {
    serve_resource (msg, "viewer.css", "text/css; charset=utf-8");
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

void
rtc_server_uncount_address (RtcSignallingServer * self, const gchar * address)
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
  rtc_server_uncount_address (self, address);
  g_free (address);
  g_object_unref (key);
}

/* A WebSocket client takes over the count of its request's socket. */
gchar *
rtc_server_adopt_socket (RtcSignallingServer * self, GSocket * socket)
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

void
rtc_server_on_request_done (SoupServer * soup, SoupServerMessage * msg,
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
  g_object_set_data_full (G_OBJECT (stream), "meshrtc-answer", answer, g_free);
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

  /* WHIP and WHEP take SDP bodies (rtcsignallingserver-whip.c), with a
   * length given first: a body is never read to find out its size */
  if (rtc_server_whip_is_path (g_uri_get_path (soup_server_message_get_uri
              (msg)))) {
    if (encoding == SOUP_ENCODING_CHUNKED)
      refuse_request (self, msg, SOUP_STATUS_LENGTH_REQUIRED, "");
    else if (encoding == SOUP_ENCODING_CONTENT_LENGTH && length > MAX_WHIP_BODY)
      refuse_request (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "");
  } else if (!g_str_equal (method, SOUP_METHOD_GET)
      && !g_str_equal (method, SOUP_METHOD_HEAD))
    refuse_request (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
        "Allow: GET, HEAD\r\n");
  else if ((encoding == SOUP_ENCODING_CONTENT_LENGTH
          && length > MAX_REQUEST_BODY) || encoding == SOUP_ENCODING_CHUNKED)
    refuse_request (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "");
}

void
rtc_server_on_request_started (SoupServer * soup, SoupServerMessage * msg,
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
  if (self->rtc_server_connection_cap > 0
      && n_open_connections (self) > self->rtc_server_connection_cap + 16) {
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
gboolean
rtc_server_watchdog_check (gpointer data)
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
guint
rtc_server_connection_cap (guint max_connections)
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
