/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GstRtcBaseBin's peer sessions: one RtcPeerSession (and webrtcbin) per
 * remote peer, created on demand, offered our tracks or answering the
 * remote's offer once the encoders have caps, and ended with a reason.
 * See gstrtcbasebin.c for the element.
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

/* ---- peers ---- */

void
gst_rtc_base_bin_peer_free (GstRtcPeer * peer)
{
  g_free (peer->session_id);
  g_free (peer->remote_id);
  g_clear_object (&peer->session);
  if (peer->branches)
    g_ptr_array_unref (peer->branches);
  g_free (peer);
}

GstRtcPeer *
gst_rtc_base_bin_find_peer (GstRtcBaseBin * self, const gchar * session_id)
{
  return session_id ? g_hash_table_lookup (PRIV (self)->peers,
      session_id) : NULL;
}

guint
gst_rtc_base_bin_count_peers (GstRtcBaseBin * self)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  guint n;

  g_mutex_lock (&priv->peers_lock);
  n = g_hash_table_size (priv->peers);
  g_mutex_unlock (&priv->peers_lock);
  return n;
}

gboolean
gst_rtc_base_bin_has_peer_with (GstRtcBaseBin * self, const gchar * remote_id)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  GHashTableIter iter;
  GstRtcPeer *peer;
  gboolean has = FALSE;

  g_mutex_lock (&priv->peers_lock);
  g_hash_table_iter_init (&iter, priv->peers);
  while (!has && g_hash_table_iter_next (&iter, NULL, (gpointer *) & peer))
    has = g_strcmp0 (peer->remote_id, remote_id) == 0;
  g_mutex_unlock (&priv->peers_lock);
  return has;
}

gboolean
gst_rtc_base_bin_has_session (GstRtcBaseBin * self, const gchar * session_id)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  gboolean has;

  g_mutex_lock (&priv->peers_lock);
  has = gst_rtc_base_bin_find_peer (self, session_id) != NULL;
  g_mutex_unlock (&priv->peers_lock);
  return has;
}

void
gst_rtc_base_bin_send_end_session (GstRtcBaseBin * self,
    const gchar * session_id, const gchar * reason)
{
  if (PRIV (self)->signaller)
    rtc_signallable_end_session (PRIV (self)->signaller, session_id, reason);
}

void
gst_rtc_base_bin_end_session (GstRtcBaseBin * self, const gchar * session_id,
    const gchar * reason, gboolean notify)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  GstRtcBaseBinClass *klass = GST_RTC_BASE_BIN_GET_CLASS (self);
  GstRtcPeer *peer;
  guint i;

  g_mutex_lock (&priv->peers_lock);
  if (!g_hash_table_steal_extended (priv->peers, session_id, NULL,
          (gpointer *) & peer))
    peer = NULL;
  g_mutex_unlock (&priv->peers_lock);
  if (!peer)
    return;

  GST_INFO_OBJECT (self, "ending session %s with %s: %s", peer->session_id,
      peer->remote_id, reason ? reason : "closed");
  if (notify)
    gst_rtc_base_bin_send_end_session (self, peer->session_id, reason);

  g_signal_handlers_disconnect_by_data (peer->session, self);
  /* unlink from the tees first, then take webrtcbin down */
  for (i = 0; i < peer->branches->len; i++)
    rtc_track_branch_remove (g_ptr_array_index (peer->branches, i));
  g_ptr_array_set_size (peer->branches, 0);
  if (klass->peer_removed)
    klass->peer_removed (self, peer);
  rtc_peer_session_close (peer->session);

  gst_rtc_base_bin_post_element_message (self,
      gst_structure_new ("meshrtc-peer-removed", "session-id", G_TYPE_STRING,
          peer->session_id, "peer-id", G_TYPE_STRING, peer->remote_id, "reason",
          G_TYPE_STRING, reason ? reason : "closed", NULL));
  gst_rtc_base_bin_peer_free (peer);
}

void
gst_rtc_base_bin_end_all_sessions (GstRtcBaseBin * self, const gchar * reason,
    gboolean notify)
{
  GList *ids, *l;

  ids = g_hash_table_get_keys (PRIV (self)->peers);
  for (l = ids; l; l = l->next) {
    gchar *id = g_strdup (l->data);
    gst_rtc_base_bin_end_session (self, id, reason, notify);
    g_free (id);
  }
  g_list_free (ids);
}

