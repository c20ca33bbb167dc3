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

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gst/sdp/sdp.h>

#include "gstrtcbasebin.h"
#include "gstmeshrtcelements.h"
#include "rtccontextthread.h"

GST_DEBUG_CATEGORY_EXTERN (meshrtc_debug);
#define GST_CAT_DEFAULT meshrtc_debug

#define DEFAULT_URI "ws://127.0.0.1:8443"
#define DEFAULT_LATENCY 200
#define DEFAULT_VIDEO_CODEC RTC_VIDEO_CODEC_H264
#define DEFAULT_VIDEO_BITRATE 2000000
#define DEFAULT_AUDIO_BITRATE 64000
#define DEFAULT_KEYFRAME_INTERVAL 1000
#define DEFAULT_DISCONNECT_TIMEOUT 5000
#define DEFAULT_CONNECT_TIMEOUT 30000

enum
{
  PROP_0,
  PROP_URI,
  PROP_AUTH_TOKEN,
  PROP_PEER_ID,
  PROP_PEER_NAME,
  PROP_ROOM,
  PROP_LATENCY,
  PROP_ICE_LOCAL_ADDRESSES,
  PROP_VIDEO_CODEC,
  PROP_VIDEO_BITRATE,
  PROP_AUDIO_BITRATE,
  PROP_KEYFRAME_INTERVAL,
  PROP_DISCONNECT_TIMEOUT,
  PROP_CONNECT_TIMEOUT,
};

typedef struct
{
  gchar *uri;
  gchar *auth_token;
  gchar *peer_name;
  gchar *room;
  guint latency;
  gchar *ice_local_addresses;
  RtcVideoCodec video_codec;
  guint video_bitrate;
  guint audio_bitrate;
  guint keyframe_interval;
  guint disconnect_timeout;
  guint connect_timeout;

  GMainContext *context;
  RtcContextThread *thread;     /* READY to NULL */

  RtcSignaller *signaller;
  gchar *peer_id;               /* copy readable from any thread, OBJECT_LOCK */
  gboolean warned_unreachable;
  guint generation;             /* counts registrations (welcome) */

  GPtrArray *tracks;            /* of RtcTrack, OBJECT_LOCK */
  guint tracks_eos;             /* tracks that got EOS, OBJECT_LOCK */
  guint next_video, next_audio; /* pad numbering, OBJECT_LOCK */
  GHashTable *peers;            /* session id -> GstRtcPeer, context thread */
  GMutex peers_lock;            /* guards peers for readers off the context */
} GstRtcBaseBinPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GstRtcBaseBin, gst_rtc_base_bin,
    GST_TYPE_BIN);

#define PRIV(self) ((GstRtcBaseBinPrivate *) gst_rtc_base_bin_get_instance_private (GST_RTC_BASE_BIN (self)))

