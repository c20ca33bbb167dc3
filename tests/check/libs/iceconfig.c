/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Unit tests of the ICE-server model (no network).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>

#include "rtciceconfig.h"

/* Independently computed with
 *   python3 -c 'import hmac,hashlib,base64; print(base64.b64encode(
 *     hmac.new(b"s3cr3t", b"1700000000:gst-meshrtc", hashlib.sha1).digest()))'
 * and cross-checked with
 *   echo -n 1700000000:gst-meshrtc | openssl dgst -sha1 -hmac s3cr3t -binary | base64
 */
#define VECTOR1_SECRET "s3cr3t"
#define VECTOR1_USERNAME "1700000000:gst-meshrtc"
#define VECTOR1_PASSWORD "qIhf4X/JBTksqGkmie/cHNY2eWs="
#define VECTOR2_SECRET "north-secret"
#define VECTOR2_USERNAME "1795242216:alice"
#define VECTOR2_PASSWORD "fZOYNzqd1r+Jec2Sv+nc6K4LM3Y="

static RtcIceConfig *
parse_ok (const gchar * json)
{
  GError *err = NULL;
  RtcIceConfig *config = rtc_ice_config_parse (json, -1, &err);

  if (!config)
    fail ("parsing %s failed: %s", json, err->message);
  return config;
}

static void
assert_parse_error (const gchar * json, gint code, const gchar * message)
{
  GError *err = NULL;
  RtcIceConfig *config = rtc_ice_config_parse (json, -1, &err);

  fail_unless (config == NULL, "%s parsed but should not", json);
  fail_unless (err != NULL);
  fail_unless (g_error_matches (err, RTC_ICE_CONFIG_ERROR, code),
      "%s: wrong error code %d (%s)", json, err->code, err->message);
  if (message)
    fail_unless_equals_string (err->message, message);
  g_error_free (err);
}

static RtcIceServer *
server_at (RtcIceConfig * config, guint i)
{
  fail_unless (i < config->servers->len);
  return g_ptr_array_index (config->servers, i);
}

static RtcIceUrl *
url_at (RtcIceConfig * config, guint i, guint j)
{
  RtcIceServer *server = server_at (config, i);

  fail_unless (j < server->urls->len);
  return g_ptr_array_index (server->urls, j);
}

GST_START_TEST (test_iceconfig_parses_bare_array)
{
  RtcIceConfig *config = parse_ok ("[{\"urls\": \"stun:stun.example.org\"},"
      "{\"urls\": [\"turn:turn.example.org:3478?transport=udp\","
      "\"turns:turn.example.org\"], \"username\": \"1700000000:alice\","
      "\"credential\": \"abc\", \"credentialType\": \"password\"}]");
  RtcIceUrl *url;

  fail_unless_equals_int (config->servers->len, 2);
  fail_unless_equals_int (config->ttl, 0);

  url = url_at (config, 0, 0);
  fail_unless_equals_int (url->scheme, RTC_ICE_SCHEME_STUN);
  fail_unless_equals_string (url->host, "stun.example.org");
  fail_unless_equals_int (url->port, 3478);
  fail_unless_equals_string (server_at (config, 0)->path, "iceServers[0]");
  fail_unless (server_at (config, 0)->username == NULL);

  url = url_at (config, 1, 0);
  fail_unless_equals_int (url->scheme, RTC_ICE_SCHEME_TURN);
  fail_unless_equals_int (url->transport, RTC_ICE_URL_TRANSPORT_UDP);
  url = url_at (config, 1, 1);
  fail_unless_equals_int (url->scheme, RTC_ICE_SCHEME_TURNS);
  fail_unless_equals_int (url->port, 5349);
  fail_unless_equals_int (url->transport, RTC_ICE_URL_TRANSPORT_ANY);
  fail_unless_equals_string (server_at (config, 1)->username,
      "1700000000:alice");
  fail_unless_equals_string (server_at (config, 1)->credential, "abc");
  fail_unless (rtc_ice_config_has_turn (config));

  rtc_ice_config_free (config);
}

GST_END_TEST;

GST_START_TEST (test_iceconfig_parses_ice_servers_object)
{
  RtcIceConfig *config = parse_ok ("{\"iceServers\": [{\"urls\": "
      "[\"stun:192.0.2.1:19302\"]}], \"iceTransportPolicy\": \"all\"}");

  fail_unless_equals_int (config->servers->len, 1);
  fail_unless_equals_string (url_at (config, 0, 0)->host, "192.0.2.1");
  fail_unless_equals_int (url_at (config, 0, 0)->port, 19302);
  fail_unless (!rtc_ice_config_has_turn (config));
  rtc_ice_config_free (config);

  config = parse_ok ("{\"iceServers\": []}");
  fail_unless_equals_int (config->servers->len, 0);
  rtc_ice_config_free (config);
}

