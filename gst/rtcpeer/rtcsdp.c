/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * SDP fixes for webrtcbin 1.22's answers: pure functions over GstSDP
 * messages, tested without a peer connection (tests/check/libs/sdp.c).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "rtcsdp.h"

gchar *
rtc_sdp_media_get_fmtp (const GstSDPMedia * media, const gchar * pt,
    const gchar * key)
{
  guint i;

  for (i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (media, i);
    gchar **params, **p;
    gchar *value = NULL;
    gsize ptlen = strlen (pt);

    if (g_strcmp0 (a->key, "fmtp") != 0 || !a->value
        || strncmp (a->value, pt, ptlen) != 0 || a->value[ptlen] != ' ')
      continue;
    params = g_strsplit (a->value + ptlen + 1, ";", -1);
    for (p = params; *p && !value; p++) {
      gchar *eq = strchr (g_strstrip (*p), '=');

      if (eq && eq - *p == (gssize) strlen (key)
          && strncmp (*p, key, eq - *p) == 0)
        value = g_strdup (eq + 1);
    }
    g_strfreev (params);
    return value;
  }
  return NULL;
}

/* RFC 6184 section 8.2.2: an H264 answer keeps the offer's profile. When
 * the strings differ, webrtcbin 1.22 drops profile-level-id from the answer
 * (it intersects caps). Our encoder's constrained baseline is valid in
 * every baseline profile a browser offers, so the offer's value is put
 * back. (A stream decoded but never rendered in Chromium was another
 * thing: an answer built before the branch's caps arrived, naming another
 * payload type and SSRC than the packets; see send_caps_query_probe() in
 * rtctrack.c.) */
static void
answer_keeps_offered_h264_profile (GstSDPMedia * answer,
    const GstSDPMedia * offer)
{
  guint i;

  for (i = 0; i < gst_sdp_media_attributes_len (answer); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute (answer, i);
    gchar pt[16];
    gchar *offered, *mine, *value;
    GstSDPAttribute fixed;

    if (g_strcmp0 (a->key, "rtpmap") != 0 || !a->value
        || !strstr (a->value, " H264/"))
      continue;
    g_strlcpy (pt, a->value, MIN (sizeof pt, (gsize) (strchr (a->value,
                    ' ') - a->value + 1)));
    offered = rtc_sdp_media_get_fmtp (offer, pt, "profile-level-id");
    mine = rtc_sdp_media_get_fmtp (answer, pt, "profile-level-id");
    if (offered && !mine) {
      guint j;

      for (j = 0; j < gst_sdp_media_attributes_len (answer); j++) {
        const GstSDPAttribute *f = gst_sdp_media_get_attribute (answer, j);

        if (g_strcmp0 (f->key, "fmtp") == 0 && f->value
            && g_str_has_prefix (f->value, pt)
            && f->value[strlen (pt)] == ' ') {
          value = g_strdup_printf ("%s;profile-level-id=%s", f->value, offered);
          gst_sdp_attribute_set (&fixed, "fmtp", value);
          gst_sdp_media_replace_attribute (answer, j, &fixed);
          g_free (value);
          break;
        }
      }
    }
    g_free (offered);
    g_free (mine);
  }
}

const gchar *
rtc_sdp_dtls_role (const GstSDPMessage * local, const GstSDPMessage * remote)
{
  const gchar *mine, *theirs;

  if (!local || !remote || gst_sdp_message_medias_len (local) == 0
      || gst_sdp_message_medias_len (remote) == 0)
    return NULL;
  mine = gst_sdp_media_get_attribute_val (gst_sdp_message_get_media (local,
          0), "setup");
  theirs = gst_sdp_media_get_attribute_val (gst_sdp_message_get_media
      (remote, 0), "setup");
  if (g_strcmp0 (mine, "active") == 0 || g_strcmp0 (theirs, "passive") == 0)
    return "active";
  if (g_strcmp0 (mine, "passive") == 0 || g_strcmp0 (theirs, "active") == 0)
    return "passive";
  return NULL;
}

void
rtc_sdp_fix_answer (GstSDPMessage * answer, const GstSDPMessage * offer,
    const gchar * role)
{
  guint i;

  for (i = 0; i < gst_sdp_message_medias_len (answer); i++) {
    GstSDPMedia *m = (GstSDPMedia *) gst_sdp_message_get_media (answer, i);
    guint j;

    if (offer && i < gst_sdp_message_medias_len (offer))
      answer_keeps_offered_h264_profile (m, gst_sdp_message_get_media (offer,
              i));
    for (j = 0; role && j < gst_sdp_media_attributes_len (m); j++) {
      const GstSDPAttribute *a = gst_sdp_media_get_attribute (m, j);
      GstSDPAttribute fixed;

      if (g_strcmp0 (a->key, "setup") == 0 && g_strcmp0 (a->value, role) != 0) {
        gst_sdp_attribute_set (&fixed, "setup", role);
        gst_sdp_media_replace_attribute (m, j, &fixed);
      }
    }
  }
}
