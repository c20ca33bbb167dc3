/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_NEGOTIATION_H__
#define __RTC_NEGOTIATION_H__

#include <glib.h>

G_BEGIN_DECLS

/**
 * RtcNegotiation:
 *
 * The offer/answer state machine of one peer session (JSEP, RFC 8829),
 * without any I/O: events go in, the actions to take come out, and
 * RtcPeerSession performs them on its webrtcbin. Pure, so every path
 * (glare, early candidates, re-offers, failures) is unit-tested with a
 * table (tests/check/libs/negotiation.c).
 *
 * Its rules, each forced by webrtcbin 1.22 or a browser:
 * - the offerer offers once every sink pad has caps, known in advance or
 *   arrived (webrtcbin asks for negotiation before any track is linked,
 *   and an offer then has no media): at start when there are
 *   transceivers to offer (webrtcbin 1.22 asks again only once caps have
 *   arrived on every sink pad, tens of milliseconds later while an
 *   encoder starts), else when webrtcbin asks;
 * - once stable, it offers again only when transceivers were added since
 *   its last offer: after the remote rejected an m-line webrtcbin asks
 *   again, and re-offering the same thing loops until the browser gives
 *   up;
 * - a remote offer is answered, first or renegotiation; one that crosses
 *   our pending offer (glare) is ignored, since webrtcbin 1.22 cannot roll
 *   back (we are the impolite peer, RFC 8829 section 4.1.8.2);
 * - remote candidates before the remote description are queued (RFC 8838),
 *   at most RTC_NEGOTIATION_MAX_REMOTE_CANDIDATES per session.
 */

typedef enum
{
  RTC_NEG_IDLE,                 /* nothing asked for yet */
  RTC_NEG_WANT_OFFER,           /* offerer waiting for media or negotiation-needed */
  RTC_NEG_OFFERING,             /* offer created/sent, waiting for answer */
  RTC_NEG_ANSWERING,            /* remote offer applied, answer on its way */
  RTC_NEG_STABLE,
} RtcNegState;

typedef enum
{
  RTC_NEG_EV_START,             /* @offerer; offerer: @all_caps, @n_transceivers */
  RTC_NEG_EV_NEGOTIATION_NEEDED,        /* @all_caps, @n_transceivers */
  RTC_NEG_EV_REMOTE_OFFER,
  RTC_NEG_EV_REMOTE_ANSWER,
  RTC_NEG_EV_REMOTE_APPLIED,    /* @rejects_all: an answer rejected every m-line */
  RTC_NEG_EV_LOCAL_ANSWER,      /* our answer is applied; @n_transceivers */
  RTC_NEG_EV_REMOTE_CANDIDATE,
} RtcNegEventType;

typedef struct
{
  RtcNegEventType type;
  gboolean offerer;
  gboolean all_caps;
  guint n_transceivers;
  gboolean rejects_all;
} RtcNegEvent;

/**
 * RtcNegActions:
 * @RTC_NEG_ACT_CREATE_OFFER: create an offer (and later apply it)
 * @RTC_NEG_ACT_CREATE_ANSWER: create an answer to the applied remote offer
 * @RTC_NEG_ACT_APPLY_REMOTE: hand the remote description to webrtcbin
 * @RTC_NEG_ACT_IGNORE: drop the event's description (glare)
 * @RTC_NEG_ACT_QUEUE_CANDIDATE: keep the candidate until the remote
 *   description is applied
 * @RTC_NEG_ACT_ADD_CANDIDATE: give the candidate to webrtcbin now
 * @RTC_NEG_ACT_DROP_CANDIDATE: over the limit: drop it
 * @RTC_NEG_ACT_FLUSH_CANDIDATES: give the queued candidates to webrtcbin
 * @RTC_NEG_ACT_NEGOTIATE_AGAIN: negotiation was asked for meanwhile:
 *   feed RTC_NEG_EV_NEGOTIATION_NEEDED again with current values
 * @RTC_NEG_ACT_FAIL: the session failed; rtc_negotiation_get_error() says
 *   why
 */
typedef enum
{
  RTC_NEG_ACT_NONE = 0,
  RTC_NEG_ACT_CREATE_OFFER = 1 << 0,
  RTC_NEG_ACT_CREATE_ANSWER = 1 << 1,
  RTC_NEG_ACT_APPLY_REMOTE = 1 << 2,
  RTC_NEG_ACT_IGNORE = 1 << 3,
  RTC_NEG_ACT_QUEUE_CANDIDATE = 1 << 4,
  RTC_NEG_ACT_ADD_CANDIDATE = 1 << 5,
  RTC_NEG_ACT_DROP_CANDIDATE = 1 << 6,
  RTC_NEG_ACT_FLUSH_CANDIDATES = 1 << 7,
  RTC_NEG_ACT_NEGOTIATE_AGAIN = 1 << 8,
  RTC_NEG_ACT_FAIL = 1 << 9,
} RtcNegActions;

/* no real agent sends more per session (a few per interface and server) */
#define RTC_NEGOTIATION_MAX_REMOTE_CANDIDATES 256

typedef enum
{
  RTC_NEG_FAILED_UNEXPECTED_ANSWER,     /* an answer without our offer */
  RTC_NEG_FAILED_NOTHING_ACCEPTED,      /* every m-line rejected */
} RtcNegFailure;

typedef struct
{
  RtcNegState state;
  gboolean offerer;
  gboolean negotiation_needed;  /* asked while we could not offer */
  guint n_transceivers_offered;
  gboolean have_remote;
  guint n_remote_candidates;
  RtcNegFailure failure;
} RtcNegotiation;

void          rtc_negotiation_init (RtcNegotiation * self);
RtcNegActions rtc_negotiation_handle (RtcNegotiation * self,
                                      const RtcNegEvent * event);
const gchar * rtc_negotiation_state_name (RtcNegState state);
const gchar * rtc_negotiation_failure_message (RtcNegFailure failure);

G_END_DECLS

#endif
