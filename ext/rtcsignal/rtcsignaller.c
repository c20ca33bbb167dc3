/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * RtcSignaller's protocol side: registration, sessions and producers of
 * gst-plugins-rs' WebSocket protocol turned into RtcSignallable's events
 * and back. The transport is in rtcsignaller-websocket.c; a detached
 * signaller (unit tests) has none. See rtcsignaller.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "rtcsignaller-private.h"
#include "rtcuri.h"

GST_DEBUG_CATEGORY_STATIC (rtc_signaller_debug);
#define GST_CAT_DEFAULT rtc_signaller_debug

GstDebugCategory *
rtc_signaller_debug_category (void)
{
  return rtc_signaller_debug;
}

static void rtc_signaller_signallable_init (RtcSignallableInterface * iface);

G_DEFINE_TYPE_WITH_CODE (RtcSignaller, rtc_signaller, G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (RTC_TYPE_SIGNALLABLE,
        rtc_signaller_signallable_init));

gboolean
rtc_signaller_check_uri (const gchar * uri, GError ** error)
{
  return rtc_uri_check (uri, "ws", "wss", error);
}

/* Queues nothing: FALSE when not connected. */
static gboolean
send_message (RtcSignaller * self, const RtcMessage * msg)
{
  gchar *text;
  gboolean sent = TRUE;

  if (!self->running)
    return FALSE;
  text = rtc_message_to_json (msg);
  if (self->send_func)
    self->send_func (text, self->send_data);
  else
    sent = rtc_signaller_ws_send_text (self, text);
  /* type only: SDP carries ICE passwords */
  if (sent)
    GST_LOG ("sent %s", rtc_message_type_to_string (msg->type));
  else
    GST_DEBUG ("not connected, dropping %s",
        rtc_message_type_to_string (msg->type));
  g_free (text);
  return sent;
}

/* The messages below need a registration: before the welcome the server
 * would refuse them. */
static void
send_registered (RtcSignaller * self, RtcMessage * msg)
{
  if (self->peer_id)
    send_message (self, msg);
  else
    GST_DEBUG ("not registered, dropping %s",
        rtc_message_type_to_string (msg->type));
  rtc_message_free (msg);
}

static void
send_end_session (RtcSignaller * self, const gchar * session_id,
    const gchar * reason)
{
  RtcMessage *msg = rtc_message_new (RTC_MESSAGE_END_SESSION_V1_1);

  msg->session_id = g_strdup (session_id);
  msg->error = g_strdup (reason);
  send_registered (self, msg);
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
  send_registered (self, msg);
}

void
rtc_signaller_transport_opened (RtcSignaller * self)
{
  RtcMessage *msg = rtc_message_new (RTC_MESSAGE_SET_PROTOCOL_VERSION);

  /* setProtocolVersion must be the first message; the server's welcome
   * triggers setPeerStatus */
  msg->version = g_strdup (RTC_PROTOCOL_VERSION);
  send_message (self, msg);
  rtc_message_free (msg);
}

void
rtc_signaller_transport_lost (RtcSignaller * self, const GError * error)
{
  gboolean was_registered = self->peer_id != NULL;

  g_clear_pointer (&self->peer_id, g_free);
  g_hash_table_remove_all (self->producers);
  GST_INFO ("signalling connection to %s lost%s%s",
      self->uri ? self->uri : "(detached)", error ? ": " : "",
      error ? error->message : "");
  g_signal_emit_by_name (self, "disconnected", error, was_registered);
}

/* What elements may know of a producer's meta: its name and room, when
 * they are strings. Member names from the network do not become GQuarks
 * (they are never freed). */
