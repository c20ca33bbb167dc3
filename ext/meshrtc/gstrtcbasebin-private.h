/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Inside GstRtcBaseBin, shared by its three files: gstrtcbasebin.c (the
 * element: context thread, pads, state, properties),
 * gstrtcbasebin-sessions.c (one peer session per remote: creating,
 * offering, answering, ending) and gstrtcbasebin-signalling.c (the
 * signaller's messages and the bin's registration). Not installed.
 */
#ifndef __GST_RTC_BASE_BIN_PRIVATE_H__
#define __GST_RTC_BASE_BIN_PRIVATE_H__

#include "gstrtcbasebin.h"
#include <gio/gio.h>

#include "rtccontextthread.h"

G_BEGIN_DECLS

typedef struct
{
  gchar *uri;
  gchar *auth_token;
  gchar *peer_name;
  gchar *room;
  guint latency;
  gchar *ice_local_addresses;
  RtcVideoCodec video_codec;
  guint video_bitrate;
  guint audio_bitrate;
  guint keyframe_interval;
  guint disconnect_timeout;
  guint connect_timeout;

  GMainContext *context;
  RtcContextThread *thread;     /* READY to NULL */

  /* the embedded server (gstrtcbasebin-server.c) */
  gboolean run_server;          /* OBJECT_LOCK, like the other properties */
  gchar *allowed_origins;
  gchar *tls_certificate_file;
  gchar *tls_key_file;
  gchar *data_channel;          /* label, OBJECT_LOCK */
  struct _RtcSignallingServer *server;  /* context thread */
  gchar *ice_servers;           /* from the rtciceservers context, OBJECT_LOCK */
  GError *server_error;
  GTlsCertificate *tls_certificate;     /* loaded going to READY */

  RtcSignallable *signaller;
  gchar *target;                /* the URL it talks to, context thread */
  gchar *peer_id;               /* copy readable from any thread, OBJECT_LOCK */
  gboolean warned_unreachable;
  guint generation;             /* counts registrations (welcome) */
  GHashTable *producers;        /* id -> GstStructure meta; changed on the
                                 * context thread, under OBJECT_LOCK */

  GPtrArray *tracks;            /* of RtcTrack, OBJECT_LOCK */
  guint tracks_eos;             /* inputs (tracks, data pads) that got EOS,
                                 * OBJECT_LOCK */
  GPtrArray *data_sinks;        /* of GstRtcDataSinkPad, OBJECT_LOCK */
  GHashTable *data_srcs;        /* label -> data_src pad, OBJECT_LOCK */
  GMutex data_src_lock;         /* around a data_src pad's lookup and making */
  guint next_data, next_data_src;       /* pad numbering, OBJECT_LOCK */
  guint next_video, next_audio; /* pad numbering, OBJECT_LOCK */
  GHashTable *peers;            /* session id -> GstRtcPeer, context thread */
  GMutex peers_lock;            /* guards peers for readers off the context */
} GstRtcBaseBinPrivate;

G_GNUC_INTERNAL
GstRtcBaseBinPrivate * gst_rtc_base_bin_get_priv (GstRtcBaseBin * self);
#define PRIV(self) gst_rtc_base_bin_get_priv (GST_RTC_BASE_BIN (self))

G_GNUC_INTERNAL
void gst_rtc_base_bin_post_element_message (GstRtcBaseBin * self, GstStructure * s);
G_GNUC_INTERNAL
void gst_rtc_base_bin_peer_free (GstRtcPeer * peer);
G_GNUC_INTERNAL
void gst_rtc_base_bin_end_session_later (GstRtcBaseBin * self, const gchar * session_id,
    const gchar * reason);
G_GNUC_INTERNAL
GstRtcPeer * gst_rtc_base_bin_create_peer (GstRtcBaseBin * self, const gchar * session_id,
    const gchar * remote_id);
