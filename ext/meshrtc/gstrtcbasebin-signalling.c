/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GstRtcBaseBin's signalling: what its RtcSignallable reports (sessions
 * requested, started and ended, descriptions, candidates, producers,
 * registration and its loss), the peer's status and meta, and starting
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
#include "rtcsignaller.h"
#include "gstmeshrtcelements.h"
#include "rtccontextthread.h"

GST_DEBUG_CATEGORY_EXTERN (meshrtc_debug);
#define GST_CAT_DEFAULT meshrtc_debug

/* The remote's offer or answer for a session of ours. */
static void
on_session_description (RtcSignallable * signaller, const gchar * session_id,
    GstWebRTCSessionDescription * desc, GstRtcBaseBin * self)
{
  GstRtcPeer *peer = gst_rtc_base_bin_find_peer (self, session_id);
  GError *err = NULL;

  if (!peer) {
    GST_INFO_OBJECT (self, "ignoring a description for unknown session '%s'",
        session_id);
    return;
  }
  if (desc->type == GST_WEBRTC_SDP_TYPE_OFFER) {
    /* a first offer, or a renegotiation on an established session */
    gst_rtc_base_bin_when_remote_offer_ready (self, peer, desc);
    return;
  }
  if (!rtc_peer_session_set_remote_description (peer->session, desc, &err)) {
    GST_WARNING_OBJECT (self, "session %s: %s", peer->session_id, err->message);
    gst_rtc_base_bin_end_session (self, peer->session_id, err->message, TRUE);
    g_error_free (err);
  }
}

/* ICE servers the remote gave with its answer (WHIP/WHEP Link headers):
 * added to what rtciceservers set, before gathering starts. */
static void
on_session_ice_servers (RtcSignallable * signaller, const gchar * session_id,
    const gchar * stun_server, GStrv turn_servers, GstRtcBaseBin * self)
{
  GstRtcPeer *peer = gst_rtc_base_bin_find_peer (self, session_id);

  if (peer && rtc_peer_session_add_ice_servers (peer->session, stun_server,
          (const gchar * const *) turn_servers))
    GST_INFO_OBJECT (self, "session %s: %s STUN server, %u TURN servers "
        "from the remote", session_id, stun_server ? "a" : "no",
        turn_servers ? g_strv_length (turn_servers) : 0);
}

static void
on_handle_ice (RtcSignallable * signaller, const gchar * session_id,
    guint mline, const gchar * candidate, GstRtcBaseBin * self)
{
  GstRtcPeer *peer = gst_rtc_base_bin_find_peer (self, session_id);

  /* e.g. trickle still in flight for a session that just ended */
  if (peer)
    rtc_peer_session_add_remote_candidate (peer->session, mline, candidate);
  else
    GST_INFO_OBJECT (self, "ignoring a candidate for unknown session '%s'",
        session_id);
}

void
gst_rtc_base_bin_request_session (GstRtcBaseBin * self,
    const gchar * producer_id)
{
  GST_INFO_OBJECT (self, "asking for a session with %s", producer_id);
  if (PRIV (self)->signaller)
    rtc_signallable_request_session (PRIV (self)->signaller, producer_id);
}

/* A consumer wants our media: we offer, or answer its @offer. */
static void
on_session_requested (RtcSignallable * signaller, const gchar * session_id,
    const gchar * peer_id, GstWebRTCSessionDescription * offer,
    GstRtcBaseBin * self)
{
  GstRtcBaseBinClass *klass = GST_RTC_BASE_BIN_GET_CLASS (self);
  GError *err = NULL;

  if (klass->accept_session && !klass->accept_session (self, peer_id,
          session_id, &err)) {
    GST_INFO_OBJECT (self, "refusing session %s from %s: %s", session_id,
        peer_id, err->message);
    gst_rtc_base_bin_send_end_session (self, session_id, err->message);
    g_clear_error (&err);
    return;
  }
  if (offer)
    gst_rtc_base_bin_start_answering_session (self, session_id, peer_id, offer);
  else
    gst_rtc_base_bin_start_offering_session (self, session_id, peer_id);
}

