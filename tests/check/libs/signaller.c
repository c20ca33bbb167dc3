/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Unit tests of the WebSocket signaller's protocol logic (rtcsignaller.h)
 * without any network: a detached RtcSignaller, server frames in, the
 * RtcSignallable events and the frames it writes out.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/check/gstcheck.h>

#include "rtcsignaller.h"

#define OFFER_SDP "v=0\\r\\no=- 1 0 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n" \
  "m=video 9 UDP/TLS/RTP/SAVPF 96\\r\\nc=IN IP4 0.0.0.0\\r\\n" \
  "a=rtpmap:96 VP8/90000\\r\\n"

typedef struct
{
  RtcSignaller *signaller;
  GQueue sent;                  /* of RtcMessage */
  GQueue events;                /* of gchar*, "event arg arg" */
} Fixture;

static void
on_send (const gchar * text, gpointer user_data)
{
  Fixture *f = user_data;
  GError *error = NULL;
  RtcMessage *msg = rtc_message_parse (text, -1, &error);

  /* everything the signaller writes must be valid protocol */
  fail_unless (msg != NULL, "signaller sent %s: %s", text,
      error ? error->message : "");
  g_queue_push_tail (&f->sent, msg);
}

static void
event (Fixture * f, gchar * text)
{
  g_queue_push_tail (&f->events, text);
}

static void
on_connected (RtcSignallable * s, const gchar * id, gboolean resumed,
    Fixture * f)
{
  event (f, g_strdup_printf ("connected %s %d", id, resumed));
}

static void
on_disconnected (RtcSignallable * s, const GError * error,
    gboolean was_registered, Fixture * f)
{
  event (f, g_strdup_printf ("disconnected %d", was_registered));
}

static void
on_session_requested (RtcSignallable * s, const gchar * session,
    const gchar * peer, GstWebRTCSessionDescription * offer, Fixture * f)
{
  event (f, g_strdup_printf ("session-requested %s %s %s", session, peer,
          offer ? gst_webrtc_sdp_type_to_string (offer->type) : "-"));
}

static void
on_session_started (RtcSignallable * s, const gchar * session,
    const gchar * peer, Fixture * f)
{
  event (f, g_strdup_printf ("session-started %s %s", session, peer));
}

static void
on_session_ended (RtcSignallable * s, const gchar * session,
    const gchar * reason, Fixture * f)
{
  event (f, g_strdup_printf ("session-ended %s %s", session, reason));
}

static void
on_session_description (RtcSignallable * s, const gchar * session,
    GstWebRTCSessionDescription * desc, Fixture * f)
{
  event (f, g_strdup_printf ("session-description %s %s %u", session,
          gst_webrtc_sdp_type_to_string (desc->type),
          gst_sdp_message_medias_len (desc->sdp)));
}

static void
on_handle_ice (RtcSignallable * s, const gchar * session, guint mline,
    const gchar * candidate, Fixture * f)
{
  event (f, g_strdup_printf ("handle-ice %s %u '%s'", session, mline,
          candidate));
}

static void
on_producer_added (RtcSignallable * s, const gchar * peer,
    const GstStructure * meta, Fixture * f)
{
  event (f, g_strdup_printf ("producer-added %s %s %s %d", peer,
          gst_structure_get_string (meta, "name"),
          gst_structure_get_string (meta, "room"),
          gst_structure_n_fields (meta)));
}

static void
on_producer_removed (RtcSignallable * s, const gchar * peer, Fixture * f)
{
  event (f, g_strdup_printf ("producer-removed %s", peer));
}

static void
on_error (RtcSignallable * s, const gchar * message, Fixture * f)
{
  event (f, g_strdup_printf ("error %s", message));
}

