/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/*
 * Server side of gst-plugins-rs' signalling protocol v1.1 plus our room
 * extension (docs/protocol.md), as pure logic: "handler in, messages out".
 *
 * Rooms: a peer's scope is the room its meta names, or the default scope
 * when it names none. Everything a peer can see (list, listConsumers,
 * peerStatusChanged) or reach (startSession) is limited to its scope, and a
 * peer of another scope is answered exactly like an unknown one, so that
 * nothing about other rooms leaks.
 *
 * Where the reference server stays silent on bad input (unparseable JSON,
 * unknown session ids in `peer`), we answer {"type":"error"} and keep the
 * peer. An endSession for an unknown session is the exception: it is only
 * logged, as the reference server does, because gstwebrtc-api answers
 * every endSession it receives with its own, for a session that has just
 * ended.
 *
 * Media between peers must never depend on the server (issue 7.4): a peer
 * whose connection drops without a close frame keeps its sessions for the
 * reconnect grace period, during which messages for it are dropped, and a
 * new connection that presents the same peer id and resume token takes
 * them over (rtc_signal_router_add_peer_resuming()).
 *
 * TURN credentials (iceServers) go only to peers that asked with
 * getIceServers and registered with setPeerStatus. The server admits only
 * authenticated connections when it has an auth token (401 otherwise), so
 * every peer the router knows is on one.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <gst/gst.h>

#include "rtcprotocol.h"
#include "rtcsignalrouter.h"

GST_DEBUG_CATEGORY_STATIC (rtc_signal_router_debug);
#define GST_CAT_DEFAULT rtc_signal_router_debug

typedef struct
{
  gchar *id;
  gpointer data;
  RtcRoles roles;
  JsonObject *meta;
  /* has sent setPeerStatus at least once, so listeners know of it */
  gboolean registered;
  /* setProtocolVersion is only valid as the very first message */
  gboolean got_message;
  gboolean v1_1;
  /* session id -> Session*, owned by the router's table */
  GHashTable *sessions;
  /* asked for iceServers with getIceServers */
  gboolean wants_ice_servers;
  /* SHA-256 of the resume token the client presented, or NULL: the token
   * itself is never kept nor logged */
  gchar *token_digest;
  /* the connection dropped: waiting for a resume until this fires */
  GSource *grace;
} Peer;

typedef struct
{
  gchar *id;
  Peer *producer;
  Peer *consumer;
} Session;

struct _RtcSignalRouter
{
  RtcSignalRouterSendFunc send_func;
  gpointer user_data;
  GDestroyNotify notify;

  GHashTable *peers;            /* id -> Peer* (owned) */
  GHashTable *sessions;         /* id -> Session* (owned) */
  JsonArray *ice_servers;

  guint max_sessions_per_peer;  /* 0: no limit */
  gsize max_meta_size;          /* serialised bytes, 0: no limit */
  guint reconnect_grace_ms;
};

#define DEFAULT_RECONNECT_GRACE_MS 10000

static void
peer_free (Peer * peer)
{
  if (peer->grace) {
    g_source_destroy (peer->grace);
    g_source_unref (peer->grace);
  }
  g_free (peer->token_digest);
  g_free (peer->id);
  g_clear_pointer (&peer->meta, json_object_unref);
  g_hash_table_unref (peer->sessions);
  g_free (peer);
}

static void
session_free (Session * session)
{
  g_free (session->id);
  g_free (session);
}

static const gchar *
peer_room (Peer * peer)
{
  return rtc_meta_get_room (peer->meta);
}

static gboolean
peer_in_scope (Peer * peer, const gchar * room)
{
  return g_strcmp0 (peer_room (peer), room) == 0;
}

/* ------------------------------------------------------------------------ */
/* Sending */

static void
send_message (RtcSignalRouter * router, Peer * to, const RtcMessage * msg)
{
  g_autofree gchar *text = NULL;

  if (to->grace) {
    GST_DEBUG ("peer %s is away: %s dropped", to->id,
        rtc_message_type_to_string (msg->type));
    return;
  }
  text = rtc_message_to_json (msg);
  GST_LOG ("to %s: %s (%" G_GSIZE_FORMAT " bytes)", to->id,
      rtc_message_type_to_string (msg->type), strlen (text));
  router->send_func (to->id, to->data, text, router->user_data);
}

