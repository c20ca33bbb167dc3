/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <libsoup/soup.h>

#include "rtcicesource-private.h"
#include "rtccontextthread.h"

GST_DEBUG_CATEGORY (rtc_ice_source_debug);
#define GST_CAT_DEFAULT rtc_ice_source_debug

/* A configuration document larger than this is not an ICE configuration. */
#define MAX_DOCUMENT_SIZE (1024 * 1024)
/* rtc_ice_source_stop() waits at most this long for cancelled work. */
#define STOP_DRAIN_TIMEOUT_MS 5000

guint rtc_ice_source_signals[RTC_ICE_SOURCE_LAST_SIGNAL];

G_DEFINE_TYPE (RtcIceSource, rtc_ice_source, G_TYPE_OBJECT);
G_DEFINE_QUARK (rtc - ice - source - error - quark, rtc_ice_source_error);

static void fetch_start (RtcIceSource * self, gboolean initial);

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

gchar *
rtc_ice_source_redact_location (const gchar * location)
{
  GUri *uri;
  gchar *res;

  if (!location)
    return g_strdup ("(none)");
  uri = g_uri_parse (location, G_URI_FLAGS_NONE, NULL);
  if (!uri)
    return g_strdup ("(invalid URL)");
  res = g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO | G_URI_HIDE_QUERY
      | G_URI_HIDE_FRAGMENT);
  g_uri_unref (uri);
  return res;
}

static void
cancel_source_locked (GSource ** slot)
{
  if (*slot) {
    g_source_destroy (*slot);
    g_source_unref (*slot);
    *slot = NULL;
  }
}

/* Replaces *@slot by a timeout of @seconds calling @func in the context. */
static void
schedule_locked (RtcIceSource * self, GSource ** slot, guint seconds,
    GSourceFunc func)
{
  cancel_source_locked (slot);
  if (!self->context)
    return;
  *slot = g_timeout_source_new_seconds (MAX (seconds, 1));
  g_source_set_callback (*slot, func, g_object_ref (self), g_object_unref);
  g_source_attach (*slot, self->context);
}

/* Called by a timer's callback: forget the timer that is firing. */
static void
clear_fired_locked (GSource ** slot)
{
  if (*slot == g_main_current_source ()) {
    g_source_unref (*slot);
    *slot = NULL;
  }
}

static void
emit_config_changed (RtcIceSource * self)
{
  RtcIceConfig *config = rtc_ice_source_dup_config (self);

  if (config) {
    g_signal_emit (self,
        rtc_ice_source_signals[RTC_ICE_SOURCE_SIGNAL_CONFIG_CHANGED], 0,
        config);
    rtc_ice_config_free (config);
  }
}

/* ------------------------------------------------------------------------ */
/* The configuration and its credentials                                    */

static gboolean renew_timeout_cb (gpointer user_data);

/* Combines the sources and gives TURN servers without credentials fresh
 * TURN REST ones. On success replaces current and schedules the renewal. */
static gboolean
rebuild_locked (RtcIceSource * self, GError ** error)
{
  RtcIceConfig *base = rtc_ice_config_new ();
  RtcIceConfig *resolved;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (self->servers)
    rtc_ice_config_append (base, self->servers);
  if (self->fetched)
    rtc_ice_config_append (base, self->fetched);

  resolved = rtc_ice_config_resolve_credentials (base, self->secret,
      self->turn_user, self->ttl, now, error);
  rtc_ice_config_free (base);
  if (!resolved)
    return FALSE;
  if (self->addresses)
    rtc_ice_config_set_addresses (resolved, self->addresses);

  rtc_ice_config_free (self->current);
  self->current = resolved;

  if (resolved->expiry != 0) {
    gint64 at = rtc_ice_config_renewal_time (resolved->expiry, self->ttl);

    GST_DEBUG_OBJECT (self, "generated TURN credentials expire at %"
        G_GINT64_FORMAT ", renewing in %" G_GINT64_FORMAT " s",
        resolved->expiry, at - now);
    schedule_locked (self, &self->renew_source, (guint) MAX (at - now, 1),
        renew_timeout_cb);
  }

  return TRUE;
}

static gboolean
renew_timeout_cb (gpointer user_data)
{
  RtcIceSource *self = user_data;
  GError *err = NULL;
  gboolean ok = FALSE;

  g_mutex_lock (&self->lock);
  clear_fired_locked (&self->renew_source);
  if (self->running)
    ok = rebuild_locked (self, &err);
  g_mutex_unlock (&self->lock);

  if (ok) {
    GST_INFO_OBJECT (self, "renewed TURN credentials");
    emit_config_changed (self);
  }
  g_clear_error (&err);

  return G_SOURCE_REMOVE;
}

