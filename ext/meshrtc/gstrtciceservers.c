/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-rtciceservers
 * @title: rtciceservers
 * @short_description: ICE-server configuration for every webrtcbin of a
 *   pipeline
 *
 * rtciceservers has no pads. Put one anywhere in a pipeline and every
 * webrtcbin of that top-level pipeline gets the configured STUN and TURN
 * servers and ICE transport policy: those present when rtciceservers goes
 * from NULL to READY, and every webrtcbin added later at any depth (it
 * listens to the top-level bin's #GstBin::deep-element-added, emitted
 * synchronously from gst_bin_add(), so before webrtcbin can gather).
 *
 * The servers come from #GstRtcIceServers:ice-servers (browser
 * RTCIceServer JSON) and #GstRtcIceServers:location (an https, http or
 * file URL, refetched); #GstRtcIceServers:turn-secret gives TURN entries
 * without credentials TURN REST ones, renewed before they expire. Host
 * names are resolved for webrtcbin, which takes addresses only (browsers
 * get the names). The configuration with the current credentials is shared
 * as a #GstContext of type `gst.meshrtc.ice-servers` (answered, posted and
 * set on the pipeline whenever it changes) for the signalling server's
 * browsers. A webrtcbin that finishes gathering without a relay candidate
 * although TURN servers are configured gets a warning naming them.
 *
 * Errors (NULL->READY fails): RESOURCE/SETTINGS for invalid JSON or URLs
 * (the details name the place, e.g. `iceServers[1].urls[0]: unknown scheme
 * "http"`), a TURN server without credentials and no secret, or no
 * configuration; RESOURCE/OPEN_READ when the location yields nothing in
 * time. Warnings: RESOURCE/READ (failed refresh), RESOURCE/SETTINGS
 * (ignored URLs, invalid changes), RESOURCE/NOT_FOUND (host names),
 * RESOURCE/OPEN_READ_WRITE (no relay candidate). Secrets are never logged
 * nor readable. See docs/rtciceservers.md.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 rtciceservers \
 *     ice-servers='[{"urls":"stun:stun.l.google.com:19302"}]' \
 *   videotestsrc is-live=true ! rtcmeshfanout uri=ws://127.0.0.1:8443 \
 *     run-signalling-server=true
 * ]| STUN only, for the webrtcbins rtcmeshfanout creates for its viewers.
 * |[
 * gst-launch-1.0 rtciceservers ice-servers='[{"urls":"turn:192.0.2.10:3478"}]' \
 *     turn-secret=north ice-transport-policy=relay \
 *   rtcsignalbin uri=ws://127.0.0.1:8443 producer-name=cam ! fakesink
 * ]| TURN REST credentials made from coturn's shared secret, relay only.
 *
 * Since: 0.1
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <glib/gi18n-lib.h>

#include "gstmeshrtcelements.h"
#include "gstrtciceservers-private.h"

GST_DEBUG_CATEGORY (gst_rtc_ice_servers_debug);
#define GST_CAT_DEFAULT gst_rtc_ice_servers_debug

#define DEFAULT_ICE_SERVERS NULL
#define DEFAULT_TURN_USER "gst-meshrtc"
#define DEFAULT_TTL 86400
#define MIN_TTL 10
#define MAX_TTL (365 * 86400)
#define DEFAULT_LOCATION NULL
#define DEFAULT_REFRESH_INTERVAL 0
#define DEFAULT_TIMEOUT 10
#define MAX_TIMEOUT 3600
#define DEFAULT_ICE_TRANSPORT_POLICY RTC_ICE_TRANSPORT_POLICY_ALL

enum
{
  PROP_0,
  PROP_ICE_SERVERS,
  PROP_TURN_SECRET,
  PROP_TURN_USER,
  PROP_TTL,
  PROP_LOCATION,
  PROP_REFRESH_INTERVAL,
  PROP_TIMEOUT,
  PROP_ICE_TRANSPORT_POLICY,
};