static GstStaticPadTemplate video_sink_template =
GST_STATIC_PAD_TEMPLATE ("video_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("video/x-raw; video/x-h264; video/x-vp8; video/x-vp9"));
static GstStaticPadTemplate audio_sink_template =
GST_STATIC_PAD_TEMPLATE ("audio_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("audio/x-raw; audio/x-opus"));

/* ---- context thread ---- */

static void
context_thread_started (gpointer data)
{
  /* Before anything else, off the application's thread: the first session
   * would otherwise wait for RSA key generation after PLAYING. This thread
   * is joined going to NULL, so no key generation outlives the element. */
  rtc_peer_session_prewarm_certificate ();
}

void
gst_rtc_base_bin_invoke (GstRtcBaseBin * self, GSourceFunc func,
    gpointer data, GDestroyNotify notify)
{
  g_main_context_invoke_full (PRIV (self)->context, G_PRIORITY_DEFAULT, func,
      data, notify);
}

void
gst_rtc_base_bin_invoke_sync (GstRtcBaseBin * self, GSourceFunc func)
{
  rtc_context_thread_invoke_sync (PRIV (self)->thread, func, self);
}

/* ---- element messages ---- */

static void
post_element_message (GstRtcBaseBin * self, GstStructure * s)
{
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

/* ---- peers ---- */

static void
peer_free (GstRtcPeer * peer)
{
  g_free (peer->session_id);
  g_free (peer->remote_id);
  g_clear_object (&peer->session);
  if (peer->branches)
    g_ptr_array_unref (peer->branches);
  g_free (peer);
}

static GstRtcPeer *
find_peer (GstRtcBaseBin * self, const gchar * session_id)
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
gst_rtc_base_bin_has_session (GstRtcBaseBin * self, const gchar * session_id)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  gboolean has;

  g_mutex_lock (&priv->peers_lock);
  has = find_peer (self, session_id) != NULL;
  g_mutex_unlock (&priv->peers_lock);
  return has;
}

void
gst_rtc_base_bin_send_message (GstRtcBaseBin * self, RtcMessage * msg)
{
  if (!rtc_signaller_send (PRIV (self)->signaller, msg))
    GST_DEBUG_OBJECT (self, "not connected, dropping %s",
        rtc_message_type_to_string (msg->type));
}

static void
send_end_session (GstRtcBaseBin * self, const gchar * session_id,
    const gchar * reason)
{
  RtcMessage *msg = rtc_message_new (RTC_MESSAGE_END_SESSION_V1_1);

  msg->session_id = g_strdup (session_id);
  msg->error = g_strdup (reason);
  gst_rtc_base_bin_send_message (self, msg);
  rtc_message_free (msg);
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
    send_end_session (self, peer->session_id, reason);

  g_signal_handlers_disconnect_by_data (peer->session, self);
  /* unlink from the tees first, then take webrtcbin down */
  for (i = 0; i < peer->branches->len; i++)
    rtc_track_branch_remove (g_ptr_array_index (peer->branches, i));
  g_ptr_array_set_size (peer->branches, 0);
  if (klass->peer_removed)
    klass->peer_removed (self, peer);
  rtc_peer_session_close (peer->session);

  post_element_message (self, gst_structure_new ("meshrtc-peer-removed",
          "session-id", G_TYPE_STRING, peer->session_id,
          "peer-id", G_TYPE_STRING, peer->remote_id,
          "reason", G_TYPE_STRING, reason ? reason : "closed", NULL));
  peer_free (peer);
}

static void
end_all_sessions (GstRtcBaseBin * self, const gchar * reason, gboolean notify)
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
gst_rtc_base_bin_end_stale_sessions (GstRtcBaseBin * self,
    const gchar * reason)
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
on_local_description (RtcPeerSession * session, const gchar * type,
    const gchar * sdp, GstRtcBaseBin * self)
{
  RtcMessage *msg = rtc_message_new_peer_sdp (rtc_peer_session_get_id
      (session), type, sdp);

  gst_rtc_base_bin_send_message (self, msg);
  rtc_message_free (msg);
}

static void
on_local_candidate (RtcPeerSession * session, guint mline,
    const gchar * candidate, GstRtcBaseBin * self)
{
  RtcMessage *msg = rtc_message_new_peer_ice (rtc_peer_session_get_id
      (session), mline, candidate);

  gst_rtc_base_bin_send_message (self, msg);
  rtc_message_free (msg);
}

static void
on_connection_state (RtcPeerSession * session,
    GstWebRTCPeerConnectionState state, GstRtcBaseBin * self)
{
  GstRtcPeer *peer = find_peer (self, rtc_peer_session_get_id (session));
  guint i;

  if (!peer)
    return;
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED && !peer->connected) {
    peer->connected = TRUE;
    /* DTLS is up: media can flow and a keyframe request now is not lost */
    for (i = 0; i < peer->branches->len; i++)
      rtc_track_branch_open (g_ptr_array_index (peer->branches, i));
    post_element_message (self, gst_structure_new ("meshrtc-peer-connected",
            "session-id", G_TYPE_STRING, peer->session_id,
            "peer-id", G_TYPE_STRING, peer->remote_id,
            "setup-time", G_TYPE_UINT64,
            (guint64) (g_get_monotonic_time () - peer->created_us) *
            GST_USECOND, NULL));
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
static void
end_session_later (GstRtcBaseBin * self, const gchar * session_id,
    const gchar * reason)
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
  end_session_later (self, rtc_peer_session_get_id (session), error->message);
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
  peer = find_peer (self, rtc_peer_session_get_id (session));
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

static GstRtcPeer *
create_peer (GstRtcBaseBin * self, const gchar * session_id,
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

  g_mutex_lock (&priv->peers_lock);
  g_hash_table_insert (priv->peers, peer->session_id, peer);
  g_mutex_unlock (&priv->peers_lock);

  post_element_message (self, gst_structure_new ("meshrtc-peer-added",
          "session-id", G_TYPE_STRING, session_id,
          "peer-id", G_TYPE_STRING, remote_id, NULL));
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
  GstRtcPeer *peer = find_peer (d->self, d->session_id);

  if (!peer)
    return G_SOURCE_REMOVE;     /* the session ended meanwhile */
  if (!tracks_have_caps (d->self)
      && ++d->polls < TRACK_CAPS_WAIT_MS / TRACK_CAPS_POLL_MS)
    return G_SOURCE_CONTINUE;
  d->action (d->self, peer, d->data);
  return G_SOURCE_REMOVE;
}

/* Runs @action once every local track knows its caps: a session can start
 * before the encoders produced anything, and webrtcbin cannot offer or
 * answer for a pad without caps. Waits at most TRACK_CAPS_WAIT_MS. */
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
  GST_DEBUG_OBJECT (self, "session %s waits for the encoders' caps",
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
  rtc_peer_session_start (peer->session, TRUE);
}

/* We are the producer side of @session_id: offer every local track. */
static void
start_offering_session (GstRtcBaseBin * self, const gchar * session_id,
    const gchar * remote_id)
{
  GstRtcPeer *peer = create_peer (self, session_id, remote_id);

  if (peer)
    when_tracks_ready (self, peer, offer_tracks, NULL, NULL);
}

/* Answerer side: before applying the offer, attach each local track to the
 * first offered m-line of its kind, so the answer sends as well. */
static void
attach_tracks_to_offer (GstRtcBaseBin * self, GstRtcPeer * peer,
    const gchar * sdp)
{
  GstSDPMessage *msg = NULL;
  GPtrArray *tracks;
  guint i, j;

  /* an empty text fails in rtc_peer_session_set_remote_description();
   * gst_sdp_message_new_from_text() would assert on it */
  if (peer->branches->len > 0 || !sdp || !*sdp
      || gst_sdp_message_new_from_text (sdp, &msg) != GST_SDP_OK)
    goto done;
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
done:
  if (msg)
    gst_sdp_message_free (msg);
}

typedef struct
{
  gchar *type, *sdp;
} RemoteSdp;

static void
remote_sdp_free (RemoteSdp * rs)
{
  g_free (rs->type);
  g_free (rs->sdp);
  g_free (rs);
}

static void
apply_remote_offer (GstRtcBaseBin * self, GstRtcPeer * peer, gpointer data)
{
  RemoteSdp *rs = data;
  GError *err = NULL;

  attach_tracks_to_offer (self, peer, rs->sdp);
  if (!rtc_peer_session_set_remote_description (peer->session, rs->type,
          rs->sdp, &err)) {
    GST_WARNING_OBJECT (self, "session %s: %s", peer->session_id,
        err->message);
    /* ends and frees @peer; nothing may touch it after this */
    gst_rtc_base_bin_end_session (self, peer->session_id, err->message, TRUE);
    g_error_free (err);
  }
}

static void
when_remote_offer_ready (GstRtcBaseBin * self, GstRtcPeer * peer,
    const gchar * sdp)
{
  RemoteSdp *rs = g_new0 (RemoteSdp, 1);

  rs->type = g_strdup ("offer");
  rs->sdp = g_strdup (sdp);
  when_tracks_ready (self, peer, apply_remote_offer, rs,
      (GDestroyNotify) remote_sdp_free);
}

/* We are the producer side of @session_id and the consumer sent its own
 * offer with startSession: answer it with every local track attached to
 * the offered m-lines. */
static void
start_answering_session (GstRtcBaseBin * self, const gchar * session_id,
    const gchar * remote_id, const gchar * offer)
{
  GstRtcPeer *peer = create_peer (self, session_id, remote_id);

  if (!peer)
    return;
  rtc_peer_session_start (peer->session, FALSE);
  when_remote_offer_ready (self, peer, offer);
}

static void
handle_peer_message (GstRtcBaseBin * self, RtcMessage * msg)
{
  GstRtcPeer *peer = find_peer (self, msg->session_id);
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
    when_remote_offer_ready (self, peer, msg->sdp);
    return;
  }
  if (!rtc_peer_session_set_remote_description (peer->session, msg->sdp_type,
          msg->sdp, &err)) {
    GST_WARNING_OBJECT (self, "session %s: %s", peer->session_id,
        err->message);
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
        send_end_session (self, msg->session_id, err->message);
        g_clear_error (&err);
        break;
      }
      if (msg->offer)
        /* the consumer offers (gstwebrtc-api's
         * createConsumerSessionWithOfferOptions): we answer it */
        start_answering_session (self, msg->session_id, msg->peer_id,
            msg->offer);
      else
        start_offering_session (self, msg->session_id, msg->peer_id);
      break;
    case RTC_MESSAGE_SESSION_STARTED:
      /* the session we asked for exists; the producer will offer */
      if (find_peer (self, msg->session_id))
        break;
      if (create_peer (self, msg->session_id, msg->peer_id))
        rtc_peer_session_start (find_peer (self, msg->session_id)->session,
            FALSE);
      break;
    case RTC_MESSAGE_PEER:
      handle_peer_message (self, msg);
      break;
    case RTC_MESSAGE_END_SESSION:
    case RTC_MESSAGE_END_SESSION_V1_1:
      gst_rtc_base_bin_end_session (self, msg->session_id,
          msg->error ? msg->error : "the remote peer ended the session",
          FALSE);
      break;
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
  post_element_message (self,
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
    post_element_message (self, gst_structure_new ("meshrtc-signalling-lost",
            "uri", G_TYPE_STRING, priv->uri, "error", G_TYPE_STRING,
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

static gboolean
start_signalling (gpointer data)
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

static gboolean
stop_signalling (gpointer data)
{
  GstRtcBaseBin *self = data;
  GstRtcBaseBinPrivate *priv = PRIV (self);

  end_all_sessions (self, "the element is shutting down", TRUE);
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
    rtc_track_get_keyframe_counts (g_ptr_array_index (priv->tracks, i), &r,
        &f);
    *requests += r;
    *forced += f;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ---- pads ---- */

/* A sink bin must post EOS itself: nothing inside it is a sink that sees
 * the stream end (the tee has no downstream once peers are gone). */
static GstPadProbeReturn
track_eos_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  GstRtcBaseBin *self = user_data;
  GstRtcBaseBinPrivate *priv = PRIV (self);
  gboolean all;

  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) != GST_EVENT_EOS)
    return GST_PAD_PROBE_OK;
  GST_OBJECT_LOCK (self);
  priv->tracks_eos++;
  all = priv->tracks_eos >= priv->tracks->len;
  GST_OBJECT_UNLOCK (self);
  if (all) {
    GST_INFO_OBJECT (self, "all inputs ended, posting EOS");
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_eos (GST_OBJECT (self)));
  }
  return GST_PAD_PROBE_OK;
}

static GstPad *
gst_rtc_base_bin_request_new_pad (GstElement * element, GstPadTemplate * templ,
    const gchar * name, const GstCaps * caps)
{
  GstRtcBaseBin *self = GST_RTC_BASE_BIN (element);
  GstRtcBaseBinPrivate *priv = PRIV (self);
  RtcMediaKind kind;
  RtcTrackConfig config;
  RtcTrack *track;
  GstPad *target, *ghost;
  gchar *pad_name;

  kind = g_str_has_prefix (templ->name_template, "video") ?
      RTC_MEDIA_VIDEO : RTC_MEDIA_AUDIO;

  GST_OBJECT_LOCK (self);
  if (name)
    pad_name = g_strdup (name);
  else
    pad_name = g_strdup_printf (kind == RTC_MEDIA_VIDEO ? "video_%u" :
        "audio_%u", kind == RTC_MEDIA_VIDEO ? priv->next_video++ :
        priv->next_audio++);
  config.video_codec = priv->video_codec;
  config.video_bitrate = priv->video_bitrate;
  config.audio_bitrate = priv->audio_bitrate;
  config.keyframe_interval_ms = priv->keyframe_interval;
  GST_OBJECT_UNLOCK (self);

  if (gst_element_get_static_pad (element, pad_name)) {
    GST_WARNING_OBJECT (self, "pad %s already exists", pad_name);
    g_free (pad_name);
    return NULL;
  }

  track = rtc_track_new (GST_BIN (self), priv->context, kind, pad_name,
      &config);
  target = rtc_track_get_sink_pad (track);
  gst_pad_add_probe (target, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      track_eos_probe, self, NULL);
  ghost = gst_ghost_pad_new_from_template (pad_name, target, templ);
  gst_object_unref (target);
  g_object_set_data (G_OBJECT (ghost), "rtc-track", track);
  g_free (pad_name);

  GST_OBJECT_LOCK (self);
  g_ptr_array_add (priv->tracks, track);
  /* with an input, the bin is where the pipeline's stream ends */
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
  GST_OBJECT_UNLOCK (self);

  gst_pad_set_active (ghost, TRUE);
  gst_element_add_pad (element, ghost);
  return ghost;
}

static void
gst_rtc_base_bin_release_pad (GstElement * element, GstPad * pad)
{
  GstRtcBaseBin *self = GST_RTC_BASE_BIN (element);
  RtcTrack *track = g_object_get_data (G_OBJECT (pad), "rtc-track");

  if (!track)
    return;
  GST_OBJECT_LOCK (self);
  g_ptr_array_remove (PRIV (self)->tracks, track);
  if (PRIV (self)->tracks->len == 0)
    GST_OBJECT_FLAG_UNSET (self, GST_ELEMENT_FLAG_SINK);
  GST_OBJECT_UNLOCK (self);
  gst_pad_set_active (pad, FALSE);
  gst_element_remove_pad (element, pad);
  rtc_track_free (track);
}

/* GstBin clears its SINK flag when its last sink child goes, and a
 * webrtcbin is a sink: after the last peer left, the pipeline would no
 * longer count us as a sink and would drop the EOS we post (Ctrl-C with
 * gst-launch -e then waits forever). With inputs, we stay a sink. */
static gboolean
gst_rtc_base_bin_remove_element (GstBin * bin, GstElement * element)
{
  GstRtcBaseBin *self = GST_RTC_BASE_BIN (bin);
  gboolean ret;

  ret = GST_BIN_CLASS (gst_rtc_base_bin_parent_class)->remove_element (bin,
      element);
  GST_OBJECT_LOCK (self);
  if (PRIV (self)->tracks->len > 0)
    GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
  /* likewise for SOURCE, which the pipeline needs to send us EOS */
  if (GST_RTC_BASE_BIN_GET_CLASS (self)->is_source)
    GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SOURCE);
  GST_OBJECT_UNLOCK (self);
  return ret;
}

/* The session whose webrtcbin @src is, or is inside; NULL otherwise. */
static gchar *
session_of_message_source (GstRtcBaseBin * self, GstObject * src)
{
  GstObject *obj = src ? gst_object_ref (src) : NULL;
  gchar *session_id = NULL;

  while (obj) {
    GstObject *parent = gst_object_get_parent (obj);

    if (parent == GST_OBJECT (self)) {
      gchar *name = gst_object_get_name (obj);

      if (g_str_has_prefix (name, RTC_PEER_SESSION_WEBRTCBIN_PREFIX))
        session_id = g_strdup (name +
            strlen (RTC_PEER_SESSION_WEBRTCBIN_PREFIX));
      g_free (name);
      gst_object_unref (parent);
      break;
    }
    gst_object_unref (obj);
    obj = parent;
  }
  gst_clear_object (&obj);
  return session_id;
}

/* One peer never takes down the others or the pipeline: an error inside a
 * peer's webrtcbin (e.g. sctpenc when a browser's data channel association
 * fails as it leaves, DTLS, ICE) ends that session instead of reaching the
 * application. */
static void
gst_rtc_base_bin_handle_message (GstBin * bin, GstMessage * message)
{
  GstRtcBaseBin *self = GST_RTC_BASE_BIN (bin);

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    gchar *session_id = session_of_message_source (self,
        GST_MESSAGE_SRC (message));

    if (session_id) {
      GError *err = NULL;
      gchar *reason;

      gst_message_parse_error (message, &err, NULL);
      reason = g_strdup_printf ("error in the peer connection: %s",
          err ? err->message : "unknown");
      GST_WARNING_OBJECT (self, "session %s: %s (from %s)", session_id,
          reason, GST_MESSAGE_SRC_NAME (message));
      end_session_later (self, session_id, reason);
      g_clear_error (&err);
      g_free (reason);
      g_free (session_id);
      gst_message_unref (message);
      return;
    }
  }
  GST_BIN_CLASS (gst_rtc_base_bin_parent_class)->handle_message (bin, message);
}

/* ---- state ---- */

static GstStateChangeReturn
gst_rtc_base_bin_change_state (GstElement * element, GstStateChange transition)
{
  GstRtcBaseBin *self = GST_RTC_BASE_BIN (element);
  GstRtcBaseBinPrivate *priv = PRIV (self);
  GstStateChangeReturn ret;
  GError *err = NULL;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      if (!rtc_signaller_check_uri (priv->uri, &err)) {
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            (_("Invalid signalling server URI.")), ("%s", err->message));
        g_error_free (err);
        return GST_STATE_CHANGE_FAILURE;
      }
      /* the types our threads use exist before they race to make them */
      meshrtc_ensure_types ();
      priv->thread = rtc_context_thread_new ("rtc-signalling", priv->context,
          context_thread_started, NULL, NULL);
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      GST_OBJECT_LOCK (self);
      priv->tracks_eos = 0;
      GST_OBJECT_UNLOCK (self);
      gst_rtc_base_bin_invoke (self, start_signalling, self, NULL);
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (gst_rtc_base_bin_parent_class)->change_state
      (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  /* We are live, like a network source: nothing arrives before a peer
   * does, so the pipeline must not wait in PAUSED for preroll (webrtcbin's
   * nicesink would block there holding the DTLS handshake). */
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED
      || transition == GST_STATE_CHANGE_PLAYING_TO_PAUSED)
    ret = GST_STATE_CHANGE_NO_PREROLL;

  switch (transition) {
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      gst_rtc_base_bin_invoke_sync (self, stop_signalling);
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:{
      guint i;

      /* cannot be lost, however early: see rtccontextthread.h */
      g_clear_pointer (&priv->thread, rtc_context_thread_stop);
      /* What is still queued (deferred session ends, branch removals)
       * holds references that would keep the element and its webrtcbins
       * alive: run it here, now that no thread owns the context. Bounded:
       * timers not yet due stay queued. */
      for (i = 0; i < 1000; i++)
        if (!g_main_context_iteration (priv->context, FALSE))
          break;
      break;
    }
    default:
      break;
  }
  return ret;
}

