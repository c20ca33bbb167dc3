/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/video/video.h>

#include "rtckeyframe.h"

GST_DEBUG_CATEGORY_STATIC (rtc_keyframe_debug);
#define GST_CAT_DEFAULT rtc_keyframe_debug

/* marks the events we push ourselves, so our own probe lets them through */
#define COALESCED_FIELD "meshrtc-coalesced"

struct _RtcKeyframeCoalescer
{
  GstPad *pad;
  gulong probe_id;
  GMainContext *context;

  GMutex lock;
  guint interval_ms;
  gint64 last_forced_us;        /* monotonic, 0 = never */
  GSource *deferred;
  guint requests, forced;
};

/* An atomic reference-counted box (GLib): the owner, the pad probe and the
 * deferred source each hold a reference, so a probe call already running
 * when the owner frees us, or a source being dispatched on the context
 * thread, finishes on live memory. */
static void
coalescer_clear (RtcKeyframeCoalescer * self)
{
  gst_object_unref (self->pad);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
}

static void
coalescer_unref (RtcKeyframeCoalescer * self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) coalescer_clear);
}

static void
push_keyframe_request (RtcKeyframeCoalescer * self)
{
  GstEvent *event;
  GstStructure *s;

  event = gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
      TRUE, 0);
  s = gst_event_writable_structure (event);
  gst_structure_set (s, COALESCED_FIELD, G_TYPE_BOOLEAN, TRUE, NULL);
  gst_pad_push_event (self->pad, event);
}

static gboolean
deferred_cb (gpointer user_data)
{
  RtcKeyframeCoalescer *self = user_data;

  g_mutex_lock (&self->lock);
  /* destroyed or replaced by a join while this dispatch was starting */
  if (self->deferred != g_main_current_source ()) {
    g_mutex_unlock (&self->lock);
    return G_SOURCE_REMOVE;
  }
  g_clear_pointer (&self->deferred, g_source_unref);
  self->last_forced_us = g_get_monotonic_time ();
  self->forced++;
  g_mutex_unlock (&self->lock);
  GST_DEBUG_OBJECT (self->pad, "forcing deferred keyframe");
  push_keyframe_request (self);
  return G_SOURCE_REMOVE;
}

/* A peer that just connected cannot decode anything until a keyframe: its
 * request only waits this long after the previous forced keyframe, so
 * several peers joining together still share one (ms). */
#define JOIN_INTERVAL_MS 100

/* Returns TRUE if the caller should force a keyframe now. */
static gboolean
admit (RtcKeyframeCoalescer * self, gboolean join)
{
  gint64 now = g_get_monotonic_time ();
  gint64 elapsed_ms;
  gboolean now_ok = FALSE;

  guint interval;

  g_mutex_lock (&self->lock);
  interval = join ? MIN (self->interval_ms, JOIN_INTERVAL_MS) :
      self->interval_ms;
  self->requests++;
  elapsed_ms = (now - self->last_forced_us) / 1000;
  if (self->last_forced_us == 0 || elapsed_ms >= interval) {
    self->last_forced_us = now;
    self->forced++;
    now_ok = TRUE;
  } else if (!self->deferred || join) {
    /* a join request pulls an already deferred keyframe forward */
    if (self->deferred) {
      g_source_destroy (self->deferred);
      g_source_unref (self->deferred);
    }
    self->deferred = g_timeout_source_new (interval - elapsed_ms);
    g_source_set_callback (self->deferred, deferred_cb,
        g_atomic_rc_box_acquire (self), (GDestroyNotify) coalescer_unref);
    g_source_attach (self->deferred, self->context);
  }
  g_mutex_unlock (&self->lock);
  return now_ok;
}

static GstPadProbeReturn
upstream_event_probe (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  RtcKeyframeCoalescer *self = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  const GstStructure *s;

  if (!gst_video_event_is_force_key_unit (event))
    return GST_PAD_PROBE_OK;
  s = gst_event_get_structure (event);
  if (gst_structure_has_field (s, COALESCED_FIELD))
    return GST_PAD_PROBE_OK;
  if (admit (self, FALSE))
    return GST_PAD_PROBE_OK;
  GST_LOG_OBJECT (pad, "coalescing keyframe request");
  return GST_PAD_PROBE_DROP;
}

RtcKeyframeCoalescer *
rtc_keyframe_coalescer_new (GstPad * tee_sink, GMainContext * context,
    guint interval_ms)
{
  RtcKeyframeCoalescer *self = g_atomic_rc_box_new0 (RtcKeyframeCoalescer);

  if (!rtc_keyframe_debug)
    GST_DEBUG_CATEGORY_INIT (rtc_keyframe_debug, "rtckeyframe", 0,
        "gst-meshrtc keyframe request coalescing");
  g_mutex_init (&self->lock);
  self->pad = gst_object_ref (tee_sink);
  self->interval_ms = interval_ms;
  self->context = g_main_context_ref (context);
  self->probe_id = gst_pad_add_probe (tee_sink,
      GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, upstream_event_probe,
      g_atomic_rc_box_acquire (self), (GDestroyNotify) coalescer_unref);
  return self;
}

void
rtc_keyframe_coalescer_set_interval (RtcKeyframeCoalescer * self,
    guint interval_ms)
{
  g_mutex_lock (&self->lock);
  self->interval_ms = interval_ms;
  g_mutex_unlock (&self->lock);
}

void
rtc_keyframe_coalescer_request (RtcKeyframeCoalescer * self)
{
  if (admit (self, TRUE))
    push_keyframe_request (self);
}

void
rtc_keyframe_coalescer_get_counts (RtcKeyframeCoalescer * self,
    guint * requests, guint * forced)
{
  g_mutex_lock (&self->lock);
  if (requests)
    *requests = self->requests;
  if (forced)
    *forced = self->forced;
  g_mutex_unlock (&self->lock);
}

void
rtc_keyframe_coalescer_free (RtcKeyframeCoalescer * self)
{
  gst_pad_remove_probe (self->pad, self->probe_id);
  g_mutex_lock (&self->lock);
  if (self->deferred) {
    g_source_destroy (self->deferred);
    g_clear_pointer (&self->deferred, g_source_unref);
  }
  g_mutex_unlock (&self->lock);
  coalescer_unref (self);
}
