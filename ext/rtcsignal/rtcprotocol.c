/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
/*
 * The JSON codec of gst-plugins-rs' signalling protocol v1.1 (see
 * docs/protocol.md). Parsing is strict about the fields each message type
 * needs and tolerant of members it does not know, because browsers send
 * RTCIceCandidate.toJSON() with sdpMid and usernameFragment inside "ice".
 * Every error names the field and the message type, so that a peer reading
 * the server's `error` reply can tell what it got wrong.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "rtcprotocol.h"

G_DEFINE_QUARK (rtc - protocol - error - quark, rtc_protocol_error);

static const gchar *const message_type_names[] = {
  [RTC_MESSAGE_INVALID] = NULL,
  [RTC_MESSAGE_SET_PROTOCOL_VERSION] = "setProtocolVersion",
  [RTC_MESSAGE_SET_PEER_STATUS] = "setPeerStatus",
  [RTC_MESSAGE_LIST] = "list",
  [RTC_MESSAGE_LIST_CONSUMERS] = "listConsumers",
  [RTC_MESSAGE_START_SESSION] = "startSession",
  [RTC_MESSAGE_PEER] = "peer",
  [RTC_MESSAGE_END_SESSION] = "endSession",
  [RTC_MESSAGE_END_SESSION_V1_1] = "endSessionV1_1",
  [RTC_MESSAGE_WELCOME] = "welcome",
  [RTC_MESSAGE_PEER_STATUS_CHANGED] = "peerStatusChanged",
  [RTC_MESSAGE_SESSION_STARTED] = "sessionStarted",
  [RTC_MESSAGE_ERROR] = "error",
  [RTC_MESSAGE_ICE_SERVERS] = "iceServers",
  [RTC_MESSAGE_GET_ICE_SERVERS] = "getIceServers",
};

static const struct
{
  RtcRoles role;
  const gchar *name;
} role_names[] = {
  {RTC_ROLE_PRODUCER, "producer"},
  {RTC_ROLE_CONSUMER, "consumer"},
  {RTC_ROLE_LISTENER, "listener"},
};

/**
 * rtc_message_type_to_string:
 * @type: a message type
 *
 * Returns: (nullable): the wire name of @type ("setPeerStatus", ...), or
 *   %NULL for %RTC_MESSAGE_INVALID and out-of-range values.
 */
const gchar *
rtc_message_type_to_string (RtcMessageType type)
{
  if ((guint) type >= G_N_ELEMENTS (message_type_names))
    return NULL;
  return message_type_names[type];
}

static RtcMessageType
message_type_from_string (const gchar * name)
{
  guint i;

  for (i = 1; i < G_N_ELEMENTS (message_type_names); i++) {
    if (g_strcmp0 (message_type_names[i], name) == 0)
      return (RtcMessageType) i;
  }
  return RTC_MESSAGE_INVALID;
}

RtcMessage *
rtc_message_new (RtcMessageType type)
{
  RtcMessage *msg = g_new0 (RtcMessage, 1);

  msg->type = type;
  return msg;
}

void
rtc_peer_info_free (RtcPeerInfo * info)
{
  if (!info)
    return;
  g_free (info->id);
  g_clear_pointer (&info->meta, json_object_unref);
  g_free (info);
}

void
rtc_message_free (RtcMessage * msg)
{
  if (!msg)
    return;
  g_free (msg->peer_id);
  g_free (msg->session_id);
  g_free (msg->version);
  g_clear_pointer (&msg->meta, json_object_unref);
  g_free (msg->offer);
  g_free (msg->sdp_type);
  g_free (msg->sdp);
  g_free (msg->candidate);
  g_free (msg->details);
  g_free (msg->error);
  g_clear_pointer (&msg->peers, g_ptr_array_unref);
  g_clear_pointer (&msg->ice_servers, json_array_unref);
  g_free (msg);
}

RtcMessage *
rtc_message_new_peer_sdp (const gchar * session_id, const gchar * sdp_type,
    const gchar * sdp)
{
  RtcMessage *msg = rtc_message_new (RTC_MESSAGE_PEER);

  msg->session_id = g_strdup (session_id);
  msg->sdp_type = g_strdup (sdp_type);
  msg->sdp = g_strdup (sdp);
  return msg;
}

RtcMessage *
rtc_message_new_peer_ice (const gchar * session_id, guint sdp_mline_index,
    const gchar * candidate)
{
  RtcMessage *msg = rtc_message_new (RTC_MESSAGE_PEER);

  msg->session_id = g_strdup (session_id);
  msg->has_ice = TRUE;
  msg->sdp_mline_index = sdp_mline_index;
  msg->candidate = g_strdup (candidate);
  return msg;
}

