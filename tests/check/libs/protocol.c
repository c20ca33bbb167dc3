/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Unit tests of the signalling protocol codec (rtcprotocol.h). The cases
 * live in tests/fixtures/protocol/{valid,invalid}.json so that the wire
 * forms are readable next to each other.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/check/gstcheck.h>

#include "rtcprotocol.h"

static JsonArray *
load_fixture (const gchar * name, JsonParser ** parser)
{
  const gchar *dir = g_getenv ("MESHRTC_FIXTURES");
  g_autofree gchar *path = NULL;
  GError *error = NULL;
  JsonNode *root;

  fail_unless (dir != NULL, "MESHRTC_FIXTURES is not set");
  path = g_build_filename (dir, "protocol", name, NULL);
  *parser = json_parser_new ();
  fail_unless (json_parser_load_from_file (*parser, path, &error),
      "%s: %s", path, error ? error->message : "");
  root = json_parser_get_root (*parser);
  fail_unless (JSON_NODE_HOLDS_ARRAY (root));
  return json_node_get_array (root);
}

static JsonNode *
parse_json (const gchar * text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  GError *error = NULL;

  fail_unless (json_parser_load_from_data (parser, text, -1, &error),
      "not JSON: %s (%s)", text, error ? error->message : "");
  return json_node_copy (json_parser_get_root (parser));
}

static gchar *
node_to_string (JsonNode * node)
{
  return json_to_string (node, FALSE);
}

static RtcProtocolError
error_code_from_name (const gchar * name)
{
  if (g_str_equal (name, "malformed"))
    return RTC_PROTOCOL_ERROR_MALFORMED;
  if (g_str_equal (name, "unknown-type"))
    return RTC_PROTOCOL_ERROR_UNKNOWN_TYPE;
  if (g_str_equal (name, "missing-field"))
    return RTC_PROTOCOL_ERROR_MISSING_FIELD;
  fail_unless (g_str_equal (name, "invalid-field"), "bad code %s", name);
  return RTC_PROTOCOL_ERROR_INVALID_FIELD;
}

GST_START_TEST (test_valid_fixtures_parse_and_serialise_to_wire_form)
{
  g_autoptr (JsonParser) fixtures = NULL;
  JsonArray *cases = load_fixture ("valid.json", &fixtures);
  guint i;

  fail_unless (json_array_get_length (cases) >= 30);
  for (i = 0; i < json_array_get_length (cases); i++) {
    JsonObject *c = json_array_get_object_element (cases, i);
    const gchar *name = json_object_get_string_member (c, "name");
    g_autofree gchar *input =
        node_to_string (json_object_get_member (c, "input"));
    JsonNode *expected = json_object_get_member (c, "output");
    g_autoptr (RtcMessage) msg = NULL;
    g_autoptr (RtcMessage) again = NULL;
    g_autofree gchar *out = NULL;
    g_autofree gchar *out_again = NULL;
    g_autoptr (JsonNode) out_node = NULL;
    GError *error = NULL;

    msg = rtc_message_parse (input, -1, &error);
    fail_unless (msg != NULL, "%s: %s", name, error ? error->message : "");
    fail_unless (error == NULL);

    out = rtc_message_to_json (msg);
    out_node = parse_json (out);
    if (!json_node_equal (out_node, expected)) {
      g_autofree gchar *want = node_to_string (expected);
      fail ("%s: serialised as %s, expected %s", name, out, want);
    }

    /* what we send, we accept, and it serialises the same again */
    again = rtc_message_parse (out, strlen (out), &error);
    fail_unless (again != NULL, "%s: %s", name, error ? error->message : "");
    out_again = rtc_message_to_json (again);
    fail_unless_equals_string (out_again, out);
  }
}

GST_END_TEST;

