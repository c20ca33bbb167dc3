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

#include "rtccodecs.h"

/* The table, in preference order per kind (receive caps are offered in
 * this order).
 *
 * - H264 (RFC 6184): constrained baseline, packetization-mode 1, no
 *   B-frames, SPS/PPS on every keyframe (config-interval=-1) so late
 *   joiners decode at once: what every browser decodes. x264 with more
 *   than 4 threads makes slices Chrome's decoder mishandles.
 * - VP8 (RFC 7741), VP9 (RFC 9628): libvpx in real-time mode.
 * - Opus (RFC 7587), in-band FEC as browsers offer it. */
static const RtcCodec codecs[] = {
  {RTC_MEDIA_VIDEO, "H264", 102, 90000, NULL,
        "packetization-mode=1;profile-level-id=42e01f;"
        "level-asymmetry-allowed=1", "video/x-h264",
        "videoconvert ! x264enc tune=zerolatency speed-preset=ultrafast "
        "threads=2 bframes=0 key-int-max=300 bitrate=%u ! "
        "video/x-h264,profile=constrained-baseline", 1000, "h264parse",
        "rtph264pay config-interval=-1 aggregate-mode=zero-latency",
      "rtph264depay", "h264parse ! avdec_h264 ! videoconvert", "h264parse"},
  {RTC_MEDIA_VIDEO, "VP8", 96, 90000, NULL, NULL, "video/x-vp8",
        "videoconvert ! vp8enc deadline=1 cpu-used=8 threads=2 "
        "error-resilient=partitions keyframe-max-dist=300 lag-in-frames=0 "
        "target-bitrate=%u", 1, NULL, "rtpvp8pay picture-id-mode=15-bit",
      "rtpvp8depay", "vp8dec ! videoconvert", NULL},
  {RTC_MEDIA_VIDEO, "VP9", 98, 90000, NULL, NULL, "video/x-vp9",
        "videoconvert ! vp9enc deadline=1 cpu-used=8 threads=2 "
        "keyframe-max-dist=300 lag-in-frames=0 row-mt=true "
        "target-bitrate=%u", 1, NULL, "rtpvp9pay picture-id-mode=15-bit",
      "rtpvp9depay", "vp9dec ! videoconvert", NULL},
  {RTC_MEDIA_AUDIO, "OPUS", 111, 48000, "2", "minptime=10;useinbandfec=1",
        "audio/x-opus", "audioconvert ! audioresample ! opusenc bitrate=%u",
        1, "opusparse", "rtpopuspay", "rtpopusdepay",
      "opusdec ! audioconvert", "opusparse"},
};

const RtcCodec *
rtc_codecs_get (guint * n_codecs)
{
  *n_codecs = G_N_ELEMENTS (codecs);
  return codecs;
}

const RtcCodec *
rtc_codec_by_name (const gchar * encoding_name)
{
  guint i;

  for (i = 0; encoding_name && i < G_N_ELEMENTS (codecs); i++)
    if (g_ascii_strcasecmp (codecs[i].name, encoding_name) == 0)
      return &codecs[i];
  return NULL;
}

const RtcCodec *
rtc_codec_for_encoded (const gchar * media_type)
{
  guint i;

  for (i = 0; media_type && i < G_N_ELEMENTS (codecs); i++)
    if (g_strcmp0 (codecs[i].encoded_caps, media_type) == 0)
      return &codecs[i];
  return NULL;
}

gchar *
rtc_codec_send_description (const RtcCodec * codec, gboolean raw_input,
    guint bitrate, guint ssrc)
{
  GString *desc;

  if (raw_input && !codec->encoder)
    return NULL;
  desc = g_string_new (NULL);
  if (raw_input) {
    /* the bitrate in the encoder's own unit where its "%u" stands */
    gchar **parts = g_strsplit (codec->encoder, "%u", 2);
    gchar *rate = g_strdup_printf ("%u",
        MAX (bitrate / codec->bitrate_divisor, 1));
    gchar *encoder = g_strjoinv (rate, parts);

    g_string_append_printf (desc, "%s ! ", encoder);
    g_free (encoder);
    g_free (rate);
    g_strfreev (parts);
  } else if (codec->parser) {
    g_string_append_printf (desc, "%s ! ", codec->parser);
  }
  g_string_append_printf (desc, "%s pt=%u mtu=%u ssrc=%u", codec->payloader,
      codec->payload_type, RTC_CODEC_RTP_MTU, ssrc);
  return g_string_free (desc, FALSE);
}

