/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "rtcnegotiation.h"

void
rtc_negotiation_init (RtcNegotiation * self)
{
  memset (self, 0, sizeof *self);
  self->state = RTC_NEG_IDLE;
}

const gchar *
rtc_negotiation_state_name (RtcNegState state)
{
  switch (state) {
    case RTC_NEG_IDLE:
      return "idle";
    case RTC_NEG_WANT_OFFER:
      return "want-offer";
    case RTC_NEG_OFFERING:
      return "offering";
    case RTC_NEG_ANSWERING:
      return "answering";
    case RTC_NEG_STABLE:
      return "stable";
  }
  return "unknown";
}

const gchar *
rtc_negotiation_failure_message (RtcNegFailure failure)
{
  switch (failure) {
    case RTC_NEG_FAILED_UNEXPECTED_ANSWER:
      return "received an answer without having sent an offer";
    case RTC_NEG_FAILED_NOTHING_ACCEPTED:
      return "the remote peer rejected every media line of the offer "
          "(no codec in common)";
  }
  return "negotiation failed";
}

static RtcNegActions
create_offer (RtcNegotiation * self, guint n_transceivers)
{
  self->state = RTC_NEG_OFFERING;
  self->negotiation_needed = FALSE;
  self->n_transceivers_offered = n_transceivers;
  return RTC_NEG_ACT_CREATE_OFFER;
}

static RtcNegActions
negotiation_needed (RtcNegotiation * self, const RtcNegEvent * ev)
{
  switch (self->state) {
    case RTC_NEG_WANT_OFFER:
      if (ev->all_caps)
        return create_offer (self, ev->n_transceivers);
      /* webrtcbin asks again when the last caps arrive */
      self->negotiation_needed = TRUE;
      return RTC_NEG_ACT_NONE;
    case RTC_NEG_STABLE:
      if (self->offerer && ev->n_transceivers > self->n_transceivers_offered)
        return create_offer (self, ev->n_transceivers);
      return RTC_NEG_ACT_NONE;
    default:
      self->negotiation_needed = TRUE;
      return RTC_NEG_ACT_NONE;
  }
}

static RtcNegActions
remote_applied (RtcNegotiation * self, const RtcNegEvent * ev)
{
  RtcNegActions act = RTC_NEG_ACT_FLUSH_CANDIDATES;

  self->have_remote = TRUE;
  if (self->state == RTC_NEG_ANSWERING)
    return act | RTC_NEG_ACT_CREATE_ANSWER;
  if (self->state != RTC_NEG_OFFERING)
    return act;
  self->state = RTC_NEG_STABLE;
  if (ev->rejects_all) {
    self->failure = RTC_NEG_FAILED_NOTHING_ACCEPTED;
    return act | RTC_NEG_ACT_FAIL;
  }
  if (self->negotiation_needed)
    act |= RTC_NEG_ACT_NEGOTIATE_AGAIN;
  return act;
}

/**
 * rtc_negotiation_handle:
 * @self: the state
 * @event: what happened
 *
 * Returns: what to do, in the order of the flags' values.
 */
RtcNegActions
rtc_negotiation_handle (RtcNegotiation * self, const RtcNegEvent * ev)
{
  switch (ev->type) {
    case RTC_NEG_EV_START:
      self->offerer = ev->offerer;
      if (!ev->offerer)
        return RTC_NEG_ACT_NONE;
      self->state = RTC_NEG_WANT_OFFER;
      /* negotiation-needed may have come while tracks were linked; and
       * media whose caps are all known is offered at once: webrtcbin
       * 1.22 asks only once caps have arrived on every sink pad */
      if (ev->all_caps && (self->negotiation_needed || ev->n_transceivers))
        return create_offer (self, ev->n_transceivers);
      return RTC_NEG_ACT_NONE;
    case RTC_NEG_EV_NEGOTIATION_NEEDED:
      return negotiation_needed (self, ev);
    case RTC_NEG_EV_REMOTE_OFFER:
      if (self->state == RTC_NEG_OFFERING || self->state == RTC_NEG_ANSWERING)
        return RTC_NEG_ACT_IGNORE;
      self->state = RTC_NEG_ANSWERING;
      return RTC_NEG_ACT_APPLY_REMOTE;
    case RTC_NEG_EV_REMOTE_ANSWER:
      if (self->state != RTC_NEG_OFFERING) {
        self->failure = RTC_NEG_FAILED_UNEXPECTED_ANSWER;
        return RTC_NEG_ACT_FAIL;
      }
      return RTC_NEG_ACT_APPLY_REMOTE;
    case RTC_NEG_EV_REMOTE_APPLIED:
      return remote_applied (self, ev);
    case RTC_NEG_EV_LOCAL_ANSWER:
      self->state = RTC_NEG_STABLE;
      /* a remote (re-)offer may have added transceivers: they are
       * negotiated now, not a reason to offer ourselves */
      self->n_transceivers_offered = ev->n_transceivers;
      return RTC_NEG_ACT_NONE;
    case RTC_NEG_EV_REMOTE_CANDIDATE:
      if (++self->n_remote_candidates > RTC_NEGOTIATION_MAX_REMOTE_CANDIDATES)
        return RTC_NEG_ACT_DROP_CANDIDATE;
      return self->have_remote ? RTC_NEG_ACT_ADD_CANDIDATE :
          RTC_NEG_ACT_QUEUE_CANDIDATE;
  }
  g_return_val_if_reached (RTC_NEG_ACT_NONE);
}