static void
send_error (RtcSignalRouter * router, Peer * to, const gchar * format, ...)
G_GNUC_PRINTF (3, 4);

     static void
         send_error (RtcSignalRouter * router, Peer * to, const gchar * format,
    ...)
{
  g_autoptr (RtcMessage) msg = rtc_message_new (RTC_MESSAGE_ERROR);
  va_list args;

  va_start (args, format);
  msg->details = g_strdup_vprintf (format, args);
  va_end (args);

  GST_INFO ("error to %s: %s", to->id, msg->details);
  send_message (router, to, msg);
}

static void
send_ice_servers (RtcSignalRouter * router, Peer * to)
{
  g_autoptr (RtcMessage) msg = rtc_message_new (RTC_MESSAGE_ICE_SERVERS);

  /* carries TURN credentials: never logged beyond its type; an empty list
   * when there are none, so that a client waiting for it goes on */
  if (router->ice_servers)
    msg->ice_servers = json_array_ref (router->ice_servers);
  send_message (router, to, msg);
}

/* Tells every listener of @room that @subject now has @roles (RTC_ROLE_NONE
 * when it left the scope; a peer moving to another room is not told that
 * it left). */
static void
notify_listeners (RtcSignalRouter * router, Peer * subject, RtcRoles roles,
    const gchar * room)
{
  g_autoptr (RtcMessage) msg =
      rtc_message_new (RTC_MESSAGE_PEER_STATUS_CHANGED);
  GHashTableIter iter;
  Peer *peer;

  msg->roles = roles;
  msg->peer_id = g_strdup (subject->id);
  if (subject->meta)
    msg->meta = json_object_ref (subject->meta);

  g_hash_table_iter_init (&iter, router->peers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & peer)) {
    if (peer == subject && roles == RTC_ROLE_NONE)
      continue;
    if ((peer->roles & RTC_ROLE_LISTENER) && peer_in_scope (peer, room))
      send_message (router, peer, msg);
  }
}

/* ------------------------------------------------------------------------ */
/* Sessions */

/* Forgets @session and tells the member that did not end it. */
static void
end_session (RtcSignalRouter * router, Session * session, Peer * ender,
    const gchar * reason)
{
  Peer *other = ender == session->producer ?
      session->consumer : session->producer;
  g_autoptr (RtcMessage) msg = rtc_message_new (other->v1_1 ?
      RTC_MESSAGE_END_SESSION_V1_1 : RTC_MESSAGE_END_SESSION);

  GST_DEBUG ("session %s ended by %s", session->id, ender->id);

  msg->session_id = g_strdup (session->id);
  msg->error = g_strdup (reason);

  g_hash_table_remove (session->producer->sessions, session->id);
  g_hash_table_remove (session->consumer->sessions, session->id);
  g_hash_table_remove (router->sessions, session->id);

  send_message (router, other, msg);
}

/* Ends the sessions in which @peer has one of @as_roles (producer and/or
 * consumer side). */
static void
end_sessions_of (RtcSignalRouter * router, Peer * peer, RtcRoles as_roles)
{
  g_autoptr (GPtrArray) ending = g_ptr_array_new ();
  GHashTableIter iter;
  Session *session;
  guint i;

  g_hash_table_iter_init (&iter, peer->sessions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & session)) {
    if (((as_roles & RTC_ROLE_PRODUCER) && session->producer == peer)
        || ((as_roles & RTC_ROLE_CONSUMER) && session->consumer == peer))
      g_ptr_array_add (ending, session);
  }
  for (i = 0; i < ending->len; i++)
    end_session (router, g_ptr_array_index (ending, i), peer, NULL);
}

/* The session @session_id if @peer is one of its two members. Others are
 * told it does not exist, whether it does or not. */