GST_START_TEST (test_invalid_fixtures_fail_with_precise_errors)
{
  g_autoptr (JsonParser) fixtures = NULL;
  JsonArray *cases = load_fixture ("invalid.json", &fixtures);
  guint i;

  fail_unless (json_array_get_length (cases) >= 80);
  for (i = 0; i < json_array_get_length (cases); i++) {
    JsonObject *c = json_array_get_object_element (cases, i);
    const gchar *input = json_object_get_string_member (c, "input");
    RtcProtocolError code =
        error_code_from_name (json_object_get_string_member (c, "code"));
    GError *error = NULL;
    RtcMessage *msg;

    msg = rtc_message_parse (input, -1, &error);
    fail_unless (msg == NULL, "accepted: %s", input);
    fail_unless (error != NULL, "no error for: %s", input);
    fail_unless (error->domain == RTC_PROTOCOL_ERROR);
    fail_unless (error->code == (gint) code,
        "%s: code %d, expected %d (%s)", input, error->code, code,
        error->message);
    if (json_object_has_member (c, "error")) {
      fail_unless_equals_string (error->message,
          json_object_get_string_member (c, "error"));
    } else {
      fail_unless (g_str_has_prefix (error->message, "malformed JSON: "),
          "%s: %s", input, error->message);
    }
    g_clear_error (&error);
  }
}

GST_END_TEST;

GST_START_TEST (test_parse_fills_the_fields_of_each_message)
{
  g_autoptr (RtcMessage) ice = NULL;
  g_autoptr (RtcMessage) sdp = NULL;
  g_autoptr (RtcMessage) status = NULL;
  g_autoptr (RtcMessage) list = NULL;
  g_autoptr (RtcMessage) start = NULL;
  g_autoptr (RtcMessage) end = NULL;
  RtcPeerInfo *info;

  ice = rtc_message_parse ("{\"type\":\"peer\",\"sessionId\":\"S\",\"ice\":"
      "{\"candidate\":\"candidate:1 1 UDP 1 127.0.0.1 9 typ host\","
      "\"sdpMid\":\"1\",\"sdpMLineIndex\":1,\"usernameFragment\":\"u\"}}",
      -1, NULL);
  fail_unless (ice != NULL);
  fail_unless_equals_int (ice->type, RTC_MESSAGE_PEER);
  fail_unless (ice->has_ice);
  fail_unless_equals_string (ice->session_id, "S");
  fail_unless_equals_string (ice->candidate,
      "candidate:1 1 UDP 1 127.0.0.1 9 typ host");
  fail_unless_equals_int (ice->sdp_mline_index, 1);
  fail_unless (ice->sdp == NULL && ice->sdp_type == NULL);

  sdp = rtc_message_parse ("{\"type\":\"peer\",\"sessionId\":\"S\","
      "\"sdp\":{\"type\":\"answer\",\"sdp\":\"v=0\\r\\n\"}}", -1, NULL);
  fail_unless (sdp != NULL);
  fail_if (sdp->has_ice);
  fail_unless_equals_string (sdp->sdp_type, "answer");
  fail_unless_equals_string (sdp->sdp, "v=0\r\n");

  status = rtc_message_parse ("{\"type\":\"setPeerStatus\","
      "\"roles\":[\"listener\",\"producer\"],"
      "\"meta\":{\"room\":\"r1\",\"name\":\"n\"},\"peerId\":null}", -1, NULL);
  fail_unless (status != NULL);
  fail_unless_equals_int (status->roles, RTC_ROLE_PRODUCER | RTC_ROLE_LISTENER);
  fail_unless (status->peer_id == NULL);
  fail_unless_equals_string (rtc_meta_get_room (status->meta), "r1");
  fail_unless_equals_string (json_object_get_string_member (status->meta,
          "name"), "n");

  list = rtc_message_parse ("{\"type\":\"list\",\"producers\":"
      "[{\"id\":\"a\",\"meta\":{\"k\":1}},{\"id\":\"b\",\"meta\":null}]}",
      -1, NULL);
  fail_unless (list != NULL && list->peers != NULL);
  fail_unless_equals_int (list->peers->len, 2);
  info = g_ptr_array_index (list->peers, 0);
  fail_unless_equals_string (info->id, "a");
  fail_unless_equals_int (json_object_get_int_member (info->meta, "k"), 1);
  info = g_ptr_array_index (list->peers, 1);
  fail_unless_equals_string (info->id, "b");
  fail_unless (info->meta == NULL);

  start = rtc_message_parse ("{\"type\":\"startSession\",\"peerId\":\"p\","
      "\"offer\":\"v=0\"}", -1, NULL);
  fail_unless (start != NULL);
  fail_unless_equals_string (start->peer_id, "p");
  fail_unless_equals_string (start->offer, "v=0");
  fail_unless (start->session_id == NULL);

  end = rtc_message_parse ("{\"type\":\"endSessionV1_1\",\"sessionId\":\"S\","
      "\"error\":null}", -1, NULL);
  fail_unless (end != NULL);
  fail_unless_equals_int (end->type, RTC_MESSAGE_END_SESSION_V1_1);
  fail_unless (end->error == NULL);
}

