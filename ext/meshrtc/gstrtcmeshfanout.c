/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
/**
 * SECTION:element-rtcmeshfanout
 * @title: rtcmeshfanout
 *
 * Streams one input to many peers, one peer connection each, encoded once.
 * It registers as a producer with the signalling server; every consumer
 * that starts a session (the viewer page, gstwebrtc-api, webrtcsrc, or
 * rtcsignalbin with producer-name) gets its own webrtcbin fed from the
 * shared encoded stream.
 *
 * Each peer's branch drops media until the peer is connected and then goes
 * through a leaky queue, so a slow peer, one that never connects, or one
 * that vanishes never stalls the others. A new peer gets a keyframe as soon
 * as DTLS is up. Keyframe requests (PLI, FIR) from all peers are coalesced
 * into at most one forced keyframe per #GstRtcBaseBin:keyframe-interval.
 *
 * With #GstRtcBaseBin:run-signalling-server the signalling server runs
 * in-process on the host and port of #GstRtcBaseBin:uri, and the same port
 * serves a viewer page over HTTP at `/`. The element posts an INFO message
 * with the URL to open.
 *
 * The embedded server admits the clients that present
 * #GstRtcBaseBin:auth-token (the element's own signaller does), takes
 * browser pages from #GstRtcBaseBin:allowed-origins only (by default
 * its own viewer page), and serves `wss://` and `https://` when
 * #GstRtcBaseBin:uri is `wss://`, with the certificate of
 * #GstRtcBaseBin:tls-certificate-file. The limits of
 * docs/protocol.md apply with their defaults.
 *
 * If an `rtciceservers` element is in the pipeline, the embedded server
 * hands its ICE servers to the browsers (the `iceServers` message, see
 * docs/protocol.md).
 *
 * ## Data channels
 * A request sink pad `data_%u` (#GstRtcDataSinkPad) sends each buffer as
 * one message (text with `text/x-raw,format=utf8` caps, binary otherwise)
 * on the data channel of its `label` to every connected peer; a buffer
 * carrying a `GstRtcPeerMeta` custom meta goes to its `peer-id` only.
 * Messages peers send come out of sometimes src pads `data_src_%u`
 * (#GstRtcDataSrcPad; on an element given a data channel:
 * #GstRtcBaseBin:data-channel or a `data_%u` pad), one per label, as
 * they arrive, each with the
 * sender's `peer-id` and the `label` in a `GstRtcPeerMeta` custom meta
 * (a #GstCustomMeta, GStreamer 1.20). Link such a pad to a sink with
 * `async=false`: it appears with the first message, and a sink waiting
 * for it would hold the pipeline out of PLAYING. See also
 * #GstRtcBaseBin:data-channel, #GstRtcBaseBin::send-data and
 * #GstRtcBaseBin::data-received.
 *
 * ## Element messages
 * - `meshrtc-peer-added`: a consumer started a session; `session-id`,
 *   `peer-id`
 * - `meshrtc-peer-connected`: ICE and DTLS are up, media flows;
 *   `session-id`, `peer-id`, `setup-time` (GstClockTime)
 * - `meshrtc-peer-removed`: the session ended (endSession, closed socket,
 *   ICE failure, disconnection past #GstRtcBaseBin:disconnect-timeout, no
 *   codec in common); `session-id`, `peer-id`, `reason`
 * - `meshrtc-signalling-connected`, `meshrtc-signalling-lost`: as
 *   rtcsignalbin
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! rtcmeshfanout run-signalling-server=true
 * ]|
 * Then open http://127.0.0.1:8443/ in any number of browsers.
 * |[
 * gst-launch-1.0 -e videotestsrc is-live=true ! rtcmeshfanout name=f run-signalling-server=true data-channel=chat f.data_src_0 ! fdsink async=false
 * ]|
 * prints what the viewers send on their "chat" channel.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <glib/gi18n-lib.h>

#include "gstmeshrtcelements.h"
#include "gstrtcmeshfanout.h"

GST_DEBUG_CATEGORY_EXTERN (meshrtc_debug);
#define GST_CAT_DEFAULT meshrtc_debug

#define DEFAULT_MAX_PEERS 64

enum
{
  PROP_0,
  PROP_MAX_PEERS,
  PROP_STATS,
};

struct _GstRtcMeshFanout
{
  GstRtcBaseBin parent;

  guint max_peers;
};

#define gst_rtc_mesh_fanout_parent_class parent_class
G_DEFINE_TYPE (GstRtcMeshFanout, gst_rtc_mesh_fanout, GST_TYPE_RTC_BASE_BIN);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (rtcmeshfanout, "rtcmeshfanout",
    GST_RANK_NONE, GST_TYPE_RTC_MESH_FANOUT, meshrtc_element_init (plugin));

static RtcRoles
gst_rtc_mesh_fanout_get_roles (GstRtcBaseBin * base)
{
  return RTC_ROLE_PRODUCER;
}

static gboolean
gst_rtc_mesh_fanout_accept_session (GstRtcBaseBin * base,
    const gchar * consumer_id, const gchar * session_id, GError ** error)
{
  GstRtcMeshFanout *self = GST_RTC_MESH_FANOUT (base);
  guint max;

  GST_OBJECT_LOCK (self);
  max = self->max_peers;
  GST_OBJECT_UNLOCK (self);
  if (max > 0 && gst_rtc_base_bin_count_peers (base) >= max) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_BUSY,
        "max-peers (%u) reached, try again later", max);
    return FALSE;
  }
  return TRUE;
}

static void
gst_rtc_mesh_fanout_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstRtcMeshFanout *self = GST_RTC_MESH_FANOUT (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MAX_PEERS:
      self->max_peers = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static GstStructure *
collect_stats (GstRtcMeshFanout * self)
{
  GstRtcBaseBin *base = GST_RTC_BASE_BIN (self);
  GstStructure *s = gst_rtc_base_bin_collect_stats (base,
      "meshrtc-fanout-stats");
  guint requests, forced;

  gst_rtc_base_bin_get_keyframe_counts (base, &requests, &forced);
  gst_structure_set (s, "peers", G_TYPE_UINT,
      gst_rtc_base_bin_count_peers (base),
      "keyframe-requests", G_TYPE_UINT, requests,
      "keyframes-forced", G_TYPE_UINT, forced, NULL);
  return s;
}

static void
gst_rtc_mesh_fanout_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstRtcMeshFanout *self = GST_RTC_MESH_FANOUT (object);

  switch (prop_id) {
    case PROP_MAX_PEERS:
      GST_OBJECT_LOCK (self);
      g_value_set_uint (value, self->max_peers);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_STATS:
      g_value_take_boxed (value, collect_stats (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_rtc_mesh_fanout_init (GstRtcMeshFanout * self)
{
  self->max_peers = DEFAULT_MAX_PEERS;
}

static void
gst_rtc_mesh_fanout_class_init (GstRtcMeshFanoutClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstRtcBaseBinClass *base_class = GST_RTC_BASE_BIN_CLASS (klass);

  gobject_class->set_property = gst_rtc_mesh_fanout_set_property;
  gobject_class->get_property = gst_rtc_mesh_fanout_get_property;

  base_class->get_roles = gst_rtc_mesh_fanout_get_roles;
  base_class->accept_session = gst_rtc_mesh_fanout_accept_session;

  /**
   * GstRtcMeshFanout:max-peers:
   *
   * Sessions beyond this many are refused: the consumer gets
   * `endSessionV1_1` with the reason. Every peer costs an encoder branch
   * and a DTLS/SRTP context, so the default keeps one element from
   * exhausting the machine. 0 means no limit. Range 0 to G_MAXUINT,
   * default 64.
   */
  g_object_class_install_property (gobject_class, PROP_MAX_PEERS,
      g_param_spec_uint ("max-peers", "Maximum peers",
          "Refuse sessions beyond this many peers (0 = unlimited)", 0,
          G_MAXUINT, DEFAULT_MAX_PEERS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstRtcMeshFanout:stats:
   *
   * A #GstStructure named `meshrtc-fanout-stats` with `peers` (guint),
   * `keyframe-requests` and `keyframes-forced` (guint, counted since
   * start), and one field per session id holding a `peer` structure:
   * `peer-id`, `state` (string), `bytes-sent`, `packets-sent` (guint64),
   * `round-trip-time` (gdouble, s), `nack-count`, `pli-count`, `fir-count`
   * (guint). Reading it asks every connected peer's webrtcbin for its
   * statistics then (get-stats, W3C webrtc-stats) and waits at most 1 s
   * for the answers; nothing is polled in between, so a fanout nobody
   * asks pays nothing per peer for them.
   */
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Per-peer statistics: state, bytes/packets sent, RTT (s), NACKs, "
          "PLIs, FIRs, and keyframe counts", GST_TYPE_STRUCTURE,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_set_static_metadata (element_class,
      "WebRTC mesh fanout", "Sink/Network/WebRTC",
      "Streams one input to many WebRTC peers, encoded once, with built-in "
      "signalling and an optional embedded server and viewer page",
      "gst-meshrtc developers");
}
