/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_SIGNALLING_SERVER_H__
#define __RTC_SIGNALLING_SERVER_H__

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * RtcSignallingServer:
 *
 * The gst-plugins-rs compatible signalling server (WebSocket endpoint `/`),
 * with our room extension, as a GObject. gst-meshrtc-signalling-server is a
 * thin main() around it and rtcmeshfanout runs it in-process.
 *
 * Properties:
 * - "host" (gchar*, default "127.0.0.1"): address to listen on
 * - "port" (guint, 0-65535, default 8443; 0 picks a free port, read it back
 *   with rtc_signalling_server_get_port() after start)
 * - "auth-token" (gchar*, write-only, default NULL): when set, clients must
 *   present it as `Authorization: Bearer <token>` or `?token=<token>`
 * - "max-message-size" (guint, bytes, default 1048576)
 * - "ping-interval" (guint, s, default 30)
 * - "tls-certificate" (GTlsCertificate*, default NULL): serve wss/https
 * - "serve-viewer" (gboolean, default TRUE): answer plain HTTP GET on `/`
 *   with the embedded viewer page
 * - "ice-servers" (gchar*, default NULL): RTCIceServer JSON array handed in
 *   an `iceServers` message to registered clients that asked for it with
 *   `getIceServers` (extension)
 * - limits (see the .c file and docs/protocol.md): "max-connections"
 *   (1000), "max-connections-per-address" (50), "max-sessions-per-peer"
 *   (64), "max-meta-size" (4096 bytes), "message-rate" (50/s),
 *   "message-burst" (200), "max-send-backlog" (4 MiB), "handshake-timeout"
 *   (10 s), "idle-timeout" (75 s), "allowed-origins" (NULL: same host)
 * - "reconnect-grace" (guint, ms, default 10000): how long a peer that
 *   dropped keeps its sessions for a resume
 */
#define RTC_TYPE_SIGNALLING_SERVER (rtc_signalling_server_get_type ())
G_DECLARE_FINAL_TYPE (RtcSignallingServer, rtc_signalling_server, RTC, SIGNALLING_SERVER, GObject)

RtcSignallingServer * rtc_signalling_server_new (const gchar * host, guint port);

/* Starts listening; sources attach to the thread-default main context of
 * the caller. Errors: G_IO_ERROR_* from binding. */
gboolean rtc_signalling_server_start (RtcSignallingServer * self, GError ** error);

/* Closes every connection with 1001, ends no session, and stops
 * listening. Idempotent. */
void     rtc_signalling_server_stop (RtcSignallingServer * self);

guint    rtc_signalling_server_get_port (RtcSignallingServer * self);

/* Additions. Open connections plus those stop() is still closing; call
 * from the server's context. */
guint    rtc_signalling_server_get_n_connections (RtcSignallingServer * self);

/* Validates (rtc_ice_config_parse(), any form) and sets "ice-servers";
 * FALSE with @error keeps the old value. NULL clears it. */
gboolean rtc_signalling_server_set_ice_servers (RtcSignallingServer * self,
                                                const gchar * json,
                                                GError ** error);

G_END_DECLS

#endif