GST_END_TEST;

GST_START_TEST (test_constructors_serialise_to_the_exact_wire_text)
{
  g_autoptr (RtcMessage) ice = rtc_message_new_peer_ice ("S", 0, "cand");
  g_autoptr (RtcMessage) sdp = rtc_message_new_peer_sdp ("S", "offer", "v=0");
  g_autoptr (RtcMessage) err = rtc_message_new_error ("Peer with ID 'x' "
      "not found");
  g_autoptr (RtcMessage) status = rtc_message_new (RTC_MESSAGE_SET_PEER_STATUS);
  g_autoptr (RtcMessage) end = rtc_message_new (RTC_MESSAGE_END_SESSION_V1_1);
  g_autofree gchar *ice_text = rtc_message_to_json (ice);
  g_autofree gchar *sdp_text = rtc_message_to_json (sdp);
  g_autofree gchar *err_text = rtc_message_to_json (err);
  g_autofree gchar *status_text = NULL;
  g_autofree gchar *end_text = NULL;

  fail_unless_equals_string (ice_text, "{\"type\":\"peer\",\"sessionId\":\"S\","
      "\"ice\":{\"candidate\":\"cand\",\"sdpMLineIndex\":0}}");
  fail_unless_equals_string (sdp_text, "{\"type\":\"peer\",\"sessionId\":\"S\","
      "\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\"}}");
  fail_unless_equals_string (err_text,
      "{\"type\":\"error\",\"details\":\"Peer with ID 'x' not found\"}");

  status->roles = RTC_ROLE_CONSUMER;
  status->peer_id = g_strdup ("");
  status_text = rtc_message_to_json (status);
  fail_unless_equals_string (status_text, "{\"type\":\"setPeerStatus\","
      "\"roles\":[\"consumer\"],\"meta\":null}");

  end->session_id = g_strdup ("S");
  end_text = rtc_message_to_json (end);
  fail_unless_equals_string (end_text, "{\"type\":\"endSessionV1_1\","
      "\"sessionId\":\"S\",\"error\":null}");
}

GST_END_TEST;

GST_START_TEST (test_type_names_round_trip)
{
  guint t;

  fail_unless (rtc_message_type_to_string (RTC_MESSAGE_INVALID) == NULL);
  fail_unless (rtc_message_type_to_string ((RtcMessageType) 1000) == NULL);
  fail_unless_equals_string (rtc_message_type_to_string
      (RTC_MESSAGE_END_SESSION_V1_1), "endSessionV1_1");
  fail_unless_equals_string (rtc_message_type_to_string
      (RTC_MESSAGE_ICE_SERVERS), "iceServers");

  /* every type has a name, and a bare message of that type is valid JSON */
  for (t = RTC_MESSAGE_SET_PROTOCOL_VERSION; t <= RTC_MESSAGE_ICE_SERVERS; t++) {
    g_autoptr (RtcMessage) msg = rtc_message_new ((RtcMessageType) t);
    g_autofree gchar *text = rtc_message_to_json (msg);
    g_autoptr (JsonNode) node = NULL;

    fail_unless (rtc_message_type_to_string ((RtcMessageType) t) != NULL);
    fail_unless (text != NULL);
    node = parse_json (text);
    fail_unless_equals_string (json_object_get_string_member
        (json_node_get_object (node), "type"),
        rtc_message_type_to_string ((RtcMessageType) t));
  }
}