gboolean
rtc_ice_source_renew_if_needed (RtcIceSource * self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GError *err = NULL;
  gboolean renewed = FALSE;

  g_return_val_if_fail (RTC_IS_ICE_SOURCE (self), FALSE);

  g_mutex_lock (&self->lock);
  if (self->running && self->current
      && rtc_ice_config_needs_renewal (self->current, self->ttl, now))
    renewed = rebuild_locked (self, &err);
  g_mutex_unlock (&self->lock);
  g_clear_error (&err);

  if (renewed)
    emit_config_changed (self);
  return renewed;
}

RtcIceConfig *
rtc_ice_source_dup_config (RtcIceSource * self)
{
  RtcIceConfig *config = NULL;

  g_return_val_if_fail (RTC_IS_ICE_SOURCE (self), NULL);

  g_mutex_lock (&self->lock);
  if (self->current)
    config = rtc_ice_config_copy (self->current);
  g_mutex_unlock (&self->lock);
  return config;
}

/* ------------------------------------------------------------------------ */
/* Resolving host names                                                     */

/* The first configuration, once its host names are resolved. */
static void
on_initial_resolved (RtcIceSource * self, gpointer data)
{
  GError *err = NULL;
  gboolean running, ok = FALSE;

  g_mutex_lock (&self->lock);
  running = self->running;
  if (running)
    ok = rebuild_locked (self, &err);
  g_mutex_unlock (&self->lock);

  if (ok) {
    emit_config_changed (self);
  } else if (running) {
    g_signal_emit (self, rtc_ice_source_signals[RTC_ICE_SOURCE_SIGNAL_ERROR], 0,
        err);
    g_error_free (err);
  }
}

/* The host names of the static servers and of the first document. */
static void
initial_resolve (RtcIceSource * self)
{
  GPtrArray *all = g_ptr_array_new_with_free_func (g_free);
  RtcIceConfig *configs[2];
  guint i, j;

  g_mutex_lock (&self->lock);
  configs[0] = self->servers;
  configs[1] = self->fetched;
  for (i = 0; i < 2; i++) {
    GStrv hosts;

    if (!configs[i])
      continue;
    hosts = rtc_ice_config_get_unresolved_hosts (configs[i]);
    for (j = 0; hosts[j]; j++)
      g_ptr_array_add (all, g_strdup (hosts[j]));
    g_strfreev (hosts);
  }
  g_mutex_unlock (&self->lock);
  g_ptr_array_add (all, NULL);

  rtc_ice_source_resolve_hosts (self, (GStrv) all->pdata, on_initial_resolved,
      NULL);
  g_ptr_array_unref (all);
}

/* New static servers, once their host names are resolved: swap them in. */
static void
on_servers_resolved (RtcIceSource * self, gpointer data)
{
  RtcIceConfig *servers = data, *old;
  GError *err = NULL;
  gboolean running, ok = FALSE;

  g_mutex_lock (&self->lock);
  running = self->running;
  if (running) {
    old = self->servers;
    self->servers = servers;
    ok = rebuild_locked (self, &err);
    if (ok) {
      rtc_ice_config_free (old);
    } else {
      self->servers = old;
      rtc_ice_config_free (servers);
    }
  } else {
    rtc_ice_config_free (servers);
  }
  g_mutex_unlock (&self->lock);

  if (ok) {
    emit_config_changed (self);
  } else if (running) {
    rtc_ice_source_emit_warning (self, RTC_ICE_SOURCE_ERROR_REJECTED, "%s",
        err->message);
    g_error_free (err);
  }
}

void
rtc_ice_source_set_servers (RtcIceSource * self, const RtcIceConfig * servers)
{
  RtcIceConfig *copy;
  gboolean running;
  GStrv hosts;

  g_return_if_fail (RTC_IS_ICE_SOURCE (self));

  copy = servers ? rtc_ice_config_copy (servers) : rtc_ice_config_new ();
  g_mutex_lock (&self->lock);
  running = self->running;
  if (!running) {
    rtc_ice_config_free (self->servers);
    self->servers = copy;
  }
  g_mutex_unlock (&self->lock);
  if (!running)
    return;

  hosts = rtc_ice_config_get_unresolved_hosts (copy);
  rtc_ice_source_resolve_hosts (self, hosts, on_servers_resolved, copy);
  g_strfreev (hosts);
}

/* ------------------------------------------------------------------------ */
/* Fetching the location                                                    */