#define gst_rtc_ice_servers_parent_class parent_class
G_DEFINE_TYPE (GstRtcIceServers, gst_rtc_ice_servers, GST_TYPE_ELEMENT);

GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (rtciceservers, "rtciceservers",
    GST_RANK_NONE, GST_TYPE_RTC_ICE_SERVERS, meshrtc_element_init (plugin));

static void gst_rtc_ice_servers_finalize (GObject * object);
static void gst_rtc_ice_servers_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_rtc_ice_servers_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static GstStateChangeReturn gst_rtc_ice_servers_change_state (GstElement *
    element, GstStateChange transition);
static gboolean gst_rtc_ice_servers_query (GstElement * element,
    GstQuery * query);

/* Runs @func in the worker thread's context, with a ref on self. */
static void
run_in_worker (GstRtcIceServers * self, GSourceFunc func)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, func, gst_object_ref (self),
      (GDestroyNotify) gst_object_unref);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

static RtcIceSource *
get_source (GstRtcIceServers * self)
{
  RtcIceSource *source = NULL;

  g_mutex_lock (&self->lock);
  if (self->source)
    source = g_object_ref (self->source);
  g_mutex_unlock (&self->lock);
  return source;
}

/* ------------------------------------------------------------------------ */
/* Sharing: GstContext                                                      */

static GstContext *
make_context (GstRtcIceServers * self, const RtcIceConfig * config)
{
  GstContext *ctx;
  RtcIceTransportPolicy policy;
  gchar *json;

  g_mutex_lock (&self->lock);
  policy = self->policy;
  g_mutex_unlock (&self->lock);

  json = rtc_ice_config_to_json (config, FALSE);
  ctx = rtc_ice_config_context_new (json,
      rtc_ice_transport_policy_to_string (policy));
  memset (json, 0, strlen (json));
  g_free (json);
  return ctx;
}

static GstContext *
make_current_context (GstRtcIceServers * self)
{
  RtcIceSource *source = get_source (self);
  RtcIceConfig *config = source ? rtc_ice_source_dup_config (source) : NULL;
  GstContext *ctx = config ? make_context (self, config) : NULL;

  rtc_ice_config_free (config);
  g_clear_object (&source);
  return ctx;
}

/* Posts the context (bins keep it and answer need-context with it) and
 * sets it on every element of the pipeline, so elements that already
 * asked for it see the new credentials too. */
static void
publish (GstRtcIceServers * self, GstContext * ctx)
{
  GstBin *toplevel = NULL;

  g_mutex_lock (&self->lock);
  if (self->toplevel)
    toplevel = gst_object_ref (self->toplevel);
  g_mutex_unlock (&self->lock);

  GST_DEBUG_OBJECT (self, "publishing the ICE configuration context");
  gst_element_post_message (GST_ELEMENT_CAST (self),
      gst_message_new_have_context (GST_OBJECT_CAST (self),
          gst_context_ref (ctx)));
  if (toplevel) {
    gst_element_set_context (GST_ELEMENT_CAST (toplevel), ctx);
    gst_object_unref (toplevel);
  }
}

static gboolean
gst_rtc_ice_servers_query (GstElement * element, GstQuery * query)
{
  GstRtcIceServers *self = GST_RTC_ICE_SERVERS (element);

  if (GST_QUERY_TYPE (query) == GST_QUERY_CONTEXT) {
    const gchar *type = NULL;

    gst_query_parse_context_type (query, &type);
    if (g_strcmp0 (type, RTC_ICE_CONFIG_CONTEXT_TYPE) == 0) {
      GstContext *ctx = make_current_context (self);

      if (!ctx)
        return FALSE;
      gst_query_set_context (query, ctx);
      gst_context_unref (ctx);
      return TRUE;
    }
  }

  return GST_ELEMENT_CLASS (parent_class)->query (element, query);
}