static Session *
lookup_session (RtcSignalRouter * router, Peer * peer, const gchar * session_id)
{
  Session *session = g_hash_table_lookup (peer->sessions, session_id);

  if (!session)
    send_error (router, peer, "Session with ID '%s' not found", session_id);
  return session;
}

/* ------------------------------------------------------------------------ */
/* Handlers, one per client message */

static void
handle_set_protocol_version (RtcSignalRouter * router, Peer * peer,
    RtcMessage * msg, gboolean first)
{
  if (!first) {
    send_error (router, peer,
        "Protocol version selection must be the first message");
    return;
  }
  if (g_strcmp0 (msg->version, "v1_1") == 0)
    peer->v1_1 = TRUE;
  else if (g_strcmp0 (msg->version, "v1_0") != 0)
    send_error (router, peer,
        "Unsupported protocol version '%s', expected 'v1_0' or 'v1_1'",
        msg->version);
}

static gboolean
meta_equal (JsonObject * a, JsonObject * b)
{
  g_autoptr (JsonNode) node_a = NULL;
  g_autoptr (JsonNode) node_b = NULL;

  if (!a || !b)
    return a == b;
  node_a = json_node_init_object (json_node_alloc (), a);
  node_b = json_node_init_object (json_node_alloc (), b);
  return json_node_equal (node_a, node_b);
}

static void
handle_set_peer_status (RtcSignalRouter * router, Peer * peer, RtcMessage * msg)
{
  g_autofree gchar *old_room = g_strdup (peer_room (peer));
  RtcRoles dropped = peer->roles & ~msg->roles;
  gboolean was_registered = peer->registered;

  if (msg->meta && router->max_meta_size > 0) {
    g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (),
        msg->meta);
    g_autofree gchar *text = json_to_string (node, FALSE);

    if (strlen (text) > router->max_meta_size) {
      send_error (router, peer, "meta is larger than %" G_GSIZE_FORMAT
          " bytes", router->max_meta_size);
      return;
    }
  }

  if (peer->registered && peer->roles == msg->roles
      && meta_equal (peer->meta, msg->meta)) {
    GST_DEBUG ("status of %s has not changed", peer->id);
    return;
  }

  /* A peer that moves to another room can keep nothing of the old one. */
  if (g_strcmp0 (old_room, rtc_meta_get_room (msg->meta)) != 0) {
    end_sessions_of (router, peer, RTC_ROLE_PRODUCER | RTC_ROLE_CONSUMER);
    if (peer->registered)
      notify_listeners (router, peer, RTC_ROLE_NONE, old_room);
  } else if (dropped & (RTC_ROLE_PRODUCER | RTC_ROLE_CONSUMER)) {
    end_sessions_of (router, peer, dropped);
  }

  peer->roles = msg->roles;
  g_clear_pointer (&peer->meta, json_object_unref);
  peer->meta = g_steal_pointer (&msg->meta);
  peer->registered = TRUE;

  GST_INFO ("peer %s registered with roles 0x%x in room '%s'", peer->id,
      peer->roles, GST_STR_NULL (peer_room (peer)));

  /* The peer id a client sends is ignored: notify_listeners() uses ours. */
  notify_listeners (router, peer, peer->roles, peer_room (peer));

  if (!was_registered && peer->wants_ice_servers)
    send_ice_servers (router, peer);
}

static gint
compare_peer_info (gconstpointer a, gconstpointer b)
{
  const RtcPeerInfo *info_a = *(const RtcPeerInfo **) a;
  const RtcPeerInfo *info_b = *(const RtcPeerInfo **) b;

  return g_strcmp0 (info_a->id, info_b->id);
}

/* Answers list (@role producer) or listConsumers (@role consumer) with the
 * peers of the asker's scope, sorted by id. */
static void
handle_list (RtcSignalRouter * router, Peer * peer, RtcMessageType type,
    RtcRoles role)
{
  g_autoptr (RtcMessage) answer = rtc_message_new (type);
  const gchar *room = peer_room (peer);
  GHashTableIter iter;
  Peer *other;

  answer->peers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      rtc_peer_info_free);
  g_hash_table_iter_init (&iter, router->peers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & other)) {
    RtcPeerInfo *info;

    if (!(other->roles & role) || !peer_in_scope (other, room))
      continue;
    info = g_new0 (RtcPeerInfo, 1);
    info->id = g_strdup (other->id);
    if (other->meta)
      info->meta = json_object_ref (other->meta);
    g_ptr_array_add (answer->peers, info);
  }
  g_ptr_array_sort (answer->peers, compare_peer_info);

  send_message (router, peer, answer);
}

