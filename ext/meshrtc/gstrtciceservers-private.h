/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Inside GstRtcIceServers, shared by its two files: gstrtciceservers.c (the
 * element: properties, state changes, the worker, the GstContext) and
 * gstrtciceservers-webrtc.c (finding the pipeline's webrtcbins and
 * configuring each). Not installed.
 */
#ifndef __GST_RTC_ICE_SERVERS_PRIVATE_H__
#define __GST_RTC_ICE_SERVERS_PRIVATE_H__

#include "gstrtciceservers.h"
#include "rtccontextthread.h"
#include "rtciceconfig.h"
#include "rtcicesource.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_rtc_ice_servers_debug);

struct _GstRtcIceServers
{
  GstElement parent;

  /* protects everything below */
  GMutex lock;
  GCond cond;

  /* properties */
  gchar *ice_servers;
  gchar *turn_secret;
  gchar *turn_user;
  guint ttl;
  gchar *location;
  guint refresh_interval;
  guint timeout;
  RtcIceTransportPolicy policy;

  /* between NULL->READY and READY->NULL */
  gboolean running;
  guint run;                    /* which start; webrtcbins remember it */
  gboolean warned_ignored;      /* ignored-URL warning posted for current */
  GstBin *toplevel;
  gulong deep_added_id;

  /* the first configuration, waited for synchronously by NULL->READY */
  gboolean initial_done;
  GError *initial_error;

  /* fetching, host-name lookups and timers run in the element's own
   * context thread, never on a streaming thread or the application's */
  RtcContextThread *thread;
  GMainContext *context;
  RtcIceSource *source;
};

/* Connects to the top-level bin's deep-element-added and configures the
 * webrtcbins already there; at NULL->READY, once a configuration exists. */
void gst_rtc_ice_servers_watch_pipeline (GstRtcIceServers * self);
/* Disconnects; at READY->NULL. */
void gst_rtc_ice_servers_unwatch_pipeline (GstRtcIceServers * self);

G_END_DECLS

#endif /* __GST_RTC_ICE_SERVERS_PRIVATE_H__ */
