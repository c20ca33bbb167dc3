/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <nice/agent.h>
#include <gst/webrtc/webrtc.h>

#include "rtcicewebrtc.h"
#include "rtcstats.h"

GST_DEBUG_CATEGORY_STATIC (rtc_ice_webrtc_debug);
#define GST_CAT_DEFAULT rtc_ice_webrtc_debug

/* webrtcbin may emit its last candidates just after announcing gathering
 * complete; judge the relay check this much later. */
#define RELAY_CHECK_DELAY (1 * GST_SECOND)

static void
ensure_debug_category (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done)) {
    GST_DEBUG_CATEGORY_INIT (rtc_ice_webrtc_debug, "rtcicewebrtc", 0,
        "gst-meshrtc ICE servers on webrtcbin");
    g_once_init_leave (&done, 1);
  }
}

gboolean
rtc_ice_webrtc_is_webrtcbin (GstElement * element)
{
  GType type = g_type_from_name ("GstWebRTCBin");

  return type != 0 && g_type_is_a (G_OBJECT_TYPE (element), type);
}

static void
collect_webrtcbin (const GValue * value, GList ** list)
{
  GstElement *element = g_value_get_object (value);

  if (rtc_ice_webrtc_is_webrtcbin (element))
    *list = g_list_prepend (*list, gst_object_ref (element));
}

GList *
rtc_ice_webrtc_list (GstBin * bin)
{
  GstIterator *it = gst_bin_iterate_recurse (bin);
  GList *found = NULL;

  while (gst_iterator_foreach (it, (GstIteratorForeachFunction)
          collect_webrtcbin, &found) == GST_ITERATOR_RESYNC) {
    g_list_free_full (found, gst_object_unref);
    found = NULL;
    gst_iterator_resync (it);
  }
  gst_iterator_free (it);
  return found;
}

/**
 * rtc_ice_webrtc_apply:
 *
 * webrtcbin hands its STUN and TURN servers to libnice when it creates an
 * ICE stream, which happens on the first set-local/remote-description, so
 * this must run before that; "deep-element-added" (emitted synchronously
 * from gst_bin_add()) is early enough.
 */
gboolean
rtc_ice_webrtc_apply (GstElement * webrtcbin, const gchar * stun_uri,
    const gchar * const *turn_uris, const gchar * policy, guint * refused)
{
  gboolean ok = TRUE;
  guint i;

  g_return_val_if_fail (GST_IS_ELEMENT (webrtcbin), FALSE);

  ensure_debug_category ();

  if (stun_uri) {
    GST_DEBUG_OBJECT (webrtcbin, "stun-server %s", stun_uri);
    g_object_set (webrtcbin, "stun-server", stun_uri, NULL);
  }

  for (i = 0; ok && turn_uris && turn_uris[i]; i++) {
    gboolean added = FALSE;

    g_signal_emit_by_name (webrtcbin, "add-turn-server", turn_uris[i], &added);
    if (!added) {
      if (refused)
        *refused = i;
      ok = FALSE;
    }
  }
  GST_DEBUG_OBJECT (webrtcbin, "added %u TURN servers, policy %s",
      ok ? i : i - 1, policy);

  if (policy)
    gst_util_set_object_arg (G_OBJECT (webrtcbin), "ice-transport-policy",
        policy);

  return ok;
}

/* ------------------------------------------------------------------------ */
/* The claim and the relay check                                            */

/* Per claimed webrtcbin, owned by it (qdata). */
typedef struct
{
  GWeakRef owner;
  GWeakRef webrtc;
  guint run;
  gchar *webrtc_name;
  gchar *turn_list;             /* NULL: no relay check */
  gchar *policy;
  RtcIceNoRelayFunc no_relay;
  gint saw_relay;               /* atomic */
  gint checked;                 /* atomic */
} RelayWatch;

G_LOCK_DEFINE_STATIC (claims);

static GQuark
claim_quark (void)
{
  static GQuark q = 0;

  if (!q)
    q = g_quark_from_static_string ("gst-meshrtc-rtciceservers-configured");
  return q;
}

