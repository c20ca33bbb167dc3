/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "rtciceconfig.h"
#include "rtcprotocol.h"

GST_DEBUG_CATEGORY_STATIC (rtc_ice_config_debug);
#define GST_CAT_DEFAULT rtc_ice_config_debug

/* What rtc_ice_config_to_json() writes instead of a credential. */
#define REDACTED "<redacted>"

static void
ensure_debug_category (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (rtc_ice_config_debug, "rtciceconfig", 0,
        "gst-meshrtc ICE-server model");
    g_once_init_leave (&done, 1);
  }
}

G_DEFINE_QUARK (rtc - ice - config - error - quark, rtc_ice_config_error);

GType
rtc_ice_transport_policy_get_type (void)
{
  static gsize id = 0;
  static const GEnumValue values[] = {
    {RTC_ICE_TRANSPORT_POLICY_ALL, "Use every candidate type", "all"},
    {RTC_ICE_TRANSPORT_POLICY_RELAY, "Use TURN relays only", "relay"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&id)) {
    GType tmp = g_enum_register_static ("RtcIceTransportPolicy", values);
    g_once_init_leave (&id, tmp);
  }

  return (GType) id;
}

const gchar *
rtc_ice_transport_policy_to_string (RtcIceTransportPolicy policy)
{
  return policy == RTC_ICE_TRANSPORT_POLICY_RELAY ? "relay" : "all";
}

gboolean
rtc_ice_transport_policy_from_string (const gchar * str,
    RtcIceTransportPolicy * policy)
{
  if (g_strcmp0 (str, "all") == 0)
    *policy = RTC_ICE_TRANSPORT_POLICY_ALL;
  else if (g_strcmp0 (str, "relay") == 0)
    *policy = RTC_ICE_TRANSPORT_POLICY_RELAY;
  else
    return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Servers and configurations                                               */

static RtcIceServer *
rtc_ice_server_new (const gchar * path)
{
  RtcIceServer *server = g_new0 (RtcIceServer, 1);

  server->path = g_strdup (path);
  server->urls = g_ptr_array_new_with_free_func ((GDestroyNotify)
      rtc_ice_url_free);

  return server;
}

static RtcIceServer *
rtc_ice_server_copy (const RtcIceServer * server)
{
  RtcIceServer *copy = rtc_ice_server_new (server->path);
  guint i;

  for (i = 0; i < server->urls->len; i++)
    g_ptr_array_add (copy->urls,
        rtc_ice_url_copy (g_ptr_array_index (server->urls, i)));
  copy->username = g_strdup (server->username);
  copy->credential = g_strdup (server->credential);
  copy->generated = server->generated;

  return copy;
}

void
rtc_ice_server_free (RtcIceServer * server)
{
  if (!server)
    return;
  g_free (server->path);
  g_ptr_array_unref (server->urls);
  g_free (server->username);
  rtc_ice_secret_free (server->credential);
  g_free (server);
}

gboolean
rtc_ice_server_has_turn (const RtcIceServer * server)
{
  guint i;

  for (i = 0; i < server->urls->len; i++) {
    if (rtc_ice_url_is_turn (g_ptr_array_index (server->urls, i)))
      return TRUE;
  }
  return FALSE;
}

RtcIceConfig *
rtc_ice_config_new (void)
{
  RtcIceConfig *config = g_new0 (RtcIceConfig, 1);

  ensure_debug_category ();
  config->servers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      rtc_ice_server_free);

  return config;
}

RtcIceConfig *
rtc_ice_config_copy (const RtcIceConfig * config)
{
  RtcIceConfig *copy = rtc_ice_config_new ();

  rtc_ice_config_append (copy, config);
  copy->ttl = config->ttl;
  copy->expiry = config->expiry;

  return copy;
}

void
rtc_ice_config_free (RtcIceConfig * config)
{
  if (!config)
    return;
  g_ptr_array_unref (config->servers);
  g_free (config);
}

