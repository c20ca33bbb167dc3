/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
/* GstRtcBaseBin's data channels (RFC 8831), over RtcPeerSession's
 * channels: the channel it opens with every peer it offers to
 * (#GstRtcBaseBin:data-channel), the "send-data" action signal and the
 * "data-received" signal; declaratively, request sink pads data_%u (each
 * buffer a message to every peer, its label a pad property) and sometimes
 * src pads data_src_%u (one per label received, each buffer a message
 * with the sender's id in a GstRtcPeerMeta custom meta). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gst/app/gstappsrc.h>

#include "gstrtcbasebin-private.h"

GST_DEBUG_CATEGORY_EXTERN (meshrtc_debug);
#define GST_CAT_DEFAULT meshrtc_debug

static void data_sink_pad_sent (GstRtcDataSinkPad * pad, gsize size);

typedef struct
{
  GstRtcBaseBin *self;
  gchar *peer_id;
  gchar *label;
  GBytes *message;
  gboolean text;
  GstRtcDataSinkPad *from;      /* the pad it came in on, or NULL */
} SendData;

static void
send_data_free (gpointer data)
{
  SendData *d = data;

  gst_object_unref (d->self);
  g_free (d->peer_id);
  g_free (d->label);
  g_bytes_unref (d->message);
  if (d->from) {
    data_sink_pad_sent (d->from, g_bytes_get_size (d->message));
    gst_object_unref (d->from);
  }
  g_free (d);
}

/* On the context thread: to every peer, or the one asked, that has the
 * channel. */
static gboolean
send_data_cb (gpointer data)
{
  SendData *d = data;
  GstRtcBaseBinPrivate *priv = PRIV (d->self);
  GHashTableIter iter;
  GstRtcPeer *peer;
  GError *err = NULL;
  guint sent = 0;

  g_hash_table_iter_init (&iter, priv->peers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & peer)) {
    if (d->peer_id && g_strcmp0 (peer->remote_id, d->peer_id) != 0)
      continue;
    if (!rtc_peer_session_has_data_channel (peer->session, d->label))
      continue;
    if (rtc_peer_session_send_data (peer->session, d->label, d->message,
            d->text, &err)) {
      sent++;
    } else {
      GST_WARNING_OBJECT (d->self, "data channel '%s' to %s: %s", d->label,
          peer->remote_id, err->message);
      g_clear_error (&err);
    }
  }
  GST_LOG_OBJECT (d->self, "message of %" G_GSIZE_FORMAT " bytes on '%s' to "
      "%u peers", g_bytes_get_size (d->message), d->label, sent);
  return G_SOURCE_REMOVE;
}

/* ---- the peer meta ---- */

#define PEER_META_NAME "GstRtcPeerMeta"

/* Once, from plugin_init: GstCustomMeta (GStreamer 1.20) registration is
 * not for racing threads. */
void
gst_rtc_base_bin_data_register_meta (void)
{
  static const gchar *tags[] = { NULL };

  gst_meta_register_custom (PEER_META_NAME, tags, NULL, NULL, NULL);
}

/* ---- data_%u: request sink pads ---- */

#define DEFAULT_LABEL "data"
/* what the pads hand to the signalling thread and it has not sent yet */
#define DATA_INFLIGHT_MAX (4 * 1024 * 1024)

struct _GstRtcDataSinkPad
{
  GstPad parent;

  /* OBJECT_LOCK */
  gchar *label;
  gboolean ordered;
  gint max_retransmits;

  /* lock */
  GMutex lock;
  GCond cond;
  gsize inflight;               /* bytes handed over, not sent yet */
  gboolean flushing;
  gboolean text;                /* the caps say text/x-raw */
};

enum
{
  PROP_PAD_0,
  PROP_PAD_LABEL,
  PROP_PAD_ORDERED,
  PROP_PAD_MAX_RETRANSMITS,
};