/* The session we asked for exists; the producer will offer. */
static void
on_session_started (RtcSignallable * signaller, const gchar * session_id,
    const gchar * peer_id, GstRtcBaseBin * self)
{
  if (gst_rtc_base_bin_find_peer (self, session_id))
    return;
  if (gst_rtc_base_bin_create_peer (self, session_id, peer_id))
    rtc_peer_session_start (gst_rtc_base_bin_find_peer (self,
            session_id)->session, FALSE);
}

static void
on_session_ended (RtcSignallable * signaller, const gchar * session_id,
    const gchar * reason, GstRtcBaseBin * self)
{
  gst_rtc_base_bin_end_session (self, session_id, reason, FALSE);
}

static void
on_producer_added (RtcSignallable * signaller, const gchar * peer_id,
    const GstStructure * meta, GstRtcBaseBin * self)
{
  GstRtcBaseBinClass *klass = GST_RTC_BASE_BIN_GET_CLASS (self);

  GST_OBJECT_LOCK (self);
  g_hash_table_replace (PRIV (self)->producers, g_strdup (peer_id),
      meta ? gst_structure_copy (meta) : gst_structure_new_empty ("meta"));
  GST_OBJECT_UNLOCK (self);
  if (klass->producer_added)
    klass->producer_added (self, peer_id, meta);
}

static void
on_producer_removed (RtcSignallable * signaller, const gchar * peer_id,
    GstRtcBaseBin * self)
{
  GST_OBJECT_LOCK (self);
  g_hash_table_remove (PRIV (self)->producers, peer_id);
  GST_OBJECT_UNLOCK (self);
}

gchar *
gst_rtc_base_bin_dup_producer_name (GstRtcBaseBin * self, const gchar * peer_id)
{
  GstStructure *meta;
  gchar *name = NULL;

  GST_OBJECT_LOCK (self);
  meta = g_hash_table_lookup (PRIV (self)->producers, peer_id);
  if (meta)
    name = g_strdup (gst_structure_get_string (meta, "name"));
  GST_OBJECT_UNLOCK (self);
  return name;
}

void
gst_rtc_base_bin_reconsider_producers (GstRtcBaseBin * self)
{
  GstRtcBaseBinClass *klass = GST_RTC_BASE_BIN_GET_CLASS (self);
  GHashTable *producers = PRIV (self)->producers;
  GList *ids, *l;

  /* a snapshot: the subclass may end or start sessions meanwhile */
  ids = g_hash_table_get_keys (producers);
  for (l = ids; l && klass->producer_added; l = l->next) {
    gchar *id = g_strdup (l->data);
    GstStructure *meta = g_hash_table_lookup (producers, id);

    if (meta) {
      meta = gst_structure_copy (meta);
      klass->producer_added (self, id, meta);
      gst_structure_free (meta);
    }
    g_free (id);
  }
  g_list_free (ids);
}

static void
on_signalling_error (RtcSignallable * signaller, const gchar * message,
    GstRtcBaseBin * self)
{
  GstRtcBaseBinClass *klass = GST_RTC_BASE_BIN_GET_CLASS (self);

  if (klass->signalling_error)
    klass->signalling_error (self, message);
}

