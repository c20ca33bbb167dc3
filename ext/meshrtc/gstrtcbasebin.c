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

#include "gstrtcbasebin-private.h"
#include "rtcsignaller.h"
#include "gstmeshrtcelements.h"
#include "rtccontextthread.h"

GST_DEBUG_CATEGORY_EXTERN (meshrtc_debug);
#define GST_CAT_DEFAULT meshrtc_debug

#define DEFAULT_URI "ws://127.0.0.1:8443"
#define DEFAULT_LATENCY RTC_PEER_SESSION_DEFAULT_LATENCY_MS
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
  PROP_RUN_SIGNALLING_SERVER,
  PROP_ALLOWED_ORIGINS,
  PROP_TLS_CERTIFICATE_FILE,
  PROP_TLS_KEY_FILE,
  PROP_DATA_CHANNEL,
};

enum
{
  SIGNAL_SEND_DATA,
  SIGNAL_DATA_RECEIVED,
  LAST_SIGNAL
};

static guint signals[LAST_SIGNAL];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (GstRtcBaseBin, gst_rtc_base_bin,
    GST_TYPE_BIN);

GstRtcBaseBinPrivate *
gst_rtc_base_bin_get_priv (GstRtcBaseBin * self)
{
  return gst_rtc_base_bin_get_instance_private (self);
}

static GstStaticPadTemplate video_sink_template =
    GST_STATIC_PAD_TEMPLATE ("video_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("video/x-raw; video/x-h264; video/x-vp8; video/x-vp9"));
static GstStaticPadTemplate audio_sink_template =
    GST_STATIC_PAD_TEMPLATE ("audio_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS ("audio/x-raw; audio/x-opus"));
#define DATA_CAPS "text/x-raw, format=(string)utf8; application/octet-stream"
static GstStaticPadTemplate data_sink_template =
GST_STATIC_PAD_TEMPLATE ("data_%u", GST_PAD_SINK, GST_PAD_REQUEST,
    GST_STATIC_CAPS (DATA_CAPS));
static GstStaticPadTemplate data_src_template =
GST_STATIC_PAD_TEMPLATE ("data_src_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS (DATA_CAPS));

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

void
gst_rtc_base_bin_post_element_message (GstRtcBaseBin * self, GstStructure * s)
{
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

/* ---- pads ---- */

static guint
n_inputs_locked (GstRtcBaseBinPrivate * priv)
{
  return priv->tracks->len + priv->data_sinks->len;
}

/* Whether a pad of this name is there already (a warning then). */
gboolean
gst_rtc_base_bin_pad_name_taken (GstRtcBaseBin * self, const gchar * name)
{
  GstPad *pad = gst_element_get_static_pad (GST_ELEMENT (self), name);

  if (!pad)
    return FALSE;
  GST_WARNING_OBJECT (self, "pad %s already exists", name);
  gst_object_unref (pad);
  return TRUE;
}

static void
data_end_async (GstElement * element, gpointer user_data)
{
  gst_rtc_base_bin_data_end (GST_RTC_BASE_BIN (element));
}

/* A sink bin must post EOS itself: nothing inside it is a sink that sees
 * the stream end (the tee has no downstream once peers are gone). Called
 * as each input (a track's pad, a data_%u pad) gets EOS. */
void
gst_rtc_base_bin_input_ended (GstRtcBaseBin * self)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  gboolean all;

  GST_OBJECT_LOCK (self);
  priv->tracks_eos++;
  all = priv->tracks_eos >= n_inputs_locked (priv);
  GST_OBJECT_UNLOCK (self);
  if (all) {
    /* The data_src pads end with us: the pipeline sends EOS only to
     * sources, which a bin with inputs and no peer yet is not. Not on
     * this streaming thread: it may make a pad and an appsrc. */
    gst_element_call_async (GST_ELEMENT (self), data_end_async, NULL, NULL);
    GST_INFO_OBJECT (self, "all inputs ended, posting EOS");
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_eos (GST_OBJECT (self)));
  }
}

static GstPadProbeReturn
track_eos_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS)
    gst_rtc_base_bin_input_ended (user_data);
  return GST_PAD_PROBE_OK;
}

/* A bin with no input ends no stream, yet GstBin counts it as a sink
 * while it holds a webrtcbin that already has its transports (nicesink
 * inside): one that made an offer and waits for the answer, e.g. a WHEP
 * player whose server does not answer yet. The pipeline then waits for
 * our EOS after everything else posted its own, and nothing makes it look
 * again when that webrtcbin goes (gst-launch-1.0 -e hangs on Ctrl-C). So
 * once EOS was sent to us, we say we ended; with inputs, the last input's
 * EOS says it (track_eos_probe). */
