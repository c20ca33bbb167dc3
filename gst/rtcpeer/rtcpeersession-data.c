/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * RtcPeerSession's data channels (RTCDataChannel, RFC 8831, opened with
 * DCEP, RFC 8832): see rtcpeersession.h. webrtcbin calls the channels'
 * callbacks on its threads; they only post events, which the owner's
 * context turns into "data-channel-open" and "data-message".
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "rtcpeersession-private.h"

#define GST_CAT_DEFAULT (rtc_peer_session_debug_category ())

typedef struct
{
  GBytes *message;
  gboolean text;
} PendingMessage;

typedef struct
{
  GstWebRTCDataChannel *channel;        /* NULL: expected from the remote */
  gboolean open;
  GQueue pending;               /* of PendingMessage, until open */
  gsize pending_bytes;
} Channel;

static void
pending_message_free (PendingMessage * p)
{
  g_bytes_unref (p->message);
  g_free (p);
}

static void
channel_free (Channel * c)
{
  g_queue_clear_full (&c->pending, (GDestroyNotify) pending_message_free);
  gst_clear_object (&c->channel);
  g_free (c);
}

void
rtc_peer_session_data_init (RtcPeerSession * self)
{
  self->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) channel_free);
}

void
rtc_peer_session_data_close (RtcPeerSession * self)
{
  GHashTableIter iter;
  Channel *c;

  /* nothing of theirs reaches the session now */
  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & c))
    if (c->channel)
      g_signal_handlers_disconnect_by_data (c->channel, self);
  g_hash_table_remove_all (self->channels);
}

/* ---- webrtcbin's threads ---- */

static gchar *
channel_label (GstWebRTCDataChannel * channel)
{
  gchar *label = NULL;

  g_object_get (channel, "label", &label, NULL);
  return label ? label : g_strdup ("");
}

static void
post_message (RtcPeerSession * self, GstWebRTCDataChannel * channel,
    GBytes * message, gboolean text)
{
  Event *ev = g_new0 (Event, 1);

  ev->type = EV_DATA_MESSAGE;
  ev->str1 = channel_label (channel);
  ev->bytes = message;
  ev->num = text;
  rtc_peer_session_post_event (self, ev);
}

static void
on_message_data (GstWebRTCDataChannel * channel, GBytes * data,
    gpointer user_data)
{
  post_message (user_data, channel, data ? g_bytes_ref (data) :
      g_bytes_new (NULL, 0), FALSE);
}

static void
on_message_string (GstWebRTCDataChannel * channel, const gchar * str,
    gpointer user_data)
{
  post_message (user_data, channel, g_bytes_new (str, str ? strlen (str) : 0),
      TRUE);
}

static void
on_open (GstWebRTCDataChannel * channel, gpointer user_data)
{
  gchar *label = channel_label (channel);

  rtc_peer_session_post_simple (user_data, EV_DATA_OPEN, label, 0);
  g_free (label);
}

static void
connect_channel (RtcPeerSession * self, GstWebRTCDataChannel * channel)
{
  /* held weakly, as webrtcbin's own callbacks (rtcpeersession-webrtc.c) */
  g_signal_connect_object (channel, "on-open", G_CALLBACK (on_open), self, 0);
  g_signal_connect_object (channel, "on-message-data",
      G_CALLBACK (on_message_data), self, 0);
  g_signal_connect_object (channel, "on-message-string",
      G_CALLBACK (on_message_string), self, 0);
}

/* The remote opened a channel: its callbacks now, before it can open or
 * speak; the owner's context keeps it (EV_DATA_CHANNEL). */
void
rtc_peer_session_on_data_channel (GstElement * webrtcbin, GObject * channel,
    gpointer user_data)
{
  RtcPeerSession *self = user_data;
  Event *ev = g_new0 (Event, 1);

  connect_channel (self, GST_WEBRTC_DATA_CHANNEL (channel));
  ev->type = EV_DATA_CHANNEL;
  ev->obj = g_object_ref (channel);
  rtc_peer_session_post_event (self, ev);
}

/* ---- the owner's context ---- */

static gboolean
channel_send (RtcPeerSession * self, Channel * c, GBytes * message,
    gboolean text, GError ** error)
{
  if (text) {
    gchar *str = g_strndup (g_bytes_get_data (message, NULL),
        g_bytes_get_size (message));
    gboolean ok = gst_webrtc_data_channel_send_string_full (c->channel, str,
        error);

    g_free (str);
    return ok;
  }
  return gst_webrtc_data_channel_send_data_full (c->channel, message, error);
}

static void
channel_opened (RtcPeerSession * self, const gchar * label, Channel * c)
{
  PendingMessage *p;
  GError *err = NULL;

  if (c->open)
    return;
  c->open = TRUE;
  GST_INFO ("session %s: data channel '%s' open, %u messages waited",
      self->id, label, c->pending.length);
  while ((p = g_queue_pop_head (&c->pending))) {
    if (!channel_send (self, c, p->message, p->text, &err)) {
      GST_WARNING ("session %s: data channel '%s': %s", self->id, label,
          err->message);
      g_clear_error (&err);
    }
    pending_message_free (p);
  }
  c->pending_bytes = 0;
  g_signal_emit_by_name (self, "data-channel-open", label);
}