static void
on_signaller_connected (RtcSignallable * signaller, const gchar * peer_id,
    gboolean resumed, GstRtcBaseBin * self)
{
  GstRtcBaseBinClass *klass = GST_RTC_BASE_BIN_GET_CLASS (self);
  GstRtcBaseBinPrivate *priv = PRIV (self);

  /* The signaller asks for our old id back. Resumed within the service's
   * grace period, it kept our sessions: they are still reachable through
   * signalling and stay as they are. Otherwise (a new id, or only the id
   * back from a restarted server) a new generation starts: older sessions
   * keep their media but can no longer be ended through the server, and a
   * new session replaces them (end_stale_sessions). */
  GST_OBJECT_LOCK (self);
  g_free (priv->peer_id);
  priv->peer_id = g_strdup (peer_id);
  /* the signaller announces every producer again */
  g_hash_table_remove_all (priv->producers);
  GST_OBJECT_UNLOCK (self);
  priv->warned_unreachable = FALSE;
  if (!resumed)
    priv->generation++;
  g_object_notify (G_OBJECT (self), "peer-id");
  gst_rtc_base_bin_post_element_message (self,
      gst_structure_new ("meshrtc-signalling-connected", "peer-id",
          G_TYPE_STRING, peer_id, "uri", G_TYPE_STRING, priv->target,
          "resumed", G_TYPE_BOOLEAN, resumed, NULL));
  if (klass->connected)
    klass->connected (self, peer_id);
}

static void
on_signaller_disconnected (RtcSignallable * signaller, const GError * error,
    gboolean was_registered, GstRtcBaseBin * self)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);

  /* Established sessions keep their media: only signalling is gone. The
   * signaller retries with capped exponential backoff. */
  if (was_registered)
    gst_rtc_base_bin_post_element_message (self,
        gst_structure_new ("meshrtc-signalling-lost", "uri", G_TYPE_STRING,
            priv->target, "error", G_TYPE_STRING,
            error ? error->message : "closed", NULL));
  if (!priv->warned_unreachable) {
    priv->warned_unreachable = TRUE;
    /* the target is a ws(s):// server or an http(s):// WHIP/WHEP endpoint */
    if (priv->target && g_str_has_prefix (priv->target, "http"))
      GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ_WRITE,
          (_("Could not reach the WHIP or WHEP endpoint, retrying.")),
          ("%s: %s", priv->target, error ? error->message : "closed"));
    else
      GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ_WRITE,
          (_("Could not connect to the signalling server, retrying.")),
          ("%s: %s", priv->target, error ? error->message : "closed"));
  }
}

static GstStructure *
build_meta (GstRtcBaseBin * self)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  GstStructure *meta = gst_structure_new_empty ("meta");

  GST_OBJECT_LOCK (self);
  gst_structure_set (meta, "name", G_TYPE_STRING,
      priv->peer_name ? priv->peer_name : GST_OBJECT_NAME (self), NULL);
  if (priv->room)
    gst_structure_set (meta, "room", G_TYPE_STRING, priv->room, NULL);
  GST_OBJECT_UNLOCK (self);
  return meta;
}

static gboolean
update_status_cb (gpointer data)
{
  GstRtcBaseBin *self = data;
  GstRtcBaseBinClass *klass = GST_RTC_BASE_BIN_GET_CLASS (self);
  GstStructure *meta;

  if (!PRIV (self)->signaller)
    return G_SOURCE_REMOVE;
  meta = build_meta (self);
  rtc_signallable_set_status (PRIV (self)->signaller, klass->get_roles (self),
      meta);
  gst_structure_free (meta);
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

  g_clear_pointer (&priv->target, g_free);
  priv->signaller = GST_RTC_BASE_BIN_GET_CLASS (self)->create_signaller (self,
      &priv->target);
  g_signal_connect (priv->signaller, "connected",
      G_CALLBACK (on_signaller_connected), self);
  g_signal_connect (priv->signaller, "disconnected",
      G_CALLBACK (on_signaller_disconnected), self);
  g_signal_connect (priv->signaller, "session-requested",
      G_CALLBACK (on_session_requested), self);
  g_signal_connect (priv->signaller, "session-started",
      G_CALLBACK (on_session_started), self);
  g_signal_connect (priv->signaller, "session-ended",
      G_CALLBACK (on_session_ended), self);
  g_signal_connect (priv->signaller, "session-description",
      G_CALLBACK (on_session_description), self);
  g_signal_connect (priv->signaller, "session-ice-servers",
      G_CALLBACK (on_session_ice_servers), self);
  g_signal_connect (priv->signaller, "handle-ice",
      G_CALLBACK (on_handle_ice), self);
  g_signal_connect (priv->signaller, "producer-added",
      G_CALLBACK (on_producer_added), self);
  g_signal_connect (priv->signaller, "producer-removed",
      G_CALLBACK (on_producer_removed), self);
  g_signal_connect (priv->signaller, "error",
      G_CALLBACK (on_signalling_error), self);
  update_status_cb (self);
  priv->warned_unreachable = FALSE;
  rtc_signallable_start (priv->signaller);
  return G_SOURCE_REMOVE;
}

