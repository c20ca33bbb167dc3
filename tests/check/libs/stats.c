/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Reading webrtcbin's statistics (gst/rtcpeer/rtcstats.h), on structures
 * shaped like a 1.22 "get-stats" reply.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gst/webrtc/webrtc.h>

#include "rtcstats.h"

static void
add_entry (GstStructure * stats, const gchar * id, GstStructure * entry)
{
  gst_structure_set (stats, id, GST_TYPE_STRUCTURE, entry, NULL);
  gst_structure_free (entry);
}

static GstStructure *
entry (GstWebRTCStatsType type)
{
  return gst_structure_new ("application/x-webrtc-stats", "type",
      GST_TYPE_WEBRTC_STATS_TYPE, type, NULL);
}

/* two outbound streams (video and audio), two remote reports, a candidate,
 * and things to skip */
static GstStructure *
sample_stats (const gchar * local_candidate_type)
{
  GstStructure *stats = gst_structure_new_empty ("application/x-webrtc-stats");
  GstStructure *e;

  e = entry (GST_WEBRTC_STATS_OUTBOUND_RTP);
  gst_structure_set (e, "bytes-sent", G_TYPE_UINT64, (guint64) 100000,
      "packets-sent", G_TYPE_UINT64, (guint64) 100, "nack-count", G_TYPE_UINT,
      3, "pli-count", G_TYPE_UINT, 2, "fir-count", G_TYPE_UINT, 1, NULL);
  add_entry (stats, "rtp-outbound-video", e);
  e = entry (GST_WEBRTC_STATS_OUTBOUND_RTP);
  gst_structure_set (e, "bytes-sent", G_TYPE_UINT64, (guint64) 5000,
      "packets-sent", G_TYPE_UINT64, (guint64) 50, NULL);
  add_entry (stats, "rtp-outbound-audio", e);
  e = entry (GST_WEBRTC_STATS_REMOTE_INBOUND_RTP);
  gst_structure_set (e, "round-trip-time", G_TYPE_DOUBLE, 0.020, NULL);
  add_entry (stats, "rtp-remote-inbound-video", e);
  e = entry (GST_WEBRTC_STATS_REMOTE_INBOUND_RTP);
  gst_structure_set (e, "round-trip-time", G_TYPE_DOUBLE, 0.035, NULL);
  add_entry (stats, "rtp-remote-inbound-audio", e);
  /* inbound counts are what we receive: not in the summary */
  e = entry (GST_WEBRTC_STATS_INBOUND_RTP);
  gst_structure_set (e, "bytes-received", G_TYPE_UINT64, (guint64) 999, NULL);
  add_entry (stats, "rtp-inbound", e);
  e = entry (GST_WEBRTC_STATS_LOCAL_CANDIDATE);
  gst_structure_set (e, "candidate-type", G_TYPE_STRING,
      local_candidate_type, NULL);
  add_entry (stats, "ice-candidate-local", e);
  /* malformed: no type, a wrong type, not a structure */
  add_entry (stats, "no-type", gst_structure_new ("x", "bytes-sent",
          G_TYPE_UINT64, (guint64) 7, NULL));
  add_entry (stats, "string-type", gst_structure_new ("x", "type",
          G_TYPE_STRING, "outbound-rtp", NULL));
  gst_structure_set (stats, "timestamp", G_TYPE_DOUBLE, 1.0, NULL);
  return stats;
}

GST_START_TEST (test_summary_sums_outbound_and_keeps_the_largest_rtt)
{
  GstStructure *stats = sample_stats ("host");
  RtcStatsSummary sum;

  memset (&sum, 0xff, sizeof (sum));
  rtc_stats_summarize (stats, &sum);
  fail_unless_equals_uint64 (sum.bytes_sent, 105000);
  fail_unless_equals_uint64 (sum.packets_sent, 150);
  fail_unless_equals_int (sum.nack_count, 3);
  fail_unless_equals_int (sum.pli_count, 2);
  fail_unless_equals_int (sum.fir_count, 1);
  fail_unless_equals_float (sum.round_trip_time, 0.035);
  gst_structure_free (stats);
}

GST_END_TEST;

GST_START_TEST (test_summary_of_nothing_is_zero)
{
  GstStructure *empty = gst_structure_new_empty ("application/x-webrtc-stats");
  RtcStatsSummary sum;

  memset (&sum, 0xff, sizeof (sum));
  rtc_stats_summarize (NULL, &sum);
  fail_unless_equals_uint64 (sum.bytes_sent, 0);
  fail_unless_equals_float (sum.round_trip_time, 0.0);
  memset (&sum, 0xff, sizeof (sum));
  rtc_stats_summarize (empty, &sum);
  fail_unless_equals_uint64 (sum.packets_sent, 0);
  fail_unless_equals_int (sum.pli_count, 0);
  gst_structure_free (empty);
}

GST_END_TEST;

GST_START_TEST (test_summary_fills_the_documented_fields)
{
  GstStructure *stats = sample_stats ("host");
  GstStructure *s = gst_structure_new_empty ("peer");
  RtcStatsSummary sum;
  guint64 u64 = 0;
  guint u = 0;
  gdouble d = 0;

  rtc_stats_summarize (stats, &sum);
  rtc_stats_summary_fill (&sum, s);
  fail_unless (gst_structure_get_uint64 (s, "bytes-sent", &u64));
  fail_unless_equals_uint64 (u64, 105000);
  fail_unless (gst_structure_get_uint64 (s, "packets-sent", &u64));
  fail_unless_equals_uint64 (u64, 150);
  fail_unless (gst_structure_get_double (s, "round-trip-time", &d));
  fail_unless_equals_float (d, 0.035);
  fail_unless (gst_structure_get_uint (s, "nack-count", &u));
  fail_unless_equals_int (u, 3);
  fail_unless (gst_structure_get_uint (s, "pli-count", &u));
  fail_unless_equals_int (u, 2);
  fail_unless (gst_structure_get_uint (s, "fir-count", &u));
  fail_unless_equals_int (u, 1);
  fail_unless_equals_int (gst_structure_n_fields (s), 6);
  gst_structure_free (s);
  gst_structure_free (stats);
}

GST_END_TEST;

GST_START_TEST (test_local_relay_is_found_only_when_there)
{
  GstStructure *host = sample_stats ("host");
  GstStructure *relay = sample_stats ("relay");

  fail_if (rtc_stats_has_local_relay (host));
  fail_unless (rtc_stats_has_local_relay (relay));
  fail_if (rtc_stats_has_local_relay (NULL));
  gst_structure_free (host);
  gst_structure_free (relay);
}

GST_END_TEST;

static Suite *
stats_suite (void)
{
  Suite *s = suite_create ("stats");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_summary_sums_outbound_and_keeps_the_largest_rtt);
  tcase_add_test (tc, test_summary_of_nothing_is_zero);
  tcase_add_test (tc, test_summary_fills_the_documented_fields);
  tcase_add_test (tc, test_local_relay_is_found_only_when_there);
  return s;
}

GST_CHECK_MAIN (stats);
