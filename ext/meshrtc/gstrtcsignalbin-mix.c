/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GstRtcSignalBin with mix=true, a local MCU: every remote video track is a
 * tile of one compositor grid, labelled with the peer's name, and every
 * remote audio track an input of one audiomixer. Both aggregators are live
 * (a latency of MIX_LATENCY_MS) and fed by a black or silent live source
 * of their own, so video_src_0 and audio_src_0 flow from PLAYING on,
 * before any peer came, and a peer that leaves or stalls never holds the
 * output back.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <glib/gi18n-lib.h>

#include "gstrtcsignalbin-private.h"

GST_DEBUG_CATEGORY_EXTERN (meshrtc_debug);
#define GST_CAT_DEFAULT meshrtc_debug

/* how long the aggregators wait for a late input before they produce
 * without it (ms) */
#define MIX_LATENCY_MS 40
#define MIX_AUDIO_CAPS \
  "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2"
/* characters of a peer id shown when its name is unknown */
#define LABEL_ID_CHARS 8
/* RtcMix's elements per kind, upstream to downstream */
enum
{
  SOURCE,
  SOURCE_CAPS,
  MIXER,
  OUTPUT_CAPS,
};

/* One remote track in the mix. */
typedef struct
{
  gchar *session_id;
  RtcMediaKind kind;
  GstElement *overlay;          /* video: its label, or NULL */
  GstPad *mixer_pad;            /* the aggregator's request pad */
} Tile;

typedef struct _RtcMix
{
  GstElement *elements[2][4];   /* per kind: SOURCE ... OUTPUT_CAPS */
  GstPad *pads[2];              /* video_src_0, audio_src_0 */
  GstPad *internal[2];          /* their internal proxy pads */

  GMutex lock;
  GList *tiles;                 /* of Tile, join order */
  gboolean warned_overlay;
} RtcMix;

static void
tile_free (Tile * tile)
{
  g_free (tile->session_id);
  gst_clear_object (&tile->overlay);
  gst_clear_object (&tile->mixer_pad);
  g_free (tile);
}

/* After EOS went out of the pad, nothing the mixer still makes follows it
 * (a stream-start after EOS would start the stream again downstream). The
 * internal pad's stream lock is held while this runs, and taken by
 * mix_end_run() to set the flag: the two never interleave. */
static GstPadProbeReturn
drop_after_end (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  GstRtcSignalBin *self = data;

  return g_atomic_int_get (&self->mix_ended) ? GST_PAD_PROBE_DROP :
      GST_PAD_PROBE_OK;
}

static GstElement *
make (const gchar * factory, gboolean * missing)
{
  GstElement *e = gst_element_factory_make (factory, NULL);

  if (!e) {
    GST_WARNING ("no %s element", factory);
    *missing = TRUE;
  }
  return e;
}

