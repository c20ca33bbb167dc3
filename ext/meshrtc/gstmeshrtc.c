/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstmeshrtcelements.h"
#include "gstrtcbasebin-private.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ret = FALSE;

  gst_rtc_base_bin_data_register_meta ();

  ret |= GST_ELEMENT_REGISTER (rtcsignalbin, plugin);
  ret |= GST_ELEMENT_REGISTER (rtcmeshfanout, plugin);
  ret |= GST_ELEMENT_REGISTER (rtciceservers, plugin);

  return ret;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR,
    GST_VERSION_MINOR,
    meshrtc,
    "Declarative WebRTC: signalling bin, mesh fanout and ICE-server configuration",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
