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
#include <gst/sdp/sdp.h>

#include "rtcpeersession-private.h"
#include "rtccontextthread.h"
#include "rtcnegotiation.h"
#include "rtcstats.h"
#include "rtcsdp.h"
#include "rtcicewebrtc.h"

GST_DEBUG_CATEGORY_STATIC (rtc_peer_session_debug);
#define GST_CAT_DEFAULT rtc_peer_session_debug

GstDebugCategory *
rtc_peer_session_debug_category (void)
{
  return rtc_peer_session_debug;
}

/* how often the cached statistics are refreshed (ms) */

enum
{
  SIGNAL_LOCAL_DESCRIPTION,
  SIGNAL_LOCAL_CANDIDATE,
  SIGNAL_CONNECTION_STATE,
  SIGNAL_FAILED,
  SIGNAL_REMOTE_PAD,
  LAST_SIGNAL
};

static guint signals[LAST_SIGNAL];

G_DEFINE_TYPE (RtcPeerSession, rtc_peer_session, G_TYPE_OBJECT);

void
rtc_peer_session_event_free (Event * ev)
{
  g_free (ev->str1);
  if (ev->desc)
    gst_webrtc_session_description_free (ev->desc);
  g_clear_error (&ev->error);
  if (ev->bytes)
    g_bytes_unref (ev->bytes);
  g_clear_object (&ev->obj);
  g_free (ev);
}

static void
pending_candidate_free (PendingCandidate * c)
{
  g_free (c->candidate);
  g_free (c);
}

const gchar *
rtc_peer_connection_state_name (GstWebRTCPeerConnectionState state)
{
  switch (state) {
    case GST_WEBRTC_PEER_CONNECTION_STATE_NEW:
      return "new";
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTING:
      return "connecting";
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED:
      return "connected";
    case GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED:
      return "disconnected";
    case GST_WEBRTC_PEER_CONNECTION_STATE_FAILED:
      return "failed";
    case GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED:
      return "closed";
  }
  return "unknown";
}

static void handle_event (RtcPeerSession * self, Event * ev);

