/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_STATS_H__
#define __RTC_STATS_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * RtcStatsSummary:
 * @bytes_sent: RTP payload and header bytes sent, all outbound streams
 * @packets_sent: RTP packets sent, all outbound streams
 * @nack_count: NACKs received (RFC 4585 section 6.2.1)
 * @pli_count: Picture Loss Indications received (RFC 4585 section 6.3.1)
 * @fir_count: Full Intra Requests received (RFC 5104 section 4.3.1)
 * @round_trip_time: the largest round-trip time the remote reported, in
 *   seconds (RFC 3550 section 6.4.1), 0 when none yet
 *
 * What one peer connection's "get-stats" structure (webrtcbin's, in the
 * shape of the W3C webrtc-stats dictionaries) says about what we send.
 */
typedef struct
{
  guint64 bytes_sent;
  guint64 packets_sent;
  guint nack_count;
  guint pli_count;
  guint fir_count;
  gdouble round_trip_time;
} RtcStatsSummary;

/* Sums @stats (a webrtcbin "get-stats" reply) into @summary, which it
 * first clears. Unknown and malformed entries are skipped. */
void      rtc_stats_summarize (const GstStructure * stats,
                               RtcStatsSummary * summary);

/* Sets the fields of rtcmeshfanout's "stats" per peer on @s:
 * bytes-sent, packets-sent (guint64), round-trip-time (gdouble, s),
 * nack-count, pli-count, fir-count (guint). */
void      rtc_stats_summary_fill (const RtcStatsSummary * summary,
                                  GstStructure * s);

/* Whether @stats lists a local candidate of type relay (one through a
 * TURN server). */
gboolean  rtc_stats_has_local_relay (const GstStructure * stats);

G_END_DECLS

#endif /* __RTC_STATS_H__ */
