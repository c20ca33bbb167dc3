/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Reading webrtcbin's statistics: pure functions over the structure a
 * "get-stats" promise is answered with, so they are tested without a peer
 * connection (tests/check/libs/stats.c). Polling stays with the session.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/webrtc/webrtc.h>

#include "rtcstats.h"

/* @value's entry and its W3C webrtc-stats @type, or NULL if it is none. */
static const GstStructure *
stats_entry (const GValue * value, GstWebRTCStatsType * type)
{
  const GstStructure *s;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return NULL;
  s = gst_value_get_structure (value);
  if (!s || !gst_structure_get_enum (s, "type", GST_TYPE_WEBRTC_STATS_TYPE,
          (gint *) type))
    return NULL;
  return s;
}

static gboolean
sum_entry (GQuark field, const GValue * value, gpointer user_data)
{
  RtcStatsSummary *sum = user_data;
  GstWebRTCStatsType type;
  const GstStructure *s = stats_entry (value, &type);
  guint64 u64;
  guint u;
  gdouble d;

  if (!s)
    return TRUE;
  if (type == GST_WEBRTC_STATS_OUTBOUND_RTP) {
    if (gst_structure_get_uint64 (s, "bytes-sent", &u64))
      sum->bytes_sent += u64;
    if (gst_structure_get_uint64 (s, "packets-sent", &u64))
      sum->packets_sent += u64;
    if (gst_structure_get_uint (s, "nack-count", &u))
      sum->nack_count += u;
    if (gst_structure_get_uint (s, "pli-count", &u))
      sum->pli_count += u;
    if (gst_structure_get_uint (s, "fir-count", &u))
      sum->fir_count += u;
  } else if (type == GST_WEBRTC_STATS_REMOTE_INBOUND_RTP) {
    if (gst_structure_get_double (s, "round-trip-time", &d))
      sum->round_trip_time = MAX (sum->round_trip_time, d);
  }
  return TRUE;
}

void
rtc_stats_summarize (const GstStructure * stats, RtcStatsSummary * summary)
{
  g_return_if_fail (summary != NULL);

  memset (summary, 0, sizeof (*summary));
  if (stats)
    gst_structure_foreach (stats, sum_entry, summary);
}

void
rtc_stats_summary_fill (const RtcStatsSummary * summary, GstStructure * s)
{
  gst_structure_set (s,
      "bytes-sent", G_TYPE_UINT64, summary->bytes_sent,
      "packets-sent", G_TYPE_UINT64, summary->packets_sent,
      "round-trip-time", G_TYPE_DOUBLE, summary->round_trip_time,
      "nack-count", G_TYPE_UINT, summary->nack_count,
      "pli-count", G_TYPE_UINT, summary->pli_count,
      "fir-count", G_TYPE_UINT, summary->fir_count, NULL);
}

static gboolean
find_local_relay (GQuark field, const GValue * value, gpointer user_data)
{
  gboolean *relay = user_data;
  GstWebRTCStatsType type;
  const GstStructure *s = stats_entry (value, &type);

  if (s && type == GST_WEBRTC_STATS_LOCAL_CANDIDATE
      && g_strcmp0 (gst_structure_get_string (s, "candidate-type"),
          "relay") == 0)
    *relay = TRUE;
  return !*relay;
}

gboolean
rtc_stats_has_local_relay (const GstStructure * stats)
{
  gboolean relay = FALSE;

  if (stats)
    gst_structure_foreach (stats, find_local_relay, &relay);
  return relay;
}
