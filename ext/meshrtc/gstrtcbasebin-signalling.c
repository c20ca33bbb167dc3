/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GstRtcBaseBin's signalling: what the RtcSignaller reports (welcome,
 * peer messages, disconnection), the peer's status and meta, and starting
 * and stopping the signaller on the context thread. See gstrtcbasebin.c
 * for the element.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gst/sdp/sdp.h>

#include "gstrtcbasebin-private.h"
#include "gstmeshrtcelements.h"
#include "rtccontextthread.h"

GST_DEBUG_CATEGORY_EXTERN (meshrtc_debug);
#define GST_CAT_DEFAULT meshrtc_debug

static void
handle_peer_message (GstRtcBaseBin * self, RtcMessage * msg)
{
  GstRtcPeer *peer = gst_rtc_base_bin_find_peer (self, msg->session_id);
  GError *err = NULL;

  if (!peer) {
    /* e.g. trickle still in flight for a session that just ended; "error"
     * is not a client message, so nothing is sent back */
    GST_INFO_OBJECT (self, "ignoring a message for unknown session '%s'",
        msg->session_id);
    return;
  }
  if (msg->has_ice) {
    rtc_peer_session_add_remote_candidate (peer->session,
        msg->sdp_mline_index, msg->candidate);
    return;
  }
  if (g_strcmp0 (msg->sdp_type, "offer") == 0) {
    /* a first offer, or a renegotiation on an established session */
    gst_rtc_base_bin_when_remote_offer_ready (self, peer, msg->sdp);
    return;
  }
  if (!rtc_peer_session_set_remote_description (peer->session, msg->sdp_type,
          msg->sdp, &err)) {
    GST_WARNING_OBJECT (self, "session %s: %s", peer->session_id, err->message);
    gst_rtc_base_bin_end_session (self, peer->session_id, err->message, TRUE);
    g_error_free (err);
  }
}

void
gst_rtc_base_bin_request_session (GstRtcBaseBin * self,
    const gchar * producer_id)
{
  RtcMessage *msg = rtc_message_new (RTC_MESSAGE_START_SESSION);

  GST_INFO_OBJECT (self, "asking for a session with %s", producer_id);
  msg->peer_id = g_strdup (producer_id);
  gst_rtc_base_bin_send_message (self, msg);
  rtc_message_free (msg);
}

static void
on_signaller_message (RtcSignaller * signaller, RtcMessage * msg,
    GstRtcBaseBin * self)
{
  GstRtcBaseBinClass *klass = GST_RTC_BASE_BIN_GET_CLASS (self);
  GError *err = NULL;

  switch (msg->type) {
    case RTC_MESSAGE_START_SESSION:
      /* a consumer wants our media; we offer */
      if (klass->accept_session && !klass->accept_session (self, msg->peer_id,
              msg->session_id, &err)) {
        GST_INFO_OBJECT (self, "refusing session %s from %s: %s",
            msg->session_id, msg->peer_id, err->message);
        gst_rtc_base_bin_send_end_session (self, msg->session_id, err->message);
        g_clear_error (&err);
        break;
      }
      if (msg->offer)
        /* the consumer offers (gstwebrtc-api's
         * createConsumerSessionWithOfferOptions): we answer it */
        gst_rtc_base_bin_start_answering_session (self, msg->session_id,
            msg->peer_id, msg->offer);
      else
        gst_rtc_base_bin_start_offering_session (self, msg->session_id,
            msg->peer_id);
      break;
    case RTC_MESSAGE_SESSION_STARTED:
      /* the session we asked for exists; the producer will offer */
      if (gst_rtc_base_bin_find_peer (self, msg->session_id))
        break;
      if (gst_rtc_base_bin_create_peer (self, msg->session_id, msg->peer_id))
        rtc_peer_session_start (gst_rtc_base_bin_find_peer (self,
                msg->session_id)->session, FALSE);
      break;
    case RTC_MESSAGE_PEER:
      handle_peer_message (self, msg);
      break;
    case RTC_MESSAGE_END_SESSION:
    case RTC_MESSAGE_END_SESSION_V1_1:{
      /* the remote's own reason, said to be theirs: "the element is
       * shutting down" alone would read as if we were stopping */
      gchar *reason = msg->error ?
          g_strdup_printf ("the remote peer ended the session: %s",
          msg->error) : g_strdup ("the remote peer ended the session");

      gst_rtc_base_bin_end_session (self, msg->session_id, reason, FALSE);
      g_free (reason);
      break;
    }
    case RTC_MESSAGE_ERROR:
      GST_WARNING_OBJECT (self, "signalling server says: %s", msg->details);
      if (klass->handle_message)
        klass->handle_message (self, msg);
      break;
    default:
      if (klass->handle_message)
        klass->handle_message (self, msg);
      break;
  }
}