guint
gst_rtc_base_bin_end_stale_sessions (GstRtcBaseBin * self, const gchar * reason)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  GHashTableIter iter;
  GstRtcPeer *peer;
  GPtrArray *stale = g_ptr_array_new_with_free_func (g_free);
  guint i, n;

  g_hash_table_iter_init (&iter, priv->peers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & peer))
    if (peer->generation != priv->generation)
      g_ptr_array_add (stale, g_strdup (peer->session_id));
  for (i = 0; i < stale->len; i++)
    gst_rtc_base_bin_end_session (self, g_ptr_array_index (stale, i), reason,
        FALSE);
  n = stale->len;
  g_ptr_array_unref (stale);
  return n;
}

static void
on_local_description (RtcPeerSession * session,
    GstWebRTCSessionDescription * desc, GstRtcBaseBin * self)
{
  if (PRIV (self)->signaller)
    rtc_signallable_send_description (PRIV (self)->signaller,
        rtc_peer_session_get_id (session), desc);
}

static void
on_local_candidate (RtcPeerSession * session, guint mline,
    const gchar * candidate, GstRtcBaseBin * self)
{
  if (PRIV (self)->signaller)
    rtc_signallable_send_candidate (PRIV (self)->signaller,
        rtc_peer_session_get_id (session), mline, candidate);
}

static void
on_connection_state (RtcPeerSession * session,
    GstWebRTCPeerConnectionState state, GstRtcBaseBin * self)
{
  GstRtcPeer *peer =
      gst_rtc_base_bin_find_peer (self, rtc_peer_session_get_id (session));
  guint i;

  if (!peer)
    return;
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED && !peer->connected) {
    peer->connected = TRUE;
    /* DTLS is up: media can flow and a keyframe request now is not lost */
    for (i = 0; i < peer->branches->len; i++)
      rtc_track_branch_open (g_ptr_array_index (peer->branches, i));
    gst_rtc_base_bin_post_element_message (self,
        gst_structure_new ("meshrtc-peer-connected", "session-id",
            G_TYPE_STRING, peer->session_id, "peer-id", G_TYPE_STRING,
            peer->remote_id, "setup-time", G_TYPE_UINT64,
            (guint64) (g_get_monotonic_time () -
                peer->created_us) * GST_USECOND, NULL));
  }
}

typedef struct
{
  GstRtcBaseBin *self;
  gchar *session_id;
  gchar *reason;
} EndRequest;

static gboolean
end_request_cb (gpointer data)
{
  EndRequest *req = data;

  gst_rtc_base_bin_end_session (req->self, req->session_id, req->reason, TRUE);
  return G_SOURCE_REMOVE;
}

static void
end_request_free (gpointer data)
{
  EndRequest *req = data;

  g_free (req->session_id);
  g_free (req->reason);
  gst_object_unref (req->self);
  g_free (req);
}

/* Defers the end of a session to a fresh main-loop iteration, so the
 * session never closes itself from inside one of its own signals. */
void
gst_rtc_base_bin_end_session_later (GstRtcBaseBin * self,
    const gchar * session_id, const gchar * reason)
{
  EndRequest *req = g_new0 (EndRequest, 1);
  GSource *src = g_idle_source_new ();

  req->self = gst_object_ref (self);
  req->session_id = g_strdup (session_id);
  req->reason = g_strdup (reason);
  g_source_set_callback (src, end_request_cb, req, end_request_free);
  g_source_attach (src, PRIV (self)->context);
  g_source_unref (src);
}

static void
on_session_failed (RtcPeerSession * session, const GError * error,
    GstRtcBaseBin * self)
{
  GST_WARNING_OBJECT (self, "session %s failed: %s",
      rtc_peer_session_get_id (session), error->message);
  gst_rtc_base_bin_end_session_later (self, rtc_peer_session_get_id (session),
      error->message);
}

