/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_SDP_H__
#define __RTC_SDP_H__

#include <gst/sdp/sdp.h>

G_BEGIN_DECLS

/* The value of @key in @media's "a=fmtp:@pt ..." line (RFC 8866 section
 * 6.15), or NULL. Free with g_free(). */
gchar *       rtc_sdp_media_get_fmtp (const GstSDPMedia * media,
                                      const gchar * pt, const gchar * key);

/* Our DTLS role on an established session, "active" or "passive", from
 * the descriptions in use (@local ours, @remote theirs; RFC 5763 section
 * 5), or NULL when none is negotiated yet. */
const gchar * rtc_sdp_dtls_role (const GstSDPMessage * local,
                                 const GstSDPMessage * remote);

/* Fixes what webrtcbin 1.22 gets wrong in @answer, in place:
 * - H264: when the offer's profile-level-id differs from our encoder's,
 *   webrtcbin drops it from the answer (it intersects caps); the offer's
 *   value is put back (RFC 6184 section 8.2.2: an answer keeps the
 *   offered profile; our constrained baseline is valid in every baseline
 *   profile a browser offers). @offer may be NULL.
 * - DTLS role: webrtcbin always answers "a=setup:active"; on a
 *   renegotiation after a session we offered (we are the DTLS server)
 *   Chromium refuses that ("Failed to set SSL role for the transport").
 *   RFC 8842 section 5.5: the role stays, so every "setup" becomes @role
 *   when it is not NULL. */
void          rtc_sdp_fix_answer (GstSDPMessage * answer,
                                  const GstSDPMessage * offer,
                                  const gchar * role);

G_END_DECLS

#endif /* __RTC_SDP_H__ */
