/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
/**
 * SECTION:element-rtcsignalbin
 * @title: rtcsignalbin
 *
 * One webrtcbin plus a WebSocket signalling client speaking gst-plugins-rs'
 * signalling protocol (see docs/protocol.md). It does offer/answer and
 * trickle ICE by itself, reconnects to the server with capped exponential
 * backoff while established media keeps flowing, accepts the next session
 * when a remote peer goes away, and exposes remote tracks as pads.
 *
 * Three ways to find the remote peer:
 * - `room=NAME`: the rtcsignalbins in the same room form a mesh, each
 *   talking to every other at once (one bidirectional session per pair,
 *   asked for by the member whose id sorts lower; up to 16 others); with
 *   #GstRtcSignalBin:mix they are composed into one video and one audio
 *   output, which makes a call one line per machine;
 * - `producer-peer-id=ID` or `producer-name=NAME`: consume a producer (any
 *   gst-plugins-rs producer such as webrtcsink, rtcmeshfanout, or another
 *   rtcsignalbin);
 * - neither: be a producer, offering our tracks to one consumer at a time;
 * - neither, no sink pads and #GstRtcBaseBin:run-signalling-server: an
 *   ingest, playing every producer of its own server (WHIP publishers such
 *   as OBS, browsers or `whip-endpoint=`), up to 16 at once.
 *
 * Request sink pads `video_%u` and `audio_%u` take raw video/audio, encoded
 * inside the bin (H264 constrained baseline or VP8, Opus), or H264/VP8/Opus
 * that is passed through. Sometimes src pads `video_src_%u` and
 * `audio_src_%u` carry what the remote sends, decoded unless
 * #GstRtcSignalBin:decode is %FALSE. (A GStreamer element cannot have a
 * sink and a src template of the same name, hence the `_src` infix.)
 * A src pad stays in place across sessions; the next session's media flows
 * out of the same pad. An ingest's or a room member's further sessions at
 * the same time come out of `video_src_N`/`audio_src_N` pads of their own
 * (N from 1), removed when their session ends. A src pad nobody linked
 * drops its media.
 *
 * ## Element messages
 * - `meshrtc-signalling-connected`: registered; fields `peer-id`, `uri`,
 *   `resumed` (boolean: the server resumed us with our sessions)
 * - `meshrtc-signalling-lost`: the server went away; `uri`, `error`
 * - `meshrtc-peer-added`: a session was created; `session-id`, `peer-id`
 * - `meshrtc-peer-connected`: ICE and DTLS are up; `session-id`, `peer-id`,
 *   `setup-time` (GstClockTime from session creation)
 * - `meshrtc-peer-removed`: the session ended; `session-id`, `peer-id`,
 *   `reason`
 *
 * An unreachable server is a warning (posted once per outage) and retries,
 * not an error. An invalid #GstRtcBaseBin:uri fails the state change.
 *
 * ## Example launch lines
 * |[
 * gst-meshrtc-signalling-server &
 * gst-launch-1.0 videotestsrc is-live=true ! rtcsignalbin room=demo
 * gst-launch-1.0 rtcsignalbin room=demo ! videoconvert ! autovideosink
 * ]|
 * |[
 * gst-launch-1.0 rtcsignalbin producer-name=cam ! videoconvert ! autovideosink
 * ]|
 * A call, the same line on every machine:
 * |[
 * gst-launch-1.0 -e rtcsignalbin name=c room=call mix=true peer-name=alice \
 *   v4l2src ! videoconvert ! c.video_0  pulsesrc ! c.audio_0 \
 *   c.video_src_0 ! videoconvert ! autovideosink \
 *   c.audio_src_0 ! audioconvert ! autoaudiosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <glib/gi18n-lib.h>

#include "gstmeshrtcelements.h"
#include "gstrtcsignalbin-private.h"
#include "rtcwhipclient.h"

GST_DEBUG_CATEGORY_EXTERN (meshrtc_debug);
#define GST_CAT_DEFAULT meshrtc_debug

#define DEFAULT_DECODE TRUE
#define DEFAULT_MIX FALSE
#define DEFAULT_MIX_WIDTH 1280
#define DEFAULT_MIX_HEIGHT 720
#define DEFAULT_MIX_FPS_N 30
#define DEFAULT_MIX_FPS_D 1
/* how long to wait before looking for the producer again after a session
 * ended (ms) */