/* ------------------------------------------------------------------------ */
/* The configuration source (its context, or a renewal's caller)            */

static void
on_config_changed (RtcIceSource * source, RtcIceConfig * config,
    GstRtcIceServers * self)
{
  gboolean running;

  g_mutex_lock (&self->lock);
  self->warned_ignored = FALSE;
  running = self->running;
  if (!running) {
    /* NULL->READY is waiting; it publishes itself */
    self->initial_done = TRUE;
    g_cond_broadcast (&self->cond);
  }
  g_mutex_unlock (&self->lock);

  if (running) {
    GstContext *ctx = make_context (self, config);

    publish (self, ctx);
    gst_context_unref (ctx);
  }
}

/* Only for the first configuration: NULL->READY reports it. */
static void
on_source_error (RtcIceSource * source, GError * error, GstRtcIceServers * self)
{
  g_mutex_lock (&self->lock);
  if (!self->initial_done) {
    g_clear_error (&self->initial_error);
    self->initial_error = g_error_copy (error);
    self->initial_done = TRUE;
    g_cond_broadcast (&self->cond);
  }
  g_mutex_unlock (&self->lock);
}

static void
on_source_warning (RtcIceSource * source, GError * error,
    GstRtcIceServers * self)
{
  switch (error->code) {
    case RTC_ICE_SOURCE_ERROR_UNRESOLVED:
      GST_ELEMENT_WARNING (self, RESOURCE, NOT_FOUND,
          (_("Could not resolve the host name of an ICE server.")),
          ("%s: webrtcbin takes addresses only, these servers are not used",
              error->message));
      break;
    case RTC_ICE_SOURCE_ERROR_REFRESH:
      GST_ELEMENT_WARNING (self, RESOURCE, READ,
          (_("Could not refresh the ICE server configuration; keeping the "
                  "last one.")), ("%s", error->message));
      break;
    default:
      GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
          (_("Invalid ICE server configuration.")),
          ("new settings ignored, keeping the last good ones: %s",
              error->message));
      break;
  }
}

/* ------------------------------------------------------------------------ */
/* Reconfiguration while running (properties are mutable in PLAYING)       */

/* Worker: ice-servers or the TURN REST settings changed. */
static gboolean
reconfigure_cb (gpointer user_data)
{
  GstRtcIceServers *self = user_data;
  RtcIceConfig *parsed = NULL;
  RtcIceSource *source = NULL;
  GError *err = NULL;

  g_mutex_lock (&self->lock);
  if (self->running && self->source) {
    source = g_object_ref (self->source);
    if (self->ice_servers)
      parsed = rtc_ice_config_parse (self->ice_servers, -1, &err);
    else
      parsed = rtc_ice_config_new ();
  }
  g_mutex_unlock (&self->lock);

  if (!source)
    return G_SOURCE_REMOVE;

  if (parsed) {
    rtc_ice_source_set_servers (source, parsed);
    rtc_ice_config_free (parsed);
  } else {
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        (_("Invalid ICE server configuration.")),
        ("new settings ignored, keeping the last good ones: %s", err->message));
    g_error_free (err);
  }
  g_object_unref (source);
  return G_SOURCE_REMOVE;
}

