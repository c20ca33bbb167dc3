/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
/* GstRtcBaseBin's data channels (RFC 8831): the channel it opens with
 * every peer it offers to (#GstRtcBaseBin:data-channel), the "send-data"
 * action signal and the "data-received" signal, over RtcPeerSession's
 * channels. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstrtcbasebin-private.h"

GST_DEBUG_CATEGORY_EXTERN (meshrtc_debug);
#define GST_CAT_DEFAULT meshrtc_debug

static void
on_data_message (RtcPeerSession * session, const gchar * label,
    GBytes * message, gboolean text, GstRtcBaseBin * self)
{
  GstRtcPeer *peer = gst_rtc_base_bin_find_peer (self,
      rtc_peer_session_get_id (session));

  if (peer)
    g_signal_emit_by_name (self, "data-received", peer->remote_id, label,
        message);
}

void
gst_rtc_base_bin_data_peer_created (GstRtcBaseBin * self, GstRtcPeer * peer)
{
  g_signal_connect (peer->session, "data-message",
      G_CALLBACK (on_data_message), self);
}

void
gst_rtc_base_bin_data_before_offer (GstRtcBaseBin * self, GstRtcPeer * peer)
{
  gchar *label;

  GST_OBJECT_LOCK (self);
  label = g_strdup (PRIV (self)->data_channel);
  GST_OBJECT_UNLOCK (self);
  if (label && *label)
    rtc_peer_session_create_data_channel (peer->session, label, TRUE, -1);
  g_free (label);
}

typedef struct
{
  GstRtcBaseBin *self;
  gchar *peer_id;
  gchar *label;
  GBytes *message;
} SendData;

static void
send_data_free (gpointer data)
{
  SendData *d = data;

  gst_object_unref (d->self);
  g_free (d->peer_id);
  g_free (d->label);
  g_bytes_unref (d->message);
  g_free (d);
}

/* On the context thread: to every peer, or the one asked, that has the
 * channel. */
static gboolean
send_data_cb (gpointer data)
{
  SendData *d = data;
  GstRtcBaseBinPrivate *priv = PRIV (d->self);
  GHashTableIter iter;
  GstRtcPeer *peer;
  GError *err = NULL;
  guint sent = 0;

  g_hash_table_iter_init (&iter, priv->peers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & peer)) {
    if (d->peer_id && g_strcmp0 (peer->remote_id, d->peer_id) != 0)
      continue;
    if (!rtc_peer_session_has_data_channel (peer->session, d->label))
      continue;
    if (rtc_peer_session_send_data (peer->session, d->label, d->message,
            FALSE, &err)) {
      sent++;
    } else {
      GST_WARNING_OBJECT (d->self, "data channel '%s' to %s: %s", d->label,
          peer->remote_id, err->message);
      g_clear_error (&err);
    }
  }
  GST_LOG_OBJECT (d->self, "message of %" G_GSIZE_FORMAT " bytes on '%s' to "
      "%u peers", g_bytes_get_size (d->message), d->label, sent);
  return G_SOURCE_REMOVE;
}

gboolean
gst_rtc_base_bin_send_data (GstRtcBaseBin * self, const gchar * peer_id,
    const gchar * label, GBytes * message)
{
  SendData *d;

  if (!label || !message) {
    GST_WARNING_OBJECT (self, "send-data needs a label and a message");
    return FALSE;
  }
  if (g_bytes_get_size (message) > RTC_PEER_SESSION_MAX_MESSAGE_SIZE) {
    GST_WARNING_OBJECT (self, "send-data: %" G_GSIZE_FORMAT " bytes is over "
        "%d", g_bytes_get_size (message), RTC_PEER_SESSION_MAX_MESSAGE_SIZE);
    return FALSE;
  }
  d = g_new0 (SendData, 1);
  d->self = gst_object_ref (self);
  d->peer_id = g_strdup (peer_id);
  d->label = g_strdup (label);
  d->message = g_bytes_ref (message);
  gst_rtc_base_bin_invoke (self, send_data_cb, d, send_data_free);
  return TRUE;
}