static GstStructure *
meta_to_structure (JsonObject * meta)
{
  static const gchar *const known[] = { "name", "room" };
  GstStructure *s = gst_structure_new_empty ("meta");
  guint i;

  for (i = 0; meta && i < G_N_ELEMENTS (known); i++) {
    JsonNode *node = json_object_get_member (meta, known[i]);

    if (node && JSON_NODE_HOLDS_VALUE (node)
        && json_node_get_value_type (node) == G_TYPE_STRING)
      gst_structure_set (s, known[i], G_TYPE_STRING,
          json_node_get_string (node), NULL);
  }
  return s;
}

static void
producer_added (RtcSignaller * self, const gchar * id, JsonObject * meta)
{
  GstStructure *s;

  if (!id || g_strcmp0 (id, self->peer_id) == 0)
    return;
  g_hash_table_add (self->producers, g_strdup (id));
  s = meta_to_structure (meta);
  g_signal_emit_by_name (self, "producer-added", id, s);
  gst_structure_free (s);
}

static void
handle_welcome (RtcSignaller * self, RtcMessage * msg)
{
  gboolean resumed = msg->sessions_kept && self->last_peer_id
      && g_strcmp0 (self->last_peer_id, msg->peer_id) == 0;

  g_free (self->peer_id);
  self->peer_id = g_strdup (msg->peer_id);
  g_free (self->last_peer_id);
  self->last_peer_id = g_strdup (msg->peer_id);
  g_hash_table_remove_all (self->producers);
  if (!self->send_func)
    rtc_signaller_ws_registered (self);
  GST_INFO ("registered with %s as peer %s%s", self->uri, self->peer_id,
      resumed ? " (resumed with its sessions)" : "");
  send_status (self);
  if (self->roles & RTC_ROLE_LISTENER)
    send_registered (self, rtc_message_new (RTC_MESSAGE_LIST));
  g_signal_emit_by_name (self, "connected", self->peer_id, resumed);
}

/* A description for @session_id, or NULL when its SDP is invalid: then
 * the session is ended on both sides (it cannot go on). */
static GstWebRTCSessionDescription *
parse_description (RtcSignaller * self, const gchar * session_id,
    const gchar * type, const gchar * sdp, gboolean known_session)
{
  GstWebRTCSessionDescription *desc;
  GError *err = NULL;

  desc = rtc_session_description_new_from_text (type, sdp, &err);
  if (desc)
    return desc;
  GST_WARNING ("session %s: %s", session_id, err->message);
  send_end_session (self, session_id, err->message);
  if (known_session)
    g_signal_emit_by_name (self, "session-ended", session_id, err->message);
  g_error_free (err);
  return NULL;
}

static void
handle_peer (RtcSignaller * self, RtcMessage * msg)
{
  GstWebRTCSessionDescription *desc;

  if (msg->has_ice) {
    g_signal_emit_by_name (self, "handle-ice", msg->session_id,
        msg->sdp_mline_index, msg->candidate ? msg->candidate : "");
    return;
  }
  desc = parse_description (self, msg->session_id, msg->sdp_type, msg->sdp,
      TRUE);
  if (!desc)
    return;
  g_signal_emit_by_name (self, "session-description", msg->session_id, desc);
  gst_webrtc_session_description_free (desc);
}

static void
handle_start_session (RtcSignaller * self, RtcMessage * msg)
{
  GstWebRTCSessionDescription *offer = NULL;

  if (msg->offer) {
    /* the consumer offers (gstwebrtc-api's
     * createConsumerSessionWithOfferOptions) */
    offer = parse_description (self, msg->session_id, "offer", msg->offer,
        FALSE);
    if (!offer)
      return;
  }
  g_signal_emit_by_name (self, "session-requested", msg->session_id,
      msg->peer_id, offer);
  if (offer)
    gst_webrtc_session_description_free (offer);
}