gboolean
gst_rtc_signal_bin_mix_start (GstRtcSignalBin * self, GError ** error)
{
  RtcMix *mix;
  GstCaps *caps[2], *bg_caps;
  gboolean missing = FALSE;
  guint kind, i;

  if (self->mix)
    return TRUE;
  mix = g_new0 (RtcMix, 1);
  g_mutex_init (&mix->lock);
  mix->elements[RTC_MEDIA_VIDEO][SOURCE] = make ("videotestsrc", &missing);
  mix->elements[RTC_MEDIA_AUDIO][SOURCE] = make ("audiotestsrc", &missing);
  mix->elements[RTC_MEDIA_VIDEO][MIXER] = make ("compositor", &missing);
  mix->elements[RTC_MEDIA_AUDIO][MIXER] = make ("audiomixer", &missing);
  for (kind = 0; kind < 2; kind++) {
    mix->elements[kind][SOURCE_CAPS] = make ("capsfilter", &missing);
    mix->elements[kind][OUTPUT_CAPS] = make ("capsfilter", &missing);
  }
  if (missing) {
    for (kind = 0; kind < 2; kind++)
      for (i = 0; i < G_N_ELEMENTS (mix->elements[kind]); i++)
        if (mix->elements[kind][i])
          gst_object_unref (gst_object_ref_sink (mix->elements[kind][i]));
    g_mutex_clear (&mix->lock);
    g_free (mix);
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "mix=true needs videotestsrc, audiotestsrc, compositor, audiomixer "
        "and capsfilter (gstreamer1.0-plugins-base)");
    return FALSE;
  }

  GST_OBJECT_LOCK (self);
  caps[RTC_MEDIA_VIDEO] = gst_caps_new_simple ("video/x-raw",
      "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, self->mix_width,
      "height", G_TYPE_INT, self->mix_height, "framerate", GST_TYPE_FRACTION,
      self->mix_fps_n, self->mix_fps_d, "pixel-aspect-ratio",
      GST_TYPE_FRACTION, 1, 1, NULL);
  GST_OBJECT_UNLOCK (self);
  caps[RTC_MEDIA_AUDIO] = gst_caps_from_string (MIX_AUDIO_CAPS);
  /* The video background only keeps the output live: the compositor
   * paints the frame black by itself and skips a pad of alpha 0, so its
   * frames can be tiny (drawing and scaling full frames cost a third of
   * the mix, docs/performance.md). */
  bg_caps = gst_caps_copy (caps[RTC_MEDIA_VIDEO]);
  gst_caps_set_simple (bg_caps, "width", G_TYPE_INT, 16, "height", G_TYPE_INT,
      16, NULL);

  g_object_set (mix->elements[RTC_MEDIA_VIDEO][SOURCE], "is-live", TRUE,
      "pattern", 2 /* black */ , NULL);
  /* 20 ms buffers at 48 kHz */
  g_object_set (mix->elements[RTC_MEDIA_AUDIO][SOURCE], "is-live", TRUE,
      "wave", 4 /* silence */ , "samplesperbuffer", 960, NULL);
  g_object_set (mix->elements[RTC_MEDIA_VIDEO][MIXER], "background",
      1 /* black */ , NULL);

  for (kind = 0; kind < 2; kind++) {
    GstPad *target, *bg;

    /* the output format fixed: left free, compositor would blend in a
     * wide format (ABGR64) at twice the CPU (docs/performance.md) */
    g_object_set (mix->elements[kind][SOURCE_CAPS], "caps",
        kind == RTC_MEDIA_VIDEO ? bg_caps : caps[kind], NULL);
    g_object_set (mix->elements[kind][OUTPUT_CAPS], "caps", caps[kind], NULL);
    /* a live aggregator produces on time, without a late input */
    g_object_set (mix->elements[kind][MIXER], "latency",
        (guint64) MIX_LATENCY_MS * GST_MSECOND, NULL);
    for (i = 0; i < G_N_ELEMENTS (mix->elements[kind]); i++) {
      gst_object_ref (mix->elements[kind][i]);
      gst_bin_add (GST_BIN (self), mix->elements[kind][i]);
    }
    gst_element_link_many (mix->elements[kind][SOURCE],
        mix->elements[kind][SOURCE_CAPS], mix->elements[kind][MIXER],
        mix->elements[kind][OUTPUT_CAPS], NULL);
    /* the background: the whole frame, under every tile */
    bg = gst_element_get_static_pad (mix->elements[kind][SOURCE_CAPS], "src");
    target = gst_pad_get_peer (bg);
    if (kind == RTC_MEDIA_VIDEO && target)
      g_object_set (target, "zorder", 0, "alpha", 0.0, NULL);
    gst_clear_object (&target);
    gst_object_unref (bg);

    target =
        gst_element_get_static_pad (mix->elements[kind][OUTPUT_CAPS], "src");
    mix->pads[kind] =
        gst_ghost_pad_new_from_template (kind ==
        RTC_MEDIA_VIDEO ? "video_src_0" : "audio_src_0", target,
        gst_element_class_get_pad_template (GST_ELEMENT_GET_CLASS (self),
            kind == RTC_MEDIA_VIDEO ? "video_src_%u" : "audio_src_%u"));
    gst_object_unref (target);
    gst_object_ref (mix->pads[kind]);
    mix->internal[kind] = GST_PAD (gst_proxy_pad_get_internal (GST_PROXY_PAD
            (mix->pads[kind])));
    gst_pad_add_probe (mix->internal[kind], GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM,
        drop_after_end, self, NULL);
    gst_rtc_base_bin_drop_when_unlinked (mix->pads[kind]);
    gst_caps_unref (caps[kind]);
  }
  g_atomic_int_set (&self->mix_ended, FALSE);
  GST_OBJECT_LOCK (self);
  self->mix = mix;
  GST_OBJECT_UNLOCK (self);
  gst_caps_unref (bg_caps);
  for (kind = 0; kind < 2; kind++) {
    gst_pad_set_active (mix->pads[kind], TRUE);
    gst_element_add_pad (GST_ELEMENT (self), mix->pads[kind]);
  }
  GST_INFO_OBJECT (self, "mixing into %" GST_PTR_FORMAT " and %"
      GST_PTR_FORMAT, mix->pads[0], mix->pads[1]);
  return TRUE;
}