static gboolean
drain_events (gpointer user_data)
{
  RtcPeerSession *self = user_data;
  Event *ev;

  g_object_ref (self);
  for (;;) {
    g_mutex_lock (&self->lock);
    ev = g_queue_pop_head (&self->events);
    if (!ev) {
      g_clear_pointer (&self->drain_source, g_source_unref);
      g_mutex_unlock (&self->lock);
      break;
    }
    g_mutex_unlock (&self->lock);
    if (!self->closed)
      handle_event (self, ev);
    rtc_peer_session_event_free (ev);
  }
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* Called from any thread with the lock: queues @ev for the owner's
 * context. One idle source drains the queue, so events keep their order. */
void
rtc_peer_session_post_event_locked (RtcPeerSession * self, Event * ev)
{
  /* after close() nothing is delivered, and no source may hold us */
  if (self->closed) {
    rtc_peer_session_event_free (ev);
    return;
  }
  g_queue_push_tail (&self->events, ev);
  if (!self->drain_source) {
    self->drain_source = g_idle_source_new ();
    g_source_set_priority (self->drain_source, G_PRIORITY_DEFAULT);
    g_source_set_callback (self->drain_source, drain_events,
        g_object_ref (self), g_object_unref);
    g_source_attach (self->drain_source, self->context);
  }
}

void
rtc_peer_session_post_event (RtcPeerSession * self, Event * ev)
{
  g_mutex_lock (&self->lock);
  if (ev->type == EV_LOCAL_CANDIDATE && self->pending_description
      && !self->closed)
    g_queue_push_tail (&self->held_candidates, ev);
  else
    rtc_peer_session_post_event_locked (self, ev);
  g_mutex_unlock (&self->lock);
}

void
rtc_peer_session_post_simple (RtcPeerSession * self, EventType type,
    const gchar * s1, guint num)
{
  Event *ev = g_new0 (Event, 1);

  ev->type = type;
  ev->str1 = g_strdup (s1);
  ev->num = num;
  rtc_peer_session_post_event (self, ev);
}

void
rtc_peer_session_post_error (RtcPeerSession * self, GError * error)
{
  Event *ev = g_new0 (Event, 1);

  ev->type = EV_ERROR;
  ev->error = error;
  rtc_peer_session_post_event (self, ev);
}

/* Checks a promise reply for the "error" field webrtcbin sets on failure. */
/* ---- owner context ---- */

static GstWebRTCKind
kind_of_caps (GstCaps * caps)
{
  const gchar *media = caps && !gst_caps_is_empty (caps) ?
      gst_structure_get_string (gst_caps_get_structure (caps, 0), "media") :
      NULL;

  if (g_strcmp0 (media, "video") == 0)
    return GST_WEBRTC_KIND_VIDEO;
  if (g_strcmp0 (media, "audio") == 0)
    return GST_WEBRTC_KIND_AUDIO;
  return GST_WEBRTC_KIND_UNKNOWN;
}


static guint
count_transceivers (RtcPeerSession * self)
{
  GArray *arr = NULL;
  guint n;

  g_signal_emit_by_name (self->webrtcbin, "get-transceivers", &arr);
  n = arr ? arr->len : 0;
  if (arr)
    g_array_unref (arr);
  return n;
}



/* Emits "failed" with @error, which it takes. */
static void
emit_failed (RtcPeerSession * self, GError * error)
{
  GST_WARNING ("session %s failed: %s", self->id, error->message);
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
  g_error_free (error);
}

static void
flush_pending_candidates (RtcPeerSession * self)
{
  PendingCandidate *c;

  while ((c = g_queue_pop_head (&self->pending_candidates))) {
    g_signal_emit_by_name (self->webrtcbin, "add-ice-candidate", c->mline,
        c->candidate);
    pending_candidate_free (c);
  }
}

/* set on the sink pads rtc_peer_session_request_sink_pad() made: their
 * caps are known before they arrive */
#define SEND_CAPS_KNOWN "rtc-send-caps-known"

static gboolean
sink_pad_lacks_caps (const GValue * item, GValue * ret, gpointer user_data)
{
  GstPad *pad = g_value_get_object (item);

  if (gst_pad_has_current_caps (pad)
      || g_object_get_data (G_OBJECT (pad), SEND_CAPS_KNOWN))
    return TRUE;
  g_value_set_boolean (ret, FALSE);
  return FALSE;
}

/* webrtcbin says negotiation is needed as soon as it runs, before any
 * track is linked; an offer made then has no media. Offer only once every
 * sink pad has caps (webrtcbin asks again when the last caps arrive). */
static gboolean
all_sink_pads_have_caps (RtcPeerSession * self)
{
  GstIterator *it = gst_element_iterate_sink_pads (self->webrtcbin);
  GValue ret = G_VALUE_INIT;
  gboolean ok;

  g_value_init (&ret, G_TYPE_BOOLEAN);
  g_value_set_boolean (&ret, TRUE);
  gst_iterator_fold (it, sink_pad_lacks_caps, &ret, NULL);
  gst_iterator_free (it);
  ok = g_value_get_boolean (&ret);
  g_value_unset (&ret);
  return ok;
}

static void on_negotiation_needed_event (RtcPeerSession * self);

/* Does what the negotiation state machine asked for, in this order. */
static void
perform (RtcPeerSession * self, RtcNegActions act)
{
  if (act & RTC_NEG_ACT_FLUSH_CANDIDATES)
    flush_pending_candidates (self);
  if (act & RTC_NEG_ACT_CREATE_OFFER) {
    GST_DEBUG ("session %s: creating offer for %u transceivers", self->id,
        self->neg.n_transceivers_offered);
    rtc_peer_session_emit (self, "create-offer", NULL,
        rtc_peer_session_on_offer_created);
  }
  if (act & RTC_NEG_ACT_CREATE_ANSWER)
    rtc_peer_session_emit (self, "create-answer", NULL,
        rtc_peer_session_on_answer_created);
  if (act & RTC_NEG_ACT_FAIL)
    emit_failed (self, g_error_new_literal (GST_STREAM_ERROR,
            self->neg.failure == RTC_NEG_FAILED_NOTHING_ACCEPTED ?
            GST_STREAM_ERROR_CODEC_NOT_FOUND : GST_STREAM_ERROR_DECODE,
            rtc_negotiation_failure_message (self->neg.failure)));
  else if (act & RTC_NEG_ACT_NEGOTIATE_AGAIN)
    on_negotiation_needed_event (self);
}

static void
on_negotiation_needed_event (RtcPeerSession * self)
{
  RtcNegEvent ev = { RTC_NEG_EV_NEGOTIATION_NEEDED, };

  ev.all_caps = all_sink_pads_have_caps (self);
  ev.n_transceivers = count_transceivers (self);
  GST_DEBUG ("session %s: negotiation needed in state %s (caps %s, %u "
      "transceivers)", self->id, rtc_negotiation_state_name (self->neg.state),
      ev.all_caps ? "all" : "missing", ev.n_transceivers);
  perform (self, rtc_negotiation_handle (&self->neg, &ev));
}

static gboolean
disconnect_timeout_cb (gpointer user_data)
{
  RtcPeerSession *self = user_data;

  g_clear_pointer (&self->disconnect_timer, g_source_unref);
  emit_failed (self, g_error_new (GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_READ,
          "peer connection stayed disconnected for %u ms",
          self->config.disconnect_timeout_ms));
  return G_SOURCE_REMOVE;
}

static GSource *
add_timeout (RtcPeerSession * self, guint ms, GSourceFunc func)
{
  GSource *src = g_timeout_source_new (ms);

  g_source_set_callback (src, func, self, NULL);
  g_source_attach (src, self->context);
  return src;
}

/* one get-stats asked for is done: wakes rtc_peer_session_fill_stats() */
static void
stats_done_locked (RtcPeerSession * self)
{
  self->stats_done++;
  g_cond_broadcast (&self->stats_cond);
}

static void
on_stats (RtcPeerSession * self, GstPromise * promise)
{
  const GstStructure *reply = NULL;

  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED)
    reply = gst_promise_get_reply (promise);
  g_mutex_lock (&self->lock);
  if (reply && !gst_structure_has_field (reply, "error")) {
    gst_clear_structure (&self->stats);
    self->stats = gst_structure_copy (reply);
  }
  stats_done_locked (self);
  g_mutex_unlock (&self->lock);
}