static Fixture *
fixture_new (RtcRoles roles)
{
  Fixture *f = g_new0 (Fixture, 1);
  GstStructure *meta = gst_structure_new ("meta", "name", G_TYPE_STRING,
      "cam", "room", G_TYPE_STRING, "r1", "seats", G_TYPE_INT, 3, NULL);
  struct
  {
    const gchar *name;
    GCallback cb;
  } handlers[] = {
    {"connected", G_CALLBACK (on_connected)},
    {"disconnected", G_CALLBACK (on_disconnected)},
    {"session-requested", G_CALLBACK (on_session_requested)},
    {"session-started", G_CALLBACK (on_session_started)},
    {"session-ended", G_CALLBACK (on_session_ended)},
    {"session-description", G_CALLBACK (on_session_description)},
    {"handle-ice", G_CALLBACK (on_handle_ice)},
    {"producer-added", G_CALLBACK (on_producer_added)},
    {"producer-removed", G_CALLBACK (on_producer_removed)},
    {"error", G_CALLBACK (on_error)},
  };
  guint i;

  f->signaller = rtc_signaller_new_detached (on_send, f);
  fail_unless (RTC_IS_SIGNALLABLE (f->signaller));
  for (i = 0; i < G_N_ELEMENTS (handlers); i++)
    g_signal_connect (f->signaller, handlers[i].name, handlers[i].cb, f);
  rtc_signallable_set_status (RTC_SIGNALLABLE (f->signaller), roles, meta);
  gst_structure_free (meta);
  rtc_signallable_start (RTC_SIGNALLABLE (f->signaller));
  return f;
}

static void
fixture_free (Fixture * f)
{
  rtc_signallable_stop (RTC_SIGNALLABLE (f->signaller));
  g_object_unref (f->signaller);
  g_queue_clear_full (&f->sent, (GDestroyNotify) rtc_message_free);
  g_queue_clear_full (&f->events, g_free);
  g_free (f);
}

static void
receive (Fixture * f, const gchar * text)
{
  rtc_signaller_transport_received (f->signaller, text, strlen (text));
}

/* The next event must be @expected. */
static void
expect_event (Fixture * f, const gchar * expected)
{
  g_autofree gchar *got = g_queue_pop_head (&f->events);

  fail_unless (got != NULL, "no event, expected '%s'", expected);
  fail_unless_equals_string (got, expected);
}

static void
expect_no_event (Fixture * f)
{
  fail_unless (g_queue_is_empty (&f->events), "unexpected event '%s'",
      (gchar *) g_queue_peek_head (&f->events));
}

/* The next message sent; free it with rtc_message_free(). */
static RtcMessage *
expect_sent (Fixture * f, RtcMessageType type)
{
  RtcMessage *msg = g_queue_pop_head (&f->sent);

  fail_unless (msg != NULL, "nothing sent, expected %s",
      rtc_message_type_to_string (type));
  fail_unless_equals_string (rtc_message_type_to_string (msg->type),
      rtc_message_type_to_string (type));
  return msg;
}

static void
expect_nothing_sent (Fixture * f)
{
  fail_unless (g_queue_is_empty (&f->sent), "unexpected %s",
      rtc_message_type_to_string (((RtcMessage *)
              g_queue_peek_head (&f->sent))->type));
}

/* opened, welcomed as @id: what a registration sends */
static void
register_as (Fixture * f, const gchar * id)
{
  g_autofree gchar *welcome =
      g_strdup_printf ("{\"type\":\"welcome\",\"peerId\":\"%s\"}", id);
  g_autoptr (RtcMessage) version = NULL;
  g_autoptr (RtcMessage) status = NULL;

  rtc_signaller_transport_opened (f->signaller);
  version = expect_sent (f, RTC_MESSAGE_SET_PROTOCOL_VERSION);
  fail_unless_equals_string (version->version, RTC_PROTOCOL_VERSION);
  receive (f, welcome);
  status = expect_sent (f, RTC_MESSAGE_SET_PEER_STATUS);
  fail_unless_equals_string (json_object_get_string_member (status->meta,
          "name"), "cam");
  fail_unless_equals_int (json_object_get_int_member (status->meta, "seats"),
      3);
}