GST_END_TEST;

GST_START_TEST (test_iceconfig_parses_single_object)
{
  RtcIceConfig *config = parse_ok ("{\"urls\": \"TURN:[2001:db8::1]:3479"
      "?transport=tcp\", \"username\": \"u\", \"credential\": \"p\"}");
  RtcIceUrl *url = url_at (config, 0, 0);

  fail_unless_equals_int (config->servers->len, 1);
  fail_unless_equals_string (server_at (config, 0)->path, "iceServer");
  fail_unless_equals_int (url->scheme, RTC_ICE_SCHEME_TURN);
  fail_unless_equals_string (url->host, "2001:db8::1");
  fail_unless_equals_int (url->port, 3479);
  fail_unless_equals_int (url->transport, RTC_ICE_URL_TRANSPORT_TCP);
  rtc_ice_config_free (config);
}

GST_END_TEST;

GST_START_TEST (test_iceconfig_parses_turn_rest_response)
{
  RtcIceConfig *config = parse_ok ("{\"username\": \"" VECTOR2_USERNAME "\","
      "\"password\": \"" VECTOR2_PASSWORD "\", \"ttl\": 86400,"
      "\"uris\": [\"turn:192.0.2.5:3478?transport=udp\","
      "\"turn:192.0.2.5:3478?transport=tcp\", \"turns:192.0.2.5:443\"]}");

  fail_unless_equals_int (config->servers->len, 1);
  fail_unless_equals_int (config->ttl, 86400);
  fail_unless_equals_int (server_at (config, 0)->urls->len, 3);
  fail_unless_equals_string (server_at (config, 0)->username, VECTOR2_USERNAME);
  fail_unless_equals_string (server_at (config, 0)->credential,
      VECTOR2_PASSWORD);
  fail_unless_equals_int (url_at (config, 0, 2)->port, 443);
  rtc_ice_config_free (config);
}

GST_END_TEST;

GST_START_TEST (test_iceconfig_rejects_every_malformed_input)
{
  const gint SYNTAX = RTC_ICE_CONFIG_ERROR_SYNTAX;
  const gint INVALID = RTC_ICE_CONFIG_ERROR_INVALID;

  assert_parse_error ("[{\"urls\": ", SYNTAX, NULL);
  assert_parse_error ("42", INVALID,
      "top level: expected an array or an object, got a number");
  assert_parse_error ("{\"servers\": []}", INVALID,
      "top level: an object needs \"iceServers\" (a list), \"urls\" (one "
      "RTCIceServer) or \"uris\" (a TURN REST response)");
  assert_parse_error ("{\"iceServers\": {}}", INVALID,
      "iceServers: expected an array, got an object");
  assert_parse_error ("[\"stun:a\"]", INVALID,
      "iceServers[0]: expected an object, got a string");
  assert_parse_error ("[{\"username\": \"x\"}]", INVALID,
      "iceServers[0]: \"urls\" is missing");
  assert_parse_error ("[{\"urls\": 5}]", INVALID,
      "iceServers[0].urls: expected a string or an array of strings, "
      "got a number");
  assert_parse_error ("[{\"urls\": []}]", INVALID,
      "iceServers[0].urls: the list of URLs is empty");
  assert_parse_error ("[{\"urls\": [\"stun:a\", true]}]", INVALID,
      "iceServers[0].urls[1]: expected a string, got a boolean");
  assert_parse_error ("[{\"urls\": \"stun:a\"}, {\"urls\": [\"http://a\"]}]",
      INVALID, "iceServers[1].urls[0]: unknown scheme \"http\" (expected "
      "stun, stuns, turn or turns)");
  assert_parse_error ("[{\"urls\": \"turn://a:3478\"}]", INVALID,
      "iceServers[0].urls: \"//\" is not allowed: write \"turn:host:port\"");
  assert_parse_error ("[{\"urls\": \"turn:alice:pw@a:3478\"}]", INVALID,
      "iceServers[0].urls: \"user@\" is not allowed in the URL: use "
      "\"username\" and \"credential\"");
  assert_parse_error ("[{\"urls\": \"stun:a?transport=udp\"}]", INVALID,
      "iceServers[0].urls: a query is only allowed on turn: and turns: URLs");
  assert_parse_error ("[{\"urls\": \"turn:a?proto=udp\"}]", INVALID,
      "iceServers[0].urls: unknown query parameter \"proto\": only "
      "\"transport\" is allowed");
  assert_parse_error ("[{\"urls\": \"turn:a?transport=sctp\"}]", INVALID,
      "iceServers[0].urls: unknown transport \"sctp\": expected udp or tcp");
  assert_parse_error ("[{\"urls\": \"stun:\"}]", INVALID,
      "iceServers[0].urls: no host");
  assert_parse_error ("[{\"urls\": \"stun:a:99999\"}]", INVALID,
      "iceServers[0].urls: invalid host or port \"a:99999\"");
  assert_parse_error ("[{\"urls\": \"stun:a:0\"}]", INVALID,
      "iceServers[0].urls: invalid port 0");
  assert_parse_error ("[{\"urls\": \"stun:a/x\"}]", INVALID,
      "iceServers[0].urls: a path (\"/\") is not allowed");
  assert_parse_error ("[{\"urls\": \"stun:a#x\"}]", INVALID,
      "iceServers[0].urls: a fragment (\"#\") is not allowed");
  assert_parse_error ("[{\"urls\": \"turn:a\", \"username\": 7}]", INVALID,
      "iceServers[0].username: expected a string, got a number");
  assert_parse_error ("[{\"urls\": \"turn:a\", \"credentialType\": "
      "\"oauth\"}]", INVALID, "iceServers[0].credentialType: \"oauth\" is "
      "not supported, only \"password\"");
  assert_parse_error ("{\"username\": \"u\", \"uris\": [\"turn:a\"]}",
      INVALID, "password: missing in a TURN REST response");
  assert_parse_error ("{\"username\": \"u\", \"password\": \"p\", "
      "\"ttl\": -5, \"uris\": [\"turn:a\"]}", INVALID,
      "ttl: expected a whole number of seconds (0 to 4294967295)");
  assert_parse_error ("{\"username\": \"u\", \"password\": \"p\", "
      "\"uris\": \"turn:a\"}", INVALID,
      "uris: expected an array of strings, got a string");
  assert_parse_error ("{\"username\": \"u\", \"password\": \"p\", "
      "\"uris\": [\"turn:a\", \"ftp:b\"]}", INVALID,
      "uris[1]: unknown scheme \"ftp\" (expected stun, stuns, turn or turns)");
}

