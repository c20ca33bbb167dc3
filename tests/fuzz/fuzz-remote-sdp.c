/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/*
 * libFuzzer harness for what happens to a remote session description
 * before webrtcbin sees it. One input is the "sdp" string of a `peer`
 * message (a JSON string, so it ends at the first NUL).
 *
 * The text is parsed once, by the signaller, with the real
 * rtc_session_description_new_from_text() (gst/rtcpeer/rtcsignallable.c:
 * an empty text, another type, no RFC 8866 description or no version are
 * refused). What follows needs a live webrtcbin, so this harness mirrors
 * it call for call on the GStreamer SDP library:
 * attach_tracks_to_offer() (ext/meshrtc/gstrtcbasebin-sessions.c, which
 * runs first on an offer) compares gst_sdp_media_get_media() of every
 * m-line, however many; rtc_peer_session_set_remote_description()
 * (gst/rtcpeer/rtcpeersession.c) takes it only with 1 to
 * RTC_PEER_SESSION_MAX_MEDIA m-lines; only then does it hand the
 * GstWebRTCSessionDescription to webrtcbin. For a description taken,
 * it goes on with the accessors webrtcbin applies first to a remote
 * description (attributes, formats) and a text round trip. It stops short
 * of gst_sdp_media_get_caps_from_media(): that makes every fmtp parameter
 * name a GQuark (never freed, by GLib's design), which is webrtcbin's
 * business and would show as GLib's quark-table growth here.
 * Keep it in step with those two functions (docs/testing.md).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include "rtcpeersession.h"
#include "rtcsignallable.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

/* No gst_init(): it registers so many quarks that GLib grows its quark
 * table, and GLib leaks the old block by design (glib/gquark.c), which
 * LeakSanitizer would report at the first check. Nothing here needs it.
 * libFuzzer counts what the first input allocates once (types) as a
 * leak: run one typical input before fuzzing starts */
static const gchar warm_up[] =
    "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n" "a=rtpmap:96 VP8/90000\r\n";

/* A g_critical from the SDP library means we handed it something it
 * refuses to take: a finding, like a crash. */
static void
on_critical (const gchar * domain, GLogLevelFlags level, const gchar * message,
    gpointer user_data)
{
  g_printerr ("%s-CRITICAL: %s\n", domain ? domain : "", message);
  abort ();
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_handler ("GStreamer-SDP", G_LOG_LEVEL_CRITICAL, on_critical, NULL);
  LLVMFuzzerTestOneInput ((const uint8_t *) warm_up, sizeof warm_up - 1);
  return 0;
}

/* attach_tracks_to_offer(): every m-line's kind against the local
 * tracks' ("video"/"audio"), before the session sees the offer */
static void
attach_tracks_to_offer (const GstSDPMessage * msg)
{
  guint i;

  for (i = 0; i < gst_sdp_message_medias_len (msg); i++) {
    const gchar *media =
        gst_sdp_media_get_media (gst_sdp_message_get_media (msg, i));

    (void) g_strcmp0 (media, "video");
    (void) g_strcmp0 (media, "audio");
  }
}

/* rtc_peer_session_set_remote_description()'s acceptance test */
static gboolean
remote_sdp_acceptable (const GstSDPMessage * msg)
{
  return gst_sdp_message_medias_len (msg) > 0
      && gst_sdp_message_medias_len (msg) <= RTC_PEER_SESSION_MAX_MEDIA;
}

static void
walk_media (const GstSDPMedia * media)
{
  guint i;

  /* attach_tracks_to_offer() compares the kind with "video"/"audio" */
  (void) g_strcmp0 (gst_sdp_media_get_media (media), "video");
  (void) gst_sdp_media_get_port (media);
  (void) gst_sdp_media_get_proto (media);
  (void) gst_sdp_media_get_attribute_val (media, "mid");
  (void) gst_sdp_media_get_attribute_val (media, "ice-ufrag");
  (void) gst_sdp_media_get_attribute_val (media, "fingerprint");
  for (i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *attr = gst_sdp_media_get_attribute (media, i);

    if (!attr || !attr->key)
      abort ();
  }
  for (i = 0; i < gst_sdp_media_formats_len (media); i++) {
    const gchar *fmt = gst_sdp_media_get_format (media, i);

    if (!fmt)
      abort ();
    (void) gst_sdp_media_get_attribute_val_n (media, "rtpmap", i);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autofree gchar *sdp = g_strndup ((const gchar *) data, size);
  GstSDPMessage *msg, *again = NULL;
  GstWebRTCSessionDescription *desc, *copy;
  GError *error = NULL;
  gchar *text;
  guint i;

  /* the signaller's parse; an empty text must be refused before the SDP
   * library sees it: gst_sdp_message_new_from_text ("") fails its
   * assertion 'size != 0' (crashes-found/critical-remote-sdp-empty) */
  desc = rtc_session_description_new_from_text ("offer", sdp, &error);
  if (!desc) {
    if (!error || !error->message)
      abort ();
    g_error_free (error);
    return 0;
  }
  msg = desc->sdp;
  attach_tracks_to_offer (msg);
  /* refused before webrtcbin sees it: nothing more of ours runs on it */
  if (!remote_sdp_acceptable (msg)) {
    gst_webrtc_session_description_free (desc);
    return 0;
  }

  for (i = 0; i < gst_sdp_message_medias_len (msg); i++)
    walk_media (gst_sdp_message_get_media (msg, i));
  for (i = 0; i < gst_sdp_message_attributes_len (msg); i++)
    (void) gst_sdp_message_get_attribute (msg, i);

  /* what the session hands to webrtcbin: a copy */
  copy = gst_webrtc_session_description_copy (desc);
  text = gst_sdp_message_as_text (copy->sdp);
  if (!text)
    abort ();
  /* what we print parses again (webrtcbin logs and re-sends it) */
  if (gst_sdp_message_new_from_text (text, &again) != GST_SDP_OK)
    abort ();
  gst_sdp_message_free (again);
  g_free (text);
  gst_webrtc_session_description_free (copy);
  gst_webrtc_session_description_free (desc);
  return 0;
}
