/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * RtcPeerSession, webrtcbin's side: the callbacks webrtcbin calls on its
 * own threads, which only post events to the owner's context, and the
 * promises given to webrtcbin. See rtcpeersession.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "rtcpeersession-private.h"
#include "rtcsdp.h"

#define GST_CAT_DEFAULT (rtc_peer_session_debug_category ())

gboolean
rtc_peer_session_promise_ok (GstPromise * promise, const gchar * what,
    GError ** error)
{
  const GstStructure *reply;
  GError *err = NULL;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
        "%s: webrtcbin did not reply", what);
    return FALSE;
  }
  reply = gst_promise_get_reply (promise);
  if (reply && gst_structure_has_field (reply, "error")) {
    gst_structure_get (reply, "error", G_TYPE_ERROR, &err, NULL);
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
        "%s failed: %s", what, err ? err->message : "unknown error");
    g_clear_error (&err);
    return FALSE;
  }
  return TRUE;
}

/* ---- promises ---- */

typedef struct
{
  GWeakRef session;
  SessionPromiseFunc func;
} PromiseTarget;

static void
promise_target_free (gpointer data)
{
  PromiseTarget *target = data;

  g_weak_ref_clear (&target->session);
  g_free (target);
}

static void
promise_changed (GstPromise * promise, gpointer user_data)
{
  PromiseTarget *target = user_data;
  RtcPeerSession *self = g_weak_ref_get (&target->session);
  gboolean ours;

  if (!self)
    return;
  /* answered: our reference goes (webrtcbin's, the replier's, remains
   * until the reply returns) */
  g_mutex_lock (&self->lock);
  ours = g_hash_table_steal (self->promises, promise);
  g_mutex_unlock (&self->lock);
  target->func (self, promise);
  if (ours)
    gst_promise_unref (promise);
  g_object_unref (self);
}

/* Emits webrtcbin's action @signal (@arg, then a promise) and has @func
 * called with the reply.
 *
 * webrtcbin 1.22 frees the tasks still queued when it stops without
 * answering their promises, so a promise may never call back; freeing a
 * pending promise is a GLib warning ("gst_promise_free: runtime check
 * failed"). The session keeps a reference to each promise until it is
 * answered, and rtc_peer_session_close() interrupts (and releases) those
 * that never will be once webrtcbin has stopped. A promise holds only a
 * weak reference to the session: a dropped promise must not keep the
 * session, its webrtcbin and libnice's thread alive (a libnice thread
 * still running at exit touches state that the TLS library's destructor
 * freed). */
void
rtc_peer_session_emit (RtcPeerSession * self, const gchar * signal,
    gpointer arg, SessionPromiseFunc func)
{
  PromiseTarget *target = g_new0 (PromiseTarget, 1);
  GstPromise *promise;

  g_weak_ref_init (&target->session, self);
  target->func = func;
  promise = gst_promise_new_with_change_func (promise_changed, target,
      promise_target_free);
  /* a reference in the table until answered or interrupted, apart from
   * the one held across the emission (webrtcbin may answer within it) */
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->promises, gst_promise_ref (promise), target);
  g_mutex_unlock (&self->lock);
  g_signal_emit_by_name (self->webrtcbin, signal, arg, promise);
  gst_promise_unref (promise);
}

/* Interrupts and releases the promises webrtcbin dropped unanswered,
 * without calling back into the session. */
void
rtc_peer_session_release_unanswered (RtcPeerSession * self)
{
  GHashTableIter iter;
  GstPromise *promise;
  PromiseTarget *target;
  GPtrArray *left = g_ptr_array_new ();
  guint i;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->promises);
  while (g_hash_table_iter_next (&iter, (gpointer *) & promise,
          (gpointer *) & target)) {
    g_weak_ref_set (&target->session, NULL);
    g_ptr_array_add (left, promise);
    g_hash_table_iter_steal (&iter);
  }
  g_mutex_unlock (&self->lock);
  for (i = 0; i < left->len; i++) {
    promise = g_ptr_array_index (left, i);
    gst_promise_interrupt (promise);
    gst_promise_unref (promise);
  }
  if (left->len > 0)
    GST_DEBUG ("session %s: %u requests webrtcbin left unanswered", self->id,
        left->len);
  g_ptr_array_unref (left);
}