/* The entry of @label, made (expected, no channel yet) if there is none. */
static Channel *
channel_entry (RtcPeerSession * self, const gchar * label)
{
  Channel *c = g_hash_table_lookup (self->channels, label);

  if (!c) {
    c = g_new0 (Channel, 1);
    g_queue_init (&c->pending);
    g_hash_table_insert (self->channels, g_strdup (label), c);
  }
  return c;
}

static Channel *
keep_channel (RtcPeerSession * self, GstWebRTCDataChannel * channel)
{
  gchar *label = channel_label (channel);
  /* an expected one takes over what waited for it */
  Channel *c = channel_entry (self, label);
  GstWebRTCDataChannelState state = GST_WEBRTC_DATA_CHANNEL_STATE_CLOSED;

  if (c->channel) {
    /* both sides created one of this label: ours stays */
    GST_INFO ("session %s: the remote opened '%s' too", self->id, label);
    g_free (label);
    return c;
  }
  c->channel = gst_object_ref (channel);
  g_object_get (channel, "ready-state", &state, NULL);
  /* opened before we listened */
  if (state == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN)
    channel_opened (self, label, c);
  g_free (label);
  return c;
}

void
rtc_peer_session_handle_data_event (RtcPeerSession * self, Event * ev)
{
  Channel *c;

  switch (ev->type) {
    case EV_DATA_CHANNEL:
      keep_channel (self, GST_WEBRTC_DATA_CHANNEL (ev->obj));
      break;
    case EV_DATA_OPEN:
      c = g_hash_table_lookup (self->channels, ev->str1);
      if (c)
        channel_opened (self, ev->str1, c);
      break;
    case EV_DATA_MESSAGE:
      g_signal_emit_by_name (self, "data-message", ev->str1, ev->bytes,
          (gboolean) ev->num);
      break;
    default:
      break;
  }
}

void
rtc_peer_session_create_data_channel (RtcPeerSession * self,
    const gchar * label, gboolean ordered, gint max_retransmits)
{
  GstStructure *options;
  GstWebRTCDataChannel *channel = NULL;
  Channel *c;

  g_return_if_fail (label != NULL);
  c = g_hash_table_lookup (self->channels, label);
  if (c && c->channel)
    return;
  options = gst_structure_new ("options", "ordered", G_TYPE_BOOLEAN, ordered,
      NULL);
  if (max_retransmits >= 0)
    gst_structure_set (options, "max-retransmits", G_TYPE_INT,
        max_retransmits, NULL);
  g_signal_emit_by_name (self->webrtcbin, "create-data-channel", label,
      options, &channel);
  gst_structure_free (options);
  if (!channel) {
    GST_WARNING ("session %s: webrtcbin refused data channel '%s'", self->id,
        label);
    return;
  }
  connect_channel (self, channel);
  keep_channel (self, channel);
  gst_object_unref (channel);
}

void
rtc_peer_session_expect_data_channel (RtcPeerSession * self,
    const gchar * label)
{
  g_return_if_fail (label != NULL);
  channel_entry (self, label);
}

gboolean
rtc_peer_session_send_data (RtcPeerSession * self, const gchar * label,
    GBytes * message, gboolean text, GError ** error)
{
  Channel *c = g_hash_table_lookup (self->channels, label);
  gsize size = g_bytes_get_size (message);
  PendingMessage *p;

  if (!c) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
        "no data channel '%s'", label);
    return FALSE;
  }
  if (size > RTC_PEER_SESSION_MAX_MESSAGE_SIZE) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT,
        "a message of %" G_GSIZE_FORMAT " bytes is over %d", size,
        RTC_PEER_SESSION_MAX_MESSAGE_SIZE);
    return FALSE;
  }
  if (c->open)
    return channel_send (self, c, message, text, error);
  if (c->pending.length >= RTC_PEER_SESSION_DATA_QUEUE_MESSAGES
      || c->pending_bytes + size > RTC_PEER_SESSION_DATA_QUEUE_BYTES) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT,
        "data channel '%s' is not open and its queue is full (%u messages, "
        "%" G_GSIZE_FORMAT " bytes)", label, c->pending.length,
        c->pending_bytes);
    return FALSE;
  }
  p = g_new0 (PendingMessage, 1);
  p->message = g_bytes_ref (message);
  p->text = text;
  g_queue_push_tail (&c->pending, p);
  c->pending_bytes += size;
  return TRUE;
}

gboolean
rtc_peer_session_has_data_channel (RtcPeerSession * self, const gchar * label)
{
  return g_hash_table_contains (self->channels, label);
}
