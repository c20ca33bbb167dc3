/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_SIGNALLABLE_H__
#define __RTC_SIGNALLABLE_H__

#include <gst/gst.h>
#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif
#include <gst/webrtc/webrtc.h>

G_BEGIN_DECLS

/**
 * RtcRoles:
 * @RTC_ROLE_NONE: not registered for anything
 * @RTC_ROLE_PRODUCER: offers media; consumers may start sessions with it
 * @RTC_ROLE_CONSUMER: starts sessions with producers
 * @RTC_ROLE_LISTENER: is told when producers come and go
 *
 * What a peer announces to its signaller (in gst-plugins-rs' WebSocket
 * protocol, the "roles" of `setPeerStatus`).
 */
typedef enum
{
  RTC_ROLE_NONE = 0,
  RTC_ROLE_PRODUCER = 1 << 0,
  RTC_ROLE_CONSUMER = 1 << 1,
  RTC_ROLE_LISTENER = 1 << 2,
} RtcRoles;

/**
 * RtcSignallable:
 *
 * What an element needs from signalling, in semantic events, whatever the
 * wire (the shape of gst-plugins-rs' `Signallable` interface). The
 * elements know no wire format: an implementation parses what arrives,
 * SDP included (once, into a #GstWebRTCSessionDescription), and turns the
 * methods below into its own messages. gst-plugins-rs' WebSocket protocol
 * is one implementation (#RtcSignaller, ext/rtcsignal/rtcsignaller.h).
 *
 * An implementation lives in the #GMainContext that is thread-default
 * when rtc_signallable_start() is called, and emits every signal there.
 * Session and peer ids are the implementation's, opaque to the element.
 *
 * Signals (all run-last, no return value):
 * - "connected" (const gchar *peer_id, gboolean resumed): registered with
 *   @peer_id as our id. @resumed: the signalling service kept our sessions
 *   across a reconnect, so they are still reachable through it.
 * - "disconnected" (const GError *error, gboolean was_registered): the
 *   connection to the service was lost or could not be made; the
 *   implementation retries by itself with backoff until stopped.
 * - "session-requested" (const gchar *session_id, const gchar *peer_id,
 *   GstWebRTCSessionDescription *offer): a consumer wants a session with
 *   us, a producer. @offer is %NULL when we are to offer, or the
 *   consumer's own offer to answer.
 * - "session-started" (const gchar *session_id, const gchar *peer_id): the
 *   session we asked for with rtc_signallable_request_session() exists;
 *   the producer will offer.
 * - "session-ended" (const gchar *session_id, const gchar *reason): the
 *   remote (or the service) ended the session; @reason is for humans.
 * - "session-description" (const gchar *session_id,
 *   GstWebRTCSessionDescription *desc): the remote's offer or answer.
 * - "session-ice-servers" (const gchar *session_id, const gchar
 *   *stun_server, GStrv turn_servers): ICE servers the remote gave for
 *   the session (WHIP/WHEP `Link` headers, RFC 9725 section 4.6), in
 *   webrtcbin's form ("stun://host:port", "turn://user:pass@host:port";
 *   @stun_server may be %NULL). Emitted just before the
 *   "session-description" of the answer, and only by an implementation
 *   whose rtc_signallable_gives_ice_servers() is %TRUE.
 * - "handle-ice" (const gchar *session_id, guint sdp_mline_index,
 *   const gchar *candidate): a remote ICE candidate (RFC 8838 trickle);
 *   an empty @candidate is the end-of-candidates marker.
 * - "producer-added" (const gchar *peer_id, const GstStructure *meta): a
 *   producer is (or already was) registered; @meta (may be %NULL) holds
 *   what it announced: string, integer, double and boolean members.
 *   Only emitted while our roles include %RTC_ROLE_LISTENER.
 * - "producer-removed" (const gchar *peer_id): a producer seen in
 *   "producer-added" left or stopped producing.
 * - "error" (const gchar *message): the service refused something we
 *   sent, e.g. a session with a producer that just left.
 */
#define RTC_TYPE_SIGNALLABLE (rtc_signallable_get_type ())
G_DECLARE_INTERFACE (RtcSignallable, rtc_signallable, RTC, SIGNALLABLE, GObject)

struct _RtcSignallableInterface
{
  GTypeInterface parent_iface;

  void          (*start)            (RtcSignallable * self);
  void          (*stop)             (RtcSignallable * self);
  void          (*set_status)       (RtcSignallable * self, RtcRoles roles,
                                     const GstStructure * meta);
  void          (*request_session)  (RtcSignallable * self,
                                     const gchar * producer_id);
  void          (*send_description) (RtcSignallable * self,
                                     const gchar * session_id,
                                     const GstWebRTCSessionDescription * desc);
  void          (*send_candidate)   (RtcSignallable * self,
                                     const gchar * session_id,
                                     guint sdp_mline_index,
                                     const gchar * candidate);
  void          (*end_session)      (RtcSignallable * self,
                                     const gchar * session_id,
                                     const gchar * reason);
  const gchar * (*get_peer_id)      (RtcSignallable * self);
  gboolean      (*gives_ice_servers) (RtcSignallable * self);
};

/* Connects (and keeps reconnecting) until rtc_signallable_stop(). */
void          rtc_signallable_start (RtcSignallable * self);
/* Leaves the service cleanly (bounded: at most a second) and stops every
 * retry; no signal is emitted after it returns. */
void          rtc_signallable_stop (RtcSignallable * self);
/* Our roles and meta (copied; @meta may be NULL): sent now when
 * registered, and at every (re)registration. */
void          rtc_signallable_set_status (RtcSignallable * self, RtcRoles roles,
                                          const GstStructure * meta);
/* Consumer side: asks for a session with @producer_id ("session-started"
 * follows, or "error"). Dropped when not registered. */
void          rtc_signallable_request_session (RtcSignallable * self,
                                               const gchar * producer_id);
/* Our offer or answer for @session_id. Dropped when not registered. */
void          rtc_signallable_send_description (RtcSignallable * self,
                                                const gchar * session_id,
                                                const GstWebRTCSessionDescription * desc);
/* One of our ICE candidates (a=candidate line without "a="), or "" for
 * end-of-candidates. Dropped when not registered. */
void          rtc_signallable_send_candidate (RtcSignallable * self,
                                              const gchar * session_id,
                                              guint sdp_mline_index,
                                              const gchar * candidate);
/* Tells the remote that we ended @session_id (@reason may be NULL). */
void          rtc_signallable_end_session (RtcSignallable * self,
                                           const gchar * session_id,
                                           const gchar * reason);
/* Our id while registered, else NULL. */
const gchar * rtc_signallable_get_peer_id (RtcSignallable * self);
/* TRUE if the answer to our offer may come with ICE servers
 * ("session-ice-servers"): the element then sends its offer before
 * webrtcbin applies it, so that gathering, which applying starts, uses
 * them (RFC 9725 section 4.6). FALSE unless the implementation says so. */
gboolean      rtc_signallable_gives_ice_servers (RtcSignallable * self);

/* The one place SDP text from signalling becomes a description: @type is
 * "offer" or "answer" (RFC 8829 section 4.1.8; others are refused) and
 * @sdp an RFC 8866 session description. Returns NULL and sets a
 * GST_STREAM_ERROR_DECODE error naming the problem; never asserts on
 * empty or malformed text. */
GstWebRTCSessionDescription * rtc_session_description_new_from_text (const gchar * type,
                                                                      const gchar * sdp,
                                                                      GError ** error);

G_END_DECLS

#endif /* __RTC_SIGNALLABLE_H__ */