gboolean
gst_rtc_base_bin_default_check_signalling (GstRtcBaseBin * self,
    GError ** error)
{
  return rtc_signaller_check_uri (PRIV (self)->uri, error);
}

RtcSignallable *
gst_rtc_base_bin_default_create_signaller (GstRtcBaseBin * self,
    gchar ** target)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  RtcSignaller *signaller;

  GST_OBJECT_LOCK (self);
  signaller = rtc_signaller_new (priv->uri, priv->auth_token);
  *target = g_strdup (priv->uri);
  GST_OBJECT_UNLOCK (self);
  return RTC_SIGNALLABLE (signaller);
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
    rtc_signallable_stop (priv->signaller);
    g_clear_object (&priv->signaller);
  }
  GST_OBJECT_LOCK (self);
  g_hash_table_remove_all (priv->producers);
  g_clear_pointer (&priv->peer_id, g_free);
  GST_OBJECT_UNLOCK (self);
  return G_SOURCE_REMOVE;
}

const gchar *
gst_rtc_base_bin_get_peer_id (GstRtcBaseBin * self)
{
  return PRIV (self)->signaller ?
      rtc_signallable_get_peer_id (PRIV (self)->signaller) : NULL;
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

/* how long reading the statistics waits for webrtcbin's answers, in all */
#define STATS_WAIT_MS 1000

typedef struct
{
  RtcPeerSession *session;
  gchar *session_id;
  gchar *remote_id;
  guint ticket;
} StatsEntry;

static void
stats_entry_clear (StatsEntry * e)
{
  g_object_unref (e->session);
  g_free (e->session_id);
  g_free (e->remote_id);
}

GstStructure *
gst_rtc_base_bin_collect_stats (GstRtcBaseBin * self, const gchar * name)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  GstStructure *stats = gst_structure_new_empty (name);
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (StatsEntry));
  GHashTableIter iter;
  GstRtcPeer *peer;
  gint64 deadline;
  guint i;

  g_array_set_clear_func (entries, (GDestroyNotify) stats_entry_clear);
  /* asked for all at once, waited for without the lock: a session's
   * webrtcbin answers on its own thread */
  g_mutex_lock (&priv->peers_lock);
  g_hash_table_iter_init (&iter, priv->peers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & peer)) {
    StatsEntry e = { g_object_ref (peer->session),
      g_strdup (peer->session_id), g_strdup (peer->remote_id), 0
    };

    e.ticket = rtc_peer_session_request_stats (e.session);
    g_array_append_val (entries, e);
  }
  g_mutex_unlock (&priv->peers_lock);

  deadline = g_get_monotonic_time () + STATS_WAIT_MS * G_TIME_SPAN_MILLISECOND;
  for (i = 0; i < entries->len; i++) {
    StatsEntry *e = &g_array_index (entries, StatsEntry, i);
    GstStructure *s = gst_structure_new ("peer", "peer-id", G_TYPE_STRING,
        e->remote_id, NULL);

    rtc_peer_session_fill_stats (e->session, e->ticket, deadline, s);
    gst_structure_set (stats, e->session_id, GST_TYPE_STRUCTURE, s, NULL);
    gst_structure_free (s);
  }
  g_array_unref (entries);
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
