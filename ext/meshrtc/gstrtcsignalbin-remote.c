/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GstRtcSignalBin's remote side: the receive chain of each remote track,
 * the slots whose src pads expose them (video_src_N/audio_src_N), and
 * ending them when a session ends or EOS is sent to the element.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <glib/gi18n-lib.h>

#include "gstrtcsignalbin-private.h"

GST_DEBUG_CATEGORY_EXTERN (meshrtc_debug);
#define GST_CAT_DEFAULT meshrtc_debug

void
gst_rtc_signal_bin_slot_free (Slot * slot)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (slot->pads); i++)
    gst_clear_object (&slot->pads[i]);
  g_free (slot);
}

/* Ends the stream on @pad, which may have no target (a pad exposed only
 * to carry EOS): stream-start and segment first, as downstream expects.
 * Nothing for a pad no longer on the element. */
void
gst_rtc_signal_bin_push_eos (GstPad * pad, GstEvent * eos)
{
  GstObject *parent = gst_object_get_parent (GST_OBJECT (pad));
  GstEvent *sticky;

  if (!parent)
    return;
  sticky = gst_pad_get_sticky_event (pad, GST_EVENT_STREAM_START, 0);
  if (sticky) {
    gst_event_unref (sticky);
  } else {
    /* the pad's name tells this stream from the bin's other src pads
     * (a bin with several src pads needs one) */
    gchar *id = gst_pad_create_stream_id (pad, GST_ELEMENT (parent),
        GST_OBJECT_NAME (pad));
    GstSegment segment;

    gst_pad_push_event (pad, gst_event_new_stream_start (id));
    g_free (id);
    gst_segment_init (&segment, GST_FORMAT_TIME);
    gst_pad_push_event (pad, gst_event_new_segment (&segment));
  }
  gst_pad_push_event (pad, gst_event_ref (eos));
  gst_object_unref (parent);
}

typedef struct
{
  gchar *session_id;
  Slot *slot;
} SlotEnd;

static void
slot_end_free (gpointer data)
{
  SlotEnd *end = data;

  g_free (end->session_id);
  g_free (end);
}

/* Not on the context thread: EOS waits while a sink downstream prerolls.
 * The slot stays in the table (its number taken) until its pads are
 * gone, so a new session cannot reuse their names meanwhile. */
static void
slot_end_run (GstElement * element, gpointer data)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (element);
  SlotEnd *end = data;
  GstEvent *eos = gst_event_new_eos ();
  guint i;

  /* what is linked downstream ends before the pad goes */
  for (i = 0; i < G_N_ELEMENTS (end->slot->pads); i++)
    if (end->slot->pads[i])
      gst_rtc_signal_bin_push_eos (end->slot->pads[i], eos);
  gst_event_unref (eos);
  g_rec_mutex_lock (&self->slots_lock);
  for (i = 0; i < G_N_ELEMENTS (end->slot->pads); i++) {
    if (!end->slot->pads[i])
      continue;
    gst_pad_set_active (end->slot->pads[i], FALSE);
    gst_element_remove_pad (element, end->slot->pads[i]);
  }
  g_hash_table_remove (self->slots, end->session_id);
  g_rec_mutex_unlock (&self->slots_lock);
}

/* The session's slot goes: slot 0 at once (its pads stay, for the next
 * session), a further one once its pads have ended and gone. */
static void
end_slot (GstRtcSignalBin * self, const gchar * session_id)
{
  Slot *slot;
  SlotEnd *end;

  g_rec_mutex_lock (&self->slots_lock);
  slot = g_hash_table_lookup (self->slots, session_id);
  if (!slot || slot->ending) {
    g_rec_mutex_unlock (&self->slots_lock);
    return;
  }
  if (slot->index == 0 || (!slot->pads[0] && !slot->pads[1])) {
    g_hash_table_remove (self->slots, session_id);
    g_rec_mutex_unlock (&self->slots_lock);
    return;
  }
  slot->ending = TRUE;
  g_rec_mutex_unlock (&self->slots_lock);
  end = g_new0 (SlotEnd, 1);
  end->session_id = g_strdup (session_id);
  end->slot = slot;
  gst_element_call_async (GST_ELEMENT (self), slot_end_run, end, slot_end_free);
}