void
gst_rtc_signal_bin_mix_stop (GstRtcSignalBin * self)
{
  RtcMix *mix = self->mix;
  guint kind, i;

  if (!mix)
    return;
  GST_OBJECT_LOCK (self);
  self->mix = NULL;
  GST_OBJECT_UNLOCK (self);
  for (kind = 0; kind < 2; kind++) {
    gst_pad_set_active (mix->pads[kind], FALSE);
    gst_element_remove_pad (GST_ELEMENT (self), mix->pads[kind]);
    gst_object_unref (mix->pads[kind]);
    gst_object_unref (mix->internal[kind]);
  }
  /* the tiles' sessions ended before (their decoders went); what is
   * left belongs to the mixers */
  g_list_free_full (mix->tiles, (GDestroyNotify) tile_free);
  for (kind = 0; kind < 2; kind++)
    for (i = 0; i < G_N_ELEMENTS (mix->elements[kind]); i++) {
      gst_element_set_locked_state (mix->elements[kind][i], TRUE);
      gst_element_set_state (mix->elements[kind][i], GST_STATE_NULL);
      gst_bin_remove (GST_BIN (self), mix->elements[kind][i]);
      gst_object_unref (mix->elements[kind][i]);
    }
  g_mutex_clear (&mix->lock);
  g_free (mix);
}

/* Lays the video tiles out in a grid of ceil(sqrt(N)) columns, in join
 * order, over the whole output (mix->lock held). */
static void
reflow (GstRtcSignalBin * self, RtcMix * mix)
{
  guint n = 0, cols, rows, i = 0;
  gint width, height;
  GList *l;

  for (l = mix->tiles; l; l = l->next)
    n += ((Tile *) l->data)->kind == RTC_MEDIA_VIDEO;
  if (n == 0)
    return;
  /* ceil (sqrt (n)) */
  for (cols = 1; cols * cols < n; cols++);
  rows = (n + cols - 1) / cols;
  GST_OBJECT_LOCK (self);
  width = self->mix_width / cols;
  height = self->mix_height / rows;
  GST_OBJECT_UNLOCK (self);
  for (l = mix->tiles; l; l = l->next) {
    Tile *tile = l->data;

    if (tile->kind != RTC_MEDIA_VIDEO)
      continue;
    g_object_set (tile->mixer_pad, "xpos", (gint) (i % cols) * width,
        "ypos", (gint) (i / cols) * height, "width", width, "height", height,
        "zorder", 1, NULL);
    i++;
  }
  GST_DEBUG_OBJECT (self, "%u tiles, %u x %u grid", n, cols, rows);
}

/* The peer's meta name, or the start of its id. */
static gchar *
label_for (GstRtcSignalBin * self, const gchar * remote_id)
{
  gchar *label = gst_rtc_base_bin_dup_producer_name (GST_RTC_BASE_BIN (self),
      remote_id);

  return label ? label : g_strndup (remote_id, LABEL_ID_CHARS);
}

void
gst_rtc_signal_bin_mix_add (GstRtcSignalBin * self, const gchar * session_id,
    const gchar * remote_id, RtcMediaKind kind, GstPad * pad)
{
  RtcMix *mix = self->mix;
  GstPad *from, *sink;
  Tile *tile;

  if (!mix)
    return;
  from = gst_object_ref (pad);
  tile = g_new0 (Tile, 1);
  tile->session_id = g_strdup (session_id);
  tile->kind = kind;

  if (tile->kind == RTC_MEDIA_VIDEO) {
    tile->overlay = gst_element_factory_make ("textoverlay", NULL);
    if (tile->overlay) {
      gchar *label = label_for (self, remote_id);

      GST_DEBUG_OBJECT (self, "tile of %s labelled '%s'", remote_id, label);
      g_object_set (tile->overlay, "text", label, "valignment", 2       /* bottom */
          , "halignment", 0 /* left */ , "shaded-background", TRUE,
          "font-desc", "Sans 14", NULL);
      g_free (label);
      gst_object_ref (tile->overlay);
      gst_bin_add (GST_BIN (self), tile->overlay);
      sink = gst_element_get_static_pad (tile->overlay, "video_sink");
      gst_pad_link (from, sink);
      gst_object_unref (sink);
      gst_object_unref (from);
      from = gst_element_get_static_pad (tile->overlay, "src");
      gst_element_sync_state_with_parent (tile->overlay);
    } else if (!mix->warned_overlay) {
      mix->warned_overlay = TRUE;
      GST_ELEMENT_WARNING (self, CORE, MISSING_PLUGIN,
          (_("Cannot label the peers in the mix: an element is missing.")),
          ("no textoverlay (gstreamer1.0-x): tiles go unlabelled"));
    }
  }
  tile->mixer_pad =
      gst_element_request_pad_simple (mix->elements[tile->kind][MIXER],
      "sink_%u");
  if (gst_pad_link (from, tile->mixer_pad) != GST_PAD_LINK_OK)
    GST_WARNING_OBJECT (self, "cannot mix %" GST_PTR_FORMAT, pad);
  gst_object_unref (from);

  g_mutex_lock (&mix->lock);
  mix->tiles = g_list_append (mix->tiles, tile);
  reflow (self, mix);
  g_mutex_unlock (&mix->lock);
  /* the pipeline's latency grows by the peer's: without a new one, the
   * aggregator would drop every frame of this tile as late */
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_latency (GST_OBJECT (self)));
}

