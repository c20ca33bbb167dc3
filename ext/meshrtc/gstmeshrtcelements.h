/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_MESHRTC_ELEMENTS_H__
#define __GST_MESHRTC_ELEMENTS_H__

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

G_BEGIN_DECLS

void meshrtc_element_init (GstPlugin * plugin);
void meshrtc_ensure_types (void);

GST_ELEMENT_REGISTER_DECLARE (rtcsignalbin);
GST_ELEMENT_REGISTER_DECLARE (rtcmeshfanout);
GST_ELEMENT_REGISTER_DECLARE (rtciceservers);

G_END_DECLS

#endif /* __GST_MESHRTC_ELEMENTS_H__ */
