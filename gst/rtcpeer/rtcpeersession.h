/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_PEER_SESSION_H__
#define __RTC_PEER_SESSION_H__

#include <gst/gst.h>
#ifndef GST_USE_UNSTABLE_API
#define GST_USE_UNSTABLE_API
#endif
#include <gst/webrtc/webrtc.h>
#include <gst/sdp/sdp.h>

#include "rtccodecs.h"

G_BEGIN_DECLS

/**
 * RtcPeerSession:
 *
 * Everything about one webrtcbin, written once and used by every element:
 *
 * - bundle-policy=max-bundle (browsers, WHIP and WHEP reject anything else),
 *   NACK on video transceivers (webrtcbin 1.22 strips `rtcp-fb nack` unless
 *   do-nack is set; on audio it adds an RTX stream Chromium refuses),
 *   libnice UPnP off;
 * - ICE restricted to given local addresses (libnice skips loopback when it
 *   discovers interfaces by itself; containers want it too);
 * - the offer/answer state machine of rtcnegotiation.h (JSEP, RFC 8829),
 *   applied to webrtcbin;
 * - remote ICE candidates received before the remote description are
 *   queued (RFC 8838 trickle);
 * - connection-state tracking, with a grace period for "disconnected";
 * - teardown on the owner's main context, never from a webrtcbin callback
 *   (setting webrtcbin to NULL from its own threads deadlocks).
 *
 * Every signal but "remote-pad" is emitted in the GMainContext that was
 * thread-default when the session was created, in the order webrtcbin
 * produced the events.
 *
 * Signals:
 * - "local-description" (GstWebRTCSessionDescription *desc): our offer or
 *   answer, as set on webrtcbin
 * - "local-candidate" (guint sdp_mline_index, const gchar *candidate): an
 *   empty @candidate when gathering is complete (end-of-candidates)
 * - "connection-state" (GstWebRTCPeerConnectionState state)
 * - "failed" (const GError *error): negotiation failed, the remote rejected
 *   every m-line, ICE failed, "disconnected" lasted longer than the
 *   grace period, or the session did not connect in time. The owner should close the session.
 * - "remote-pad" (GstPad *pad): a webrtcbin src pad appeared. Emitted
 *   synchronously from a streaming thread so the owner can link it before
 *   data flows.
 * - "data-channel-open" (const gchar *label): a data channel opened; what
 *   waited for it has been sent
 * - "data-message" (const gchar *label, GBytes *message, gboolean text): a
 *   message arrived on a data channel
 */
#define RTC_TYPE_PEER_SESSION (rtc_peer_session_get_type ())
G_DECLARE_FINAL_TYPE (RtcPeerSession, rtc_peer_session, RTC, PEER_SESSION, GObject)


/**
 * RtcPeerSessionConfig:
 * @latency_ms: receive jitterbuffer size in ms (webrtcbin "latency")
 * @local_addresses: (nullable): NULL-terminated list of IP addresses ICE
 *   may gather host candidates on; %NULL lets libnice pick interfaces
 * @disconnect_timeout_ms: how long "disconnected" may last before "failed"
 * @connect_timeout_ms: how long after start the session may take to
 *   connect (a peer that never answers) before "failed"; 0 = forever
 * @defer_local_offer: send our first offer ("local-description") before
 *   webrtcbin applies it, and apply it only with the answer, so that ICE
 *   servers that come with the answer (rtc_peer_session_add_ice_servers())
 *   are used: applying it starts gathering. For WHIP/WHEP (RFC 9725
 *   section 4.6); the endpoint's answer then cannot cross our candidates,
 *   which come only after it.
 */
typedef struct
{
  guint latency_ms;
  gchar **local_addresses;
  guint disconnect_timeout_ms;
  guint connect_timeout_ms;
  gboolean defer_local_offer;
} RtcPeerSessionConfig;

/* The receive jitterbuffer: 100 ms leaves a lost packet time for one NACK
 * retransmission on paths up to about 70 ms round trip, at 100 ms less
 * delay than webrtcbin's own 200 (tests/benchmarks/latency-loss.c,
 * docs/performance.md). */
#define RTC_PEER_SESSION_DEFAULT_LATENCY_MS 100
#define RTC_PEER_SESSION_DEFAULT_DISCONNECT_TIMEOUT_MS 5000
#define RTC_PEER_SESSION_DEFAULT_CONNECT_TIMEOUT_MS 30000
/* A remote description with more media sections is invalid. (Remote ICE
 * candidates are bounded too: RTC_NEGOTIATION_MAX_REMOTE_CANDIDATES.) */
#define RTC_PEER_SESSION_MAX_MEDIA 16

/* The session's webrtcbin is named this prefix followed by the session
 * id, so the owner can tell whose a bus message is. */
#define RTC_PEER_SESSION_WEBRTCBIN_PREFIX "webrtcbin-"

RtcPeerSession * rtc_peer_session_new (GstBin * bin, const gchar * session_id,
                                       const RtcPeerSessionConfig * config);

const gchar * rtc_peer_session_get_id (RtcPeerSession * self);
GstWebRTCPeerConnectionState rtc_peer_session_get_state (RtcPeerSession * self);

/* Requests a webrtcbin sink pad for a local track that sends exactly the
 * RTP caps @caps (webrtcbin builds the SDP from them: the caller makes
 * sure the pad's caps event and its answer to caps queries are @caps; see
 * rtc_track_add_branch()), and sets its transceiver's @direction (sendonly for a producer that
 * expects nothing back, sendrecv for a mesh participant). With @mline >= 0
 * the pad attaches to the transceiver the remote offer created for that
 * m-line (answerer side). Returns a new reference. */