GST_END_TEST;

GST_START_TEST (test_meta_room)
{
  g_autoptr (JsonNode) node = parse_json ("[{\"room\":\"a\"},{\"room\":\"\"},"
      "{\"room\":null},{\"room\":3},{\"name\":\"x\"}]");
  JsonArray *metas = json_node_get_array (node);

  fail_unless (rtc_meta_get_room (NULL) == NULL);
  fail_unless_equals_string (rtc_meta_get_room
      (json_array_get_object_element (metas, 0)), "a");
  /* empty, null, non-string and absent all mean the default scope */
  fail_unless (rtc_meta_get_room (json_array_get_object_element (metas,
              1)) == NULL);
  fail_unless (rtc_meta_get_room (json_array_get_object_element (metas,
              2)) == NULL);
  fail_unless (rtc_meta_get_room (json_array_get_object_element (metas,
              3)) == NULL);
  fail_unless (rtc_meta_get_room (json_array_get_object_element (metas,
              4)) == NULL);
}

GST_END_TEST;

GST_START_TEST (test_hostile_input_is_refused_without_crashing)
{
  /* json-glib 1.6 itself overflows the stack on this */
  const guint depth = 200000;
  GString *deep = g_string_sized_new (2 * depth + 32);
  const gchar bad_utf8[] = "{\"type\":\"error\",\"details\":\"\xc3\x28\"}";
  const gchar with_nul[] = "{\"type\":\"list\"}\0{\"type\":\"list\"}";
  GError *error = NULL;
  guint i;

  g_string_append (deep, "{\"type\":\"list\",\"x\":");
  for (i = 0; i < depth; i++)
    g_string_append_c (deep, '[');
  for (i = 0; i < depth; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  fail_unless (rtc_message_parse (deep->str, deep->len, &error) == NULL);
  fail_unless (g_error_matches (error, RTC_PROTOCOL_ERROR,
          RTC_PROTOCOL_ERROR_MALFORMED));
  g_clear_error (&error);
  g_string_free (deep, TRUE);

  fail_unless (rtc_message_parse (bad_utf8, -1, &error) == NULL);
  fail_unless_equals_string (error->message, "malformed JSON: not valid UTF-8");
  g_clear_error (&error);

  fail_unless (rtc_message_parse (with_nul, sizeof (with_nul) - 1,
          &error) == NULL);
  fail_unless (g_error_matches (error, RTC_PROTOCOL_ERROR,
          RTC_PROTOCOL_ERROR_MALFORMED));
  g_clear_error (&error);

  /* a length shorter than the text is honoured */
  {
    g_autoptr (RtcMessage) msg =
        rtc_message_parse ("{\"type\":\"list\"}garbage", 15, &error);
    fail_unless (msg != NULL, "%s", error ? error->message : "");
    fail_unless_equals_int (msg->type, RTC_MESSAGE_LIST);
  }
}

GST_END_TEST;

/* Every prefix and a few thousand byte-flipped variants of every valid
 * fixture: each must either fail with an RTC_PROTOCOL_ERROR or parse into a
 * message that serialises to JSON we accept again. Deterministic seed. */
GST_START_TEST (test_truncated_and_mutated_input_never_crashes)
{
  static const gchar noise[] = "{}[]\",:0-1.eE\\nulltruefalse \xff\x80";
  g_autoptr (JsonParser) fixtures = NULL;
  JsonArray *cases = load_fixture ("valid.json", &fixtures);
  GRand *rand = g_rand_new_with_seed (20261121);
  guint i, n_parsed = 0, n_refused = 0;

  for (i = 0; i < json_array_get_length (cases); i++) {
    JsonObject *c = json_array_get_object_element (cases, i);
    g_autofree gchar *input =
        node_to_string (json_object_get_member (c, "input"));
    gsize len = strlen (input), cut;
    guint round;

    for (cut = 0; cut <= len; cut++) {
      for (round = 0; round < 3; round++) {
        g_autofree gchar *text = g_strndup (input, len);
        g_autoptr (RtcMessage) msg = NULL;
        GError *error = NULL;
        gsize text_len = cut;

        /* round 0: plain prefix; others: the whole text with flips */
        if (round > 0) {
          guint flips = g_rand_int_range (rand, 1, 4), f;

          text_len = len;
          for (f = 0; f < flips && len > 0; f++)
            text[g_rand_int_range (rand, 0, len)] =
                noise[g_rand_int_range (rand, 0, sizeof (noise) - 1)];
        }

        msg = rtc_message_parse (text, text_len, &error);
        if (msg) {
          g_autofree gchar *out = rtc_message_to_json (msg);
          g_autoptr (RtcMessage) again = rtc_message_parse (out, -1, NULL);

          fail_unless (again != NULL, "re-parse failed: %s", out);
          fail_unless (error == NULL);
          n_parsed++;
        } else {
          fail_unless (error != NULL && error->domain == RTC_PROTOCOL_ERROR);
          g_clear_error (&error);
          n_refused++;
        }
      }
    }
  }
  g_rand_free (rand);
  /* both outcomes were exercised */
  fail_unless (n_parsed > 32);
  fail_unless (n_refused > 1000);
}

GST_END_TEST;

/* json-glib 1.6's scanner also takes single-quoted strings and comments;
 * a nesting check that only knows double quotes saw no bracket in these
 * and let json-glib recurse 100000 levels deep into a SIGSEGV. */
GST_START_TEST (test_json_glib_extensions_cannot_hide_deep_nesting)
{
  static const gchar *const openers[] = {
    "['\"', ",                  /* a single-quoted string holding a '"' */
    "[/* \" */ ",               /* a C comment holding a '"' */
    "[// \"\n",                 /* a line comment, if the scanner has them */
    "[# \"\n",                  /* a shell comment */
    "[\"\\\"\", ",              /* an escaped quote: the old check knew it */
  };
  const guint depth = 100000;
  guint o, i;

  for (o = 0; o < G_N_ELEMENTS (openers); o++) {
    GString *text = g_string_new ("{\"type\":\"list\",\"x\":");
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) node = NULL;

    g_string_append (text, openers[o]);
    for (i = 0; i < depth; i++)
      g_string_append_c (text, '[');
    for (i = 0; i < depth; i++)
      g_string_append_c (text, ']');
    g_string_append (text, "]}");

    fail_unless (rtc_message_parse (text->str, text->len, &error) == NULL,
        "accepted opener %u", o);
    fail_unless (g_error_matches (error, RTC_PROTOCOL_ERROR,
            RTC_PROTOCOL_ERROR_MALFORMED), "opener %u: %s", o, error->message);
    g_clear_error (&error);

    node = rtc_json_parse (text->str, text->len, RTC_JSON_MAX_DEPTH, &error);
    fail_unless (node == NULL && error != NULL, "opener %u", o);
    g_string_free (text, TRUE);
  }
}