static void
handle_start_session (RtcSignalRouter * router, Peer * peer, RtcMessage * msg)
{
  Peer *target = g_hash_table_lookup (router->peers, msg->peer_id);
  g_autoptr (RtcMessage) started = NULL;
  g_autoptr (RtcMessage) start = NULL;
  Session *session;

  /* Same words as for a peer that does not exist: rooms do not leak. */
  if (!target || !peer_in_scope (target, peer_room (peer))) {
    send_error (router, peer, "Peer with ID '%s' not found", msg->peer_id);
    return;
  }
  if (target == peer) {
    send_error (router, peer, "Cannot start a session with oneself");
    return;
  }
  /* a peer that dropped keeps its sessions, but takes no new one */
  if (target->grace) {
    send_error (router, peer, "Peer with ID '%s' not found", msg->peer_id);
    return;
  }
  if (router->max_sessions_per_peer > 0
      && (g_hash_table_size (peer->sessions) >= router->max_sessions_per_peer
          || g_hash_table_size (target->sessions) >=
          router->max_sessions_per_peer)) {
    send_error (router, peer, "Too many sessions: a peer may have at most "
        "%u", router->max_sessions_per_peer);
    return;
  }

  /* As on the reference server, the named peer decides the direction:
   * if it produces, it is the producer (and will offer unless the
   * starter sent an offer); otherwise it must be a passive consumer. */
  session = g_new0 (Session, 1);
  if (target->roles & RTC_ROLE_PRODUCER) {
    session->producer = target;
    session->consumer = peer;
  } else if (target->roles & RTC_ROLE_CONSUMER) {
    session->producer = peer;
    session->consumer = target;
  } else {
    g_free (session);
    send_error (router, peer, "Peer '%s' is neither a producer nor a "
        "consumer", target->id);
    return;
  }
  session->id = g_uuid_string_random ();
  g_hash_table_insert (router->sessions, session->id, session);
  g_hash_table_insert (peer->sessions, session->id, session);
  g_hash_table_insert (target->sessions, session->id, session);

  GST_INFO ("session %s: producer %s, consumer %s", session->id,
      session->producer->id, session->consumer->id);

  started = rtc_message_new (RTC_MESSAGE_SESSION_STARTED);
  started->peer_id = g_strdup (session->producer->id);
  started->session_id = g_strdup (session->id);
  send_message (router, session->consumer, started);

  start = rtc_message_new (RTC_MESSAGE_START_SESSION);
  start->peer_id = g_strdup (session->consumer->id);
  start->session_id = g_strdup (session->id);
  start->offer = g_strdup (msg->offer);
  send_message (router, session->producer, start);
}

static void
handle_peer (RtcSignalRouter * router, Peer * peer, RtcMessage * msg)
{
  Session *session = lookup_session (router, peer, msg->session_id);

  if (!session)
    return;
  /* re-serialised: members we do not know (sdpMid, ...) are dropped, as
   * the reference server's serde round trip drops them */
  send_message (router, peer == session->producer ?
      session->consumer : session->producer, msg);
}

static void
handle_end_session (RtcSignalRouter * router, Peer * peer, RtcMessage * msg)
{
  Session *session;

  if (msg->type == RTC_MESSAGE_END_SESSION_V1_1 && !peer->v1_1) {
    send_error (router, peer, "endSessionV1_1 requires protocol version "
        "v1_1, selected with setProtocolVersion");
    return;
  }
  /* gstwebrtc-api answers every endSession with its own for the session
   * that has just ended: an error here would only be noise (issue 11.3) */
  session = g_hash_table_lookup (peer->sessions, msg->session_id);
  if (!session) {
    GST_WARNING ("peer %s ended unknown session %s", peer->id, msg->session_id);
    return;
  }
  end_session (router, session, peer, msg->error);
}

