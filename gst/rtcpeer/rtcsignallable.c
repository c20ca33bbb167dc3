/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The signaller interface (see rtcsignallable.h): its signals, the method
 * wrappers and the SDP text parser every implementation uses.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "rtcsignallable.h"

G_DEFINE_INTERFACE (RtcSignallable, rtc_signallable, G_TYPE_OBJECT);

#define STATIC(t) ((t) | G_SIGNAL_TYPE_STATIC_SCOPE)

static void
rtc_signallable_default_init (RtcSignallableInterface * iface)
{
  GType t = G_TYPE_FROM_INTERFACE (iface);
  GType desc = STATIC (GST_TYPE_WEBRTC_SESSION_DESCRIPTION);

  g_signal_new ("connected", t, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
  g_signal_new ("disconnected", t, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, STATIC (G_TYPE_ERROR), G_TYPE_BOOLEAN);
  g_signal_new ("session-requested", t, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
      NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, desc);
  g_signal_new ("session-started", t, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  g_signal_new ("session-ended", t, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  g_signal_new ("session-description", t, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
      NULL, G_TYPE_NONE, 2, G_TYPE_STRING, desc);
  g_signal_new ("session-ice-servers", t, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
      NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRV);
  g_signal_new ("handle-ice", t, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_STRING);
  g_signal_new ("producer-added", t, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, STATIC (GST_TYPE_STRUCTURE));
  g_signal_new ("producer-removed", t, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_STRING);
  g_signal_new ("error", t, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_STRING);
}

#define IFACE(self) RTC_SIGNALLABLE_GET_IFACE (self)

void
rtc_signallable_start (RtcSignallable * self)
{
  g_return_if_fail (RTC_IS_SIGNALLABLE (self));
  IFACE (self)->start (self);
}

void
rtc_signallable_stop (RtcSignallable * self)
{
  g_return_if_fail (RTC_IS_SIGNALLABLE (self));
  IFACE (self)->stop (self);
}

void
rtc_signallable_set_status (RtcSignallable * self, RtcRoles roles,
    const GstStructure * meta)
{
  g_return_if_fail (RTC_IS_SIGNALLABLE (self));
  IFACE (self)->set_status (self, roles, meta);
}

void
rtc_signallable_request_session (RtcSignallable * self,
    const gchar * producer_id)
{
  g_return_if_fail (RTC_IS_SIGNALLABLE (self));
  g_return_if_fail (producer_id != NULL);
  IFACE (self)->request_session (self, producer_id);
}

void
rtc_signallable_send_description (RtcSignallable * self,
    const gchar * session_id, const GstWebRTCSessionDescription * desc)
{
  g_return_if_fail (RTC_IS_SIGNALLABLE (self));
  g_return_if_fail (session_id != NULL && desc != NULL);
  IFACE (self)->send_description (self, session_id, desc);
}

void
rtc_signallable_send_candidate (RtcSignallable * self,
    const gchar * session_id, guint sdp_mline_index, const gchar * candidate)
{
  g_return_if_fail (RTC_IS_SIGNALLABLE (self));
  g_return_if_fail (session_id != NULL && candidate != NULL);
  IFACE (self)->send_candidate (self, session_id, sdp_mline_index, candidate);
}

void
rtc_signallable_end_session (RtcSignallable * self, const gchar * session_id,
    const gchar * reason)
{
  g_return_if_fail (RTC_IS_SIGNALLABLE (self));
  g_return_if_fail (session_id != NULL);
  IFACE (self)->end_session (self, session_id, reason);
}

const gchar *
rtc_signallable_get_peer_id (RtcSignallable * self)
{
  g_return_val_if_fail (RTC_IS_SIGNALLABLE (self), NULL);
  return IFACE (self)->get_peer_id (self);
}

gboolean
rtc_signallable_gives_ice_servers (RtcSignallable * self)
{
  g_return_val_if_fail (RTC_IS_SIGNALLABLE (self), FALSE);
  return IFACE (self)->gives_ice_servers ?
      IFACE (self)->gives_ice_servers (self) : FALSE;
}

GstWebRTCSessionDescription *
rtc_session_description_new_from_text (const gchar * type, const gchar * sdp,
    GError ** error)
{
  GstWebRTCSDPType sdp_type;
  GstSDPMessage *msg = NULL;

  if (g_strcmp0 (type, "offer") == 0) {
    sdp_type = GST_WEBRTC_SDP_TYPE_OFFER;
  } else if (g_strcmp0 (type, "answer") == 0) {
    sdp_type = GST_WEBRTC_SDP_TYPE_ANSWER;
  } else {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
        "unsupported SDP type '%s'", type ? type : "(null)");
    return NULL;
  }
  /* gst_sdp_message_new_from_text() asserts on an empty text (found by
   * fuzzing); a text without "v=" is no session description (RFC 8866
   * section 5.1) */
  if (!sdp || !*sdp || gst_sdp_message_new_from_text (sdp, &msg) != GST_SDP_OK
      || !gst_sdp_message_get_version (msg)) {
    if (msg)
      gst_sdp_message_free (msg);
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
        "invalid SDP %s: not an RFC 8866 session description", type);
    return NULL;
  }
  return gst_webrtc_session_description_new (sdp_type, msg);
}