GST_END_TEST;

GST_START_TEST (test_iceconfig_url_parse_error_never_quotes_credentials)
{
  GError *err = NULL;

  fail_unless (rtc_ice_url_parse ("turn:al:s3cr3t@[bad", &err) == NULL);
  fail_unless (strstr (err->message, "s3cr3t") == NULL, "%s", err->message);
  g_error_free (err);
}

GST_END_TEST;

GST_START_TEST (test_iceconfig_webrtcbin_uris_escape_credentials)
{
  RtcIceConfig *config = parse_ok ("[{\"urls\": [\"stun:192.0.2.1\","
      "\"stun:192.0.2.2:3479\", \"stuns:192.0.2.3\"]},"
      "{\"urls\": [\"turn:127.0.0.1:3478\", \"turn:127.0.0.1:3478?transport=tcp\","
      "\"turns:[::1]:5349?transport=tcp\"], \"username\": \"" VECTOR2_USERNAME
      "\", \"credential\": \"" VECTOR2_PASSWORD "\"},"
      "{\"urls\": \"turn:192.0.2.9\", \"username\": \"a/b=c\","
      "\"credential\": \"q0gh/Kp=\"}]");
  gchar *stun = NULL;
  GStrv turn = NULL, ignored = NULL;
  gchar *described;

  rtc_ice_config_to_webrtcbin (config, &stun, &turn, &ignored);

  fail_unless_equals_string (stun, "stun://192.0.2.1:3478");
  fail_unless_equals_int (g_strv_length (turn), 4);
  /* ':' '+' '/' '=' all escaped: webrtcbin splits userinfo at the first ':' */
  fail_unless_equals_string (turn[0],
      "turn://1795242216%3Aalice:fZOYNzqd1r%2BJec2Sv%2Bnc6K4LM3Y%3D"
      "@127.0.0.1:3478");
  fail_unless_equals_string (turn[1],
      "turn://1795242216%3Aalice:fZOYNzqd1r%2BJec2Sv%2Bnc6K4LM3Y%3D"
      "@127.0.0.1:3478?transport=tcp");
  fail_unless_equals_string (turn[2],
      "turns://1795242216%3Aalice:fZOYNzqd1r%2BJec2Sv%2Bnc6K4LM3Y%3D"
      "@[::1]:5349?transport=tcp");
  fail_unless_equals_string (turn[3], "turn://a%2Fb%3Dc:q0gh%2FKp%3D"
      "@192.0.2.9:3478");

  fail_unless_equals_int (g_strv_length (ignored), 2);
  fail_unless_equals_string (ignored[0],
      "stun:192.0.2.2:3479 (webrtcbin takes one STUN server)");
  fail_unless_equals_string (ignored[1],
      "stuns:192.0.2.3 (webrtcbin has no STUN over TLS)");

  described = rtc_ice_config_describe_turn (config);
  fail_unless_equals_string (described, "turn:127.0.0.1:3478, "
      "turn:127.0.0.1:3478?transport=tcp, turns:[::1]:5349?transport=tcp, "
      "turn:192.0.2.9");

  g_free (described);
  g_free (stun);
  g_strfreev (turn);
  g_strfreev (ignored);
  rtc_ice_config_free (config);
}