void
gst_rtc_base_bin_end_without_inputs (GstRtcBaseBin * self, guint32 seqnum)
{
  GstMessage *msg;
  gboolean inputs;

  GST_OBJECT_LOCK (self);
  inputs = n_inputs_locked (PRIV (self)) > 0;
  GST_OBJECT_UNLOCK (self);
  if (inputs)
    return;
  GST_INFO_OBJECT (self, "EOS with no input, posting EOS");
  msg = gst_message_new_eos (GST_OBJECT (self));
  gst_message_set_seqnum (msg, seqnum);
  gst_element_post_message (GST_ELEMENT (self), msg);
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

  if (g_str_has_prefix (templ->name_template, "data"))
    return gst_rtc_base_bin_data_request_pad (self, templ, name);
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

  if (gst_rtc_base_bin_pad_name_taken (self, pad_name)) {
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
  GstRtcBaseBinPrivate *priv = PRIV (self);
  RtcTrack *track = g_object_get_data (G_OBJECT (pad), "rtc-track");

  if (!track && !GST_IS_RTC_DATA_SINK_PAD (pad))
    return;
  GST_OBJECT_LOCK (self);
  /* a data pad's reference in data_sinks goes; the element holds its own
   * until the pad is removed below */
  if (track)
    g_ptr_array_remove (priv->tracks, track);
  else if (g_ptr_array_remove (priv->data_sinks, pad))
    gst_object_unref (pad);
  if (n_inputs_locked (priv) == 0)
    GST_OBJECT_FLAG_UNSET (self, GST_ELEMENT_FLAG_SINK);
  GST_OBJECT_UNLOCK (self);
  gst_pad_set_active (pad, FALSE);
  gst_element_remove_pad (element, pad);
  if (track)
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
  if (n_inputs_locked (PRIV (self)) > 0)
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
      gst_rtc_base_bin_end_session_later (self, session_id, reason);
      g_clear_error (&err);
      g_free (reason);
      g_free (session_id);
      gst_message_unref (message);
      return;
    }
  }
  GST_BIN_CLASS (gst_rtc_base_bin_parent_class)->handle_message (bin, message);
}

/* EOS sent to the element also ends the data_src pads (which a subclass
 * overriding this must do too: gst_rtc_base_bin_data_end()). */