GstPad *  rtc_peer_session_request_sink_pad (RtcPeerSession * self,
                                             GstCaps * caps, gint mline,
                                             GstWebRTCRTPTransceiverDirection direction);

/* Adds a receive-only transceiver so an offer asks for @kind. */
void      rtc_peer_session_add_recv_transceiver (RtcPeerSession * self,
                                                 RtcMediaKind kind);

/* Syncs webrtcbin with its parent's state; as offerer, creates the offer as
 * soon as webrtcbin says negotiation is needed. */
void      rtc_peer_session_start (RtcPeerSession * self, gboolean offerer);

/* Adds ICE servers given by the remote with its answer, in webrtcbin's
 * form (@stun_server ignored if webrtcbin has one already, e.g. from
 * rtciceservers; @turn_servers added to the ones it has). Only while our
 * offer is deferred (RtcPeerSessionConfig.defer_local_offer): returns
 * FALSE, doing nothing, once gathering has started. Call it before
 * rtc_peer_session_set_remote_description() with the answer. */
gboolean  rtc_peer_session_add_ice_servers (RtcPeerSession * self,
                                            const gchar * stun_server,
                                            const gchar * const * turn_servers);

/* ---- data channels (RTCDataChannel, RFC 8831; DCEP, RFC 8832) ---- */

/* The largest message, in bytes (what browsers take). */
#define RTC_PEER_SESSION_MAX_MESSAGE_SIZE (256 * 1024)
/* What may wait, per channel, for the channel to open. */
#define RTC_PEER_SESSION_DATA_QUEUE_MESSAGES 256
#define RTC_PEER_SESSION_DATA_QUEUE_BYTES (4 * 1024 * 1024)

/* Creates the data channel @label, ordered and reliable unless @ordered is
 * FALSE or @max_retransmits >= 0 (RFC 8831 section 6.1), so that our offer
 * carries it: as offerer, call it before rtc_peer_session_start(). A
 * channel the remote opens is kept by itself. One channel per label. */
void      rtc_peer_session_create_data_channel (RtcPeerSession * self,
                                                const gchar * label,
                                                gboolean ordered,
                                                gint max_retransmits);
/* A channel @label is to come from the remote (we answer, the offerer
 * opens it, e.g. both ends of a room pair configured with the same label):
 * what is sent on it before it came waits as for a channel not yet open,
 * and the remote's channel takes the queue over. Nothing when the channel
 * exists already. */
void      rtc_peer_session_expect_data_channel (RtcPeerSession * self,
                                                const gchar * label);
/* Whether a channel @label exists (ours, the remote's or an expected
 * one). */
gboolean  rtc_peer_session_has_data_channel (RtcPeerSession * self,
                                             const gchar * label);
/* Sends @message on the channel @label, as text (UTF-8) when @text.
 * Before the channel is open it waits, in order, up to
 * RTC_PEER_SESSION_DATA_QUEUE_MESSAGES messages and _BYTES bytes per
 * channel. FALSE with @error (GST_RESOURCE_ERROR) for no such channel, a
 * message over RTC_PEER_SESSION_MAX_MESSAGE_SIZE, a full queue, or a send
 * the channel refused. Owner's context. */
gboolean  rtc_peer_session_send_data (RtcPeerSession * self,
                                      const gchar * label, GBytes * message,
                                      gboolean text, GError ** error);

/* Applies a remote offer or answer (@desc is copied; SDP text becomes one
 * with rtc_session_description_new_from_text()). An offer is answered by
 * itself, on a new session or as a renegotiation of an established one.
 * An offer that crosses our own pending offer (glare) is ignored: we are
 * the impolite peer (RFC 8829 section 4.1.8.2). Errors:
 * GST_STREAM_ERROR_DECODE for another type than offer or answer, a
 * description without media or with more than RTC_PEER_SESSION_MAX_MEDIA,
 * or an answer we did not ask for. */
gboolean  rtc_peer_session_set_remote_description (RtcPeerSession * self,
                                                   const GstWebRTCSessionDescription * desc,
                                                   GError ** error);

void      rtc_peer_session_add_remote_candidate (RtcPeerSession * self,
                                                 guint sdp_mline_index,
                                                 const gchar * candidate);

/* Asks webrtcbin for fresh statistics (only a connected session has any;
 * nothing is polled in between: get-stats costs webrtcbin's thread a
 * walk over every RTP, ICE and DTLS object). Returns the ticket to pass to
 * rtc_peer_session_fill_stats(). Any thread. */
guint     rtc_peer_session_request_stats (RtcPeerSession * self);
/* Waits until the statistics of @ticket arrived or the monotonic time
 * @deadline (µs) passed, then fills @s with the newest (see
 * rtcmeshfanout's "stats"). Not from the session's own context, which
 * asks for them. */
void      rtc_peer_session_fill_stats (RtcPeerSession * self, guint ticket,
                                       gint64 deadline, GstStructure * s);

/* Removes webrtcbin from its bin and sets it to NULL. Call from the owner's
 * context, never from a webrtcbin callback. Idempotent. */
void      rtc_peer_session_close (RtcPeerSession * self);

/* Generates webrtcbin's DTLS certificate once per process, early, so the
 * first peer does not wait 130-380 ms for RSA key generation. Blocks that
 * long the first time: call it from a thread that may wait, and that is
 * joined before the process exits (OpenSSL must not be busy at exit). */
void      rtc_peer_session_prewarm_certificate (void);

const gchar * rtc_peer_connection_state_name (GstWebRTCPeerConnectionState state);

G_END_DECLS

#endif