#define RELIST_DELAY_MS 500
/* sessions at once: the producers an ingest plays, the other members of a
 * room (a mesh of N members needs N-1 each) */
#define MAX_SESSIONS 16

enum
{
  PROP_0,
  PROP_PRODUCER_PEER_ID,
  PROP_PRODUCER_NAME,
  PROP_DECODE,
  PROP_WHIP_ENDPOINT,
  PROP_WHEP_ENDPOINT,
  PROP_MIX,
  PROP_MIX_WIDTH,
  PROP_MIX_HEIGHT,
  PROP_MIX_FRAMERATE,
};

#define gst_rtc_signal_bin_parent_class parent_class
G_DEFINE_TYPE (GstRtcSignalBin, gst_rtc_signal_bin, GST_TYPE_RTC_BASE_BIN);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (rtcsignalbin, "rtcsignalbin",
    GST_RANK_NONE, GST_TYPE_RTC_SIGNAL_BIN, meshrtc_element_init (plugin));

static GstStaticPadTemplate video_src_template =
GST_STATIC_PAD_TEMPLATE ("video_src_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate audio_src_template =
GST_STATIC_PAD_TEMPLATE ("audio_src_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS_ANY);


static gboolean
is_mesh (GstRtcSignalBin * self)
{
  gchar *room = NULL;
  gboolean mesh;

  g_object_get (self, "room", &room, NULL);
  mesh = room != NULL && *room;
  g_free (room);
  return mesh;
}

/* Ingest: with its own server, no producer chosen, no room and no sink
 * pads, it plays every producer there is (e.g. WHIP publishers), up to
 * MAX_SESSIONS at once, each on src pads of its own. */
gboolean
gst_rtc_signal_bin_consumes_any (GstRtcSignalBin * self)
{
  gboolean server = FALSE, chosen;

  g_object_get (self, "run-signalling-server", &server, NULL);
  if (!server || is_mesh (self) || GST_ELEMENT (self)->numsinkpads > 0)
    return FALSE;
  GST_OBJECT_LOCK (self);
  chosen = self->producer_peer_id || self->producer_name;
  GST_OBJECT_UNLOCK (self);
  return !chosen;
}

/* An ingest or a room member: several sessions at once, the first on
 * video_src_0/audio_src_0, each further one on pads of its own. */
gboolean
gst_rtc_signal_bin_many_sessions (GstRtcSignalBin * self)
{
  return is_mesh (self) || gst_rtc_signal_bin_consumes_any (self);
}

static gboolean
is_consumer (GstRtcSignalBin * self)
{
  gboolean ret;

  GST_OBJECT_LOCK (self);
  ret = self->producer_peer_id || self->producer_name;
  GST_OBJECT_UNLOCK (self);
  return ret || gst_rtc_signal_bin_consumes_any (self);
}

/* "whip-endpoint" (we publish) or "whep-endpoint" (we play), or NULL for
 * the WebSocket protocol; a copy */
static gchar *
dup_http_endpoint (GstRtcSignalBin * self, RtcWhipDirection * direction)
{
  gchar *endpoint;

  GST_OBJECT_LOCK (self);
  *direction = self->whip_endpoint ? RTC_WHIP_PUBLISH : RTC_WHIP_PLAY;
  endpoint = g_strdup (self->whip_endpoint ? self->whip_endpoint :
      self->whep_endpoint);
  GST_OBJECT_UNLOCK (self);
  return endpoint;
}

static gboolean
gst_rtc_signal_bin_check_signalling (GstRtcBaseBin * base, GError ** error)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);
  RtcWhipDirection direction;
  g_autofree gchar *endpoint = dup_http_endpoint (self, &direction);
  gboolean both;

  GST_OBJECT_LOCK (self);
  both = self->whip_endpoint && self->whep_endpoint;
  GST_OBJECT_UNLOCK (self);
  if (both) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "whip-endpoint and whep-endpoint are set: publish or play, not both");
    return FALSE;
  }
  if (endpoint)
    return rtc_whip_client_check_endpoint (endpoint, error);
  return GST_RTC_BASE_BIN_CLASS (parent_class)->check_signalling (base, error);
}

