/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#ifndef __RTC_PROTOCOL_H__
#define __RTC_PROTOCOL_H__

#include <glib.h>
#include <json-glib/json-glib.h>
#include "rtcsignallable.h"

G_BEGIN_DECLS

/**
 * RtcMessageType:
 *
 * Every message of gst-plugins-rs' signalling protocol v1.1 (see
 * docs/protocol.md), plus our extensions. The wire name is the camelCase
 * `"type"` string given beside each value.
 */
typedef enum
{
  RTC_MESSAGE_INVALID = 0,
  /* client to server */
  RTC_MESSAGE_SET_PROTOCOL_VERSION,     /* "setProtocolVersion" */
  RTC_MESSAGE_SET_PEER_STATUS,  /* "setPeerStatus" */
  RTC_MESSAGE_LIST,             /* "list" (both directions) */
  RTC_MESSAGE_LIST_CONSUMERS,   /* "listConsumers" (both directions) */
  RTC_MESSAGE_START_SESSION,    /* "startSession" (both directions) */
  RTC_MESSAGE_PEER,             /* "peer" (both directions) */
  RTC_MESSAGE_END_SESSION,      /* "endSession" (both directions) */
  RTC_MESSAGE_END_SESSION_V1_1, /* "endSessionV1_1" (both directions) */
  /* server to client */
  RTC_MESSAGE_WELCOME,          /* "welcome" */
  RTC_MESSAGE_PEER_STATUS_CHANGED,      /* "peerStatusChanged" */
  RTC_MESSAGE_SESSION_STARTED,  /* "sessionStarted" */
  RTC_MESSAGE_ERROR,            /* "error" (both directions) */
  /* extension: server tells clients which ICE servers to use */
  RTC_MESSAGE_ICE_SERVERS,      /* "iceServers" */
  /* extension: a client asks for iceServers (and for updates) */
  RTC_MESSAGE_GET_ICE_SERVERS,  /* "getIceServers" */
} RtcMessageType;

/* RtcRoles (the "roles" of setPeerStatus: wire strings "producer",
 * "consumer", "listener") is the signaller interface's, rtcsignallable.h */

/**
 * RtcPeerInfo:
 * @id: peer id
 * @meta: (nullable): the peer's meta object, as sent, or %NULL
 *
 * One entry of a `list` / `listConsumers` answer.
 */
typedef struct
{
  gchar *id;
  JsonObject *meta;
} RtcPeerInfo;

/**
 * RtcMessage:
 *
 * One parsed protocol message. Which fields are set depends on @type; all
 * strings are owned by the message. Absent optional fields are %NULL.
 *
 * - welcome: @peer_id, @sessions_kept (extension member
 *   "meshrtcSessionsKept", sent only when true: a resumed peer's sessions
 *   are still known to the server, see docs/protocol.md "Resume")
 * - setProtocolVersion: @version
 * - setPeerStatus / peerStatusChanged: @roles, @meta, @peer_id
 * - list / listConsumers (answer): @peers
 * - startSession: @peer_id, @session_id (server to producer), @offer
 * - sessionStarted: @peer_id, @session_id
 * - peer: @session_id and either (@sdp_type, @sdp) or (@candidate,
 *   @sdp_mline_index); @has_ice tells which
 * - endSession / endSessionV1_1: @session_id, @error (v1.1 only, nullable)
 * - error: @details
 * - iceServers: @ice_servers (a JSON array in RTCIceServer form)
 * - getIceServers: nothing
 */
typedef struct
{
  RtcMessageType type;
  gchar *peer_id;
  gchar *session_id;
  gchar *version;
  RtcRoles roles;
  JsonObject *meta;
  gchar *offer;
  gchar *sdp_type;              /* "offer" or "answer" */
  gchar *sdp;
  gboolean has_ice;
  gchar *candidate;
  guint sdp_mline_index;
  gchar *details;
  gchar *error;
  GPtrArray *peers;             /* of RtcPeerInfo*, or NULL */
  JsonArray *ice_servers;
  gboolean sessions_kept;
} RtcMessage;

#define RTC_PROTOCOL_VERSION "v1_1"

/* error domain for rtc_message_parse() */
#define RTC_PROTOCOL_ERROR (rtc_protocol_error_quark ())
GQuark rtc_protocol_error_quark (void);

typedef enum
{
  RTC_PROTOCOL_ERROR_MALFORMED,       /* not JSON, or not an object */
  RTC_PROTOCOL_ERROR_UNKNOWN_TYPE,    /* "type" missing or unknown */
  RTC_PROTOCOL_ERROR_MISSING_FIELD,   /* a required field is absent */
  RTC_PROTOCOL_ERROR_INVALID_FIELD,   /* a field has the wrong type or value */
} RtcProtocolError;

/* How deep JSON from the network may nest: no message of the protocol
 * nests beyond a handful of levels; meta objects and ICE-server documents
 * get room for application data. */
#define RTC_JSON_MAX_DEPTH 32

/* The one safe entry point for untrusted JSON: a strict RFC 8259 token and
 * depth check, then json-glib. Errors are RTC_PROTOCOL_ERROR_MALFORMED. */
JsonNode *   rtc_json_parse (const gchar * text, gssize length, guint max_depth, GError ** error);

RtcMessage * rtc_message_new (RtcMessageType type);
void         rtc_message_free (RtcMessage * msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtcMessage, rtc_message_free)

/* Parses one WebSocket text frame. On error returns NULL and sets a precise
 * message, e.g. "field 'sessionId' missing in 'peer'". */
RtcMessage * rtc_message_parse (const gchar * text, gssize length, GError ** error);

/* Serialises to one compact JSON object; optional fields become null,
 * an empty peerId is omitted (as gst-plugins-rs does). */
gchar *      rtc_message_to_json (const RtcMessage * msg);

const gchar * rtc_message_type_to_string (RtcMessageType type);

/* Convenience constructors for the messages clients and the server send
 * most. Every string argument is copied; NULL means absent/null. */
RtcMessage * rtc_message_new_peer_sdp (const gchar * session_id, const gchar * sdp_type, const gchar * sdp);
RtcMessage * rtc_message_new_peer_ice (const gchar * session_id, guint sdp_mline_index, const gchar * candidate);
RtcMessage * rtc_message_new_error (const gchar * details);

/* The room a peer's meta names ("room" member, a string), or NULL. */
const gchar * rtc_meta_get_room (JsonObject * meta);

void         rtc_peer_info_free (RtcPeerInfo * info);

G_END_DECLS

#endif /* __RTC_PROTOCOL_H__ */