static void
handle_message (RtcSignaller * self, RtcMessage * msg)
{
  gchar *reason;
  guint i;

  switch (msg->type) {
    case RTC_MESSAGE_WELCOME:
      handle_welcome (self, msg);
      break;
    case RTC_MESSAGE_START_SESSION:
      handle_start_session (self, msg);
      break;
    case RTC_MESSAGE_SESSION_STARTED:
      g_signal_emit_by_name (self, "session-started", msg->session_id,
          msg->peer_id);
      break;
    case RTC_MESSAGE_PEER:
      handle_peer (self, msg);
      break;
    case RTC_MESSAGE_END_SESSION:
    case RTC_MESSAGE_END_SESSION_V1_1:
      /* the remote's own reason, said to be theirs */
      reason = msg->error ?
          g_strdup_printf ("the remote peer ended the session: %s",
          msg->error) : g_strdup ("the remote peer ended the session");
      g_signal_emit_by_name (self, "session-ended", msg->session_id, reason);
      g_free (reason);
      break;
    case RTC_MESSAGE_LIST:
      for (i = 0; msg->peers && i < msg->peers->len; i++) {
        RtcPeerInfo *info = g_ptr_array_index (msg->peers, i);
        producer_added (self, info->id, info->meta);
      }
      break;
    case RTC_MESSAGE_PEER_STATUS_CHANGED:
      if (msg->roles & RTC_ROLE_PRODUCER)
        producer_added (self, msg->peer_id, msg->meta);
      else if (msg->peer_id
          && g_hash_table_remove (self->producers, msg->peer_id))
        g_signal_emit_by_name (self, "producer-removed", msg->peer_id);
      break;
    case RTC_MESSAGE_ERROR:
      GST_WARNING ("signalling server says: %s", msg->details);
      g_signal_emit_by_name (self, "error", msg->details);
      break;
    default:
      GST_DEBUG ("ignoring %s", rtc_message_type_to_string (msg->type));
      break;
  }
}

void
rtc_signaller_transport_received (RtcSignaller * self, const gchar * text,
    gsize len)
{
  GError *err = NULL;
  RtcMessage *msg;

  if (!self->running)
    return;
  msg = rtc_message_parse (text, len, &err);
  if (!msg) {
    /* logged only: "error" is a server-to-client message, which servers
     * refuse or drop (gst-plugins-rs), and a message type newer than us is
     * no fault of the server's */
    GST_WARNING ("ignoring a message from the server: %s", err->message);
    g_clear_error (&err);
    return;
  }
  GST_LOG ("received %s", rtc_message_type_to_string (msg->type));
  /* only a welcome may come before the welcome */
  if (!self->peer_id && msg->type != RTC_MESSAGE_WELCOME)
    GST_WARNING ("ignoring %s before the welcome",
        rtc_message_type_to_string (msg->type));
  else {
    g_object_ref (self);
    handle_message (self, msg);
    g_object_unref (self);
  }
  rtc_message_free (msg);
}

static gboolean
field_to_json (GQuark field, const GValue * value, gpointer data)
{
  JsonObject *obj = data;
  const gchar *name = g_quark_to_string (field);

  if (G_VALUE_HOLDS_STRING (value))
    json_object_set_string_member (obj, name, g_value_get_string (value));
  else if (G_VALUE_HOLDS_BOOLEAN (value))
    json_object_set_boolean_member (obj, name, g_value_get_boolean (value));
  else if (G_VALUE_HOLDS_INT (value))
    json_object_set_int_member (obj, name, g_value_get_int (value));
  else if (G_VALUE_HOLDS_UINT (value))
    json_object_set_int_member (obj, name, g_value_get_uint (value));
  else if (G_VALUE_HOLDS_INT64 (value))
    json_object_set_int_member (obj, name, g_value_get_int64 (value));
  else if (G_VALUE_HOLDS_DOUBLE (value))
    json_object_set_double_member (obj, name, g_value_get_double (value));
  else
    GST_WARNING ("meta field '%s' of type %s is not sent", name,
        G_VALUE_TYPE_NAME (value));
  return TRUE;
}

