/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
/**
 * SECTION:element-rtcsignalbin
 * @title: rtcsignalbin
 *
 * One webrtcbin plus a WebSocket signalling client speaking gst-plugins-rs'
 * signalling protocol (see docs/protocol.md). It does offer/answer and
 * trickle ICE by itself, reconnects to the server with capped exponential
 * backoff while established media keeps flowing, accepts the next session
 * when a remote peer goes away, and exposes remote tracks as pads.
 *
 * Three ways to find the remote peer:
 * - `room=NAME`: two rtcsignalbins in the same room connect to each other
 *   (one bidirectional session; the peer whose id sorts lower asks for it);
 * - `producer-peer-id=ID` or `producer-name=NAME`: consume a producer (any
 *   gst-plugins-rs producer such as webrtcsink, rtcmeshfanout, or another
 *   rtcsignalbin);
 * - neither: be a producer, offering our tracks to one consumer at a time;
 * - neither, no sink pads and #GstRtcBaseBin:run-signalling-server: an
 *   ingest, playing every producer of its own server (WHIP publishers such
 *   as OBS, browsers or `whip-endpoint=`), up to 16 at once.
 *
 * Request sink pads `video_%u` and `audio_%u` take raw video/audio, encoded
 * inside the bin (H264 constrained baseline or VP8, Opus), or H264/VP8/Opus
 * that is passed through. Sometimes src pads `video_src_%u` and
 * `audio_src_%u` carry what the remote sends, decoded unless
 * #GstRtcSignalBin:decode is %FALSE. (A GStreamer element cannot have a
 * sink and a src template of the same name, hence the `_src` infix.)
 * A src pad stays in place across sessions; the next session's media flows
 * out of the same pad. An ingest's further sessions at the same time come
 * out of `video_src_N`/`audio_src_N` pads of their own (N from 1), removed
 * when their session ends.
 *
 * ## Element messages
 * - `meshrtc-signalling-connected`: registered; fields `peer-id`, `uri`,
 *   `resumed` (boolean: the server resumed us with our sessions)
 * - `meshrtc-signalling-lost`: the server went away; `uri`, `error`
 * - `meshrtc-peer-added`: a session was created; `session-id`, `peer-id`
 * - `meshrtc-peer-connected`: ICE and DTLS are up; `session-id`, `peer-id`,
 *   `setup-time` (GstClockTime from session creation)
 * - `meshrtc-peer-removed`: the session ended; `session-id`, `peer-id`,
 *   `reason`
 *
 * An unreachable server is a warning (posted once per outage) and retries,
 * not an error. An invalid #GstRtcBaseBin:uri fails the state change.
 *
 * ## Example launch lines
 * |[
 * gst-meshrtc-signalling-server &
 * gst-launch-1.0 videotestsrc is-live=true ! rtcsignalbin room=demo
 * gst-launch-1.0 rtcsignalbin room=demo ! videoconvert ! autovideosink
 * ]|
 * |[
 * gst-launch-1.0 rtcsignalbin producer-name=cam ! videoconvert ! autovideosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <glib/gi18n-lib.h>

#include "gstmeshrtcelements.h"
#include "gstrtcsignalbin.h"
#include "rtcwhipclient.h"

GST_DEBUG_CATEGORY_EXTERN (meshrtc_debug);
#define GST_CAT_DEFAULT meshrtc_debug

#define DEFAULT_DECODE TRUE
/* how long to wait before looking for the producer again after a session
 * ended (ms) */
#define RELIST_DELAY_MS 500
/* producers an ingest plays at once */
#define MAX_INGEST_SESSIONS 16

enum
{
  PROP_0,
  PROP_PRODUCER_PEER_ID,
  PROP_PRODUCER_NAME,
  PROP_DECODE,
  PROP_WHIP_ENDPOINT,
  PROP_WHEP_ENDPOINT,
};

struct _GstRtcSignalBin
{
  GstRtcBaseBin parent;

  gchar *producer_peer_id;
  gchar *producer_name;
  gboolean decode;
  gchar *whip_endpoint;
  gchar *whep_endpoint;

  /* context thread */
  GHashTable *requested;        /* producer ids we asked, or have, a
                                 * session with (a set) */
  GSource *relist;