typedef struct
{
  RtcIceOperation op;
  gboolean initial;
  gchar *location;
  SoupMessage *msg;
} Fetch;

typedef struct
{
  RtcIceConfig *config;
  gchar *where;
} Refreshed;

static gboolean
refresh_timeout_cb (gpointer user_data)
{
  RtcIceSource *self = user_data;

  g_mutex_lock (&self->lock);
  clear_fired_locked (&self->refresh_source);
  g_mutex_unlock (&self->lock);

  fetch_start (self, FALSE);
  return G_SOURCE_REMOVE;
}

/* Keeps the last good configuration, warns, retries with backoff. */
static void
refresh_failed (RtcIceSource * self, const gchar * where, GError * err)
{
  guint delay = 0;

  g_mutex_lock (&self->lock);
  if (self->running) {
    self->failures++;
    delay = rtc_ice_config_retry_delay (self->failures);
    schedule_locked (self, &self->refresh_source, delay, refresh_timeout_cb);
  }
  g_mutex_unlock (&self->lock);

  if (delay)
    rtc_ice_source_emit_warning (self, RTC_ICE_SOURCE_ERROR_REFRESH,
        "%s: %s; retrying in %u s", where, err->message, delay);
}

/* Schedules the next fetch of a good @document. */
static guint
schedule_refresh_locked (RtcIceSource * self, const RtcIceConfig * document)
{
  guint delay = rtc_ice_config_refresh_delay (document->ttl,
      self->refresh_interval);

  self->failures = 0;
  if (delay)
    schedule_locked (self, &self->refresh_source, delay, refresh_timeout_cb);
  return delay;
}

/* A refreshed document whose host names are resolved: swap it in. */
static void
on_refresh_resolved (RtcIceSource * self, gpointer data)
{
  Refreshed *r = data;
  RtcIceConfig *old;
  GError *err = NULL;
  gboolean ok;
  guint delay = 0;

  g_mutex_lock (&self->lock);
  if (!self->running) {
    g_mutex_unlock (&self->lock);
    ok = TRUE;
    goto out;
  }
  old = self->fetched;
  self->fetched = r->config;
  ok = rebuild_locked (self, &err);
  if (ok) {
    rtc_ice_config_free (old);
    delay = schedule_refresh_locked (self, r->config);
  } else {
    self->fetched = old;
    rtc_ice_config_free (r->config);
  }
  r->config = NULL;
  g_mutex_unlock (&self->lock);

  if (ok) {
    GST_INFO_OBJECT (self, "configuration refreshed from %s, next in %u s",
        r->where, delay);
    emit_config_changed (self);
  } else {
    refresh_failed (self, r->where, err);
    g_error_free (err);
  }

out:
  rtc_ice_config_free (r->config);
  g_free (r->where);
  g_free (r);
}

/* The document has arrived, or not. */
static void
fetch_finish (Fetch * fetch, GBytes * bytes, const GError * error)
{
  RtcIceSource *self = fetch->op.source;
  RtcIceConfig *config = NULL;
  GError *err = NULL;
  gchar *where = rtc_ice_source_redact_location (fetch->location);

  if (rtc_ice_operation_stopped (&fetch->op))
    goto out;

  if (error) {
    err = rtc_ice_operation_error (&fetch->op, error);
  } else {
    gsize size;
    const gchar *data = g_bytes_get_data (bytes, &size);

    if (size > MAX_DOCUMENT_SIZE)
      err = g_error_new (RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
          "document larger than %u bytes", MAX_DOCUMENT_SIZE);
    else
      config = rtc_ice_config_parse (data ? data : "", size, &err);
  }

  if (fetch->initial && config) {
    g_mutex_lock (&self->lock);
    rtc_ice_config_free (self->fetched);
    self->fetched = config;
    schedule_refresh_locked (self, config);
    g_mutex_unlock (&self->lock);
    initial_resolve (self);
  } else if (fetch->initial) {
    g_signal_emit (self, rtc_ice_source_signals[RTC_ICE_SOURCE_SIGNAL_ERROR], 0,
        err);
  } else if (config) {
    Refreshed *r = g_new0 (Refreshed, 1);
    GStrv hosts = rtc_ice_config_get_unresolved_hosts (config);

    r->config = config;
    r->where = g_strdup (where);
    rtc_ice_source_resolve_hosts (self, hosts, on_refresh_resolved, r);
    g_strfreev (hosts);
  } else {
    refresh_failed (self, where, err);
  }

out:
  g_clear_error (&err);
  g_free (where);
  g_clear_object (&fetch->msg);
  g_free (fetch->location);
  rtc_ice_operation_end (&fetch->op);
}

