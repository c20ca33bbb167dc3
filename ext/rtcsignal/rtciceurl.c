/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * STUN and TURN URLs of the ICE-server model (rtciceconfig.h): parsing,
 * with GLib's GUri for the generic syntax, and writing them in the form
 * webrtcbin takes.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "rtciceconfig.h"

/* ------------------------------------------------------------------------ */
/* URLs (RFC 7064 §3.1, RFC 7065 §3)                                        */

static const gchar *
scheme_to_string (RtcIceScheme scheme)
{
  switch (scheme) {
    case RTC_ICE_SCHEME_STUN:
      return "stun";
    case RTC_ICE_SCHEME_STUNS:
      return "stuns";
    case RTC_ICE_SCHEME_TURN:
      return "turn";
    case RTC_ICE_SCHEME_TURNS:
      return "turns";
  }
  return NULL;
}

static gboolean
parse_transport_query (const gchar * query, RtcIceUrlTransport * transport,
    GError ** error)
{
  GHashTable *params;
  GHashTableIter iter;
  gpointer key, value;
  GError *err = NULL;
  gboolean ret = TRUE;

  *transport = RTC_ICE_URL_TRANSPORT_ANY;

  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, &err);
  if (!params) {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "invalid query: %s", err->message);
    g_error_free (err);
    return FALSE;
  }

  g_hash_table_iter_init (&iter, params);
  while (ret && g_hash_table_iter_next (&iter, &key, &value)) {
    if (g_strcmp0 (key, "transport") != 0) {
      g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
          "unknown query parameter \"%s\": only \"transport\" is allowed",
          (const gchar *) key);
      ret = FALSE;
    } else if (g_strcmp0 (value, "udp") == 0) {
      *transport = RTC_ICE_URL_TRANSPORT_UDP;
    } else if (g_strcmp0 (value, "tcp") == 0) {
      *transport = RTC_ICE_URL_TRANSPORT_TCP;
    } else {
      g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
          "unknown transport \"%s\": expected udp or tcp",
          (const gchar *) value);
      ret = FALSE;
    }
  }
  g_hash_table_unref (params);

  return ret;
}

/**
 * rtc_ice_url_parse:
 * @url: a browser-form ICE URL such as "turn:example.org:3478?transport=tcp"
 * @error: return location for a #GError
 *
 * The ICE URLs are opaque URIs (RFC 7064 §3.1, RFC 7065 §3): `scheme:host`
 * then an optional `:port`, no `//`, no `user@`, and for TURN only the query
 * `transport=udp|tcp`. GUri does the URI syntax; the host part is read by
 * GUri again as an authority so that IPv6 literals and ports are handled
 * the standard way.
 *
 * Returns: (transfer full) (nullable): the URL, or %NULL with @error set
 */
RtcIceUrl *
rtc_ice_url_parse (const gchar * url, GError ** error)
{
  GUri *uri = NULL, *authority = NULL;
  RtcIceUrl *res = NULL;
  const gchar *scheme_str, *path, *query;
  RtcIceScheme scheme;
  RtcIceUrlTransport transport = RTC_ICE_URL_TRANSPORT_ANY;
  gchar *tmp;
  gint port;
  GError *err = NULL;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, &err);
  if (!uri) {
    /* GLib's message quotes the URL, which could hold a password */
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "not a valid URL%s%s", strchr (url, '@') ? "" : ": ",
        strchr (url, '@') ? "" : err->message);
    g_error_free (err);
    return NULL;
  }

  scheme_str = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme_str, "stun") == 0) {
    scheme = RTC_ICE_SCHEME_STUN;
  } else if (g_ascii_strcasecmp (scheme_str, "stuns") == 0) {
    scheme = RTC_ICE_SCHEME_STUNS;
  } else if (g_ascii_strcasecmp (scheme_str, "turn") == 0) {
    scheme = RTC_ICE_SCHEME_TURN;
  } else if (g_ascii_strcasecmp (scheme_str, "turns") == 0) {
    scheme = RTC_ICE_SCHEME_TURNS;
  } else {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "unknown scheme \"%s\" (expected stun, stuns, turn or turns)",
        scheme_str);
    goto out;
  }

  if (g_uri_get_host (uri) != NULL) {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "\"//\" is not allowed: write \"%s:host:port\"",
        scheme_to_string (scheme));
    goto out;
  }

  if (g_uri_get_fragment (uri) != NULL) {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "a fragment (\"#\") is not allowed");
    goto out;
  }

  path = g_uri_get_path (uri);
  if (strchr (path, '@')) {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "\"user@\" is not allowed in the URL: use \"username\" and "
        "\"credential\"");
    goto out;
  }
  if (strchr (path, '/')) {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "a path (\"/\") is not allowed");
    goto out;
  }
  if (*path == '\0') {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "no host");
    goto out;
  }

  query = g_uri_get_query (uri);
  if (query != NULL && *query != '\0') {
    if (scheme == RTC_ICE_SCHEME_STUN || scheme == RTC_ICE_SCHEME_STUNS) {
      g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
          "a query is only allowed on turn: and turns: URLs");
      goto out;
    }
    if (!parse_transport_query (query, &transport, error))
      goto out;
  }

  /* "host:port" is an RFC 3986 authority without userinfo */
  tmp = g_strconcat ("x-ice://", path, NULL);
  authority = g_uri_parse (tmp, G_URI_FLAGS_NONE, NULL);
  g_free (tmp);
  if (!authority || g_uri_get_host (authority) == NULL
      || *g_uri_get_host (authority) == '\0') {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "invalid host or port \"%s\"", path);
    goto out;
  }
  port = g_uri_get_port (authority);
  if (port == 0) {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "invalid port 0");
    goto out;
  }
  if (port < 0)
    port = (scheme == RTC_ICE_SCHEME_STUNS || scheme == RTC_ICE_SCHEME_TURNS) ?
        RTC_ICE_CONFIG_DEFAULT_TLS_PORT : RTC_ICE_CONFIG_DEFAULT_PORT;

  res = g_new0 (RtcIceUrl, 1);
  res->url = g_strdup (url);
  res->scheme = scheme;
  /* DNS names are case-insensitive: one spelling for caches and messages */
  res->host = g_ascii_strdown (g_uri_get_host (authority), -1);
  res->port = port;
  res->transport = transport;