  /* remote side, OBJECT_LOCK */
  GstPad *src_pads[2];          /* per RtcMediaKind, persistent ghost pads */
  GHashTable *decoders;         /* session id -> GList of receive chains */
  /* an ingest's sessions, and adding and removing their own pads;
   * recursive: "pad-added" handlers run with it held */
  GRecMutex slots_lock;
  GHashTable *slots;            /* session id -> Slot, slots_lock */
  /* EOS was sent to us: a pad exposed later ends at once (slots_lock) */
  GstEvent *eos;
};

/* Where one session's remote tracks come out. Slot 0 is the persistent
 * video_src_0/audio_src_0 (src_pads), which the next session reuses; an
 * ingest's further sessions at once get video_src_N/audio_src_N of their
 * own, removed with the session. */
typedef struct
{
  guint index;
  GstPad *pads[2];              /* per RtcMediaKind, references; slot 0:
                                 * NULL */
  gboolean ending;              /* its session ended; its pads are going */
} Slot;

static void
slot_free (Slot * slot)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (slot->pads); i++)
    gst_clear_object (&slot->pads[i]);
  g_free (slot);
}

#define gst_rtc_signal_bin_parent_class parent_class
G_DEFINE_TYPE (GstRtcSignalBin, gst_rtc_signal_bin, GST_TYPE_RTC_BASE_BIN);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (rtcsignalbin, "rtcsignalbin",
    GST_RANK_NONE, GST_TYPE_RTC_SIGNAL_BIN, meshrtc_element_init (plugin));

static GstStaticPadTemplate video_src_template =
GST_STATIC_PAD_TEMPLATE ("video_src_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS_ANY);
static GstStaticPadTemplate audio_src_template =
GST_STATIC_PAD_TEMPLATE ("audio_src_%u", GST_PAD_SRC, GST_PAD_SOMETIMES,
    GST_STATIC_CAPS_ANY);


static gboolean
is_mesh (GstRtcSignalBin * self)
{
  gchar *room = NULL;
  gboolean mesh;

  g_object_get (self, "room", &room, NULL);
  mesh = room != NULL && *room;
  g_free (room);
  return mesh;
}

/* Ingest: with its own server, no producer chosen, no room and no sink
 * pads, it plays every producer there is (e.g. WHIP publishers), up to
 * MAX_INGEST_SESSIONS at once, each on src pads of its own. */
static gboolean
consumes_any (GstRtcSignalBin * self)
{
  gboolean server = FALSE, chosen;

  g_object_get (self, "run-signalling-server", &server, NULL);
  if (!server || is_mesh (self) || GST_ELEMENT (self)->numsinkpads > 0)
    return FALSE;
  GST_OBJECT_LOCK (self);
  chosen = self->producer_peer_id || self->producer_name;
  GST_OBJECT_UNLOCK (self);
  return !chosen;
}

static gboolean
is_consumer (GstRtcSignalBin * self)
{
  gboolean ret;

  GST_OBJECT_LOCK (self);
  ret = self->producer_peer_id || self->producer_name;
  GST_OBJECT_UNLOCK (self);
  return ret || consumes_any (self);
}

/* "whip-endpoint" (we publish) or "whep-endpoint" (we play), or NULL for
 * the WebSocket protocol; a copy */
static gchar *
dup_http_endpoint (GstRtcSignalBin * self, RtcWhipDirection * direction)
{
  gchar *endpoint;

  GST_OBJECT_LOCK (self);
  *direction = self->whip_endpoint ? RTC_WHIP_PUBLISH : RTC_WHIP_PLAY;
  endpoint = g_strdup (self->whip_endpoint ? self->whip_endpoint :
      self->whep_endpoint);
  GST_OBJECT_UNLOCK (self);
  return endpoint;
}

static gboolean
gst_rtc_signal_bin_check_signalling (GstRtcBaseBin * base, GError ** error)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);
  RtcWhipDirection direction;
  g_autofree gchar *endpoint = dup_http_endpoint (self, &direction);
  gboolean both;

  GST_OBJECT_LOCK (self);
  both = self->whip_endpoint && self->whep_endpoint;
  GST_OBJECT_UNLOCK (self);
  if (both) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "whip-endpoint and whep-endpoint are set: publish or play, not both");
    return FALSE;
  }
  if (endpoint)
    return rtc_whip_client_check_endpoint (endpoint, error);
  return GST_RTC_BASE_BIN_CLASS (parent_class)->check_signalling (base, error);
}