G_DEFINE_TYPE (GstRtcDataSinkPad, gst_rtc_data_sink_pad, GST_TYPE_PAD);

static void
gst_rtc_data_sink_pad_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstRtcDataSinkPad *pad = GST_RTC_DATA_SINK_PAD (object);

  GST_OBJECT_LOCK (pad);
  switch (prop_id) {
    case PROP_PAD_LABEL:
      g_free (pad->label);
      pad->label = g_value_dup_string (value);
      if (!pad->label || !*pad->label) {
        g_free (pad->label);
        pad->label = g_strdup (DEFAULT_LABEL);
      }
      break;
    case PROP_PAD_ORDERED:
      pad->ordered = g_value_get_boolean (value);
      break;
    case PROP_PAD_MAX_RETRANSMITS:
      pad->max_retransmits = g_value_get_int (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (pad);
}

static void
gst_rtc_data_sink_pad_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstRtcDataSinkPad *pad = GST_RTC_DATA_SINK_PAD (object);

  GST_OBJECT_LOCK (pad);
  switch (prop_id) {
    case PROP_PAD_LABEL:
      g_value_set_string (value, pad->label);
      break;
    case PROP_PAD_ORDERED:
      g_value_set_boolean (value, pad->ordered);
      break;
    case PROP_PAD_MAX_RETRANSMITS:
      g_value_set_int (value, pad->max_retransmits);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (pad);
}

static void
gst_rtc_data_sink_pad_finalize (GObject * object)
{
  GstRtcDataSinkPad *pad = GST_RTC_DATA_SINK_PAD (object);

  g_free (pad->label);
  g_mutex_clear (&pad->lock);
  g_cond_clear (&pad->cond);
  G_OBJECT_CLASS (gst_rtc_data_sink_pad_parent_class)->finalize (object);
}

static void
gst_rtc_data_sink_pad_class_init (GstRtcDataSinkPadClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->set_property = gst_rtc_data_sink_pad_set_property;
  gobject_class->get_property = gst_rtc_data_sink_pad_get_property;
  gobject_class->finalize = gst_rtc_data_sink_pad_finalize;

  /**
   * GstRtcDataSinkPad:label:
   *
   * Label of the data channel (RTCDataChannel.label, RFC 8832 section 5.1)
   * the pad's messages go on. Pads of one label share the channel. The
   * channel is opened with every peer the element offers to after it is
   * set; with a peer connected before, only if that peer opened one of
   * this label. Default: "data".
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_PAD_LABEL,
      g_param_spec_string ("label", "Label", "Label of the data channel the "
          "messages go on", DEFAULT_LABEL, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstRtcDataSinkPad:ordered:
   *
   * Whether the channel delivers in order (RFC 8831 section 6.6), when
   * this pad opens it. Default: %TRUE.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_PAD_ORDERED,
      g_param_spec_boolean ("ordered", "Ordered", "Deliver messages in "
          "order", TRUE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstRtcDataSinkPad:max-retransmits:
   *
   * Retransmissions of a message before it is given up (partial
   * reliability, RFC 8831 section 6.6), when this pad opens the channel;
   * -1 for a reliable channel. Range: -1 to 65535. Default: -1.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_PAD_MAX_RETRANSMITS,
      g_param_spec_int ("max-retransmits", "Max retransmits",
          "Retransmissions before a message is given up (-1: reliable)", -1,
          65535, -1, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
}

static void
gst_rtc_data_sink_pad_init (GstRtcDataSinkPad * pad)
{
  pad->label = g_strdup (DEFAULT_LABEL);
  pad->ordered = TRUE;
  pad->max_retransmits = -1;
  g_mutex_init (&pad->lock);
  g_cond_init (&pad->cond);
}

/* the signalling thread sent (or dropped) @size bytes of the pad's */
static void
data_sink_pad_sent (GstRtcDataSinkPad * pad, gsize size)
{
  g_mutex_lock (&pad->lock);
  pad->inflight -= MIN (size, pad->inflight);
  g_cond_broadcast (&pad->cond);
  g_mutex_unlock (&pad->lock);
}

static void
data_sink_pad_set_flushing (GstRtcDataSinkPad * pad, gboolean flushing)
{
  g_mutex_lock (&pad->lock);
  pad->flushing = flushing;
  g_cond_broadcast (&pad->cond);
  g_mutex_unlock (&pad->lock);
}

static gchar *
peer_meta_id (GstBuffer * buf)
{
  GstCustomMeta *meta = gst_buffer_get_custom_meta (buf, PEER_META_NAME);

  if (!meta)
    return NULL;
  return g_strdup (gst_structure_get_string (gst_custom_meta_get_structure
          (meta), "peer-id"));
}

static GstFlowReturn
data_sink_chain (GstPad * pad, GstObject * parent, GstBuffer * buf)
{
  GstRtcDataSinkPad *dpad = GST_RTC_DATA_SINK_PAD (pad);
  GstRtcBaseBin *self = GST_RTC_BASE_BIN (parent);
  gsize size = gst_buffer_get_size (buf);
  SendData *d;
  gpointer data;

  if (size > RTC_PEER_SESSION_MAX_MESSAGE_SIZE) {
    GST_ELEMENT_WARNING (self, RESOURCE, NO_SPACE_LEFT,
        (_("A data channel message is too large and was dropped.")),
        ("%s: %" G_GSIZE_FORMAT " bytes, at most %d", GST_PAD_NAME (pad),
            size, RTC_PEER_SESSION_MAX_MESSAGE_SIZE));
    gst_buffer_unref (buf);
    return GST_FLOW_OK;
  }

  /* bounded: wait for the signalling thread to catch up */
  g_mutex_lock (&dpad->lock);
  while (!dpad->flushing && dpad->inflight > 0
      && dpad->inflight + size > DATA_INFLIGHT_MAX)
    g_cond_wait (&dpad->cond, &dpad->lock);
  if (dpad->flushing) {
    g_mutex_unlock (&dpad->lock);
    gst_buffer_unref (buf);
    return GST_FLOW_FLUSHING;
  }
  dpad->inflight += size;
  d = g_new0 (SendData, 1);
  d->text = dpad->text;
  g_mutex_unlock (&dpad->lock);

  d->self = gst_object_ref (self);
  d->from = gst_object_ref (dpad);
  d->peer_id = peer_meta_id (buf);
  GST_OBJECT_LOCK (dpad);
  d->label = g_strdup (dpad->label);
  GST_OBJECT_UNLOCK (dpad);
  gst_buffer_extract_dup (buf, 0, size, &data, &size);
  d->message = g_bytes_new_take (data, size);
  gst_buffer_unref (buf);
  gst_rtc_base_bin_invoke (self, send_data_cb, d, send_data_free);
  return GST_FLOW_OK;
}

static gboolean
data_sink_event (GstPad * pad, GstObject * parent, GstEvent * event)
{
  GstRtcDataSinkPad *dpad = GST_RTC_DATA_SINK_PAD (pad);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:{
      GstCaps *caps;

      gst_event_parse_caps (event, &caps);
      g_mutex_lock (&dpad->lock);
      dpad->text = gst_structure_has_name (gst_caps_get_structure (caps, 0),
          "text/x-raw");
      g_mutex_unlock (&dpad->lock);
      break;
    }
    case GST_EVENT_FLUSH_START:
      data_sink_pad_set_flushing (dpad, TRUE);
      break;
    case GST_EVENT_FLUSH_STOP:
      data_sink_pad_set_flushing (dpad, FALSE);
      break;
    case GST_EVENT_EOS:
      gst_rtc_base_bin_input_ended (GST_RTC_BASE_BIN (parent));
      break;
    default:
      break;
  }
  /* the stream ends here: nothing to forward */
  gst_event_unref (event);
  return TRUE;
}

static gboolean
data_sink_activate_mode (GstPad * pad, GstObject * parent, GstPadMode mode,
    gboolean active)
{
  data_sink_pad_set_flushing (GST_RTC_DATA_SINK_PAD (pad), !active);
  return TRUE;
}

GstPad *
gst_rtc_base_bin_data_request_pad (GstRtcBaseBin * self,
    GstPadTemplate * templ, const gchar * name)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  GstPad *pad;
  gchar *pad_name;

  GST_OBJECT_LOCK (self);
  pad_name = name ? g_strdup (name) : g_strdup_printf ("data_%u",
      priv->next_data++);
  GST_OBJECT_UNLOCK (self);
  if (gst_rtc_base_bin_pad_name_taken (self, pad_name)) {
    g_free (pad_name);
    return NULL;
  }
  pad = g_object_new (GST_TYPE_RTC_DATA_SINK_PAD, "name", pad_name,
      "direction", GST_PAD_SINK, "template", templ, NULL);
  g_free (pad_name);
  gst_pad_set_chain_function (pad, data_sink_chain);
  gst_pad_set_event_function (pad, data_sink_event);
  gst_pad_set_activatemode_function (pad, data_sink_activate_mode);

  GST_OBJECT_LOCK (self);
  g_ptr_array_add (priv->data_sinks, gst_object_ref (pad));
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK);
  GST_OBJECT_UNLOCK (self);
  gst_pad_set_active (pad, TRUE);
  gst_element_add_pad (GST_ELEMENT (self), pad);
  return pad;
}