static RtcSignallable *
gst_rtc_signal_bin_create_signaller (GstRtcBaseBin * base, gchar ** target)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);
  RtcWhipDirection direction;
  gchar *endpoint = dup_http_endpoint (self, &direction);
  g_autofree gchar *token = NULL;

  if (!endpoint)
    return GST_RTC_BASE_BIN_CLASS (parent_class)->create_signaller (base,
        target);
  token = gst_rtc_base_bin_dup_auth_token (base);
  *target = endpoint;
  return RTC_SIGNALLABLE (rtc_whip_client_new (endpoint, token, direction));
}

RtcRoles
gst_rtc_signal_bin_get_roles (GstRtcBaseBin * base)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);
  RtcWhipDirection direction;
  g_autofree gchar *endpoint = dup_http_endpoint (self, &direction);

  /* WHIP publishes our sink pads; WHEP asks for media and plays it */
  if (endpoint)
    return direction == RTC_WHIP_PUBLISH ? RTC_ROLE_PRODUCER :
        RTC_ROLE_CONSUMER;
  if (is_mesh (self))
    return RTC_ROLE_PRODUCER | RTC_ROLE_CONSUMER | RTC_ROLE_LISTENER;
  if (is_consumer (self))
    return RTC_ROLE_LISTENER;
  return RTC_ROLE_PRODUCER;
}

static void
gst_rtc_signal_bin_connected (GstRtcBaseBin * base, const gchar * peer_id)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);

  /* a request made before the server went away is gone with it; the
   * signaller lists the producers again (our roles include listener) */
  g_hash_table_remove_all (self->requested);
}

/* One of several sessions at once (a room member's, an ingest's): asks for
 * a session with @id unless one is asked for or there already (sessions
 * resumed after a reconnect included), or MAX_SESSIONS are. */
static void
request_once (GstRtcSignalBin * self, const gchar * id)
{
  GstRtcBaseBin *base = GST_RTC_BASE_BIN (self);

  if (g_hash_table_contains (self->requested, id)
      || g_hash_table_size (self->requested) >= MAX_SESSIONS
      || gst_rtc_base_bin_count_peers (base) >= MAX_SESSIONS
      || gst_rtc_base_bin_has_peer_with (base, id))
    return;
  g_hash_table_add (self->requested, g_strdup (id));
  gst_rtc_base_bin_request_session (base, id);
}

/* Decides whether @id (a producer with @meta) is the peer to connect to. */
static void
gst_rtc_signal_bin_producer_added (GstRtcBaseBin * base, const gchar * id,
    const GstStructure * meta)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);
  const gchar *mine = gst_rtc_base_bin_get_peer_id (base);
  const gchar *name = meta ? gst_structure_get_string (meta, "name") : NULL;
  gboolean wanted = FALSE;

  if (!id || !mine || g_str_equal (id, mine))
    return;
  if (is_mesh (self)) {
    gchar *room = NULL;

    g_object_get (self, "room", &room, NULL);
    /* one bidirectional session per pair of members: the lower id asks,
     * so two members never start two sessions at once */
    wanted = meta && g_strcmp0 (gst_structure_get_string (meta, "room"),
        room) == 0 && strcmp (mine, id) < 0;
    g_free (room);
    if (wanted)
      request_once (self, id);
    return;
  }
  /* an ingest plays every producer */
  if (gst_rtc_signal_bin_consumes_any (self)) {
    request_once (self, id);
    return;
  }
  if (g_hash_table_size (self->requested) > 0
      || gst_rtc_base_bin_count_peers (base) > 0)
    return;

  GST_OBJECT_LOCK (self);
  wanted = (self->producer_peer_id && g_str_equal (self->producer_peer_id, id))
      || (self->producer_name && g_strcmp0 (self->producer_name, name) == 0);
  GST_OBJECT_UNLOCK (self);
  if (!wanted)
    return;
  g_hash_table_add (self->requested, g_strdup (id));
  gst_rtc_base_bin_request_session (base, id);
}