static gboolean
gst_rtc_base_bin_send_event (GstElement * element, GstEvent * event)
{
  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS)
    gst_rtc_base_bin_data_end (GST_RTC_BASE_BIN (element));
  return GST_ELEMENT_CLASS (gst_rtc_base_bin_parent_class)->send_event
      (element, event);
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
      if (!GST_RTC_BASE_BIN_GET_CLASS (self)->check_signalling (self, &err)) {
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
    case GST_STATE_CHANGE_READY_TO_NULL:
      /* the server lives on the context thread, stopped below */
      gst_rtc_base_bin_server_stop (self);
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      GST_OBJECT_LOCK (self);
      priv->tracks_eos = 0;
      GST_OBJECT_UNLOCK (self);
      gst_rtc_base_bin_invoke (self, gst_rtc_base_bin_start_signalling, self,
          NULL);
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
    case GST_STATE_CHANGE_NULL_TO_READY:
      gst_rtc_base_bin_query_ice_context (self);
      if (!gst_rtc_base_bin_server_start (self)) {
        /* undo what going to READY did */
        gst_rtc_base_bin_change_state (element, GST_STATE_CHANGE_READY_TO_NULL);
        return GST_STATE_CHANGE_FAILURE;
      }
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      gst_rtc_base_bin_invoke_sync (self, gst_rtc_base_bin_stop_signalling);
      gst_rtc_base_bin_data_remove_src_pads (self);
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:{
      guint i;

      /* cannot be lost, however early: see rtccontextthread.h */
      g_clear_pointer (&priv->thread, rtc_context_thread_stop);
      /* What is still queued (deferred session ends, branch removals)
       * holds references that would keep the element and its webrtcbins
       * alive: run it here, now that no thread owns the context. Bounded:
       * timers not yet due stay queued. As the thread-default context:
       * libsoup completes a cancelled request here and asserts that its
       * context is the thread-default one (soup-session.c
       * message_completed(), seen once in 66 stop cycles). */
      g_main_context_push_thread_default (priv->context);
      for (i = 0; i < 1000; i++)
        if (!g_main_context_iteration (priv->context, FALSE))
          break;
      g_main_context_pop_thread_default (priv->context);
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
    case PROP_RUN_SIGNALLING_SERVER:
      priv->run_server = g_value_get_boolean (value);
      break;
    case PROP_ALLOWED_ORIGINS:
      g_free (priv->allowed_origins);
      priv->allowed_origins = g_value_dup_string (value);
      break;
    case PROP_TLS_CERTIFICATE_FILE:
      g_free (priv->tls_certificate_file);
      priv->tls_certificate_file = g_value_dup_string (value);
      break;
    case PROP_TLS_KEY_FILE:
      g_free (priv->tls_key_file);
      priv->tls_key_file = g_value_dup_string (value);
      break;
    case PROP_DATA_CHANNEL:
      g_free (priv->data_channel);
      priv->data_channel = g_value_dup_string (value);
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
    case PROP_RUN_SIGNALLING_SERVER:
      g_value_set_boolean (value, priv->run_server);
      break;
    case PROP_ALLOWED_ORIGINS:
      g_value_set_string (value, priv->allowed_origins);
      break;
    case PROP_TLS_CERTIFICATE_FILE:
      g_value_set_string (value, priv->tls_certificate_file);
      break;
    case PROP_TLS_KEY_FILE:
      g_value_set_string (value, priv->tls_key_file);
      break;
    case PROP_DATA_CHANNEL:
      g_value_set_string (value, priv->data_channel);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_rtc_base_bin_set_context (GstElement * element, GstContext * context)
{
  gst_rtc_base_bin_take_ice_context (GST_RTC_BASE_BIN (element), context);
  GST_ELEMENT_CLASS (gst_rtc_base_bin_parent_class)->set_context (element,
      context);
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
  gst_rtc_base_bin_data_finalize (GST_RTC_BASE_BIN (object));
  g_hash_table_unref (priv->peers);
  g_hash_table_unref (priv->producers);
  g_free (priv->target);
  g_clear_object (&priv->server);
  g_clear_object (&priv->tls_certificate);
  g_free (priv->ice_servers);
  g_free (priv->allowed_origins);
  g_free (priv->tls_certificate_file);
  g_free (priv->tls_key_file);
  g_free (priv->data_channel);
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
  gst_rtc_base_bin_data_init (self);
  priv->producers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) gst_structure_free);
  priv->peers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) gst_rtc_base_bin_peer_free);
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
  element_class->set_context = GST_DEBUG_FUNCPTR (gst_rtc_base_bin_set_context);
  klass->check_signalling = gst_rtc_base_bin_default_check_signalling;
  klass->create_signaller = gst_rtc_base_bin_default_create_signaller;
  gobject_class->set_property = gst_rtc_base_bin_set_property;
  gobject_class->get_property = gst_rtc_base_bin_get_property;
  gobject_class->finalize = gst_rtc_base_bin_finalize;

  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_rtc_base_bin_change_state);
  element_class->request_new_pad =
      GST_DEBUG_FUNCPTR (gst_rtc_base_bin_request_new_pad);
  element_class->release_pad = GST_DEBUG_FUNCPTR (gst_rtc_base_bin_release_pad);
  element_class->send_event = GST_DEBUG_FUNCPTR (gst_rtc_base_bin_send_event);

  gst_element_class_add_static_pad_template (element_class,
      &video_sink_template);
  gst_element_class_add_static_pad_template (element_class,
      &audio_sink_template);
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new_from_static_pad_template_with_gtype
      (&data_sink_template, GST_TYPE_RTC_DATA_SINK_PAD));
  gst_element_class_add_pad_template (element_class,
      gst_pad_template_new_from_static_pad_template_with_gtype
      (&data_src_template, GST_TYPE_RTC_DATA_SRC_PAD));

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
  /**
   * GstRtcBaseBin:latency:
   *
   * The receive jitterbuffer of new sessions (webrtcbin's
   * #GstWebRTCBin:latency), in ms; range 0 to G_MAXUINT, default 100. It
   * is the time a lost packet has to come again after a NACK (RFC 4585
   * section 6.2.1) before its frame is given up, and it delays every
   * frame by as much. Measured on loopback with 1-3 % packet loss
   * (docs/performance.md): 0 loses 3-13 % of the frames, with gaps up to
   * 530 ms; 50 to 200 lose at most 3 frames in 240, and the first frame
   * and the largest gap grow with it (100: +100 ms and 133 ms; 200:
   * +197 ms and 265 ms). Use about the round-trip time plus 30 ms: less
   * on a LAN, 200 or more on long paths. webrtcbin's own default is 200.
   */
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
  /**
   * GstRtcBaseBin:run-signalling-server:
   *
   * Run the signalling server in-process, listening on the host and port of
   * #GstRtcBaseBin:uri: the WebSocket protocol, the viewer page at `/`, and
   * WHIP and WHEP at `/whip` and `/whep` (docs/whip-whep.md), all on the
   * same port. The element's own signaller connects to it like any
   * client. A port that cannot be bound fails the NULL to READY state
   * change. Default: %FALSE.
   */
  g_object_class_install_property (gobject_class, PROP_RUN_SIGNALLING_SERVER,
      g_param_spec_boolean ("run-signalling-server", "Run signalling server",
          "Run the signalling server and the viewer page in-process on the "
          "host and port of 'uri'", FALSE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstRtcBaseBin:allowed-origins:
   *
   * Comma-separated origins (`scheme://host[:port]`, e.g.
   * `https://example.org, http://127.0.0.1:8000`) whose web pages may
   * connect to the embedded server; `*` allows any page. %NULL (the
   * default): only pages of the server itself (the viewer page), as the
   * browser's `Origin` must then match the `Host` it connected to.
   * Programs send no `Origin` and are not concerned. A refused page gets
   * `403 Origin not allowed`. Used with
   * #GstRtcBaseBin:run-signalling-server, read going to READY.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_ALLOWED_ORIGINS,
      g_param_spec_string ("allowed-origins", "Allowed origins",
          "Comma-separated origins whose web pages may connect to the "
          "embedded server, * for any (default: its own pages only)",
          NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
          | GST_PARAM_MUTABLE_READY));
  /**
   * GstRtcBaseBin:tls-certificate-file:
   *
   * PEM file with the certificate (chain) of the embedded server, and its
   * private key unless #GstRtcBaseBin:tls-key-file is set. Required when
   * #GstRtcBaseBin:uri is `wss://` and
   * #GstRtcBaseBin:run-signalling-server is %TRUE: the server then
   * speaks only `wss://` and `https://`, and without a certificate, or
   * with one that cannot be loaded, the NULL to READY state change fails
   * with a RESOURCE SETTINGS error. The element's own signaller, like any
   * client, must trust the certificate for the URI's host. Default: %NULL.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_TLS_CERTIFICATE_FILE,
      g_param_spec_string ("tls-certificate-file", "TLS certificate file",
          "PEM certificate (and key) of the embedded wss:// server",
          NULL, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstRtcBaseBin:tls-key-file:
   *
   * PEM file with the private key of #GstRtcBaseBin:tls-certificate-file,
   * when it is not in that file. Default: %NULL.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_TLS_KEY_FILE,
      g_param_spec_string ("tls-key-file", "TLS key file",
          "PEM private key of the embedded wss:// server (default: in "
          "tls-certificate-file)", NULL, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstRtcBaseBin:data-channel:
   *
   * Label of a data channel (RTCDataChannel, RFC 8831; ordered and
   * reliable) opened with every peer we offer to. Messages go out with
   * #GstRtcBaseBin::send-data and come in with
   * #GstRtcBaseBin::data-received; channels a remote opens are taken
   * whatever this is. A message waits for its channel to open (at most 256
   * messages, 4 MiB) and is at most 256 KiB (64 KiB between two
   * webrtcbins 1.22, which announce no a=max-message-size, RFC 8841).
   * Default: %NULL, none.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_DATA_CHANNEL,
      g_param_spec_string ("data-channel", "Data channel",
          "Label of a data channel to open with every peer we offer to "
          "(none by default)", NULL, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));

  /**
   * GstRtcBaseBin::send-data:
   * @self: the element
   * @peer_id: (nullable): the peer to send to, or %NULL for every peer
   * @label: the data channel's label
   * @message: the message (binary), at most 256 KiB
   *
   * Sends @message on the data channel @label of every peer that has one
   * (or of @peer_id only), from the element's signalling thread: a peer
   * without that channel is skipped, a refusal is a warning in the debug
   * log.
   *
   * Returns: %FALSE for no label, no message or one over 256 KiB.
   *
   * Since: 0.1
   */
  signals[SIGNAL_SEND_DATA] =
      g_signal_new ("send-data", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_STRUCT_OFFSET (GstRtcBaseBinClass, send_data), NULL, NULL, NULL,
      G_TYPE_BOOLEAN, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BYTES);
  /**
   * GstRtcBaseBin::data-received:
   * @self: the element
   * @peer_id: the peer that sent it
   * @label: the data channel's label
   * @message: the message (text arrives as its UTF-8 bytes)
   *
   * A message arrived on a data channel. Emitted from the element's
   * signalling thread, in the order the peer sent them.
   *
   * Since: 0.1
   */
  signals[SIGNAL_DATA_RECEIVED] =
      g_signal_new ("data-received", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING,
      G_TYPE_STRING, G_TYPE_BYTES);
  klass->send_data = gst_rtc_base_bin_send_data;


  gst_type_mark_as_plugin_api (RTC_TYPE_VIDEO_CODEC, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RTC_BASE_BIN, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RTC_DATA_SINK_PAD, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_RTC_DATA_SRC_PAD, 0);
}

static GstPadProbeReturn
drop_when_unlinked_cb (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  return gst_pad_is_linked (pad) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

void
gst_rtc_base_bin_drop_when_unlinked (GstPad * pad)
{
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST, drop_when_unlinked_cb, NULL, NULL);
}