RtcMessage *
rtc_message_new_error (const gchar * details)
{
  RtcMessage *msg = rtc_message_new (RTC_MESSAGE_ERROR);

  msg->details = g_strdup (details);
  return msg;
}

/**
 * rtc_meta_get_room:
 * @meta: (nullable): a peer's meta object
 *
 * Rooms are our extension (docs/protocol.md): a peer names its room in
 * `meta.room`. An absent, null or empty room means the default scope.
 *
 * Returns: (nullable): the room name, owned by @meta.
 */
const gchar *
rtc_meta_get_room (JsonObject * meta)
{
  JsonNode *node;
  const gchar *room;

  if (!meta)
    return NULL;
  node = json_object_get_member (meta, "room");
  if (!node || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  room = json_node_get_string (node);
  return (room && *room) ? room : NULL;
}

/* ------------------------------------------------------------------------ */
/* Parsing */

/* Where a field lives, for error messages: `field '<prefix><name>' ... in
 * '<type>'`, with prefix "" for top-level members, "ice." or
 * "producers[2]." for nested ones. */
typedef struct
{
  const gchar *type;
  const gchar *prefix;
} FieldScope;

static gboolean
field_error (const FieldScope * scope, const gchar * name, gint code,
    const gchar * what, GError ** error)
{
  if (code == RTC_PROTOCOL_ERROR_MISSING_FIELD)
    g_set_error (error, RTC_PROTOCOL_ERROR, code,
        "field '%s%s' missing in '%s'", scope->prefix, name, scope->type);
  else
    g_set_error (error, RTC_PROTOCOL_ERROR, code,
        "field '%s%s' in '%s' must be %s", scope->prefix, name, scope->type,
        what);
  return FALSE;
}

/* Looks @name up. Returns FALSE with an error when it is absent and
 * @required; sets *@node to NULL when it is absent or JSON null (the caller
 * decides whether null is allowed). */
static gboolean
get_member (JsonObject * obj, const FieldScope * scope, const gchar * name,
    gboolean required, JsonNode ** node, GError ** error)
{
  JsonNode *member = json_object_get_member (obj, name);

  *node = NULL;
  if (!member)
    return required ?
        field_error (scope, name, RTC_PROTOCOL_ERROR_MISSING_FIELD, NULL,
        error) : TRUE;
  if (!JSON_NODE_HOLDS_NULL (member))
    *node = member;
  return TRUE;
}

static gboolean
node_is_string (JsonNode * node)
{
  return JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING;
}

/* A string member. Required strings may not be null; optional ones may be
 * absent or null, leaving *@out NULL. */
static gboolean
get_string (JsonObject * obj, const FieldScope * scope, const gchar * name,
    gboolean required, gchar ** out, GError ** error)
{
  JsonNode *node;

  if (!get_member (obj, scope, name, required, &node, error))
    return FALSE;
  if (!node) {
    if (required && json_object_has_member (obj, name))
      return field_error (scope, name, RTC_PROTOCOL_ERROR_INVALID_FIELD,
          "a string", error);
    return TRUE;
  }
  if (!node_is_string (node))
    return field_error (scope, name, RTC_PROTOCOL_ERROR_INVALID_FIELD,
        required ? "a string" : "a string or null", error);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

/* An object member; absent or null leaves *@out NULL unless @required. */
static gboolean
get_object (JsonObject * obj, const FieldScope * scope, const gchar * name,
    gboolean required, JsonObject ** out, GError ** error)
{
  JsonNode *node;

  if (!get_member (obj, scope, name, required, &node, error))
    return FALSE;
  if (!node && !required)
    return TRUE;
  if (!node || !JSON_NODE_HOLDS_OBJECT (node))
    return field_error (scope, name, RTC_PROTOCOL_ERROR_INVALID_FIELD,
        required ? "an object" : "an object or null", error);
  *out = json_node_get_object (node);
  return TRUE;
}

static gboolean
get_array (JsonObject * obj, const FieldScope * scope, const gchar * name,
    gboolean required, const gchar * what, JsonArray ** out, GError ** error)
{
  JsonNode *node;

  if (!get_member (obj, scope, name, required, &node, error))
    return FALSE;
  if (!node && !required)
    return TRUE;
  if (!node || !JSON_NODE_HOLDS_ARRAY (node))
    return field_error (scope, name, RTC_PROTOCOL_ERROR_INVALID_FIELD, what,
        error);
  *out = json_node_get_array (node);
  return TRUE;
}

static gboolean
parse_roles (JsonObject * obj, const FieldScope * scope, RtcRoles * roles,
    GError ** error)
{
  const gchar *what = "an array of strings";
  JsonArray *array = NULL;
  guint i, j, n;

  if (!get_array (obj, scope, "roles", TRUE, what, &array, error))
    return FALSE;

  *roles = RTC_ROLE_NONE;
  n = json_array_get_length (array);
  for (i = 0; i < n; i++) {
    JsonNode *node = json_array_get_element (array, i);
    const gchar *name;

    if (!node_is_string (node))
      return field_error (scope, "roles", RTC_PROTOCOL_ERROR_INVALID_FIELD,
          what, error);
    name = json_node_get_string (node);
    for (j = 0; j < G_N_ELEMENTS (role_names); j++) {
      if (g_strcmp0 (name, role_names[j].name) == 0)
        break;
    }
    if (j == G_N_ELEMENTS (role_names))
      return field_error (scope, "roles", RTC_PROTOCOL_ERROR_INVALID_FIELD,
          "\"producer\", \"consumer\" or \"listener\" strings", error);
    *roles |= role_names[j].role;
  }
  return TRUE;
}

/* meta is free-form except for our "room" member, which must be a string so
 * that a typo cannot silently land a peer in the default scope. */
static gboolean
parse_meta (JsonObject * obj, const FieldScope * scope, JsonObject ** meta,
    GError ** error)
{
  JsonObject *object = NULL;
  JsonNode *room;

  if (!get_object (obj, scope, "meta", FALSE, &object, error))
    return FALSE;
  if (!object)
    return TRUE;

  room = json_object_get_member (object, "room");
  if (room && !JSON_NODE_HOLDS_NULL (room) && !node_is_string (room))
    return field_error (scope, "meta.room", RTC_PROTOCOL_ERROR_INVALID_FIELD,
        "a string or null", error);

  *meta = json_object_ref (object);
  return TRUE;
}

static gboolean
parse_peer_status (JsonObject * obj, const FieldScope * scope,
    RtcMessage * msg, GError ** error)
{
  return parse_roles (obj, scope, &msg->roles, error)
      && parse_meta (obj, scope, &msg->meta, error)
      && get_string (obj, scope, "peerId", FALSE, &msg->peer_id, error);
}

/* "producers" / "consumers" of a list answer; absent in the request. */
static gboolean
parse_peer_list (JsonObject * obj, const FieldScope * scope,
    const gchar * name, RtcMessage * msg, GError ** error)
{
  JsonArray *array = NULL;
  guint i, n;

  if (!get_array (obj, scope, name, FALSE, "an array of objects or null",
          &array, error))
    return FALSE;
  if (!array)
    return TRUE;

  n = json_array_get_length (array);
  msg->peers = g_ptr_array_new_full (n, (GDestroyNotify) rtc_peer_info_free);
  for (i = 0; i < n; i++) {
    JsonNode *node = json_array_get_element (array, i);
    g_autofree gchar *prefix = g_strdup_printf ("%s[%u].", name, i);
    FieldScope inner = { scope->type, prefix };
    RtcPeerInfo *info;
    JsonObject *meta = NULL;

    if (!JSON_NODE_HOLDS_OBJECT (node))
      return field_error (scope, name, RTC_PROTOCOL_ERROR_INVALID_FIELD,
          "an array of objects or null", error);

    info = g_new0 (RtcPeerInfo, 1);
    g_ptr_array_add (msg->peers, info);
    if (!get_string (json_node_get_object (node), &inner, "id", TRUE,
            &info->id, error)
        || !get_object (json_node_get_object (node), &inner, "meta", FALSE,
            &meta, error))
      return FALSE;
    if (meta)
      info->meta = json_object_ref (meta);
  }
  return TRUE;
}

static gboolean
parse_peer (JsonObject * obj, const FieldScope * scope, RtcMessage * msg,
    GError ** error)
{
  JsonObject *inner = NULL;
  gboolean has_sdp = json_object_has_member (obj, "sdp");

  if (!get_string (obj, scope, "sessionId", TRUE, &msg->session_id, error))
    return FALSE;

  msg->has_ice = json_object_has_member (obj, "ice");
  if (!msg->has_ice && !has_sdp) {
    g_set_error_literal (error, RTC_PROTOCOL_ERROR,
        RTC_PROTOCOL_ERROR_MISSING_FIELD,
        "field 'sdp' or 'ice' missing in 'peer'");
    return FALSE;
  }
  if (msg->has_ice && has_sdp) {
    g_set_error_literal (error, RTC_PROTOCOL_ERROR,
        RTC_PROTOCOL_ERROR_INVALID_FIELD,
        "fields 'sdp' and 'ice' in 'peer' are mutually exclusive");
    return FALSE;
  }

  if (msg->has_ice) {
    FieldScope ice = { scope->type, "ice." };
    JsonNode *index;

    if (!get_object (obj, scope, "ice", TRUE, &inner, error)
        || !get_string (inner, &ice, "candidate", TRUE, &msg->candidate, error)
        || !get_member (inner, &ice, "sdpMLineIndex", TRUE, &index, error))
      return FALSE;
    /* u32 on the reference side; doubles and out-of-range values would be
     * truncated silently, so refuse them. */
    if (!index || !JSON_NODE_HOLDS_VALUE (index)
        || json_node_get_value_type (index) != G_TYPE_INT64
        || json_node_get_int (index) < 0
        || json_node_get_int (index) > G_MAXUINT32)
      return field_error (&ice, "sdpMLineIndex",
          RTC_PROTOCOL_ERROR_INVALID_FIELD, "an unsigned 32-bit integer",
          error);
    msg->sdp_mline_index = (guint) json_node_get_int (index);
  } else {
    FieldScope sdp = { scope->type, "sdp." };

    if (!get_object (obj, scope, "sdp", TRUE, &inner, error)
        || !get_string (inner, &sdp, "type", TRUE, &msg->sdp_type, error))
      return FALSE;
    if (g_strcmp0 (msg->sdp_type, "offer") != 0
        && g_strcmp0 (msg->sdp_type, "answer") != 0)
      return field_error (&sdp, "type", RTC_PROTOCOL_ERROR_INVALID_FIELD,
          "\"offer\" or \"answer\"", error);
    if (!get_string (inner, &sdp, "sdp", TRUE, &msg->sdp, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
parse_ice_servers (JsonObject * obj, const FieldScope * scope,
    RtcMessage * msg, GError ** error)
{
  const gchar *what = "an array of objects";
  JsonArray *array = NULL;
  guint i, n;

  if (!get_array (obj, scope, "iceServers", TRUE, what, &array, error))
    return FALSE;
  n = json_array_get_length (array);
  for (i = 0; i < n; i++) {
    if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, i)))
      return field_error (scope, "iceServers",
          RTC_PROTOCOL_ERROR_INVALID_FIELD, what, error);
  }
  msg->ice_servers = json_array_ref (array);
  return TRUE;
}

static gboolean
parse_fields (JsonObject * obj, RtcMessage * msg, GError ** error)
{
  FieldScope scope = { rtc_message_type_to_string (msg->type), "" };

  switch (msg->type) {
    case RTC_MESSAGE_WELCOME:
      /* our extension; any other value or type means "no" */
      msg->sessions_kept = json_object_has_member (obj, "meshrtcSessionsKept")
          && JSON_NODE_HOLDS_VALUE (json_object_get_member (obj,
              "meshrtcSessionsKept"))
          && json_node_get_value_type (json_object_get_member (obj,
              "meshrtcSessionsKept")) == G_TYPE_BOOLEAN
          && json_object_get_boolean_member (obj, "meshrtcSessionsKept");
      return get_string (obj, &scope, "peerId", TRUE, &msg->peer_id, error);
    case RTC_MESSAGE_SET_PROTOCOL_VERSION:
      return get_string (obj, &scope, "version", TRUE, &msg->version, error);
    case RTC_MESSAGE_SET_PEER_STATUS:
    case RTC_MESSAGE_PEER_STATUS_CHANGED:
      return parse_peer_status (obj, &scope, msg, error);
    case RTC_MESSAGE_LIST:
      return parse_peer_list (obj, &scope, "producers", msg, error);
    case RTC_MESSAGE_LIST_CONSUMERS:
      return parse_peer_list (obj, &scope, "consumers", msg, error);
    case RTC_MESSAGE_START_SESSION:
      return get_string (obj, &scope, "peerId", TRUE, &msg->peer_id, error)
          && get_string (obj, &scope, "sessionId", FALSE, &msg->session_id,
          error)
          && get_string (obj, &scope, "offer", FALSE, &msg->offer, error);
    case RTC_MESSAGE_SESSION_STARTED:
      return get_string (obj, &scope, "peerId", TRUE, &msg->peer_id, error)
          && get_string (obj, &scope, "sessionId", TRUE, &msg->session_id,
          error);
    case RTC_MESSAGE_PEER:
      return parse_peer (obj, &scope, msg, error);
    case RTC_MESSAGE_END_SESSION:
      return get_string (obj, &scope, "sessionId", TRUE, &msg->session_id,
          error);
    case RTC_MESSAGE_END_SESSION_V1_1:
      return get_string (obj, &scope, "sessionId", TRUE, &msg->session_id,
          error)
          && get_string (obj, &scope, "error", FALSE, &msg->error, error);
    case RTC_MESSAGE_ERROR:
      return get_string (obj, &scope, "details", TRUE, &msg->details, error);
    case RTC_MESSAGE_ICE_SERVERS:
      return parse_ice_servers (obj, &scope, msg, error);
    case RTC_MESSAGE_GET_ICE_SERVERS:
      return TRUE;
    case RTC_MESSAGE_INVALID:
      break;
  }
  g_return_val_if_reached (FALSE);
}

static RtcMessage *
refuse (GError ** error, RtcProtocolError code, const gchar * message)
{
  g_set_error_literal (error, RTC_PROTOCOL_ERROR, code, message);
  return NULL;
}

/**
 * rtc_message_parse:
 * @text: (array length=length): one WebSocket text frame
 * @length: length of @text in bytes, or -1 if it is NUL-terminated
 * @error: return location for a #RTC_PROTOCOL_ERROR
 *
 * Parses and validates one protocol message. Unknown members are ignored,
 * as serde does on the reference side.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error set
 *   to a sentence that names the offending field and message type.
 */
RtcMessage *
rtc_message_parse (const gchar * text, gssize length, GError ** error)
{
  g_autoptr (GError) json_error = NULL;
  g_autoptr (RtcMessage) msg = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonNode *type_node;
  const gchar *type_name;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  root = rtc_json_parse (text, length, RTC_JSON_MAX_DEPTH, &json_error);
  if (!root) {
    if (g_str_equal (json_error->message, "empty document"))
      return refuse (error, RTC_PROTOCOL_ERROR_MALFORMED,
          "malformed JSON: empty message");
    g_set_error (error, RTC_PROTOCOL_ERROR, RTC_PROTOCOL_ERROR_MALFORMED,
        "malformed JSON: %s", json_error->message);
    return NULL;
  }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return refuse (error, RTC_PROTOCOL_ERROR_MALFORMED,
        "message is not a JSON object");

  type_node = json_object_get_member (json_node_get_object (root), "type");
  if (!type_node)
    return refuse (error, RTC_PROTOCOL_ERROR_UNKNOWN_TYPE,
        "field 'type' missing");
  if (!node_is_string (type_node))
    return refuse (error, RTC_PROTOCOL_ERROR_UNKNOWN_TYPE,
        "field 'type' must be a string");
  type_name = json_node_get_string (type_node);

  msg = rtc_message_new (message_type_from_string (type_name));
  if (msg->type == RTC_MESSAGE_INVALID) {
    g_set_error (error, RTC_PROTOCOL_ERROR, RTC_PROTOCOL_ERROR_UNKNOWN_TYPE,
        "unknown message type '%s'", type_name);
    return NULL;
  }

  if (!parse_fields (json_node_get_object (root), msg, error))
    return NULL;

  return g_steal_pointer (&msg);
}

/* ------------------------------------------------------------------------ */
/* Serialisation */

static void
add_roles (JsonBuilder * builder, RtcRoles roles)
{
  guint i;

  json_builder_set_member_name (builder, "roles");
  json_builder_begin_array (builder);
  for (i = 0; i < G_N_ELEMENTS (role_names); i++) {
    if (roles & role_names[i].role)
      json_builder_add_string_value (builder, role_names[i].name);
  }
  json_builder_end_array (builder);
}

/* A string member, or null when @value is NULL. */
static void
add_string (JsonBuilder * builder, const gchar * name, const gchar * value)
{
  json_builder_set_member_name (builder, name);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_object (JsonBuilder * builder, const gchar * name, JsonObject * value)
{
  json_builder_set_member_name (builder, name);
  if (value) {
    JsonNode *node = json_node_init_object (json_node_alloc (), value);

    json_builder_add_value (builder, node);
  } else {
    json_builder_add_null_value (builder);
  }
}

static void
add_peer_list (JsonBuilder * builder, const gchar * name, GPtrArray * peers)
{
  guint i;

  /* the request form of list/listConsumers has no member at all */
  if (!peers)
    return;

  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (i = 0; i < peers->len; i++) {
    RtcPeerInfo *info = g_ptr_array_index (peers, i);

    json_builder_begin_object (builder);
    add_string (builder, "id", info->id);
    add_object (builder, "meta", info->meta);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
}

static void
add_peer_payload (JsonBuilder * builder, const RtcMessage * msg)
{
  add_string (builder, "sessionId", msg->session_id);
  if (msg->has_ice) {
    json_builder_set_member_name (builder, "ice");
    json_builder_begin_object (builder);
    add_string (builder, "candidate", msg->candidate);
    json_builder_set_member_name (builder, "sdpMLineIndex");
    json_builder_add_int_value (builder, msg->sdp_mline_index);
    json_builder_end_object (builder);
  } else {
    json_builder_set_member_name (builder, "sdp");
    json_builder_begin_object (builder);
    add_string (builder, "type", msg->sdp_type);
    add_string (builder, "sdp", msg->sdp);
    json_builder_end_object (builder);
  }
}

static void
add_fields (JsonBuilder * builder, const RtcMessage * msg)
{
  switch (msg->type) {
    case RTC_MESSAGE_WELCOME:
      add_string (builder, "peerId", msg->peer_id);
      if (msg->sessions_kept) {
        json_builder_set_member_name (builder, "meshrtcSessionsKept");
        json_builder_add_boolean_value (builder, TRUE);
      }
      break;
    case RTC_MESSAGE_SET_PROTOCOL_VERSION:
      add_string (builder, "version", msg->version);
      break;
    case RTC_MESSAGE_SET_PEER_STATUS:
    case RTC_MESSAGE_PEER_STATUS_CHANGED:
      add_roles (builder, msg->roles);
      add_object (builder, "meta", msg->meta);
      /* skip_serializing_if = "Option::is_none" on the reference side */
      if (msg->peer_id && *msg->peer_id)
        add_string (builder, "peerId", msg->peer_id);
      break;
    case RTC_MESSAGE_LIST:
      add_peer_list (builder, "producers", msg->peers);
      break;
    case RTC_MESSAGE_LIST_CONSUMERS:
      add_peer_list (builder, "consumers", msg->peers);
      break;
    case RTC_MESSAGE_START_SESSION:
      add_string (builder, "peerId", msg->peer_id);
      /* only the server's startSession (to the producer) has a session */
      if (msg->session_id)
        add_string (builder, "sessionId", msg->session_id);
      add_string (builder, "offer", msg->offer);
      break;
    case RTC_MESSAGE_SESSION_STARTED:
      add_string (builder, "peerId", msg->peer_id);
      add_string (builder, "sessionId", msg->session_id);
      break;
    case RTC_MESSAGE_PEER:
      add_peer_payload (builder, msg);
      break;
    case RTC_MESSAGE_END_SESSION:
      add_string (builder, "sessionId", msg->session_id);
      break;
    case RTC_MESSAGE_END_SESSION_V1_1:
      add_string (builder, "sessionId", msg->session_id);
      add_string (builder, "error", msg->error);
      break;
    case RTC_MESSAGE_ERROR:
      add_string (builder, "details", msg->details);
      break;
    case RTC_MESSAGE_ICE_SERVERS:
      json_builder_set_member_name (builder, "iceServers");
      if (msg->ice_servers) {
        JsonNode *node = json_node_init_array (json_node_alloc (),
            msg->ice_servers);

        json_builder_add_value (builder, node);
      } else {
        json_builder_begin_array (builder);
        json_builder_end_array (builder);
      }
      break;
    case RTC_MESSAGE_GET_ICE_SERVERS:
    case RTC_MESSAGE_INVALID:
      break;
  }
}

/**
 * rtc_message_to_json:
 * @msg: a message with a valid type
 *
 * Serialises @msg to one compact JSON object in the wire form of
 * docs/protocol.md: optional fields as null, an empty peerId of a peer
 * status omitted.
 *
 * Returns: (transfer full) (nullable): the JSON text, or %NULL for an
 *   invalid message type.
 */
gchar *
rtc_message_to_json (const RtcMessage * msg)
{
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonGenerator) generator = NULL;
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (msg != NULL, NULL);
  g_return_val_if_fail (rtc_message_type_to_string (msg->type) != NULL, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_string (builder, "type", rtc_message_type_to_string (msg->type));
  add_fields (builder, msg);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}
