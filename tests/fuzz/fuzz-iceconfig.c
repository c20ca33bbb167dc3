/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/*
 * libFuzzer harness for the ICE-server model: one input is one ICE
 * configuration as users and services hand it out (the `ice-servers`
 * property, a `location` document, TURN REST responses). What parses goes
 * through everything the element does with it before webrtcbin: TURN REST
 * credentials, the browser form (which must parse again), webrtcbin's form,
 * host listing and copies.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtciceconfig.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

/* No gst_init(): it registers so many quarks that GLib grows its quark
 * table, and GLib leaks the old block by design (glib/gquark.c), which
 * LeakSanitizer would report at the first check. Nothing here needs it.
 * libFuzzer counts what the first input allocates once (types) as a
 * leak: run typical inputs before fuzzing starts */
static const gchar *const warm_up[] = {
  "[{\"urls\":[\"stun:stun.example.org\",\"turn:192.0.2.1?transport=tcp\"],"
      "\"username\":\"u\",\"credential\":\"p\"},{\"urls\":\"turns:a\"}]",
  "{\"username\":\"1:u\",\"password\":\"p\",\"ttl\":60,"
      "\"uris\":[\"turn:a\"]}",
  "[{\"urls\":\"http://a\"}]",
  "[",
};

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (warm_up); i++)
    LLVMFuzzerTestOneInput ((const uint8_t *) warm_up[i],
        strlen (warm_up[i]));
  return 0;
}

/* the fixed clock of these checks: 2026-01-01T00:00:00Z */
#define FUZZ_NOW G_GINT64_CONSTANT (1767225600)

static void
exercise (const RtcIceConfig * config)
{
  g_autofree gchar *stun = NULL;
  g_autofree gchar *turn_list = NULL;
  g_auto (GStrv) turn = NULL;
  g_auto (GStrv) ignored = NULL;
  g_auto (GStrv) hosts = NULL;
  g_autoptr (RtcIceConfig) copy = NULL;
  guint i, j;

  rtc_ice_config_to_webrtcbin (config, &stun, &turn, &ignored);
  hosts = rtc_ice_config_get_unresolved_hosts (config);
  if (!hosts)
    abort ();
  turn_list = rtc_ice_config_describe_turn (config);
  (void) rtc_ice_config_has_turn (config);
  (void) rtc_ice_config_needs_renewal (config, 600, FUZZ_NOW);

  copy = rtc_ice_config_copy (config);
  if (hosts[0]) {
    g_autoptr (GHashTable) addresses =
        g_hash_table_new (g_str_hash, g_str_equal);

    g_hash_table_insert (addresses, hosts[0], (gpointer) "192.0.2.1");
    rtc_ice_config_set_addresses (copy, addresses);
  }
  for (i = 0; i < copy->servers->len; i++) {
    RtcIceServer *server = g_ptr_array_index (copy->servers, i);

    for (j = 0; j < server->urls->len; j++) {
      RtcIceUrl *url = g_ptr_array_index (server->urls, j);
      g_autofree gchar *form = rtc_ice_url_to_webrtcbin (url,
          server->username, server->credential);
      g_autoptr (GError) error = NULL;
      RtcIceUrl *again = rtc_ice_url_parse (url->url, &error);

      /* a URL that validated once validates again */
      if (!again)
        abort ();
      rtc_ice_url_free (again);
    }
  }
  rtc_ice_config_append (copy, config);
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) error2 = NULL;
  g_autoptr (RtcIceConfig) config = NULL;
  g_autoptr (RtcIceConfig) resolved = NULL;
  g_autoptr (RtcIceConfig) again = NULL;
  g_autofree gchar *redacted = NULL;
  g_autofree gchar *browser = NULL;

  config = rtc_ice_config_parse ((const gchar *) data, (gssize) size, &error);
  if (!config) {
    if (!error || error->domain != RTC_ICE_CONFIG_ERROR)
      abort ();
    return 0;
  }
  exercise (config);
  redacted = rtc_ice_config_to_json (config, TRUE);

  resolved = rtc_ice_config_resolve_credentials (config, "fuzz-secret",
      "fuzz", 3600, FUZZ_NOW, &error2);
  if (!resolved)
    abort ();                   /* a secret always resolves */
  exercise (resolved);

  /* the browser form we hand to pages and contexts parses again */
  browser = rtc_ice_config_to_json (resolved, FALSE);
  g_clear_error (&error2);
  again = rtc_ice_config_parse (browser, -1, &error2);
  if (!again) {
    g_printerr ("browser form '%s' does not parse: %s\n", browser,
        error2->message);
    abort ();
  }
  if (again->servers->len != resolved->servers->len)
    abort ();
  return 0;
}
