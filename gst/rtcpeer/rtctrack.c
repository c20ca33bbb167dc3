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

#include "rtctrack.h"
#include "rtckeyframe.h"

GST_DEBUG_CATEGORY_STATIC (rtc_track_debug);
#define GST_CAT_DEFAULT rtc_track_debug

/* RTP payload types we send; rtcpeersession.c offers the same for receive */
#define PT_VP8 96
#define PT_H264 102
#define PT_OPUS 111
/* keeps every packet under a typical internet path MTU with SRTP and
 * TURN overhead */
#define RTP_MTU 1200
/* a branch may lag this much before its queue drops the oldest packets */
#define BRANCH_QUEUE_TIME (300 * GST_MSECOND)

struct _RtcTrack
{
  GstBin *bin;
  RtcMediaKind kind;
  gchar *name;
  RtcTrackConfig config;
  GMainContext *context;

  GstElement *input;            /* identity: the pad the element ghosts */
  GstElement *encoder;          /* bin built from the input caps */
  GstElement *tee;
  RtcKeyframeCoalescer *keyframes;
  gulong input_probe, tee_probe;

  GMutex lock;
  GstCaps *rtp_caps;
};

struct _RtcTrackBranch
{
  RtcTrack *track;
  GstPad *tee_pad;
  GstElement *queue;
  GstPad *webrtc_pad;
  gulong gate_probe;
  gint open;                    /* atomic */
};

GType
rtc_video_codec_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {RTC_VIDEO_CODEC_H264, "H.264 constrained baseline (RFC 6184)", "h264"},
    {RTC_VIDEO_CODEC_VP8, "VP8 (RFC 7741)", "vp8"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("RtcVideoCodec", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* The chain for @caps, as a gst-launch description. Raw input is encoded
 * for browsers: x264 without B-frames at constrained baseline, with SPS/PPS
 * on every keyframe (config-interval=-1) so late joiners can decode. */
static gchar *
encoder_description (RtcTrack * self, const GstStructure * s)
{
  const gchar *media = gst_structure_get_name (s);
  guint kbps = MAX (self->config.video_bitrate / 1000, 1);

  if (g_str_equal (media, "video/x-raw")) {
    if (self->config.video_codec == RTC_VIDEO_CODEC_VP8)
      return g_strdup_printf ("videoconvert ! vp8enc deadline=1 cpu-used=8 "
          "threads=2 error-resilient=partitions keyframe-max-dist=300 "
          "lag-in-frames=0 target-bitrate=%u ! rtpvp8pay pt=%d mtu=%d "
          "picture-id-mode=15-bit", self->config.video_bitrate, PT_VP8,
          RTP_MTU);
    return g_strdup_printf ("videoconvert ! x264enc tune=zerolatency "
        "speed-preset=ultrafast threads=2 bframes=0 key-int-max=300 "
        "bitrate=%u ! video/x-h264,profile=constrained-baseline ! "
        "rtph264pay pt=%d mtu=%d config-interval=-1 "
        "aggregate-mode=zero-latency", kbps, PT_H264, RTP_MTU);
  }
  if (g_str_equal (media, "video/x-h264"))
    return g_strdup_printf ("h264parse ! rtph264pay pt=%d mtu=%d "
        "config-interval=-1 aggregate-mode=zero-latency", PT_H264, RTP_MTU);
  if (g_str_equal (media, "video/x-vp8"))
    return g_strdup_printf ("rtpvp8pay pt=%d mtu=%d picture-id-mode=15-bit",
        PT_VP8, RTP_MTU);
  if (g_str_equal (media, "audio/x-raw"))
    return g_strdup_printf ("audioconvert ! audioresample ! opusenc "
        "bitrate=%u ! rtpopuspay pt=%d mtu=%d", self->config.audio_bitrate,
        PT_OPUS, RTP_MTU);
  if (g_str_equal (media, "audio/x-opus"))
    return g_strdup_printf ("opusparse ! rtpopuspay pt=%d mtu=%d", PT_OPUS,
        RTP_MTU);
  return NULL;
}

/* rtc_track_free() ends the track at once; the memory, an atomic
 * reference-counted box (GLib), goes with the last reference, so a probe
 * call already running or a branch removal still pending on the context
 * finishes on live memory. */
static void
track_clear (RtcTrack * self)
{
  gst_clear_object (&self->input);
  gst_clear_object (&self->encoder);
  gst_clear_object (&self->tee);
  gst_clear_caps (&self->rtp_caps);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_free (self->name);
}

static void
track_unref (RtcTrack * self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) track_clear);
}

/* Runs on the streaming thread with the first CAPS event, before the event
 * leaves the identity, so the new chain sees it. */