/* On the owner's context: webrtcbin is asked only while connected (before,
 * it has nothing to count; after close, nothing to ask). */
static gboolean
ask_stats (gpointer user_data)
{
  RtcPeerSession *self = user_data;

  if (!self->closed
      && self->state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
    rtc_peer_session_emit (self, "get-stats", NULL, on_stats);
  } else {
    g_mutex_lock (&self->lock);
    stats_done_locked (self);
    g_mutex_unlock (&self->lock);
  }
  return G_SOURCE_REMOVE;
}

static gboolean
connect_timeout_cb (gpointer user_data)
{
  RtcPeerSession *self = user_data;

  g_clear_pointer (&self->connect_timer, g_source_unref);
  emit_failed (self, g_error_new (GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_OPEN_READ_WRITE,
          "peer did not connect within %u ms",
          self->config.connect_timeout_ms));
  return G_SOURCE_REMOVE;
}

static void
on_state_event (RtcPeerSession * self, GstWebRTCPeerConnectionState state)
{
  if (state == self->state)
    return;
  GST_INFO ("session %s: connection %s -> %s", self->id,
      rtc_peer_connection_state_name (self->state),
      rtc_peer_connection_state_name (state));
  self->state = state;

  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED) {
    if (!self->disconnect_timer)
      self->disconnect_timer = add_timeout (self,
          self->config.disconnect_timeout_ms, disconnect_timeout_cb);
  } else {
    rtc_clear_source (&self->disconnect_timer);
  }
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
    rtc_clear_source (&self->connect_timer);

  g_signal_emit (self, signals[SIGNAL_CONNECTION_STATE], 0, state);

  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED)
    emit_failed (self, g_error_new_literal (GST_RESOURCE_ERROR,
            GST_RESOURCE_ERROR_OPEN_READ_WRITE,
            "ICE or DTLS failed: no working path to the peer"));
}