static RtcSignallable *
gst_rtc_signal_bin_create_signaller (GstRtcBaseBin * base, gchar ** target)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);
  RtcWhipDirection direction;
  gchar *endpoint = dup_http_endpoint (self, &direction);
  g_autofree gchar *token = NULL;

  if (!endpoint)
    return GST_RTC_BASE_BIN_CLASS (parent_class)->create_signaller (base,
        target);
  token = gst_rtc_base_bin_dup_auth_token (base);
  *target = endpoint;
  return RTC_SIGNALLABLE (rtc_whip_client_new (endpoint, token, direction));
}

static RtcRoles
gst_rtc_signal_bin_get_roles (GstRtcBaseBin * base)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);
  RtcWhipDirection direction;
  g_autofree gchar *endpoint = dup_http_endpoint (self, &direction);

  /* WHIP publishes our sink pads; WHEP asks for media and plays it */
  if (endpoint)
    return direction == RTC_WHIP_PUBLISH ? RTC_ROLE_PRODUCER :
        RTC_ROLE_CONSUMER;
  if (is_mesh (self))
    return RTC_ROLE_PRODUCER | RTC_ROLE_CONSUMER | RTC_ROLE_LISTENER;
  if (is_consumer (self))
    return RTC_ROLE_LISTENER;
  return RTC_ROLE_PRODUCER;
}

static void
gst_rtc_signal_bin_connected (GstRtcBaseBin * base, const gchar * peer_id)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);

  /* a request made before the server went away is gone with it; the
   * signaller lists the producers again (our roles include listener) */
  g_hash_table_remove_all (self->requested);
}

/* Decides whether @id (a producer with @meta) is the peer to connect to. */
static void
gst_rtc_signal_bin_producer_added (GstRtcBaseBin * base, const gchar * id,
    const GstStructure * meta)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);
  const gchar *mine = gst_rtc_base_bin_get_peer_id (base);
  const gchar *name = meta ? gst_structure_get_string (meta, "name") : NULL;
  gboolean wanted = FALSE;

  if (!id || !mine || g_str_equal (id, mine))
    return;
  if (consumes_any (self)) {
    /* an ingest plays every producer, each once (sessions resumed after
     * a reconnect included) */
    if (g_hash_table_contains (self->requested, id)
        || g_hash_table_size (self->requested) >= MAX_INGEST_SESSIONS
        || gst_rtc_base_bin_count_peers (base) >= MAX_INGEST_SESSIONS
        || gst_rtc_base_bin_has_peer_with (base, id))
      return;
    g_hash_table_add (self->requested, g_strdup (id));
    gst_rtc_base_bin_request_session (base, id);
    return;
  }
  if (g_hash_table_size (self->requested) > 0
      || gst_rtc_base_bin_count_peers (base) > 0)
    return;

  if (is_mesh (self)) {
    gchar *room = NULL;

    g_object_get (self, "room", &room, NULL);
    /* one bidirectional session per pair: the lower id asks, so two
     * participants never start two sessions at once */
    wanted = meta && g_strcmp0 (gst_structure_get_string (meta, "room"),
        room) == 0 && strcmp (mine, id) < 0;
    g_free (room);
  } else {
    GST_OBJECT_LOCK (self);
    wanted = (self->producer_peer_id
        && g_str_equal (self->producer_peer_id, id))
        || (self->producer_name && g_strcmp0 (self->producer_name, name) == 0);
    GST_OBJECT_UNLOCK (self);
    wanted = wanted || consumes_any (self);
  }
  if (!wanted)
    return;
  g_hash_table_add (self->requested, g_strdup (id));
  gst_rtc_base_bin_request_session (base, id);
}

static void
gst_rtc_signal_bin_signalling_error (GstRtcBaseBin * base,
    const gchar * message)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);
  GHashTableIter iter;
  const gchar *id;

  /* e.g. the producer we asked for left before the server saw it: the
   * service's refusal names it */
  g_hash_table_iter_init (&iter, self->requested);
  while (message && g_hash_table_iter_next (&iter, (gpointer *) & id, NULL))
    if (strstr (message, id))
      g_hash_table_iter_remove (&iter);
}