static gboolean
build_encoder (RtcTrack * self, GstCaps * caps)
{
  gchar *desc;
  GError *err = NULL;
  GstElement *enc;

  desc = encoder_description (self, gst_caps_get_structure (caps, 0));
  if (!desc) {
    GST_ERROR ("track %s: unsupported input caps %" GST_PTR_FORMAT,
        self->name, caps);
    return FALSE;
  }
  GST_INFO ("track %s: %s", self->name, desc);
  enc = gst_parse_bin_from_description (desc, TRUE, &err);
  g_free (desc);
  if (!enc) {
    GST_ERROR ("track %s: cannot build encoder: %s", self->name,
        err->message);
    g_clear_error (&err);
    return FALSE;
  }
  gst_bin_add (self->bin, enc);
  self->encoder = gst_object_ref (enc);
  gst_element_link_many (self->input, enc, self->tee, NULL);
  gst_element_sync_state_with_parent (self->tee);
  gst_element_sync_state_with_parent (enc);
  return TRUE;
}

static GstPadProbeReturn
input_caps_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  RtcTrack *self = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstCaps *caps;

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (event, &caps);
  if (self->encoder)
    return GST_PAD_PROBE_OK;
  if (!build_encoder (self, caps))
    return GST_PAD_PROBE_DROP;
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
tee_caps_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  RtcTrack *self = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  GstCaps *caps;

  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
    gst_event_parse_caps (event, &caps);
    g_mutex_lock (&self->lock);
    gst_caps_replace (&self->rtp_caps, caps);
    g_mutex_unlock (&self->lock);
  }
  return GST_PAD_PROBE_OK;
}

RtcTrack *
rtc_track_new (GstBin * bin, GMainContext * context, RtcMediaKind kind,
    const gchar * name, const RtcTrackConfig * config)
{
  RtcTrack *self = g_atomic_rc_box_new0 (RtcTrack);
  GstPad *pad;
  gchar *ename;

  if (!rtc_track_debug)
    GST_DEBUG_CATEGORY_INIT (rtc_track_debug, "rtctrack", 0,
        "gst-meshrtc local track");

  self->bin = bin;
  self->kind = kind;
  self->name = g_strdup (name);
  self->config = *config;
  self->context = g_main_context_ref (context);
  g_mutex_init (&self->lock);

  ename = g_strdup_printf ("%s-input", name);
  self->input = gst_element_factory_make ("identity", ename);
  g_free (ename);
  ename = g_strdup_printf ("%s-tee", name);
  self->tee = gst_element_factory_make ("tee", ename);
  g_free (ename);
  /* no peer yet is not an error */
  g_object_set (self->tee, "allow-not-linked", TRUE, NULL);
  /* our own references: the bin may drop its children before we go */
  gst_object_ref (self->input);
  gst_object_ref (self->tee);
  gst_bin_add_many (bin, self->input, self->tee, NULL);

  pad = gst_element_get_static_pad (self->input, "sink");
  self->input_probe = gst_pad_add_probe (pad,
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, input_caps_probe,
      g_atomic_rc_box_acquire (self), (GDestroyNotify) track_unref);
  gst_object_unref (pad);

  pad = gst_element_get_static_pad (self->tee, "sink");
  self->tee_probe = gst_pad_add_probe (pad,
      GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, tee_caps_probe,
      g_atomic_rc_box_acquire (self), (GDestroyNotify) track_unref);
  self->keyframes = rtc_keyframe_coalescer_new (pad, context,
      config->keyframe_interval_ms);
  gst_object_unref (pad);

  gst_element_sync_state_with_parent (self->input);
  gst_element_sync_state_with_parent (self->tee);
  return self;
}

RtcMediaKind
rtc_track_get_kind (RtcTrack * self)
{
  return self->kind;
}

const gchar *
rtc_track_get_name (RtcTrack * self)
{
  return self->name;
}

GstPad *
rtc_track_get_sink_pad (RtcTrack * self)
{
  return gst_element_get_static_pad (self->input, "sink");
}

GstCaps *
rtc_track_get_rtp_caps (RtcTrack * self)
{
  GstCaps *caps;

  g_mutex_lock (&self->lock);
  caps = self->rtp_caps ? gst_caps_ref (self->rtp_caps) : NULL;
  g_mutex_unlock (&self->lock);
  return caps;
}

void
rtc_track_set_keyframe_interval (RtcTrack * self, guint interval_ms)
{
  rtc_keyframe_coalescer_set_interval (self->keyframes, interval_ms);
}

void
rtc_track_request_keyframe (RtcTrack * self)
{
  if (self->kind == RTC_MEDIA_VIDEO)
    rtc_keyframe_coalescer_request (self->keyframes);
}

void
rtc_track_get_keyframe_counts (RtcTrack * self, guint * requests,
    guint * forced)
{
  rtc_keyframe_coalescer_get_counts (self->keyframes, requests, forced);
}

static GstPadProbeReturn
gate_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  RtcTrackBranch *branch = user_data;

  return g_atomic_int_get (&branch->open) ? GST_PAD_PROBE_OK :
      GST_PAD_PROBE_DROP;
}