/* The element's own channels, "data-channel"'s and each data_%u pad's:
 * @create, before we offer, opens them on @peer's session with each pad's
 * options; otherwise (the remote offers) they are expected from the
 * remote, so that what we send before its channel came waits for it
 * instead of going nowhere. */
static void
own_channels (GstRtcBaseBin * self, GstRtcPeer * peer, gboolean create)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  GPtrArray *pads;
  gchar *label;
  guint i;

  GST_OBJECT_LOCK (self);
  label = g_strdup (priv->data_channel);
  pads = g_ptr_array_copy (priv->data_sinks, (GCopyFunc) gst_object_ref, NULL);
  GST_OBJECT_UNLOCK (self);
  g_ptr_array_set_free_func (pads, gst_object_unref);
  if (label && *label && create)
    rtc_peer_session_create_data_channel (peer->session, label, TRUE, -1);
  else if (label && *label)
    rtc_peer_session_expect_data_channel (peer->session, label);
  g_free (label);
  for (i = 0; i < pads->len; i++) {
    GstRtcDataSinkPad *pad = g_ptr_array_index (pads, i);
    gboolean ordered;
    gint max_rtx;

    GST_OBJECT_LOCK (pad);
    label = g_strdup (pad->label);
    ordered = pad->ordered;
    max_rtx = pad->max_retransmits;
    GST_OBJECT_UNLOCK (pad);
    if (create)
      rtc_peer_session_create_data_channel (peer->session, label, ordered,
          max_rtx);
    else
      rtc_peer_session_expect_data_channel (peer->session, label);
    g_free (label);
  }
  g_ptr_array_unref (pads);
}

