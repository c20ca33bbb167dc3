/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>

#include "gstmeshrtcelements.h"

GST_DEBUG_CATEGORY (meshrtc_debug);

/* One-time initialisation shared by every element of the plugin. */
void
meshrtc_element_init (GstPlugin * plugin)
{
  static gsize res = FALSE;

  if (g_once_init_enter (&res)) {
    GST_DEBUG_CATEGORY_INIT (meshrtc_debug, "meshrtc", 0, "gst-meshrtc");
    /* DTLS (dtlssrtpenc/dec) and SRTP bring OpenSSL into the process, and
     * OpenSSL's default is to free its global and per-thread state from an
     * atexit() handler that assumes every other thread has stopped
     * (openssl/openssl#6214). GStreamer's and GLib's pooled threads are
     * still running, or exiting, at exit(): a thread that used OpenSSL for
     * SRTP and exits then frees its state a second time, and the process
     * crashes on the way out, after a clean shutdown. Asking before any
     * other OpenSSL use in the process not to register that handler leaves
     * the memory to the operating system instead. Only the first
     * initialisation in a process decides; later calls change nothing. */
    OPENSSL_init_crypto (OPENSSL_INIT_NO_ATEXIT, NULL);
#ifdef ENABLE_NLS
    bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
    bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
#endif
    g_once_init_leave (&res, TRUE);
  }
}
