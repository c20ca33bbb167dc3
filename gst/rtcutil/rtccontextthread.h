/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_CONTEXT_THREAD_H__
#define __RTC_CONTEXT_THREAD_H__

#include <glib.h>

G_BEGIN_DECLS

/**
 * RtcContextThread:
 *
 * One thread that runs one #GMainContext (pushed as its thread-default)
 * until rtc_context_thread_stop(). Every element's signalling, server and
 * fetching work runs on one of these, never on a streaming thread or the
 * application's.
 *
 * The stop cannot be lost: it is a flag plus a source queued on the
 * context, and the thread checks the flag before each blocking iteration,
 * so a stop issued while the thread is still starting (before it iterates
 * for the first time) is seen as soon as it does. A #GMainLoop quit issued
 * before g_main_loop_run() would be lost and the join would hang.
 *
 * Not a GObject: the owner creates it in a state change and stops it in the
 * matching one.
 */
typedef struct _RtcContextThread RtcContextThread;

/**
 * RtcContextThreadFunc:
 * @user_data: as given to rtc_context_thread_new()
 *
 * Runs on the thread, with the context pushed: @on_start before it
 * iterates, @on_stop after it stopped iterating (to cancel and drain what
 * only this thread may touch, e.g. a SoupSession).
 */
typedef void (*RtcContextThreadFunc) (gpointer user_data);

RtcContextThread * rtc_context_thread_new (const gchar * name,
                                           GMainContext * context,
                                           RtcContextThreadFunc on_start,
                                           RtcContextThreadFunc on_stop,
                                           gpointer user_data);
GMainContext *     rtc_context_thread_get_context (RtcContextThread * self);
gboolean           rtc_context_thread_is_current (RtcContextThread * self);
void               rtc_context_thread_invoke (RtcContextThread * self,
                                              GSourceFunc func,
                                              gpointer data,
                                              GDestroyNotify notify);
void               rtc_context_thread_invoke_sync (RtcContextThread * self,
                                                   GSourceFunc func,
                                                   gpointer data);
void               rtc_context_thread_stop (RtcContextThread * self);

/* rtc_context_thread_invoke_sync() for any context run by another thread
 * (or by nobody: then @func runs on the caller's thread, which acquires
 * @context for it). */
void               rtc_context_invoke_sync (GMainContext * context,
                                            GSourceFunc func,
                                            gpointer data);

/* Iterates @context, which the calling thread must own or be able to
 * acquire, without blocking (sleeping 1 ms when nothing is ready) until
 * @done (@data) returns TRUE or @timeout_ms have passed. For a stop that
 * must let queued I/O finish before its thread goes away. Returns what
 * @done last returned. */
gboolean           rtc_context_iterate_until (GMainContext * context,
                                              guint timeout_ms,
                                              gboolean (*done) (gpointer data),
                                              gpointer data);

/* Destroys *@source (detaching it from its context) and drops the
 * reference, then sets it to NULL; nothing for NULL. */
void               rtc_clear_source (GSource ** source);

G_END_DECLS

#endif