/* Worker: location or refresh-interval changed. */
static gboolean
refetch_cb (gpointer user_data)
{
  GstRtcIceServers *self = user_data;
  RtcIceSource *source = NULL;

  g_mutex_lock (&self->lock);
  if (self->running && self->source)
    source = g_object_ref (self->source);
  g_mutex_unlock (&self->lock);

  if (source) {
    rtc_ice_source_refetch (source);
    g_object_unref (source);
  }
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------------ */
/* State changes                                                            */

/* The worker's first and last acts: the source runs in its context. */
static void
worker_started (gpointer user_data)
{
  GstRtcIceServers *self = user_data;

  rtc_ice_source_start (self->source);
}

static void
worker_stopping (gpointer user_data)
{
  GstRtcIceServers *self = user_data;

  rtc_ice_source_stop (self->source);
}

/* Makes the source from the properties; FALSE (error posted) when they
 * cannot make a configuration. */
static RtcIceSource *
make_source (GstRtcIceServers * self)
{
  RtcIceSource *source;
  RtcIceConfig *parsed = NULL;
  GError *err = NULL;

  g_mutex_lock (&self->lock);
  if (!self->ice_servers && !self->location) {
    g_mutex_unlock (&self->lock);
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        (_("No ICE servers configured.")),
        ("set the ice-servers or the location property"));
    return NULL;
  }
  if (self->ice_servers
      && !(parsed = rtc_ice_config_parse (self->ice_servers, -1, &err))) {
    g_mutex_unlock (&self->lock);
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        (_("Invalid ICE server configuration.")), ("ice-servers: %s",
            err->message));
    g_error_free (err);
    return NULL;
  }

  source = rtc_ice_source_new ();
  rtc_ice_source_set_servers (source, parsed);
  rtc_ice_source_set_location (source, self->location, self->refresh_interval);
  rtc_ice_source_set_timeout (source, self->timeout);
  rtc_ice_source_set_turn_rest (source, self->turn_secret, self->turn_user,
      self->ttl);
  g_mutex_unlock (&self->lock);
  rtc_ice_config_free (parsed);

  g_signal_connect (source, "config-changed", G_CALLBACK (on_config_changed),
      self);
  g_signal_connect (source, "error", G_CALLBACK (on_source_error), self);
  g_signal_connect (source, "warning", G_CALLBACK (on_source_warning), self);
  return source;
}

/* Reports why the first configuration did not come. */
static void
post_start_error (GstRtcIceServers * self, GError * err, const gchar * where,
    guint timeout)
{
  if (g_error_matches (err, RTC_ICE_CONFIG_ERROR,
          RTC_ICE_CONFIG_ERROR_NO_CREDENTIALS))
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        (_("A TURN server has no username or credential, and no TURN secret "
                "is set.")), ("%s", err->message));
  else if (err->domain == RTC_ICE_CONFIG_ERROR)
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        (_("Invalid ICE server configuration.")), ("%s: %s", where,
            err->message));
  else if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_error_matches (err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        (_("Could not get the ICE server configuration.")),
        ("%s: no answer within %u s (timeout property)", where, timeout));
  else
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        (_("Could not get the ICE server configuration.")), ("%s: %s",
            where, err->message));
}

static void
stop_worker (GstRtcIceServers * self)
{
  RtcContextThread *thread;
  RtcIceSource *source;
  GMainContext *context;

  g_mutex_lock (&self->lock);
  thread = g_steal_pointer (&self->thread);
  g_mutex_unlock (&self->lock);

  /* the source stops on the thread (worker_stopping); the stop cannot be
   * lost, however early (rtccontextthread.h) */
  if (thread)
    rtc_context_thread_stop (thread);

  g_mutex_lock (&self->lock);
  source = g_steal_pointer (&self->source);
  context = g_steal_pointer (&self->context);
  g_clear_error (&self->initial_error);
  g_mutex_unlock (&self->lock);

  if (source) {
    g_signal_handlers_disconnect_by_data (source, self);
    g_object_unref (source);
  }
  if (context)
    g_main_context_unref (context);
}

