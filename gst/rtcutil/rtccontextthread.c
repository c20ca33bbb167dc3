/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "rtccontextthread.h"

struct _RtcContextThread
{
  GMainContext *context;
  GThread *thread;
  RtcContextThreadFunc on_start;
  RtcContextThreadFunc on_stop;
  gpointer user_data;
  gint stopping;                /* atomic */
};

static gpointer
thread_main (gpointer data)
{
  RtcContextThread *self = data;

  g_main_context_push_thread_default (self->context);
  if (self->on_start)
    self->on_start (self->user_data);
  /* the flag is read before every blocking iteration, and stop() wakes
   * the context after setting it: no stop is missed */
  while (!g_atomic_int_get (&self->stopping))
    g_main_context_iteration (self->context, TRUE);
  if (self->on_stop)
    self->on_stop (self->user_data);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/**
 * rtc_context_thread_new:
 * @name: thread name (shows in gdb and top)
 * @context: (nullable): the context to run; %NULL makes a new one
 * @on_start: (nullable): run on the thread before it iterates (e.g. work
 *   that must happen off the caller's thread)
 * @on_stop: (nullable): run on the thread once it stopped iterating
 * @user_data: for @on_start and @on_stop
 *
 * Starts the thread at once.
 *
 * Returns: (transfer full): the running thread; stop it with
 *   rtc_context_thread_stop(), which also frees it.
 */
RtcContextThread *
rtc_context_thread_new (const gchar * name, GMainContext * context,
    RtcContextThreadFunc on_start, RtcContextThreadFunc on_stop,
    gpointer user_data)
{
  RtcContextThread *self = g_new0 (RtcContextThread, 1);

  self->context = context ? g_main_context_ref (context) :
      g_main_context_new ();
  self->on_start = on_start;
  self->on_stop = on_stop;
  self->user_data = user_data;
  self->thread = g_thread_new (name, thread_main, self);
  return self;
}

GMainContext *
rtc_context_thread_get_context (RtcContextThread * self)
{
  return self->context;
}

/**
 * rtc_context_thread_is_current:
 * @self: the thread
 *
 * Returns: %TRUE when called from @self's own thread.
 */
gboolean
rtc_context_thread_is_current (RtcContextThread * self)
{
  return self->thread == g_thread_self ();
}

/**
 * rtc_context_thread_invoke:
 * @self: the thread
 * @func: what to run
 * @data: for @func
 * @notify: (nullable): frees @data, after @func, or when the source is
 *   dropped because the thread stopped first
 *
 * Runs @func on @self's thread: at once when called from it, otherwise at
 * its next iteration.
 */
void
rtc_context_thread_invoke (RtcContextThread * self, GSourceFunc func,
    gpointer data, GDestroyNotify notify)
{
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, func, data,
      notify);
}

typedef struct
{
  GSourceFunc func;
  gpointer data;
  GMutex lock;
  GCond cond;
  gboolean done;
} SyncCall;

static gboolean
sync_call_cb (gpointer data)
{
  SyncCall *call = data;

  call->func (call->data);
  g_mutex_lock (&call->lock);
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->lock);
  return G_SOURCE_REMOVE;
}

static void
invoke_and_wait (GMainContext * context, GSourceFunc func, gpointer data)
{
  SyncCall call = { func, data };
  GSource *source = g_idle_source_new ();

  g_mutex_init (&call.lock);
  g_cond_init (&call.cond);
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, sync_call_cb, &call, NULL);
  g_source_attach (source, context);
  g_source_unref (source);
  g_mutex_lock (&call.lock);
  while (!call.done)
    g_cond_wait (&call.cond, &call.lock);
  g_mutex_unlock (&call.lock);
  g_mutex_clear (&call.lock);
  g_cond_clear (&call.cond);
}

/**
 * rtc_context_invoke_sync:
 * @context: a context
 * @func: what to run; its return value is ignored
 * @data: for @func
 *
 * Runs @func with @context held and waits until it returned: at once on
 * the caller's thread when it owns @context or can acquire it (nobody is
 * iterating it at the moment, so nothing runs concurrently), otherwise on
 * the thread that iterates it, which must keep doing so until then.
 */
void
rtc_context_invoke_sync (GMainContext * context, GSourceFunc func,
    gpointer data)
{
  if (g_main_context_acquire (context)) {
    func (data);
    g_main_context_release (context);
    return;
  }
  invoke_and_wait (context, func, data);
}

/**
 * rtc_context_thread_invoke_sync:
 * @self: a thread not yet stopped
 * @func: what to run; its return value is ignored
 * @data: for @func
 *
 * Runs @func on @self's thread, with its context as the thread-default,
 * and waits until it returned. From the thread itself it runs at once.
 */
void
rtc_context_thread_invoke_sync (RtcContextThread * self, GSourceFunc func,
    gpointer data)
{
  if (rtc_context_thread_is_current (self)) {
    func (data);
    return;
  }
  invoke_and_wait (self->context, func, data);
}

/**
 * rtc_context_thread_stop:
 * @self: (transfer full): the thread
 *
 * Makes the thread leave its loop, joins it and frees @self. Safe however
 * early it is called, even before the thread started iterating. Sources
 * still attached to the context stay there (the owner may dispatch or drop
 * them); must not be called from the thread itself.
 */
void
rtc_context_thread_stop (RtcContextThread * self)
{
  g_return_if_fail (!rtc_context_thread_is_current (self));

  g_atomic_int_set (&self->stopping, TRUE);
  g_main_context_wakeup (self->context);
  g_thread_join (self->thread);
  g_main_context_unref (self->context);
  g_free (self);
}

gboolean
rtc_context_iterate_until (GMainContext * context, guint timeout_ms,
    gboolean (*done) (gpointer data), gpointer data)
{
  gint64 deadline =
      g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean finished;

  while (!(finished = done (data)) && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (context, FALSE))
      g_usleep (1000);
  return finished;
}

void
rtc_clear_source (GSource ** source)
{
  if (*source) {
    g_source_destroy (*source);
    g_clear_pointer (source, g_source_unref);
  }
}
