/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_RTC_MESH_FANOUT_H__
#define __GST_RTC_MESH_FANOUT_H__

#include "gstrtcbasebin.h"

G_BEGIN_DECLS

#define GST_TYPE_RTC_MESH_FANOUT (gst_rtc_mesh_fanout_get_type ())
G_DECLARE_FINAL_TYPE (GstRtcMeshFanout, gst_rtc_mesh_fanout, GST, RTC_MESH_FANOUT, GstRtcBaseBin)

G_END_DECLS

#endif
