/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The codec table (gst/rtcpeer/rtccodecs.h): every row's chains build with
 * the installed plugins, and what the other modules read from it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/check/gstcheck.h>

#include "rtccodecs.h"

static gboolean
can_build (const gchar * desc)
{
  GError *err = NULL;
  GstElement *bin = gst_parse_bin_from_description (desc, TRUE, &err);

  if (!bin) {
    g_printerr ("SKIP part: '%s': %s\n", desc, err->message);
    g_error_free (err);
    return FALSE;
  }
  gst_object_unref (bin);
  return TRUE;
}

GST_START_TEST (test_every_row_builds_its_chains)
{
  const RtcCodec *codecs;
  guint i, n, built = 0;

  codecs = rtc_codecs_get (&n);
  fail_unless (n >= 4);
  for (i = 0; i < n; i++) {
    gchar *desc;

    if (codecs[i].encoder) {
      desc = rtc_codec_send_description (&codecs[i], TRUE,
          codecs[i].kind == RTC_MEDIA_VIDEO ? 2000000 : 64000);
      built += can_build (desc);
      g_free (desc);
    }
    desc = rtc_codec_send_description (&codecs[i], FALSE, 0);
    built += can_build (desc);
    g_free (desc);
    desc = rtc_codec_receive_description (&codecs[i], TRUE);
    built += can_build (desc);
    g_free (desc);
    desc = rtc_codec_receive_description (&codecs[i], FALSE);
    built += can_build (desc);
    g_free (desc);
  }
  /* H264 (x264, avdec), VP8, VP9 and Opus are all in the test command's
   * packages: every chain builds there */
  fail_unless_equals_int (built, 4 * n);
}

GST_END_TEST;

GST_START_TEST (test_bitrate_in_the_encoders_unit_and_payload_types)
{
  const RtcCodec *h264 = rtc_codec_by_name ("h264");
  const RtcCodec *vp8 = rtc_codec_for_encoded ("video/x-vp8");
  gchar *desc;

  fail_unless (h264 != NULL && vp8 != NULL);
  desc = rtc_codec_send_description (h264, TRUE, 2000000);
  /* x264enc takes kbit/s */
  fail_unless (strstr (desc, "bitrate=2000 ") != NULL, "%s", desc);
  fail_unless (strstr (desc, "pt=102 mtu=1200") != NULL, "%s", desc);
  g_free (desc);
  desc = rtc_codec_send_description (vp8, TRUE, 2000000);
  /* vp8enc takes bit/s */
  fail_unless (strstr (desc, "target-bitrate=2000000") != NULL, "%s", desc);
  g_free (desc);
  fail_unless (rtc_codec_by_name ("AV1") == NULL);
}

GST_END_TEST;

GST_START_TEST (test_receive_caps_list_every_decodable_codec)
{
  GstCaps *video = rtc_codecs_receive_caps (RTC_MEDIA_VIDEO);
  GstCaps *audio = rtc_codecs_receive_caps (RTC_MEDIA_AUDIO);
  const GstStructure *s;

  fail_unless_equals_int (gst_caps_get_size (video), 3);
  s = gst_caps_get_structure (video, 0);
  fail_unless_equals_string (gst_structure_get_string (s, "encoding-name"),
      "H264");
  /* what every browser decodes (RFC 6184 fmtp) */
  fail_unless_equals_string (gst_structure_get_string (s,
          "profile-level-id"), "42e01f");
  fail_unless_equals_string (gst_structure_get_string (s,
          "packetization-mode"), "1");
  fail_unless_equals_int (gst_caps_get_size (audio), 1);
  fail_unless_equals_string (gst_structure_get_string
      (gst_caps_get_structure (audio, 0), "encoding-name"), "OPUS");
  gst_caps_unref (video);
  gst_caps_unref (audio);
}

GST_END_TEST;

static void
count_factory (const gchar * name, gpointer user_data)
{
  GHashTable *names = user_data;

  fail_if (strchr (name, '/') != NULL || strchr (name, '=') != NULL, "%s",
      name);
  g_hash_table_add (names, g_strdup (name));
}

GST_START_TEST (test_factories_of_the_table)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);

  rtc_codecs_foreach_factory (count_factory, names);
  fail_unless (g_hash_table_contains (names, "x264enc"));
  fail_unless (g_hash_table_contains (names, "avdec_h264"));
  fail_unless (g_hash_table_contains (names, "rtpopusdepay"));
  fail_unless (g_hash_table_contains (names, "vp9dec"));
  g_hash_table_unref (names);
}

GST_END_TEST;

static Suite *
codecs_suite (void)
{
  Suite *s = suite_create ("codecs");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_every_row_builds_its_chains);
  tcase_add_test (tc, test_bitrate_in_the_encoders_unit_and_payload_types);
  tcase_add_test (tc, test_receive_caps_list_every_decodable_codec);
  tcase_add_test (tc, test_factories_of_the_table);
  return s;
}

GST_CHECK_MAIN (codecs);
