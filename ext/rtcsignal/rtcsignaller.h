/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_SIGNALLER_H__
#define __RTC_SIGNALLER_H__

#include <gio/gio.h>
#include "rtcprotocol.h"

G_BEGIN_DECLS

/**
 * RtcSignaller:
 *
 * WebSocket signalling client (libsoup-3) speaking the protocol of
 * rtcprotocol.h. It lives in the GMainContext that is thread-default when
 * rtc_signaller_start() is called, and every signal is emitted there.
 *
 * It reconnects by itself with capped exponential backoff and re-registers
 * (setProtocolVersion, setPeerStatus) after every reconnect. Every connect
 * carries `meshrtc-resume=<token>` (a random secret made once per
 * signaller, never logged) and, once it had one, `meshrtc-peer=<former
 * peer id>` in the URI query: a gst-meshrtc server then gives the same
 * peer id back, with its sessions if it still has them, and "connected"
 * is emitted with the same id as before (a resumed registration).
 * Incoming messages are parsed with rtc_json_parse() and limited to
 * 1 MiB; permessage-deflate is not offered.
 *
 * Signals:
 * - "connected" (const gchar *peer_id): welcome received and status sent
 * - "disconnected" (const GError *error, gboolean was_registered): the
 *   socket closed or could not be opened; a retry is scheduled
 *   (was_registered tells whether a welcome had been received)
 * - "message" (RtcMessage *msg): any other server message
 */
#define RTC_TYPE_SIGNALLER (rtc_signaller_get_type ())
G_DECLARE_FINAL_TYPE (RtcSignaller, rtc_signaller, RTC, SIGNALLER, GObject)

RtcSignaller * rtc_signaller_new (const gchar * uri, const gchar * auth_token);

/* meta is copied (may be NULL). Takes effect at the next (re)registration
 * and is sent at once when connected. */
void     rtc_signaller_set_status (RtcSignaller * self, RtcRoles roles, JsonObject * meta);

void     rtc_signaller_start (RtcSignaller * self);
void     rtc_signaller_stop (RtcSignaller * self);

/* Queues nothing: returns FALSE if not connected. */
gboolean rtc_signaller_send (RtcSignaller * self, const RtcMessage * msg);

const gchar * rtc_signaller_get_peer_id (RtcSignaller * self);
gboolean      rtc_signaller_get_sessions_kept (RtcSignaller * self);

/* Validates a signalling URI: ws:// or wss:// with a host. */
gboolean rtc_signaller_check_uri (const gchar * uri, GError ** error);

G_END_DECLS

#endif