void
gst_rtc_signal_bin_mix_remove (GstRtcSignalBin * self, const gchar * session_id)
{
  RtcMix *mix = self->mix;
  GList *gone = NULL, *l, *next;

  if (!mix)
    return;
  g_mutex_lock (&mix->lock);
  for (l = mix->tiles; l; l = next) {
    next = l->next;
    if (g_str_equal (((Tile *) l->data)->session_id, session_id)) {
      gone = g_list_append (gone, l->data);
      mix->tiles = g_list_delete_link (mix->tiles, l);
    }
  }
  reflow (self, mix);
  g_mutex_unlock (&mix->lock);

  for (l = gone; l; l = l->next) {
    Tile *tile = l->data;

    if (tile->overlay) {
      gst_element_set_locked_state (tile->overlay, TRUE);
      gst_element_set_state (tile->overlay, GST_STATE_NULL);
      gst_bin_remove (GST_BIN (self), tile->overlay);
    }
    gst_element_release_request_pad (mix->elements[tile->kind][MIXER],
        tile->mixer_pad);
  }
  g_list_free_full (gone, (GDestroyNotify) tile_free);
}

typedef struct
{
  GstPad *pads[2];
  GstPad *internal[2];
  GstEvent *eos;
} MixEnd;

static void
mix_end_free (gpointer data)
{
  MixEnd *end = data;
  guint kind;

  for (kind = 0; kind < 2; kind++) {
    gst_clear_object (&end->pads[kind]);
    gst_clear_object (&end->internal[kind]);
  }
  gst_event_unref (end->eos);
  g_free (end);
}

/* Not on the caller's thread: EOS waits while a sink downstream prerolls.
 * Once each internal pad's stream lock was held, nothing of the mixer is
 * between the probe and the pad: the last thing to go out is EOS. */
static void
mix_end_run (GstElement * element, gpointer data)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (element);
  MixEnd *end = data;
  guint kind;

  if (end->pads[0]) {
    for (kind = 0; kind < 2; kind++)
      GST_PAD_STREAM_LOCK (end->internal[kind]);
    g_atomic_int_set (&self->mix_ended, TRUE);
    for (kind = 0; kind < 2; kind++)
      GST_PAD_STREAM_UNLOCK (end->internal[kind]);
    for (kind = 0; kind < 2; kind++)
      gst_rtc_signal_bin_push_eos (end->pads[kind], end->eos);
  }
  gst_rtc_base_bin_end_without_inputs (GST_RTC_BASE_BIN (element),
      gst_event_get_seqnum (end->eos));
}

void
gst_rtc_signal_bin_mix_end (GstRtcSignalBin * self, GstEvent * event)
{
  MixEnd *end = g_new0 (MixEnd, 1);
  guint kind;

  GST_INFO_OBJECT (self, "EOS: ending the mix");
  GST_OBJECT_LOCK (self);
  for (kind = 0; self->mix && kind < 2; kind++) {
    end->pads[kind] = gst_object_ref (self->mix->pads[kind]);
    end->internal[kind] = gst_object_ref (self->mix->internal[kind]);
  }
  GST_OBJECT_UNLOCK (self);
  end->eos = event;
  gst_element_call_async (GST_ELEMENT (self), mix_end_run, end, mix_end_free);
}