static gboolean
gst_rtc_signal_bin_accept_session (GstRtcBaseBin * base,
    const gchar * consumer_id, const gchar * session_id, GError ** error)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);
  RtcWhipDirection direction;
  g_autofree gchar *endpoint = dup_http_endpoint (self, &direction);

  if (is_consumer (self) && !is_mesh (self) && !endpoint) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "this peer is a consumer, not a producer");
    return FALSE;
  }
  /* A session from before a server restart can no longer be ended through
   * signalling; its remote may be long gone. A new consumer replaces it. */
  gst_rtc_base_bin_end_stale_sessions (base,
      "replaced by a new session after the signalling server came back");
  if (gst_rtc_base_bin_count_peers (base) > 0) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION,
        "busy: rtcsignalbin serves one peer at a time");
    return FALSE;
  }
  return TRUE;
}

static gboolean
relist_cb (gpointer data)
{
  GstRtcSignalBin *self = data;

  g_clear_pointer (&self->relist, g_source_unref);
  gst_rtc_base_bin_reconsider_producers (GST_RTC_BASE_BIN (self));
  return G_SOURCE_REMOVE;
}

/* Ends the stream on @pad, which may have no target (a pad exposed only
 * to carry EOS): stream-start and segment first, as downstream expects.
 * Nothing for a pad no longer on the element. */
static void
push_eos (GstPad * pad, GstEvent * eos)
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
      push_eos (end->slot->pads[i], eos);
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

static void
drop_decoders (GstRtcSignalBin * self, const gchar * session_id)
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
}

static void
gst_rtc_signal_bin_peer_removed (GstRtcBaseBin * base, GstRtcPeer * peer)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);

  drop_decoders (self, peer->session_id);
  if (consumes_any (self))
    g_hash_table_remove (self->requested, peer->remote_id);
  else
    g_hash_table_remove_all (self->requested);
  /* look for the peer again: it may come back, or another may be there */
  if ((is_mesh (self) || is_consumer (self)) && !self->relist) {
    self->relist = g_timeout_source_new (RELIST_DELAY_MS);
    g_source_set_callback (self->relist, relist_cb, self, NULL);
    g_source_attach (self->relist, gst_rtc_base_bin_get_context (base));
  }
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
    push_eos (g_ptr_array_index (push->pads, i), push->eos);
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
 * its kind. Only an ingest has more than one session, hence slots above
 * 0; the others always use slot 0. */
static void
expose_remote_pad (GstRtcSignalBin * self, const gchar * session_id,
    GstPad * pad)
{
  GstCaps *caps = gst_pad_get_current_caps (pad);
  gboolean many = consumes_any (self);
  const gchar *media;
  RtcMediaKind kind;
  GstPad **slot_pad, *ghost;
  Slot *slot;
  gboolean add = FALSE;

  if (!caps)
    caps = gst_pad_query_caps (pad, NULL);
  media = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  kind = g_str_has_prefix (media, "audio") ? RTC_MEDIA_AUDIO : RTC_MEDIA_VIDEO;
  gst_caps_unref (caps);

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

/* The chain for one remote RTP stream: depayloader and, unless decode is
 * off, decoder. Built from the pad's caps rather than with decodebin, so
 * what runs is predictable and cheap. */
static gchar *
receive_chain_description (const GstStructure * s, gboolean decode)
{
  const RtcCodec *codec = rtc_codec_by_name (gst_structure_get_string (s,
          "encoding-name"));

  return codec ? rtc_codec_receive_description (codec, decode) : NULL;
}

static void
gst_rtc_signal_bin_remote_pad (GstRtcBaseBin * base,
    const gchar * session_id, const gchar * remote_id, GstPad * pad)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (base);
  GstCaps *caps = gst_pad_get_current_caps (pad);
  GstElement *dec = NULL;
  GstPad *sink, *src;
  GList *list;
  gchar *desc;
  GError *err = NULL;

  if (!caps)
    caps = gst_pad_query_caps (pad, NULL);
  desc = receive_chain_description (gst_caps_get_structure (caps, 0),
      self->decode);
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
  expose_remote_pad (self, session_id, src);
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
    drop_decoders (self, session_id);
}