static void
relay_watch_clear (RelayWatch * watch)
{
  g_weak_ref_clear (&watch->owner);
  g_weak_ref_clear (&watch->webrtc);
  g_free (watch->webrtc_name);
  g_free (watch->turn_list);
  g_free (watch->policy);
}

static void
relay_watch_unref (RelayWatch * watch)
{
  g_atomic_rc_box_release_full (watch, (GDestroyNotify) relay_watch_clear);
}

static void
on_ice_candidate (GstElement * webrtc, guint mline, const gchar * candidate,
    RelayWatch * watch)
{
  if (candidate && strstr (candidate, " typ relay"))
    g_atomic_int_set (&watch->saw_relay, 1);
}

/* webrtcbin's thread: the stats confirm there is no local relay candidate
 * before the owner hears of it. */
static void
on_relay_stats (GstPromise * promise, gpointer user_data)
{
  RelayWatch *watch = user_data;
  const GstStructure *reply = NULL;
  gboolean relay = FALSE;

  /* no reply: webrtcbin is going away, nothing to say */
  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED)
    reply = gst_promise_get_reply (promise);
  if (reply) {
    relay = rtc_stats_has_local_relay (reply);
    GST_DEBUG ("%s: %s local relay candidate in the stats",
        watch->webrtc_name, relay ? "a" : "no");
    if (relay) {
      g_atomic_int_set (&watch->saw_relay, 1);
    } else {
      GObject *owner = g_weak_ref_get (&watch->owner);

      if (owner) {
        watch->no_relay (owner, watch->run, watch->webrtc_name,
            watch->turn_list, watch->policy);
        g_object_unref (owner);
      }
    }
  }
}

/* The system clock's thread. */
static gboolean
relay_check_cb (GstClock * clock, GstClockTime time, GstClockID id,
    gpointer user_data)
{
  RelayWatch *watch = user_data;
  GstElement *webrtc;
  GstPromise *promise;

  if (g_atomic_int_get (&watch->saw_relay))
    return TRUE;

  webrtc = g_weak_ref_get (&watch->webrtc);
  if (!webrtc)
    return TRUE;
  promise = gst_promise_new_with_change_func (on_relay_stats,
      g_atomic_rc_box_acquire (watch), (GDestroyNotify) relay_watch_unref);
  g_signal_emit_by_name (webrtc, "get-stats", NULL, promise);
  /* webrtcbin's task holds its own reference, and frees a promise it
   * drops unanswered when it stops */
  gst_promise_unref (promise);
  gst_object_unref (webrtc);

  return TRUE;
}

