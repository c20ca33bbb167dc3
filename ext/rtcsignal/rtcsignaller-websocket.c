/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * RtcSignaller's transport: one libsoup-3 WebSocket client connection to
 * the server, reconnected with capped exponential backoff, with the resume
 * parameters in its URI, and a bounded clean leave. What arrives goes to
 * rtcsignaller.c; see rtcsignaller.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "rtcsignaller-private.h"
#include "rtccontextthread.h"

#define GST_CAT_DEFAULT (rtc_signaller_debug_category ())

/* reconnection backoff: doubles from the first to the cap (ms) */
#define BACKOFF_INITIAL_MS 100
#define BACKOFF_MAX_MS 5000
/* no message of the protocol comes near this; a malicious server cannot
 * make the client buffer more (RFC 6455 close 1009) */
#define MAX_INCOMING_MESSAGE_SIZE (1024 * 1024)
/* how long stopping waits for the server to acknowledge our close (ms) */
#define LEAVE_TIMEOUT_MS 500

static void connect_now (RtcSignaller * self);

static gboolean
retry_cb (gpointer user_data)
{
  connect_now (user_data);
  return G_SOURCE_REMOVE;
}

static void
close_socket (RtcSignaller * self)
{
  if (self->ws) {
    g_signal_handlers_disconnect_by_data (self->ws, self);
    if (soup_websocket_connection_get_state (self->ws) ==
        SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL,
          NULL);
    g_clear_object (&self->ws);
  }
}

static void
schedule_retry (RtcSignaller * self)
{
  guint delay;

  if (!self->running || self->retry)
    return;
  delay = self->backoff_ms;
  self->backoff_ms = MIN (self->backoff_ms * 2, BACKOFF_MAX_MS);
  GST_INFO ("reconnecting to %s in %u ms", self->uri, delay);
  self->retry = g_timeout_source_new (delay);
  g_source_set_callback (self->retry, retry_cb, self, NULL);
  g_source_attach (self->retry, self->context);
}

static void
connection_lost (RtcSignaller * self, const GError * error)
{
  close_socket (self);
  rtc_signaller_transport_lost (self, error);
  schedule_retry (self);
}

void
rtc_signaller_ws_registered (RtcSignaller * self)
{
  self->backoff_ms = BACKOFF_INITIAL_MS;
}

static void
on_ws_message (SoupWebsocketConnection * ws, gint type, GBytes * bytes,
    gpointer user_data)
{
  RtcSignaller *self = user_data;
  gsize len;
  const gchar *data = g_bytes_get_data (bytes, &len);

  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    GST_WARNING ("ignoring binary WebSocket message");
    return;
  }
  rtc_signaller_transport_received (self, data, len);
}

static void
on_ws_closed (SoupWebsocketConnection * ws, gpointer user_data)
{
  RtcSignaller *self = user_data;
  GError *err = g_error_new (G_IO_ERROR, G_IO_ERROR_CLOSED,
      "server closed the connection (code %u)",
      soup_websocket_connection_get_close_code (ws));

  connection_lost (self, err);
  g_error_free (err);
}

static void
on_ws_error (SoupWebsocketConnection * ws, GError * error, gpointer user_data)
{
  GST_WARNING ("WebSocket error: %s", error->message);
}

static void
on_connected (GObject * source, GAsyncResult * res, gpointer user_data)
{
  RtcSignaller *self = user_data;
  GError *err = NULL;
  SoupWebsocketConnection *ws;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), res, &err);
  if (!ws) {
    if (!g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      connection_lost (self, err);
    g_error_free (err);
    g_object_unref (self);
    return;
  }
  if (!self->running) {
    /* stopped while the handshake was finishing */
    soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    g_object_unref (ws);
    g_object_unref (self);
    return;
  }
  self->ws = ws;
  soup_websocket_connection_set_keepalive_interval (ws, 15);
  soup_websocket_connection_set_max_incoming_payload_size (ws,
      MAX_INCOMING_MESSAGE_SIZE);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), self);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), self);
  g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), self);
  rtc_signaller_transport_opened (self);
  g_object_unref (self);
}

/* The URI with the resume parameters added to its query: the token on
 * every connect, the former peer id once there was one. */