/* ---- data_src_%u: sometimes src pads, one per label ---- */

struct _GstRtcDataSrcPad
{
  GstGhostPad parent;
  gchar *label;                 /* construct-only */
};

enum
{
  PROP_SRC_0,
  PROP_SRC_LABEL,
};

G_DEFINE_TYPE (GstRtcDataSrcPad, gst_rtc_data_src_pad, GST_TYPE_GHOST_PAD);

static void
gst_rtc_data_src_pad_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  if (prop_id == PROP_SRC_LABEL)
    g_value_set_string (value, GST_RTC_DATA_SRC_PAD (object)->label);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_rtc_data_src_pad_finalize (GObject * object)
{
  g_free (GST_RTC_DATA_SRC_PAD (object)->label);
  G_OBJECT_CLASS (gst_rtc_data_src_pad_parent_class)->finalize (object);
}

static void
gst_rtc_data_src_pad_class_init (GstRtcDataSrcPadClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->get_property = gst_rtc_data_src_pad_get_property;
  gobject_class->finalize = gst_rtc_data_src_pad_finalize;
  /**
   * GstRtcDataSrcPad:label:
   *
   * Label of the data channel whose messages come out of this pad, from
   * every peer.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_SRC_LABEL,
      g_param_spec_string ("label", "Label", "Label of the data channel the "
          "messages come from", NULL, G_PARAM_READABLE |
          G_PARAM_STATIC_STRINGS));
}

static void
gst_rtc_data_src_pad_init (GstRtcDataSrcPad * pad)
{
}

typedef struct
{
  GstElement *appsrc;
  GstPad *pad;
  gint text;                    /* -1 before the first message */
  guint64 dropped;
} DataSrc;

