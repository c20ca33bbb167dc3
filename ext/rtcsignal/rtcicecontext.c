/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The ICE-server configuration as a GstContext of type
 * RTC_ICE_CONFIG_CONTEXT_TYPE (rtciceconfig.h): how rtciceservers shares it
 * with the signalling server's browsers.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "rtciceconfig.h"


/* The ICE servers travel in the context inside an opaque boxed value:
 * GStreamer prints contexts (gst-launch-1.0 -v "Got context from element",
 * GST_CONTEXT debug), and a boxed type without a serialisation prints as
 * "(RtcIceContextServers)NULL", never the TURN credentials inside. */
typedef struct
{
  gchar *json;
} RtcIceContextServers;

static RtcIceContextServers *
context_servers_copy (const RtcIceContextServers * servers)
{
  RtcIceContextServers *copy = g_new0 (RtcIceContextServers, 1);

  copy->json = g_strdup (servers->json);
  return copy;
}

static void
context_servers_free (RtcIceContextServers * servers)
{
  g_free (servers->json);
  g_free (servers);
}

GType rtc_ice_context_servers_get_type (void);
G_DEFINE_BOXED_TYPE (RtcIceContextServers, rtc_ice_context_servers,
    context_servers_copy, context_servers_free);

GstContext *
rtc_ice_config_context_new (const gchar * json, const gchar * policy)
{
  /* not persistent: the credentials expire, a pipeline going to NULL
   * must drop them; rtciceservers posts a fresh one on every start */
  GstContext *ctx = gst_context_new (RTC_ICE_CONFIG_CONTEXT_TYPE, FALSE);
  GstStructure *s = gst_context_writable_structure (ctx);
  RtcIceContextServers servers = { (gchar *) json };

  gst_structure_set (s, "ice-servers", rtc_ice_context_servers_get_type (),
      &servers, "ice-transport-policy", G_TYPE_STRING,
      policy ? policy : "all", NULL);

  return ctx;
}

static const GstStructure *
context_structure (GstContext * ctx)
{
  if (!ctx || !gst_context_has_context_type (ctx, RTC_ICE_CONFIG_CONTEXT_TYPE))
    return NULL;
  return gst_context_get_structure (ctx);
}

gchar *
rtc_ice_config_context_get_json (GstContext * ctx)
{
  const GstStructure *s = context_structure (ctx);
  RtcIceContextServers *servers = NULL;
  gchar *json;

  if (!s || !gst_structure_get (s, "ice-servers",
          rtc_ice_context_servers_get_type (), &servers, NULL))
    return NULL;
  json = g_strdup (servers->json);
  context_servers_free (servers);
  return json;
}

gchar *
rtc_ice_config_context_get_policy (GstContext * ctx)
{
  const GstStructure *s = context_structure (ctx);

  return s ? g_strdup (gst_structure_get_string (s, "ice-transport-policy"))
      : NULL;
}