static GUri *
resume_uri (RtcSignaller * self)
{
  g_autoptr (GUri) base = g_uri_parse (self->uri, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr (GString) query = NULL;
  g_autofree gchar *token = NULL;

  if (!base)
    return NULL;
  query = g_string_new (g_uri_get_query (base));
  token = g_uri_escape_string (self->resume_token, NULL, FALSE);
  if (query->len > 0)
    g_string_append_c (query, '&');
  g_string_append_printf (query, "meshrtc-resume=%s", token);
  if (self->last_peer_id) {
    g_autofree gchar *peer = g_uri_escape_string (self->last_peer_id, NULL,
        FALSE);

    g_string_append_printf (query, "&meshrtc-peer=%s", peer);
  }
  /* "ws://host:port" has an empty path, and with a query added the
   * request target would be "?..." (RFC 9112 section 3.2.1 wants "/") */
  return g_uri_build (g_uri_get_flags (base), g_uri_get_scheme (base),
      g_uri_get_userinfo (base), g_uri_get_host (base), g_uri_get_port (base),
      *g_uri_get_path (base) ? g_uri_get_path (base) : "/", query->str,
      g_uri_get_fragment (base));
}

static void
connect_now (RtcSignaller * self)
{
  SoupMessage *msg;
  g_autoptr (GUri) uri = NULL;

  g_clear_pointer (&self->retry, g_source_unref);
  if (!self->running)
    return;
  uri = resume_uri (self);
  msg = uri ? soup_message_new_from_uri (SOUP_METHOD_GET, uri) : NULL;
  if (!msg) {
    GError *err = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "invalid signalling URI");
    connection_lost (self, err);
    g_error_free (err);
    return;
  }
  if (self->auth_token) {
    gchar *value = g_strdup_printf ("Bearer %s", self->auth_token);
    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "Authorization", value);
    g_free (value);
  }
  /* self->uri, not the message's: that one carries the resume token */
  GST_DEBUG ("connecting to %s", self->uri);
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, self->cancellable, on_connected, g_object_ref (self));
  g_object_unref (msg);
}

void
rtc_signaller_ws_start (RtcSignaller * self)
{
  self->cancellable = g_cancellable_new ();
  self->session = soup_session_new_with_options ("timeout", 10, NULL);
  /* no permessage-deflate: the size limit must count real bytes */
  soup_session_remove_feature_by_type (self->session,
      SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  self->backoff_ms = BACKOFF_INITIAL_MS;
  connect_now (self);
}

/* A peer that stops really leaves: what it queued (endSession) and the
 * close frame (1000) must reach the server, which would otherwise see an
 * abrupt drop and keep our sessions for its reconnect grace period. The
 * owner's thread may stop right after us, so the closing handshake is
 * driven here, bounded. */
static gboolean
ws_closed (gpointer data)
{
  RtcSignaller *self = data;

  return soup_websocket_connection_get_state (self->ws) ==
      SOUP_WEBSOCKET_STATE_CLOSED;
}

static void
leave_cleanly (RtcSignaller * self)
{
  gboolean closed;

  if (!self->ws
      || soup_websocket_connection_get_state (self->ws) !=
      SOUP_WEBSOCKET_STATE_OPEN)
    return;
  g_signal_handlers_disconnect_by_data (self->ws, self);
  soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  /* not inside GST_DEBUG: its arguments are not evaluated when the
   * category is off, and the close was then never driven */
  closed = rtc_context_iterate_until (self->context, LEAVE_TIMEOUT_MS,
      ws_closed, self);
  GST_DEBUG ("left %s %s", self->uri, closed ? "cleanly" :
      "(close not acknowledged)");
}

void
rtc_signaller_ws_stop (RtcSignaller * self)
{
  rtc_clear_source (&self->retry);
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  leave_cleanly (self);
  close_socket (self);
  g_clear_object (&self->session);
}

gboolean
rtc_signaller_ws_send_text (RtcSignaller * self, const gchar * text)
{
  if (!self->ws
      || soup_websocket_connection_get_state (self->ws) !=
      SOUP_WEBSOCKET_STATE_OPEN)
    return FALSE;
  soup_websocket_connection_send_text (self->ws, text);
  return TRUE;
}
