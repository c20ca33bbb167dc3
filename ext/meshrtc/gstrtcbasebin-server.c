/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GstRtcBaseBin's embedded signalling server ("run-signalling-server"):
 * the WebSocket protocol, the viewer page, WHIP and WHEP on the host and
 * port of "uri", with the element's auth token, allowed origins and TLS
 * certificate, and the ICE servers of the pipeline's rtciceservers. It
 * lives on the element's context thread from READY to NULL. See
 * gstrtcbasebin.c for the element.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <glib/gi18n-lib.h>

#include "gstrtcbasebin-private.h"
#include "gstmeshrtcelements.h"
#include "rtciceconfig.h"
#include "rtcsignallingserver.h"

GST_DEBUG_CATEGORY_EXTERN (meshrtc_debug);
#define GST_CAT_DEFAULT meshrtc_debug

/* "a, b" -> {"a", "b"}; NULL or blank -> NULL (same-origin rule) */
static gchar **
split_origins (const gchar * list)
{
  GPtrArray *origins;
  gchar **parts, **p;

  if (!list)
    return NULL;
  origins = g_ptr_array_new ();
  parts = g_strsplit (list, ",", -1);
  for (p = parts; *p; p++) {
    g_strstrip (*p);
    if (**p)
      g_ptr_array_add (origins, g_strdup (*p));
  }
  g_strfreev (parts);
  if (origins->len == 0) {
    g_ptr_array_free (origins, TRUE);
    return NULL;
  }
  g_ptr_array_add (origins, NULL);
  return (gchar **) g_ptr_array_free (origins, FALSE);
}

/* A wss:// server needs its certificate: loaded (or refused) before the
 * server starts, on the thread changing the state. */
static gboolean
load_tls_certificate (GstRtcBaseBin * self)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  const gchar *uri = priv->uri;
  gchar *cert_file, *key_file;
  GError *error = NULL;
  gboolean ok = TRUE;

  g_clear_object (&priv->tls_certificate);
  if (!uri || g_ascii_strncasecmp (uri, "wss:", 4) != 0)
    return TRUE;

  GST_OBJECT_LOCK (self);
  cert_file = g_strdup (priv->tls_certificate_file);
  key_file = g_strdup (priv->tls_key_file);
  GST_OBJECT_UNLOCK (self);

  if (!cert_file) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        (_("A secure signalling server needs a TLS certificate.")),
        ("uri is %s and run-signalling-server is true, but "
            "tls-certificate-file is not set", uri));
    ok = FALSE;
  } else {
    /* without a key file, the key is in the certificate file */
    priv->tls_certificate = key_file ?
        g_tls_certificate_new_from_files (cert_file, key_file, &error) :
        g_tls_certificate_new_from_file (cert_file, &error);
    if (!priv->tls_certificate) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          (_("Could not load the TLS certificate of the signalling "
                  "server.")), ("%s%s%s: %s", cert_file, key_file ? ", " : "",
              key_file ? key_file : "", error->message));
      g_clear_error (&error);
      ok = FALSE;
    }
  }
  g_free (cert_file);
  g_free (key_file);
  return ok;
}

static gboolean
start_server_cb (gpointer data)
{
  GstRtcBaseBin *self = data;
  GstRtcBaseBinPrivate *priv = PRIV (self);
  const gchar *uri = priv->uri;
  GUri *parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  gint port;
  gchar *ice, *token;
  gchar **origins;

  /* the base class validated the URI going to READY */
  port = g_uri_get_port (parsed);
  priv->server = rtc_signalling_server_new (g_uri_get_host (parsed),
      port > 0 ? port : 8443);
  GST_OBJECT_LOCK (self);
  ice = g_strdup (priv->ice_servers);
  GST_OBJECT_UNLOCK (self);
  if (ice)
    g_object_set (priv->server, "ice-servers", ice, NULL);
  g_free (ice);

  /* the element's own signaller presents the same token */
  token = gst_rtc_base_bin_dup_auth_token (self);
  GST_OBJECT_LOCK (self);
  origins = split_origins (priv->allowed_origins);
  GST_OBJECT_UNLOCK (self);
  g_object_set (priv->server, "auth-token", token, "allowed-origins",
      origins, "tls-certificate", priv->tls_certificate, NULL);
  g_free (token);
  g_strfreev (origins);

  if (!rtc_signalling_server_start (priv->server, &priv->server_error))
    g_clear_object (&priv->server);
  g_uri_unref (parsed);
  return G_SOURCE_REMOVE;
}

