/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_RTC_ICE_SERVERS_H__
#define __GST_RTC_ICE_SERVERS_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_RTC_ICE_SERVERS (gst_rtc_ice_servers_get_type ())
G_DECLARE_FINAL_TYPE (GstRtcIceServers, gst_rtc_ice_servers, GST,
    RTC_ICE_SERVERS, GstElement);

G_END_DECLS

#endif /* __GST_RTC_ICE_SERVERS_H__ */