/* JSEP (RFC 8829 section 5.3.1): an m-line answered with port 0 is
 * rejected. Rejecting every m-line means the remote accepted nothing we
 * offered, typically a codec it does not support. */
static gboolean
answer_rejects_everything (GstWebRTCSessionDescription * desc)
{
  guint i, n = gst_sdp_message_medias_len (desc->sdp);

  for (i = 0; i < n; i++) {
    const GstSDPMedia *m = gst_sdp_message_get_media (desc->sdp, i);
    if (gst_sdp_media_get_port (m) != 0
        || gst_sdp_media_get_attribute_val (m, "bundle-only"))
      return FALSE;
  }
  return n > 0;
}

static void
handle_event (RtcPeerSession * self, Event * ev)
{
  switch (ev->type) {
    case EV_NEGOTIATION_NEEDED:
      on_negotiation_needed_event (self);
      break;
    case EV_LOCAL_DESCRIPTION:
      if (ev->desc->type == GST_WEBRTC_SDP_TYPE_ANSWER) {
        RtcNegEvent nev = { RTC_NEG_EV_LOCAL_ANSWER, };

        nev.n_transceivers = count_transceivers (self);
        perform (self, rtc_negotiation_handle (&self->neg, &nev));
      }
      g_signal_emit (self, signals[SIGNAL_LOCAL_DESCRIPTION], 0, ev->desc);
      break;
    case EV_LOCAL_CANDIDATE:
      g_signal_emit (self, signals[SIGNAL_LOCAL_CANDIDATE], 0, ev->num,
          ev->str1);
      break;
    case EV_STATE:
      on_state_event (self, ev->num);
      break;
    case EV_REMOTE_APPLIED:{
      RtcNegEvent nev = { RTC_NEG_EV_REMOTE_APPLIED, };

      if (self->neg.state == RTC_NEG_OFFERING) {
        GstWebRTCSessionDescription *remote = NULL;

        g_object_get (self->webrtcbin, "remote-description", &remote, NULL);
        nev.rejects_all = remote && answer_rejects_everything (remote);
        if (remote)
          gst_webrtc_session_description_free (remote);
      }
      perform (self, rtc_negotiation_handle (&self->neg, &nev));
      break;
    }
    case EV_ERROR:
      emit_failed (self, g_steal_pointer (&ev->error));
      break;
    case EV_DATA_CHANNEL:
    case EV_DATA_OPEN:
    case EV_DATA_MESSAGE:
      rtc_peer_session_handle_data_event (self, ev);
      break;
  }
}

/* ---- public API ---- */


RtcPeerSession *
rtc_peer_session_new (GstBin * bin, const gchar * session_id,
    const RtcPeerSessionConfig * config)
{
  RtcPeerSession *self;
  gchar *name;

  g_return_val_if_fail (GST_IS_BIN (bin), NULL);
  g_return_val_if_fail (session_id != NULL, NULL);

  self = g_object_new (RTC_TYPE_PEER_SESSION, NULL);
  self->id = g_strdup (session_id);
  self->bin = bin;
  self->context = g_main_context_ref_thread_default ();
  if (config) {
    self->config = *config;
    self->config.local_addresses = g_strdupv (config->local_addresses);
  }

  name = g_strconcat (RTC_PEER_SESSION_WEBRTCBIN_PREFIX, session_id, NULL);
  self->webrtcbin = gst_element_factory_make ("webrtcbin", name);
  g_free (name);
  if (!self->webrtcbin) {
    g_object_unref (self);
    return NULL;
  }
  gst_object_ref_sink (self->webrtcbin);
  g_object_set (self->webrtcbin, "bundle-policy",
      GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency", self->config.latency_ms,
      NULL);
  rtc_ice_webrtc_prepare_agent (self->webrtcbin,
      (const gchar * const *) self->config.local_addresses, self->id);

  rtc_peer_session_connect_webrtcbin (self);

  /* Adding it before anything else lets rtciceservers configure it from
   * deep-element-added, before gathering can start. */
  gst_bin_add (bin, self->webrtcbin);
  /* Running before anything links to it: a queue that pushes its first
   * caps into a pad that is still flushing stops for good, and webrtcbin
   * never learns the caps it needs to offer. */
  gst_element_sync_state_with_parent (self->webrtcbin);
  return self;
}

