/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The offer/answer state machine (gst/rtcpeer/rtcnegotiation.h), table
 * driven: each scenario is a list of events with the actions and the state
 * expected after each.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>

#include "rtcnegotiation.h"

typedef struct
{
  RtcNegEvent ev;
  RtcNegActions expect;
  RtcNegState state;
} Step;

#define START(off, caps, n) { RTC_NEG_EV_START, off, caps, n, FALSE }
#define NEEDED(caps, n) { RTC_NEG_EV_NEGOTIATION_NEEDED, FALSE, caps, n, FALSE }
#define R_OFFER { RTC_NEG_EV_REMOTE_OFFER, FALSE, FALSE, 0, FALSE }
#define R_ANSWER { RTC_NEG_EV_REMOTE_ANSWER, FALSE, FALSE, 0, FALSE }
#define APPLIED(rej) { RTC_NEG_EV_REMOTE_APPLIED, FALSE, FALSE, 0, rej }
#define L_ANSWER(n) { RTC_NEG_EV_LOCAL_ANSWER, FALSE, FALSE, n, FALSE }
#define CAND { RTC_NEG_EV_REMOTE_CANDIDATE, FALSE, FALSE, 0, FALSE }

#define A_OFFER RTC_NEG_ACT_CREATE_OFFER
#define A_ANSWER RTC_NEG_ACT_CREATE_ANSWER
#define A_APPLY RTC_NEG_ACT_APPLY_REMOTE
#define A_FLUSH RTC_NEG_ACT_FLUSH_CANDIDATES

static void
run (const gchar * name, const Step * steps, guint n, RtcNegotiation * neg)
{
  guint i;

  rtc_negotiation_init (neg);
  for (i = 0; i < n; i++) {
    RtcNegActions got = rtc_negotiation_handle (neg, &steps[i].ev);

    fail_unless_equals_int_hex (got, steps[i].expect);
    fail_unless (neg->state == steps[i].state,
        "%s, step %u: state %s, expected %s", name, i,
        rtc_negotiation_state_name (neg->state),
        rtc_negotiation_state_name (steps[i].state));
  }
}

#define RUN(steps, neg) run (#steps, steps, G_N_ELEMENTS (steps), neg)

GST_START_TEST (test_offerer_waits_for_caps_and_never_reoffers_blindly)
{
  static const Step steps[] = {
    {START (TRUE, FALSE, 0), 0, RTC_NEG_WANT_OFFER},
    /* webrtcbin asks before any track is linked: no offer without media */
    {NEEDED (FALSE, 1), 0, RTC_NEG_WANT_OFFER},
    {NEEDED (TRUE, 2), A_OFFER, RTC_NEG_OFFERING},
    {R_ANSWER, A_APPLY, RTC_NEG_OFFERING},
    {APPLIED (FALSE), A_FLUSH, RTC_NEG_STABLE},
    /* asked again after the remote rejected an m-line: nothing new */
    {NEEDED (TRUE, 2), 0, RTC_NEG_STABLE},
    /* a transceiver was added: offer it */
    {NEEDED (TRUE, 3), A_OFFER, RTC_NEG_OFFERING},
  };
  RtcNegotiation neg;

  RUN (steps, &neg);
  fail_unless_equals_int (neg.n_transceivers_offered, 3);
}

GST_END_TEST;

GST_START_TEST (test_negotiation_needed_before_start_offers_at_start)
{
  static const Step steps[] = {
    {NEEDED (TRUE, 1), 0, RTC_NEG_IDLE},
    {START (TRUE, TRUE, 1), A_OFFER, RTC_NEG_OFFERING},
  };
  RtcNegotiation neg;

  RUN (steps, &neg);
}

GST_END_TEST;

/* every sink pad's caps known in advance: the offer goes at start, and
 * webrtcbin's later negotiation-needed (the caps arriving) offers nothing
 * new */