GST_START_TEST (test_registration_sends_status_and_lists_for_a_listener)
{
  Fixture *f = fixture_new (RTC_ROLE_LISTENER | RTC_ROLE_CONSUMER);
  g_autoptr (RtcMessage) list = NULL;

  register_as (f, "me");
  list = expect_sent (f, RTC_MESSAGE_LIST);
  expect_event (f, "connected me 0");
  fail_unless_equals_string (rtc_signallable_get_peer_id (RTC_SIGNALLABLE
          (f->signaller)), "me");
  expect_nothing_sent (f);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_a_producer_does_not_list)
{
  Fixture *f = fixture_new (RTC_ROLE_PRODUCER);

  register_as (f, "me");
  expect_event (f, "connected me 0");
  expect_nothing_sent (f);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_messages_before_the_welcome_are_ignored)
{
  Fixture *f = fixture_new (RTC_ROLE_PRODUCER);

  rtc_signaller_transport_opened (f->signaller);
  rtc_message_free (expect_sent (f, RTC_MESSAGE_SET_PROTOCOL_VERSION));
  receive (f,
      "{\"type\":\"startSession\",\"peerId\":\"c\",\"sessionId\":\"s\"}");
  receive (f, "{\"type\":\"endSession\",\"sessionId\":\"s\"}");
  expect_no_event (f);
  /* and nothing goes out that needs a registration */
  rtc_signallable_request_session (RTC_SIGNALLABLE (f->signaller), "p");
  rtc_signallable_end_session (RTC_SIGNALLABLE (f->signaller), "s", NULL);
  expect_nothing_sent (f);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_producers_added_and_removed)
{
  Fixture *f = fixture_new (RTC_ROLE_LISTENER);

  register_as (f, "me");
  rtc_message_free (expect_sent (f, RTC_MESSAGE_LIST));
  expect_event (f, "connected me 0");
  /* our own id is never a producer to us; meta keeps name and room only */
  receive (f, "{\"type\":\"list\",\"producers\":[{\"id\":\"me\"},"
      "{\"id\":\"a\",\"meta\":{\"name\":\"A\",\"room\":\"r\",\"x\":{\"y\":1}}},"
      "{\"id\":\"b\",\"meta\":{\"name\":7}}]}");
  expect_event (f, "producer-added a A r 2");
  expect_event (f, "producer-added b (null) (null) 0");
  receive (f, "{\"type\":\"peerStatusChanged\",\"peerId\":\"c\","
      "\"roles\":[\"producer\"],\"meta\":{\"name\":\"C\"}}");
  expect_event (f, "producer-added c C (null) 1");
  receive (f, "{\"type\":\"peerStatusChanged\",\"peerId\":\"a\",\"roles\":[]}");
  expect_event (f, "producer-removed a");
  /* not known as a producer: nothing to remove */
  receive (f, "{\"type\":\"peerStatusChanged\",\"peerId\":\"z\","
      "\"roles\":[\"consumer\"]}");
  receive (f, "{\"type\":\"peerStatusChanged\",\"peerId\":\"a\",\"roles\":[]}");
  expect_no_event (f);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_sessions_requested_by_consumers)
{
  Fixture *f = fixture_new (RTC_ROLE_PRODUCER);
  g_autoptr (RtcMessage) end = NULL;

  register_as (f, "me");
  expect_event (f, "connected me 0");
  receive (f,
      "{\"type\":\"startSession\",\"peerId\":\"c\",\"sessionId\":\"s1\"}");
  expect_event (f, "session-requested s1 c -");
  receive (f,
      "{\"type\":\"startSession\",\"peerId\":\"c\",\"sessionId\":\"s2\","
      "\"offer\":\"" OFFER_SDP "\"}");
  expect_event (f, "session-requested s2 c offer");
  /* an offer that is no SDP refuses the session at once */
  receive (f,
      "{\"type\":\"startSession\",\"peerId\":\"c\",\"sessionId\":\"s3\","
      "\"offer\":\"not sdp\"}");
  expect_no_event (f);
  end = expect_sent (f, RTC_MESSAGE_END_SESSION_V1_1);
  fail_unless_equals_string (end->session_id, "s3");
  fail_unless (strstr (end->error, "invalid SDP offer") != NULL, "%s",
      end->error);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_descriptions_candidates_and_ends)
{
  Fixture *f = fixture_new (RTC_ROLE_CONSUMER | RTC_ROLE_LISTENER);
  g_autoptr (RtcMessage) end = NULL;

  register_as (f, "me");
  rtc_message_free (expect_sent (f, RTC_MESSAGE_LIST));
  expect_event (f, "connected me 0");
  receive (f,
      "{\"type\":\"sessionStarted\",\"peerId\":\"p\",\"sessionId\":\"s\"}");
  expect_event (f, "session-started s p");
  receive (f, "{\"type\":\"peer\",\"sessionId\":\"s\",\"sdp\":{\"type\":"
      "\"offer\",\"sdp\":\"" OFFER_SDP "\"}}");
  expect_event (f, "session-description s offer 1");
  receive (f, "{\"type\":\"peer\",\"sessionId\":\"s\",\"ice\":{\"candidate\":"
      "\"candidate:1 1 udp 1 127.0.0.1 9 typ host\",\"sdpMLineIndex\":0}}");
  expect_event (f, "handle-ice s 0 'candidate:1 1 udp 1 127.0.0.1 9 typ host'");
  receive (f, "{\"type\":\"peer\",\"sessionId\":\"s\",\"ice\":{\"candidate\":"
      "\"\",\"sdpMLineIndex\":0}}");
  expect_event (f, "handle-ice s 0 ''");
  /* an invalid description ends its session on both sides */
  receive (f, "{\"type\":\"peer\",\"sessionId\":\"s\",\"sdp\":{\"type\":"
      "\"answer\",\"sdp\":\"\"}}");
  expect_event (f, "session-ended s invalid SDP answer: not an RFC 8866 "
      "session description");
  end = expect_sent (f, RTC_MESSAGE_END_SESSION_V1_1);
  fail_unless_equals_string (end->session_id, "s");
  /* the remote's reason is said to be theirs */
  receive (f, "{\"type\":\"endSessionV1_1\",\"sessionId\":\"t\","
      "\"error\":\"camera unplugged\"}");
  expect_event (f, "session-ended t the remote peer ended the session: "
      "camera unplugged");
  receive (f, "{\"type\":\"endSession\",\"sessionId\":\"u\"}");
  expect_event (f, "session-ended u the remote peer ended the session");
  receive (f,
      "{\"type\":\"error\",\"details\":\"Peer with ID 'p' not found\"}");
  expect_event (f, "error Peer with ID 'p' not found");
  /* a malformed frame is dropped */
  receive (f, "{\"type\":\"peer\"");
  expect_no_event (f);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_what_the_element_sends)
{
  Fixture *f = fixture_new (RTC_ROLE_PRODUCER);
  RtcSignallable *s;
  GstWebRTCSessionDescription *desc;
  GError *err = NULL;
  RtcMessage *msg;

  s = RTC_SIGNALLABLE (f->signaller);
  register_as (f, "me");
  expect_event (f, "connected me 0");

  rtc_signallable_request_session (s, "p");
  msg = expect_sent (f, RTC_MESSAGE_START_SESSION);
  fail_unless_equals_string (msg->peer_id, "p");
  rtc_message_free (msg);

  desc = rtc_session_description_new_from_text ("answer",
      "v=0\r\no=- 1 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", &err);
  fail_unless (desc != NULL, "%s", err ? err->message : "");
  rtc_signallable_send_description (s, "s", desc);
  gst_webrtc_session_description_free (desc);
  msg = expect_sent (f, RTC_MESSAGE_PEER);
  fail_unless_equals_string (msg->session_id, "s");
  fail_unless_equals_string (msg->sdp_type, "answer");
  fail_unless (g_str_has_prefix (msg->sdp, "v=0\r\n"));
  rtc_message_free (msg);

  rtc_signallable_send_candidate (s, "s", 1, "candidate:x");
  msg = expect_sent (f, RTC_MESSAGE_PEER);
  fail_unless (msg->has_ice);
  fail_unless_equals_int (msg->sdp_mline_index, 1);
  fail_unless_equals_string (msg->candidate, "candidate:x");
  rtc_message_free (msg);

  rtc_signallable_end_session (s, "s", "bye");
  msg = expect_sent (f, RTC_MESSAGE_END_SESSION_V1_1);
  fail_unless_equals_string (msg->error, "bye");
  rtc_message_free (msg);

  /* a status change while registered goes out at once */
  rtc_signallable_set_status (s, RTC_ROLE_PRODUCER, NULL);
  msg = expect_sent (f, RTC_MESSAGE_SET_PEER_STATUS);
  fail_unless (msg->meta == NULL);
  rtc_message_free (msg);
  expect_nothing_sent (f);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_lost_and_resumed)
{
  Fixture *f = fixture_new (RTC_ROLE_PRODUCER);
  GError *err = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "gone");

  register_as (f, "me");
  expect_event (f, "connected me 0");
  rtc_signaller_transport_lost (f->signaller, err);
  expect_event (f, "disconnected 1");
  fail_unless (rtc_signallable_get_peer_id (RTC_SIGNALLABLE (f->signaller))
      == NULL);
  /* a failed reconnect was never registered */
  rtc_signaller_transport_lost (f->signaller, err);
  expect_event (f, "disconnected 0");
  g_error_free (err);

  /* our id back with our sessions: resumed */
  rtc_signaller_transport_opened (f->signaller);
  rtc_message_free (expect_sent (f, RTC_MESSAGE_SET_PROTOCOL_VERSION));
  receive (f, "{\"type\":\"welcome\",\"peerId\":\"me\","
      "\"meshrtcSessionsKept\":true}");
  rtc_message_free (expect_sent (f, RTC_MESSAGE_SET_PEER_STATUS));
  expect_event (f, "connected me 1");
  /* our id back without them (a restarted server): not resumed */
  rtc_signaller_transport_lost (f->signaller, NULL);
  expect_event (f, "disconnected 1");
  rtc_signaller_transport_opened (f->signaller);
  rtc_message_free (expect_sent (f, RTC_MESSAGE_SET_PROTOCOL_VERSION));
  receive (f, "{\"type\":\"welcome\",\"peerId\":\"me\"}");
  rtc_message_free (expect_sent (f, RTC_MESSAGE_SET_PEER_STATUS));
  expect_event (f, "connected me 0");
  /* sessions kept, but another id: not ours, not resumed */
  rtc_signaller_transport_lost (f->signaller, NULL);
  expect_event (f, "disconnected 1");
  rtc_signaller_transport_opened (f->signaller);
  rtc_message_free (expect_sent (f, RTC_MESSAGE_SET_PROTOCOL_VERSION));
  receive (f, "{\"type\":\"welcome\",\"peerId\":\"other\","
      "\"meshrtcSessionsKept\":true}");
  rtc_message_free (expect_sent (f, RTC_MESSAGE_SET_PEER_STATUS));
  expect_event (f, "connected other 0");
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_nothing_after_stop)
{
  Fixture *f = fixture_new (RTC_ROLE_PRODUCER);

  register_as (f, "me");
  expect_event (f, "connected me 0");
  rtc_signallable_stop (RTC_SIGNALLABLE (f->signaller));
  receive (f,
      "{\"type\":\"startSession\",\"peerId\":\"c\",\"sessionId\":\"s\"}");
  rtc_signallable_request_session (RTC_SIGNALLABLE (f->signaller), "p");
  expect_no_event (f);
  expect_nothing_sent (f);
  fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_session_description_from_text)
{
  GstWebRTCSessionDescription *desc;
  GError *err = NULL;

  desc = rtc_session_description_new_from_text ("offer",
      "v=0\r\no=- 1 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", &err);
  fail_unless (desc != NULL);
  fail_unless_equals_int (desc->type, GST_WEBRTC_SDP_TYPE_OFFER);
  gst_webrtc_session_description_free (desc);
  /* types other than offer and answer, empty and non-SDP texts */
  fail_if (rtc_session_description_new_from_text ("pranswer", "v=0\r\n", &err));
  fail_unless (g_error_matches (err, GST_STREAM_ERROR,
          GST_STREAM_ERROR_DECODE));
  g_clear_error (&err);
  fail_if (rtc_session_description_new_from_text (NULL, "v=0\r\n", &err));
  g_clear_error (&err);
  fail_if (rtc_session_description_new_from_text ("offer", "", &err));
  fail_unless (g_error_matches (err, GST_STREAM_ERROR,
          GST_STREAM_ERROR_DECODE));
  g_clear_error (&err);
  fail_if (rtc_session_description_new_from_text ("answer", NULL, &err));
  g_clear_error (&err);
  fail_if (rtc_session_description_new_from_text ("offer", "this is not sdp",
          &err));
  g_clear_error (&err);
}

GST_END_TEST;

static Suite *
signaller_suite (void)
{
  Suite *s = suite_create ("signaller");
  TCase *tc = tcase_create ("protocol");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_registration_sends_status_and_lists_for_a_listener);
  tcase_add_test (tc, test_a_producer_does_not_list);
  tcase_add_test (tc, test_messages_before_the_welcome_are_ignored);
  tcase_add_test (tc, test_producers_added_and_removed);
  tcase_add_test (tc, test_sessions_requested_by_consumers);
  tcase_add_test (tc, test_descriptions_candidates_and_ends);
  tcase_add_test (tc, test_what_the_element_sends);
  tcase_add_test (tc, test_lost_and_resumed);
  tcase_add_test (tc, test_nothing_after_stop);
  tcase_add_test (tc, test_session_description_from_text);
  return s;
}

GST_CHECK_MAIN (signaller);