static void
handle_get_ice_servers (RtcSignalRouter * router, Peer * peer)
{
  peer->wants_ice_servers = TRUE;
  /* unregistered peers are answered when they register */
  if (peer->registered)
    send_ice_servers (router, peer);
}

/* ------------------------------------------------------------------------ */
/* Public API */

/**
 * rtc_signal_router_new:
 * @send_func: receives every outgoing message
 * @user_data: for @send_func
 * @notify: (nullable): frees @user_data with the router
 *
 * Returns: (transfer full): a router without peers.
 */
RtcSignalRouter *
rtc_signal_router_new (RtcSignalRouterSendFunc send_func, gpointer user_data,
    GDestroyNotify notify)
{
  static gsize init = 0;
  RtcSignalRouter *router;

  g_return_val_if_fail (send_func != NULL, NULL);

  if (g_once_init_enter (&init)) {
    GST_DEBUG_CATEGORY_INIT (rtc_signal_router_debug, "rtcsignalrouter", 0,
        "signalling server logic");
    g_once_init_leave (&init, 1);
  }

  router = g_new0 (RtcSignalRouter, 1);
  router->send_func = send_func;
  router->user_data = user_data;
  router->notify = notify;
  router->peers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) peer_free);
  router->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      (GDestroyNotify) session_free);
  router->reconnect_grace_ms = DEFAULT_RECONNECT_GRACE_MS;
  return router;
}

/**
 * rtc_signal_router_free:
 * @router: (nullable): a router
 *
 * Frees the router and all its state without sending anything; remove the
 * peers first for a clean shutdown.
 */
void
rtc_signal_router_free (RtcSignalRouter * router)
{
  if (!router)
    return;
  /* sessions first: peers' session tables only borrow them */
  g_hash_table_unref (router->sessions);
  g_hash_table_unref (router->peers);
  g_clear_pointer (&router->ice_servers, json_array_unref);
  if (router->notify)
    router->notify (router->user_data);
  g_free (router);
}

static gchar *
token_digest (const gchar * token)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

static Peer *
peer_new (RtcSignalRouter * router, const gchar * id, gpointer peer_data)
{
  Peer *peer = g_new0 (Peer, 1);

  peer->id = id ? g_strdup (id) : g_uuid_string_random ();
  peer->data = peer_data;
  peer->sessions = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (router->peers, peer->id, peer);
  return peer;
}

static void
send_welcome (RtcSignalRouter * router, Peer * peer, gboolean sessions_kept)
{
  g_autoptr (RtcMessage) welcome = rtc_message_new (RTC_MESSAGE_WELCOME);

  welcome->peer_id = g_strdup (peer->id);
  welcome->sessions_kept = sessions_kept;
  send_message (router, peer, welcome);
}

/**
 * rtc_signal_router_add_peer:
 * @router: the router
 * @peer_data: handed to the send function with every message for the peer
 *
 * A new connection without a resume token: sends `welcome` with a fresh
 * UUID v4.
 *
 * Returns: (transfer full): the peer id.
 */
gchar *
rtc_signal_router_add_peer (RtcSignalRouter * router, gpointer peer_data)
{
  return rtc_signal_router_add_peer_resuming (router, peer_data, NULL, NULL,
      NULL);
}

/**
 * rtc_signal_router_add_peer_resuming:
 * @router: the router
 * @peer_data: handed to the send function with every message for the peer
 * @peer_id: (nullable): the id the client had before (`meshrtc-peer`)
 * @token: (nullable): the client's resume token (`meshrtc-resume`)
 * @replaced_data: (out) (optional): set to the peer data of a connection
 *   this one replaces (close it without removing the peer), else %NULL
 *
 * A new connection. With @token and @peer_id:
 * - @peer_id is in its reconnect grace period, or still connected (the
 *   server had not noticed the drop yet), and was registered with the same
 *   token: the new connection takes it over with its sessions; nobody
 *   else is told anything.
 * - @peer_id is unknown (e.g. the server restarted) and a well-formed
 *   UUID: the peer gets that id back.
 * - otherwise: a fresh id.
 * The token is kept as a digest for the next resume; it is never logged.
 * `welcome` carries the id either way.
 *
 * Returns: (transfer full): the peer id.
 */
