/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * URI checks for properties: see rtcuri.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gio/gio.h>

#include "rtcuri.h"

gboolean
rtc_uri_check (const gchar * uri, const gchar * scheme,
    const gchar * secure_scheme, GError ** error)
{
  g_autoptr (GUri) parsed = g_uri_parse (uri ? uri : "", G_URI_FLAGS_ENCODED,
      error);
  const gchar *s, *host;

  if (!parsed)
    return FALSE;
  s = g_uri_get_scheme (parsed);
  host = g_uri_get_host (parsed);
  if ((g_ascii_strcasecmp (s, scheme) == 0
          || g_ascii_strcasecmp (s, secure_scheme) == 0) && host && *host)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
      "'%s' is not a %s:// or %s:// URI with a host", uri, scheme,
      secure_scheme);
  return FALSE;
}