GST_END_TEST;

/* rtc_json_parse() takes RFC 8259 and nothing of json-glib's extensions. */
GST_START_TEST (test_json_parse_is_strict_rfc8259)
{
  static const gchar *const good[] = {
    "{}", " [ ] ", "0", "-0", "1.5e3", "-12.25E-2", "1e+9", "true",
    "[false,null]", "\"a\\\"b\\\\\\/\\b\\f\\n\\r\\t\"",
    "\"\\u00e9\\ud83d\\ude00\"", "\"\xc3\xa9\"",
    "{\"a\":[1,{\"b\":null}]}\r\n\t", "1e308", "-1.7976931348623157e308",
    "4.9e-324", "1e-400",
  };
  static const gchar *const bad[] = {
    "", "  ", "'a'", "['a']", "[1 /* c */]", "[1] // c", "[1] # c",
    "[0x10]", "[01]", "[1.]", "[.5]", "[+1]", "[- 1]", "[Infinity]",
    "[NaN]", "[tru]", "[truefalse]", "[1true]", "[nulll]", "{a:1}",
    "\"\\x41\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"",
    "\"\\ud800\\u0041\"", "\"tab\there\"", "\"unterminated", "[",
    "]", "[}", "{]", "[1]]", "[\x0b]", "[1,\xc3]", "\"\x00\"",
    /* two values: json-glib 1.6 leaked the first (found by fuzzing) */
    "{\"type\":\"list\"}{\"type\":\"list\"}", "[] []", "1 2", "{} 0",
    /* beyond a double: json-glib wrote it back as "inf.0", which is not
     * JSON, to every peer a relayed meta reached (found by fuzzing) */
    "1e999", "[-1e400]", "{\"name\":1E309}",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (good); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) node = rtc_json_parse (good[i], -1, 4, &error);

    fail_unless (node != NULL, "refused %s: %s", good[i],
        error ? error->message : "");
  }
  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) node = rtc_json_parse (bad[i], -1, 4, &error);

    fail_unless (node == NULL, "accepted %s", bad[i]);
    fail_unless (g_error_matches (error, RTC_PROTOCOL_ERROR,
            RTC_PROTOCOL_ERROR_MALFORMED));
  }

  /* the depth limit counts arrays and objects alike, exactly */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) ok = rtc_json_parse ("[{\"a\":[[]]}]", -1, 4, NULL);
    g_autoptr (JsonNode) deep = rtc_json_parse ("[{\"a\":[[[]]]}]", -1, 4,
        &error);

    fail_unless (ok != NULL);
    fail_unless (deep == NULL);
    fail_unless_equals_string (error->message, "nested deeper than 4 levels");
  }
}