gchar *
rtc_signal_router_add_peer_resuming (RtcSignalRouter * router,
    gpointer peer_data, const gchar * peer_id, const gchar * token,
    gpointer * replaced_data)
{
  g_autofree gchar *digest = NULL;
  Peer *peer = NULL;
  gboolean sessions_kept = FALSE;

  g_return_val_if_fail (router != NULL, NULL);

  if (replaced_data)
    *replaced_data = NULL;
  if (token && *token)
    digest = token_digest (token);

  if (digest && peer_id) {
    Peer *old = g_hash_table_lookup (router->peers, peer_id);

    if (old && old->token_digest && g_str_equal (old->token_digest, digest)) {
      peer = old;
      sessions_kept = TRUE;
      if (peer->grace) {
        g_source_destroy (peer->grace);
        g_clear_pointer (&peer->grace, g_source_unref);
        GST_INFO ("peer %s resumed within the grace period", peer->id);
      } else {
        GST_INFO ("peer %s resumed on a new connection; the old one is "
            "replaced", peer->id);
        if (replaced_data)
          *replaced_data = peer->data;
      }
      peer->data = peer_data;
      /* a new connection: setProtocolVersion may come first again, and
       * iceServers must be asked for again */
      peer->got_message = FALSE;
      peer->v1_1 = FALSE;
      peer->wants_ice_servers = FALSE;
    } else if (!old && g_uuid_string_is_valid (peer_id)) {
      peer = peer_new (router, peer_id, peer_data);
      GST_INFO ("peer %s joined again with its former id", peer->id);
    } else {
      GST_INFO ("peer id %s not resumable: a fresh id is given", peer_id);
    }
  }

  if (!peer) {
    peer = peer_new (router, NULL, peer_data);
    GST_INFO ("peer %s joined", peer->id);
  }
  if (digest) {
    g_free (peer->token_digest);
    peer->token_digest = g_steal_pointer (&digest);
  }

  send_welcome (router, peer, sessions_kept);
  return g_strdup (peer->id);
}

static void
remove_now (RtcSignalRouter * router, Peer * peer)
{
  end_sessions_of (router, peer, RTC_ROLE_PRODUCER | RTC_ROLE_CONSUMER);
  g_hash_table_steal (router->peers, peer->id);
  if (peer->registered)
    notify_listeners (router, peer, RTC_ROLE_NONE, peer_room (peer));
  peer_free (peer);
}

/**
 * rtc_signal_router_remove_peer:
 * @router: the router
 * @peer_id: a peer id
 *
 * The peer left for good (a close frame 1000 or 1001, or the server's
 * decision): ends its sessions at once (the other side gets endSession,
 * or endSessionV1_1 if it selected v1_1) and, if it had registered, tells
 * the listeners of its scope with peerStatusChanged and roles []. A peer
 * in its grace period is removed the same way. Unknown ids are ignored.
 */
void
rtc_signal_router_remove_peer (RtcSignalRouter * router, const gchar * peer_id)
{
  Peer *peer;

  g_return_if_fail (router != NULL);
  g_return_if_fail (peer_id != NULL);

  peer = g_hash_table_lookup (router->peers, peer_id);
  if (!peer)
    return;

  GST_INFO ("peer %s left", peer->id);
  remove_now (router, peer);
}

typedef struct
{
  RtcSignalRouter *router;
  gchar *peer_id;
} GraceExpiry;

static void
grace_expiry_free (GraceExpiry * expiry)
{
  g_free (expiry->peer_id);
  g_free (expiry);
}

static gboolean
grace_expired (gpointer data)
{
  GraceExpiry *expiry = data;
  Peer *peer = g_hash_table_lookup (expiry->router->peers, expiry->peer_id);

  if (peer && peer->grace) {
    GST_INFO ("peer %s did not come back in time", peer->id);
    /* peer_free() must not destroy the source that is running */
    g_clear_pointer (&peer->grace, g_source_unref);
    remove_now (expiry->router, peer);
  }
  return G_SOURCE_REMOVE;
}