/* ---- properties ---- */

static void
gst_rtc_base_bin_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstRtcBaseBin *self = GST_RTC_BASE_BIN (object);
  GstRtcBaseBinPrivate *priv = PRIV (self);
  gboolean meta_changed = FALSE;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_URI:
      g_free (priv->uri);
      priv->uri = g_value_dup_string (value);
      break;
    case PROP_AUTH_TOKEN:
      g_free (priv->auth_token);
      priv->auth_token = g_value_dup_string (value);
      break;
    case PROP_PEER_NAME:
      g_free (priv->peer_name);
      priv->peer_name = g_value_dup_string (value);
      meta_changed = TRUE;
      break;
    case PROP_ROOM:
      g_free (priv->room);
      priv->room = g_value_dup_string (value);
      meta_changed = TRUE;
      break;
    case PROP_LATENCY:
      priv->latency = g_value_get_uint (value);
      break;
    case PROP_ICE_LOCAL_ADDRESSES:
      g_free (priv->ice_local_addresses);
      priv->ice_local_addresses = g_value_dup_string (value);
      break;
    case PROP_VIDEO_CODEC:
      priv->video_codec = g_value_get_enum (value);
      break;
    case PROP_VIDEO_BITRATE:
      priv->video_bitrate = g_value_get_uint (value);
      break;
    case PROP_AUDIO_BITRATE:
      priv->audio_bitrate = g_value_get_uint (value);
      break;
    case PROP_KEYFRAME_INTERVAL:{
      guint i;
      priv->keyframe_interval = g_value_get_uint (value);
      for (i = 0; i < priv->tracks->len; i++)
        rtc_track_set_keyframe_interval (g_ptr_array_index (priv->tracks, i),
            priv->keyframe_interval);
      break;
    }
    case PROP_DISCONNECT_TIMEOUT:
      priv->disconnect_timeout = g_value_get_uint (value);
      break;
    case PROP_CONNECT_TIMEOUT:
      priv->connect_timeout = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
  if (meta_changed)
    gst_rtc_base_bin_update_status (self);
}

