/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_ICE_SOURCE_H__
#define __RTC_ICE_SOURCE_H__

#include <gio/gio.h>

#include "rtciceconfig.h"

G_BEGIN_DECLS

/**
 * SECTION:rtcicesource
 * @title: RtcIceSource
 * @short_description: where the current ICE configuration comes from
 *
 * Produces the configuration to hand to webrtcbins and browsers: the
 * static servers, plus those of a document fetched from a location
 * (libsoup for https and http, GIO for file), with every host name
 * resolved to an address (webrtcbin 1.22 takes addresses only) and TURN
 * REST credentials made from a shared secret. It keeps it current: the
 * document is fetched again at 80% of its ttl or every refresh interval
 * (after a failure, again after 1, 2, 4, ... 60 s, the last good
 * configuration staying in use), and generated credentials are renewed
 * once less than 20% of their lifetime remains.
 *
 * Every fetch and every round of host-name lookups is bounded by the
 * timeout and cancelled by rtc_ice_source_stop().
 *
 * Threads: rtc_ice_source_start(), rtc_ice_source_set_servers() (once
 * started), rtc_ice_source_refetch() and rtc_ice_source_stop() are called
 * in the thread-default #GMainContext the source is to run in (an
 * element's own context thread); its fetches, lookups and timers run
 * there, and its signals are emitted there, except that
 * rtc_ice_source_renew_if_needed() emits #RtcIceSource::config-changed in
 * its caller's thread. The settings and rtc_ice_source_dup_config() may be
 * used from any thread.
 *
 * Signals:
 * - "config-changed" (#RtcIceConfig): a new current configuration, with
 *   credentials (secret: never log it);
 * - "error" (#GError): the first configuration after
 *   rtc_ice_source_start() could not be made: %RTC_ICE_CONFIG_ERROR for an
 *   invalid document or a TURN server without credentials,
 *   %G_IO_ERROR_TIMED_OUT when the location did not answer in time, other
 *   %G_IO_ERROR codes for failed fetches;
 * - "warning" (#GError, %RTC_ICE_SOURCE_ERROR): something that does not
 *   stop it.
 */

#define RTC_TYPE_ICE_SOURCE (rtc_ice_source_get_type ())
G_DECLARE_FINAL_TYPE (RtcIceSource, rtc_ice_source, RTC, ICE_SOURCE, GObject)

#define RTC_ICE_SOURCE_ERROR (rtc_ice_source_error_quark ())
GQuark rtc_ice_source_error_quark (void);

/**
 * RtcIceSourceError:
 * @RTC_ICE_SOURCE_ERROR_UNRESOLVED: host names did not resolve; the
 *   message lists them, comma-separated; their URLs get no address
 * @RTC_ICE_SOURCE_ERROR_REFRESH: a refresh failed; the message says where
 *   (the location without userinfo, query or fragment), why, and when it
 *   is tried again; the last good configuration stays
 * @RTC_ICE_SOURCE_ERROR_REJECTED: servers given with
 *   rtc_ice_source_set_servers() while running make no valid
 *   configuration (e.g. a TURN server without credentials); the last good
 *   one stays
 *
 * The codes of the "warning" signal.
 */
typedef enum
{
  RTC_ICE_SOURCE_ERROR_UNRESOLVED,
  RTC_ICE_SOURCE_ERROR_REFRESH,
  RTC_ICE_SOURCE_ERROR_REJECTED,
} RtcIceSourceError;

RtcIceSource * rtc_ice_source_new (void);

/* Settings, from any thread at any time; a running source uses them from
 * its next fetch, lookup or credential renewal on.
 * location: https, http or file URL, or NULL for none (then a refetch
 *   drops what the last document gave);
 * refresh_interval: seconds between fetches, 0 = at 80% of the document's
 *   ttl, never without one;
 * timeout: seconds one fetch or one round of lookups may take;
 * secret: TURN REST shared secret, or NULL (wiped from memory when
 *   replaced); user: the user part of generated usernames; ttl: their
 *   lifetime in seconds. */
void           rtc_ice_source_set_location (RtcIceSource * self,
                                            const gchar * location,
                                            guint refresh_interval);
void           rtc_ice_source_set_timeout (RtcIceSource * self, guint timeout);
void           rtc_ice_source_set_turn_rest (RtcIceSource * self,
                                             const gchar * secret,
                                             const gchar * user, guint ttl);

/* The static servers (a copy is kept; NULL for none). Before
 * rtc_ice_source_start() they are just kept. Once started (call it in the
 * source's context) their host names are resolved first, then the
 * configuration is rebuilt: "config-changed", or a REJECTED "warning". */
void           rtc_ice_source_set_servers (RtcIceSource * self,
                                           const RtcIceConfig * servers);

/* In the thread-default context from now on: fetches the location if
 * there is one, resolves the host names, makes the credentials, then
 * emits "config-changed" or "error". */
void           rtc_ice_source_start (RtcIceSource * self);
/* Fetches the location again now (it or its refresh interval changed). */
void           rtc_ice_source_refetch (RtcIceSource * self);
/* Cancels every fetch, lookup and timer and waits (bounded) for them to
 * finish; no signal after it. May be started again. */
void           rtc_ice_source_stop (RtcIceSource * self);

/* A copy of the current configuration, NULL before the first one. */
RtcIceConfig * rtc_ice_source_dup_config (RtcIceSource * self);
/* Renews generated credentials now if their renewal is due (the timer may
 * be late after a suspend) and emits "config-changed" in the caller's
 * thread. Returns TRUE if it did. */
gboolean       rtc_ice_source_renew_if_needed (RtcIceSource * self);

/* @location without userinfo, query (API keys live there) and fragment,
 * for messages and logs. */
gchar *        rtc_ice_source_redact_location (const gchar * location);

G_END_DECLS

#endif /* __RTC_ICE_SOURCE_H__ */