GST_END_TEST;

GST_START_TEST (test_iceconfig_turn_rest_credentials_match_known_vector)
{
  gchar *username, *password;

  username = rtc_ice_turn_rest_username (1700000000, "gst-meshrtc");
  fail_unless_equals_string (username, VECTOR1_USERNAME);
  password = rtc_ice_turn_rest_password (VECTOR1_SECRET, username);
  fail_unless_equals_string (password, VECTOR1_PASSWORD);
  g_free (username);
  g_free (password);

  password = rtc_ice_turn_rest_password (VECTOR2_SECRET, VECTOR2_USERNAME);
  fail_unless_equals_string (password, VECTOR2_PASSWORD);
  g_free (password);
}

GST_END_TEST;

GST_START_TEST (test_iceconfig_resolve_fills_missing_turn_credentials)
{
  RtcIceConfig *config = parse_ok ("[{\"urls\": \"stun:192.0.2.1\"},"
      "{\"urls\": \"turn:127.0.0.1:3478\"},"
      "{\"urls\": \"turn:192.0.2.7\", \"username\": \"alice\"},"
      "{\"urls\": \"turn:192.0.2.8\", \"username\": \"bob\", "
      "\"credential\": \"static\"}]");
  RtcIceConfig *resolved, *renewed;
  GError *err = NULL;
  gchar *stun = NULL;
  GStrv turn = NULL;

  /* now + ttl = 1700000000 */
  resolved = rtc_ice_config_resolve_credentials (config, VECTOR1_SECRET,
      "gst-meshrtc", 86400, 1700000000 - 86400, &err);
  fail_unless (resolved != NULL);
  fail_unless_equals_int64 (resolved->expiry, 1700000000);

  fail_unless (server_at (resolved, 0)->username == NULL);
  fail_unless_equals_string (server_at (resolved, 1)->username,
      VECTOR1_USERNAME);
  fail_unless_equals_string (server_at (resolved, 1)->credential,
      VECTOR1_PASSWORD);
  fail_unless (server_at (resolved, 1)->generated);
  fail_unless_equals_string (server_at (resolved, 2)->username,
      "1700000000:alice");
  fail_unless_equals_string (server_at (resolved, 3)->username, "bob");
  fail_unless_equals_string (server_at (resolved, 3)->credential, "static");
  fail_unless (!server_at (resolved, 3)->generated);
  /* the source is untouched */
  fail_unless (server_at (config, 1)->username == NULL);

  rtc_ice_config_to_webrtcbin (resolved, &stun, &turn, NULL);
  fail_unless_equals_string (turn[0], "turn://1700000000%3Agst-meshrtc:"
      "qIhf4X%2FJBTksqGkmie%2FcHNY2eWs%3D@127.0.0.1:3478");
  g_free (stun);
  g_strfreev (turn);

  /* renewing a resolved config keeps each entry's own user */
  renewed = rtc_ice_config_resolve_credentials (resolved, VECTOR1_SECRET,
      "other", 600, 1800000000, &err);
  fail_unless_equals_string (server_at (renewed, 1)->username,
      "1800000600:gst-meshrtc");
  fail_unless_equals_string (server_at (renewed, 2)->username,
      "1800000600:alice");
  fail_unless_equals_int64 (renewed->expiry, 1800000600);

  rtc_ice_config_free (renewed);
  rtc_ice_config_free (resolved);
  rtc_ice_config_free (config);
}

GST_END_TEST;

