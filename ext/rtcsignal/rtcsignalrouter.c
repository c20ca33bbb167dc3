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
 * unknown session ids), we answer {"type":"error"} and keep the peer.
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
};

static void
peer_free (Peer * peer)
{
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
  g_autofree gchar *text = rtc_message_to_json (msg);

  GST_LOG ("to %s: %s (%" G_GSIZE_FORMAT " bytes)", to->id,
      rtc_message_type_to_string (msg->type), strlen (text));
  router->send_func (to->id, to->data, text, router->user_data);
}

static void
send_error (RtcSignalRouter * router, Peer * to, const gchar * format, ...)
    G_GNUC_PRINTF (3, 4);

static void
send_error (RtcSignalRouter * router, Peer * to, const gchar * format, ...)
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

  /* carries TURN credentials: never logged beyond its type */
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
lookup_session (RtcSignalRouter * router, Peer * peer,
    const gchar * session_id)
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
handle_set_peer_status (RtcSignalRouter * router, Peer * peer,
    RtcMessage * msg)
{
  g_autofree gchar *old_room = g_strdup (peer_room (peer));
  RtcRoles dropped = peer->roles & ~msg->roles;

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
handle_start_session (RtcSignalRouter * router, Peer * peer,
    RtcMessage * msg)
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
  session = lookup_session (router, peer, msg->session_id);
  if (session)
    end_session (router, session, peer, msg->error);
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

gchar *
rtc_signal_router_add_peer (RtcSignalRouter * router, gpointer peer_data)
{
  g_autoptr (RtcMessage) welcome = rtc_message_new (RTC_MESSAGE_WELCOME);
  Peer *peer;

  g_return_val_if_fail (router != NULL, NULL);

  peer = g_new0 (Peer, 1);
  peer->id = g_uuid_string_random ();
  peer->data = peer_data;
  peer->sessions = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (router->peers, peer->id, peer);

  GST_INFO ("peer %s joined", peer->id);

  welcome->peer_id = g_strdup (peer->id);
  send_message (router, peer, welcome);
  if (router->ice_servers)
    send_ice_servers (router, peer);

  return g_strdup (peer->id);
}

void
rtc_signal_router_remove_peer (RtcSignalRouter * router,
    const gchar * peer_id)
{
  Peer *peer;

  g_return_if_fail (router != NULL);
  g_return_if_fail (peer_id != NULL);

  peer = g_hash_table_lookup (router->peers, peer_id);
  if (!peer)
    return;

  GST_INFO ("peer %s left", peer->id);

  end_sessions_of (router, peer, RTC_ROLE_PRODUCER | RTC_ROLE_CONSUMER);
  g_hash_table_steal (router->peers, peer->id);
  if (peer->registered)
    notify_listeners (router, peer, RTC_ROLE_NONE, peer_room (peer));
  peer_free (peer);
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
  if (!peer) {
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
  if (!ice_servers)
    return;

  g_hash_table_iter_init (&iter, router->peers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & peer))
    send_ice_servers (router, peer);
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