static void
gst_rtc_base_bin_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstRtcBaseBin *self = GST_RTC_BASE_BIN (object);
  GstRtcBaseBinPrivate *priv = PRIV (self);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_URI:
      g_value_set_string (value, priv->uri);
      break;
    case PROP_PEER_ID:
      g_value_set_string (value, priv->peer_id);
      break;
    case PROP_PEER_NAME:
      g_value_set_string (value, priv->peer_name);
      break;
    case PROP_ROOM:
      g_value_set_string (value, priv->room);
      break;
    case PROP_LATENCY:
      g_value_set_uint (value, priv->latency);
      break;
    case PROP_ICE_LOCAL_ADDRESSES:
      g_value_set_string (value, priv->ice_local_addresses);
      break;
    case PROP_VIDEO_CODEC:
      g_value_set_enum (value, priv->video_codec);
      break;
    case PROP_VIDEO_BITRATE:
      g_value_set_uint (value, priv->video_bitrate);
      break;
    case PROP_AUDIO_BITRATE:
      g_value_set_uint (value, priv->audio_bitrate);
      break;
    case PROP_KEYFRAME_INTERVAL:
      g_value_set_uint (value, priv->keyframe_interval);
      break;
    case PROP_DISCONNECT_TIMEOUT:
      g_value_set_uint (value, priv->disconnect_timeout);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, priv->connect_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_rtc_base_bin_finalize (GObject * object)
{
  GstRtcBaseBinPrivate *priv = PRIV (object);

  g_free (priv->uri);
  g_free (priv->auth_token);
  g_free (priv->peer_name);
  g_free (priv->room);
  g_free (priv->peer_id);
  g_free (priv->ice_local_addresses);
  g_ptr_array_unref (priv->tracks);
  g_hash_table_unref (priv->peers);
  g_mutex_clear (&priv->peers_lock);
  g_main_context_unref (priv->context);
  G_OBJECT_CLASS (gst_rtc_base_bin_parent_class)->finalize (object);
}

