/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_TRACK_H__
#define __RTC_TRACK_H__

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include "rtcpeersession.h"

G_BEGIN_DECLS

/**
 * RtcVideoCodec:
 * @RTC_VIDEO_CODEC_H264: H.264 constrained baseline, packetization-mode 1
 *   (RFC 6184), profile-level-id 42e01f: what every browser decodes
 * @RTC_VIDEO_CODEC_VP8: VP8 (RFC 7741)
 * @RTC_VIDEO_CODEC_VP9: VP9 (RFC 9628), profile 0
 *
 * Codec raw video is encoded to (a row of the codec table, rtccodecs.h).
 * Encoded input is passed through.
 */
typedef enum
{
  RTC_VIDEO_CODEC_H264,
  RTC_VIDEO_CODEC_VP8,
  RTC_VIDEO_CODEC_VP9,
} RtcVideoCodec;

#define RTC_TYPE_VIDEO_CODEC (rtc_video_codec_get_type ())
GType rtc_video_codec_get_type (void);

/**
 * RtcTrack:
 *
 * One local track of an element: a sink pad, the encoder chain (built once
 * the input caps are known: raw input is encoded once, encoded input is
 * parsed and payloaded) and a tee that fans the RTP stream out to peer
 * sessions, each through its own branch.
 *
 * A branch drops buffers until it is opened (the session is connected),
 * then goes through a leaky queue: webrtcbin holds its sink pads blocked
 * until negotiation, and a full non-leaky queue would block the tee and
 * stall every other peer. Branches are removed through an IDLE probe on the
 * tee pad; the elements are set to NULL on the owner's main context.
 *
 * Upstream keyframe requests are coalesced (rtckeyframe.h).
 */
typedef struct _RtcTrack RtcTrack;
typedef struct _RtcTrackBranch RtcTrackBranch;

typedef struct
{
  RtcVideoCodec video_codec;
  guint video_bitrate;          /* bit/s */
  guint audio_bitrate;          /* bit/s */
  guint keyframe_interval_ms;   /* minimum time between forced keyframes */
} RtcTrackConfig;

/* Deferred work (branch teardown, deferred keyframes) runs on @context. */
RtcTrack *   rtc_track_new (GstBin * bin, GMainContext * context, RtcMediaKind kind,
                            const gchar * name, const RtcTrackConfig * config);
RtcMediaKind rtc_track_get_kind (RtcTrack * self);
const gchar *rtc_track_get_name (RtcTrack * self);
/* The pad the element ghosts as its request sink pad. */
GstPad *     rtc_track_get_sink_pad (RtcTrack * self);
/* RTP caps of the encoded stream: the payloader's once it has sent them;
 * before that, for raw input (which the track encodes itself), the codec
 * table's (rtc_codec_send_caps(), with the track's SSRC), so a session can
 * offer while the encoder starts. NULL before the input caps arrived, and
 * for encoded input until its payloader has caps. */
GstCaps *    rtc_track_get_rtp_caps (RtcTrack * self);
void         rtc_track_set_keyframe_interval (RtcTrack * self, guint interval_ms);
void         rtc_track_request_keyframe (RtcTrack * self);
void         rtc_track_get_keyframe_counts (RtcTrack * self, guint * requests, guint * forced);

/* Answerer: the caps to send this track with on an offered m-line, using
 * the offer's payload type (and, for H264, its profile-level-id) for our
 * codec; NULL when the offer has no payload type for it. */
GstCaps *    rtc_track_caps_for_offer (RtcTrack * self, const GstSDPMedia * media);

/* Links the track to @session (answerer: to the transceiver of @mline, or
 * -1 for a new one). The branch's webrtcbin pad gets @send_caps (from
 * rtc_track_caps_for_offer()) or, when NULL, rtc_track_get_rtp_caps() as
 * they are now, and nothing else; with another payload type than ours
 * every packet is rewritten to it: the encoder is shared, its payloader's
 * type is fixed, and an offerer chooses its own numbers. Returns NULL if
 * the track has no caps yet. */
RtcTrackBranch * rtc_track_add_branch (RtcTrack * self, RtcPeerSession * session, gint mline,
                                       GstWebRTCRTPTransceiverDirection direction,
                                       GstCaps * send_caps);
/* Lets media through (call once the session is connected) and asks for a
 * keyframe so the peer can start decoding at once. */
void         rtc_track_branch_open (RtcTrackBranch * branch);
/* Unlinks and frees the branch; call on the owner's main context. */
void         rtc_track_branch_remove (RtcTrackBranch * branch);

/* Removes the whole track from the bin; all branches must be gone. */
void         rtc_track_free (RtcTrack * self);

G_END_DECLS

#endif