G_DEFINE_BOXED_TYPE (RtcIceConfig, rtc_ice_config, rtc_ice_config_copy,
    rtc_ice_config_free);

static guint
min_nonzero (guint64 a, guint64 b)
{
  if (a == 0)
    return b;
  if (b == 0)
    return a;
  return MIN (a, b);
}

void
rtc_ice_config_append (RtcIceConfig * dest, const RtcIceConfig * src)
{
  guint i;

  for (i = 0; i < src->servers->len; i++)
    g_ptr_array_add (dest->servers,
        rtc_ice_server_copy (g_ptr_array_index (src->servers, i)));
  dest->ttl = min_nonzero (dest->ttl, src->ttl);
  if (dest->expiry == 0 || (src->expiry != 0 && src->expiry < dest->expiry))
    dest->expiry = src->expiry;
}

gboolean
rtc_ice_config_has_turn (const RtcIceConfig * config)
{
  guint i;

  for (i = 0; i < config->servers->len; i++) {
    if (rtc_ice_server_has_turn (g_ptr_array_index (config->servers, i)))
      return TRUE;
  }
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                     */

static const gchar *
node_type_name (JsonNode * node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  switch (json_node_get_value_type (node)) {
    case G_TYPE_STRING:
      return "a string";
    case G_TYPE_BOOLEAN:
      return "a boolean";
    default:
      return "a number";
  }
}

static gboolean
node_is_string (JsonNode * node)
{
  return JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING;
}

/* An optional string member: absent, null and "" all mean unset. */
static gboolean
get_optional_string (JsonObject * obj, const gchar * member,
    const gchar * path, gchar ** out, GError ** error)
{
  JsonNode *node = json_object_get_member (obj, member);

  *out = NULL;
  if (!node || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!node_is_string (node)) {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "%s%s%s: expected a string, got %s", path, *path ? "." : "", member,
        node_type_name (node));
    return FALSE;
  }
  if (*json_node_get_string (node) != '\0')
    *out = json_node_dup_string (node);
  return TRUE;
}

static gboolean
add_url (RtcIceServer * server, const gchar * url, const gchar * where,
    GError ** error)
{
  GError *err = NULL;
  RtcIceUrl *parsed = rtc_ice_url_parse (url, &err);

  if (!parsed) {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "%s: %s", where, err->message);
    g_error_free (err);
    return FALSE;
  }
  g_ptr_array_add (server->urls, parsed);
  return TRUE;
}

/* A list of URL strings at @where ("iceServers[1].urls", "uris"); a single
 * string is accepted when @allow_string. */
static gboolean
parse_url_list (RtcIceServer * server, JsonNode * node, const gchar * where,
    gboolean allow_string, GError ** error)
{
  JsonArray *array;
  guint i, len;

  if (allow_string && node_is_string (node))
    return add_url (server, json_node_get_string (node), where, error);

  if (!JSON_NODE_HOLDS_ARRAY (node)) {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "%s: expected %s, got %s", where,
        allow_string ? "a string or an array of strings" :
        "an array of strings", node_type_name (node));
    return FALSE;
  }

  array = json_node_get_array (node);
  len = json_array_get_length (array);
  if (len == 0) {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "%s: the list of URLs is empty", where);
    return FALSE;
  }

  for (i = 0; i < len; i++) {
    JsonNode *elem = json_array_get_element (array, i);
    gchar *elem_where = g_strdup_printf ("%s[%u]", where, i);
    gboolean ok;

    if (!node_is_string (elem)) {
      g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
          "%s: expected a string, got %s", elem_where, node_type_name (elem));
      ok = FALSE;
    } else {
      ok = add_url (server, json_node_get_string (elem), elem_where, error);
    }
    g_free (elem_where);
    if (!ok)
      return FALSE;
  }

  return TRUE;
}

