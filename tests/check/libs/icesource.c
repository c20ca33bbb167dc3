/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Unit tests of RtcIceSource: fetching (file:// and an in-process
 * SoupServer), refresh, backoff, timeouts, cancellation and host names.
 * Loopback only.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <gst/check/gstcheck.h>

#include "rtcicesource.h"

typedef struct
{
  GMainContext *context;
  RtcIceSource *source;
  GPtrArray *configs;           /* RtcIceConfig, as emitted */
  GPtrArray *errors;            /* GError */
  GPtrArray *warnings;          /* GError */

  SoupServer *server;
  gchar *base_uri;              /* http://127.0.0.1:port/ */
  guint requests;
  guint fail_first, fail_last;  /* these requests (1-based) answer 500 */
  gboolean silent;              /* never answer */
} Fixture;

static Fixture f;

static void
on_config_changed (RtcIceSource * source, RtcIceConfig * config,
    gpointer user_data)
{
  g_ptr_array_add (f.configs, rtc_ice_config_copy (config));
}

static void
on_error (RtcIceSource * source, GError * error, gpointer user_data)
{
  g_ptr_array_add (f.errors, g_error_copy (error));
}

static void
on_warning (RtcIceSource * source, GError * error, gpointer user_data)
{
  g_ptr_array_add (f.warnings, g_error_copy (error));
}

/* Serves [{"urls": "turn:127.0.0.1:3478", "username": "user<n>", ...}],
 * n counting requests; or 500, or nothing at all. */
static void
serve (SoupServer * server, SoupServerMessage * msg, const char *path,
    GHashTable * query, gpointer user_data)
{
  gchar *body;

  f.requests++;
  if (f.silent) {
    soup_server_message_pause (msg);
    return;
  }
  if (f.requests >= f.fail_first && f.requests <= f.fail_last) {
    soup_server_message_set_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
        NULL);
    return;
  }
  body = g_strdup_printf ("[{\"urls\": \"turn:127.0.0.1:3478\", "
      "\"username\": \"user%u\", \"credential\": \"c\"}]", f.requests);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json",
      SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
setup (void)
{
  GError *err = NULL;
  GSList *uris;

  memset (&f, 0, sizeof (f));
  f.context = g_main_context_new ();
  g_main_context_push_thread_default (f.context);
  f.configs = g_ptr_array_new_with_free_func ((GDestroyNotify)
      rtc_ice_config_free);
  f.errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  f.warnings = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  f.source = rtc_ice_source_new ();
  g_signal_connect (f.source, "config-changed", G_CALLBACK (on_config_changed),
      NULL);
  g_signal_connect (f.source, "error", G_CALLBACK (on_error), NULL);
  g_signal_connect (f.source, "warning", G_CALLBACK (on_warning), NULL);

  f.server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f.server, NULL, serve, NULL, NULL);
  fail_unless (soup_server_listen_local (f.server, 0,
          SOUP_SERVER_LISTEN_IPV4_ONLY, &err), "%s", err ? err->message : "");
  uris = soup_server_get_uris (f.server);
  f.base_uri = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
teardown (void)
{
  rtc_ice_source_stop (f.source);
  g_object_unref (f.source);
  soup_server_disconnect (f.server);
  g_object_unref (f.server);
  while (g_main_context_pending (f.context))
    g_main_context_iteration (f.context, FALSE);
  g_main_context_pop_thread_default (f.context);
  g_main_context_unref (f.context);
  g_ptr_array_unref (f.configs);
  g_ptr_array_unref (f.errors);
  g_ptr_array_unref (f.warnings);
  g_free (f.base_uri);
}

/* Iterates the source's context until *@counter reaches @n or @seconds
 * pass. */
static gboolean
wait_for (guint * counter, guint n, gdouble seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;

  while (*counter < n && g_get_monotonic_time () < deadline) {
    if (!g_main_context_iteration (f.context, FALSE))
      g_usleep (5 * 1000);
  }
  return *counter >= n;
}

static const gchar *
username_of (guint config, guint server)
{
  RtcIceConfig *c = g_ptr_array_index (f.configs, config);

  return ((RtcIceServer *) g_ptr_array_index (c->servers, server))->username;
}

static const gchar *
address_of (const RtcIceConfig * config, const gchar * url)
{
  guint i, j;

  for (i = 0; i < config->servers->len; i++) {
    RtcIceServer *server = g_ptr_array_index (config->servers, i);

    for (j = 0; j < server->urls->len; j++) {
      RtcIceUrl *u = g_ptr_array_index (server->urls, j);

      if (g_str_equal (u->url, url))
        return u->address;
    }
  }
  fail ("no URL %s", url);
  return NULL;
}