const gchar *
rtc_peer_session_get_id (RtcPeerSession * self)
{
  return self->id;
}

GstWebRTCPeerConnectionState
rtc_peer_session_get_state (RtcPeerSession * self)
{
  return self->state;
}

GstPad *
rtc_peer_session_request_sink_pad (RtcPeerSession * self, GstCaps * caps,
    gint mline, GstWebRTCRTPTransceiverDirection direction)
{
  GstPadTemplate *templ;
  GstPad *pad;
  gchar *name = NULL;

  templ = gst_element_get_pad_template (self->webrtcbin, "sink_%u");
  if (mline >= 0)
    name = g_strdup_printf ("sink_%d", mline);
  pad = gst_element_request_pad (self->webrtcbin, templ, name, caps);
  g_free (name);
  if (pad) {
    GstWebRTCRTPTransceiver *trans = NULL;

    /* the caller sends @caps and nothing else: the offer need not wait
     * for them to arrive (webrtcbin 1.22 asks for negotiation only once
     * every sink pad has received caps, which an encoder that is still
     * starting delays by tens of milliseconds) */
    g_object_set_data (G_OBJECT (pad), SEND_CAPS_KNOWN, GINT_TO_POINTER (1));

    /* A transceiver created from a remote offer only receives until we
     * give it something to send; one we create would also receive. */
    g_object_get (pad, "transceiver", &trans, NULL);
    if (trans) {
      g_object_set (trans, "direction", direction, NULL);
      rtc_peer_session_set_nack_for_kind (trans, kind_of_caps (caps));
      gst_object_unref (trans);
    }
  }
  return pad;
}

void
rtc_peer_session_add_recv_transceiver (RtcPeerSession * self, RtcMediaKind kind)
{
  GstWebRTCRTPTransceiver *trans = NULL;
  /* what we can receive and decode, from the codec table */
  GstCaps *caps = rtc_codecs_receive_caps (kind);

  g_signal_emit_by_name (self->webrtcbin, "add-transceiver",
      GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps, &trans);
  if (trans) {
    rtc_peer_session_set_nack_for_kind (trans, kind_of_caps (caps));
    gst_object_unref (trans);
  }
  gst_caps_unref (caps);
}

void
rtc_peer_session_start (RtcPeerSession * self, gboolean offerer)
{
  RtcNegEvent ev = { RTC_NEG_EV_START, offerer, };

  if (self->config.connect_timeout_ms && !self->connect_timer)
    self->connect_timer = add_timeout (self, self->config.connect_timeout_ms,
        connect_timeout_cb);
  gst_element_sync_state_with_parent (self->webrtcbin);
  if (offerer) {
    /* negotiation-needed may have fired while pads were being linked */
    ev.all_caps = all_sink_pads_have_caps (self);
    ev.n_transceivers = count_transceivers (self);
  }
  perform (self, rtc_negotiation_handle (&self->neg, &ev));
}