/* One RTCIceServer dictionary (W3C webrtc-pc §4.2.4). Unknown members are
 * ignored, as browsers do. */
static RtcIceServer *
parse_ice_server (JsonNode * node, const gchar * path, GError ** error)
{
  RtcIceServer *server;
  JsonObject *obj;
  JsonNode *urls;
  gchar *where, *credential_type = NULL;
  gboolean ok;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "%s: expected an object, got %s", path, node_type_name (node));
    return NULL;
  }
  obj = json_node_get_object (node);

  urls = json_object_get_member (obj, "urls");
  if (!urls || JSON_NODE_HOLDS_NULL (urls)) {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "%s: \"urls\" is missing", path);
    return NULL;
  }

  server = rtc_ice_server_new (path);
  where = g_strdup_printf ("%s.urls", path);
  ok = parse_url_list (server, urls, where, TRUE, error);
  g_free (where);

  if (ok)
    ok = get_optional_string (obj, "username", path, &server->username, error);
  if (ok)
    ok = get_optional_string (obj, "credential", path, &server->credential,
        error);
  if (ok)
    ok = get_optional_string (obj, "credentialType", path, &credential_type,
        error);
  if (ok && credential_type && g_strcmp0 (credential_type, "password") != 0) {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "%s.credentialType: \"%s\" is not supported, only \"password\"",
        path, credential_type);
    ok = FALSE;
  }
  g_free (credential_type);

  if (!ok) {
    rtc_ice_server_free (server);
    return NULL;
  }
  return server;
}

static gboolean
parse_ice_server_array (RtcIceConfig * config, JsonArray * array,
    GError ** error)
{
  guint i, len = json_array_get_length (array);

  for (i = 0; i < len; i++) {
    gchar *path = g_strdup_printf ("iceServers[%u]", i);
    RtcIceServer *server =
        parse_ice_server (json_array_get_element (array, i), path, error);

    g_free (path);
    if (!server)
      return FALSE;
    g_ptr_array_add (config->servers, server);
  }
  return TRUE;
}

/* The TURN REST response (draft-uberti-behave-turn-rest-00 §2.2):
 * {"username": "...", "password": "...", "ttl": 86400, "uris": [...]} */
static gboolean
parse_turn_rest_response (RtcIceConfig * config, JsonObject * obj,
    GError ** error)
{
  RtcIceServer *server = rtc_ice_server_new ("uris");
  JsonNode *ttl;

  if (!parse_url_list (server, json_object_get_member (obj, "uris"), "uris",
          FALSE, error))
    goto fail;
  if (!get_optional_string (obj, "username", "", &server->username, error)
      || !get_optional_string (obj, "password", "", &server->credential, error))
    goto fail;
  if (!server->username || !server->credential) {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "%s: missing in a TURN REST response",
        server->username ? "password" : "username");
    goto fail;
  }

  ttl = json_object_get_member (obj, "ttl");
  if (ttl && !JSON_NODE_HOLDS_NULL (ttl)) {
    gint64 v;

    if (!JSON_NODE_HOLDS_VALUE (ttl)
        || json_node_get_value_type (ttl) != G_TYPE_INT64
        || (v = json_node_get_int (ttl)) < 0 || v > G_MAXUINT32) {
      g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
          "ttl: expected a whole number of seconds (0 to %u)", G_MAXUINT32);
      goto fail;
    }
    config->ttl = (guint) v;
  }

  g_ptr_array_add (config->servers, server);
  return TRUE;

fail:
  rtc_ice_server_free (server);
  return FALSE;
}

/**
 * rtc_ice_config_parse:
 * @json: the text
 * @length: its length, or -1 if NUL-terminated
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the configuration
 */