static gboolean
stop_server_cb (gpointer data)
{
  GstRtcBaseBin *self = data;
  GstRtcBaseBinPrivate *priv = PRIV (self);

  if (priv->server) {
    rtc_signalling_server_stop (priv->server);
    g_clear_object (&priv->server);
  }
  return G_SOURCE_REMOVE;
}

static gboolean
push_ice_servers (gpointer data)
{
  GstRtcBaseBin *self = data;
  GstRtcBaseBinPrivate *priv = PRIV (self);
  gchar *ice;

  GST_OBJECT_LOCK (self);
  ice = g_strdup (priv->ice_servers);
  GST_OBJECT_UNLOCK (self);
  if (priv->server)
    g_object_set (priv->server, "ice-servers", ice, NULL);
  g_free (ice);
  return G_SOURCE_REMOVE;
}

/* rtciceservers shares its configuration as a GstContext; browsers on the
 * viewer page get the same servers through the embedded server. */
void
gst_rtc_base_bin_take_ice_context (GstRtcBaseBin * self, GstContext * context)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  gchar *json;

  if (!g_str_equal (gst_context_get_context_type (context),
          RTC_ICE_CONFIG_CONTEXT_TYPE))
    return;
  json = rtc_ice_config_context_get_json (context);
  GST_DEBUG_OBJECT (self, "got ICE servers from the pipeline");
  GST_OBJECT_LOCK (self);
  g_free (priv->ice_servers);
  priv->ice_servers = json;
  GST_OBJECT_UNLOCK (self);
  gst_object_ref (self);
  gst_rtc_base_bin_invoke (self, push_ice_servers, self, gst_object_unref);
}

void
gst_rtc_base_bin_query_ice_context (GstRtcBaseBin * self)
{
  GstContext *ctx;

  ctx = gst_element_get_context (GST_ELEMENT (self),
      RTC_ICE_CONFIG_CONTEXT_TYPE);
  if (!ctx) {
    /* ask the application and the other elements (GstContext design) */
    GstMessage *msg = gst_message_new_need_context (GST_OBJECT (self),
        RTC_ICE_CONFIG_CONTEXT_TYPE);
    gst_element_post_message (GST_ELEMENT (self), msg);
    return;
  }
  gst_context_unref (ctx);
}


/* Going to READY, on the thread changing the state, once the context
 * thread runs: FALSE (with an element error posted) if the server cannot
 * start. */
gboolean
gst_rtc_base_bin_server_start (GstRtcBaseBin * self)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  gboolean run;
  GUri *uri;
  gchar *url;

  GST_OBJECT_LOCK (self);
  run = priv->run_server;
  GST_OBJECT_UNLOCK (self);
  if (!run)
    return TRUE;
  if (!load_tls_certificate (self))
    return FALSE;
  gst_rtc_base_bin_invoke_sync (self, start_server_cb);
  g_clear_object (&priv->tls_certificate);
  if (priv->server_error) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE,
        (_("Could not start the signalling server.")),
        ("%s: %s", priv->uri, priv->server_error->message));
    g_clear_error (&priv->server_error);
    return FALSE;
  }
  uri = g_uri_parse (priv->uri, G_URI_FLAGS_NONE, NULL);
  url = g_strdup_printf ("%s://%s:%u/",
      g_str_equal (g_uri_get_scheme (uri), "wss") ? "https" : "http",
      g_uri_get_host (uri), rtc_signalling_server_get_port (priv->server));
  /* gst-launch prints only the debug part of INFO messages */
  GST_ELEMENT_INFO (self, RESOURCE, OPEN_READ_WRITE,
      (_("Open %s in a web browser to watch the stream."), url),
      ("Open %s in a web browser to watch the stream (signalling on "
          "the same port).", url));
  g_free (url);
  g_uri_unref (uri);
  return TRUE;
}

/* Going from READY to NULL, while the context thread still runs. */
void
gst_rtc_base_bin_server_stop (GstRtcBaseBin * self)
{
  gst_rtc_base_bin_invoke_sync (self, stop_server_cb);
}
