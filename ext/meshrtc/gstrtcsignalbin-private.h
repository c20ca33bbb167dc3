/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Inside GstRtcSignalBin, shared by its three files: gstrtcsignalbin.c (the
 * element: choosing the peers, properties, state),
 * gstrtcsignalbin-remote.c (receive chains and the src pads they come out
 * of) and gstrtcsignalbin-mix.c (mix=true: every remote track composed
 * into one video and one audio pad). Not installed.
 */
#ifndef __GST_RTC_SIGNAL_BIN_PRIVATE_H__
#define __GST_RTC_SIGNAL_BIN_PRIVATE_H__

#include "gstrtcsignalbin.h"
#include "gstrtcbasebin.h"

G_BEGIN_DECLS

struct _GstRtcSignalBin
{
  GstRtcBaseBin parent;

  gchar *producer_peer_id;
  gchar *producer_name;
  gboolean decode;
  gchar *whip_endpoint;
  gchar *whep_endpoint;
  gboolean mix_enabled;         /* "mix" */
  gint mix_width, mix_height, mix_fps_n, mix_fps_d;
  /* mix=true, from READY to PAUSED on: the mixers and their pads */
  struct _RtcMix *mix;           /* OBJECT_LOCK to read it off the
                                 * streaming and state threads */
  gint mix_ended;               /* atomic: EOS went out of the mix */

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

void gst_rtc_signal_bin_slot_free (Slot * slot);
/* Ends the stream on @pad (stream-start and segment first if it never
 * streamed); nothing for a pad no longer on the element. */
void gst_rtc_signal_bin_push_eos (GstPad * pad, GstEvent * eos);

/* Roles of @base (GstRtcBaseBinClass::get_roles). */
RtcRoles gst_rtc_signal_bin_get_roles (GstRtcBaseBin * base);
/* TRUE for an ingest: its own server, no producer chosen, no room, no sink
 * pad; it plays every producer at once. */
gboolean gst_rtc_signal_bin_consumes_any (GstRtcSignalBin * self);
/* TRUE for an ingest or a room member: several sessions at once. */
gboolean gst_rtc_signal_bin_many_sessions (GstRtcSignalBin * self);

/* GstRtcBaseBinClass::remote_pad: builds the receive chain of a remote
 * track and exposes it. */
void gst_rtc_signal_bin_remote_pad (GstRtcBaseBin * base,
    const gchar * session_id, const gchar * remote_id, GstPad * pad);
/* Removes the receive chains of @session_id and ends its slot. Context
 * thread. */
void gst_rtc_signal_bin_drop_decoders (GstRtcSignalBin * self,
    const gchar * session_id);
/* Ends every src pad (exposing video_src_0/audio_src_0 if not yet there)
 * off the caller's thread, then posts the bin's EOS. Takes @event. */
void gst_rtc_signal_bin_end_remote_pads (GstRtcSignalBin * self,
    GstEvent * event);

/* mix=true (gstrtcsignalbin-mix.c). Going to PAUSED: builds the
 * compositor and audiomixer, each fed by a live black or silent source,
 * and exposes their video_src_0 and audio_src_0; FALSE with @error when an
 * element is missing. */
gboolean gst_rtc_signal_bin_mix_start (GstRtcSignalBin * self, GError ** error);
/* Going to READY: removes them. */
void gst_rtc_signal_bin_mix_stop (GstRtcSignalBin * self);
/* A decoded remote track @pad of @session_id (from @remote_id) becomes a
 * tile (video) or a mixer input (audio); streaming thread. */
void gst_rtc_signal_bin_mix_add (GstRtcSignalBin * self,
    const gchar * session_id, const gchar * remote_id, RtcMediaKind kind,
    GstPad * pad);
/* The session's tiles and inputs go, and the grid reflows. */
void gst_rtc_signal_bin_mix_remove (GstRtcSignalBin * self,
    const gchar * session_id);
/* EOS sent to the element: ends video_src_0/audio_src_0 (off the caller's
 * thread), then posts the bin's EOS. Takes @event. */
void gst_rtc_signal_bin_mix_end (GstRtcSignalBin * self, GstEvent * event);

G_END_DECLS

#endif /* __GST_RTC_SIGNAL_BIN_PRIVATE_H__ */
