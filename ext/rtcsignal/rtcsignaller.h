/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_SIGNALLER_H__
#define __RTC_SIGNALLER_H__

#include <gio/gio.h>
#include "rtcprotocol.h"
#include "rtcsignallable.h"

G_BEGIN_DECLS

/**
 * RtcSignaller:
 *
 * The #RtcSignallable of gst-plugins-rs' WebSocket signalling protocol
 * (docs/protocol.md), over libsoup-3. It lives in the GMainContext that is
 * thread-default when rtc_signallable_start() is called, and every signal
 * is emitted there.
 *
 * Protocol: setProtocolVersion first, setPeerStatus after every welcome
 * (and `list` when the roles include listener: each producer listed, and
 * each later peerStatusChanged with the producer role, is a
 * "producer-added"; our own id never is). A `peer` message's SDP is
 * parsed here, once; an invalid one ends its session (endSession to the
 * server, "session-ended" to the element). A startSession's offer is
 * parsed the same way; an invalid one refuses the session.
 *
 * Transport: it reconnects by itself with capped exponential backoff
 * (100 ms doubling to 5 s) and re-registers after every reconnect. Every
 * connect carries `meshrtc-resume=<token>` (a random secret made once per
 * signaller, never logged) and, once it had one, `meshrtc-peer=<former
 * peer id>` in the URI query: a gst-meshrtc server then gives the same
 * peer id back, with its sessions if it still has them ("connected" with
 * resumed=TRUE). Incoming messages are parsed with rtc_json_parse() and
 * limited to 1 MiB; permessage-deflate is not offered.
 */
#define RTC_TYPE_SIGNALLER (rtc_signaller_get_type ())
G_DECLARE_FINAL_TYPE (RtcSignaller, rtc_signaller, RTC, SIGNALLER, GObject)

RtcSignaller * rtc_signaller_new (const gchar * uri, const gchar * auth_token);

/* Validates a signalling URI: ws:// or wss:// with a host. */
gboolean rtc_signaller_check_uri (const gchar * uri, GError ** error);

/**
 * RtcSignallerSendFunc:
 * @text: one protocol message (a WebSocket text frame)
 * @user_data: as given to rtc_signaller_new_detached()
 *
 * Where a detached signaller writes.
 */
typedef void (*RtcSignallerSendFunc) (const gchar * text, gpointer user_data);

/* A signaller without a network, for unit tests of its protocol logic:
 * rtc_signallable_start() opens nothing, what it sends goes to @send, and
 * the test plays the transport with the three calls below. */
RtcSignaller * rtc_signaller_new_detached (RtcSignallerSendFunc send, gpointer user_data);
/* the connection is open: the signaller introduces itself */
void     rtc_signaller_transport_opened (RtcSignaller * self);
/* one text frame from the server */
void     rtc_signaller_transport_received (RtcSignaller * self, const gchar * text, gsize len);
/* the connection is gone ("disconnected" follows) */
void     rtc_signaller_transport_lost (RtcSignaller * self, const GError * error);

G_END_DECLS

#endif
