/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_RTC_SIGNAL_BIN_H__
#define __GST_RTC_SIGNAL_BIN_H__

#include "gstrtcbasebin.h"

G_BEGIN_DECLS

#define GST_TYPE_RTC_SIGNAL_BIN (gst_rtc_signal_bin_get_type ())
G_DECLARE_FINAL_TYPE (GstRtcSignalBin, gst_rtc_signal_bin, GST, RTC_SIGNAL_BIN, GstRtcBaseBin)

G_END_DECLS

#endif
