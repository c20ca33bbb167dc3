/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The SDP fixes of webrtcbin 1.22's answers (gst/rtcpeer/rtcsdp.h), on
 * texts shaped like Chromium's offers and webrtcbin's answers.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>

#include "rtcsdp.h"

#define SESSION "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"

static GstSDPMessage *
sdp (const gchar * text)
{
  GstSDPMessage *msg = NULL;

  fail_unless (gst_sdp_message_new_from_text (text, &msg) == GST_SDP_OK);
  return msg;
}

static const gchar *
setup_of (const GstSDPMessage * msg, guint media)
{
  return gst_sdp_media_get_attribute_val (gst_sdp_message_get_media (msg,
          media), "setup");
}

GST_START_TEST (test_fmtp_value_by_payload_type_and_key)
{
  GstSDPMessage *m = sdp (SESSION
      "m=video 9 UDP/TLS/RTP/SAVPF 102 108\r\n"
      "a=rtpmap:102 H264/90000\r\n"
      "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1; "
      "profile-level-id=42001f\r\n"
      "a=rtpmap:108 H264/90000\r\n" "a=fmtp:108 profile-level-id=42e01f\r\n");
  const GstSDPMedia *media = gst_sdp_message_get_media (m, 0);
  gchar *v;

  v = rtc_sdp_media_get_fmtp (media, "102", "profile-level-id");
  fail_unless_equals_string (v, "42001f");
  g_free (v);
  v = rtc_sdp_media_get_fmtp (media, "108", "profile-level-id");
  fail_unless_equals_string (v, "42e01f");
  g_free (v);
  /* "10" is not a prefix match of "102", nor a key of another name */
  fail_unless (rtc_sdp_media_get_fmtp (media, "10", "profile-level-id") ==
      NULL);
  fail_unless (rtc_sdp_media_get_fmtp (media, "102", "profile") == NULL);
  fail_unless (rtc_sdp_media_get_fmtp (media, "96", "apt") == NULL);
  gst_sdp_message_free (m);
}

GST_END_TEST;

GST_START_TEST (test_answer_gets_the_offered_h264_profile_back)
{
  GstSDPMessage *offer = sdp (SESSION
      "m=video 9 UDP/TLS/RTP/SAVPF 102\r\n"
      "a=setup:actpass\r\n"
      "a=rtpmap:102 H264/90000\r\n"
      "a=fmtp:102 packetization-mode=1;profile-level-id=42001f\r\n");
  /* webrtcbin 1.22 intersected 42e01f with 42001f and dropped it */
  GstSDPMessage *answer = sdp (SESSION
      "m=video 9 UDP/TLS/RTP/SAVPF 102\r\n"
      "a=setup:active\r\n"
      "a=rtpmap:102 H264/90000\r\n" "a=fmtp:102 packetization-mode=1\r\n");
  gchar *v;

  rtc_sdp_fix_answer (answer, offer, NULL);
  v = rtc_sdp_media_get_fmtp (gst_sdp_message_get_media (answer, 0), "102",
      "profile-level-id");
  fail_unless_equals_string (v, "42001f");
  g_free (v);
  v = rtc_sdp_media_get_fmtp (gst_sdp_message_get_media (answer, 0), "102",
      "packetization-mode");
  fail_unless_equals_string (v, "1");
  g_free (v);
  /* no role given: the setup line is left alone */
  fail_unless_equals_string (setup_of (answer, 0), "active");
  gst_sdp_message_free (offer);
  gst_sdp_message_free (answer);
}

GST_END_TEST;

GST_START_TEST (test_answer_keeps_a_profile_it_has)
{
  GstSDPMessage *offer = sdp (SESSION
      "m=video 9 UDP/TLS/RTP/SAVPF 102\r\n"
      "a=rtpmap:102 H264/90000\r\n" "a=fmtp:102 profile-level-id=42001f\r\n");
  GstSDPMessage *answer = sdp (SESSION
      "m=video 9 UDP/TLS/RTP/SAVPF 102\r\n"
      "a=rtpmap:102 H264/90000\r\n" "a=fmtp:102 profile-level-id=42e01f\r\n");
  gchar *v;

  rtc_sdp_fix_answer (answer, offer, NULL);
  v = rtc_sdp_media_get_fmtp (gst_sdp_message_get_media (answer, 0), "102",
      "profile-level-id");
  fail_unless_equals_string (v, "42e01f");
  g_free (v);
  gst_sdp_message_free (offer);
  gst_sdp_message_free (answer);
}

GST_END_TEST;

GST_START_TEST (test_dtls_role_of_descriptions_in_use)
{
  GstSDPMessage *active = sdp (SESSION "m=video 9 RTP/SAVPF 96\r\n"
      "a=setup:active\r\n");
  GstSDPMessage *passive = sdp (SESSION "m=video 9 RTP/SAVPF 96\r\n"
      "a=setup:passive\r\n");
  GstSDPMessage *actpass = sdp (SESSION "m=video 9 RTP/SAVPF 96\r\n"
      "a=setup:actpass\r\n");
  GstSDPMessage *no_media = sdp (SESSION);

  /* we offered (actpass), they answered active: we are passive */
  fail_unless_equals_string (rtc_sdp_dtls_role (actpass, active), "passive");
  /* they offered, we answered active */
  fail_unless_equals_string (rtc_sdp_dtls_role (active, actpass), "active");
  fail_unless_equals_string (rtc_sdp_dtls_role (actpass, passive), "active");
  fail_unless (rtc_sdp_dtls_role (actpass, actpass) == NULL);
  fail_unless (rtc_sdp_dtls_role (NULL, active) == NULL);
  fail_unless (rtc_sdp_dtls_role (no_media, active) == NULL);
  gst_sdp_message_free (active);
  gst_sdp_message_free (passive);
  gst_sdp_message_free (actpass);
  gst_sdp_message_free (no_media);
}

GST_END_TEST;

GST_START_TEST (test_renegotiation_answer_keeps_our_dtls_role)
{
  GstSDPMessage *answer = sdp (SESSION
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=setup:active\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=setup:active\r\n");

  /* RFC 8842 section 5.5: we were the DTLS server, we stay it */
  rtc_sdp_fix_answer (answer, NULL, "passive");
  fail_unless_equals_string (setup_of (answer, 0), "passive");
  fail_unless_equals_string (setup_of (answer, 1), "passive");
  gst_sdp_message_free (answer);
}

GST_END_TEST;

static Suite *
sdp_suite (void)
{
  Suite *s = suite_create ("sdp");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_fmtp_value_by_payload_type_and_key);
  tcase_add_test (tc, test_answer_gets_the_offered_h264_profile_back);
  tcase_add_test (tc, test_answer_keeps_a_profile_it_has);
  tcase_add_test (tc, test_dtls_role_of_descriptions_in_use);
  tcase_add_test (tc, test_renegotiation_answer_keeps_our_dtls_role);
  return s;
}

GST_CHECK_MAIN (sdp);