static gboolean
start (GstRtcIceServers * self)
{
  RtcIceSource *source;
  RtcIceConfig *config;
  GError *err = NULL;
  GstContext *ctx;
  gchar *where;
  guint timeout;
  gint64 deadline;
  gboolean timed_out = FALSE;

  if (!(source = make_source (self)))
    return FALSE;

  /* the types the worker uses exist before it races to make them */
  meshrtc_ensure_types ();

  g_mutex_lock (&self->lock);
  where = rtc_ice_source_redact_location (self->location);
  timeout = self->timeout;
  self->run++;
  self->initial_done = FALSE;
  g_clear_error (&self->initial_error);
  self->source = source;
  self->context = g_main_context_new ();
  self->thread = rtc_context_thread_new ("rtciceservers", self->context,
      worker_started, worker_stopping, self);

  /* a bounded synchronous fetch and host lookup: webrtcbins must not
   * start gathering without servers, and this is not a streaming thread */
  deadline = g_get_monotonic_time () + (2 * timeout + 5) * G_TIME_SPAN_SECOND;
  while (!self->initial_done && !timed_out)
    timed_out = !g_cond_wait_until (&self->cond, &self->lock, deadline);
  if (self->initial_error)
    err = g_error_copy (self->initial_error);
  else if (!self->initial_done)
    err = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "timed out");
  else
    self->running = TRUE;
  g_mutex_unlock (&self->lock);

  if (err) {
    post_start_error (self, err, where, timeout);
    g_error_free (err);
    g_free (where);
    stop_worker (self);
    return FALSE;
  }
  g_free (where);

  config = rtc_ice_source_dup_config (source);
  GST_INFO_OBJECT (self, "%u ICE server entries, policy %s",
      config->servers->len, rtc_ice_transport_policy_to_string (self->policy));

  gst_rtc_ice_servers_watch_pipeline (self);
  ctx = make_context (self, config);
  publish (self, ctx);
  gst_context_unref (ctx);
  rtc_ice_config_free (config);
  return TRUE;
}

static void
stop (GstRtcIceServers * self)
{
  g_mutex_lock (&self->lock);
  self->running = FALSE;
  g_mutex_unlock (&self->lock);

  gst_rtc_ice_servers_unwatch_pipeline (self);
  stop_worker (self);
}