GST_START_TEST (test_iceconfig_turn_without_credentials_or_secret_is_error)
{
  RtcIceConfig *config = parse_ok ("[{\"urls\": \"stun:192.0.2.1\"},"
      "{\"urls\": [\"turn:127.0.0.1:3478\"]}]");
  RtcIceConfig *stun_only = parse_ok ("[{\"urls\": \"stun:192.0.2.1\"}]");
  RtcIceConfig *resolved;
  GError *err = NULL;

  resolved = rtc_ice_config_resolve_credentials (config, NULL, NULL, 86400,
      1700000000, &err);
  fail_unless (resolved == NULL);
  fail_unless (g_error_matches (err, RTC_ICE_CONFIG_ERROR,
          RTC_ICE_CONFIG_ERROR_NO_CREDENTIALS));
  fail_unless_equals_string (err->message, "iceServers[1]: TURN server "
      "\"turn:127.0.0.1:3478\" has no username and credential, and no TURN "
      "secret is set");
  g_clear_error (&err);

  /* STUN needs no credentials */
  resolved = rtc_ice_config_resolve_credentials (stun_only, NULL, NULL, 86400,
      1700000000, &err);
  fail_unless (resolved != NULL);
  fail_unless_equals_int64 (resolved->expiry, 0);

  rtc_ice_config_free (resolved);
  rtc_ice_config_free (stun_only);
  rtc_ice_config_free (config);
}

GST_END_TEST;

GST_START_TEST (test_iceconfig_expiry_maths)
{
  RtcIceConfig *config = rtc_ice_config_new ();

  /* renewed once less than 20% of the ttl remains */
  fail_unless_equals_int64 (rtc_ice_config_renewal_time (1700086400, 86400),
      1700086400 - 17280);
  config->expiry = 1700086400;
  fail_if (rtc_ice_config_needs_renewal (config, 86400, 1700069119));
  fail_unless (rtc_ice_config_needs_renewal (config, 86400, 1700069120));
  fail_unless (rtc_ice_config_needs_renewal (config, 86400, 1700090000));
  config->expiry = 0;
  fail_if (rtc_ice_config_needs_renewal (config, 86400, 1700090000));

  /* refetch at 80% of the ttl unless an interval is set; never without */
  fail_unless_equals_int (rtc_ice_config_refresh_delay (86400, 0), 69120);
  fail_unless_equals_int (rtc_ice_config_refresh_delay (5, 0), 4);
  fail_unless_equals_int (rtc_ice_config_refresh_delay (1, 0), 1);
  fail_unless_equals_int (rtc_ice_config_refresh_delay (86400, 30), 30);
  fail_unless_equals_int (rtc_ice_config_refresh_delay (0, 0), 0);
  fail_unless_equals_int (rtc_ice_config_refresh_delay (G_MAXUINT32, 0),
      (guint) ((guint64) G_MAXUINT32 * 4 / 5));

  /* backoff */
  fail_unless_equals_int (rtc_ice_config_retry_delay (1), 1);
  fail_unless_equals_int (rtc_ice_config_retry_delay (2), 2);
  fail_unless_equals_int (rtc_ice_config_retry_delay (3), 4);
  fail_unless_equals_int (rtc_ice_config_retry_delay (6), 32);
  fail_unless_equals_int (rtc_ice_config_retry_delay (7), 60);
  fail_unless_equals_int (rtc_ice_config_retry_delay (1000), 60);

  rtc_ice_config_free (config);
}

GST_END_TEST;

GST_START_TEST (test_iceconfig_json_round_trip_and_redaction)
{
  RtcIceConfig *config = parse_ok ("{\"urls\": \"turn:127.0.0.1\", "
      "\"username\": \"u\", \"credential\": \"pa/ss\"}");
  RtcIceConfig *again;
  gchar *full, *redacted;

  full = rtc_ice_config_to_json (config, FALSE);
  fail_unless_equals_string (full, "[{\"urls\":[\"turn:127.0.0.1\"],"
      "\"username\":\"u\",\"credential\":\"pa/ss\"}]");
  redacted = rtc_ice_config_to_json (config, TRUE);
  fail_unless_equals_string (redacted, "[{\"urls\":[\"turn:127.0.0.1\"],"
      "\"username\":\"u\",\"credential\":\"<redacted>\"}]");

  again = parse_ok (full);
  fail_unless_equals_string (server_at (again, 0)->credential, "pa/ss");

  g_free (full);
  g_free (redacted);
  rtc_ice_config_free (again);
  rtc_ice_config_free (config);
}

GST_END_TEST;

GST_START_TEST (test_iceconfig_append_keeps_order_and_smallest_ttl)
{
  RtcIceConfig *a = parse_ok ("[{\"urls\": \"stun:192.0.2.1\"}]");
  RtcIceConfig *b = parse_ok ("{\"username\": \"u\", \"password\": \"p\", "
      "\"ttl\": 600, \"uris\": [\"turn:192.0.2.2\"]}");

  rtc_ice_config_append (a, b);
  fail_unless_equals_int (a->servers->len, 2);
  fail_unless_equals_int (a->ttl, 600);
  fail_unless_equals_string (url_at (a, 1, 0)->host, "192.0.2.2");
  rtc_ice_config_free (a);
  rtc_ice_config_free (b);
}