G_GNUC_INTERNAL
void gst_rtc_base_bin_end_all_sessions (GstRtcBaseBin * self, const gchar * reason, gboolean notify);
G_GNUC_INTERNAL
GstRtcPeer * gst_rtc_base_bin_find_peer (GstRtcBaseBin * self, const gchar * session_id);
G_GNUC_INTERNAL
void gst_rtc_base_bin_send_end_session (GstRtcBaseBin * self, const gchar * session_id,
    const gchar * reason);
G_GNUC_INTERNAL
void gst_rtc_base_bin_start_answering_session (GstRtcBaseBin * self, const gchar * session_id,
    const gchar * remote_id, const GstWebRTCSessionDescription * offer);
G_GNUC_INTERNAL
void gst_rtc_base_bin_start_offering_session (GstRtcBaseBin * self, const gchar * session_id,
    const gchar * remote_id);
G_GNUC_INTERNAL
void gst_rtc_base_bin_when_remote_offer_ready (GstRtcBaseBin * self, GstRtcPeer * peer,
    const GstWebRTCSessionDescription * offer);
G_GNUC_INTERNAL
gboolean gst_rtc_base_bin_default_check_signalling (GstRtcBaseBin * self, GError ** error);
/* data channels (gstrtcbasebin-data.c) */
#define GST_TYPE_RTC_DATA_SINK_PAD (gst_rtc_data_sink_pad_get_type ())
G_DECLARE_FINAL_TYPE (GstRtcDataSinkPad, gst_rtc_data_sink_pad, GST, RTC_DATA_SINK_PAD, GstPad)
#define GST_TYPE_RTC_DATA_SRC_PAD (gst_rtc_data_src_pad_get_type ())
G_DECLARE_FINAL_TYPE (GstRtcDataSrcPad, gst_rtc_data_src_pad, GST, RTC_DATA_SRC_PAD, GstGhostPad)
G_GNUC_INTERNAL
void gst_rtc_base_bin_data_register_meta (void);
G_GNUC_INTERNAL
void gst_rtc_base_bin_data_init (GstRtcBaseBin * self);
G_GNUC_INTERNAL
void gst_rtc_base_bin_data_finalize (GstRtcBaseBin * self);
G_GNUC_INTERNAL
GstPad * gst_rtc_base_bin_data_request_pad (GstRtcBaseBin * self, GstPadTemplate * templ,
    const gchar * name);
G_GNUC_INTERNAL
gboolean gst_rtc_base_bin_pad_name_taken (GstRtcBaseBin * self, const gchar * name);
G_GNUC_INTERNAL
void gst_rtc_base_bin_data_remove_src_pads (GstRtcBaseBin * self);
G_GNUC_INTERNAL
void gst_rtc_base_bin_input_ended (GstRtcBaseBin * self);
G_GNUC_INTERNAL
void gst_rtc_base_bin_data_peer_created (GstRtcBaseBin * self, GstRtcPeer * peer);
G_GNUC_INTERNAL
void gst_rtc_base_bin_data_before_offer (GstRtcBaseBin * self, GstRtcPeer * peer);
G_GNUC_INTERNAL
gboolean gst_rtc_base_bin_send_data (GstRtcBaseBin * self, const gchar * peer_id,
    const gchar * label, GBytes * message);
G_GNUC_INTERNAL
RtcSignallable * gst_rtc_base_bin_default_create_signaller (GstRtcBaseBin * self,
    gchar ** target);
G_GNUC_INTERNAL
gboolean gst_rtc_base_bin_start_signalling (gpointer data);
G_GNUC_INTERNAL
gboolean gst_rtc_base_bin_server_start (GstRtcBaseBin * self);
G_GNUC_INTERNAL
void gst_rtc_base_bin_server_stop (GstRtcBaseBin * self);
G_GNUC_INTERNAL
void gst_rtc_base_bin_take_ice_context (GstRtcBaseBin * self, GstContext * context);
G_GNUC_INTERNAL
void gst_rtc_base_bin_query_ice_context (GstRtcBaseBin * self);
G_GNUC_INTERNAL
gboolean gst_rtc_base_bin_stop_signalling (gpointer data);

G_END_DECLS

#endif /* __GST_RTC_BASE_BIN_PRIVATE_H__ */