static void
gst_rtc_signal_bin_signalling_error (GstRtcBaseBin * base,
    const gchar * message)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);
  GHashTableIter iter;
  const gchar *id;

  /* e.g. the producer we asked for left before the server saw it: the
   * service's refusal names it */
  g_hash_table_iter_init (&iter, self->requested);
  while (message && g_hash_table_iter_next (&iter, (gpointer *) & id, NULL))
    if (strstr (message, id))
      g_hash_table_iter_remove (&iter);
}

static gboolean
gst_rtc_signal_bin_accept_session (GstRtcBaseBin * base,
    const gchar * consumer_id, const gchar * session_id, GError ** error)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);
  RtcWhipDirection direction;
  g_autofree gchar *endpoint = dup_http_endpoint (self, &direction);

  if (is_consumer (self) && !is_mesh (self) && !endpoint) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "this peer is a consumer, not a producer");
    return FALSE;
  }
  /* A session from before a server restart can no longer be ended through
   * signalling; its remote may be long gone. A new consumer replaces it. */
  gst_rtc_base_bin_end_stale_sessions (base,
      "replaced by a new session after the signalling server came back");
  if (is_mesh (self)) {
    /* a room member talks to every other member at once */
    if (gst_rtc_base_bin_count_peers (base) < MAX_SESSIONS)
      return TRUE;
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "busy: a room member talks to %d others at most", MAX_SESSIONS);
    return FALSE;
  }
  if (gst_rtc_base_bin_count_peers (base) > 0) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "busy: rtcsignalbin serves one peer at a time");
    return FALSE;
  }
  return TRUE;
}

static gboolean
relist_cb (gpointer data)
{
  GstRtcSignalBin *self = data;

  g_clear_pointer (&self->relist, g_source_unref);
  gst_rtc_base_bin_reconsider_producers (GST_RTC_BASE_BIN (self));
  return G_SOURCE_REMOVE;
}

static void
gst_rtc_signal_bin_peer_removed (GstRtcBaseBin * base, GstRtcPeer * peer)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);

  gst_rtc_signal_bin_drop_decoders (self, peer->session_id);
  if (gst_rtc_signal_bin_many_sessions (self))
    g_hash_table_remove (self->requested, peer->remote_id);
  else
    g_hash_table_remove_all (self->requested);
  /* look for the peer again: it may come back, or another may be there */
  if ((is_mesh (self) || is_consumer (self)) && !self->relist) {
    self->relist = g_timeout_source_new (RELIST_DELAY_MS);
    g_source_set_callback (self->relist, relist_cb, self, NULL);
    g_source_attach (self->relist, gst_rtc_base_bin_get_context (base));
  }
}

/* EOS sent to the element (gst-launch-1.0 -e on Ctrl-C, or an application
 * ending the pipeline): the remote side is a source that never ends by
 * itself, so we end every src pad here. Before any remote track came, the
 * pads are exposed now, carrying only EOS, so what is linked downstream
 * (gst-launch links them as they appear) ends too and the pipeline posts
 * EOS. A pure producer has no src pad: its inputs end it. */
static gboolean
gst_rtc_signal_bin_send_event (GstElement * element, GstEvent * event)
{
  if (GST_EVENT_TYPE (event) != GST_EVENT_EOS)
    return GST_ELEMENT_CLASS (parent_class)->send_event (element, event);
  gst_rtc_base_bin_data_end (GST_RTC_BASE_BIN (element));
  if (GST_RTC_SIGNAL_BIN (element)->mix)
    gst_rtc_signal_bin_mix_end (GST_RTC_SIGNAL_BIN (element), event);
  else
    gst_rtc_signal_bin_end_remote_pads (GST_RTC_SIGNAL_BIN (element), event);
  return TRUE;
}

