/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_SIGNAL_ROUTER_H__
#define __RTC_SIGNAL_ROUTER_H__

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * RtcSignalRouter:
 *
 * The signalling server's logic without any network: peers, their status,
 * rooms and sessions (docs/protocol.md). Text frames go in with
 * rtc_signal_router_handle_text(); every message the server sends comes out
 * through the #RtcSignalRouterSendFunc, already serialised. The
 * RtcSignallingServer feeds it from WebSocket connections; tests feed it
 * directly.
 *
 * Not thread-safe: call it from one thread (the server's main context).
 */
typedef struct _RtcSignalRouter RtcSignalRouter;

/**
 * RtcSignalRouterSendFunc:
 * @peer_id: the peer the message is for
 * @peer_data: as given to rtc_signal_router_add_peer() for that peer
 * @text: one JSON message (a WebSocket text frame)
 * @user_data: as given to rtc_signal_router_new()
 *
 * Called synchronously, in order, for every outgoing message. It must not
 * call back into the router.
 */
typedef void (*RtcSignalRouterSendFunc) (const gchar * peer_id,
    gpointer peer_data, const gchar * text, gpointer user_data);

RtcSignalRouter * rtc_signal_router_new (RtcSignalRouterSendFunc send_func,
                                         gpointer user_data,
                                         GDestroyNotify notify);
void              rtc_signal_router_free (RtcSignalRouter * router);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtcSignalRouter, rtc_signal_router_free)

/* A new connection: returns its peer id (a fresh UUID v4, free with
 * g_free()) after sending it `welcome`. @peer_data (e.g. the connection)
 * is handed to the send function with every message for this peer. */
gchar *           rtc_signal_router_add_peer (RtcSignalRouter * router,
                                              gpointer peer_data);

/* The same, for a client that presents its former @peer_id and resume
 * @token (see the .c file and docs/protocol.md): it may get its id and
 * sessions back. *@replaced_data is set to the peer data of an old
 * connection of the same peer, which the caller must close without
 * removing the peer. */
gchar *           rtc_signal_router_add_peer_resuming (RtcSignalRouter * router,
                                                       gpointer peer_data,
                                                       const gchar * peer_id,
                                                       const gchar * token,
                                                       gpointer * replaced_data);

/* The peer left for good (close frame 1000/1001): ends its sessions (the
 * other side gets endSession, or endSessionV1_1 if it selected v1_1) and,
 * if it had registered, tells the listeners of its scope with
 * peerStatusChanged and roles []. Unknown ids are ignored. */
void              rtc_signal_router_remove_peer (RtcSignalRouter * router,
                                                 const gchar * peer_id);

/* The peer's connection dropped abruptly: with a resume token it keeps its
 * sessions for the reconnect grace period, then is removed as above. */
void              rtc_signal_router_drop_peer (RtcSignalRouter * router,
                                               const gchar * peer_id);

void              rtc_signal_router_set_reconnect_grace (RtcSignalRouter * router,
                                                         guint grace_ms);

/* 0 means no limit for either. */
void              rtc_signal_router_set_limits (RtcSignalRouter * router,
                                                guint max_sessions_per_peer,
                                                gsize max_meta_size);

/* One text frame from @peer_id. Anything wrong is answered with
 * {"type":"error","details":"..."} to @peer_id; the peer stays connected. */
void              rtc_signal_router_handle_text (RtcSignalRouter * router,
                                                 const gchar * peer_id,
                                                 const gchar * text,
                                                 gssize length);

/* RTCIceServer array sent in an `iceServers` message to every peer that
 * asked with getIceServers and has registered, and again to those when it
 * changes. NULL (or an empty array) sends an empty list. The array is
 * referenced, not copied. */
void              rtc_signal_router_set_ice_servers (RtcSignalRouter * router,
                                                     JsonArray * ice_servers);

/* A producer outside rooms by meta "name", or the only one (NULL name);
 * free with g_free() (see the .c file). */
gchar *           rtc_signal_router_find_producer (RtcSignalRouter * router,
                                                   const gchar * name);

guint             rtc_signal_router_get_n_peers (RtcSignalRouter * router);
guint             rtc_signal_router_get_n_sessions (RtcSignalRouter * router);
guint             rtc_signal_router_get_n_peer_sessions (RtcSignalRouter * router,
                                                         const gchar * peer_id);

G_END_DECLS

#endif /* __RTC_SIGNAL_ROUTER_H__ */
