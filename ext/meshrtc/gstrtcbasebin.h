/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_RTC_BASE_BIN_H__
#define __GST_RTC_BASE_BIN_H__

#include <gst/gst.h>

#include "rtcpeersession.h"
#include "rtctrack.h"
#include "rtcsignallable.h"

G_BEGIN_DECLS

/**
 * GstRtcBaseBin:
 *
 * What rtcsignalbin and rtcmeshfanout share: the element's own
 * GMainContext thread (signalling and session logic never run on a
 * streaming thread), the signaller (an #RtcSignallable: the bin sees
 * semantic events only, no wire format), local tracks behind request sink pads,
 * and the table of peer sessions with their SDP/ICE relay and teardown.
 * Subclasses decide which sessions to start or accept.
 */
#define GST_TYPE_RTC_BASE_BIN (gst_rtc_base_bin_get_type ())
G_DECLARE_DERIVABLE_TYPE (GstRtcBaseBin, gst_rtc_base_bin, GST, RTC_BASE_BIN, GstBin)

typedef struct _GstRtcPeer
{
  gchar *session_id;
  gchar *remote_id;             /* the other peer's id */
  RtcPeerSession *session;
  GPtrArray *branches;          /* of RtcTrackBranch */
  gboolean connected;
  gint64 created_us;
  guint generation;             /* signalling connection it was made on */
} GstRtcPeer;

struct _GstRtcBaseBinClass
{
  GstBinClass parent_class;

  /* TRUE: the element is a source of the pipeline (remote tracks come out
   * of it) and keeps GST_ELEMENT_FLAG_SOURCE when its webrtcbins go */
  gboolean is_source;

  /* checks the signalling settings going to READY (default: "uri" is a
   * ws:// or wss:// URI); FALSE with @error set refuses the change */
  gboolean (*check_signalling) (GstRtcBaseBin * self, GError ** error);
  /* makes the signaller (context thread; default: the WebSocket
   * protocol's RtcSignaller with "uri" and "auth-token") and sets @target
   * to the URL it talks to, for messages */
  RtcSignallable * (*create_signaller) (GstRtcBaseBin * self, gchar ** target);
  /* roles to register with (called on the element's context) */
  RtcRoles (*get_roles) (GstRtcBaseBin * self);
  /* signalling registered */
  void     (*connected) (GstRtcBaseBin * self, const gchar * peer_id);
  /* a consumer started a session with us (we offer); return FALSE and set
   * @error to refuse it */
  gboolean (*accept_session) (GstRtcBaseBin * self, const gchar * consumer_id,
                              const gchar * session_id, GError ** error);
  /* a producer is there (only with the listener role); @meta holds its
   * "name" and "room" strings when it announced them */
  void     (*producer_added) (GstRtcBaseBin * self, const gchar * peer_id,
                              const GstStructure * meta);
  /* the signalling service refused something we asked (logged already) */
  void     (*signalling_error) (GstRtcBaseBin * self, const gchar * message);
  /* a session went away; @peer is freed after this returns */
  void     (*peer_removed) (GstRtcBaseBin * self, GstRtcPeer * peer);
  /* a remote track of session @session_id appeared (streaming thread, no
   * lock held). The session may end meanwhile: what the subclass keeps for
   * it must also be dropped when gst_rtc_base_bin_has_session() is FALSE
   * after it was stored, as peer_removed may already have run. */
  void     (*remote_pad) (GstRtcBaseBin * self, const gchar * session_id,
                          const gchar * remote_id, GstPad * pad);

  /* the "send-data" action signal */
  gboolean (*send_data) (GstRtcBaseBin * self, const gchar * peer_id,
                         const gchar * label, GBytes * message);
};

/* Runs @func on the element's context thread (now if already there). */
void     gst_rtc_base_bin_invoke (GstRtcBaseBin * self, GSourceFunc func,
                                  gpointer data, GDestroyNotify notify);
/* Runs @func(self) on the element's context thread and waits for it; for
 * state changes only (the thread must be running). */
void     gst_rtc_base_bin_invoke_sync (GstRtcBaseBin * self, GSourceFunc func);
const gchar *  gst_rtc_base_bin_get_peer_id (GstRtcBaseBin * self);
guint    gst_rtc_base_bin_count_peers (GstRtcBaseBin * self);
/* EOS sent to the element: ends the data_src pads (a subclass overriding
 * send_event calls it for EOS) */
void     gst_rtc_base_bin_data_end (GstRtcBaseBin * self);
/* Whether @session_id is one of ours still (any thread). */
gboolean gst_rtc_base_bin_has_session (GstRtcBaseBin * self, const gchar * session_id);
/* Consumer side: asks the server for a session with @producer_id. */
void     gst_rtc_base_bin_request_session (GstRtcBaseBin * self, const gchar * producer_id);
/* Ends a session, telling the server (and so the remote) when @notify. */
void     gst_rtc_base_bin_end_session (GstRtcBaseBin * self, const gchar * session_id,
                                       const gchar * reason, gboolean notify);
/* Ends the sessions made on an earlier signalling connection: nothing can
 * end them through the server any more. Returns how many ended. */
guint    gst_rtc_base_bin_end_stale_sessions (GstRtcBaseBin * self, const gchar * reason);
/* Calls producer_added again for every producer still there (context
 * thread), e.g. to look for a peer again after a session ended. */
void     gst_rtc_base_bin_reconsider_producers (GstRtcBaseBin * self);
/* Re-sends setPeerStatus after a property that feeds the meta changed. */
void     gst_rtc_base_bin_update_status (GstRtcBaseBin * self);
/* Fills a GstStructure with one field per peer (for "stats"): asks every
 * session for fresh statistics and waits at most 1 s for them. Not from
 * the element's context thread. */
GstStructure * gst_rtc_base_bin_collect_stats (GstRtcBaseBin * self, const gchar * name);
/* Keyframe requests seen and keyframes forced, summed over the tracks. */
void     gst_rtc_base_bin_get_keyframe_counts (GstRtcBaseBin * self, guint * requests, guint * forced);
const gchar *  gst_rtc_base_bin_get_uri (GstRtcBaseBin * self);
/* A copy of "auth-token" (any thread); free it with g_free(). */
gchar *  gst_rtc_base_bin_dup_auth_token (GstRtcBaseBin * self);
GMainContext * gst_rtc_base_bin_get_context (GstRtcBaseBin * self);
/* After EOS (@seqnum) was sent to a bin with no input: posts its EOS
 * message (see the function). Any thread. */
void     gst_rtc_base_bin_end_without_inputs (GstRtcBaseBin * self, guint32 seqnum);
/* Buffers pushed on @pad (a src pad of the element) while nobody linked
 * it go nowhere instead of returning not-linked, which would fail the
 * upstream peer's whole transport. */
void     gst_rtc_base_bin_drop_when_unlinked (GstPad * pad);
/* The meta "name" of the producer @peer_id as last announced, or NULL
 * (any thread); free it with g_free(). */
gchar *  gst_rtc_base_bin_dup_producer_name (GstRtcBaseBin * self, const gchar * peer_id);
/* Whether a session with the peer @remote_id exists (any thread). */
gboolean gst_rtc_base_bin_has_peer_with (GstRtcBaseBin * self, const gchar * remote_id);

G_END_DECLS

#endif
