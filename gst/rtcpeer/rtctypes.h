/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_TYPES_H__
#define __RTC_TYPES_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* Loads every GStreamer element type the peer sessions and the encoder and
 * decoder chains use, and initialises their classes, from the calling
 * thread. Call it from the application's thread before starting any thread
 * of ours: GLib 2.74 can deadlock when threads register types for the
 * first time at once (one thread in a class_init waiting for a
 * g_once_init_enter that another holds, the other waiting for the class
 * lock). Once per process; later calls return at once. */
void rtc_peer_ensure_types (void);

G_END_DECLS

#endif