/* EOS sent to the element (gst-launch-1.0 -e on Ctrl-C, or an application
 * ending the pipeline): the remote side is a source that never ends by
 * itself, so we end every src pad here. Before any remote track came, the
 * pads are exposed now, carrying only EOS, so what is linked downstream
 * (gst-launch links them as they appear) ends too and the pipeline posts
 * EOS. A pure producer has no src pad: its inputs end it. */
static gboolean
gst_rtc_signal_bin_send_event (GstElement * element, GstEvent * event)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (element);
  GstPad *pads[2] = { NULL, NULL };
  GHashTableIter iter;
  Slot *slot;
  EosPush *push;
  guint i;

  if (GST_EVENT_TYPE (event) != GST_EVENT_EOS)
    return GST_ELEMENT_CLASS (parent_class)->send_event (element, event);
  gst_rtc_base_bin_data_end (GST_RTC_BASE_BIN (self));

  /* anything that receives (a room, a consumer, a WHEP player, an
   * ingest) ends its src pads */
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
    return TRUE;
  }
  gst_event_unref (event);
  return TRUE;
}

static void
gst_rtc_signal_bin_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_PRODUCER_PEER_ID:
      g_free (self->producer_peer_id);
      self->producer_peer_id = g_value_dup_string (value);
      break;
    case PROP_PRODUCER_NAME:
      g_free (self->producer_name);
      self->producer_name = g_value_dup_string (value);
      break;
    case PROP_DECODE:
      self->decode = g_value_get_boolean (value);
      break;
    case PROP_WHIP_ENDPOINT:
      g_free (self->whip_endpoint);
      self->whip_endpoint = g_value_dup_string (value);
      break;
    case PROP_WHEP_ENDPOINT:
      g_free (self->whep_endpoint);
      self->whep_endpoint = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_rtc_signal_bin_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_PRODUCER_PEER_ID:
      g_value_set_string (value, self->producer_peer_id);
      break;
    case PROP_PRODUCER_NAME:
      g_value_set_string (value, self->producer_name);
      break;
    case PROP_DECODE:
      g_value_set_boolean (value, self->decode);
      break;
    case PROP_WHIP_ENDPOINT:
      g_value_set_string (value, self->whip_endpoint);
      break;
    case PROP_WHEP_ENDPOINT:
      g_value_set_string (value, self->whep_endpoint);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static GstStateChangeReturn
gst_rtc_signal_bin_change_state (GstElement * element,
    GstStateChange transition)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (element);
  GstStateChangeReturn ret;

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    g_rec_mutex_lock (&self->slots_lock);
    gst_event_replace (&self->eos, NULL);
    g_rec_mutex_unlock (&self->slots_lock);
  }
  if (transition == GST_STATE_CHANGE_READY_TO_NULL) {
    /* the context thread is gone: nothing else touches these now */
    if (self->relist) {
      g_source_destroy (self->relist);
      g_clear_pointer (&self->relist, g_source_unref);
    }
    g_hash_table_remove_all (self->requested);
  }
  return ret;
}

static void
gst_rtc_signal_bin_finalize (GObject * object)
{
  GstRtcSignalBin *self = GST_RTC_SIGNAL_BIN (object);

  g_free (self->producer_peer_id);
  g_free (self->producer_name);
  g_free (self->whip_endpoint);
  g_free (self->whep_endpoint);
  g_hash_table_unref (self->requested);
  g_hash_table_unref (self->decoders);
  g_hash_table_unref (self->slots);
  gst_event_replace (&self->eos, NULL);
  g_rec_mutex_clear (&self->slots_lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_rtc_signal_bin_init (GstRtcSignalBin * self)
{
  /* remote tracks come out of it: the pipeline sends it EOS (see
   * gst_rtc_signal_bin_send_event) */
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SOURCE);
  self->decode = DEFAULT_DECODE;
  self->decoders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  self->slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) slot_free);
  g_rec_mutex_init (&self->slots_lock);
  self->requested = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
}