RtcIceConfig *
rtc_ice_config_parse (const gchar * json, gssize length, GError ** error)
{
  JsonNode *root;
  RtcIceConfig *config;
  GError *err = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (json != NULL, NULL);

  ensure_debug_category ();

  /* comes from properties, files and the network (location): the safe
   * parser bounds json-glib's recursion */
  root = rtc_json_parse (json, length, RTC_JSON_MAX_DEPTH, &err);
  if (!root) {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_SYNTAX,
        "not valid JSON: %s", err->message);
    g_error_free (err);
    return NULL;
  }

  config = rtc_ice_config_new ();

  if (root && JSON_NODE_HOLDS_ARRAY (root)) {
    ok = parse_ice_server_array (config, json_node_get_array (root), error);
  } else if (root && JSON_NODE_HOLDS_OBJECT (root)) {
    JsonObject *obj = json_node_get_object (root);
    JsonNode *member;

    if ((member = json_object_get_member (obj, "iceServers"))) {
      if (!JSON_NODE_HOLDS_ARRAY (member)) {
        g_set_error (error, RTC_ICE_CONFIG_ERROR,
            RTC_ICE_CONFIG_ERROR_INVALID,
            "iceServers: expected an array, got %s", node_type_name (member));
      } else {
        ok = parse_ice_server_array (config, json_node_get_array (member),
            error);
      }
    } else if (json_object_has_member (obj, "urls")) {
      RtcIceServer *server = parse_ice_server (root, "iceServer", error);

      if (server) {
        g_ptr_array_add (config->servers, server);
        ok = TRUE;
      }
    } else if (json_object_has_member (obj, "uris")) {
      ok = parse_turn_rest_response (config, obj, error);
    } else {
      g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
          "top level: an object needs \"iceServers\" (a list), \"urls\" "
          "(one RTCIceServer) or \"uris\" (a TURN REST response)");
    }
  } else {
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
        "top level: expected an array or an object, got %s",
        root ? node_type_name (root) : "nothing");
  }

  json_node_unref (root);

  if (ok) {
    guint i, urls = 0;

    for (i = 0; i < config->servers->len; i++)
      urls += ((RtcIceServer *) g_ptr_array_index (config->servers,
              i))->urls->len;
    if (urls > RTC_ICE_CONFIG_MAX_URLS) {
      g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
          "%u STUN/TURN URLs: at most %u are taken", urls,
          RTC_ICE_CONFIG_MAX_URLS);
      ok = FALSE;
    }
  }
  if (!ok) {
    rtc_ice_config_free (config);
    return NULL;
  }

  GST_DEBUG ("parsed %u ICE server entries (ttl %u s)", config->servers->len,
      config->ttl);
  return config;
}

/**
 * rtc_ice_config_to_json:
 * @config: the configuration
 * @redact: replace credentials by "<redacted>"
 *
 * Returns: (transfer full): a compact browser-form JSON array
 */
gchar *
rtc_ice_config_to_json (const RtcIceConfig * config, gboolean redact)
{
  JsonBuilder *builder = json_builder_new ();
  JsonGenerator *gen;
  JsonNode *root;
  gchar *res;
  guint i, j;

  json_builder_begin_array (builder);
  for (i = 0; i < config->servers->len; i++) {
    RtcIceServer *server = g_ptr_array_index (config->servers, i);

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "urls");
    json_builder_begin_array (builder);
    for (j = 0; j < server->urls->len; j++) {
      RtcIceUrl *url = g_ptr_array_index (server->urls, j);
      json_builder_add_string_value (builder, url->url);
    }
    json_builder_end_array (builder);
    if (server->username) {
      json_builder_set_member_name (builder, "username");
      json_builder_add_string_value (builder, server->username);
    }
    if (server->credential) {
      json_builder_set_member_name (builder, "credential");
      json_builder_add_string_value (builder,
          redact ? REDACTED : server->credential);
    }
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  gen = json_generator_new ();
  json_generator_set_root (gen, root);
  res = json_generator_to_data (gen, NULL);

  json_node_unref (root);
  g_object_unref (gen);
  g_object_unref (builder);

  return res;
}