#define DATA_SRC_QUEUE_MAX (4 * 1024 * 1024)

static void
data_src_free (DataSrc * src)
{
  gst_object_unref (src->appsrc);
  gst_object_unref (src->pad);
  g_free (src);
}

/* A new data_src pad for @label, and its appsrc; data_src_lock held. */
static DataSrc *
data_src_new (GstRtcBaseBin * self, const gchar * label)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  GstPadTemplate *templ;
  GstPad *target;
  DataSrc *src;
  gchar *name;

  GST_OBJECT_LOCK (self);
  name = g_strdup_printf ("data_src_%u", priv->next_data_src++);
  GST_OBJECT_UNLOCK (self);

  src = g_new0 (DataSrc, 1);
  src->text = -1;
  src->appsrc = gst_element_factory_make ("appsrc", NULL);
  g_object_set (src->appsrc, "is-live", TRUE, "format", GST_FORMAT_TIME,
      "do-timestamp", TRUE, "max-bytes", (guint64) 2 * DATA_SRC_QUEUE_MAX,
      "block", FALSE, NULL);
  gst_object_ref (src->appsrc);
  gst_bin_add (GST_BIN (self), src->appsrc);
  target = gst_element_get_static_pad (src->appsrc, "src");
  templ = gst_element_class_get_pad_template (GST_ELEMENT_GET_CLASS (self),
      "data_src_%u");
  src->pad = g_object_new (GST_TYPE_RTC_DATA_SRC_PAD, "name", name,
      "direction", GST_PAD_SRC, "template", templ, NULL);
  GST_RTC_DATA_SRC_PAD (src->pad)->label = g_strdup (label);
  gst_ghost_pad_set_target (GST_GHOST_PAD (src->pad), target);
  gst_object_unref (target);
  /* the application may read messages from "data-received" only */
  gst_rtc_base_bin_drop_when_unlinked (src->pad);
  g_free (name);
  gst_object_ref (src->pad);

  GST_OBJECT_LOCK (self);
  g_hash_table_insert (priv->data_srcs, g_strdup (label), src);
  GST_OBJECT_UNLOCK (self);
  gst_pad_set_active (src->pad, TRUE);
  gst_element_add_pad (GST_ELEMENT (self), src->pad);
  gst_element_sync_state_with_parent (src->appsrc);
  GST_INFO_OBJECT (self, "messages of '%s' come out of %s", label,
      GST_PAD_NAME (src->pad));
  return src;
}

/* The data_src pad of @label, made if there is none. From the signalling
 * thread (messages) and the thread ending the element (EOS): one lock
 * around lookup and creation, or both would make a pad for one label. */
static DataSrc *
data_src_get (GstRtcBaseBin * self, const gchar * label)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  DataSrc *src;

  g_mutex_lock (&priv->data_src_lock);
  GST_OBJECT_LOCK (self);
  src = g_hash_table_lookup (priv->data_srcs, label);
  GST_OBJECT_UNLOCK (self);
  if (!src)
    src = data_src_new (self, label);
  g_mutex_unlock (&priv->data_src_lock);
  return src;
}