static void
on_soup_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  Fetch *fetch = user_data;
  GError *err = NULL;
  GBytes *bytes;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), res, &err);
  if (bytes
      && !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (fetch->msg))) {
    err = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "HTTP %u %s",
        soup_message_get_status (fetch->msg),
        soup_message_get_reason_phrase (fetch->msg));
    g_clear_pointer (&bytes, g_bytes_unref);
  }
  fetch_finish (fetch, bytes, err);
  if (bytes)
    g_bytes_unref (bytes);
  g_clear_error (&err);
}

static void
on_file_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  Fetch *fetch = user_data;
  GError *err = NULL;
  gchar *contents = NULL;
  gsize length = 0;
  GBytes *bytes = NULL;

  if (g_file_load_contents_finish (G_FILE (source), res, &contents, &length,
          NULL, &err))
    bytes = g_bytes_new_take (contents, length);
  fetch_finish (fetch, bytes, err);
  if (bytes)
    g_bytes_unref (bytes);
  g_clear_error (&err);
}

static void
fetch_start (RtcIceSource * self, gboolean initial)
{
  Fetch *fetch = g_new0 (Fetch, 1);
  GError *err = NULL;
  gchar *scheme;

  fetch->initial = initial;
  g_mutex_lock (&self->lock);
  fetch->location = g_strdup (self->location);
  g_mutex_unlock (&self->lock);
  rtc_ice_operation_begin (&fetch->op, self);

  if (!fetch->location) {
    /* location was unset while running: drop what it gave */
    GBytes *empty = g_bytes_new_static ("[]", 2);

    fetch_finish (fetch, empty, NULL);
    g_bytes_unref (empty);
    return;
  }

  GST_DEBUG_OBJECT (self, "fetching the ICE configuration (%s)",
      initial ? "initial" : "refresh");

  scheme = g_uri_parse_scheme (fetch->location);
  if (g_strcmp0 (scheme, "file") == 0) {
    GFile *file = g_file_new_for_uri (fetch->location);

    g_file_load_contents_async (file, fetch->op.cancellable, on_file_done,
        fetch);
    g_object_unref (file);
  } else if (g_strcmp0 (scheme, "http") == 0
      || g_strcmp0 (scheme, "https") == 0) {
    fetch->msg = soup_message_new (SOUP_METHOD_GET, fetch->location);
    if (!fetch->msg) {
      err = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "not a valid URL");
    } else {
      soup_message_headers_replace (soup_message_get_request_headers
          (fetch->msg), "Accept", "application/json");
      soup_session_send_and_read_async (self->session, fetch->msg,
          G_PRIORITY_DEFAULT, fetch->op.cancellable, on_soup_done, fetch);
    }
  } else {
    err = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
        "unsupported scheme \"%s\" (expected https, http or file)",
        scheme ? scheme : "");
  }
  g_free (scheme);

  if (err) {
    fetch_finish (fetch, NULL, err);
    g_error_free (err);
  }
}