out:
  if (authority)
    g_uri_unref (authority);
  g_uri_unref (uri);
  return res;
}

RtcIceUrl *
rtc_ice_url_copy (const RtcIceUrl * url)
{
  RtcIceUrl *copy = g_new0 (RtcIceUrl, 1);

  copy->url = g_strdup (url->url);
  copy->scheme = url->scheme;
  copy->host = g_strdup (url->host);
  copy->port = url->port;
  copy->transport = url->transport;
  copy->address = g_strdup (url->address);

  return copy;
}

void
rtc_ice_url_free (RtcIceUrl * url)
{
  if (!url)
    return;
  g_free (url->url);
  g_free (url->host);
  g_free (url->address);
  g_free (url);
}

gboolean
rtc_ice_url_is_turn (const RtcIceUrl * url)
{
  return url->scheme == RTC_ICE_SCHEME_TURN
      || url->scheme == RTC_ICE_SCHEME_TURNS;
}

/**
 * rtc_ice_url_to_webrtcbin:
 * @url: the URL
 * @username: (nullable): TURN username
 * @credential: (nullable): TURN password
 *
 * webrtcbin splits the userinfo of a TURN URI at the first ':' and then
 * unescapes both halves, so a TURN REST username ("expiry:user") must be
 * escaped or coturn sees the wrong name and answers 401. Everything but
 * RFC 3986 unreserved characters is escaped.
 *
 * Returns: (transfer full) (nullable): webrtcbin's URI, %NULL for `stuns:`
 */
gchar *
rtc_ice_url_to_webrtcbin (const RtcIceUrl * url, const gchar * username,
    const gchar * credential)
{
  gchar *user_esc, *pass_esc, *userinfo, *res;
  const gchar *query = NULL;
  const gchar *host = url->address ? url->address : url->host;

  switch (url->scheme) {
    case RTC_ICE_SCHEME_STUNS:
      return NULL;
    case RTC_ICE_SCHEME_STUN:
      return g_uri_join (G_URI_FLAGS_NONE, "stun", NULL, host, url->port,
          "", NULL, NULL);
    case RTC_ICE_SCHEME_TURN:
    case RTC_ICE_SCHEME_TURNS:
      break;
  }

  user_esc = g_uri_escape_string (username ? username : "", NULL, FALSE);
  pass_esc = g_uri_escape_string (credential ? credential : "", NULL, FALSE);
  userinfo = g_strconcat (user_esc, ":", pass_esc, NULL);
  if (url->transport == RTC_ICE_URL_TRANSPORT_UDP)
    query = "transport=udp";
  else if (url->transport == RTC_ICE_URL_TRANSPORT_TCP)
    query = "transport=tcp";

  res = g_uri_join (G_URI_FLAGS_ENCODED, scheme_to_string (url->scheme),
      userinfo, host, url->port, "", query, NULL);

  g_free (user_esc);
  g_free (pass_esc);
  g_free (userinfo);

  return res;
}