static void
gst_rtc_base_bin_init (GstRtcBaseBin * self)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);

  priv->uri = g_strdup (DEFAULT_URI);
  priv->latency = DEFAULT_LATENCY;
  priv->video_codec = DEFAULT_VIDEO_CODEC;
  priv->video_bitrate = DEFAULT_VIDEO_BITRATE;
  priv->audio_bitrate = DEFAULT_AUDIO_BITRATE;
  priv->keyframe_interval = DEFAULT_KEYFRAME_INTERVAL;
  priv->disconnect_timeout = DEFAULT_DISCONNECT_TIMEOUT;
  priv->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
  priv->context = g_main_context_new ();
  priv->tracks = g_ptr_array_new ();
  priv->peers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) peer_free);
  g_mutex_init (&priv->peers_lock);
}

static void
gst_rtc_base_bin_class_init (GstRtcBaseBinClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBinClass *bin_class = GST_BIN_CLASS (klass);

  bin_class->remove_element =
      GST_DEBUG_FUNCPTR (gst_rtc_base_bin_remove_element);
  bin_class->handle_message =
      GST_DEBUG_FUNCPTR (gst_rtc_base_bin_handle_message);
  gobject_class->set_property = gst_rtc_base_bin_set_property;
  gobject_class->get_property = gst_rtc_base_bin_get_property;
  gobject_class->finalize = gst_rtc_base_bin_finalize;

  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_rtc_base_bin_change_state);
  element_class->request_new_pad =
      GST_DEBUG_FUNCPTR (gst_rtc_base_bin_request_new_pad);
  element_class->release_pad = GST_DEBUG_FUNCPTR (gst_rtc_base_bin_release_pad);

  gst_element_class_add_static_pad_template (element_class,
      &video_sink_template);
  gst_element_class_add_static_pad_template (element_class,
      &audio_sink_template);

  /**
   * GstRtcBaseBin:uri:
   *
   * Signalling server, `ws://host:port[/path]` or `wss://…`. Anything else
   * fails the NULL to READY state change.
   */
  g_object_class_install_property (gobject_class, PROP_URI,
      g_param_spec_string ("uri", "Signalling URI",
          "WebSocket URI of the signalling server (ws:// or wss://)",
          DEFAULT_URI, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_AUTH_TOKEN,
      g_param_spec_string ("auth-token", "Auth token",
          "Token presented to the signalling server as "
          "'Authorization: Bearer <token>' (write-only; never logged)",
          NULL, G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_PEER_ID,
      g_param_spec_string ("peer-id", "Peer id",
          "Our peer id, assigned by the signalling server (NULL while not "
          "registered)", NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_PEER_NAME,
      g_param_spec_string ("peer-name", "Peer name",
          "Name announced in our meta (\"name\"), by which consumers pick a "
          "producer; NULL uses the element name", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_ROOM,
      g_param_spec_string ("room", "Room",
          "Room announced in our meta (\"room\"); peers only see and reach "
          "peers of the same room (see docs/protocol.md)", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_LATENCY,
      g_param_spec_uint ("latency", "Latency",
          "Receive jitterbuffer size in ms (webrtcbin latency) for new "
          "sessions", 0, G_MAXUINT, DEFAULT_LATENCY,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_ICE_LOCAL_ADDRESSES,
      g_param_spec_string ("ice-local-addresses", "ICE local addresses",
          "Comma-separated IP addresses ICE gathers host candidates on, "
          "e.g. \"127.0.0.1\" or \"192.0.2.5,2001:db8::5\"; NULL lets libnice "
          "use every non-loopback interface", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_VIDEO_CODEC,
      g_param_spec_enum ("video-codec", "Video codec",
          "Codec raw video input is encoded to (encoded input passes "
          "through)", RTC_TYPE_VIDEO_CODEC, DEFAULT_VIDEO_CODEC,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_VIDEO_BITRATE,
      g_param_spec_uint ("video-bitrate", "Video bitrate",
          "Target bitrate of the video encoder in bit/s", 10000, 100000000,
          DEFAULT_VIDEO_BITRATE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_AUDIO_BITRATE,
      g_param_spec_uint ("audio-bitrate", "Audio bitrate",
          "Target bitrate of the Opus encoder in bit/s", 4000, 650000,
          DEFAULT_AUDIO_BITRATE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_KEYFRAME_INTERVAL,
      g_param_spec_uint ("keyframe-interval", "Keyframe request interval",
          "Minimum time in ms between keyframes forced on the shared encoder "
          "for peers' PLI/FIR, which are coalesced (deferred, not dropped); a "
          "newly connected peer's request waits at most 100 ms", 0,
          60000, DEFAULT_KEYFRAME_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_DISCONNECT_TIMEOUT,
      g_param_spec_uint ("disconnect-timeout", "Disconnect timeout",
          "Time in ms a peer connection may stay ICE-disconnected before "
          "its session is ended", 0, G_MAXUINT, DEFAULT_DISCONNECT_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_CONNECT_TIMEOUT,
      g_param_spec_uint ("connect-timeout", "Connect timeout",
          "Time in ms a new session may take to connect (offer/answer, ICE "
          "and DTLS) before it is ended; 0 waits forever", 0, G_MAXUINT,
          DEFAULT_CONNECT_TIMEOUT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  gst_type_mark_as_plugin_api (RTC_TYPE_VIDEO_CODEC, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RTC_BASE_BIN, 0);
}