void
gst_rtc_signal_bin_drop_decoders (GstRtcSignalBin * self,
    const gchar * session_id)
{
  GList *decoders = NULL, *l;
  gchar *key = NULL;
  guint i;

  GST_OBJECT_LOCK (self);
  /* stealing hands over the key too: it is ours to free */
  g_hash_table_steal_extended (self->decoders, session_id,
      (gpointer *) & key, (gpointer *) & decoders);
  GST_OBJECT_UNLOCK (self);
  g_free (key);

  end_slot (self, session_id);

  for (l = decoders; l; l = l->next) {
    GstElement *dec = l->data;

    /* the src pads stay; only their targets go with the session */
    for (i = 0; i < G_N_ELEMENTS (self->src_pads); i++) {
      GstPad *target;

      if (!self->src_pads[i])
        continue;
      target = gst_ghost_pad_get_target (GST_GHOST_PAD (self->src_pads[i]));
      if (target && GST_OBJECT_PARENT (target) == GST_OBJECT (dec))
        gst_ghost_pad_set_target (GST_GHOST_PAD (self->src_pads[i]), NULL);
      gst_clear_object (&target);
    }
    gst_element_set_locked_state (dec, TRUE);
    gst_element_set_state (dec, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (self), dec);
  }
  g_list_free (decoders);
  gst_rtc_signal_bin_mix_remove (self, session_id);
}

typedef struct
{
  GPtrArray *pads;
  GstEvent *eos;
  gboolean post;                /* the bin posts its EOS after */
} EosPush;

static void
eos_push_free (gpointer data)
{
  EosPush *push = data;

  g_ptr_array_unref (push->pads);
  gst_event_unref (push->eos);
  g_free (push);
}

static void
eos_push_run (GstElement * element, gpointer data)
{
  EosPush *push = data;
  guint i;

  for (i = 0; i < push->pads->len; i++)
    gst_rtc_signal_bin_push_eos (g_ptr_array_index (push->pads, i), push->eos);
  if (push->post)
    gst_rtc_base_bin_end_without_inputs (GST_RTC_BASE_BIN (element),
        gst_event_get_seqnum (push->eos));
}

static gboolean
slot_has_index (gpointer key, gpointer value, gpointer index)
{
  return ((Slot *) value)->index == GPOINTER_TO_UINT (index);
}

/* The lowest slot number no session holds, ending ones included
 * (slots_lock held). */
static guint
free_slot_index (GstRtcSignalBin * self)
{
  guint index = 0;

  while (g_hash_table_find (self->slots, slot_has_index,
          GUINT_TO_POINTER (index)))
    index++;
  return index;
}

/* Exposes @pad, a remote track of @session_id, on its slot's src pad of
 * @kind. Only an ingest and a room member have more than one session,
 * hence slots above 0; the others always use slot 0. */