/* ---- webrtcbin callbacks (webrtcbin threads) ---- */

void
rtc_peer_session_on_local_description_set (RtcPeerSession * self,
    GstPromise * promise)
{
  GError *err = NULL;
  gboolean ok =
      rtc_peer_session_promise_ok (promise, "setting the local description",
      &err);
  Event *ev;

  /* webrtcbin has it: now the remote may see it, then our candidates */
  g_mutex_lock (&self->lock);
  ev = self->pending_description;
  self->pending_description = NULL;
  if (ok && ev)
    rtc_peer_session_post_event_locked (self, ev);
  else if (ev)
    rtc_peer_session_event_free (ev);
  while ((ev = g_queue_pop_head (&self->held_candidates)))
    rtc_peer_session_post_event_locked (self, ev);
  g_mutex_unlock (&self->lock);
  if (!ok)
    rtc_peer_session_post_error (self, err);
}

/* Fixes what webrtcbin 1.22 gets wrong in an answer before it applies
 * it (rtc_sdp_fix_answer()), from the offer being answered and the
 * descriptions in use. */
static void
fix_answer (RtcPeerSession * self, GstWebRTCSessionDescription * answer)
{
  GstWebRTCSessionDescription *offer = NULL, *local = NULL, *remote = NULL;
  const gchar *role = NULL;

  g_object_get (self->webrtcbin, "pending-remote-description", &offer,
      "current-local-description", &local, "current-remote-description",
      &remote, NULL);
  if (local && remote)
    role = rtc_sdp_dtls_role (local->sdp, remote->sdp);
  rtc_sdp_fix_answer (answer->sdp, offer ? offer->sdp : NULL, role);
  if (offer)
    gst_webrtc_session_description_free (offer);
  if (local)
    gst_webrtc_session_description_free (local);
  if (remote)
    gst_webrtc_session_description_free (remote);
}