gboolean
rtc_peer_session_set_remote_description (RtcPeerSession * self,
    const GstWebRTCSessionDescription * desc, GError ** error)
{
  RtcNegEvent ev = { RTC_NEG_EV_REMOTE_OFFER, };
  RtcNegActions act;
  guint n_media;
  GstWebRTCSessionDescription *copy, *deferred;

  if (desc->type != GST_WEBRTC_SDP_TYPE_OFFER
      && desc->type != GST_WEBRTC_SDP_TYPE_ANSWER) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
        "unsupported SDP type '%s'",
        gst_webrtc_sdp_type_to_string (desc->type));
    return FALSE;
  }
  n_media = gst_sdp_message_medias_len (desc->sdp);
  if (n_media == 0 || n_media > RTC_PEER_SESSION_MAX_MEDIA) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
        "invalid SDP %s: %u media, not 1 to %d",
        gst_webrtc_sdp_type_to_string (desc->type), n_media,
        RTC_PEER_SESSION_MAX_MEDIA);
    return FALSE;
  }

  ev.type = desc->type == GST_WEBRTC_SDP_TYPE_OFFER ?
      RTC_NEG_EV_REMOTE_OFFER : RTC_NEG_EV_REMOTE_ANSWER;
  act = rtc_negotiation_handle (&self->neg, &ev);
  if (act & RTC_NEG_ACT_IGNORE) {
    /* Glare: both sides offered at once; ours stands (rtcnegotiation.h)
     * and the remote (a browser's perfect negotiation rolls back) answers
     * it. */
    GST_WARNING ("session %s: glare, ignoring the remote offer while ours "
        "is pending", self->id);
    return TRUE;
  }
  if (act & RTC_NEG_ACT_FAIL) {
    g_set_error_literal (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
        rtc_negotiation_failure_message (self->neg.failure));
    return FALSE;
  }
  g_mutex_lock (&self->lock);
  deferred = g_steal_pointer (&self->deferred_offer);
  g_mutex_unlock (&self->lock);
  if (deferred) {
    /* webrtcbin runs its operations in order: ours, then theirs */
    rtc_peer_session_emit (self, "set-local-description", deferred,
        rtc_peer_session_on_local_description_set);
    gst_webrtc_session_description_free (deferred);
  }
  copy = gst_webrtc_session_description_copy (desc);
  rtc_peer_session_emit (self, "set-remote-description", copy,
      rtc_peer_session_on_remote_description_set);
  gst_webrtc_session_description_free (copy);
  return TRUE;
}

gboolean
rtc_peer_session_add_ice_servers (RtcPeerSession * self,
    const gchar * stun_server, const gchar * const *turn_servers)
{
  gchar *current = NULL;
  gboolean deferred;
  guint refused = 0;

  g_mutex_lock (&self->lock);
  deferred = self->deferred_offer != NULL;
  g_mutex_unlock (&self->lock);
  if (!deferred) {
    GST_INFO ("session %s: ICE servers come too late, gathering started",
        self->id);
    return FALSE;
  }
  /* webrtcbin takes one STUN server: one set already (rtciceservers)
   * stays */
  g_object_get (self->webrtcbin, "stun-server", &current, NULL);
  if (!rtc_ice_webrtc_apply (self->webrtcbin, current ? NULL : stun_server,
          turn_servers, NULL, &refused))
    GST_WARNING ("session %s: webrtcbin refused TURN server %u of the "
        "remote's", self->id, refused);
  g_free (current);
  return TRUE;
}

void
rtc_peer_session_add_remote_candidate (RtcPeerSession * self,
    guint sdp_mline_index, const gchar * candidate)
{
  RtcNegEvent ev = { RTC_NEG_EV_REMOTE_CANDIDATE, };
  RtcNegActions act;

  /* An empty candidate is the end-of-candidates marker (RFC 8838 section
   * 4.2); webrtcbin 1.22 has no use for it. */
  if (!candidate || !*candidate)
    return;
  act = rtc_negotiation_handle (&self->neg, &ev);
  if (act & RTC_NEG_ACT_DROP_CANDIDATE) {
    /* a hostile remote must not grow us without bound */
    if (self->neg.n_remote_candidates ==
        RTC_NEGOTIATION_MAX_REMOTE_CANDIDATES + 1)
      GST_WARNING ("session %s: more than %d remote candidates, ignoring "
          "the rest", self->id, RTC_NEGOTIATION_MAX_REMOTE_CANDIDATES);
    return;
  }
  GST_LOG ("session %s: remote candidate %u '%s'%s", self->id,
      sdp_mline_index, candidate,
      act & RTC_NEG_ACT_QUEUE_CANDIDATE ? " (queued)" : "");
  if (act & RTC_NEG_ACT_QUEUE_CANDIDATE) {
    PendingCandidate *c = g_new0 (PendingCandidate, 1);
    c->mline = sdp_mline_index;
    c->candidate = g_strdup (candidate);
    g_queue_push_tail (&self->pending_candidates, c);
    return;
  }
  g_signal_emit_by_name (self->webrtcbin, "add-ice-candidate",
      sdp_mline_index, candidate);
}

