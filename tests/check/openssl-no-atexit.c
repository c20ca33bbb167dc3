/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * For tests that drive webrtcbin without loading the meshrtc plugin: the
 * same OpenSSL set-up the plugin makes when it loads (see
 * ext/meshrtc/gstmeshrtcelement.c), so that OpenSSL's atexit() clean-up
 * does not race GStreamer's pooled threads when the test process exits.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <openssl/crypto.h>

__attribute__((constructor))
     static void openssl_no_atexit (void)
{
  OPENSSL_init_crypto (OPENSSL_INIT_NO_ATEXIT, NULL);
}