/* Whether the element exposes data_src pads: given a data channel (the
 * property or a data_%u pad); OBJECT_LOCK held. */
static gboolean
exposes_data_pads_locked (GstRtcBaseBinPrivate * priv)
{
  return (priv->data_channel && *priv->data_channel)
      || priv->data_sinks->len > 0;
}

/* On the signalling thread: a message of @peer_id's out of the label's
 * pad. Beyond DATA_SRC_QUEUE_MAX bytes waiting downstream, new ones are
 * dropped (and counted in the debug log): a peer that floods never makes
 * the element hold more. */
static void
push_to_src_pad (GstRtcBaseBin * self, const gchar * peer_id,
    const gchar * label, GBytes * message, gboolean text)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  gsize size = g_bytes_get_size (message);
  GstCustomMeta *meta;
  GstAppSrc *appsrc;
  DataSrc *src;
  GstBuffer *buf;
  gboolean pads;

  /* Only an element given a data channel (the property or a data_%u pad)
   * exposes data_src pads: 'rtcsignalbin ! fakesink', with a producer
   * that opens a channel, would otherwise link the first data_src pad to
   * be exposed in place of the video. */
  GST_OBJECT_LOCK (self);
  pads = exposes_data_pads_locked (priv);
  GST_OBJECT_UNLOCK (self);
  if (!pads)
    return;
  src = data_src_get (self, label);
  appsrc = GST_APP_SRC (src->appsrc);

  if (gst_app_src_get_current_level_bytes (appsrc) + size > DATA_SRC_QUEUE_MAX) {
    src->dropped++;
    GST_WARNING_OBJECT (self, "%s: downstream does not keep up, message of "
        "%s dropped (%" G_GUINT64_FORMAT " so far)", GST_PAD_NAME (src->pad),
        peer_id, src->dropped);
    return;
  }
  if (src->text != (gint) text) {
    GstCaps *caps = text ?
        gst_caps_new_simple ("text/x-raw", "format", G_TYPE_STRING, "utf8",
        NULL) : gst_caps_new_empty_simple ("application/octet-stream");

    gst_app_src_set_caps (appsrc, caps);
    gst_caps_unref (caps);
    src->text = text;
  }
  buf = gst_buffer_new_wrapped_bytes (message);
  meta = gst_buffer_add_custom_meta (buf, PEER_META_NAME);
  gst_structure_set (gst_custom_meta_get_structure (meta), "peer-id",
      G_TYPE_STRING, peer_id, "label", G_TYPE_STRING, label, NULL);
  gst_app_src_push_buffer (appsrc, buf);
}

/* EOS sent to the element: every data_src pad ends; with none yet but
 * data channels configured, data_src_0 comes, carrying only EOS, so what
 * gst-launch-1.0 links to it ends too. */
void
gst_rtc_base_bin_data_end (GstRtcBaseBin * self)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  GList *srcs, *l;
  gchar *label = NULL;
  gboolean none;

  GST_OBJECT_LOCK (self);
  none = g_hash_table_size (priv->data_srcs) == 0;
  /* (called asynchronously, it may come when we are going down) */
  if (none && exposes_data_pads_locked (priv)
      && GST_STATE_TARGET (self) >= GST_STATE_PAUSED)
    label = g_strdup (priv->data_channel && *priv->data_channel ?
        priv->data_channel : DEFAULT_LABEL);
  GST_OBJECT_UNLOCK (self);
  if (label)
    data_src_get (self, label);
  g_free (label);

  GST_OBJECT_LOCK (self);
  srcs = g_hash_table_get_values (priv->data_srcs);
  for (l = srcs; l; l = l->next)
    gst_object_ref (((DataSrc *) l->data)->appsrc);
  GST_OBJECT_UNLOCK (self);
  for (l = srcs; l; l = l->next) {
    GstElement *appsrc = ((DataSrc *) l->data)->appsrc;

    gst_app_src_end_of_stream (GST_APP_SRC (appsrc));
    gst_object_unref (appsrc);
  }
  g_list_free (srcs);
}