guint
rtc_peer_session_request_stats (RtcPeerSession * self)
{
  guint ticket;

  g_mutex_lock (&self->lock);
  ticket = ++self->stats_asked;
  g_mutex_unlock (&self->lock);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, ask_stats,
      g_object_ref (self), g_object_unref);
  return ticket;
}

void
rtc_peer_session_fill_stats (RtcPeerSession * self, guint ticket,
    gint64 deadline, GstStructure * s)
{
  RtcStatsSummary sum;

  g_mutex_lock (&self->lock);
  /* done in the order asked: the owner's context and webrtcbin's task
   * queue both run first come, first served */
  while (self->stats_done < ticket
      && g_cond_wait_until (&self->stats_cond, &self->lock, deadline));
  rtc_stats_summarize (self->stats, &sum);
  g_mutex_unlock (&self->lock);

  gst_structure_set (s,
      "state", G_TYPE_STRING, rtc_peer_connection_state_name (self->state),
      NULL);
  rtc_stats_summary_fill (&sum, s);
}

static void
disconnect_pad (const GValue * item, gpointer user_data)
{
  g_signal_handlers_disconnect_by_data (g_value_get_object (item), user_data);
}

#define SRC_PAD_IDLE_WAIT_MS 2000

/* Waits (at most SRC_PAD_IDLE_WAIT_MS) until no streaming thread is in
 * the chain behind @ghost, a src pad of the webrtcbin: one is there while
 * it pushes a buffer downstream, holding the stream lock of the ghost
 * pad's internal pad, which deactivating the pad takes. */
static void
wait_src_pad_idle (const GValue * item, gpointer user_data)
{
  GstPad *ghost = g_value_get_object (item);
  GstPad *internal;
  guint i;

  if (!GST_IS_PROXY_PAD (ghost))
    return;
  internal = GST_PAD (gst_proxy_pad_get_internal (GST_PROXY_PAD (ghost)));
  if (!internal)
    return;
  for (i = 0; i < SRC_PAD_IDLE_WAIT_MS; i++) {
    if (GST_PAD_STREAM_TRYLOCK (internal)) {
      GST_PAD_STREAM_UNLOCK (internal);
      break;
    }
    g_usleep (1000);
  }
  gst_object_unref (internal);
}

void
rtc_peer_session_close (RtcPeerSession * self)
{
  GstIterator *it;

  if (self->closed)
    return;
  g_mutex_lock (&self->lock);
  self->closed = TRUE;
  /* the drain source holds a reference: a context nobody runs any more
   * would keep the session, and webrtcbin, alive */
  rtc_clear_source (&self->drain_source);
  g_queue_clear_full (&self->events,
      (GDestroyNotify) rtc_peer_session_event_free);
  g_queue_clear_full (&self->held_candidates,
      (GDestroyNotify) rtc_peer_session_event_free);
  g_clear_pointer (&self->pending_description, rtc_peer_session_event_free);
  g_clear_pointer (&self->deferred_offer, gst_webrtc_session_description_free);
  g_mutex_unlock (&self->lock);
  rtc_clear_source (&self->disconnect_timer);
  rtc_clear_source (&self->connect_timer);
  g_queue_clear_full (&self->pending_candidates,
      (GDestroyNotify) pending_candidate_free);
  rtc_peer_session_data_close (self);

  GST_DEBUG ("session %s: closing", self->id);
  g_signal_handlers_disconnect_by_data (self->webrtcbin, self);
  it = gst_element_iterate_sink_pads (self->webrtcbin);
  gst_iterator_foreach (it, disconnect_pad, self);
  gst_iterator_free (it);
  /* A sink downstream of one of its src pads may be prerolling its
   * first frame right now (it just got linked), waiting for the pipeline
   * to be PLAYING while holding that pad's stream lock. Taking webrtcbin
   * to NULL then waited for that lock, holding webrtcbin's state lock,
   * while the pipeline, going back to PLAYING, waited for that state lock
   * to send webrtcbin, one of its sinks, the latency: a deadlock, seen
   * under ASan on a loaded machine (libs/peersession). So first, holding
   * nothing, we let such a push finish. (Taking webrtcbin out of the bin
   * first instead unset its clock: RTCP arriving before NULL then failed
   * an assertion in rtpsession.) */
  it = gst_element_iterate_src_pads (self->webrtcbin);
  gst_iterator_foreach (it, wait_src_pad_idle, NULL);
  gst_iterator_free (it);
  gst_element_set_locked_state (self->webrtcbin, TRUE);
  gst_element_set_state (self->webrtcbin, GST_STATE_NULL);
  if (GST_OBJECT_PARENT (self->webrtcbin) == GST_OBJECT (self->bin))
    gst_bin_remove (self->bin, self->webrtcbin);
  /* webrtcbin has stopped: what it did not answer, it never will */
  rtc_peer_session_release_unanswered (self);
}

