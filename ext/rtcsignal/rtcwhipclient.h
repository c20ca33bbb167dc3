/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_WHIP_CLIENT_H__
#define __RTC_WHIP_CLIENT_H__

#include <gio/gio.h>
#include "rtcsignallable.h"

G_BEGIN_DECLS

/**
 * RtcWhipDirection:
 * @RTC_WHIP_PUBLISH: WHIP (RFC 9725): we send media to the endpoint
 * @RTC_WHIP_PLAY: WHEP (draft-ietf-wish-whep): we receive media from it
 *
 * The offer is ours in both: sendonly for WHIP, recvonly for WHEP.
 */
typedef enum
{
  RTC_WHIP_PUBLISH,
  RTC_WHIP_PLAY,
} RtcWhipDirection;

/**
 * RtcWhipClient:
 *
 * The #RtcSignallable of a WHIP or WHEP client, over libsoup-3: one
 * session at a time with one HTTP endpoint. Signals are emitted in the
 * GMainContext that is thread-default at rtc_signallable_start().
 *
 * At start it is "connected" (its peer id is made up, the endpoint has
 * none) and asks the element for a session ("session-requested" without
 * an offer: the element offers). The offer is POSTed as
 * `application/sdp` with `Authorization: Bearer <auth-token>` when one
 * is set (RFC 9725 section 4.2); a 201 carries the answer
 * ("session-description") and the resource URL (`Location`, relative to
 * the URL that answered, so after a 307 redirect to the new one, which
 * libsoup follows keeping the method and body). Local ICE candidates are
 * held until the 201 and sent in one PATCH of
 * `application/trickle-ice-sdpfrag` (RFC 8840), then one PATCH each
 * (section 4.3.1); an endpoint that answers a PATCH with 405 or 501 gets
 * no more. Ending the session (the element's rtc_signallable_end_session,
 * e.g. when the connection failed) DELETEs the resource (section 4.2) and
 * asks for a new session after a backoff of 500 ms doubling to 10 s; so
 * does a failed POST, after "session-ended" and "disconnected" with an
 * error naming the HTTP status. rtc_signallable_stop() DELETEs the
 * resource and waits for the answer at most 1 s.
 *
 * Limits: answers are read up to 1 MiB; every request times out after
 * 10 s.
 */
#define RTC_TYPE_WHIP_CLIENT (rtc_whip_client_get_type ())
G_DECLARE_FINAL_TYPE (RtcWhipClient, rtc_whip_client, RTC, WHIP_CLIENT, GObject)

RtcWhipClient * rtc_whip_client_new (const gchar * endpoint, const gchar * auth_token,
                                     RtcWhipDirection direction);

/* Validates a WHIP/WHEP endpoint: an http:// or https:// URI with a host. */
gboolean rtc_whip_client_check_endpoint (const gchar * endpoint, GError ** error);

G_END_DECLS

#endif