static void
apply_local_description (RtcPeerSession * self, GstPromise * promise,
    const gchar * field, const gchar * what)
{
  GstWebRTCSessionDescription *desc = NULL;
  GError *err = NULL;
  Event *ev;

  if (!rtc_peer_session_promise_ok (promise, what, &err)) {
    rtc_peer_session_post_error (self, err);
    return;
  }
  gst_structure_get (gst_promise_get_reply (promise), field,
      GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
  if (!desc) {
    rtc_peer_session_post_error (self, g_error_new (GST_STREAM_ERROR,
            GST_STREAM_ERROR_FAILED, "%s gave no description", what));
    return;
  }
  if (desc->type == GST_WEBRTC_SDP_TYPE_ANSWER)
    fix_answer (self, desc);
  ev = g_new0 (Event, 1);
  ev->type = EV_LOCAL_DESCRIPTION;
  ev->desc = gst_webrtc_session_description_copy (desc);
  g_mutex_lock (&self->lock);
  /* closed meanwhile (this runs on webrtcbin's thread): close() has freed
   * what it holds, and a stopping webrtcbin would not answer */
  if (self->closed) {
    g_mutex_unlock (&self->lock);
    rtc_peer_session_event_free (ev);
    gst_webrtc_session_description_free (desc);
    return;
  }
  if (desc->type == GST_WEBRTC_SDP_TYPE_OFFER
      && self->config.defer_local_offer && !self->offer_deferred) {
    /* out now; webrtcbin gets it with the answer (set_remote_description) */
    self->offer_deferred = TRUE;
    self->deferred_offer = desc;
    rtc_peer_session_post_event_locked (self, ev);
    g_mutex_unlock (&self->lock);
    return;
  }
  if (self->pending_description)
    rtc_peer_session_event_free (self->pending_description);
  self->pending_description = ev;
  g_mutex_unlock (&self->lock);
  rtc_peer_session_emit (self, "set-local-description", desc,
      rtc_peer_session_on_local_description_set);
  gst_webrtc_session_description_free (desc);
}

void
rtc_peer_session_on_offer_created (RtcPeerSession * self, GstPromise * promise)
{
  apply_local_description (self, promise, "offer", "creating the offer");
}

void
rtc_peer_session_on_answer_created (RtcPeerSession * self, GstPromise * promise)
{
  apply_local_description (self, promise, "answer", "creating the answer");
}

void
rtc_peer_session_on_remote_description_set (RtcPeerSession * self,
    GstPromise * promise)
{
  GError *err = NULL;

  if (rtc_peer_session_promise_ok (promise, "setting the remote description",
          &err))
    rtc_peer_session_post_simple (self, EV_REMOTE_APPLIED, NULL, 0);
  else
    rtc_peer_session_post_error (self, err);
}

static void
on_negotiation_needed (GstElement * webrtcbin, gpointer user_data)
{
  rtc_peer_session_post_simple (user_data, EV_NEGOTIATION_NEEDED, NULL, 0);
}

static void
on_ice_candidate (GstElement * webrtcbin, guint mline, gchar * candidate,
    gpointer user_data)
{
  rtc_peer_session_post_simple (user_data, EV_LOCAL_CANDIDATE, candidate,
      mline);
}

/* webrtcbin 1.22 signals no end of its candidates: the gathering state
 * tells it, and the owner gets the RFC 8838 end-of-candidates marker (an
 * empty candidate). A WHIP/WHEP server waits for it to answer. */
static void
on_gathering_state (GObject * webrtcbin, GParamSpec * pspec, gpointer user_data)
{
  GstWebRTCICEGatheringState state;

  g_object_get (webrtcbin, "ice-gathering-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    rtc_peer_session_post_simple (user_data, EV_LOCAL_CANDIDATE, "", 0);
}

static void
on_connection_state (GObject * webrtcbin, GParamSpec * pspec,
    gpointer user_data)
{
  GstWebRTCPeerConnectionState state;

  g_object_get (webrtcbin, "connection-state", &state, NULL);
  rtc_peer_session_post_simple (user_data, EV_STATE, NULL, state);
}

/* webrtcbin 1.22 leaves NACK off and strips rtcp-fb nack from answers
 * unless do-nack is set (RFC 4585 section 6.2.1 feedback). Video only:
 * with do-nack an audio m-line gets an RTX stream (a=ssrc-group:FID), and
 * Chromium refuses the whole offer ("Failed to add remote stream ssrc");
 * browsers negotiate NACK for video only. */
void
rtc_peer_session_set_nack_for_kind (GstWebRTCRTPTransceiver * trans,
    GstWebRTCKind kind)
{
  if (kind != GST_WEBRTC_KIND_UNKNOWN)
    g_object_set (trans, "do-nack", kind == GST_WEBRTC_KIND_VIDEO, NULL);
}

static void
on_new_transceiver (GstElement * webrtcbin, GstWebRTCRTPTransceiver * trans,
    gpointer user_data)
{
  GstWebRTCKind kind = GST_WEBRTC_KIND_UNKNOWN;

  g_object_get (trans, "kind", &kind, NULL);
  rtc_peer_session_set_nack_for_kind (trans, kind);
}

static void
on_pad_added (GstElement * webrtcbin, GstPad * pad, gpointer user_data)
{
  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  g_signal_emit_by_name (user_data, "remote-pad", pad);
}

/* Connects the callbacks above to the session's webrtcbin (signals held
 * by the webrtcbin, disconnected with the session object). */
void
rtc_peer_session_connect_webrtcbin (RtcPeerSession * self)
{
  g_signal_connect_object (self->webrtcbin, "on-negotiation-needed",
      G_CALLBACK (on_negotiation_needed), self, 0);
  g_signal_connect_object (self->webrtcbin, "on-ice-candidate",
      G_CALLBACK (on_ice_candidate), self, 0);
  g_signal_connect_object (self->webrtcbin, "notify::connection-state",
      G_CALLBACK (on_connection_state), self, 0);
  g_signal_connect_object (self->webrtcbin, "notify::ice-gathering-state",
      G_CALLBACK (on_gathering_state), self, 0);
  g_signal_connect_object (self->webrtcbin, "on-new-transceiver",
      G_CALLBACK (on_new_transceiver), self, 0);
  g_signal_connect_object (self->webrtcbin, "pad-added",
      G_CALLBACK (on_pad_added), self, 0);
  g_signal_connect_object (self->webrtcbin, "on-data-channel",
      G_CALLBACK (rtc_peer_session_on_data_channel), self, 0);
}