static void
on_remote_pad (RtcPeerSession * session, GstPad * pad, GstRtcBaseBin * self)
{
  GstRtcBaseBinClass *klass = GST_RTC_BASE_BIN_GET_CLASS (self);
  GstRtcBaseBinPrivate *priv = PRIV (self);
  GstRtcPeer *peer;
  gchar *session_id = NULL, *remote_id = NULL;

  /* copies taken under the lock; the subclass runs without it, since it
   * adds and links elements (see remote_pad in gstrtcbasebin.h) */
  g_mutex_lock (&priv->peers_lock);
  peer = gst_rtc_base_bin_find_peer (self, rtc_peer_session_get_id (session));
  if (peer) {
    session_id = g_strdup (peer->session_id);
    remote_id = g_strdup (peer->remote_id);
  }
  g_mutex_unlock (&priv->peers_lock);

  if (session_id && klass->remote_pad)
    klass->remote_pad (self, session_id, remote_id, pad);
  else
    GST_DEBUG_OBJECT (self, "ignoring remote pad %" GST_PTR_FORMAT, pad);
  g_free (session_id);
  g_free (remote_id);
}

static gchar **
split_addresses (const gchar * list)
{
  gchar **addrs, **a;

  if (!list || !*list)
    return NULL;
  addrs = g_strsplit_set (list, ", ", -1);
  for (a = addrs; *a; a++)
    g_strstrip (*a);
  return addrs;
}

GstRtcPeer *
gst_rtc_base_bin_create_peer (GstRtcBaseBin * self, const gchar * session_id,
    const gchar * remote_id)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  RtcPeerSessionConfig config = { 0, };
  GstRtcPeer *peer;
  RtcPeerSession *session;

  GST_OBJECT_LOCK (self);
  config.latency_ms = priv->latency;
  config.disconnect_timeout_ms = priv->disconnect_timeout;
  config.connect_timeout_ms = priv->connect_timeout;
  config.local_addresses = split_addresses (priv->ice_local_addresses);
  GST_OBJECT_UNLOCK (self);
  /* WHIP/WHEP: ICE servers may come with the answer (RFC 9725 4.6) */
  config.defer_local_offer = priv->signaller &&
      rtc_signallable_gives_ice_servers (priv->signaller);

  session = rtc_peer_session_new (GST_BIN (self), session_id, &config);
  g_strfreev (config.local_addresses);
  if (!session) {
    GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN,
        (_("The webrtcbin element is missing.")),
        ("install gst-plugins-bad (webrtcbin) and gstreamer1.0-nice"));
    return NULL;
  }

  peer = g_new0 (GstRtcPeer, 1);
  peer->session_id = g_strdup (session_id);
  peer->remote_id = g_strdup (remote_id);
  peer->session = session;
  peer->branches = g_ptr_array_new ();
  peer->created_us = g_get_monotonic_time ();
  peer->generation = priv->generation;

  g_signal_connect (session, "local-description",
      G_CALLBACK (on_local_description), self);
  g_signal_connect (session, "local-candidate",
      G_CALLBACK (on_local_candidate), self);
  g_signal_connect (session, "connection-state",
      G_CALLBACK (on_connection_state), self);
  g_signal_connect (session, "failed", G_CALLBACK (on_session_failed), self);
  g_signal_connect (session, "remote-pad", G_CALLBACK (on_remote_pad), self);
  gst_rtc_base_bin_data_peer_created (self, peer);

  g_mutex_lock (&priv->peers_lock);
  g_hash_table_insert (priv->peers, peer->session_id, peer);
  g_mutex_unlock (&priv->peers_lock);

  gst_rtc_base_bin_post_element_message (self,
      gst_structure_new ("meshrtc-peer-added", "session-id", G_TYPE_STRING,
          session_id, "peer-id", G_TYPE_STRING, remote_id, NULL));
  return peer;
}

static GPtrArray *
copy_tracks (GstRtcBaseBin * self)
{
  GPtrArray *tracks;

  GST_OBJECT_LOCK (self);
  tracks = g_ptr_array_copy (PRIV (self)->tracks, NULL, NULL);
  GST_OBJECT_UNLOCK (self);
  return tracks;
}