/**
 * rtc_signal_router_drop_peer:
 * @router: the router
 * @peer_id: a peer id
 *
 * The peer's connection dropped without a close frame (or with an
 * unexpected code, or a ping timeout): a peer that presented a resume
 * token keeps its sessions for the reconnect grace period, in which
 * messages for it are dropped and nobody is told anything; if it does not
 * come back (rtc_signal_router_add_peer_resuming()), it is removed as by
 * rtc_signal_router_remove_peer() then. A peer without a token cannot
 * come back and is removed at once. The timer runs in the thread-default
 * main context.
 */
void
rtc_signal_router_drop_peer (RtcSignalRouter * router, const gchar * peer_id)
{
  GraceExpiry *expiry;
  Peer *peer;

  g_return_if_fail (router != NULL);
  g_return_if_fail (peer_id != NULL);

  peer = g_hash_table_lookup (router->peers, peer_id);
  if (!peer || peer->grace)
    return;

  if (!peer->token_digest || router->reconnect_grace_ms == 0) {
    GST_INFO ("peer %s dropped and cannot resume", peer->id);
    remove_now (router, peer);
    return;
  }

  GST_INFO ("peer %s dropped; its sessions are kept for %u ms", peer->id,
      router->reconnect_grace_ms);
  expiry = g_new0 (GraceExpiry, 1);
  expiry->router = router;
  expiry->peer_id = g_strdup (peer->id);
  peer->data = NULL;
  peer->grace = g_timeout_source_new (router->reconnect_grace_ms);
  g_source_set_callback (peer->grace, grace_expired, expiry,
      (GDestroyNotify) grace_expiry_free);
  g_source_attach (peer->grace, g_main_context_get_thread_default ());
}

/**
 * rtc_signal_router_set_reconnect_grace:
 * @router: the router
 * @grace_ms: how long a dropped peer keeps its sessions, in milliseconds;
 *   0 ends them at once
 *
 * Applies to drops from now on. Default: 10000.
 */
void
rtc_signal_router_set_reconnect_grace (RtcSignalRouter * router, guint grace_ms)
{
  g_return_if_fail (router != NULL);
  router->reconnect_grace_ms = grace_ms;
}

/**
 * rtc_signal_router_set_limits:
 * @router: the router
 * @max_sessions_per_peer: sessions a peer may be in at once, 0 for no
 *   limit; a startSession beyond it is answered with an error
 * @max_meta_size: bytes of a peer's serialised meta, 0 for no limit; a
 *   setPeerStatus with a larger meta is answered with an error and ignored
 */
void
rtc_signal_router_set_limits (RtcSignalRouter * router,
    guint max_sessions_per_peer, gsize max_meta_size)
{
  g_return_if_fail (router != NULL);
  router->max_sessions_per_peer = max_sessions_per_peer;
  router->max_meta_size = max_meta_size;
}