gchar *
rtc_codec_receive_description (const RtcCodec * codec, gboolean decode)
{
  if (decode)
    return g_strdup_printf ("%s ! %s", codec->depayloader, codec->decoder);
  if (codec->encoded_parser)
    return g_strdup_printf ("%s ! %s", codec->depayloader,
        codec->encoded_parser);
  return g_strdup (codec->depayloader);
}

/* "a=b;c=d" into string fields of @s */
static void
set_fmtp_fields (GstStructure * s, const gchar * fmtp)
{
  gchar **params = g_strsplit (fmtp, ";", -1), **p;

  for (p = params; *p; p++) {
    gchar **kv = g_strsplit (*p, "=", 2);

    if (kv[0] && kv[1])
      gst_structure_set (s, kv[0], G_TYPE_STRING, kv[1], NULL);
    g_strfreev (kv);
  }
  g_strfreev (params);
}

/* the codec's row as one RTP caps structure: what we offer to receive,
 * and what we send before the payloader has caps */
static GstStructure *
codec_structure (const RtcCodec * c)
{
  GstStructure *s = gst_structure_new ("application/x-rtp",
      "media", G_TYPE_STRING, c->kind == RTC_MEDIA_VIDEO ? "video" : "audio",
      "encoding-name", G_TYPE_STRING, c->name,
      "payload", G_TYPE_INT, (gint) c->payload_type,
      "clock-rate", G_TYPE_INT, (gint) c->clock_rate, NULL);

  if (c->encoding_params)
    gst_structure_set (s, "encoding-params", G_TYPE_STRING,
        c->encoding_params, NULL);
  if (c->fmtp)
    set_fmtp_fields (s, c->fmtp);
  return s;
}

GstCaps *
rtc_codecs_receive_caps (RtcMediaKind kind)
{
  GstCaps *caps = gst_caps_new_empty ();
  guint i;

  for (i = 0; i < G_N_ELEMENTS (codecs); i++) {
    if (codecs[i].kind == kind && codecs[i].decoder)
      gst_caps_append_structure (caps, codec_structure (&codecs[i]));
  }
  return caps;
}

GstCaps *
rtc_codec_send_caps (const RtcCodec * codec, guint ssrc)
{
  GstStructure *s = codec_structure (codec);

  gst_structure_set (s, "ssrc", G_TYPE_UINT, ssrc, NULL);
  return gst_caps_new_full (s, NULL);
}

/* the first word of every "a ! b ! c" part that names an element (caps
 * filters contain '/') */
static void
foreach_in_description (const gchar * desc,
    void (*func) (const gchar *, gpointer), gpointer user_data)
{
  gchar **parts;
  guint i;

  if (!desc)
    return;
  parts = g_strsplit (desc, "!", -1);
  for (i = 0; parts[i]; i++) {
    gchar **words = g_strsplit (g_strstrip (parts[i]), " ", 2);

    if (words[0] && *words[0] && !strchr (words[0], '/'))
      func (words[0], user_data);
    g_strfreev (words);
  }
  g_strfreev (parts);
}

void
rtc_codecs_foreach_factory (void (*func) (const gchar *, gpointer),
    gpointer user_data)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (codecs); i++) {
    const RtcCodec *c = &codecs[i];

    foreach_in_description (c->encoder, func, user_data);
    foreach_in_description (c->parser, func, user_data);
    foreach_in_description (c->payloader, func, user_data);
    foreach_in_description (c->depayloader, func, user_data);
    foreach_in_description (c->decoder, func, user_data);
    foreach_in_description (c->encoded_parser, func, user_data);
  }
}