static void
add_branch (GstRtcBaseBin * self, GstRtcPeer * peer, RtcTrack * track,
    gint mline, GstCaps * send_caps)
{
  GstRtcBaseBinClass *klass = GST_RTC_BASE_BIN_GET_CLASS (self);
  /* a pure producer expects nothing back: no receive path to set up */
  GstWebRTCRTPTransceiverDirection dir =
      (klass->get_roles (self) & RTC_ROLE_CONSUMER) ?
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV :
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY;
  RtcTrackBranch *branch = rtc_track_add_branch (track, peer->session, mline,
      dir, send_caps);

  if (!branch) {
    GST_WARNING_OBJECT (self, "track %s has no caps yet, not sent to %s",
        rtc_track_get_name (track), peer->remote_id);
    return;
  }
  g_ptr_array_add (peer->branches, branch);
}

static gboolean
tracks_have_caps (GstRtcBaseBin * self)
{
  GPtrArray *tracks = copy_tracks (self);
  gboolean ready = TRUE;
  guint i;

  for (i = 0; i < tracks->len && ready; i++) {
    GstCaps *caps = rtc_track_get_rtp_caps (g_ptr_array_index (tracks, i));
    ready = caps != NULL;
    gst_clear_caps (&caps);
  }
  g_ptr_array_unref (tracks);
  return ready;
}

/* how long a session waits for the encoders' first caps (ms) */
#define TRACK_CAPS_WAIT_MS 5000
#define TRACK_CAPS_POLL_MS 5

typedef void (*PeerAction) (GstRtcBaseBin * self, GstRtcPeer * peer,
    gpointer data);

typedef struct
{
  GstRtcBaseBin *self;
  gchar *session_id;
  PeerAction action;
  gpointer data;
  GDestroyNotify notify;
  guint polls;
} Deferred;

static void
deferred_free (gpointer user_data)
{
  Deferred *d = user_data;

  if (d->notify)
    d->notify (d->data);
  g_free (d->session_id);
  g_free (d);
}

static gboolean
deferred_poll (gpointer user_data)
{
  Deferred *d = user_data;
  GstRtcPeer *peer = gst_rtc_base_bin_find_peer (d->self, d->session_id);

  if (!peer)
    return G_SOURCE_REMOVE;     /* the session ended meanwhile */
  if (!tracks_have_caps (d->self)
      && ++d->polls < TRACK_CAPS_WAIT_MS / TRACK_CAPS_POLL_MS)
    return G_SOURCE_CONTINUE;
  d->action (d->self, peer, d->data);
  return G_SOURCE_REMOVE;
}

/* Runs @action once every local track knows the caps it sends
 * (rtc_track_get_rtp_caps(): for raw input as soon as the input caps are
 * known, from the codec table; for encoded input once its payloader has
 * caps): a session can start before the sources have, and webrtcbin cannot
 * offer or answer for a pad without caps. Waits at most
 * TRACK_CAPS_WAIT_MS. */
static void
when_tracks_ready (GstRtcBaseBin * self, GstRtcPeer * peer,
    PeerAction action, gpointer data, GDestroyNotify notify)
{
  Deferred *d;
  GSource *src;

  if (tracks_have_caps (self)) {
    action (self, peer, data);
    if (notify)
      notify (data);
    return;
  }
  GST_DEBUG_OBJECT (self, "session %s waits for the tracks' caps",
      peer->session_id);
  d = g_new0 (Deferred, 1);
  d->self = self;
  d->session_id = g_strdup (peer->session_id);
  d->action = action;
  d->data = data;
  d->notify = notify;
  src = g_timeout_source_new (TRACK_CAPS_POLL_MS);
  g_source_set_callback (src, deferred_poll, d, deferred_free);
  g_source_attach (src, PRIV (self)->context);
  g_source_unref (src);
}

static void
offer_tracks (GstRtcBaseBin * self, GstRtcPeer * peer, gpointer data)
{
  GstRtcBaseBinClass *klass = GST_RTC_BASE_BIN_GET_CLASS (self);
  GPtrArray *tracks;
  gboolean have[2] = { FALSE, FALSE };
  guint i;
  gchar *session_id = peer->session_id;

  tracks = copy_tracks (self);
  for (i = 0; i < tracks->len; i++) {
    RtcTrack *track = g_ptr_array_index (tracks, i);
    add_branch (self, peer, track, -1, NULL);
    have[rtc_track_get_kind (track)] = TRUE;
  }
  g_ptr_array_unref (tracks);
  /* a peer that also consumes (a mesh participant) asks for what it has no
   * track for, so the remote's media has an m-line to arrive on */
  if (klass->get_roles (self) & RTC_ROLE_CONSUMER) {
    if (!have[RTC_MEDIA_VIDEO])
      rtc_peer_session_add_recv_transceiver (peer->session, RTC_MEDIA_VIDEO);
    if (!have[RTC_MEDIA_AUDIO])
      rtc_peer_session_add_recv_transceiver (peer->session, RTC_MEDIA_AUDIO);
  }
  if (peer->branches->len == 0
      && !(klass->get_roles (self) & RTC_ROLE_CONSUMER)) {
    gst_rtc_base_bin_end_session (self, session_id,
        "the producer has no media to send yet", TRUE);
    return;
  }
  gst_rtc_base_bin_data_before_offer (self, peer);
  rtc_peer_session_start (peer->session, TRUE);
}