GST_END_TEST;

GST_START_TEST (test_iceconfig_policy_strings)
{
  RtcIceTransportPolicy policy = RTC_ICE_TRANSPORT_POLICY_ALL;
  GEnumClass *klass;

  fail_unless (rtc_ice_transport_policy_from_string ("relay", &policy));
  fail_unless_equals_int (policy, RTC_ICE_TRANSPORT_POLICY_RELAY);
  fail_unless_equals_string (rtc_ice_transport_policy_to_string (policy),
      "relay");
  fail_if (rtc_ice_transport_policy_from_string ("none", &policy));

  klass = g_type_class_ref (RTC_TYPE_ICE_TRANSPORT_POLICY);
  fail_unless_equals_string (g_enum_get_value (klass,
          RTC_ICE_TRANSPORT_POLICY_ALL)->value_nick, "all");
  g_type_class_unref (klass);
}

GST_END_TEST;

GST_START_TEST (test_iceconfig_context_carries_json_and_policy)
{
  GstContext *ctx = rtc_ice_config_context_new ("[{\"urls\":[\"stun:a\"]}]",
      "relay");
  GstContext *other = gst_context_new ("gst.other", FALSE);
  gchar *json, *policy;

  fail_unless_equals_string (gst_context_get_context_type (ctx),
      RTC_ICE_CONFIG_CONTEXT_TYPE);
  fail_if (gst_context_is_persistent (ctx));
  json = rtc_ice_config_context_get_json (ctx);
  policy = rtc_ice_config_context_get_policy (ctx);
  fail_unless_equals_string (json, "[{\"urls\":[\"stun:a\"]}]");
  fail_unless_equals_string (policy, "relay");
  fail_unless (rtc_ice_config_context_get_json (other) == NULL);
  fail_unless (rtc_ice_config_context_get_json (NULL) == NULL);

  g_free (json);
  g_free (policy);
  gst_context_unref (ctx);
  gst_context_unref (other);
}

GST_END_TEST;

static void
on_add_turn_server (GstElement * webrtc, const gchar * uri, GPtrArray * seen)
{
  g_ptr_array_add (seen, g_strdup (uri));
}

GST_START_TEST (test_iceconfig_apply_configures_webrtcbin)
{
  GstElement *webrtc = gst_element_factory_make ("webrtcbin", NULL);
  RtcIceConfig *config = parse_ok ("[{\"urls\": [\"stun:192.0.2.1:3479\","
      "\"stun:192.0.2.2\"]}, {\"urls\": \"turn:127.0.0.1:3478?transport=udp\","
      "\"username\": \"" VECTOR2_USERNAME "\", \"credential\": \""
      VECTOR2_PASSWORD "\"}]");
  GPtrArray *seen = g_ptr_array_new_with_free_func (g_free);
  GStrv ignored = NULL;
  GError *err = NULL;
  gchar *stun = NULL;
  gint policy = -1;

  if (!webrtc) {
    g_printerr ("SKIP test_iceconfig_apply_configures_webrtcbin: no "
        "webrtcbin (gst-plugins-bad webrtc plugin missing)\n");
    rtc_ice_config_free (config);
    g_ptr_array_unref (seen);
    return;
  }
  gst_object_ref_sink (webrtc);

  fail_unless (rtc_ice_config_is_webrtcbin (webrtc));
  g_signal_connect (webrtc, "add-turn-server", G_CALLBACK (on_add_turn_server),
      seen);
  fail_unless (rtc_ice_config_apply (config, webrtc,
          RTC_ICE_TRANSPORT_POLICY_RELAY, &ignored, &err));
  g_object_get (webrtc, "stun-server", &stun, "ice-transport-policy", &policy,
      NULL);
  fail_unless_equals_string (stun, "stun://192.0.2.1:3479");
  fail_unless_equals_int (policy, RTC_ICE_TRANSPORT_POLICY_RELAY);
  fail_unless_equals_int (seen->len, 1);
  fail_unless_equals_string (g_ptr_array_index (seen, 0),
      "turn://1795242216%3Aalice:fZOYNzqd1r%2BJec2Sv%2Bnc6K4LM3Y%3D"
      "@127.0.0.1:3478?transport=udp");
  fail_unless_equals_int (g_strv_length (ignored), 1);

  g_free (stun);
  g_strfreev (ignored);
  g_ptr_array_unref (seen);
  rtc_ice_config_free (config);
  gst_object_unref (webrtc);
}

