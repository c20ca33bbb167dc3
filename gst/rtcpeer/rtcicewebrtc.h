/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_ICE_WEBRTC_H__
#define __RTC_ICE_WEBRTC_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * SECTION:rtcicewebrtc
 * @title: RtcIceWebrtc
 * @short_description: ICE servers on a webrtcbin, and the relay check
 *
 * The webrtcbin side of the ICE-server configuration, in plain data (the
 * model, which parses JSON, lives in ext/rtcsignal/rtciceconfig.h and
 * converts to these strings): setting webrtcbin's STUN server, TURN
 * servers and transport policy, and watching whether a TURN server gave a
 * relay candidate at all.
 *
 * The relay check: webrtcbin 1.22 has no end-of-candidates, so
 * "ice-gathering-state" reaching complete ends gathering. If no candidate
 * of type relay was seen by then (and a little later, because webrtcbin
 * may emit its last candidates just after), its "get-stats" confirms that
 * there is no local relay candidate, and the owner is told. The usual
 * cause is a TURN server that rejected the credentials.
 */

/* TRUE if @element is a webrtcbin (GstWebRTCBin or a subclass). */
gboolean rtc_ice_webrtc_is_webrtcbin (GstElement * element);

/* Every webrtcbin inside @bin, at any depth (a reference each). */
GList *  rtc_ice_webrtc_list (GstBin * bin);

/* Sets "stun-server" to @stun_uri (if not NULL), adds every one of
 * @turn_uris with "add-turn-server" until webrtcbin refuses one, and sets
 * "ice-transport-policy" to @policy ("all" or "relay"; NULL leaves it).
 * Returns FALSE, with
 * the index of the refused URI in @refused, if webrtcbin refused one. The
 * TURN URIs hold credentials and are never logged. */
gboolean rtc_ice_webrtc_apply (GstElement * webrtcbin,
                               const gchar * stun_uri,
                               const gchar * const * turn_uris,
                               const gchar * policy,
                               guint * refused);

/**
 * RtcIceNoRelayFunc:
 * @owner: the owner given to rtc_ice_webrtc_claim() (a strong reference
 *   for the call)
 * @run: the run given to rtc_ice_webrtc_claim()
 * @webrtcbin_name: the webrtcbin's name
 * @turn_list: the TURN servers, as given
 * @policy: the policy, as given
 *
 * A webrtcbin finished gathering without a relay candidate. Called from
 * one of webrtcbin's threads; the owner decides whether this still
 * matters (e.g. it is still running the same @run).
 */
typedef void (*RtcIceNoRelayFunc) (GObject * owner, guint run,
                                   const gchar * webrtcbin_name,
                                   const gchar * turn_list,
                                   const gchar * policy);

/* Marks @webrtcbin as configured by @owner (held weakly) in its start
 * number @run, and, when @turn_list (the TURN servers as users wrote them,
 * for the report) is not NULL, watches it for a relay candidate and calls
 * @no_relay if none comes.
 *
 * Returns FALSE, doing nothing, when @owner already claimed it in this
 * @run, or another owner that is still alive did: one configuration per
 * webrtcbin. A claim from an earlier run or a dead owner is replaced, its
 * watch disconnected. Thread-safe: the initial walk of a pipeline and
 * "deep-element-added" may race for the same webrtcbin. */
gboolean rtc_ice_webrtc_claim (GstElement * webrtcbin,
                               GObject * owner,
                               guint run,
                               const gchar * turn_list,
                               const gchar * policy,
                               RtcIceNoRelayFunc no_relay);

/* Ta (RFC 8445 section 14.2) of our ICE agents, in ms: connectivity
 * checks and gathering requests go out every RTC_ICE_PACING_MS (libnice's
 * default is 20; the RFC's floor is 5). A warm first frame comes about
 * 35 ms sooner (docs/performance.md). */
#define RTC_ICE_PACING_MS 5

/* Prepares @webrtcbin's libnice agent before it gathers: no UPnP (it
 * delays gathering by ~200 ms and sends SSDP multicast), keepalives that
 * are answered (STUN binding requests), so that a remote that vanished
 * fails the transport, checks paced at RTC_ICE_PACING_MS, and, when
 * @local_addresses (IP address strings, NULL-terminated) is not empty,
 * candidates on those addresses only. Invalid addresses are skipped with
 * a warning naming @name. Does nothing but warn when the ICE agent is not
 * libnice's. */
void     rtc_ice_webrtc_prepare_agent (GstElement * webrtcbin,
                                       const gchar * const *local_addresses,
                                       const gchar * name);

G_END_DECLS

#endif /* __RTC_ICE_WEBRTC_H__ */
