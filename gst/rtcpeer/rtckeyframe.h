/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_KEYFRAME_H__
#define __RTC_KEYFRAME_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * RtcKeyframeCoalescer:
 *
 * Sits on the sink pad of the tee that fans one encoded stream out to many
 * peers. Every peer's PLI/FIR (RFC 4585 section 6.3.1, RFC 5104 section
 * 4.3.1) reaches the shared encoder as an upstream GstForceKeyUnit event;
 * this forwards at most one per interval. A request that arrives inside the
 * interval is not lost: one keyframe is forced when the interval ends.
 * The deferred request is scheduled on @context. Requests for peers that just
 * connected wait at most 100 ms (see rtc_keyframe_coalescer_request()).
 */
typedef struct _RtcKeyframeCoalescer RtcKeyframeCoalescer;

RtcKeyframeCoalescer * rtc_keyframe_coalescer_new (GstPad * tee_sink, GMainContext * context, guint interval_ms);
void  rtc_keyframe_coalescer_set_interval (RtcKeyframeCoalescer * self, guint interval_ms);
/* Asks for a keyframe for a peer that just connected: forced at once, or at
 * most 100 ms after the previous forced keyframe (joins in a burst share
 * one), whatever the interval. */
void  rtc_keyframe_coalescer_request (RtcKeyframeCoalescer * self);
/* Counters: requests seen, keyframes forced. */
void  rtc_keyframe_coalescer_get_counts (RtcKeyframeCoalescer * self, guint * requests, guint * forced);
void  rtc_keyframe_coalescer_free (RtcKeyframeCoalescer * self);

G_END_DECLS

#endif
