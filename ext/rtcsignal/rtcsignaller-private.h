/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What rtcsignaller.c (the protocol: registration, sessions, producers)
 * and rtcsignaller-websocket.c (the libsoup transport: connect, reconnect
 * with backoff, resume, leave) share.
 */
#ifndef __RTC_SIGNALLER_PRIVATE_H__
#define __RTC_SIGNALLER_PRIVATE_H__

#include <gst/gst.h>
#include <libsoup/soup.h>

#include "rtcsignaller.h"

G_BEGIN_DECLS

/* The signaller's debug category, for its other file. A function, not a
 * shared global: this static library is linked into both the plugin and
 * the programs and tests that load it, and a global defined in both is an
 * ODR violation (AddressSanitizer reports it). */
G_GNUC_INTERNAL
GstDebugCategory * rtc_signaller_debug_category (void);

struct _RtcSignaller
{
  GObject parent;

  gchar *uri;                   /* NULL: detached (unit tests) */
  gchar *auth_token;
  RtcRoles roles;
  JsonObject *meta;

  /* detached transport */
  RtcSignallerSendFunc send_func;
  gpointer send_data;

  GMainContext *context;
  gboolean running;
  gchar *peer_id;               /* while registered */
  GHashTable *producers;        /* ids announced in "producer-added" */
  /* resume (docs/protocol.md): a secret made once per signaller and the
   * last peer id the server gave; neither is cleared on a drop */
  gchar *resume_token;
  gchar *last_peer_id;

  /* WebSocket transport */
  SoupSession *session;
  SoupWebsocketConnection *ws;
  GCancellable *cancellable;
  GSource *retry;
  guint backoff_ms;             /* next retry delay */
};

/* rtcsignaller-websocket.c */
void     rtc_signaller_ws_start (RtcSignaller * self);
void     rtc_signaller_ws_stop (RtcSignaller * self);
gboolean rtc_signaller_ws_send_text (RtcSignaller * self, const gchar * text);
/* a welcome arrived: the next drop retries at the initial delay */
void     rtc_signaller_ws_registered (RtcSignaller * self);

G_END_DECLS

#endif