GST_START_TEST (test_icesource_http_location_refreshes_every_interval)
{
  rtc_ice_source_set_location (f.source, f.base_uri, 1);
  rtc_ice_source_start (f.source);

  fail_unless (wait_for (&f.configs->len, 2, 10));
  fail_unless_equals_string (username_of (0, 0), "user1");
  fail_unless_equals_string (username_of (1, 0), "user2");
  fail_unless_equals_int (f.errors->len, 0);
  fail_unless_equals_int (f.warnings->len, 0);
}

GST_END_TEST;

GST_START_TEST (test_icesource_failed_refresh_backs_off_and_keeps_last_config)
{
  gchar *location = g_strconcat (f.base_uri, "turn?key=api-key-123", NULL);
  GError *w;
  RtcIceConfig *kept;

  f.fail_first = 2;
  f.fail_last = 3;
  rtc_ice_source_set_location (f.source, location, 1);
  rtc_ice_source_start (f.source);

  /* 1 good, 2 and 3 fail (retried after 1 s, then 2 s), 4 good */
  fail_unless (wait_for (&f.configs->len, 2, 15));
  fail_unless_equals_int (f.requests, 4);
  fail_unless_equals_int (f.warnings->len, 2);
  w = g_ptr_array_index (f.warnings, 0);
  fail_unless (g_error_matches (w, RTC_ICE_SOURCE_ERROR,
          RTC_ICE_SOURCE_ERROR_REFRESH));
  fail_unless (strstr (w->message, "HTTP 500") != NULL, "%s", w->message);
  fail_unless (g_str_has_suffix (w->message, "retrying in 1 s"), "%s",
      w->message);
  fail_unless (strstr (w->message, "api-key-123") == NULL, "%s", w->message);
  w = g_ptr_array_index (f.warnings, 1);
  fail_unless (g_str_has_suffix (w->message, "retrying in 2 s"), "%s",
      w->message);

  /* failures emitted nothing new: the last good configuration stayed */
  fail_unless_equals_string (username_of (0, 0), "user1");
  fail_unless_equals_string (username_of (1, 0), "user4");
  kept = rtc_ice_source_dup_config (f.source);
  fail_unless_equals_string (((RtcIceServer *)
          g_ptr_array_index (kept->servers, 0))->username, "user4");
  rtc_ice_config_free (kept);
  fail_unless_equals_int (f.errors->len, 0);
  g_free (location);
}

GST_END_TEST;

GST_START_TEST (test_icesource_silent_server_times_out)
{
  GError *e;
  gint64 start;

  f.silent = TRUE;
  rtc_ice_source_set_location (f.source, f.base_uri, 0);
  rtc_ice_source_set_timeout (f.source, 1);
  start = g_get_monotonic_time ();
  rtc_ice_source_start (f.source);

  fail_unless (wait_for (&f.errors->len, 1, 5));
  fail_unless (g_get_monotonic_time () - start >= 900 * G_TIME_SPAN_MILLISECOND);
  e = g_ptr_array_index (f.errors, 0);
  fail_unless (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT), "%s",
      e->message);
  fail_unless_equals_string (e->message, "no answer within 1 s");
  fail_unless_equals_int (f.configs->len, 0);
}

GST_END_TEST;

GST_START_TEST (test_icesource_stop_cancels_a_fetch_at_once_silently)
{
  gint64 start;

  f.silent = TRUE;
  rtc_ice_source_set_location (f.source, f.base_uri, 0);
  rtc_ice_source_set_timeout (f.source, 30);
  rtc_ice_source_start (f.source);
  fail_unless (wait_for (&f.requests, 1, 5));

  start = g_get_monotonic_time ();
  rtc_ice_source_stop (f.source);
  fail_unless (g_get_monotonic_time () - start < G_TIME_SPAN_SECOND);
  fail_unless (rtc_ice_source_dup_config (f.source) == NULL);

  /* nothing afterwards either */
  g_usleep (100 * 1000);
  while (g_main_context_pending (f.context))
    g_main_context_iteration (f.context, FALSE);
  fail_unless_equals_int (f.errors->len, 0);
  fail_unless_equals_int (f.warnings->len, 0);
  fail_unless_equals_int (f.configs->len, 0);
}

GST_END_TEST;