GST_END_TEST;

/* Each name is listed once, in order, repeats and case variants dropped
 * (a list search made this quadratic: 8000 names took seconds, found by
 * fuzz-iceconfig); and a document holds at most RTC_ICE_CONFIG_MAX_URLS
 * URLs, each a DNS lookup and a webrtcbin ICE server. */
GST_START_TEST (test_iceconfig_host_names_listed_once_and_urls_bounded)
{
  GString *json = g_string_new ("[{\"urls\": [");
  RtcIceConfig *config;
  GError *err = NULL;
  GStrv hosts;
  gchar *doc;
  guint i;

  for (i = 0; i < RTC_ICE_CONFIG_MAX_URLS / 2; i++)
    g_string_append_printf (json, "%s\"stun:h%u.example.org\", "
        "\"stun:H%u.EXAMPLE.org:3479\"", i ? ", " : "", i, i);
  doc = g_strconcat (json->str, "]}]", NULL);
  config = parse_ok (doc);
  g_free (doc);
  hosts = rtc_ice_config_get_unresolved_hosts (config);
  fail_unless_equals_int (g_strv_length (hosts), RTC_ICE_CONFIG_MAX_URLS / 2);
  fail_unless_equals_string (hosts[0], "h0.example.org");
  fail_unless_equals_string (hosts[1], "h1.example.org");
  g_strfreev (hosts);
  rtc_ice_config_free (config);

  /* one more URL is refused, saying why */
  g_string_append (json, ", \"stun:192.0.2.1\"]}]");
  config = rtc_ice_config_parse (json->str, -1, &err);
  fail_unless (config == NULL);
  fail_unless (g_error_matches (err, RTC_ICE_CONFIG_ERROR,
          RTC_ICE_CONFIG_ERROR_INVALID));
  fail_unless_equals_string (err->message,
      "65 STUN/TURN URLs: at most 64 are taken");
  g_error_free (err);
  g_string_free (json, TRUE);
}

GST_END_TEST;

GST_START_TEST (test_iceconfig_host_names_resolve_to_addresses_for_webrtcbin)
{
  RtcIceConfig *config =
      parse_ok ("[{\"urls\": [\"stun:stun.example.org:19302\","
      "\"stun:192.0.2.1\"]}, {\"urls\": [\"turn:TURN.example.org\","
      "\"turns:turn.example.org:443?transport=tcp\", \"turn:[2001:db8::2]\"],"
      "\"username\": \"u\", \"credential\": \"p\"}]");
  GHashTable *addresses = g_hash_table_new (g_str_hash, g_str_equal);
  RtcIceConfig *copy;
  GStrv hosts;
  gchar *stun = NULL, *json;
  GStrv turn = NULL;

  /* DNS names are case-insensitive */
  hosts = rtc_ice_config_get_unresolved_hosts (config);
  fail_unless_equals_int (g_strv_length (hosts), 2);
  fail_unless_equals_string (hosts[0], "stun.example.org");
  fail_unless_equals_string (hosts[1], "turn.example.org");
  g_strfreev (hosts);

  g_hash_table_insert (addresses, "turn.example.org", "2001:db8::9");
  rtc_ice_config_set_addresses (config, addresses);
  hosts = rtc_ice_config_get_unresolved_hosts (config);
  fail_unless_equals_int (g_strv_length (hosts), 1);
  fail_unless_equals_string (hosts[0], "stun.example.org");
  g_strfreev (hosts);

  g_hash_table_insert (addresses, "stun.example.org", "198.51.100.7");
  rtc_ice_config_set_addresses (config, addresses);
  copy = rtc_ice_config_copy (config);
  hosts = rtc_ice_config_get_unresolved_hosts (copy);
  fail_unless_equals_int (g_strv_length (hosts), 0);
  g_strfreev (hosts);

  rtc_ice_config_to_webrtcbin (copy, &stun, &turn, NULL);
  fail_unless_equals_string (stun, "stun://198.51.100.7:19302");
  fail_unless_equals_string (turn[0], "turn://u:p@[2001:db8::9]:3478");
  fail_unless_equals_string (turn[1],
      "turns://u:p@[2001:db8::9]:443?transport=tcp");
  fail_unless_equals_string (turn[2], "turn://u:p@[2001:db8::2]:3478");

  /* browsers keep the names */
  json = rtc_ice_config_to_json (copy, FALSE);
  fail_unless (strstr (json, "\"turns:turn.example.org:443?transport=tcp\"")
      != NULL, "%s", json);

  g_free (json);
  g_free (stun);
  g_strfreev (turn);
  g_hash_table_unref (addresses);
  rtc_ice_config_free (copy);
  rtc_ice_config_free (config);
}

