/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "rtctypes.h"
#include "rtccodecs.h"

/* Everything webrtcbin and a track's plumbing instantiate, by factory
 * name; the codec chains' factories come from the codec table. Missing
 * factories are skipped: the element that needs one reports it. */
static const gchar *const factories[] = {
  /* webrtcbin and what it builds inside */
  "webrtcbin", "rtpbin", "rtpsession", "rtpssrcdemux", "rtpjitterbuffer",
  "rtpptdemux", "rtpstorage", "rtprtxsend", "rtprtxreceive", "rtpfunnel",
  "rtpulpfecenc", "rtpulpfecdec", "rtpredenc", "rtpreddec", "nicesrc",
  "nicesink", "dtlssrtpenc", "dtlssrtpdec", "dtlsenc", "dtlsdec", "srtpenc",
  "srtpdec", "funnel", "sctpenc", "sctpdec",
  /* track and branch plumbing */
  "identity", "tee", "queue", "capsfilter",
};

static void
ensure_factory (const gchar * name, gpointer user_data)
{
  GstElementFactory *factory = gst_element_factory_find (name);
  GstPluginFeature *loaded;
  GType type;

  if (!factory)
    return;
  loaded = gst_plugin_feature_load (GST_PLUGIN_FEATURE (factory));
  gst_object_unref (factory);
  if (!loaded)
    return;
  type = gst_element_factory_get_element_type (GST_ELEMENT_FACTORY (loaded));
  if (type)
    g_type_class_unref (g_type_class_ref (type));
  gst_object_unref (loaded);
}

void
rtc_peer_ensure_types (void)
{
  static gsize done = 0;
  guint i;

  if (!g_once_init_enter (&done))
    return;
  for (i = 0; i < G_N_ELEMENTS (factories); i++)
    ensure_factory (factories[i], NULL);
  rtc_codecs_foreach_factory (ensure_factory, NULL);
  g_once_init_leave (&done, 1);
}
