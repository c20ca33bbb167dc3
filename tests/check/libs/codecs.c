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
          codecs[i].kind == RTC_MEDIA_VIDEO ? 2000000 : 64000, 1);
      built += can_build (desc);
      g_free (desc);
    }
    desc = rtc_codec_send_description (&codecs[i], FALSE, 0, 1);
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
  desc = rtc_codec_send_description (h264, TRUE, 2000000, 3000000000u);
  /* x264enc takes kbit/s */
  fail_unless (strstr (desc, "bitrate=2000 ") != NULL, "%s", desc);
  fail_unless (strstr (desc, "pt=102 mtu=1200 ssrc=3000000000") != NULL, "%s",
      desc);
  g_free (desc);
  desc = rtc_codec_send_description (vp8, TRUE, 2000000, 1);
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

/* Runs @codec's sending chain on a few frames of test input and returns
 * the caps its payloader sent. */
static GstCaps *
payloader_caps (const RtcCodec * codec, guint ssrc)
{
  gchar *chain = rtc_codec_send_description (codec, TRUE, 500000, ssrc);
  gchar *desc = g_strdup_printf ("%s ! %s ! fakesink name=sink",
      codec->kind == RTC_MEDIA_VIDEO ? "videotestsrc num-buffers=5 ! "
      "video/x-raw,width=160,height=120" : "audiotestsrc num-buffers=5",
      chain);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *sink;
  GstPad *pad;
  GstMessage *msg;
  GstCaps *caps;

  fail_unless (pipeline != NULL, "%s", desc);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (pipeline),
      30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS, "%s", desc);
  gst_message_unref (msg);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  pad = gst_element_get_static_pad (sink, "sink");
  caps = gst_pad_get_current_caps (pad);
  fail_unless (caps != NULL);
  gst_object_unref (pad);
  gst_object_unref (sink);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  g_free (desc);
  g_free (chain);
  return caps;
}

/* An offer is made from rtc_codec_send_caps() before the encoder has
 * produced anything: they must say what the payloader then sends. */
GST_START_TEST (test_send_caps_are_what_the_payloader_sends)
{
  static const gchar *fields[] = { "media", "encoding-name", "payload",
    "clock-rate", "ssrc", "packetization-mode",
  };
  const RtcCodec *codecs;
  guint i, j, n, checked = 0;

  codecs = rtc_codecs_get (&n);
  for (i = 0; i < n; i++) {
    GstCaps *table, *sent;
    const GstStructure *t, *s;
    const gchar *plid, *splid;

    if (!codecs[i].encoder)
      continue;
    table = rtc_codec_send_caps (&codecs[i], 3000000000u + i);
    sent = payloader_caps (&codecs[i], 3000000000u + i);
    t = gst_caps_get_structure (table, 0);
    s = gst_caps_get_structure (sent, 0);
    for (j = 0; j < G_N_ELEMENTS (fields); j++) {
      const GValue *tv = gst_structure_get_value (t, fields[j]);
      const GValue *sv = gst_structure_get_value (s, fields[j]);

      if (!tv)
        continue;
      fail_unless (sv && gst_value_compare (tv, sv) == GST_VALUE_EQUAL,
          "%s: %s differs: table %" GST_PTR_FORMAT ", payloader %"
          GST_PTR_FORMAT, codecs[i].name, fields[j], table, sent);
    }
    /* H264: the same profile (profile_idc, constraint_set1: RFC 6184
     * section 8.1); the level may be lower than the one offered */
    plid = gst_structure_get_string (t, "profile-level-id");
    splid = gst_structure_get_string (s, "profile-level-id");
    if (plid) {
      guint64 a, b;

      fail_unless (splid != NULL);
      a = g_ascii_strtoull (plid, NULL, 16);
      b = g_ascii_strtoull (splid, NULL, 16);
      fail_unless_equals_int ((a >> 16) & 0xff, (b >> 16) & 0xff);
      fail_unless_equals_int ((a >> 8) & 0x40, (b >> 8) & 0x40);
      fail_unless ((b & 0xff) <= (a & 0xff), "level %s above %s", splid, plid);
    }
    gst_caps_unref (table);
    gst_caps_unref (sent);
    checked++;
  }
  fail_unless_equals_int (checked, 4);
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
  tcase_add_test (tc, test_send_caps_are_what_the_payloader_sends);
  return s;
}

GST_CHECK_MAIN (codecs);