GST_START_TEST (test_known_caps_offer_at_start)
{
  static const Step steps[] = {
    {START (TRUE, TRUE, 2), A_OFFER, RTC_NEG_OFFERING},
    {NEEDED (TRUE, 2), 0, RTC_NEG_OFFERING},
    {R_ANSWER, A_APPLY, RTC_NEG_OFFERING},
    {APPLIED (FALSE), A_FLUSH | RTC_NEG_ACT_NEGOTIATE_AGAIN, RTC_NEG_STABLE},
    {NEEDED (TRUE, 2), 0, RTC_NEG_STABLE},
  };
  RtcNegotiation neg;

  RUN (steps, &neg);
}

GST_END_TEST;

GST_START_TEST (test_answerer_answers_and_does_not_offer)
{
  static const Step steps[] = {
    {START (FALSE, TRUE, 0), 0, RTC_NEG_IDLE},
    {R_OFFER, A_APPLY, RTC_NEG_ANSWERING},
    {APPLIED (FALSE), A_FLUSH | A_ANSWER, RTC_NEG_ANSWERING},
    {L_ANSWER (2), 0, RTC_NEG_STABLE},
    {NEEDED (TRUE, 2), 0, RTC_NEG_STABLE},
  };
  RtcNegotiation neg;

  RUN (steps, &neg);
}

GST_END_TEST;

GST_START_TEST (test_early_candidates_are_queued_then_flushed)
{
  static const Step steps[] = {
    {START (FALSE, TRUE, 0), 0, RTC_NEG_IDLE},
    {CAND, RTC_NEG_ACT_QUEUE_CANDIDATE, RTC_NEG_IDLE},
    {CAND, RTC_NEG_ACT_QUEUE_CANDIDATE, RTC_NEG_IDLE},
    {R_OFFER, A_APPLY, RTC_NEG_ANSWERING},
    {CAND, RTC_NEG_ACT_QUEUE_CANDIDATE, RTC_NEG_ANSWERING},
    {APPLIED (FALSE), A_FLUSH | A_ANSWER, RTC_NEG_ANSWERING},
    {CAND, RTC_NEG_ACT_ADD_CANDIDATE, RTC_NEG_ANSWERING},
  };
  RtcNegotiation neg;

  RUN (steps, &neg);
}

GST_END_TEST;

GST_START_TEST (test_glare_keeps_our_offer)
{
  static const Step steps[] = {
    {START (TRUE, TRUE, 0), 0, RTC_NEG_WANT_OFFER},
    {NEEDED (TRUE, 1), A_OFFER, RTC_NEG_OFFERING},
    /* the remote offered at the same time: webrtcbin 1.22 cannot roll
     * back, ours stands */
    {R_OFFER, RTC_NEG_ACT_IGNORE, RTC_NEG_OFFERING},
    {R_ANSWER, A_APPLY, RTC_NEG_OFFERING},
    {APPLIED (FALSE), A_FLUSH, RTC_NEG_STABLE},
  };
  RtcNegotiation neg;

  RUN (steps, &neg);
}

GST_END_TEST;

GST_START_TEST (test_remote_reoffer_on_our_session_is_answered)
{
  static const Step steps[] = {
    {START (TRUE, TRUE, 0), 0, RTC_NEG_WANT_OFFER},
    {NEEDED (TRUE, 2), A_OFFER, RTC_NEG_OFFERING},
    {R_ANSWER, A_APPLY, RTC_NEG_OFFERING},
    {APPLIED (FALSE), A_FLUSH, RTC_NEG_STABLE},
    /* the browser renegotiates and adds an m-line */
    {R_OFFER, A_APPLY, RTC_NEG_ANSWERING},
    {APPLIED (FALSE), A_FLUSH | A_ANSWER, RTC_NEG_ANSWERING},
    {L_ANSWER (3), 0, RTC_NEG_STABLE},
    /* its transceiver is negotiated: no offer of ours follows */
    {NEEDED (TRUE, 3), 0, RTC_NEG_STABLE},
    /* a second re-offer while answering the first is glare too */
    {R_OFFER, A_APPLY, RTC_NEG_ANSWERING},
    {R_OFFER, RTC_NEG_ACT_IGNORE, RTC_NEG_ANSWERING},
  };
  RtcNegotiation neg;

  RUN (steps, &neg);
}

