/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * RtcIceSource's operations (one fetch or one round of host-name lookups,
 * each bounded by its own timeout and cancelled by stop) and host-name
 * resolution.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "rtcicesource-private.h"

#define GST_CAT_DEFAULT rtc_ice_source_debug

void
rtc_ice_source_emit_warning (RtcIceSource * self, RtcIceSourceError code,
    const gchar * format, ...)
{
  GError *err;
  va_list args;

  va_start (args, format);
  err = g_error_new_valist (RTC_ICE_SOURCE_ERROR, code, format, args);
  va_end (args);
  GST_DEBUG_OBJECT (self, "warning: %s", err->message);
  g_signal_emit (self, rtc_ice_source_signals[RTC_ICE_SOURCE_SIGNAL_WARNING], 0,
      err);
  g_error_free (err);
}

static gboolean
operation_timeout_cb (gpointer user_data)
{
  RtcIceOperation *op = user_data;

  op->timed_out = TRUE;
  g_cancellable_cancel (op->cancellable);
  return G_SOURCE_REMOVE;
}

void
rtc_ice_operation_begin (RtcIceOperation * op, RtcIceSource * self)
{
  op->source = g_object_ref (self);
  g_atomic_int_inc (&self->operations);
  op->cancellable = g_cancellable_new ();

  g_mutex_lock (&self->lock);
  op->timeout = self->timeout;
  g_mutex_unlock (&self->lock);
  op->cancel_id = g_cancellable_connect (self->cancellable,
      G_CALLBACK (g_cancellable_cancel), g_object_ref (op->cancellable),
      g_object_unref);

  /* milliseconds: a seconds timer may fire up to a second late */
  op->timeout_source = g_timeout_source_new (op->timeout * 1000);
  g_source_set_callback (op->timeout_source, operation_timeout_cb, op, NULL);
  g_source_attach (op->timeout_source, self->context);
}

/* The operation's outcome: a cancellation by its own timeout is a
 * time-out. */
GError *
rtc_ice_operation_error (RtcIceOperation * op, const GError * error)
{
  if (op->timed_out && g_error_matches (error, G_IO_ERROR,
          G_IO_ERROR_CANCELLED))
    return g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
        "no answer within %u s", op->timeout);
  return g_error_copy (error);
}

/* Stopped: nothing to report, nothing to start. */
gboolean
rtc_ice_operation_stopped (RtcIceOperation * op)
{
  return g_cancellable_is_cancelled (op->source->cancellable);
}

/* Also frees @op, the first member of a g_new()ed struct. */
void
rtc_ice_operation_end (RtcIceOperation * op)
{
  g_source_destroy (op->timeout_source);
  g_source_unref (op->timeout_source);
  g_cancellable_disconnect (op->source->cancellable, op->cancel_id);
  g_object_unref (op->cancellable);
  g_atomic_int_add (&op->source->operations, -1);
  g_object_unref (op->source);
  g_free (op);
}

/* ------------------------------------------------------------------------ */
/* Resolving host names                                                     */

/* webrtcbin 1.22 hands STUN and TURN hosts to libnice, which takes IP
 * addresses only and silently ignores names: resolve them here. */
typedef struct
{
  RtcIceOperation op;
  guint pending;
  GPtrArray *failed;
  RtcIceResolvedFunc done;
  gpointer data;
} Resolve;

typedef struct
{
  Resolve *resolve;
  gchar *host;
} Lookup;

static void
resolve_finish (Resolve * resolve)
{
  RtcIceSource *self = resolve->op.source;

  if (resolve->failed->len > 0 && !rtc_ice_operation_stopped (&resolve->op)) {
    gchar *list;

    g_ptr_array_add (resolve->failed, NULL);
    list = g_strjoinv (", ", (GStrv) resolve->failed->pdata);
    rtc_ice_source_emit_warning (self, RTC_ICE_SOURCE_ERROR_UNRESOLVED, "%s",
        list);
    g_free (list);
  }

  resolve->done (self, resolve->data);

  g_ptr_array_unref (resolve->failed);
  rtc_ice_operation_end (&resolve->op);
}

static void
on_lookup_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  Lookup *lookup = user_data;
  Resolve *resolve = lookup->resolve;
  RtcIceSource *self = resolve->op.source;
  GList *addresses;
  gchar *address;
  GError *err = NULL;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), res, &err);
  address = rtc_ice_address_choose (addresses);
  if (address) {
    GST_DEBUG_OBJECT (self, "%s is %s", lookup->host, address);
    g_mutex_lock (&self->lock);
    if (self->addresses)
      g_hash_table_insert (self->addresses, g_strdup (lookup->host), address);
    else
      g_free (address);
    g_mutex_unlock (&self->lock);
  } else {
    GST_DEBUG_OBJECT (self, "%s: %s", lookup->host,
        err ? err->message : "no address");
    g_ptr_array_add (resolve->failed, g_strdup (lookup->host));
  }
  g_clear_error (&err);
  if (addresses)
    g_resolver_free_addresses (addresses);

  g_free (lookup->host);
  g_free (lookup);
  if (--resolve->pending == 0)
    resolve_finish (resolve);
}

/* Looks up the @hosts not known yet, then calls @done. */
void
rtc_ice_source_resolve_hosts (RtcIceSource * self, GStrv hosts,
    RtcIceResolvedFunc done, gpointer data)
{
  Resolve *resolve;
  GResolver *resolver;
  GPtrArray *todo = g_ptr_array_new ();
  guint i;

  g_mutex_lock (&self->lock);
  for (i = 0; hosts && hosts[i]; i++) {
    if (self->addresses && !g_hash_table_contains (self->addresses, hosts[i]))
      g_ptr_array_add (todo, hosts[i]);
  }
  g_mutex_unlock (&self->lock);

  if (todo->len == 0) {
    g_ptr_array_unref (todo);
    done (self, data);
    return;
  }

  resolve = g_new0 (Resolve, 1);
  rtc_ice_operation_begin (&resolve->op, self);
  resolve->failed = g_ptr_array_new_with_free_func (g_free);
  resolve->done = done;
  resolve->data = data;
  resolve->pending = todo->len;

  resolver = g_resolver_get_default ();
  for (i = 0; i < todo->len; i++) {
    Lookup *lookup = g_new0 (Lookup, 1);

    lookup->resolve = resolve;
    lookup->host = g_strdup (g_ptr_array_index (todo, i));
    g_resolver_lookup_by_name_async (resolver, lookup->host,
        resolve->op.cancellable, on_lookup_done, lookup);
  }
  g_object_unref (resolver);
  g_ptr_array_unref (todo);
}