GST_START_TEST (test_icesource_file_location_with_turn_rest_credentials)
{
  gchar *path = g_build_filename (g_get_tmp_dir (), "icesource-XXXXXX.json",
      NULL);
  gchar *uri, *expected;
  gint fd = g_mkstemp (path);
  RtcIceConfig *config;
  RtcIceServer *server;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  fail_unless (fd >= 0);
  close (fd);
  fail_unless (g_file_set_contents (path,
          "{\"iceServers\": [{\"urls\": \"turn:127.0.0.1:3478\"}]}", -1,
          NULL));
  uri = g_filename_to_uri (path, NULL, NULL);
  rtc_ice_source_set_location (f.source, uri, 1);
  rtc_ice_source_set_turn_rest (f.source, "north", "cam1", 3600);
  rtc_ice_source_start (f.source);

  fail_unless (wait_for (&f.configs->len, 1, 5));
  config = g_ptr_array_index (f.configs, 0);
  server = g_ptr_array_index (config->servers, 0);
  fail_unless (server->generated);
  fail_unless (g_str_has_suffix (server->username, ":cam1"), "%s",
      server->username);
  fail_unless (config->expiry >= now + 3600 && config->expiry <= now + 3602);
  expected = rtc_ice_turn_rest_password ("north", server->username);
  fail_unless_equals_string (server->credential, expected);
  g_free (expected);

  /* the refresh reads the file again */
  fail_unless (g_file_set_contents (path, "[{\"urls\": \"stun:127.0.0.1\"}]",
          -1, NULL));
  fail_unless (wait_for (&f.configs->len, 2, 5));
  config = g_ptr_array_index (f.configs, 1);
  server = g_ptr_array_index (config->servers, 0);
  fail_unless_equals_string (((RtcIceUrl *)
          g_ptr_array_index (server->urls, 0))->url, "stun:127.0.0.1");
  fail_unless_equals_int (f.errors->len, 0);

  g_unlink (path);
  g_free (uri);
  g_free (path);
}

GST_END_TEST;

GST_START_TEST (test_icesource_resolves_host_names_and_names_the_others)
{
  RtcIceConfig *servers = rtc_ice_config_parse ("[{\"urls\": "
      "[\"stun:localhost:3479\", \"stun:no-such-host.invalid\", "
      "\"stun:192.0.2.1\"]}]", -1, NULL);
  RtcIceConfig *config;
  GError *w;

  rtc_ice_source_set_servers (f.source, servers);
  rtc_ice_config_free (servers);
  rtc_ice_source_start (f.source);

  fail_unless (wait_for (&f.configs->len, 1, 15));
  config = g_ptr_array_index (f.configs, 0);
  fail_unless_equals_string (address_of (config, "stun:localhost:3479"),
      "127.0.0.1");
  fail_unless (address_of (config, "stun:no-such-host.invalid") == NULL);
  fail_unless (address_of (config, "stun:192.0.2.1") == NULL);

  fail_unless_equals_int (f.warnings->len, 1);
  w = g_ptr_array_index (f.warnings, 0);
  fail_unless (g_error_matches (w, RTC_ICE_SOURCE_ERROR,
          RTC_ICE_SOURCE_ERROR_UNRESOLVED));
  fail_unless_equals_string (w->message, "no-such-host.invalid");

  /* new servers while running are resolved too */
  servers = rtc_ice_config_parse ("[{\"urls\": \"stun:LOCALHOST\"}]", -1,
      NULL);
  rtc_ice_source_set_servers (f.source, servers);
  rtc_ice_config_free (servers);
  fail_unless (wait_for (&f.configs->len, 2, 15));
  config = g_ptr_array_index (f.configs, 1);
  fail_unless_equals_string (address_of (config, "stun:LOCALHOST"),
      "127.0.0.1");
}

GST_END_TEST;

GST_START_TEST (test_icesource_servers_without_credentials_are_rejected_live)
{
  RtcIceConfig *servers = rtc_ice_config_parse ("[{\"urls\": "
      "\"stun:192.0.2.1\"}]", -1, NULL);
  GError *w;

  rtc_ice_source_set_servers (f.source, servers);
  rtc_ice_config_free (servers);
  rtc_ice_source_start (f.source);
  fail_unless (wait_for (&f.configs->len, 1, 5));

  servers = rtc_ice_config_parse ("[{\"urls\": \"turn:192.0.2.2\"}]", -1,
      NULL);
  rtc_ice_source_set_servers (f.source, servers);
  rtc_ice_config_free (servers);
  fail_unless (wait_for (&f.warnings->len, 1, 5));
  w = g_ptr_array_index (f.warnings, 0);
  fail_unless (g_error_matches (w, RTC_ICE_SOURCE_ERROR,
          RTC_ICE_SOURCE_ERROR_REJECTED));
  fail_unless (strstr (w->message, "no TURN secret") != NULL, "%s",
      w->message);
  fail_unless_equals_int (f.configs->len, 1);
}

GST_END_TEST;

static Suite *
icesource_suite (void)
{
  Suite *s = suite_create ("icesource");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_icesource_http_location_refreshes_every_interval);
  tcase_add_test (tc,
      test_icesource_failed_refresh_backs_off_and_keeps_last_config);
  tcase_add_test (tc, test_icesource_silent_server_times_out);
  tcase_add_test (tc, test_icesource_stop_cancels_a_fetch_at_once_silently);
  tcase_add_test (tc, test_icesource_file_location_with_turn_rest_credentials);
  tcase_add_test (tc,
      test_icesource_resolves_host_names_and_names_the_others);
  tcase_add_test (tc,
      test_icesource_servers_without_credentials_are_rejected_live);

  return s;
}

GST_CHECK_MAIN (icesource);