static GstStateChangeReturn
gst_rtc_ice_servers_change_state (GstElement * element,
    GstStateChange transition)
{
  GstRtcIceServers *self = GST_RTC_ICE_SERVERS (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      if (!start (self))
        return GST_STATE_CHANGE_FAILURE;
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_NULL:
      stop (self);
      break;
    default:
      break;
  }

  return ret;
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

static void
gst_rtc_ice_servers_class_init (GstRtcIceServersClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_rtc_ice_servers_debug, "rtciceservers", 0,
      "ICE-server configuration for webrtcbin");

  gobject_class->set_property = gst_rtc_ice_servers_set_property;
  gobject_class->get_property = gst_rtc_ice_servers_get_property;
  gobject_class->finalize = gst_rtc_ice_servers_finalize;

  /**
   * GstRtcIceServers:ice-servers:
   *
   * ICE servers as browser RTCIceServer JSON (W3C webrtc-pc §4.2.4): a list
   * `[{"urls": "stun:host:port"}, {"urls": ["turn:host:port?transport=udp"],
   * "username": "...", "credential": "..."}]`, an object
   * `{"iceServers": [...]}`, a single RTCIceServer object, or a TURN REST
   * response. URL schemes stun:, stuns:, turn:, turns: (RFC 7064, RFC 7065),
   * no `//`, no `user@`, query `transport=udp|tcp` on TURN only. TURN
   * entries without credentials need #GstRtcIceServers:turn-secret.
   * Reading it gives the parsed configuration with every credential
   * replaced by `<redacted>` (%NULL when unset or not valid).
   * Changes while running apply to webrtcbins added afterwards.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_ICE_SERVERS,
      g_param_spec_string ("ice-servers", "ICE servers",
          "ICE servers as browser RTCIceServer JSON: a list, "
          "{\"iceServers\": [...]} or one object; reads back with credentials "
          "redacted", DEFAULT_ICE_SERVERS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRtcIceServers:turn-secret:
   *
   * TURN REST API shared secret (draft-uberti-behave-turn-rest-00; coturn
   * `use-auth-secret` + `static-auth-secret`). TURN servers without
   * credentials get username `<expiry>:<turn-user>` and password
   * base64(HMAC-SHA1(secret, username)), valid #GstRtcIceServers:ttl
   * seconds. Write-only; never logged.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_TURN_SECRET,
      g_param_spec_string ("turn-secret", "TURN secret",
          "TURN REST shared secret (coturn static-auth-secret) for TURN "
          "servers without credentials (write-only)", NULL,
          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRtcIceServers:turn-user:
   *
   * The user part of generated TURN REST usernames, after `<expiry>:`. An
   * entry's own "username" takes precedence.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_TURN_USER,
      g_param_spec_string ("turn-user", "TURN user",
          "User part of generated TURN REST usernames (<expiry>:<turn-user>)",
          DEFAULT_TURN_USER,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRtcIceServers:ttl:
   *
   * Lifetime of generated TURN credentials, in seconds. New webrtcbins get
   * fresh credentials once less than 20% of it remains (a timer renews them
   * then, and the shared context is updated).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_TTL,
      g_param_spec_uint ("ttl", "TTL",
          "Lifetime of generated TURN credentials in seconds; renewed when "
          "less than 20% remains", MIN_TTL, MAX_TTL, DEFAULT_TTL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRtcIceServers:location:
   *
   * https://, http:// or file:// URL of a configuration: any form
   * #GstRtcIceServers:ice-servers takes, or a TURN REST response
   * `{"username", "password", "ttl", "uris"}`. Fetched when going to READY
   * (which fails if no valid configuration arrives within
   * #GstRtcIceServers:timeout), then again at 80% of its "ttl" or every
   * #GstRtcIceServers:refresh-interval seconds; after a failed refresh the
   * last good configuration stays in use and the fetch is retried after 1,
   * 2, 4, ... 60 s. Its servers are added to those of ice-servers. Logs and
   * messages show it without query and userinfo, where API keys live.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Location",
          "https, http or file URL of an ICE configuration (RTCIceServer "
          "JSON or TURN REST response)", DEFAULT_LOCATION,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRtcIceServers:refresh-interval:
   *
   * Seconds between fetches of #GstRtcIceServers:location. 0 means at 80%
   * of the document's "ttl", or never if it has none.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_REFRESH_INTERVAL,
      g_param_spec_uint ("refresh-interval", "Refresh interval",
          "Seconds between fetches of location (0 = at 80% of the "
          "document's ttl, never without one)", 0, G_MAXUINT32,
          DEFAULT_REFRESH_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRtcIceServers:timeout:
   *
   * Seconds one fetch of #GstRtcIceServers:location may take. The
   * NULL->READY state change waits at most this long for the first one.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_TIMEOUT,
      g_param_spec_uint ("timeout", "Timeout",
          "Seconds one fetch of location may take (the first one blocks "
          "NULL->READY at most this long)", 1, MAX_TIMEOUT, DEFAULT_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRtcIceServers:ice-transport-policy:
   *
   * ICE transport policy set on every webrtcbin and shared with browsers:
   * "all", or "relay" for TURN relays only.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_ICE_TRANSPORT_POLICY,
      g_param_spec_enum ("ice-transport-policy", "ICE transport policy",
          "ICE transport policy for every webrtcbin (relay: TURN only)",
          RTC_TYPE_ICE_TRANSPORT_POLICY, DEFAULT_ICE_TRANSPORT_POLICY,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_rtc_ice_servers_change_state);
  element_class->query = GST_DEBUG_FUNCPTR (gst_rtc_ice_servers_query);

  gst_element_class_set_static_metadata (element_class,
      "ICE servers for webrtcbin", "Network/WebRTC",
      "Configures STUN/TURN servers (browser RTCIceServer JSON, TURN REST "
      "secret or URL) on every webrtcbin of the pipeline",
      "gst-meshrtc developers");

  gst_type_mark_as_plugin_api (RTC_TYPE_ICE_TRANSPORT_POLICY, 0);
}

static void
gst_rtc_ice_servers_init (GstRtcIceServers * self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->ice_servers = g_strdup (DEFAULT_ICE_SERVERS);
  self->turn_user = g_strdup (DEFAULT_TURN_USER);
  self->ttl = DEFAULT_TTL;
  self->location = g_strdup (DEFAULT_LOCATION);
  self->refresh_interval = DEFAULT_REFRESH_INTERVAL;
  self->timeout = DEFAULT_TIMEOUT;
  self->policy = DEFAULT_ICE_TRANSPORT_POLICY;
}

static void
gst_rtc_ice_servers_finalize (GObject * object)
{
  GstRtcIceServers *self = GST_RTC_ICE_SERVERS (object);

  g_clear_pointer (&self->ice_servers, rtc_ice_secret_free);
  g_clear_pointer (&self->turn_secret, rtc_ice_secret_free);
  g_free (self->turn_user);
  g_free (self->location);
  g_clear_error (&self->initial_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_rtc_ice_servers_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstRtcIceServers *self = GST_RTC_ICE_SERVERS (object);
  GSourceFunc apply = reconfigure_cb;

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_ICE_SERVERS:
      g_clear_pointer (&self->ice_servers, rtc_ice_secret_free);
      self->ice_servers = g_value_dup_string (value);
      break;
    case PROP_TURN_SECRET:
      g_clear_pointer (&self->turn_secret, rtc_ice_secret_free);
      self->turn_secret = g_value_dup_string (value);
      if (self->turn_secret && !*self->turn_secret)
        g_clear_pointer (&self->turn_secret, rtc_ice_secret_free);
      break;
    case PROP_TURN_USER:
      g_free (self->turn_user);
      self->turn_user = g_value_dup_string (value);
      break;
    case PROP_TTL:
      self->ttl = g_value_get_uint (value);
      break;
    case PROP_LOCATION:
      g_free (self->location);
      self->location = g_value_dup_string (value);
      apply = refetch_cb;
      break;
    case PROP_REFRESH_INTERVAL:
      self->refresh_interval = g_value_get_uint (value);
      apply = refetch_cb;
      break;
    case PROP_TIMEOUT:
      self->timeout = g_value_get_uint (value);
      apply = NULL;
      break;
    case PROP_ICE_TRANSPORT_POLICY:
      self->policy = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      apply = NULL;
      break;
  }
  if (self->source) {
    /* used from the source's next fetch, lookup or renewal on */
    rtc_ice_source_set_location (self->source, self->location,
        self->refresh_interval);
    rtc_ice_source_set_timeout (self->source, self->timeout);
    rtc_ice_source_set_turn_rest (self->source, self->turn_secret,
        self->turn_user, self->ttl);
  }
  /* while running, the worker applies it to webrtcbins added from now on */
  if (apply && self->running && self->context)
    run_in_worker (self, apply);
  g_mutex_unlock (&self->lock);
}

static void
gst_rtc_ice_servers_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstRtcIceServers *self = GST_RTC_ICE_SERVERS (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_ICE_SERVERS:{
      RtcIceConfig *config = NULL;

      if (self->ice_servers)
        config = rtc_ice_config_parse (self->ice_servers, -1, NULL);
      if (config) {
        g_value_take_string (value, rtc_ice_config_to_json (config, TRUE));
        rtc_ice_config_free (config);
      } else {
        g_value_set_string (value, NULL);
      }
      break;
    }
    case PROP_TURN_USER:
      g_value_set_string (value, self->turn_user);
      break;
    case PROP_TTL:
      g_value_set_uint (value, self->ttl);
      break;
    case PROP_LOCATION:
      g_value_set_string (value, self->location);
      break;
    case PROP_REFRESH_INTERVAL:
      g_value_set_uint (value, self->refresh_interval);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_ICE_TRANSPORT_POLICY:
      g_value_set_enum (value, self->policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}