GST_END_TEST;

/* RFC 9725 section 4.6 Link headers, as libsoup joins them: ice-server
 * links only, parameters quoted or not, a bad entry skipped and told. */
GST_START_TEST (test_iceconfig_parse_link_headers)
{
  const gchar *links = "<https://example.org/other>; rel=\"help\", "
      "<stun:192.0.2.1:3478>; rel=\"ice-server\", "
      "<turn:192.0.2.2:3478?transport=udp>; rel=\"ice-server\"; "
      "username=\"u;1\"; credential=\"p\\\"w,d\"; "
      "credential-type=\"password\", "
      "<turn:192.0.2.3>; rel=ice-server; username=u2; credential=p2, "
      "<http://192.0.2.4>; rel=\"ice-server\", "
      "<turn:192.0.2.5>; rel=\"ice-server\"; username=u; credential=t; "
      "credential-type=\"oauth\"";
  RtcIceConfig *config;
  RtcIceServer *server;
  GStrv ignored = NULL;

  config = rtc_ice_config_parse_link (links, &ignored);
  fail_unless_equals_int (config->servers->len, 3);
  server = g_ptr_array_index (config->servers, 0);
  fail_unless_equals_string (((RtcIceUrl *) g_ptr_array_index (server->urls,
              0))->host, "192.0.2.1");
  fail_unless (server->username == NULL && server->credential == NULL);
  server = g_ptr_array_index (config->servers, 1);
  fail_unless_equals_string (server->username, "u;1");
  fail_unless_equals_string (server->credential, "p\"w,d");
  server = g_ptr_array_index (config->servers, 2);
  fail_unless_equals_string (server->username, "u2");
  fail_unless_equals_string (server->credential, "p2");
  fail_unless_equals_int (g_strv_length (ignored), 2);
  fail_unless (strstr (ignored[0], "Link[4]") != NULL, "%s", ignored[0]);
  fail_unless (strstr (ignored[1], "oauth") != NULL, "%s", ignored[1]);
  /* what is ignored is told without credentials */
  fail_if (strstr (ignored[1], "\"t\"") != NULL, "%s", ignored[1]);
  g_strfreev (ignored);
  rtc_ice_config_free (config);

  config = rtc_ice_config_parse_link (NULL, NULL);
  fail_unless_equals_int (config->servers->len, 0);
  rtc_ice_config_free (config);
  config = rtc_ice_config_parse_link ("garbage, <, >;;, \"", NULL);
  fail_unless_equals_int (config->servers->len, 0);
  rtc_ice_config_free (config);
}

GST_END_TEST;

static Suite *
iceconfig_suite (void)
{
  Suite *s = suite_create ("iceconfig");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_iceconfig_parses_bare_array);
  tcase_add_test (tc, test_iceconfig_parses_ice_servers_object);
  tcase_add_test (tc, test_iceconfig_parses_single_object);
  tcase_add_test (tc, test_iceconfig_parses_turn_rest_response);
  tcase_add_test (tc, test_iceconfig_rejects_every_malformed_input);
  tcase_add_test (tc, test_iceconfig_url_parse_error_never_quotes_credentials);
  tcase_add_test (tc, test_iceconfig_webrtcbin_uris_escape_credentials);
  tcase_add_test (tc, test_iceconfig_turn_rest_credentials_match_known_vector);
  tcase_add_test (tc,
      test_iceconfig_host_names_resolve_to_addresses_for_webrtcbin);
  tcase_add_test (tc, test_iceconfig_host_names_listed_once_and_urls_bounded);
  tcase_add_test (tc, test_iceconfig_resolve_fills_missing_turn_credentials);
  tcase_add_test (tc,
      test_iceconfig_turn_without_credentials_or_secret_is_error);
  tcase_add_test (tc, test_iceconfig_expiry_maths);
  tcase_add_test (tc, test_iceconfig_json_round_trip_and_redaction);
  tcase_add_test (tc, test_iceconfig_append_keeps_order_and_smallest_ttl);
  tcase_add_test (tc, test_iceconfig_policy_strings);
  tcase_add_test (tc, test_iceconfig_context_carries_json_and_policy);
  tcase_add_test (tc, test_iceconfig_apply_configures_webrtcbin);
  tcase_add_test (tc, test_iceconfig_parse_link_headers);

  return s;
}

GST_CHECK_MAIN (iceconfig);
