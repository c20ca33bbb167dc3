/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Inside RtcIceSource, shared by its two files: rtcicesource.c (settings,
 * the configuration and its credentials, fetching, start and stop) and
 * rtcicesource-operation.c (the cancellable-plus-timeout scaffolding of
 * one fetch or lookup round, and host-name resolution). Not installed.
 */
#ifndef __RTC_ICE_SOURCE_PRIVATE_H__
#define __RTC_ICE_SOURCE_PRIVATE_H__

#include <libsoup/soup.h>

#include "rtcicesource.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (rtc_ice_source_debug);

enum
{
  RTC_ICE_SOURCE_SIGNAL_CONFIG_CHANGED,
  RTC_ICE_SOURCE_SIGNAL_ERROR,
  RTC_ICE_SOURCE_SIGNAL_WARNING,
  RTC_ICE_SOURCE_LAST_SIGNAL
};

extern guint rtc_ice_source_signals[RTC_ICE_SOURCE_LAST_SIGNAL];

struct _RtcIceSource
{
  GObject parent;

  /* protects everything below but the context-only fields */
  GMutex lock;

  /* settings */
  RtcIceConfig *servers;        /* static servers, may be NULL */
  gchar *location;
  guint refresh_interval;
  guint timeout;
  gchar *secret;
  gchar *turn_user;
  guint ttl;

  /* between start and stop */
  gboolean running;
  GMainContext *context;
  GCancellable *cancellable;    /* cancelled by stop: every operation */
  RtcIceConfig *fetched;        /* last good document from location */
  GHashTable *addresses;        /* host name -> IP address */
  RtcIceConfig *current;        /* all of it, with credentials */
  GSource *refresh_source;
  GSource *renew_source;
  guint failures;
  gint operations;              /* atomic: fetches and lookup rounds */
  SoupSession *session;         /* context only */
};

/* Stopping cancels every operation; its own timeout cancels only this one,
 * so the timeout bounds the whole operation, not each I/O step. */
typedef struct
{
  RtcIceSource *source;
  GCancellable *cancellable;
  gulong cancel_id;
  GSource *timeout_source;
  guint timeout;
  gboolean timed_out;
} RtcIceOperation;

/* Starts @op for @self: counted, cancelled by rtc_ice_source_stop() and by
 * its own timeout (the source's timeout setting). Context thread. */
void rtc_ice_operation_begin (RtcIceOperation * op, RtcIceSource * self);
/* The error to report for @error, a time-out when @op's timer cancelled it. */
GError *rtc_ice_operation_error (RtcIceOperation * op, const GError * error);
/* TRUE once the source was stopped: nothing to report, nothing to start. */
gboolean rtc_ice_operation_stopped (RtcIceOperation * op);
/* Ends @op and frees it: @op is the first member of a g_new()ed struct. */
void rtc_ice_operation_end (RtcIceOperation * op);

typedef void (*RtcIceResolvedFunc) (RtcIceSource * self, gpointer data);
/* Looks up the @hosts not known yet (as one operation), warns about the
 * ones that failed (RTC_ICE_SOURCE_ERROR_UNRESOLVED), then calls @done.
 * Context thread. */
void rtc_ice_source_resolve_hosts (RtcIceSource * self, GStrv hosts,
    RtcIceResolvedFunc done, gpointer data);

/* Emits RtcIceSource::warning with a new RTC_ICE_SOURCE_ERROR @code. */
void rtc_ice_source_emit_warning (RtcIceSource * self, RtcIceSourceError code,
    const gchar * format, ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS

#endif /* __RTC_ICE_SOURCE_PRIVATE_H__ */