static void
gst_rtc_signal_bin_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_PRODUCER_PEER_ID:
      g_free (self->producer_peer_id);
      self->producer_peer_id = g_value_dup_string (value);
      break;
    case PROP_PRODUCER_NAME:
      g_free (self->producer_name);
      self->producer_name = g_value_dup_string (value);
      break;
    case PROP_DECODE:
      self->decode = g_value_get_boolean (value);
      break;
    case PROP_WHIP_ENDPOINT:
      g_free (self->whip_endpoint);
      self->whip_endpoint = g_value_dup_string (value);
      break;
    case PROP_WHEP_ENDPOINT:
      g_free (self->whep_endpoint);
      self->whep_endpoint = g_value_dup_string (value);
      break;
    case PROP_MIX:
      self->mix_enabled = g_value_get_boolean (value);
      break;
    case PROP_MIX_WIDTH:
      self->mix_width = g_value_get_int (value);
      break;
    case PROP_MIX_HEIGHT:
      self->mix_height = g_value_get_int (value);
      break;
    case PROP_MIX_FRAMERATE:
      self->mix_fps_n = gst_value_get_fraction_numerator (value);
      self->mix_fps_d = gst_value_get_fraction_denominator (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_rtc_signal_bin_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_PRODUCER_PEER_ID:
      g_value_set_string (value, self->producer_peer_id);
      break;
    case PROP_PRODUCER_NAME:
      g_value_set_string (value, self->producer_name);
      break;
    case PROP_DECODE:
      g_value_set_boolean (value, self->decode);
      break;
    case PROP_WHIP_ENDPOINT:
      g_value_set_string (value, self->whip_endpoint);
      break;
    case PROP_WHEP_ENDPOINT:
      g_value_set_string (value, self->whep_endpoint);
      break;
    case PROP_MIX:
      g_value_set_boolean (value, self->mix_enabled);
      break;
    case PROP_MIX_WIDTH:
      g_value_set_int (value, self->mix_width);
      break;
    case PROP_MIX_HEIGHT:
      g_value_set_int (value, self->mix_height);
      break;
    case PROP_MIX_FRAMERATE:
      gst_value_set_fraction (value, self->mix_fps_n, self->mix_fps_d);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* mix=true on an element that receives: the mixers and their pads, from
 * PAUSED on. FALSE after posting an error. */
static gboolean
start_mix (GstRtcSignalBin * self)
{
  GError *err = NULL;
  gboolean mix, decode;

  GST_OBJECT_LOCK (self);
  mix = self->mix_enabled;
  decode = self->decode;
  GST_OBJECT_UNLOCK (self);
  if (!mix || !(gst_rtc_signal_bin_get_roles (GST_RTC_BASE_BIN (self)) &
          (RTC_ROLE_CONSUMER | RTC_ROLE_LISTENER)))
    return TRUE;
  if (!decode) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        (_("Cannot mix the peers' media without decoding it.")),
        ("mix=true needs decode=true"));
    return FALSE;
  }
  if (gst_rtc_signal_bin_mix_start (self, &err))
    return TRUE;
  GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN,
      (_("Cannot mix the peers' media: an element is missing.")),
      ("%s", err->message));
  g_error_free (err);
  return FALSE;
}

static GstStateChangeReturn
gst_rtc_signal_bin_change_state (GstElement * element,
    GstStateChange transition)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED && !start_mix (self))
    return GST_STATE_CHANGE_FAILURE;
  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE
      && transition == GST_STATE_CHANGE_READY_TO_PAUSED)
    gst_rtc_signal_bin_mix_stop (self);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    gst_rtc_signal_bin_mix_stop (self);
    g_rec_mutex_lock (&self->slots_lock);
    gst_event_replace (&self->eos, NULL);
    g_rec_mutex_unlock (&self->slots_lock);
  }
  if (transition == GST_STATE_CHANGE_READY_TO_NULL) {
    /* the context thread is gone: nothing else touches these now */
    if (self->relist) {
      g_source_destroy (self->relist);
      g_clear_pointer (&self->relist, g_source_unref);
    }
    g_hash_table_remove_all (self->requested);
  }
  return ret;
}

