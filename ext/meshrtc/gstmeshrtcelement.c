/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "gstmeshrtcelements.h"
#include "rtcsignaller.h"
#include "rtcwhipclient.h"
#include "rtctypes.h"

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

static void
ensure_class (GType type)
{
  g_type_class_unref (g_type_class_ref (type));
}

/**
 * meshrtc_ensure_types:
 *
 * Makes every GLib, GIO, libsoup, json-glib and GStreamer type our threads
 * use exist, from the calling thread. The elements call it going to READY,
 * on the application's thread, before they start a thread of their own.
 *
 * Why: first-time type registration in GLib 2.74 can deadlock when threads
 * race. Seen on a fresh machine (issue 7): a streaming thread loading
 * x264enc waited in g_type_add_interface_static() for the class lock, held
 * by the application's thread in a libsoup class_init that waited in
 * g_task_get_type()'s g_once_init_enter(), held by our signalling thread,
 * which waited for the class lock in its turn. GStreamer's gst_init() does
 * the same for its own core types.
 */
void
meshrtc_ensure_types (void)
{
  static gsize done = 0;

  if (!g_once_init_enter (&done))
    return;
  ensure_class (G_TYPE_TASK);
  ensure_class (G_TYPE_CANCELLABLE);
  ensure_class (G_TYPE_SOCKET);
  ensure_class (G_TYPE_SOCKET_CLIENT);
  ensure_class (G_TYPE_SOCKET_SERVICE);
  ensure_class (G_TYPE_TCP_CONNECTION);
  ensure_class (G_TYPE_INET_ADDRESS);
  ensure_class (G_TYPE_INET_SOCKET_ADDRESS);
  ensure_class (G_TYPE_NETWORK_ADDRESS);
  ensure_class (G_TYPE_MEMORY_INPUT_STREAM);
  ensure_class (G_TYPE_MEMORY_OUTPUT_STREAM);
  g_type_ensure (G_TYPE_ASYNC_RESULT);
  g_type_ensure (G_TYPE_SOCKET_CONNECTABLE);
  /* these load GIO modules (GnuTLS, libproxy) and make their types */
  g_object_unref (g_resolver_get_default ());
  g_tls_backend_get_default ();
  g_proxy_resolver_get_default ();
  g_network_monitor_get_default ();
  ensure_class (SOUP_TYPE_SESSION);
  ensure_class (SOUP_TYPE_MESSAGE);
  ensure_class (SOUP_TYPE_SERVER);
  ensure_class (SOUP_TYPE_SERVER_MESSAGE);
  ensure_class (SOUP_TYPE_WEBSOCKET_CONNECTION);
  ensure_class (SOUP_TYPE_WEBSOCKET_EXTENSION);
  ensure_class (SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  ensure_class (SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  ensure_class (SOUP_TYPE_AUTH_MANAGER);
  ensure_class (SOUP_TYPE_CONTENT_DECODER);
  ensure_class (SOUP_TYPE_CONTENT_SNIFFER);
  ensure_class (SOUP_TYPE_COOKIE_JAR);
  ensure_class (SOUP_TYPE_LOGGER);
  g_type_ensure (SOUP_TYPE_MESSAGE_HEADERS);
  g_type_ensure (SOUP_TYPE_MESSAGE_BODY);
  {
    /* a session and a message make libsoup's private types too */
    SoupSession *session = soup_session_new ();
    SoupMessage *msg = soup_message_new ("GET", "http://127.0.0.1/");

    g_clear_object (&msg);
    g_object_unref (session);
  }
  ensure_class (JSON_TYPE_PARSER);
  ensure_class (JSON_TYPE_GENERATOR);
  ensure_class (JSON_TYPE_READER);
  ensure_class (JSON_TYPE_BUILDER);
  g_type_ensure (JSON_TYPE_NODE);
  g_type_ensure (JSON_TYPE_OBJECT);
  g_type_ensure (JSON_TYPE_ARRAY);
  /* our own signallers, made on the elements' context threads */
  g_type_ensure (RTC_TYPE_SIGNALLABLE);
  ensure_class (RTC_TYPE_SIGNALLER);
  ensure_class (RTC_TYPE_WHIP_CLIENT);
  ensure_class (G_TYPE_BUFFERED_INPUT_STREAM);
  rtc_peer_ensure_types ();
  g_once_init_leave (&done, 1);
}
