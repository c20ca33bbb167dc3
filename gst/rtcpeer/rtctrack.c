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
#include <gst/rtp/rtp.h>

#include "rtctrack.h"
#include "rtckeyframe.h"
#include "rtcsdp.h"

GST_DEBUG_CATEGORY_STATIC (rtc_track_debug);
#define GST_CAT_DEFAULT rtc_track_debug

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

  guint ssrc;                   /* our payloader's (RFC 3550 section 8.1) */

  GMutex lock;
  GstCaps *rtp_caps;            /* the payloader's, once it has them */
  const RtcCodec *codec;        /* from the input caps on */
  gboolean encodes;             /* raw input: our encoder, our settings */
};

struct _RtcTrackBranch
{
  RtcTrack *track;
  GstPad *tee_pad;
  GstElement *queue;
  GstPad *webrtc_pad;
  gulong gate_probe;
  gint open;                    /* atomic */
  GstCaps *send_caps;           /* what the branch's webrtcbin pad gets */
  guint send_pt;
};

/* Indexed by RtcVideoCodec; each nick is the codec table's encoding name
 * (rtc_codec_by_name() ignores case). */
static const GEnumValue video_codecs[] = {
  {RTC_VIDEO_CODEC_H264, "H.264 constrained baseline (RFC 6184)", "h264"},
  {RTC_VIDEO_CODEC_VP8, "VP8 (RFC 7741)", "vp8"},
  {RTC_VIDEO_CODEC_VP9, "VP9 (RFC 9628)", "vp9"},
  {0, NULL, NULL},
};