static void
gst_rtc_signal_bin_finalize (GObject * object)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (object);

  g_free (self->producer_peer_id);
  g_free (self->producer_name);
  g_free (self->whip_endpoint);
  g_free (self->whep_endpoint);
  g_hash_table_unref (self->requested);
  g_hash_table_unref (self->decoders);
  g_hash_table_unref (self->slots);
  gst_event_replace (&self->eos, NULL);
  g_rec_mutex_clear (&self->slots_lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_rtc_signal_bin_init (GstRtcSignalBin * self)
{
  /* remote tracks come out of it: the pipeline sends it EOS (see
   * gst_rtc_signal_bin_send_event) */
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SOURCE);
  self->decode = DEFAULT_DECODE;
  self->mix_enabled = DEFAULT_MIX;
  self->mix_width = DEFAULT_MIX_WIDTH;
  self->mix_height = DEFAULT_MIX_HEIGHT;
  self->mix_fps_n = DEFAULT_MIX_FPS_N;
  self->mix_fps_d = DEFAULT_MIX_FPS_D;
  self->decoders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  self->slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) gst_rtc_signal_bin_slot_free);
  g_rec_mutex_init (&self->slots_lock);
  self->requested = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
}

static void
gst_rtc_signal_bin_class_init (GstRtcSignalBinClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstRtcBaseBinClass *base_class = GST_RTC_BASE_BIN_CLASS (klass);

  gobject_class->set_property = gst_rtc_signal_bin_set_property;
  gobject_class->get_property = gst_rtc_signal_bin_get_property;
  gobject_class->finalize = gst_rtc_signal_bin_finalize;
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_rtc_signal_bin_change_state);

  element_class->send_event = GST_DEBUG_FUNCPTR (gst_rtc_signal_bin_send_event);
  base_class->is_source = TRUE;
  base_class->check_signalling = gst_rtc_signal_bin_check_signalling;
  base_class->create_signaller = gst_rtc_signal_bin_create_signaller;
  base_class->get_roles = gst_rtc_signal_bin_get_roles;
  base_class->connected = gst_rtc_signal_bin_connected;
  base_class->producer_added = gst_rtc_signal_bin_producer_added;
  base_class->signalling_error = gst_rtc_signal_bin_signalling_error;
  base_class->accept_session = gst_rtc_signal_bin_accept_session;
  base_class->peer_removed = gst_rtc_signal_bin_peer_removed;
  base_class->remote_pad = gst_rtc_signal_bin_remote_pad;

  /**
   * GstRtcSignalBin:producer-peer-id:
   *
   * Consume the producer with this peer id (plain gst-plugins-rs
   * producer/consumer flow).
   */
  g_object_class_install_property (gobject_class, PROP_PRODUCER_PEER_ID,
      g_param_spec_string ("producer-peer-id", "Producer peer id",
          "Consume the producer with this peer id", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstRtcSignalBin:producer-name:
   *
   * Consume the first producer whose meta has this "name" (what
   * #GstRtcBaseBin:peer-name sets on the producer side). Usable from a
   * gst-launch line, where peer ids are not known in advance.
   */
  g_object_class_install_property (gobject_class, PROP_PRODUCER_NAME,
      g_param_spec_string ("producer-name", "Producer name",
          "Consume the first producer whose meta \"name\" is this", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_DECODE,
      g_param_spec_boolean ("decode", "Decode",
          "Decode remote tracks; FALSE exposes them encoded (H264, VP8, "
          "Opus) after depayloading", DEFAULT_DECODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRtcSignalBin:whip-endpoint:
   *
   * Publish the sink pads to this WHIP endpoint (RFC 9725) instead of
   * using the WebSocket signalling server of #GstRtcBaseBin:uri: an
   * http:// or https:// URL, POSTed an SDP offer with
   * #GstRtcBaseBin:auth-token as Bearer token. Candidates are trickled
   * with PATCH, the resource is DELETEd on stop, and a failed or lost
   * session is published again after a backoff of 500 ms doubling to
   * 10 s; an HTTP error status is posted as a warning naming it.
   * Exclusive with #GstRtcSignalBin:whep-endpoint. Default: none.
   */
  g_object_class_install_property (gobject_class, PROP_WHIP_ENDPOINT,
      g_param_spec_string ("whip-endpoint", "WHIP endpoint",
          "Publish to this WHIP endpoint (http:// or https://) instead of "
          "the signalling server", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstRtcSignalBin:whep-endpoint:
   *
   * Play from this WHEP endpoint (draft-ietf-wish-whep) instead of using
   * the WebSocket signalling server: a recvonly offer is POSTed, the
   * remote tracks come out of the src pads; HTTP behaviour as
   * #GstRtcSignalBin:whip-endpoint. Default: none.
   */
  g_object_class_install_property (gobject_class, PROP_WHEP_ENDPOINT,
      g_param_spec_string ("whep-endpoint", "WHEP endpoint",
          "Play from this WHEP endpoint (http:// or https://) instead of "
          "the signalling server", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRtcSignalBin:mix:
   *
   * Compose every remote peer into one output, a local MCU for calls: the
   * element then always has exactly `video_src_0` and `audio_src_0`, from
   * PAUSED on, before any peer came (black, silence). Each remote video
   * track is a tile of a `compositor` grid of ceil(sqrt(N)) columns in
   * join order, reflowed as peers join and leave and labelled with the
   * peer's #GstRtcBaseBin:peer-name (the start of its id when it has none;
   * labels need `textoverlay`, gstreamer1.0-x, else a warning and no
   * labels); each remote audio track is mixed by an `audiomixer`
   * (48 kHz stereo S16LE). Our own tracks are never mixed in. Both
   * aggregators are live with a latency of 40 ms: a peer that leaves or
   * stalls does not hold the output back. Needs #GstRtcSignalBin:decode;
   * a missing element fails the change to PAUSED with an error. %FALSE:
   * one `video_src_N`/`audio_src_N` pair per peer. Default: %FALSE.
   */
  g_object_class_install_property (gobject_class, PROP_MIX,
      g_param_spec_boolean ("mix", "Mix",
          "Compose all remote peers into one video grid (video_src_0) and "
          "one audio mix (audio_src_0)", DEFAULT_MIX,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstRtcSignalBin:mix-width:
   *
   * Width of the mixed video in pixels, 16 to 7680. Default: 1280.
   */
  g_object_class_install_property (gobject_class, PROP_MIX_WIDTH,
      g_param_spec_int ("mix-width", "Mix width",
          "Width of the mixed video (pixels)", 16, 7680, DEFAULT_MIX_WIDTH,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstRtcSignalBin:mix-height:
   *
   * Height of the mixed video in pixels, 16 to 4320. Default: 720.
   */
  g_object_class_install_property (gobject_class, PROP_MIX_HEIGHT,
      g_param_spec_int ("mix-height", "Mix height",
          "Height of the mixed video (pixels)", 16, 4320, DEFAULT_MIX_HEIGHT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstRtcSignalBin:mix-framerate:
   *
   * Frame rate of the mixed video in frames per second, 1/1 to 120/1.
   * Default: 30/1.
   */
  g_object_class_install_property (gobject_class, PROP_MIX_FRAMERATE,
      gst_param_spec_fraction ("mix-framerate", "Mix frame rate",
          "Frame rate of the mixed video (frames per second)", 1, 1, 120, 1,
          DEFAULT_MIX_FPS_N, DEFAULT_MIX_FPS_D,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  gst_element_class_add_static_pad_template (element_class,
      &video_src_template);
  gst_element_class_add_static_pad_template (element_class,
      &audio_src_template);

  gst_element_class_set_static_metadata (element_class,
      "WebRTC signalling bin", "Filter/Network/WebRTC",
      "One WebRTC peer connection with built-in signalling: offer/answer, "
      "trickle ICE, reconnection and decoded remote tracks",
      "gst-meshrtc developers");
}