static void
expose_remote_pad (GstRtcSignalBin * self, const gchar * session_id,
    RtcMediaKind kind, GstPad * pad)
{
  gboolean many = gst_rtc_signal_bin_many_sessions (self);
  GstPad **slot_pad, *ghost;
  Slot *slot;
  gboolean add = FALSE;

  /* held while the pad is added: end_slot() must not remove it first */
  g_rec_mutex_lock (&self->slots_lock);
  slot = g_hash_table_lookup (self->slots, session_id);
  if (slot && slot->ending) {
    /* the session ended while this track was being built */
    g_rec_mutex_unlock (&self->slots_lock);
    return;
  }
  if (!slot) {
    slot = g_new0 (Slot, 1);
    slot->index = many ? free_slot_index (self) : 0;
    g_hash_table_insert (self->slots, g_strdup (session_id), slot);
  }
  GST_OBJECT_LOCK (self);
  slot_pad = slot->index == 0 ? &self->src_pads[kind] : &slot->pads[kind];
  if (!*slot_pad) {
    GstPadTemplate *templ = gst_element_class_get_pad_template
        (GST_ELEMENT_GET_CLASS (self),
        kind == RTC_MEDIA_VIDEO ? "video_src_%u" : "audio_src_%u");
    gchar *name = g_strdup_printf ("%s_src_%u",
        kind == RTC_MEDIA_VIDEO ? "video" : "audio", slot->index);

    *slot_pad = gst_ghost_pad_new_no_target_from_template (name, templ);
    /* e.g. a room's third member while gst-launch-1.0 linked only the
     * first member's pads */
    gst_rtc_base_bin_drop_when_unlinked (*slot_pad);
    /* a further slot holds its pads (slot_free); src_pads are the
     * element's only */
    if (slot->index > 0)
      gst_object_ref_sink (*slot_pad);
    g_free (name);
    add = TRUE;
  }
  ghost = gst_object_ref (*slot_pad);
  GST_OBJECT_UNLOCK (self);

  if (!gst_ghost_pad_set_target (GST_GHOST_PAD (ghost), pad))
    GST_WARNING_OBJECT (self, "cannot expose %" GST_PTR_FORMAT, pad);
  else if (add) {
    gst_pad_set_active (ghost, TRUE);
    gst_element_add_pad (GST_ELEMENT (self), ghost);
    /* after EOS, e.g. a publisher's track that came as Ctrl-C did: what
     * gets linked to it must end too, or the pipeline waits for it */
    if (self->eos) {
      EosPush *push = g_new0 (EosPush, 1);

      push->pads = g_ptr_array_new_with_free_func (gst_object_unref);
      g_ptr_array_add (push->pads, gst_object_ref (ghost));
      push->eos = gst_event_ref (self->eos);
      gst_element_call_async (GST_ELEMENT (self), eos_push_run, push,
          eos_push_free);
    }
  }
  g_rec_mutex_unlock (&self->slots_lock);
  gst_object_unref (ghost);
}

void
gst_rtc_signal_bin_remote_pad (GstRtcBaseBin * base,
    const gchar * session_id, const gchar * remote_id, GstPad * pad)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);
  GstCaps *caps = gst_pad_get_current_caps (pad);
  const RtcCodec *codec;
  GstElement *dec = NULL;
  GstPad *sink, *src;
  GList *list;
  gchar *desc = NULL;
  GError *err = NULL;

  if (!caps)
    caps = gst_pad_query_caps (pad, NULL);
  /* the chain for one remote RTP stream, from the codec table: depayloader
   * and, unless decode is off, decoder; predictable and cheap, unlike
   * decodebin */
  codec = rtc_codec_by_name (gst_structure_get_string
      (gst_caps_get_structure (caps, 0), "encoding-name"));
  if (codec)
    desc = rtc_codec_receive_description (codec, self->decode);
  if (desc)
    dec = gst_parse_bin_from_description (desc, TRUE, &err);
  if (!dec) {
    GST_ELEMENT_WARNING (self, STREAM, CODEC_NOT_FOUND,
        (_("Cannot receive a remote track: no decoder for its codec.")),
        ("%" GST_PTR_FORMAT ": %s", caps, err ? err->message :
            "unsupported encoding"));
    g_clear_error (&err);
    gst_caps_unref (caps);
    g_free (desc);
    return;
  }
  gst_caps_unref (caps);
  g_free (desc);

  gst_bin_add (GST_BIN (self), dec);
  sink = gst_element_get_static_pad (dec, "sink");
  gst_pad_link (pad, sink);
  gst_object_unref (sink);
  src = gst_element_get_static_pad (dec, "src");
  if (self->mix)
    gst_rtc_signal_bin_mix_add (self, session_id, remote_id, codec->kind, src);
  else
    expose_remote_pad (self, session_id, codec->kind, src);
  gst_object_unref (src);
  gst_element_sync_state_with_parent (dec);

  GST_OBJECT_LOCK (self);
  list = g_hash_table_lookup (self->decoders, session_id);
  g_hash_table_steal (self->decoders, session_id);
  g_hash_table_insert (self->decoders, g_strdup (session_id),
      g_list_prepend (list, dec));
  GST_OBJECT_UNLOCK (self);
  /* the session may have ended while we built the chain, its decoders
   * already dropped: drop this one too */
  if (!gst_rtc_base_bin_has_session (base, session_id))
    gst_rtc_signal_bin_drop_decoders (self, session_id);
}