static void
on_signaller_connected (RtcSignaller * signaller, const gchar * peer_id,
    GstRtcBaseBin * self)
{
  GstRtcBaseBinClass *klass = GST_RTC_BASE_BIN_GET_CLASS (self);
  GstRtcBaseBinPrivate *priv = PRIV (self);
  gboolean resumed;

  GST_OBJECT_LOCK (self);
  /* The signaller asks the server for our old id back. Resumed within the
   * server's grace period, it kept our sessions: they are still reachable
   * through signalling and stay as they are. Otherwise (a new id, or only
   * the id back from a restarted server) a new generation starts: older
   * sessions keep their media but can no longer be ended through the
   * server, and a new session replaces them (end_stale_sessions). */
  resumed = priv->peer_id && g_strcmp0 (priv->peer_id, peer_id) == 0
      && rtc_signaller_get_sessions_kept (signaller);
  g_free (priv->peer_id);
  priv->peer_id = g_strdup (peer_id);
  GST_OBJECT_UNLOCK (self);
  priv->warned_unreachable = FALSE;
  if (!resumed)
    priv->generation++;
  g_object_notify (G_OBJECT (self), "peer-id");
  gst_rtc_base_bin_post_element_message (self,
      gst_structure_new ("meshrtc-signalling-connected", "peer-id",
          G_TYPE_STRING, peer_id, "uri", G_TYPE_STRING, priv->uri,
          "resumed", G_TYPE_BOOLEAN, resumed, NULL));
  if (klass->connected)
    klass->connected (self, peer_id);
}

static void
on_signaller_disconnected (RtcSignaller * signaller, const GError * error,
    gboolean was_registered, GstRtcBaseBin * self)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);

  /* Established sessions keep their media: only signalling is gone. The
   * signaller retries with capped exponential backoff. */
  if (was_registered)
    gst_rtc_base_bin_post_element_message (self,
        gst_structure_new ("meshrtc-signalling-lost", "uri", G_TYPE_STRING,
            priv->uri, "error", G_TYPE_STRING,
            error ? error->message : "closed", NULL));
  if (!priv->warned_unreachable) {
    priv->warned_unreachable = TRUE;
    GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ_WRITE,
        (_("Could not connect to the signalling server, retrying.")),
        ("%s: %s", priv->uri, error ? error->message : "closed"));
  }
}

static JsonObject *
build_meta (GstRtcBaseBin * self)
{
  GstRtcBaseBinClass *klass = GST_RTC_BASE_BIN_GET_CLASS (self);
  GstRtcBaseBinPrivate *priv = PRIV (self);
  JsonObject *meta = json_object_new ();

  GST_OBJECT_LOCK (self);
  json_object_set_string_member (meta, "name",
      priv->peer_name ? priv->peer_name : GST_OBJECT_NAME (self));
  if (priv->room)
    json_object_set_string_member (meta, "room", priv->room);
  GST_OBJECT_UNLOCK (self);
  if (klass->fill_meta)
    klass->fill_meta (self, meta);
  return meta;
}

static gboolean
update_status_cb (gpointer data)
{
  GstRtcBaseBin *self = data;
  GstRtcBaseBinClass *klass = GST_RTC_BASE_BIN_GET_CLASS (self);
  JsonObject *meta;

  if (!PRIV (self)->signaller)
    return G_SOURCE_REMOVE;
  meta = build_meta (self);
  rtc_signaller_set_status (PRIV (self)->signaller, klass->get_roles (self),
      meta);
  json_object_unref (meta);
  return G_SOURCE_REMOVE;
}