GST_END_TEST;

/* json-glib 1.6 quotes at most about 30 bytes of a bad string constant in
 * its error message and may cut a UTF-8 sequence in two; the server puts
 * that text into its "error" message, which must stay valid UTF-8 (RFC
 * 6455 section 8.1; a browser closes the connection otherwise). Found by
 * fuzz-router (tests/fuzz/crashes-found/abort-router-error-not-utf8). */
GST_START_TEST (test_parse_errors_are_valid_utf8)
{
  const gchar *text =
      "{\"a\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbb\\ueeeee\":1}";
  g_autoptr (GError) error = NULL;
  g_autoptr (RtcMessage) msg = NULL;
  g_autoptr (RtcMessage) reply = NULL;
  g_autofree gchar *wire = NULL;

  fail_if (rtc_json_parse (text, -1, RTC_JSON_MAX_DEPTH, &error));
  fail_unless (g_utf8_validate (error->message, -1, NULL), "%s",
      error->message);
  g_clear_error (&error);
  msg = rtc_message_parse (text, -1, &error);
  fail_unless (msg == NULL);
  fail_unless (g_utf8_validate (error->message, -1, NULL));
  /* what the server answers parses again */
  reply = rtc_message_new_error (error->message);
  wire = rtc_message_to_json (reply);
  g_clear_error (&error);
  rtc_message_free (g_steal_pointer (&reply));
  reply = rtc_message_parse (wire, -1, &error);
  fail_unless (reply != NULL, "%s", error ? error->message : "");
}

GST_END_TEST;

static Suite *
protocol_suite (void)
{
  Suite *s = suite_create ("rtcprotocol");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_valid_fixtures_parse_and_serialise_to_wire_form);
  tcase_add_test (tc, test_invalid_fixtures_fail_with_precise_errors);
  tcase_add_test (tc, test_parse_fills_the_fields_of_each_message);
  tcase_add_test (tc, test_constructors_serialise_to_the_exact_wire_text);
  tcase_add_test (tc, test_type_names_round_trip);
  tcase_add_test (tc, test_meta_room);
  tcase_add_test (tc, test_hostile_input_is_refused_without_crashing);
  tcase_add_test (tc, test_truncated_and_mutated_input_never_crashes);
  tcase_add_test (tc, test_json_glib_extensions_cannot_hide_deep_nesting);
  tcase_add_test (tc, test_json_parse_is_strict_rfc8259);
  tcase_add_test (tc, test_parse_errors_are_valid_utf8);
  return s;
}

GST_CHECK_MAIN (protocol);