void
rtc_ice_source_refetch (RtcIceSource * self)
{
  gboolean running;

  g_return_if_fail (RTC_IS_ICE_SOURCE (self));

  g_mutex_lock (&self->lock);
  running = self->running;
  if (running)
    cancel_source_locked (&self->refresh_source);
  g_mutex_unlock (&self->lock);

  if (running)
    fetch_start (self, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Start and stop                                                           */

void
rtc_ice_source_start (RtcIceSource * self)
{
  gboolean fetch;

  g_return_if_fail (RTC_IS_ICE_SOURCE (self));
  g_return_if_fail (self->context == NULL);

  g_mutex_lock (&self->lock);
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  self->failures = 0;
  self->running = TRUE;
  fetch = self->location != NULL;
  g_mutex_unlock (&self->lock);

  /* no per-I/O "timeout" of libsoup's: the operation's own timeout bounds
   * the whole fetch, and a second timer of the same length would race it
   * and name the failure "Socket I/O timed out" instead */
  self->session = soup_session_new_with_options ("user-agent",
      "gst-meshrtc/" VERSION " ", NULL);

  if (fetch)
    fetch_start (self, TRUE);
  else
    initial_resolve (self);
}

static gboolean
no_operations (gpointer data)
{
  RtcIceSource *self = data;

  return g_atomic_int_get (&self->operations) == 0;
}

void
rtc_ice_source_stop (RtcIceSource * self)
{
  GMainContext *context;

  g_return_if_fail (RTC_IS_ICE_SOURCE (self));

  if (!self->context)
    return;

  g_mutex_lock (&self->lock);
  self->running = FALSE;
  cancel_source_locked (&self->refresh_source);
  cancel_source_locked (&self->renew_source);
  context = self->context;
  g_mutex_unlock (&self->lock);

  /* libsoup and GResolver complete in this context: cancel, then let the
   * cancelled fetches and lookups finish (their callbacks free them and
   * drop their refs); bounded in case one never does */
  g_cancellable_cancel (self->cancellable);
  soup_session_abort (self->session);
  rtc_context_iterate_until (context, STOP_DRAIN_TIMEOUT_MS, no_operations,
      self);
  while (g_main_context_pending (context))
    g_main_context_iteration (context, FALSE);
  if (g_atomic_int_get (&self->operations) > 0)
    GST_WARNING_OBJECT (self, "%d operations did not finish",
        g_atomic_int_get (&self->operations));
  g_clear_object (&self->session);

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->fetched, rtc_ice_config_free);
  g_clear_pointer (&self->addresses, g_hash_table_unref);
  g_clear_pointer (&self->current, rtc_ice_config_free);
  g_clear_object (&self->cancellable);
  self->context = NULL;
  g_mutex_unlock (&self->lock);
  g_main_context_unref (context);
}

/* ------------------------------------------------------------------------ */
/* Settings                                                                 */

void
rtc_ice_source_set_location (RtcIceSource * self, const gchar * location,
    guint refresh_interval)
{
  g_return_if_fail (RTC_IS_ICE_SOURCE (self));

  g_mutex_lock (&self->lock);
  g_free (self->location);
  self->location = g_strdup (location);
  self->refresh_interval = refresh_interval;
  g_mutex_unlock (&self->lock);
}

void
rtc_ice_source_set_timeout (RtcIceSource * self, guint timeout)
{
  g_return_if_fail (RTC_IS_ICE_SOURCE (self));

  g_mutex_lock (&self->lock);
  self->timeout = MAX (timeout, 1);
  g_mutex_unlock (&self->lock);
}

void
rtc_ice_source_set_turn_rest (RtcIceSource * self, const gchar * secret,
    const gchar * user, guint ttl)
{
  g_return_if_fail (RTC_IS_ICE_SOURCE (self));

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->secret, rtc_ice_secret_free);
  if (secret && *secret)
    self->secret = g_strdup (secret);
  g_free (self->turn_user);
  self->turn_user = g_strdup (user);
  self->ttl = ttl;
  g_mutex_unlock (&self->lock);
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

RtcIceSource *
rtc_ice_source_new (void)
{
  return g_object_new (RTC_TYPE_ICE_SOURCE, NULL);
}

static void
rtc_ice_source_init (RtcIceSource * self)
{
  g_mutex_init (&self->lock);
  self->timeout = 10;
  self->ttl = 86400;
}

static void
rtc_ice_source_finalize (GObject * object)
{
  RtcIceSource *self = RTC_ICE_SOURCE (object);

  /* a source still running holds a ref from each of its timers */
  g_warn_if_fail (self->context == NULL);

  rtc_ice_config_free (self->servers);
  g_free (self->location);
  rtc_ice_secret_free (self->secret);
  g_free (self->turn_user);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (rtc_ice_source_parent_class)->finalize (object);
}

static void
rtc_ice_source_class_init (RtcIceSourceClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->finalize = rtc_ice_source_finalize;

  GST_DEBUG_CATEGORY_INIT (rtc_ice_source_debug, "rtcicesource", 0,
      "gst-meshrtc ICE configuration source");

  /**
   * RtcIceSource::config-changed:
   * @source: the source
   * @config: the new configuration, with credentials
   */
  rtc_ice_source_signals[RTC_ICE_SOURCE_SIGNAL_CONFIG_CHANGED] =
      g_signal_new ("config-changed", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      RTC_TYPE_ICE_CONFIG | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * RtcIceSource::error:
   * @source: the source
   * @error: why there is no first configuration
   */
  rtc_ice_source_signals[RTC_ICE_SOURCE_SIGNAL_ERROR] =
      g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
      NULL, NULL, NULL, G_TYPE_NONE, 1,
      G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * RtcIceSource::warning:
   * @source: the source
   * @error: what went wrong (%RTC_ICE_SOURCE_ERROR)
   */
  rtc_ice_source_signals[RTC_ICE_SOURCE_SIGNAL_WARNING] =
      g_signal_new ("warning", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
      NULL, NULL, NULL, G_TYPE_NONE, 1,
      G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}