/* ------------------------------------------------------------------------ */
/* TURN REST credentials                                                    */

void
rtc_ice_secret_free (gchar * secret)
{
  if (secret)
    memset (secret, 0, strlen (secret));
  g_free (secret);
}

gchar *
rtc_ice_turn_rest_username (gint64 expiry, const gchar * user)
{
  /* coturn's default --rest-api-separator is ':' */
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%s", expiry, user);
}

gchar *
rtc_ice_turn_rest_password (const gchar * secret, const gchar * username)
{
  GHmac *hmac;
  guint8 digest[20];
  gsize digest_len = sizeof (digest);
  gchar *res;

  g_return_val_if_fail (secret != NULL && username != NULL, NULL);

  hmac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *) secret, strlen (secret));
  g_hmac_update (hmac, (const guchar *) username, -1);
  g_hmac_get_digest (hmac, digest, &digest_len);
  g_hmac_unref (hmac);

  res = g_base64_encode (digest, digest_len);
  memset (digest, 0, sizeof (digest));
  return res;
}

RtcIceConfig *
rtc_ice_config_resolve_credentials (const RtcIceConfig * config,
    const gchar * secret, const gchar * turn_user, guint ttl, gint64 now,
    GError ** error)
{
  RtcIceConfig *res = rtc_ice_config_copy (config);
  gint64 expiry = now + ttl;
  gboolean generated = FALSE;
  guint i;

  if (!turn_user || !*turn_user)
    turn_user = "gst-meshrtc";

  for (i = 0; i < res->servers->len; i++) {
    RtcIceServer *server = g_ptr_array_index (res->servers, i);
    const gchar *user;
    gchar *username;

    if (!rtc_ice_server_has_turn (server))
      continue;
    if (server->username && server->credential && !server->generated)
      continue;

    if (!secret) {
      RtcIceUrl *url = g_ptr_array_index (server->urls, 0);

      g_set_error (error, RTC_ICE_CONFIG_ERROR,
          RTC_ICE_CONFIG_ERROR_NO_CREDENTIALS,
          "%s: TURN server \"%s\" has no %s, and no TURN secret is set",
          server->path, url->url, server->username ? "credential" :
          server->credential ? "username" : "username and credential");
      rtc_ice_config_free (res);
      return NULL;
    }

    /* a generated username carries its own user after the expiry */
    if (server->generated && server->username
        && (user = strchr (server->username, ':')))
      user = user + 1;
    else
      user = server->username ? server->username : turn_user;

    username = rtc_ice_turn_rest_username (expiry, user);
    g_free (server->credential);
    server->credential = rtc_ice_turn_rest_password (secret, username);
    g_free (server->username);
    server->username = username;
    server->generated = TRUE;
    generated = TRUE;
  }

  if (generated)
    res->expiry = expiry;

  return res;
}

/* ------------------------------------------------------------------------ */
/* Expiry maths                                                             */

gint64
rtc_ice_config_renewal_time (gint64 expiry, guint ttl)
{
  return expiry - (gint64) ttl / 5;
}

gboolean
rtc_ice_config_needs_renewal (const RtcIceConfig * config, guint ttl,
    gint64 now)
{
  return config->expiry != 0
      && now >= rtc_ice_config_renewal_time (config->expiry, ttl);
}

guint
rtc_ice_config_refresh_delay (guint ttl, guint refresh_interval)
{
  if (refresh_interval > 0)
    return refresh_interval;
  if (ttl > 0)
    return MAX (1, (guint) ((guint64) ttl * 4 / 5));
  return 0;
}

guint
rtc_ice_config_retry_delay (guint failures)
{
  if (failures <= 1)
    return 1;
  if (failures > 7)
    return RTC_ICE_CONFIG_MAX_RETRY_DELAY;
  return MIN (1u << (failures - 1), RTC_ICE_CONFIG_MAX_RETRY_DELAY);
}

