/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Inside GstRtcSignalBin, shared by its two files: gstrtcsignalbin.c (the
 * element: choosing the peer, properties, state) and
 * gstrtcsignalbin-remote.c (receive chains and the src pads they come out
 * of). Not installed.
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

/* Roles of @base (GstRtcBaseBinClass::get_roles). */
RtcRoles gst_rtc_signal_bin_get_roles (GstRtcBaseBin * base);
/* TRUE for an ingest: its own server, no producer chosen, no room, no sink
 * pad; it plays every producer at once. */
gboolean gst_rtc_signal_bin_consumes_any (GstRtcSignalBin * self);

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

G_END_DECLS

#endif /* __GST_RTC_SIGNAL_BIN_PRIVATE_H__ */
