/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>
#include <libsoup/soup.h>

#include "rtcsignaller.h"
#include "rtccontextthread.h"

GST_DEBUG_CATEGORY_STATIC (rtc_signaller_debug);
#define GST_CAT_DEFAULT rtc_signaller_debug

/* reconnection backoff: doubles from the first to the cap (ms) */
#define BACKOFF_INITIAL_MS 100
#define BACKOFF_MAX_MS 5000
/* no message of the protocol comes near this; a malicious server cannot
 * make the client buffer more (RFC 6455 close 1009) */
#define MAX_INCOMING_MESSAGE_SIZE (1024 * 1024)

struct _RtcSignaller
{
  GObject parent;

  gchar *uri;
  gchar *auth_token;
  RtcRoles roles;
  JsonObject *meta;

  GMainContext *context;
  SoupSession *session;
  SoupWebsocketConnection *ws;
  GCancellable *cancellable;
  GSource *retry;
  gboolean running;
  gchar *peer_id;
  gboolean sessions_kept;       /* at the last welcome */
  guint backoff_ms;             /* next retry delay */
  /* resume (docs/protocol.md): a secret made once per signaller and the
   * last peer id the server gave; neither is cleared on a drop */
  gchar *resume_token;
  gchar *last_peer_id;
};

enum
{
  SIGNAL_CONNECTED,
  SIGNAL_DISCONNECTED,
  SIGNAL_MESSAGE,
  LAST_SIGNAL
};

static guint signals[LAST_SIGNAL];

G_DEFINE_TYPE (RtcSignaller, rtc_signaller, G_TYPE_OBJECT);

static void connect_now (RtcSignaller * self);

gboolean
rtc_signaller_check_uri (const gchar * uri, GError ** error)
{
  GUri *parsed;
  const gchar *scheme;
  gboolean ok;

  parsed = g_uri_parse (uri ? uri : "", G_URI_FLAGS_NONE, error);
  if (!parsed)
    return FALSE;
  scheme = g_uri_get_scheme (parsed);
  ok = (g_ascii_strcasecmp (scheme, "ws") == 0
      || g_ascii_strcasecmp (scheme, "wss") == 0)
      && g_uri_get_host (parsed) && *g_uri_get_host (parsed);
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "'%s' is not a ws:// or wss:// URI with a host", uri);
  g_uri_unref (parsed);
  return ok;
}

static void
send_status (RtcSignaller * self)
{
  RtcMessage *msg;

  if (self->roles == RTC_ROLE_NONE)
    return;
  msg = rtc_message_new (RTC_MESSAGE_SET_PEER_STATUS);
  msg->roles = self->roles;
  msg->meta = self->meta ? json_object_ref (self->meta) : NULL;
  rtc_signaller_send (self, msg);
  rtc_message_free (msg);
}

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
drop_connection (RtcSignaller * self, const GError * error)
{
  gboolean was_connected = self->peer_id != NULL;

  close_socket (self);
  g_clear_pointer (&self->peer_id, g_free);
  GST_INFO ("signalling connection to %s lost%s%s", self->uri,
      error ? ": " : "", error ? error->message : "");
  g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, error, was_connected);
  schedule_retry (self);
}

static void
on_ws_message (SoupWebsocketConnection * ws, gint type, GBytes * bytes,
    gpointer user_data)
{
  RtcSignaller *self = user_data;
  GError *err = NULL;
  RtcMessage *msg;
  gsize len;
  const gchar *data = g_bytes_get_data (bytes, &len);

  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    GST_WARNING ("ignoring binary WebSocket message");
    return;
  }
  msg = rtc_message_parse (data, len, &err);
  if (!msg) {
    /* logged only: "error" is a server-to-client message, which servers
     * refuse or drop (gst-plugins-rs), and a message type newer than us is
     * no fault of the server's */
    GST_WARNING ("ignoring a message from the server: %s", err->message);
    g_clear_error (&err);
    return;
  }
  GST_LOG ("received %s", rtc_message_type_to_string (msg->type));
  g_object_ref (self);
  if (msg->type == RTC_MESSAGE_WELCOME) {
    g_free (self->peer_id);
    self->peer_id = g_strdup (msg->peer_id);
    g_free (self->last_peer_id);
    self->last_peer_id = g_strdup (msg->peer_id);
    self->backoff_ms = BACKOFF_INITIAL_MS;
    self->sessions_kept = msg->sessions_kept;
    GST_INFO ("registered with %s as peer %s%s", self->uri, self->peer_id,
        self->sessions_kept ? " (resumed with its sessions)" : "");
    send_status (self);
    g_signal_emit (self, signals[SIGNAL_CONNECTED], 0, self->peer_id);
  } else {
    g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, msg);
  }
  rtc_message_free (msg);
  g_object_unref (self);
}