RtcTrackBranch *
rtc_track_add_branch (RtcTrack * self, RtcPeerSession * session, gint mline,
    GstWebRTCRTPTransceiverDirection direction)
{
  RtcTrackBranch *branch;
  GstCaps *caps;
  GstPad *qsink, *qsrc;

  caps = rtc_track_get_rtp_caps (self);
  if (!caps)
    return NULL;

  branch = g_new0 (RtcTrackBranch, 1);
  branch->track = g_atomic_rc_box_acquire (self);
  branch->webrtc_pad = rtc_peer_session_request_sink_pad (session, caps,
      mline, direction);
  gst_caps_unref (caps);
  if (!branch->webrtc_pad) {
    track_unref (self);
    g_free (branch);
    return NULL;
  }

  branch->queue = gst_element_factory_make ("queue", NULL);
  g_object_set (branch->queue, "leaky", 2, "max-size-buffers", 0,
      "max-size-bytes", 0, "max-size-time", BRANCH_QUEUE_TIME,
      "silent", TRUE, NULL);
  gst_bin_add (self->bin, branch->queue);

  qsrc = gst_element_get_static_pad (branch->queue, "src");
  gst_pad_link (qsrc, branch->webrtc_pad);
  gst_object_unref (qsrc);
  gst_element_sync_state_with_parent (branch->queue);

  branch->tee_pad = gst_element_request_pad_simple (self->tee, "src_%u");
  /* Drop buffers, not events: webrtcbin needs the sticky caps to
   * negotiate, but media before the peer is connected is wasted and would
   * fill the queue. */
  branch->gate_probe = gst_pad_add_probe (branch->tee_pad,
      GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, gate_probe,
      branch, NULL);
  qsink = gst_element_get_static_pad (branch->queue, "sink");
  gst_pad_link (branch->tee_pad, qsink);
  gst_object_unref (qsink);
  return branch;
}

void
rtc_track_branch_open (RtcTrackBranch * branch)
{
  g_atomic_int_set (&branch->open, TRUE);
  rtc_track_request_keyframe (branch->track);
}

/* Runs on the owner's context after the dispatch below, or when that
 * context goes away first: either way once, and not on a streaming
 * thread. The track may already be freed; its elements are still ours. */
static void
finish_branch_removal (gpointer user_data)
{
  RtcTrackBranch *branch = user_data;
  RtcTrack *self = branch->track;
  GstObject *parent;

  gst_element_set_locked_state (branch->queue, TRUE);
  gst_element_set_state (branch->queue, GST_STATE_NULL);
  parent = gst_object_get_parent (GST_OBJECT (branch->queue));
  if (parent) {
    gst_bin_remove (GST_BIN (parent), branch->queue);
    gst_object_unref (parent);
  }
  gst_element_release_request_pad (self->tee, branch->tee_pad);
  gst_object_unref (branch->tee_pad);
  gst_object_unref (branch->webrtc_pad);
  track_unref (self);
  g_free (branch);
}

static gboolean
branch_removal_dispatch (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

static GstPadProbeReturn
unlink_when_idle (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  RtcTrackBranch *branch = user_data;
  GstPad *peer = gst_pad_get_peer (pad);
  GSource *src;

  if (peer) {
    gst_pad_unlink (pad, peer);
    gst_object_unref (peer);
  }
  /* Setting elements to NULL is not for a streaming thread, and the pad
   * must outlive this callback: finish on the owner's context, later. */
  src = g_idle_source_new ();
  g_source_set_callback (src, branch_removal_dispatch, branch,
      finish_branch_removal);
  g_source_attach (src, branch->track->context);
  g_source_unref (src);
  return GST_PAD_PROBE_REMOVE;
}

void
rtc_track_branch_remove (RtcTrackBranch * branch)
{
  gst_pad_remove_probe (branch->tee_pad, branch->gate_probe);
  gst_pad_add_probe (branch->tee_pad, GST_PAD_PROBE_TYPE_IDLE,
      unlink_when_idle, branch, NULL);
}

static void
remove_probe (GstElement * element, const gchar * pad_name, gulong id)
{
  GstPad *pad = gst_element_get_static_pad (element, pad_name);

  gst_pad_remove_probe (pad, id);
  gst_object_unref (pad);
}

void
rtc_track_free (RtcTrack * self)
{
  GstElement *elements[] = { self->input, self->encoder, self->tee };
  guint i;

  rtc_keyframe_coalescer_free (self->keyframes);
  remove_probe (self->input, "sink", self->input_probe);
  remove_probe (self->tee, "sink", self->tee_probe);
  for (i = 0; i < G_N_ELEMENTS (elements); i++) {
    if (!elements[i])
      continue;
    gst_element_set_locked_state (elements[i], TRUE);
    gst_element_set_state (elements[i], GST_STATE_NULL);
    if (GST_OBJECT_PARENT (elements[i]) == GST_OBJECT (self->bin))
      gst_bin_remove (self->bin, elements[i]);
  }
  track_unref (self);
}