static void
gst_rtc_signal_bin_class_init (GstRtcSignalBinClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstRtcBaseBinClass *base_class = GST_RTC_BASE_BIN_CLASS (klass);

  gobject_class->set_property = gst_rtc_signal_bin_set_property;
  gobject_class->get_property = gst_rtc_signal_bin_get_property;
  gobject_class->finalize = gst_rtc_signal_bin_finalize;
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_rtc_signal_bin_change_state);

  element_class->send_event = GST_DEBUG_FUNCPTR (gst_rtc_signal_bin_send_event);
  base_class->is_source = TRUE;
  base_class->check_signalling = gst_rtc_signal_bin_check_signalling;
  base_class->create_signaller = gst_rtc_signal_bin_create_signaller;
  base_class->get_roles = gst_rtc_signal_bin_get_roles;
  base_class->connected = gst_rtc_signal_bin_connected;
  base_class->producer_added = gst_rtc_signal_bin_producer_added;
  base_class->signalling_error = gst_rtc_signal_bin_signalling_error;
  base_class->accept_session = gst_rtc_signal_bin_accept_session;
  base_class->peer_removed = gst_rtc_signal_bin_peer_removed;
  base_class->remote_pad = gst_rtc_signal_bin_remote_pad;

  /**
   * GstRtcSignalBin:producer-peer-id:
   *
   * Consume the producer with this peer id (plain gst-plugins-rs
   * producer/consumer flow).
   */
  g_object_class_install_property (gobject_class, PROP_PRODUCER_PEER_ID,
      g_param_spec_string ("producer-peer-id", "Producer peer id",
          "Consume the producer with this peer id", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstRtcSignalBin:producer-name:
   *
   * Consume the first producer whose meta has this "name" (what
   * #GstRtcBaseBin:peer-name sets on the producer side). Usable from a
   * gst-launch line, where peer ids are not known in advance.
   */
  g_object_class_install_property (gobject_class, PROP_PRODUCER_NAME,
      g_param_spec_string ("producer-name", "Producer name",
          "Consume the first producer whose meta \"name\" is this", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_DECODE,
      g_param_spec_boolean ("decode", "Decode",
          "Decode remote tracks; FALSE exposes them encoded (H264, VP8, "
          "Opus) after depayloading", DEFAULT_DECODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstRtcSignalBin:whip-endpoint:
   *
   * Publish the sink pads to this WHIP endpoint (RFC 9725) instead of
   * using the WebSocket signalling server of #GstRtcBaseBin:uri: an
   * http:// or https:// URL, POSTed an SDP offer with
   * #GstRtcBaseBin:auth-token as Bearer token. Candidates are trickled
   * with PATCH, the resource is DELETEd on stop, and a failed or lost
   * session is published again after a backoff of 500 ms doubling to
   * 10 s; an HTTP error status is posted as a warning naming it.
   * Exclusive with #GstRtcSignalBin:whep-endpoint. Default: none.
   */
  g_object_class_install_property (gobject_class, PROP_WHIP_ENDPOINT,
      g_param_spec_string ("whip-endpoint", "WHIP endpoint",
          "Publish to this WHIP endpoint (http:// or https://) instead of "
          "the signalling server", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstRtcSignalBin:whep-endpoint:
   *
   * Play from this WHEP endpoint (draft-ietf-wish-whep) instead of using
   * the WebSocket signalling server: a recvonly offer is POSTed, the
   * remote tracks come out of the src pads; HTTP behaviour as
   * #GstRtcSignalBin:whip-endpoint. Default: none.
   */
  g_object_class_install_property (gobject_class, PROP_WHEP_ENDPOINT,
      g_param_spec_string ("whep-endpoint", "WHEP endpoint",
          "Play from this WHEP endpoint (http:// or https://) instead of "
          "the signalling server", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  gst_element_class_add_static_pad_template (element_class,
      &video_src_template);
  gst_element_class_add_static_pad_template (element_class,
      &audio_src_template);

  gst_element_class_set_static_metadata (element_class,
      "WebRTC signalling bin", "Filter/Network/WebRTC",
      "One WebRTC peer connection with built-in signalling: offer/answer, "
      "trickle ICE, reconnection and decoded remote tracks",
      "gst-meshrtc developers");
}