/* ------------------------------------------------------------------------ */
/* WHIP/WHEP Link headers                                                   */

/* TRUE if the space-separated relation types @rel (RFC 8288 section 3.3)
 * hold "ice-server". */
static gboolean
rel_is_ice_server (const gchar * rel)
{
  g_auto (GStrv) types = g_strsplit_set (rel ? rel : "", " \t", -1);
  guint i;

  for (i = 0; types[i]; i++)
    if (g_ascii_strcasecmp (types[i], "ice-server") == 0)
      return TRUE;
  return FALSE;
}

RtcIceConfig *
rtc_ice_config_parse_link (const gchar * links, GStrv * ignored)
{
  RtcIceConfig *config = rtc_ice_config_new ();
  GPtrArray *skipped = g_ptr_array_new ();
  GSList *list = links ? soup_header_parse_list (links) : NULL, *l;
  guint n = 0, n_urls = 0;

  for (l = list; l; l = l->next, n++) {
    const gchar *item = l->data, *end;
    g_autofree gchar *url = NULL, *path = NULL;
    GHashTable *params;
    const gchar *type;
    RtcIceServer *server;
    GError *err = NULL;

    while (g_ascii_isspace (*item))
      item++;
    end = *item == '<' ? strchr (item, '>') : NULL;
    if (!end)
      continue;                 /* not a link: nothing of ours */
    url = g_strndup (item + 1, end - item - 1);
    end++;
    while (*end == ';' || g_ascii_isspace (*end))
      end++;
    params = soup_header_parse_semi_param_list (end);
    if (!rel_is_ice_server (g_hash_table_lookup (params, "rel"))) {
      soup_header_free_param_list (params);
      continue;
    }
    path = g_strdup_printf ("Link[%u]", n);
    type = g_hash_table_lookup (params, "credential-type");
    if (type && g_ascii_strcasecmp (type, "password") != 0) {
      g_ptr_array_add (skipped, g_strdup_printf ("%s: credential-type "
              "\"%s\" (only \"password\")", path, type));
    } else if (++n_urls > RTC_ICE_CONFIG_MAX_URLS) {
      g_ptr_array_add (skipped, g_strdup_printf ("%s: more than %d ICE "
              "server URLs", path, RTC_ICE_CONFIG_MAX_URLS));
    } else {
      server = rtc_ice_server_new (path);
      if (add_url (server, url, path, &err)) {
        server->username = g_strdup (g_hash_table_lookup (params, "username"));
        server->credential = g_strdup (g_hash_table_lookup (params,
                "credential"));
        g_ptr_array_add (config->servers, server);
      } else {
        g_ptr_array_add (skipped, g_strdup (err->message));
        g_error_free (err);
        rtc_ice_server_free (server);
      }
    }
    soup_header_free_param_list (params);
  }
  soup_header_free_list (list);
  g_ptr_array_add (skipped, NULL);
  if (ignored)
    *ignored = (GStrv) g_ptr_array_free (skipped, FALSE);
  else
    g_strfreev ((GStrv) g_ptr_array_free (skipped, FALSE));
  return config;
}

/* ------------------------------------------------------------------------ */
/* webrtcbin                                                                */