GType
rtc_video_codec_get_type (void)
{
  static GType type = 0;

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("RtcVideoCodec", video_codecs);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* The chain for @caps, from the codec table: raw input is encoded once
 * with the configured codec, encoded input is parsed and payloaded. Sets
 * @codec and whether the chain encodes. */
static gchar *
encoder_description (RtcTrack * self, const GstStructure * s,
    const RtcCodec ** codec, gboolean * encodes)
{
  const gchar *media = gst_structure_get_name (s);
  guint bitrate = 0;

  *encodes = TRUE;
  if (g_str_equal (media, "video/x-raw")) {
    *codec = rtc_codec_by_name
        (video_codecs[self->config.video_codec].value_nick);
    bitrate = self->config.video_bitrate;
  } else if (g_str_equal (media, "audio/x-raw")) {
    *codec = rtc_codec_by_name ("OPUS");
    bitrate = self->config.audio_bitrate;
  } else {
    *codec = rtc_codec_for_encoded (media);
    *encodes = FALSE;
  }
  return *codec ? rtc_codec_send_description (*codec, *encodes, bitrate,
      self->ssrc) : NULL;
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
  const RtcCodec *codec = NULL;
  gboolean encodes;

  desc = encoder_description (self, gst_caps_get_structure (caps, 0), &codec,
      &encodes);
  if (!desc) {
    GST_ERROR ("track %s: unsupported input caps %" GST_PTR_FORMAT,
        self->name, caps);
    return FALSE;
  }
  GST_INFO ("track %s: %s", self->name, desc);
  enc = gst_parse_bin_from_description (desc, TRUE, &err);
  g_free (desc);
  if (!enc) {
    GST_ERROR ("track %s: cannot build encoder: %s", self->name, err->message);
    g_clear_error (&err);
    return FALSE;
  }
  gst_bin_add (self->bin, enc);
  self->encoder = gst_object_ref (enc);
  g_mutex_lock (&self->lock);
  self->codec = codec;
  self->encodes = encodes;
  g_mutex_unlock (&self->lock);
  gst_element_link_many (self->input, enc, self->tee, NULL);
  gst_element_sync_state_with_parent (self->tee);
  gst_element_sync_state_with_parent (enc);
  return TRUE;
}

static GstPadProbeReturn
input_caps_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  RtcTrack *self = user_data;
  GstCaps *caps;

  /* the first caps make the encoder; later ones go to it */
  if (self->encoder
      || GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps (GST_PAD_PROBE_INFO_EVENT (info), &caps);
  return build_encoder (self, caps) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
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
  self->ssrc = g_random_int ();
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
  if (self->rtp_caps)
    caps = gst_caps_ref (self->rtp_caps);
  else if (self->codec && self->encodes)
    caps = rtc_codec_send_caps (self->codec, self->ssrc);
  else
    caps = NULL;
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

/* H264 profile_idc and whether constraint_set1 (constrained baseline
 * when the profile is baseline) is set, from a profile-level-id. */
static gboolean
h264_profile (const gchar * plid, guint * profile_idc, gboolean * set1)
{
  guint64 v;

  if (!plid || strlen (plid) != 6 || !g_ascii_string_to_unsigned (plid, 16,
          0, 0xffffff, &v, NULL))
    return FALSE;
  *profile_idc = (v >> 16) & 0xff;
  *set1 = (v >> 8) & 0x40;
  return TRUE;
}

/* How well an offered payload (@offered caps, with @plid the
 * profile-level-id of its fmtp for H264) carries our stream: 0 not at all,
 * higher is better. */
static guint
offered_payload_score (const GstStructure * ours, const GstStructure * offered,
    const gchar * plid)
{
  const gchar *enc = gst_structure_get_string (ours, "encoding-name");
  const gchar *oenc = gst_structure_get_string (offered, "encoding-name");
  gint rate = 0, orate = 0;
  guint idc, oidc;
  gboolean set1, oset1;

  if (!enc || !oenc || g_ascii_strcasecmp (enc, oenc) != 0)
    return 0;
  gst_structure_get_int (ours, "clock-rate", &rate);
  gst_structure_get_int (offered, "clock-rate", &orate);
  if (rate != orate)
    return 0;
  if (g_ascii_strcasecmp (enc, "H264") != 0)
    return 1;
  /* RFC 6184 section 8.1: packetization-mode must match (absent is 0) */
  if (g_strcmp0 (gst_structure_get_string (ours, "packetization-mode"),
          gst_structure_get_string (offered, "packetization-mode")) != 0)
    return 0;
  if (!h264_profile (gst_structure_get_string (ours, "profile-level-id"),
          &idc, &set1)
      || !h264_profile (plid, &oidc, &oset1) || idc != oidc)
    return 0;
  /* our constrained baseline fits baseline too; the same constraint is
   * the better match */
  return set1 == oset1 ? 2 : 1;
}

GstCaps *
rtc_track_caps_for_offer (RtcTrack * self, const GstSDPMedia * media)
{
  GstCaps *ours = rtc_track_get_rtp_caps (self), *best = NULL;
  const GstStructure *s;
  guint i, best_score = 0;
  gint best_pt = -1;
  gchar *best_plid = NULL;

  if (!ours)
    return NULL;
  s = gst_caps_get_structure (ours, 0);

  for (i = 0; i < gst_sdp_media_formats_len (media); i++) {
    const gchar *fmt = gst_sdp_media_get_format (media, i);
    gint pt = atoi (fmt);
    /* GStreamer turns profile-level-id into "profile" in these caps; the
     * fmtp has the exact value */
    GstCaps *offered = gst_sdp_media_get_caps_from_media (media, pt);
    gchar *plid = rtc_sdp_media_get_fmtp (media, fmt, "profile-level-id");
    guint score;

    if (offered) {
      score = offered_payload_score (s, gst_caps_get_structure (offered, 0),
          plid);
      if (score > best_score) {
        best_score = score;
        best_pt = pt;
        gst_caps_replace (&best, offered);
        g_free (best_plid);
        best_plid = g_strdup (plid);
      }
      gst_caps_unref (offered);
    }
    g_free (plid);
  }
  if (best_pt >= 0) {
    GstCaps *caps = gst_caps_copy (ours);
    GstStructure *cs = gst_caps_get_structure (caps, 0);

    gst_structure_set (cs, "payload", G_TYPE_INT, best_pt, NULL);
    /* the offer's profile: ours fits in it (see offered_payload_score);
     * webrtcbin compares the "profile" it derives from it */
    if (best_plid) {
      const gchar *profile = gst_structure_get_string (gst_caps_get_structure
          (best, 0), "profile");

      gst_structure_set (cs, "profile-level-id", G_TYPE_STRING, best_plid,
          NULL);
      if (profile)
        gst_structure_set (cs, "profile", G_TYPE_STRING, profile, NULL);
    }
    gst_caps_unref (best);
    gst_caps_unref (ours);
    g_free (best_plid);
    return caps;
  }
  gst_caps_unref (ours);
  return NULL;
}

/* Between the queue and webrtcbin of a branch answered with other caps:
 * the caps event says what was negotiated, and every packet carries the
 * negotiated payload type. Packets are shared by every branch of the tee,
 * so a branch that changes one changes its own copy. */
static gboolean
rewrite_pt (GstBuffer ** buf, guint idx, gpointer user_data)
{
  RtcTrackBranch *branch = user_data;
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;

  *buf = gst_buffer_make_writable (*buf);
  if (gst_rtp_buffer_map (*buf, GST_MAP_READWRITE, &rtp)) {
    gst_rtp_buffer_set_payload_type (&rtp, branch->send_pt);
    gst_rtp_buffer_unmap (&rtp);
  }
  return TRUE;
}

static GstPadProbeReturn
send_caps_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  RtcTrackBranch *branch = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
    gst_event_unref (event);
    info->data = gst_event_new_caps (branch->send_caps);
  }
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
send_pt_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  RtcTrackBranch *branch = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);

    rewrite_pt (&buf, 0, branch);
    info->data = buf;
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = gst_buffer_list_make_writable
        (GST_PAD_PROBE_INFO_BUFFER_LIST (info));

    gst_buffer_list_foreach (list, rewrite_pt, branch);
    info->data = list;
  }
  return GST_PAD_PROBE_OK;
}