/* We are the producer side of @session_id: offer every local track. */
void
gst_rtc_base_bin_start_offering_session (GstRtcBaseBin * self,
    const gchar * session_id, const gchar * remote_id)
{
  GstRtcPeer *peer = gst_rtc_base_bin_create_peer (self, session_id, remote_id);

  if (peer)
    when_tracks_ready (self, peer, offer_tracks, NULL, NULL);
}

/* Answerer side: before applying the offer, attach each local track to the
 * first offered m-line of its kind, so the answer sends as well. */
static void
attach_tracks_to_offer (GstRtcBaseBin * self, GstRtcPeer * peer,
    const GstSDPMessage * msg)
{
  GPtrArray *tracks;
  guint i, j;

  if (peer->branches->len > 0)
    return;
  tracks = copy_tracks (self);
  for (i = 0; i < gst_sdp_message_medias_len (msg); i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (msg, i);
    const gchar *media = gst_sdp_media_get_media (m);

    for (j = 0; j < tracks->len; j++) {
      RtcTrack *track = g_ptr_array_index (tracks, j);
      const gchar *kind = rtc_track_get_kind (track) == RTC_MEDIA_VIDEO ?
          "video" : "audio";
      GstCaps *send_caps;

      if (g_strcmp0 (media, kind) != 0)
        continue;
      /* sent with the offerer's payload type for our codec */
      send_caps = rtc_track_caps_for_offer (track, m);
      if (!send_caps) {
        GST_INFO_OBJECT (self, "session %s: m-line %u offers no codec of "
            "track %s", peer->session_id, i, rtc_track_get_name (track));
        continue;
      }
      add_branch (self, peer, track, i, send_caps);
      gst_caps_unref (send_caps);
      g_ptr_array_remove_index (tracks, j);
      break;
    }
  }
  g_ptr_array_unref (tracks);
}

static void
apply_remote_offer (GstRtcBaseBin * self, GstRtcPeer * peer, gpointer data)
{
  GstWebRTCSessionDescription *offer = data;
  GError *err = NULL;

  attach_tracks_to_offer (self, peer, offer->sdp);
  if (!rtc_peer_session_set_remote_description (peer->session, offer, &err)) {
    GST_WARNING_OBJECT (self, "session %s: %s", peer->session_id, err->message);
    /* ends and frees @peer; nothing may touch it after this */
    gst_rtc_base_bin_end_session (self, peer->session_id, err->message, TRUE);
    g_error_free (err);
  }
}

void
gst_rtc_base_bin_when_remote_offer_ready (GstRtcBaseBin * self,
    GstRtcPeer * peer, const GstWebRTCSessionDescription * offer)
{
  when_tracks_ready (self, peer, apply_remote_offer,
      gst_webrtc_session_description_copy (offer),
      (GDestroyNotify) gst_webrtc_session_description_free);
}

/* We are the producer side of @session_id and the consumer sent its own
 * offer with startSession: answer it with every local track attached to
 * the offered m-lines. */
void
gst_rtc_base_bin_start_answering_session (GstRtcBaseBin * self,
    const gchar * session_id, const gchar * remote_id,
    const GstWebRTCSessionDescription * offer)
{
  GstRtcPeer *peer = gst_rtc_base_bin_create_peer (self, session_id, remote_id);

  if (!peer)
    return;
  rtc_peer_session_start (peer->session, FALSE);
  gst_rtc_base_bin_when_remote_offer_ready (self, peer, offer);
}