void
gst_rtc_base_bin_update_status (GstRtcBaseBin * self)
{
  gst_rtc_base_bin_invoke (self, update_status_cb, gst_object_ref (self),
      gst_object_unref);
}

gboolean
gst_rtc_base_bin_start_signalling (gpointer data)
{
  GstRtcBaseBin *self = data;
  GstRtcBaseBinPrivate *priv = PRIV (self);

  GST_OBJECT_LOCK (self);
  priv->signaller = rtc_signaller_new (priv->uri, priv->auth_token);
  GST_OBJECT_UNLOCK (self);
  g_signal_connect (priv->signaller, "connected",
      G_CALLBACK (on_signaller_connected), self);
  g_signal_connect (priv->signaller, "disconnected",
      G_CALLBACK (on_signaller_disconnected), self);
  g_signal_connect (priv->signaller, "message",
      G_CALLBACK (on_signaller_message), self);
  update_status_cb (self);
  priv->warned_unreachable = FALSE;
  rtc_signaller_start (priv->signaller);
  return G_SOURCE_REMOVE;
}

gboolean
gst_rtc_base_bin_stop_signalling (gpointer data)
{
  GstRtcBaseBin *self = data;
  GstRtcBaseBinPrivate *priv = PRIV (self);

  gst_rtc_base_bin_end_all_sessions (self, "the element is shutting down",
      TRUE);
  if (priv->signaller) {
    g_signal_handlers_disconnect_by_data (priv->signaller, self);
    rtc_signaller_stop (priv->signaller);
    g_clear_object (&priv->signaller);
  }
  GST_OBJECT_LOCK (self);
  g_clear_pointer (&priv->peer_id, g_free);
  GST_OBJECT_UNLOCK (self);
  return G_SOURCE_REMOVE;
}

const gchar *
gst_rtc_base_bin_get_peer_id (GstRtcBaseBin * self)
{
  return PRIV (self)->signaller ?
      rtc_signaller_get_peer_id (PRIV (self)->signaller) : NULL;
}

const gchar *
gst_rtc_base_bin_get_uri (GstRtcBaseBin * self)
{
  return PRIV (self)->uri;
}

gchar *
gst_rtc_base_bin_dup_auth_token (GstRtcBaseBin * self)
{
  gchar *token;

  GST_OBJECT_LOCK (self);
  token = g_strdup (PRIV (self)->auth_token);
  GST_OBJECT_UNLOCK (self);
  return token;
}

GMainContext *
gst_rtc_base_bin_get_context (GstRtcBaseBin * self)
{
  return PRIV (self)->context;
}

GstStructure *
gst_rtc_base_bin_collect_stats (GstRtcBaseBin * self, const gchar * name)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  GstStructure *stats = gst_structure_new_empty (name);
  GHashTableIter iter;
  GstRtcPeer *peer;

  g_mutex_lock (&priv->peers_lock);
  g_hash_table_iter_init (&iter, priv->peers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & peer)) {
    GstStructure *s = gst_structure_new ("peer", "peer-id", G_TYPE_STRING,
        peer->remote_id, NULL);
    rtc_peer_session_fill_stats (peer->session, s);
    gst_structure_set (stats, peer->session_id, GST_TYPE_STRUCTURE, s, NULL);
    gst_structure_free (s);
  }
  g_mutex_unlock (&priv->peers_lock);
  return stats;
}

void
gst_rtc_base_bin_get_keyframe_counts (GstRtcBaseBin * self, guint * requests,
    guint * forced)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  guint i, r, f;

  *requests = *forced = 0;
  GST_OBJECT_LOCK (self);
  for (i = 0; i < priv->tracks->len; i++) {
    rtc_track_get_keyframe_counts (g_ptr_array_index (priv->tracks, i), &r, &f);
    *requests += r;
    *forced += f;
  }
  GST_OBJECT_UNLOCK (self);
}
