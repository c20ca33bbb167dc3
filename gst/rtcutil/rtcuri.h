/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_URI_H__
#define __RTC_URI_H__

#include <glib.h>

G_BEGIN_DECLS

/* TRUE if @uri parses (GUri, RFC 3986) with the scheme @scheme or
 * @secure_scheme (case-insensitive; "ws"/"wss", "http"/"https") and a
 * non-empty host. Otherwise FALSE, with GUri's parse error or a
 * G_IO_ERROR_INVALID_ARGUMENT error: "'x' is not a ws:// or wss:// URI
 * with a host". NULL is refused like "". */
gboolean rtc_uri_check (const gchar * uri, const gchar * scheme,
                        const gchar * secure_scheme, GError ** error);

G_END_DECLS

#endif /* __RTC_URI_H__ */