void
rtc_peer_session_prewarm_certificate (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    /* dtlsdec generates the process-wide RSA-2048 certificate on creation */
    GstElement *dec = gst_element_factory_make ("dtlsdec", NULL);

    if (dec)
      gst_object_unref (dec);
    g_once_init_leave (&once, 1);
  }
}

static void
rtc_peer_session_finalize (GObject * object)
{
  RtcPeerSession *self = RTC_PEER_SESSION (object);

  /* close() also drops the queued events and held candidates */
  rtc_peer_session_close (self);
  gst_clear_structure (&self->stats);
  g_cond_clear (&self->stats_cond);
  gst_clear_object (&self->webrtcbin);
  g_main_context_unref (self->context);
  g_strfreev (self->config.local_addresses);
  g_free (self->id);
  g_hash_table_unref (self->promises);
  g_hash_table_unref (self->channels);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (rtc_peer_session_parent_class)->finalize (object);
}

static void
rtc_peer_session_init (RtcPeerSession * self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->stats_cond);
  self->promises = g_hash_table_new (NULL, NULL);
  rtc_peer_session_data_init (self);
  g_queue_init (&self->events);
  g_queue_init (&self->held_candidates);
  g_queue_init (&self->pending_candidates);
  rtc_negotiation_init (&self->neg);
  self->config.latency_ms = RTC_PEER_SESSION_DEFAULT_LATENCY_MS;
  self->config.disconnect_timeout_ms =
      RTC_PEER_SESSION_DEFAULT_DISCONNECT_TIMEOUT_MS;
  self->config.connect_timeout_ms = RTC_PEER_SESSION_DEFAULT_CONNECT_TIMEOUT_MS;
}

static void
rtc_peer_session_class_init (RtcPeerSessionClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->finalize = rtc_peer_session_finalize;

  signals[SIGNAL_LOCAL_DESCRIPTION] =
      g_signal_new ("local-description", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      GST_TYPE_WEBRTC_SESSION_DESCRIPTION | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_LOCAL_CANDIDATE] =
      g_signal_new ("local-candidate", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT,
      G_TYPE_STRING);
  signals[SIGNAL_CONNECTION_STATE] =
      g_signal_new ("connection-state", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      GST_TYPE_WEBRTC_PEER_CONNECTION_STATE);
  signals[SIGNAL_FAILED] =
      g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
      NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_REMOTE_PAD] =
      g_signal_new ("remote-pad", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
      0, NULL, NULL, NULL, G_TYPE_NONE, 1, GST_TYPE_PAD);
  g_signal_new ("data-channel-open", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  g_signal_new ("data-message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
      0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_BYTES,
      G_TYPE_BOOLEAN);

  GST_DEBUG_CATEGORY_INIT (rtc_peer_session_debug, "rtcpeersession", 0,
      "gst-meshrtc peer session");
}
