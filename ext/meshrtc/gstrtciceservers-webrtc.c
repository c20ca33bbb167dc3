/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GstRtcIceServers: finding every webrtcbin of the top-level pipeline, now
 * and later, and giving each the current configuration once per start
 * (the glue itself, claiming and the relay watch, is
 * gst/rtcpeer/rtcicewebrtc.c).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <glib/gi18n-lib.h>

#include "gstrtciceservers-private.h"
#include "rtcicewebrtc.h"

#define GST_CAT_DEFAULT gst_rtc_ice_servers_debug

/* webrtcbin's thread: a webrtcbin gathered no relay candidate although
 * TURN servers are configured (rtcicewebrtc.h). */
static void
on_no_relay (GObject * owner, guint run, const gchar * webrtc_name,
    const gchar * turn_list, const gchar * policy)
{
  GstRtcIceServers *self = GST_RTC_ICE_SERVERS (owner);
  gboolean current;

  g_mutex_lock (&self->lock);
  current = self->running && self->run == run;
  g_mutex_unlock (&self->lock);

  if (current)
    GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ_WRITE,
        (_("No TURN relay candidate was gathered; the TURN server "
                "probably rejected the credentials.")),
        ("%s gathered no relay candidate from %s "
            "(ice-transport-policy=%s). Usual causes: rejected credentials "
            "(wrong turn-secret or password, expired username, clock "
            "skew) or an unreachable server.", webrtc_name, turn_list, policy));
}

static void
configure_webrtcbin (GstRtcIceServers * self, GstElement * webrtc)
{
  RtcIceSource *source;
  RtcIceConfig *config;
  RtcIceTransportPolicy policy;
  GStrv ignored = NULL;
  GError *err = NULL;
  gchar *turn_list = NULL;
  gboolean warn_ignored = FALSE, claimed = FALSE;
  guint run;

  g_mutex_lock (&self->lock);
  source = (self->running && self->source) ? g_object_ref (self->source) : NULL;
  policy = self->policy;
  run = self->run;
  g_mutex_unlock (&self->lock);
  if (!source)
    return;

  /* the renewal timer may lag (suspend, busy machine): new connections
   * never get credentials with less than 20% of their life left */
  rtc_ice_source_renew_if_needed (source);
  config = rtc_ice_source_dup_config (source);
  g_object_unref (source);
  if (!config)
    return;

  if (rtc_ice_config_has_turn (config))
    turn_list = rtc_ice_config_describe_turn (config);
  /* once per webrtcbin and start; one rtciceservers per webrtcbin */
  claimed = rtc_ice_webrtc_claim (webrtc, G_OBJECT (self), run, turn_list,
      rtc_ice_transport_policy_to_string (policy), on_no_relay);
  g_free (turn_list);
  if (!claimed)
    goto done;

  GST_INFO_OBJECT (self, "configuring %" GST_PTR_FORMAT, webrtc);

  if (!rtc_ice_config_apply (config, webrtc, policy, &ignored, &err)) {
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        (_("webrtcbin refused a TURN server.")), ("%s: %s",
            GST_OBJECT_NAME (webrtc), err->message));
    g_clear_error (&err);
  }

  if (ignored && ignored[0]) {
    g_mutex_lock (&self->lock);
    warn_ignored = !self->warned_ignored;
    self->warned_ignored = TRUE;
    g_mutex_unlock (&self->lock);
  }
  if (warn_ignored) {
    gchar *list = g_strjoinv (", ", ignored);

    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        (_("Some ICE servers cannot be used by webrtcbin and are ignored.")),
        ("ignored: %s", list));
    g_free (list);
  }
  g_strfreev (ignored);

done:
  rtc_ice_config_free (config);
}

static void
on_deep_element_added (GstBin * bin, GstBin * sub_bin, GstElement * element,
    GstRtcIceServers * self)
{
  if (rtc_ice_config_is_webrtcbin (element))
    configure_webrtcbin (self, element);
}

static GstBin *
find_toplevel_bin (GstRtcIceServers * self)
{
  GstObject *obj = gst_object_ref (GST_OBJECT_CAST (self));
  GstObject *parent;

  while ((parent = gst_object_get_parent (obj))) {
    gst_object_unref (obj);
    obj = parent;
  }
  if (!GST_IS_BIN (obj)) {
    gst_object_unref (obj);
    return NULL;
  }
  return GST_BIN_CAST (obj);
}

/* Connects to the top-level bin first, then walks what is already there:
 * a webrtcbin added in between is seen twice and configured once. */
void
gst_rtc_ice_servers_watch_pipeline (GstRtcIceServers * self)
{
  GstBin *toplevel = find_toplevel_bin (self);
  GList *found, *l;

  if (!toplevel) {
    GST_WARNING_OBJECT (self, "not in a bin: no webrtcbin to configure");
    return;
  }

  g_mutex_lock (&self->lock);
  self->toplevel = gst_object_ref (toplevel);
  self->deep_added_id = g_signal_connect (toplevel, "deep-element-added",
      G_CALLBACK (on_deep_element_added), self);
  g_mutex_unlock (&self->lock);

  found = rtc_ice_webrtc_list (toplevel);
  for (l = found; l; l = l->next)
    configure_webrtcbin (self, l->data);
  g_list_free_full (found, gst_object_unref);
  gst_object_unref (toplevel);
}

void
gst_rtc_ice_servers_unwatch_pipeline (GstRtcIceServers * self)
{
  GstBin *toplevel;
  gulong id;

  g_mutex_lock (&self->lock);
  toplevel = self->toplevel;
  id = self->deep_added_id;
  self->toplevel = NULL;
  self->deep_added_id = 0;
  g_mutex_unlock (&self->lock);

  if (toplevel) {
    if (id)
      g_signal_handler_disconnect (toplevel, id);
    gst_object_unref (toplevel);
  }
}