/* webrtcbin 1.22 offers and answers at once, before the first caps event
 * of a new branch has reached it (an offer is made from the codec table
 * before the encoder has output, see rtc_track_get_rtp_caps()): it builds
 * the answer from a caps query on its sink pad's peer (this queue's src
 * pad). Upstream that query finds only the payloader's template (any H264
 * payload type), so the answer took the offer's first H264 payload type
 * and made up an SSRC, while the branch sends another payload type and the
 * payloader's SSRC. Chromium then decodes the stream as an unsignalled
 * SSRC that feeds no track: the <video> never gets a frame. The branch
 * answers with what it will send. */
static GstPadProbeReturn
send_caps_query_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  RtcTrackBranch *branch = user_data;
  GstQuery *query = GST_PAD_PROBE_INFO_QUERY (info);
  GstCaps *filter, *caps;

  if (GST_QUERY_TYPE (query) != GST_QUERY_CAPS)
    return GST_PAD_PROBE_OK;
  gst_query_parse_caps (query, &filter);
  caps = filter ? gst_caps_intersect_full (filter, branch->send_caps,
      GST_CAPS_INTERSECT_FIRST) : gst_caps_ref (branch->send_caps);
  gst_query_set_caps_result (query, caps);
  gst_caps_unref (caps);
  return GST_PAD_PROBE_HANDLED;
}

RtcTrackBranch *
rtc_track_add_branch (RtcTrack * self, RtcPeerSession * session, gint mline,
    GstWebRTCRTPTransceiverDirection direction, GstCaps * send_caps)
{
  RtcTrackBranch *branch;
  GstCaps *caps;
  GstPad *qsink, *qsrc, *tee_sink;
  gint pt = -1, own_pt;

  caps = send_caps ? gst_caps_ref (send_caps) : rtc_track_get_rtp_caps (self);
  if (!caps)
    return NULL;

  branch = g_new0 (RtcTrackBranch, 1);
  branch->track = g_atomic_rc_box_acquire (self);
  branch->webrtc_pad = rtc_peer_session_request_sink_pad (session, caps,
      mline, direction);
  if (!branch->webrtc_pad) {
    gst_caps_unref (caps);
    track_unref (self);
    g_free (branch);
    return NULL;
  }
  gst_structure_get_int (gst_caps_get_structure (caps, 0), "payload", &pt);
  branch->send_pt = pt;
  branch->send_caps = caps;

  branch->queue = gst_element_factory_make ("queue", NULL);
  g_object_set (branch->queue, "leaky", 2, "max-size-buffers", 0,
      "max-size-bytes", 0, "max-size-time", BRANCH_QUEUE_TIME,
      "silent", TRUE, NULL);
  /* ours too: the removal finishes later, maybe after the bin is gone */
  gst_bin_add (self->bin, gst_object_ref (branch->queue));

  /* webrtcbin sees exactly the caps the session was negotiated with: from
   * the table before the payloader has caps, and after */
  qsrc = gst_element_get_static_pad (branch->queue, "src");
  gst_pad_add_probe (qsrc, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      send_caps_probe, branch, NULL);
  gst_pad_add_probe (qsrc, GST_PAD_PROBE_TYPE_QUERY_UPSTREAM |
      GST_PAD_PROBE_TYPE_PUSH, send_caps_query_probe, branch, NULL);
  /* an offerer's other payload type: every packet is rewritten */
  g_mutex_lock (&self->lock);
  own_pt = self->codec ? (gint) self->codec->payload_type : -1;
  g_mutex_unlock (&self->lock);
  if (pt != own_pt)
    gst_pad_add_probe (qsrc, GST_PAD_PROBE_TYPE_BUFFER |
        GST_PAD_PROBE_TYPE_BUFFER_LIST, send_pt_probe, branch, NULL);
  gst_pad_link (qsrc, branch->webrtc_pad);
  gst_object_unref (qsrc);
  gst_element_sync_state_with_parent (branch->queue);

  /* tee copies its sink pad's sticky events to a new pad, then adds it:
   * a segment event passing between the two reached neither, and the
   * branch's buffers came without a segment. The sink pad's stream lock
   * (held by serialized events and buffers there) makes both one step. */
  tee_sink = gst_element_get_static_pad (self->tee, "sink");
  GST_PAD_STREAM_LOCK (tee_sink);
  branch->tee_pad = gst_element_request_pad_simple (self->tee, "src_%u");
  /* Drop buffers, not events: webrtcbin needs the sticky caps to
   * negotiate, but media before the peer is connected is wasted and would
   * fill the queue. */
  branch->gate_probe = gst_pad_add_probe (branch->tee_pad,
      GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, gate_probe,
      branch, NULL);
  qsink = gst_element_get_static_pad (branch->queue, "sink");
  gst_pad_link (branch->tee_pad, qsink);
  GST_PAD_STREAM_UNLOCK (tee_sink);
  gst_object_unref (tee_sink);
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
 * thread. The track, and the bin, may already be gone; the elements
 * are still ours (references of the track and the branch). */
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
  gst_object_unref (branch->queue);
  gst_element_release_request_pad (self->tee, branch->tee_pad);
  gst_object_unref (branch->tee_pad);
  gst_object_unref (branch->webrtc_pad);
  gst_clear_caps (&branch->send_caps);
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