GST_END_TEST;

GST_START_TEST (test_failures)
{
  static const Step unexpected[] = {
    {START (FALSE, TRUE, 0), 0, RTC_NEG_IDLE},
    {R_ANSWER, RTC_NEG_ACT_FAIL, RTC_NEG_IDLE},
  };
  static const Step rejected[] = {
    {START (TRUE, TRUE, 0), 0, RTC_NEG_WANT_OFFER},
    {NEEDED (TRUE, 1), A_OFFER, RTC_NEG_OFFERING},
    {R_ANSWER, A_APPLY, RTC_NEG_OFFERING},
    {APPLIED (TRUE), A_FLUSH | RTC_NEG_ACT_FAIL, RTC_NEG_STABLE},
  };
  RtcNegotiation neg;

  RUN (unexpected, &neg);
  fail_unless_equals_int (neg.failure, RTC_NEG_FAILED_UNEXPECTED_ANSWER);
  RUN (rejected, &neg);
  fail_unless_equals_int (neg.failure, RTC_NEG_FAILED_NOTHING_ACCEPTED);
  fail_unless (strstr (rtc_negotiation_failure_message (neg.failure),
          "no codec in common") != NULL);
}

GST_END_TEST;

GST_START_TEST (test_negotiation_asked_while_offering_offers_again_after)
{
  static const Step steps[] = {
    {START (TRUE, TRUE, 0), 0, RTC_NEG_WANT_OFFER},
    {NEEDED (TRUE, 1), A_OFFER, RTC_NEG_OFFERING},
    {NEEDED (TRUE, 2), 0, RTC_NEG_OFFERING},
    {R_ANSWER, A_APPLY, RTC_NEG_OFFERING},
    {APPLIED (FALSE), A_FLUSH | RTC_NEG_ACT_NEGOTIATE_AGAIN, RTC_NEG_STABLE},
    {NEEDED (TRUE, 2), A_OFFER, RTC_NEG_OFFERING},
  };
  RtcNegotiation neg;

  RUN (steps, &neg);
}

GST_END_TEST;

GST_START_TEST (test_remote_candidates_are_bounded)
{
  RtcNegotiation neg;
  RtcNegEvent cand = CAND;
  guint i, dropped = 0, queued = 0;

  rtc_negotiation_init (&neg);
  for (i = 0; i < RTC_NEGOTIATION_MAX_REMOTE_CANDIDATES + 10; i++) {
    RtcNegActions a = rtc_negotiation_handle (&neg, &cand);

    if (a == RTC_NEG_ACT_DROP_CANDIDATE)
      dropped++;
    else if (a == RTC_NEG_ACT_QUEUE_CANDIDATE)
      queued++;
  }
  fail_unless_equals_int (queued, RTC_NEGOTIATION_MAX_REMOTE_CANDIDATES);
  fail_unless_equals_int (dropped, 10);
}

GST_END_TEST;

static Suite *
negotiation_suite (void)
{
  Suite *s = suite_create ("negotiation");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_offerer_waits_for_caps_and_never_reoffers_blindly);
  tcase_add_test (tc, test_negotiation_needed_before_start_offers_at_start);
  tcase_add_test (tc, test_known_caps_offer_at_start);
  tcase_add_test (tc, test_answerer_answers_and_does_not_offer);
  tcase_add_test (tc, test_early_candidates_are_queued_then_flushed);
  tcase_add_test (tc, test_glare_keeps_our_offer);
  tcase_add_test (tc, test_remote_reoffer_on_our_session_is_answered);
  tcase_add_test (tc, test_failures);
  tcase_add_test (tc, test_negotiation_asked_while_offering_offers_again_after);
  tcase_add_test (tc, test_remote_candidates_are_bounded);
  return s;
}

GST_CHECK_MAIN (negotiation);
