/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_CODECS_H__
#define __RTC_CODECS_H__

#include <gst/gst.h>

G_BEGIN_DECLS

typedef enum
{
  RTC_MEDIA_VIDEO,
  RTC_MEDIA_AUDIO,
} RtcMediaKind;

/**
 * RtcCodec:
 * @kind: audio or video
 * @name: RTP encoding name (RFC 4855), as in a=rtpmap
 * @payload_type: the dynamic payload type we send it with (an offerer's
 *   own numbers are used when we answer, see rtctrack.c)
 * @clock_rate: RTP clock rate in Hz
 * @encoding_params: channels for audio (a=rtpmap), or %NULL
 * @fmtp: the a=fmtp parameters we offer to receive, or %NULL
 * @encoded_caps: media type of encoded input that is sent as it is, or
 *   %NULL
 * @encoder: gst-launch fragment that encodes raw input; one `%u`, the
 *   target bitrate in units of @bitrate_divisor bit/s; %NULL when we only
 *   receive this codec
 * @bitrate_divisor: 1 for bit/s, 1000 for kbit/s
 * @parser: parser before the payloader for encoded input, or %NULL
 * @payloader: payloader factory and its settings (pt and mtu are added)
 * @depayloader: depayloader factory
 * @decoder: gst-launch fragment from depayloaded to raw media
 * @encoded_parser: parser after the depayloader when not decoding, or
 *   %NULL
 *
 * One row of the codec table: everything the elements know about a codec,
 * in one place. The sending chains (rtctrack.c), the receive caps we offer
 * (rtcpeersession.c), the receiving chains (rtcsignalbin) and the element
 * types made early (rtctypes.c) all read it. Adding a codec is one row.
 */
typedef struct
{
  RtcMediaKind kind;
  const gchar *name;
  guint payload_type;
  guint clock_rate;
  const gchar *encoding_params;
  const gchar *fmtp;
  const gchar *encoded_caps;
  const gchar *encoder;
  guint bitrate_divisor;
  const gchar *parser;
  const gchar *payloader;
  const gchar *depayloader;
  const gchar *decoder;
  const gchar *encoded_parser;
} RtcCodec;

/* keeps every packet under a typical internet path MTU with SRTP and TURN
 * overhead */
#define RTC_CODEC_RTP_MTU 1200

const RtcCodec * rtc_codecs_get (guint * n_codecs);
/* By RTP encoding name, case-insensitive (RFC 4855 section 3). */
const RtcCodec * rtc_codec_by_name (const gchar * encoding_name);
/* The codec that sends encoded input of media type @media_type. */
const RtcCodec * rtc_codec_for_encoded (const gchar * media_type);

/* The sending chain: @encoder (raw input, @bitrate in bit/s) or @parser,
 * then the payloader with our payload type, RTC_CODEC_RTP_MTU and @ssrc
 * (RFC 3550 section 8.1: chosen at random by the caller). */
gchar *   rtc_codec_send_description (const RtcCodec * codec, gboolean raw_input,
                                      guint bitrate, guint ssrc);
/* The RTP caps the chain of rtc_codec_send_description() sends, from the
 * table alone: payload type, clock rate, the fmtp parameters of the row and
 * @ssrc. An offer can be made from them before the encoder has produced
 * anything (the payloader's own caps add only what the SDP does not need,
 * such as sprop-parameter-sets, which the stream repeats in-band). */
GstCaps * rtc_codec_send_caps (const RtcCodec * codec, guint ssrc);
/* The receiving chain after webrtcbin: depayloader, then decoder (and a
 * converter) or the parser. */
gchar *   rtc_codec_receive_description (const RtcCodec * codec, gboolean decode);
/* What we can receive of @kind, one structure per codec with a decoder,
 * in preference order, for a receive-only transceiver. */
GstCaps * rtc_codecs_receive_caps (RtcMediaKind kind);
/* Calls @func with every element factory name the table uses. */
void      rtc_codecs_foreach_factory (void (*func) (const gchar * factory,
                                                    gpointer user_data),
                                      gpointer user_data);

G_END_DECLS

#endif