static void
signaller_set_status (RtcSignallable * base, RtcRoles roles,
    const GstStructure * meta)
{
  RtcSignaller *self = RTC_SIGNALLER (base);

  self->roles = roles;
  g_clear_pointer (&self->meta, json_object_unref);
  if (meta) {
    self->meta = json_object_new ();
    gst_structure_foreach (meta, field_to_json, self->meta);
  }
  if (self->peer_id)
    send_status (self);
}

static void
signaller_start (RtcSignallable * base)
{
  RtcSignaller *self = RTC_SIGNALLER (base);

  if (self->running)
    return;
  self->running = TRUE;
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  if (!self->send_func)
    rtc_signaller_ws_start (self);
}

static void
signaller_stop (RtcSignallable * base)
{
  RtcSignaller *self = RTC_SIGNALLER (base);

  if (!self->running)
    return;
  if (!self->send_func)
    rtc_signaller_ws_stop (self);
  self->running = FALSE;
  g_clear_pointer (&self->peer_id, g_free);
  g_hash_table_remove_all (self->producers);
}

static void
signaller_request_session (RtcSignallable * base, const gchar * producer_id)
{
  RtcMessage *msg = rtc_message_new (RTC_MESSAGE_START_SESSION);

  msg->peer_id = g_strdup (producer_id);
  send_registered (RTC_SIGNALLER (base), msg);
}

static void
signaller_send_description (RtcSignallable * base, const gchar * session_id,
    const GstWebRTCSessionDescription * desc)
{
  gchar *text = gst_sdp_message_as_text (desc->sdp);

  send_registered (RTC_SIGNALLER (base), rtc_message_new_peer_sdp (session_id,
          gst_webrtc_sdp_type_to_string (desc->type), text));
  g_free (text);
}

static void
signaller_send_candidate (RtcSignallable * base, const gchar * session_id,
    guint sdp_mline_index, const gchar * candidate)
{
  send_registered (RTC_SIGNALLER (base), rtc_message_new_peer_ice (session_id,
          sdp_mline_index, candidate));
}

static void
signaller_end_session (RtcSignallable * base, const gchar * session_id,
    const gchar * reason)
{
  send_end_session (RTC_SIGNALLER (base), session_id, reason);
}

static const gchar *
signaller_get_peer_id (RtcSignallable * base)
{
  return RTC_SIGNALLER (base)->peer_id;
}

static void
rtc_signaller_signallable_init (RtcSignallableInterface * iface)
{
  iface->start = signaller_start;
  iface->stop = signaller_stop;
  iface->set_status = signaller_set_status;
  iface->request_session = signaller_request_session;
  iface->send_description = signaller_send_description;
  iface->send_candidate = signaller_send_candidate;
  iface->end_session = signaller_end_session;
  iface->get_peer_id = signaller_get_peer_id;
}

RtcSignaller *
rtc_signaller_new (const gchar * uri, const gchar * auth_token)
{
  RtcSignaller *self = g_object_new (RTC_TYPE_SIGNALLER, NULL);

  self->uri = g_strdup (uri);
  self->auth_token = g_strdup (auth_token);
  return self;
}

RtcSignaller *
rtc_signaller_new_detached (RtcSignallerSendFunc send, gpointer user_data)
{
  RtcSignaller *self = g_object_new (RTC_TYPE_SIGNALLER, NULL);

  g_return_val_if_fail (send != NULL, NULL);
  self->send_func = send;
  self->send_data = user_data;
  return self;
}

static void
rtc_signaller_finalize (GObject * object)
{
  RtcSignaller *self = RTC_SIGNALLER (object);

  signaller_stop (RTC_SIGNALLABLE (self));
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->meta, json_object_unref);
  g_hash_table_unref (self->producers);
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
  self->producers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
}

static void
rtc_signaller_class_init (RtcSignallerClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->finalize = rtc_signaller_finalize;
  GST_DEBUG_CATEGORY_INIT (rtc_signaller_debug, "rtcsignaller", 0,
      "gst-meshrtc signalling client");
}
