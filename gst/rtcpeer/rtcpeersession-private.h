/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * RtcPeerSession's insides, shared by its two files: rtcpeersession.c
 * (the owner's context: public API, negotiation, timers) and
 * rtcpeersession-webrtc.c (webrtcbin's side: its callbacks, on its
 * threads, and the promises given to it).
 */
#ifndef __RTC_PEER_SESSION_PRIVATE_H__
#define __RTC_PEER_SESSION_PRIVATE_H__

#include "rtcpeersession.h"
#include "rtcnegotiation.h"

G_BEGIN_DECLS

/* The session's debug category, for its other file. A function, not a
 * shared global: this static library is linked into both the plugin and
 * the programs and tests that load it, and a global defined in both is an
 * ODR violation (AddressSanitizer reports it). */
G_GNUC_INTERNAL
GstDebugCategory * rtc_peer_session_debug_category (void);

typedef struct _Event Event;


typedef struct
{
  guint mline;
  gchar *candidate;
} PendingCandidate;

typedef enum
{
  EV_NEGOTIATION_NEEDED,
  EV_LOCAL_DESCRIPTION,
  EV_LOCAL_CANDIDATE,
  EV_STATE,
  EV_REMOTE_APPLIED,
  EV_ERROR,
  EV_DATA_CHANNEL,              /* obj: a channel the remote opened */
  EV_DATA_OPEN,                 /* str1: label */
  EV_DATA_MESSAGE,              /* str1: label, bytes, num: TRUE for text */
} EventType;

struct _Event
{
  EventType type;
  gchar *str1;                  /* candidate */
  GstWebRTCSessionDescription *desc;    /* local description */
  guint num;                    /* mline / state */
  GError *error;
  GBytes *bytes;                /* a data channel message */
  GObject *obj;                 /* a GstWebRTCDataChannel */
};

struct _RtcPeerSession
{
  GObject parent;

  gchar *id;
  GstBin *bin;                  /* owner's bin, not a ref */
  GstElement *webrtcbin;
  GMainContext *context;
  RtcPeerSessionConfig config;

  /* promises given to webrtcbin and not answered yet, GstPromise* ->
   * PromiseTarget*, under @lock (see rtc_peer_session_emit) */
  GHashTable *promises;

  /* everything below is touched from the owner's context only */
  RtcNegotiation neg;           /* offer/answer state (rtcnegotiation.h) */
  GQueue pending_candidates;    /* of PendingCandidate, before remote SDP */
  GstWebRTCPeerConnectionState state;
  GSource *disconnect_timer;
  GSource *connect_timer;
  gboolean closed;

  /* events from webrtcbin threads, drained in order on the context */
  GMutex lock;
  GQueue events;
  GSource *drain_source;
  GstStructure *stats;          /* last get-stats result, under lock */
  /* get-stats asked for and done (answered, or not asked when not
   * connected), under lock; @stats_cond tells of each one done */
  guint stats_asked, stats_done;
  GCond stats_cond;
  /* data channels by label, owner's context (rtcpeersession-data.c) */
  GHashTable *channels;
  /* Between creating a description and webrtcbin accepting it, the
   * description and the candidates it starts are held back, under lock:
   * a fast remote could otherwise answer before webrtcbin has our offer. */
  Event *pending_description;
  GQueue held_candidates;
  /* config.defer_local_offer: our first offer, sent to the remote but
   * not applied yet (applying starts gathering), under lock */
  GstWebRTCSessionDescription *deferred_offer;
  gboolean offer_deferred;
};

typedef void (*SessionPromiseFunc) (RtcPeerSession * self,
    GstPromise * promise);

/* events from webrtcbin's threads to the owner's context (rtcpeersession.c) */
G_GNUC_INTERNAL
void rtc_peer_session_event_free (Event * ev);
G_GNUC_INTERNAL
void rtc_peer_session_post_event_locked (RtcPeerSession * self, Event * ev);
G_GNUC_INTERNAL
void rtc_peer_session_post_simple (RtcPeerSession * self, EventType type,
    const gchar * s1, guint num);
G_GNUC_INTERNAL
void rtc_peer_session_post_error (RtcPeerSession * self, GError * error);

/* webrtcbin's side (rtcpeersession-webrtc.c) */
G_GNUC_INTERNAL
gboolean rtc_peer_session_promise_ok (GstPromise * promise, const gchar * what,
    GError ** error);
G_GNUC_INTERNAL
void rtc_peer_session_emit (RtcPeerSession * self, const gchar * signal,
    gpointer arg, SessionPromiseFunc func);
/* Interrupts and releases the promises webrtcbin dropped unanswered,
 * without calling back into the session (once webrtcbin has stopped). */
G_GNUC_INTERNAL
void rtc_peer_session_release_unanswered (RtcPeerSession * self);
G_GNUC_INTERNAL
void rtc_peer_session_on_local_description_set (RtcPeerSession * self,
    GstPromise * promise);
G_GNUC_INTERNAL
void rtc_peer_session_on_offer_created (RtcPeerSession * self,
    GstPromise * promise);
G_GNUC_INTERNAL
void rtc_peer_session_on_answer_created (RtcPeerSession * self,
    GstPromise * promise);
G_GNUC_INTERNAL
void rtc_peer_session_on_remote_description_set (RtcPeerSession * self,
    GstPromise * promise);
G_GNUC_INTERNAL
void rtc_peer_session_set_nack_for_kind (GstWebRTCRTPTransceiver * trans,
    GstWebRTCKind kind);
G_GNUC_INTERNAL
void rtc_peer_session_connect_webrtcbin (RtcPeerSession * self);

/* data channels (rtcpeersession-data.c) */
G_GNUC_INTERNAL
void rtc_peer_session_data_init (RtcPeerSession * self);
G_GNUC_INTERNAL
void rtc_peer_session_data_close (RtcPeerSession * self);
G_GNUC_INTERNAL
void rtc_peer_session_on_data_channel (GstElement * webrtcbin,
    GObject * channel, gpointer user_data);
G_GNUC_INTERNAL
void rtc_peer_session_handle_data_event (RtcPeerSession * self, Event * ev);
G_GNUC_INTERNAL
void rtc_peer_session_post_event (RtcPeerSession * self, Event * ev);

G_END_DECLS

#endif /* __RTC_PEER_SESSION_PRIVATE_H__ */