static void
on_ws_closed (SoupWebsocketConnection * ws, gpointer user_data)
{
  RtcSignaller *self = user_data;
  GError *err = g_error_new (G_IO_ERROR, G_IO_ERROR_CLOSED,
      "server closed the connection (code %u)",
      soup_websocket_connection_get_close_code (ws));

  drop_connection (self, err);
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
  RtcMessage *msg;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), res, &err);
  if (!ws) {
    if (!g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      drop_connection (self, err);
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

  /* setProtocolVersion must be the first message; the server's welcome
   * triggers setPeerStatus. */
  msg = rtc_message_new (RTC_MESSAGE_SET_PROTOCOL_VERSION);
  msg->version = g_strdup (RTC_PROTOCOL_VERSION);
  rtc_signaller_send (self, msg);
  rtc_message_free (msg);
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
    drop_connection (self, err);
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

RtcSignaller *
rtc_signaller_new (const gchar * uri, const gchar * auth_token)
{
  RtcSignaller *self = g_object_new (RTC_TYPE_SIGNALLER, NULL);

  self->uri = g_strdup (uri);
  self->auth_token = g_strdup (auth_token);
  return self;
}

void
rtc_signaller_set_status (RtcSignaller * self, RtcRoles roles,
    JsonObject * meta)
{
  self->roles = roles;
  g_clear_pointer (&self->meta, json_object_unref);
  if (meta)
    self->meta = json_object_ref (meta);
  if (self->peer_id)
    send_status (self);
}

void
rtc_signaller_start (RtcSignaller * self)
{
  if (self->running)
    return;
  self->running = TRUE;
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->session = soup_session_new_with_options ("timeout", 10, NULL);
  /* no permessage-deflate: the size limit must count real bytes */
  soup_session_remove_feature_by_type (self->session,
      SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  self->backoff_ms = BACKOFF_INITIAL_MS;
  connect_now (self);
}

/* how long stopping waits for the server to acknowledge our close (ms) */
#define LEAVE_TIMEOUT_MS 500

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
  if (!self->ws
      || soup_websocket_connection_get_state (self->ws) !=
      SOUP_WEBSOCKET_STATE_OPEN)
    return;
  g_signal_handlers_disconnect_by_data (self->ws, self);
  soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  GST_DEBUG ("left %s %s", self->uri, rtc_context_iterate_until
      (self->context, LEAVE_TIMEOUT_MS, ws_closed, self) ? "cleanly" :
      "(close not acknowledged)");
}

void
rtc_signaller_stop (RtcSignaller * self)
{
  if (!self->running)
    return;
  self->running = FALSE;
  if (self->retry) {
    g_source_destroy (self->retry);
    g_clear_pointer (&self->retry, g_source_unref);
  }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  leave_cleanly (self);
  close_socket (self);
  g_clear_pointer (&self->peer_id, g_free);
  g_clear_object (&self->session);
}

gboolean
rtc_signaller_send (RtcSignaller * self, const RtcMessage * msg)
{
  gchar *text;

  if (!self->ws
      || soup_websocket_connection_get_state (self->ws) !=
      SOUP_WEBSOCKET_STATE_OPEN)
    return FALSE;
  text = rtc_message_to_json (msg);
  /* type only: SDP carries ICE passwords */
  GST_LOG ("sending %s", rtc_message_type_to_string (msg->type));
  soup_websocket_connection_send_text (self->ws, text);
  g_free (text);
  return TRUE;
}

/**
 * rtc_signaller_get_sessions_kept:
 * @self: the signaller
 *
 * Returns: %TRUE when the server said at the last `welcome` that it resumed
 *   this peer with its sessions (a reconnect within its grace period);
 *   %FALSE for a fresh registration, or when only the former peer id was
 *   given back (e.g. after the server restarted: it knows no session).
 */
gboolean
rtc_signaller_get_sessions_kept (RtcSignaller * self)
{
  return self->sessions_kept;
}

const gchar *
rtc_signaller_get_peer_id (RtcSignaller * self)
{
  return self->peer_id;
}

static void
rtc_signaller_finalize (GObject * object)
{
  RtcSignaller *self = RTC_SIGNALLER (object);

  rtc_signaller_stop (self);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->meta, json_object_unref);
  g_free (self->uri);
  g_free (self->auth_token);
  g_free (self->resume_token);
  g_free (self->last_peer_id);
  G_OBJECT_CLASS (rtc_signaller_parent_class)->finalize (object);
}

static void
rtc_signaller_init (RtcSignaller * self)
{
  self->resume_token = g_uuid_string_random ();
}

static void
rtc_signaller_class_init (RtcSignallerClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->finalize = rtc_signaller_finalize;

  signals[SIGNAL_CONNECTED] = g_signal_new ("connected",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_DISCONNECTED] = g_signal_new ("disconnected",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_ERROR, G_TYPE_BOOLEAN);
  signals[SIGNAL_MESSAGE] = g_signal_new ("message",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_POINTER);

  GST_DEBUG_CATEGORY_INIT (rtc_signaller_debug, "rtcsignaller", 0,
      "gst-meshrtc signalling client");
}