/* Going to READY, after the sessions ended: the data_src pads go, as
 * sometimes pads do. */
void
gst_rtc_base_bin_data_remove_src_pads (GstRtcBaseBin * self)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);
  GHashTable *srcs;
  GHashTableIter iter;
  DataSrc *src;

  g_mutex_lock (&priv->data_src_lock);
  GST_OBJECT_LOCK (self);
  srcs = priv->data_srcs;
  priv->data_srcs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) data_src_free);
  priv->next_data_src = 0;
  GST_OBJECT_UNLOCK (self);
  g_hash_table_iter_init (&iter, srcs);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & src)) {
    gst_element_set_locked_state (src->appsrc, TRUE);
    gst_element_set_state (src->appsrc, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (self), src->appsrc);
    gst_pad_set_active (src->pad, FALSE);
    gst_element_remove_pad (GST_ELEMENT (self), src->pad);
  }
  g_mutex_unlock (&priv->data_src_lock);
  g_hash_table_unref (srcs);
}

void
gst_rtc_base_bin_data_init (GstRtcBaseBin * self)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);

  priv->data_sinks = g_ptr_array_new ();
  g_mutex_init (&priv->data_src_lock);
  priv->data_srcs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) data_src_free);
}

void
gst_rtc_base_bin_data_finalize (GstRtcBaseBin * self)
{
  GstRtcBaseBinPrivate *priv = PRIV (self);

  g_ptr_array_set_free_func (priv->data_sinks, gst_object_unref);
  g_ptr_array_unref (priv->data_sinks);
  g_hash_table_unref (priv->data_srcs);
  g_mutex_clear (&priv->data_src_lock);
}

static void
on_data_message (RtcPeerSession * session, const gchar * label,
    GBytes * message, gboolean text, GstRtcBaseBin * self)
{
  GstRtcPeer *peer = gst_rtc_base_bin_find_peer (self,
      rtc_peer_session_get_id (session));

  if (!peer)
    return;
  g_signal_emit_by_name (self, "data-received", peer->remote_id, label,
      message);
  push_to_src_pad (self, peer->remote_id, label, message, text);
}

void
gst_rtc_base_bin_data_peer_created (GstRtcBaseBin * self, GstRtcPeer * peer)
{
  g_signal_connect (peer->session, "data-message",
      G_CALLBACK (on_data_message), self);
  own_channels (self, peer, FALSE);
}

void
gst_rtc_base_bin_data_before_offer (GstRtcBaseBin * self, GstRtcPeer * peer)
{
  own_channels (self, peer, TRUE);
}

gboolean
gst_rtc_base_bin_send_data (GstRtcBaseBin * self, const gchar * peer_id,
    const gchar * label, GBytes * message)
{
  SendData *d;

  if (!label || !message) {
    GST_WARNING_OBJECT (self, "send-data needs a label and a message");
    return FALSE;
  }
  if (g_bytes_get_size (message) > RTC_PEER_SESSION_MAX_MESSAGE_SIZE) {
    GST_WARNING_OBJECT (self, "send-data: %" G_GSIZE_FORMAT " bytes is over "
        "%d", g_bytes_get_size (message), RTC_PEER_SESSION_MAX_MESSAGE_SIZE);
    return FALSE;
  }
  d = g_new0 (SendData, 1);
  d->self = gst_object_ref (self);
  d->peer_id = g_strdup (peer_id);
  d->label = g_strdup (label);
  d->message = g_bytes_ref (message);
  gst_rtc_base_bin_invoke (self, send_data_cb, d, send_data_free);
  return TRUE;
}