void
rtc_signal_router_handle_text (RtcSignalRouter * router,
    const gchar * peer_id, const gchar * text, gssize length)
{
  g_autoptr (RtcMessage) msg = NULL;
  g_autoptr (GError) error = NULL;
  gboolean first;
  Peer *peer;

  g_return_if_fail (router != NULL);
  g_return_if_fail (peer_id != NULL);
  g_return_if_fail (text != NULL || length == 0);

  peer = g_hash_table_lookup (router->peers, peer_id);
  if (!peer || peer->grace) {
    GST_WARNING ("message from unknown peer %s dropped", peer_id);
    return;
  }

  msg = rtc_message_parse (text, length, &error);
  if (!msg) {
    send_error (router, peer, "%s", error->message);
    return;
  }

  GST_LOG ("from %s: %s", peer->id, rtc_message_type_to_string (msg->type));

  first = !peer->got_message;
  peer->got_message = TRUE;

  switch (msg->type) {
    case RTC_MESSAGE_SET_PROTOCOL_VERSION:
      handle_set_protocol_version (router, peer, msg, first);
      break;
    case RTC_MESSAGE_SET_PEER_STATUS:
      handle_set_peer_status (router, peer, msg);
      break;
    case RTC_MESSAGE_LIST:
      handle_list (router, peer, msg->type, RTC_ROLE_PRODUCER);
      break;
    case RTC_MESSAGE_LIST_CONSUMERS:
      handle_list (router, peer, msg->type, RTC_ROLE_CONSUMER);
      break;
    case RTC_MESSAGE_START_SESSION:
      handle_start_session (router, peer, msg);
      break;
    case RTC_MESSAGE_PEER:
      handle_peer (router, peer, msg);
      break;
    case RTC_MESSAGE_END_SESSION:
    case RTC_MESSAGE_END_SESSION_V1_1:
      handle_end_session (router, peer, msg);
      break;
    case RTC_MESSAGE_GET_ICE_SERVERS:
      handle_get_ice_servers (router, peer);
      break;
    default:
      send_error (router, peer, "Unexpected message type '%s' from a peer",
          rtc_message_type_to_string (msg->type));
      break;
  }
}

void
rtc_signal_router_set_ice_servers (RtcSignalRouter * router,
    JsonArray * ice_servers)
{
  GHashTableIter iter;
  Peer *peer;

  g_return_if_fail (router != NULL);

  if (ice_servers && json_array_get_length (ice_servers) > 0)
    json_array_ref (ice_servers);
  else
    ice_servers = NULL;
  g_clear_pointer (&router->ice_servers, json_array_unref);
  router->ice_servers = ice_servers;

  g_hash_table_iter_init (&iter, router->peers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & peer)) {
    if (peer->wants_ice_servers && peer->registered)
      send_ice_servers (router, peer);
  }
}

guint
rtc_signal_router_get_n_peers (RtcSignalRouter * router)
{
  g_return_val_if_fail (router != NULL, 0);
  return g_hash_table_size (router->peers);
}

guint
rtc_signal_router_get_n_sessions (RtcSignalRouter * router)
{
  g_return_val_if_fail (router != NULL, 0);
  return g_hash_table_size (router->sessions);
}

/**
 * rtc_signal_router_get_n_peer_sessions:
 * @router: the router
 * @peer_id: a peer's id
 *
 * Returns: how many sessions @peer_id is in now (0 for an unknown peer).
 */
guint
rtc_signal_router_get_n_peer_sessions (RtcSignalRouter * router,
    const gchar * peer_id)
{
  Peer *peer;

  g_return_val_if_fail (router != NULL, 0);
  peer = peer_id ? g_hash_table_lookup (router->peers, peer_id) : NULL;
  return peer ? g_hash_table_size (peer->sessions) : 0;
}

/**
 * rtc_signal_router_find_producer:
 * @router: the router
 * @name: (nullable): the "name" of the producer's meta, or %NULL
 *
 * A registered producer outside any room: the one whose meta "name" is
 * @name, or with @name %NULL the only one there is (WHEP players ask for
 * a stream without knowing peer ids).
 *
 * Returns: (transfer full) (nullable): its peer id, or %NULL when there
 *   is none, or several and no @name.
 */
gchar *
rtc_signal_router_find_producer (RtcSignalRouter * router, const gchar * name)
{
  GHashTableIter iter;
  Peer *peer, *found = NULL;

  g_hash_table_iter_init (&iter, router->peers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & peer)) {
    if (!peer->registered || !(peer->roles & RTC_ROLE_PRODUCER) || peer->grace
        || !peer_in_scope (peer, NULL))
      continue;
    if (name) {
      const gchar *peer_name = peer->meta
          && json_object_has_member (peer->meta, "name") ?
          json_object_get_string_member_with_default (peer->meta, "name",
          NULL) : NULL;

      if (g_strcmp0 (peer_name, name) == 0)
        return g_strdup (peer->id);
    } else if (found) {
      return NULL;
    } else {
      found = peer;
    }
  }
  return found ? g_strdup (found->id) : NULL;
}