/* 1.22 has no end-of-candidates: gathering "complete" is the signal. */
static void
on_ice_gathering_state (GstElement * webrtc, GParamSpec * pspec,
    RelayWatch * watch)
{
  GstClock *clock;
  GstClockID id;
  gint state = 0;

  g_object_get (webrtc, "ice-gathering-state", &state, NULL);
  if (state != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    return;
  if (g_atomic_int_get (&watch->saw_relay)
      || !g_atomic_int_compare_and_exchange (&watch->checked, 0, 1))
    return;

  /* a one-shot timer that needs no main loop of the owner's */
  clock = gst_system_clock_obtain ();
  id = gst_clock_new_single_shot_id (clock,
      gst_clock_get_time (clock) + RELAY_CHECK_DELAY);
  gst_clock_id_wait_async (id, relay_check_cb,
      g_atomic_rc_box_acquire (watch), (GDestroyNotify) relay_watch_unref);
  gst_clock_id_unref (id);
  gst_object_unref (clock);
}

gboolean
rtc_ice_webrtc_claim (GstElement * webrtcbin, GObject * owner, guint run,
    const gchar * turn_list, const gchar * policy, RtcIceNoRelayFunc no_relay)
{
  RelayWatch *previous, *watch;

  g_return_val_if_fail (GST_IS_ELEMENT (webrtcbin), FALSE);
  g_return_val_if_fail (G_IS_OBJECT (owner), FALSE);

  ensure_debug_category ();

  G_LOCK (claims);
  /* once per webrtcbin and start: it may be seen by the initial walk and
   * the signal, or be removed and added again. After a restart it gets
   * configured again (webrtcbin keeps the old TURN entries, which only
   * fail) and the old relay watch goes. */
  previous = g_object_get_qdata (G_OBJECT (webrtcbin), claim_quark ());
  if (previous) {
    GObject *previous_owner = g_weak_ref_get (&previous->owner);
    /* the same start, or another live owner got there first */
    gboolean skip = (previous_owner == owner && previous->run == run)
        || (previous_owner != NULL && previous_owner != owner);

    if (previous_owner)
      g_object_unref (previous_owner);
    if (skip) {
      G_UNLOCK (claims);
      return FALSE;
    }
    g_signal_handlers_disconnect_by_data (webrtcbin, previous);
  }

  watch = g_atomic_rc_box_new0 (RelayWatch);
  g_weak_ref_init (&watch->owner, owner);
  g_weak_ref_init (&watch->webrtc, webrtcbin);
  watch->run = run;
  watch->webrtc_name = gst_object_get_name (GST_OBJECT_CAST (webrtcbin));
  watch->turn_list = g_strdup (turn_list);
  watch->policy = g_strdup (policy);
  watch->no_relay = no_relay;
  g_object_set_qdata_full (G_OBJECT (webrtcbin), claim_quark (), watch,
      (GDestroyNotify) relay_watch_unref);

  if (turn_list && no_relay) {
    g_signal_connect_data (webrtcbin, "on-ice-candidate",
        G_CALLBACK (on_ice_candidate), g_atomic_rc_box_acquire (watch),
        (GClosureNotify) relay_watch_unref, 0);
    g_signal_connect_data (webrtcbin, "notify::ice-gathering-state",
        G_CALLBACK (on_ice_gathering_state), g_atomic_rc_box_acquire (watch),
        (GClosureNotify) relay_watch_unref, 0);
  }
  G_UNLOCK (claims);

  return TRUE;
}

void
rtc_ice_webrtc_prepare_agent (GstElement * webrtcbin,
    const gchar * const *local_addresses, const gchar * name)
{
  GstWebRTCICE *ice = NULL;
  NiceAgent *agent = NULL;
  const gchar *const *addr;

  ensure_debug_category ();
  g_object_get (webrtcbin, "ice-agent", &ice, NULL);
  if (ice && g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent"))
    g_object_get (ice, "agent", &agent, NULL);
  if (!agent) {
    GST_WARNING ("%s: ICE agent is not libnice, cannot set local addresses",
        name);
    goto done;
  }
  /* UPnP makes gathering wait ~200 ms and sends SSDP multicast */
  g_object_set (agent, "upnp", FALSE, NULL);
  /* webrtcbin 1.22 creates the agent without consent freshness (RFC 7675,
   * construct-only), and libnice's keepalives are then STUN indications,
   * which nobody answers: a remote that vanished (an SFU restarted, a
   * laptop closed) was never noticed, the session stayed "connected".
   * Binding requests as keepalives (RFC 8445 section 11 allows either)
   * time out, and the transport fails. */
  g_object_set (agent, "keepalive-conncheck", TRUE, NULL);
  /* Ta, the pace of connectivity checks and gathering requests (RFC 8445
   * section 14.2): libnice's default is 20 ms; a check list goes through
   * four times faster at RTC_ICE_PACING_MS, a first frame sooner
   * (docs/performance.md) */
  g_object_set (agent, "stun-pacing-timer", RTC_ICE_PACING_MS, NULL);

  for (addr = local_addresses; addr && *addr; addr++) {
    NiceAddress na;

    nice_address_init (&na);
    if (!nice_address_set_from_string (&na, *addr)) {
      GST_WARNING ("%s: ignoring invalid local address '%s'", name, *addr);
      continue;
    }
    /* once any address is added, libnice gathers on those only */
    if (!nice_agent_add_local_address (agent, &na))
      GST_WARNING ("%s: libnice refused local address %s", name, *addr);
    else
      GST_DEBUG ("%s: ICE restricted to %s", name, *addr);
  }
done:
  g_clear_object (&agent);
  g_clear_object (&ice);
}