/* EOS sent to the element (see gst_rtc_signal_bin_send_event()): anything
 * that receives (a room, a consumer, a WHEP player, an ingest) ends its src
 * pads. Takes @event. */
void
gst_rtc_signal_bin_end_remote_pads (GstRtcSignalBin * self, GstEvent * event)
{
  GstElement *element = GST_ELEMENT (self);
  GstPad *pads[2] = { NULL, NULL };
  GHashTableIter iter;
  Slot *slot;
  EosPush *push;
  guint i;

  if (gst_rtc_signal_bin_get_roles (GST_RTC_BASE_BIN (self)) &
      (RTC_ROLE_CONSUMER | RTC_ROLE_LISTENER)) {
    for (i = 0; i < G_N_ELEMENTS (pads); i++) {
      gboolean add = FALSE;

      GST_OBJECT_LOCK (self);
      if (!self->src_pads[i]) {
        GstPadTemplate *templ = gst_element_class_get_pad_template
            (GST_ELEMENT_GET_CLASS (self),
            i == RTC_MEDIA_VIDEO ? "video_src_%u" : "audio_src_%u");

        self->src_pads[i] = gst_ghost_pad_new_no_target_from_template (i ==
            RTC_MEDIA_VIDEO ? "video_src_0" : "audio_src_0", templ);
        gst_rtc_base_bin_drop_when_unlinked (self->src_pads[i]);
        add = TRUE;
      }
      pads[i] = gst_object_ref (self->src_pads[i]);
      GST_OBJECT_UNLOCK (self);
      if (add) {
        gst_pad_set_active (pads[i], TRUE);
        gst_element_add_pad (element, pads[i]);
      }
    }
    GST_INFO_OBJECT (self, "EOS: ending the remote tracks' pads");
    /* Not from the caller's thread: a sink downstream that has not
     * prerolled yet (the pipeline still going to PLAYING) blocks on the
     * EOS until the pipeline is PLAYING, which the application sets from
     * that very thread (gst-launch-1.0 on an early Ctrl-C). */
    push = g_new0 (EosPush, 1);
    push->pads = g_ptr_array_new_with_free_func (gst_object_unref);
    for (i = 0; i < G_N_ELEMENTS (pads); i++)
      g_ptr_array_add (push->pads, pads[i]);
    /* an ingest's further sessions */
    g_rec_mutex_lock (&self->slots_lock);
    gst_event_replace (&self->eos, event);
    g_hash_table_iter_init (&iter, self->slots);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & slot))
      for (i = 0; i < G_N_ELEMENTS (slot->pads); i++)
        if (slot->pads[i])
          g_ptr_array_add (push->pads, gst_object_ref (slot->pads[i]));
    g_rec_mutex_unlock (&self->slots_lock);
    push->eos = event;
    push->post = TRUE;
    gst_element_call_async (element, eos_push_run, push, eos_push_free);
    return;
  }
  /* a pure producer has no src pad: its inputs end it */
  gst_event_unref (event);
}