void
rtc_ice_config_to_webrtcbin (const RtcIceConfig * config, gchar ** stun_server,
    GStrv * turn_servers, GStrv * ignored)
{
  GPtrArray *turn = g_ptr_array_new ();
  GPtrArray *skipped = g_ptr_array_new ();
  gchar *stun = NULL;
  guint i, j;

  for (i = 0; i < config->servers->len; i++) {
    RtcIceServer *server = g_ptr_array_index (config->servers, i);

    for (j = 0; j < server->urls->len; j++) {
      RtcIceUrl *url = g_ptr_array_index (server->urls, j);

      switch (url->scheme) {
        case RTC_ICE_SCHEME_STUN:
          /* webrtcbin takes exactly one STUN server */
          if (stun)
            g_ptr_array_add (skipped, g_strdup_printf ("%s (webrtcbin takes "
                    "one STUN server)", url->url));
          else
            stun = rtc_ice_url_to_webrtcbin (url, NULL, NULL);
          break;
        case RTC_ICE_SCHEME_STUNS:
          g_ptr_array_add (skipped, g_strdup_printf ("%s (webrtcbin has no "
                  "STUN over TLS)", url->url));
          break;
        case RTC_ICE_SCHEME_TURN:
        case RTC_ICE_SCHEME_TURNS:
          g_ptr_array_add (turn, rtc_ice_url_to_webrtcbin (url,
                  server->username, server->credential));
          break;
      }
    }
  }
  g_ptr_array_add (turn, NULL);
  g_ptr_array_add (skipped, NULL);

  if (stun_server)
    *stun_server = stun;
  else
    g_free (stun);
  if (turn_servers)
    *turn_servers = (GStrv) g_ptr_array_free (turn, FALSE);
  else
    g_strfreev ((GStrv) g_ptr_array_free (turn, FALSE));
  if (ignored)
    *ignored = (GStrv) g_ptr_array_free (skipped, FALSE);
  else
    g_strfreev ((GStrv) g_ptr_array_free (skipped, FALSE));
}

GStrv
rtc_ice_config_get_unresolved_hosts (const RtcIceConfig * config)
{
  GPtrArray *hosts = g_ptr_array_new ();
  /* names already listed: a set, so a document with thousands of names
   * costs linear time (a list search made it quadratic: 8000 names took
   * 2.8 s, found by fuzz-iceconfig) */
  GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint i, j;

  for (i = 0; i < config->servers->len; i++) {
    RtcIceServer *server = g_ptr_array_index (config->servers, i);

    for (j = 0; j < server->urls->len; j++) {
      RtcIceUrl *url = g_ptr_array_index (server->urls, j);
      gchar *host;

      if (url->address || g_hostname_is_ip_address (url->host)
          || g_hash_table_contains (seen, url->host))
        continue;
      host = g_strdup (url->host);
      g_hash_table_add (seen, host);
      g_ptr_array_add (hosts, host);
    }
  }
  g_hash_table_unref (seen);
  g_ptr_array_add (hosts, NULL);

  return (GStrv) g_ptr_array_free (hosts, FALSE);
}

gchar *
rtc_ice_address_choose (GList * addresses)
{
  GList *l;

  for (l = addresses; l; l = l->next)
    if (g_inet_address_get_family (l->data) == G_SOCKET_FAMILY_IPV4)
      return g_inet_address_to_string (l->data);
  return addresses ? g_inet_address_to_string (addresses->data) : NULL;
}

void
rtc_ice_config_set_addresses (RtcIceConfig * config, GHashTable * addresses)
{
  guint i, j;

  for (i = 0; i < config->servers->len; i++) {
    RtcIceServer *server = g_ptr_array_index (config->servers, i);

    for (j = 0; j < server->urls->len; j++) {
      RtcIceUrl *url = g_ptr_array_index (server->urls, j);
      const gchar *address = g_hash_table_lookup (addresses, url->host);

      if (address) {
        g_free (url->address);
        url->address = g_strdup (address);
      }
    }
  }
}

gchar *
rtc_ice_config_describe_turn (const RtcIceConfig * config)
{
  GString *s = g_string_new (NULL);
  guint i, j;

  for (i = 0; i < config->servers->len; i++) {
    RtcIceServer *server = g_ptr_array_index (config->servers, i);

    for (j = 0; j < server->urls->len; j++) {
      RtcIceUrl *url = g_ptr_array_index (server->urls, j);

      if (!rtc_ice_url_is_turn (url))
        continue;
      if (s->len)
        g_string_append (s, ", ");
      g_string_append (s, url->url);
    }
  }

  return g_string_free (s, FALSE);
}
