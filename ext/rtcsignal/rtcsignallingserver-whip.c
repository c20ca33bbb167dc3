/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * RtcSignallingServer's WHIP and WHEP endpoints: each HTTP resource is a
 * peer of the router like a WebSocket client, speaking the same protocol
 * on its client's behalf.
 *
 * - WHEP (draft-ietf-wish-whep), `POST /whep` or `POST /whep/<name>`: a
 *   player's recvonly offer goes to the producer (the only one outside
 *   rooms, or the one whose meta "name" is <name>) in a `startSession`
 *   with the offer, as gstwebrtc-api's consumers do; the producer's answer
 *   is the 201.
 * - WHIP (RFC 9725), `POST /whip` or `POST /whip/<name>`: a publisher is
 *   a producer named <name> (or "whip-" and 8 characters of its resource
 *   id); a consumer's `startSession` gets the publisher's offer; the
 *   consumer's answer is the 201.
 *
 * The 201 waits for the answer at most WHIP_ANSWER_TIMEOUT_MS (else 504)
 * and then for the element's ICE candidates until its end-of-candidates
 * or WHIP_GATHER_TIMEOUT_MS: they go in the answer, as nothing can reach
 * the client later. Its Location is `/whip/resource/<id>` or
 * `/whep/resource/<id>` (a random UUID: knowing it is what lets a client
 * PATCH or DELETE it, RFC 9725 section 4.2), with a `Link` ice-server
 * header per STUN/TURN URL of the server's ICE servers (section 4.6).
 * PATCH takes `application/trickle-ice-sdpfrag` (RFC 8840) candidates
 * (204), DELETE ends the session (200). OPTIONS answers CORS preflights;
 * browsers on other origins are admitted as for WebSocket ("allowed-
 * origins"). Every request needs the server's auth-token as a Bearer
 * token when one is set (401). Bodies: Content-Length required, at most
 * MAX_WHIP_BODY; at most max-connections resources.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/sdp/sdp.h>

#include "rtcsignallingserver-private.h"
#include "rtcprotocol.h"
#include "rtccontextthread.h"

#define GST_CAT_DEFAULT (rtc_signalling_server_debug_category ())

typedef struct
{
  RtcServerPeerKind kind;       /* RTC_SERVER_PEER_HTTP: as Client */
  RtcSignallingServer *server;
  gchar *resource_id;
  gchar *peer_id;               /* on the router */
  gboolean publisher;           /* WHIP: a producer; WHEP: a consumer */
  gchar *offer;                 /* the client's */
  GstSDPMessage *offer_sdp;
  gchar *session_id;
  /* the POST waiting for its answer, until the 201 */
  SoupServerMessage *pending;
  GstSDPMessage *answer;
  GPtrArray *candidates;        /* the element's, "mline candidate" */
  gboolean gathered;            /* the element's end-of-candidates came */
  GPtrArray *client_candidates; /* PATCHed before a session existed */
  GSource *timer;
  GPtrArray *outbox;            /* to the router, next iteration */
  GSource *flush;
  gboolean gone;                /* removed from the router */
} HttpPeer;

static const gchar *
kind_name (HttpPeer * hp)
{
  return hp->publisher ? "WHIP" : "WHEP";
}

gboolean
rtc_server_whip_is_path (const gchar * path)
{
  return g_str_equal (path, "/whip") || g_str_has_prefix (path, "/whip/")
      || g_str_equal (path, "/whep") || g_str_has_prefix (path, "/whep/");
}

/* ---- HTTP answers ---- */

/* CORS (Fetch standard): an admitted browser origin may read the answer
 * and the headers WHIP and WHEP clients need. */
static void
add_cors (RtcSignallingServer * self, SoupServerMessage * msg)
{
  SoupMessageHeaders *out = soup_server_message_get_response_headers (msg);
  const gchar *origin =
      soup_message_headers_get_one (soup_server_message_get_request_headers
      (msg), "Origin");

  if (!origin || !rtc_server_origin_allowed (self, msg))
    return;
  soup_message_headers_replace (out, "Access-Control-Allow-Origin", origin);
  soup_message_headers_append (out, "Vary", "Origin");
  soup_message_headers_replace (out, "Access-Control-Expose-Headers",
      "Location, Link, ETag");
}

static void
answer_status (RtcSignallingServer * self, SoupServerMessage * msg,
    guint status, const gchar * text)
{
  add_cors (self, msg);
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  if (text)
    soup_server_message_set_response (msg, "text/plain; charset=utf-8",
        SOUP_MEMORY_COPY, text, strlen (text));
  soup_server_message_set_status (msg, status, NULL);
}

/* RFC 9725 section 4.6: one Link header per ICE server URL. Credentials
 * go only to clients that passed the token check. */
static void
add_ice_server_links (RtcSignallingServer * self, SoupServerMessage * msg)
{
  SoupMessageHeaders *out = soup_server_message_get_response_headers (msg);
  g_autoptr (JsonArray) servers = NULL;
  guint i, j;

  g_mutex_lock (&self->lock);
  servers = self->ice_servers ? json_array_ref (self->ice_servers) : NULL;
  g_mutex_unlock (&self->lock);
  for (i = 0; servers && i < json_array_get_length (servers); i++) {
    JsonObject *server = json_array_get_object_element (servers, i);
    JsonNode *urls = server ? json_object_get_member (server, "urls") : NULL;
    const gchar *user, *credential;
    g_autoptr (GPtrArray) list = g_ptr_array_new ();

    if (!urls)
      continue;
    if (JSON_NODE_HOLDS_ARRAY (urls)) {
      JsonArray *a = json_node_get_array (urls);

      for (j = 0; j < json_array_get_length (a); j++)
        g_ptr_array_add (list, (gpointer) json_array_get_string_element (a, j));
    } else {
      g_ptr_array_add (list, (gpointer) json_node_get_string (urls));
    }
    user = json_object_get_string_member_with_default (server, "username",
        NULL);
    credential = json_object_get_string_member_with_default (server,
        "credential", NULL);
    for (j = 0; j < list->len; j++) {
      GString *link;

      if (!g_ptr_array_index (list, j))
        continue;
      link = g_string_new (NULL);
      g_string_append_printf (link, "<%s>; rel=\"ice-server\"",
          (const gchar *) g_ptr_array_index (list, j));
      if (user && credential) {
        /* RFC 8288 parameters, quoted and escaped by libsoup */
        g_string_append (link, "; ");
        soup_header_g_string_append_param_quoted (link, "username", user);
        g_string_append (link, "; ");
        soup_header_g_string_append_param_quoted (link, "credential",
            credential);
        g_string_append (link, "; credential-type=\"password\"");
      }
      soup_message_headers_append (out, "Link", link->str);
      g_string_free (link, TRUE);
    }
  }
}

/* ---- resources ---- */

static void
http_peer_free (HttpPeer * hp)
{
  rtc_clear_source (&hp->timer);
  if (hp->pending) {
    g_signal_handlers_disconnect_by_data (hp->pending, hp);
    g_object_unref (hp->pending);
  }
  g_clear_pointer (&hp->offer_sdp, gst_sdp_message_free);
  g_clear_pointer (&hp->answer, gst_sdp_message_free);
  rtc_clear_source (&hp->flush);
  g_ptr_array_unref (hp->outbox);
  g_ptr_array_unref (hp->candidates);
  g_ptr_array_unref (hp->client_candidates);
  g_free (hp->offer);
  g_free (hp->session_id);
  g_free (hp->peer_id);
  g_free (hp->resource_id);
  g_free (hp);
}

/* Answers a POST still waiting and unpauses it. */
static void
finish_pending (HttpPeer * hp, guint status, const gchar * text)
{
  SoupServerMessage *msg = hp->pending;

  if (!msg)
    return;
  hp->pending = NULL;
  g_signal_handlers_disconnect_by_data (msg, hp);
  answer_status (hp->server, msg, status, text);
  soup_server_message_unpause (msg);
  g_object_unref (msg);
}

/* Leaves the router (its session ends for the element) and frees. Not
 * from inside the router's send function. */
static void
remove_resource (HttpPeer * hp)
{
  RtcSignallingServer *self = hp->server;

  GST_INFO_OBJECT (self, "%s resource %s ends", kind_name (hp),
      hp->resource_id);
  g_hash_table_remove (self->http_peers, hp->resource_id);
  finish_pending (hp, SOUP_STATUS_SERVICE_UNAVAILABLE, "session ended");
  if (!hp->gone && self->router) {
    hp->gone = TRUE;
    rtc_signal_router_remove_peer (self->router, hp->peer_id);
  }
  http_peer_free (hp);
}

static gboolean
remove_later_cb (gpointer data)
{
  HttpPeer *hp = data;

  g_clear_pointer (&hp->timer, g_source_unref);
  remove_resource (hp);
  return G_SOURCE_REMOVE;
}

/* From the router's send function: the router may not be called back. */
static void
remove_later (HttpPeer * hp, guint status, const gchar * text)
{
  finish_pending (hp, status, text);
  rtc_clear_source (&hp->timer);
  hp->timer = g_idle_source_new ();
  g_source_set_callback (hp->timer, remove_later_cb, hp, NULL);
  g_source_attach (hp->timer, hp->server->context);
}

static void
set_timer (HttpPeer * hp, guint ms, GSourceFunc func)
{
  rtc_clear_source (&hp->timer);
  hp->timer = g_timeout_source_new (ms);
  g_source_set_callback (hp->timer, func, hp, NULL);
  g_source_attach (hp->timer, hp->server->context);
}

/* A message from this resource's peer to the router. */
static void
say (HttpPeer * hp, RtcMessage * msg)
{
  gchar *text = rtc_message_to_json (msg);

  rtc_signal_router_handle_text (hp->server->router, hp->peer_id, text, -1);
  g_free (text);
  rtc_message_free (msg);
}

static void flush_client_candidates (HttpPeer * hp);

static gboolean
flush_cb (gpointer data)
{
  HttpPeer *hp = data;
  g_autoptr (GPtrArray) outbox = g_steal_pointer (&hp->outbox);
  guint i;

  g_clear_pointer (&hp->flush, g_source_unref);
  hp->outbox = g_ptr_array_new_with_free_func (g_free);
  for (i = 0; i < outbox->len && !hp->gone; i++)
    rtc_signal_router_handle_text (hp->server->router, hp->peer_id,
        g_ptr_array_index (outbox, i), -1);
  /* the session exists now: what the client trickled before goes */
  if (hp->session_id && !hp->gone)
    flush_client_candidates (hp);
  return G_SOURCE_REMOVE;
}

static void
schedule_flush (HttpPeer * hp)
{
  if (hp->flush)
    return;
  hp->flush = g_idle_source_new ();
  g_source_set_callback (hp->flush, flush_cb, hp, NULL);
  g_source_attach (hp->flush, hp->server->context);
}

/* What say() does, from inside the router's send function, which may not
 * call back into it: on the next iteration. */
static void
say_later (HttpPeer * hp, RtcMessage * msg)
{
  g_ptr_array_add (hp->outbox, rtc_message_to_json (msg));
  rtc_message_free (msg);
  schedule_flush (hp);
}

static void
forward_client_candidate (HttpPeer * hp, guint mline, const gchar * candidate)
{
  say (hp, rtc_message_new_peer_ice (hp->session_id, mline, candidate));
}

static void
flush_client_candidates (HttpPeer * hp)
{
  guint i;

  for (i = 0; i < hp->client_candidates->len; i++) {
    const gchar *c = g_ptr_array_index (hp->client_candidates, i);
    const gchar *space = strchr (c, ' ');

    forward_client_candidate (hp, (guint) g_ascii_strtoull (c, NULL, 10),
        space ? space + 1 : "");
  }
  g_ptr_array_set_size (hp->client_candidates, 0);
}

/* ---- the 201 ---- */

static gboolean
send_created (gpointer data)
{
  HttpPeer *hp = data;
  SoupServerMessage *msg = hp->pending;
  SoupMessageHeaders *out;
  g_autofree gchar *location = NULL;
  gchar *text;
  guint i;

  g_clear_pointer (&hp->timer, g_source_unref);
  if (!msg || !hp->answer)
    return G_SOURCE_REMOVE;
  for (i = 0; i < hp->candidates->len; i++) {
    const gchar *c = g_ptr_array_index (hp->candidates, i);
    gchar *end;
    guint mline = (guint) g_ascii_strtoull (c, &end, 10);
    GstSDPMedia *media = (GstSDPMedia *) gst_sdp_message_get_media (hp->answer,
        mline);

    if (!media || *end != ' ')
      continue;
    end++;
    gst_sdp_media_add_attribute (media, "candidate",
        g_str_has_prefix (end, "candidate:") ? end + strlen ("candidate:") :
        end);
  }
  if (hp->gathered)
    for (i = 0; i < gst_sdp_message_medias_len (hp->answer); i++)
      gst_sdp_media_add_attribute ((GstSDPMedia *)
          gst_sdp_message_get_media (hp->answer, i), "end-of-candidates", NULL);
  text = gst_sdp_message_as_text (hp->answer);

  hp->pending = NULL;
  g_signal_handlers_disconnect_by_data (msg, hp);
  out = soup_server_message_get_response_headers (msg);
  location = g_strdup_printf ("/%s/resource/%s", hp->publisher ? "whip" :
      "whep", hp->resource_id);
  soup_message_headers_replace (out, "Location", location);
  add_ice_server_links (hp->server, msg);
  add_cors (hp->server, msg);
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_server_message_set_response (msg, "application/sdp", SOUP_MEMORY_TAKE,
      text, strlen (text));
  soup_server_message_set_status (msg, SOUP_STATUS_CREATED, NULL);
  soup_server_message_unpause (msg);
  g_object_unref (msg);
  GST_INFO_OBJECT (hp->server, "%s resource %s created, session %s",
      kind_name (hp), hp->resource_id, hp->session_id);
  return G_SOURCE_REMOVE;
}

static gboolean
answer_timed_out (gpointer data)
{
  HttpPeer *hp = data;

  g_clear_pointer (&hp->timer, g_source_unref);
  GST_INFO_OBJECT (hp->server, "%s resource %s: no answer in %d ms",
      kind_name (hp), hp->resource_id, WHIP_ANSWER_TIMEOUT_MS);
  finish_pending (hp, SOUP_STATUS_GATEWAY_TIMEOUT, hp->publisher ?
      "no consumer answered the offer in time" :
      "the producer did not answer in time");
  remove_resource (hp);
  return G_SOURCE_REMOVE;
}

/* ---- what the router sends this resource's peer ---- */

void
rtc_server_whip_send (RtcSignallingServer * self, gpointer peer,
    const gchar * text)
{
  HttpPeer *hp = peer;
  g_autoptr (RtcMessage) msg = rtc_message_parse (text, -1, NULL);

  if (!msg || hp->gone)
    return;
  switch (msg->type) {
    case RTC_MESSAGE_SESSION_STARTED:
      /* WHEP: our startSession was taken */
      g_free (hp->session_id);
      hp->session_id = g_strdup (msg->session_id);
      if (hp->client_candidates->len > 0)
        schedule_flush (hp);
      break;
    case RTC_MESSAGE_START_SESSION:
      /* WHIP: a consumer wants the publisher's media, once */
      if (!hp->publisher || hp->session_id) {
        RtcMessage *end = rtc_message_new (RTC_MESSAGE_END_SESSION_V1_1);

        end->session_id = g_strdup (msg->session_id);
        end->error = g_strdup ("a WHIP publisher serves one consumer");
        say_later (hp, end);
        break;
      }
      hp->session_id = g_strdup (msg->session_id);
      say_later (hp, rtc_message_new_peer_sdp (hp->session_id, "offer",
              hp->offer));
      break;
    case RTC_MESSAGE_PEER:
      if (g_strcmp0 (msg->session_id, hp->session_id) != 0)
        break;
      if (msg->has_ice) {
        if (!hp->pending)
          break;                /* nowhere to send it after the 201 */
        if (!msg->candidate || !*msg->candidate) {
          hp->gathered = TRUE;
          if (hp->answer)
            set_timer (hp, 0, send_created);
        } else if (hp->candidates->len < 64) {
          g_ptr_array_add (hp->candidates, g_strdup_printf ("%u %s",
                  msg->sdp_mline_index, msg->candidate));
        }
        break;
      }
      if (g_strcmp0 (msg->sdp_type, "answer") != 0 || hp->answer
          || !hp->pending)
        break;
      if (!msg->sdp || !*msg->sdp
          || gst_sdp_message_new_from_text (msg->sdp,
              &hp->answer) != GST_SDP_OK) {
        g_clear_pointer (&hp->answer, gst_sdp_message_free);
        remove_later (hp, SOUP_STATUS_BAD_GATEWAY, "invalid answer");
        break;
      }
      set_timer (hp, hp->gathered ? 0 : WHIP_GATHER_TIMEOUT_MS, send_created);
      break;
    case RTC_MESSAGE_END_SESSION:
    case RTC_MESSAGE_END_SESSION_V1_1:
      if (g_strcmp0 (msg->session_id, hp->session_id) == 0)
        remove_later (hp, SOUP_STATUS_SERVICE_UNAVAILABLE, msg->error ?
            msg->error : "session ended");
      break;
    case RTC_MESSAGE_ERROR:
      GST_INFO_OBJECT (self, "%s resource %s: %s", kind_name (hp),
          hp->resource_id, msg->details);
      if (hp->pending)
        remove_later (hp, SOUP_STATUS_SERVICE_UNAVAILABLE, msg->details);
      break;
    default:
      break;
  }
}

/* ---- requests ---- */

static void
on_pending_disconnected (SoupServerMessage * msg, HttpPeer * hp)
{
  GST_INFO_OBJECT (hp->server, "%s client of resource %s went away before "
      "its answer", kind_name (hp), hp->resource_id);
  g_signal_handlers_disconnect_by_data (msg, hp);
  g_clear_object (&hp->pending);
  remove_later (hp, 0, NULL);
}

static GBytes *
request_body (SoupServerMessage * msg)
{
  return soup_message_body_flatten (soup_server_message_get_request_body (msg));
}

static gboolean
has_content_type (SoupServerMessage * msg, const gchar * type)
{
  const gchar *value =
      soup_message_headers_get_content_type
      (soup_server_message_get_request_headers (msg), NULL);

  return value && g_ascii_strcasecmp (value, type) == 0;
}

/* A name in the path: printable ASCII without '/', at most 64 bytes. */
static gboolean
valid_name (const gchar * name)
{
  const gchar *c;

  if (!*name || strlen (name) > 64)
    return FALSE;
  for (c = name; *c; c++)
    if (*c <= ' ' || *c > '~' || *c == '/')
      return FALSE;
  return TRUE;
}

static void
create_resource (RtcSignallingServer * self, SoupServerMessage * msg,
    gboolean publisher, const gchar * name)
{
  g_autoptr (GBytes) body = request_body (msg);
  g_autofree gchar *offer = NULL;
  g_autofree gchar *producer = NULL;
  g_autoptr (GError) error = NULL;
  GstWebRTCSessionDescription *desc;
  guint max_resources;
  HttpPeer *hp;
  RtcMessage *m;
  JsonObject *meta;

  if (!has_content_type (msg, "application/sdp")) {
    answer_status (self, msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
        "the offer must be application/sdp");
    return;
  }
  offer = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  desc = rtc_session_description_new_from_text ("offer", offer, &error);
  if (!desc) {
    answer_status (self, msg, SOUP_STATUS_BAD_REQUEST, error->message);
    return;
  }
  g_mutex_lock (&self->lock);
  max_resources = self->max_connections;
  g_mutex_unlock (&self->lock);
  if (max_resources > 0
      && g_hash_table_size (self->http_peers) >= max_resources) {
    gst_webrtc_session_description_free (desc);
    answer_status (self, msg, SOUP_STATUS_SERVICE_UNAVAILABLE,
        "too many sessions");
    return;
  }
  if (!publisher) {
    producer = rtc_signal_router_find_producer (self->router, name);
    if (!producer) {
      gst_webrtc_session_description_free (desc);
      soup_message_headers_replace (soup_server_message_get_response_headers
          (msg), "Retry-After", "5");
      answer_status (self, msg, SOUP_STATUS_CONFLICT, name ?
          "no producer of that name" : "no single producer to play");
      return;
    }
  }

  hp = g_new0 (HttpPeer, 1);
  hp->kind = RTC_SERVER_PEER_HTTP;
  hp->server = self;
  hp->publisher = publisher;
  hp->resource_id = g_uuid_string_random ();
  hp->offer = g_steal_pointer (&offer);
  gst_sdp_message_copy (desc->sdp, &hp->offer_sdp);
  gst_webrtc_session_description_free (desc);
  hp->candidates = g_ptr_array_new_with_free_func (g_free);
  hp->client_candidates = g_ptr_array_new_with_free_func (g_free);
  hp->outbox = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_insert (self->http_peers, hp->resource_id, hp);

  /* answered when the session has its answer (send_created). A status
   * now, never sent: a message that leaves its handler without one goes on
   * to libsoup's WebSocket handler at "/", which answers it 400
   * "WebSocket handshake expected" into the same body */
  soup_server_message_pause (msg);
  soup_server_message_set_status (msg, SOUP_STATUS_ACCEPTED, NULL);
  hp->pending = g_object_ref (msg);
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_pending_disconnected),
      hp);
  set_timer (hp, WHIP_ANSWER_TIMEOUT_MS, answer_timed_out);

  hp->peer_id = rtc_signal_router_add_peer (self->router, hp);
  GST_INFO_OBJECT (self, "%s resource %s is peer %s", kind_name (hp),
      hp->resource_id, hp->peer_id);
  m = rtc_message_new (RTC_MESSAGE_SET_PROTOCOL_VERSION);
  m->version = g_strdup (RTC_PROTOCOL_VERSION);
  say (hp, m);
  m = rtc_message_new (RTC_MESSAGE_SET_PEER_STATUS);
  meta = json_object_new ();
  if (publisher) {
    g_autofree gchar *fallback = g_strdup_printf ("whip-%.8s",
        hp->resource_id);

    json_object_set_string_member (meta, "name", name ? name : fallback);
    m->roles = RTC_ROLE_PRODUCER;
  } else {
    json_object_set_string_member (meta, "name", "whep-player");
    m->roles = RTC_ROLE_CONSUMER;
  }
  m->meta = meta;
  say (hp, m);
  if (!publisher && !hp->gone) {
    m = rtc_message_new (RTC_MESSAGE_START_SESSION);
    m->peer_id = g_steal_pointer (&producer);
    m->offer = g_strdup (hp->offer);
    say (hp, m);
  }
}

/* The m-line a trickle fragment's section is about: by its mid in our
 * offer, else by its position. */
static guint
mline_of (HttpPeer * hp, const gchar * mid, guint position)
{
  guint i;

  for (i = 0; mid && i < gst_sdp_message_medias_len (hp->offer_sdp); i++)
    if (g_strcmp0 (gst_sdp_media_get_attribute_val (gst_sdp_message_get_media
                (hp->offer_sdp, i), "mid"), mid) == 0)
      return i;
  return position;
}

/* RFC 8840 fragment: candidates go to the element now, or when the
 * session exists. */
static void
patch_resource (RtcSignallingServer * self, SoupServerMessage * msg,
    HttpPeer * hp)
{
  g_autoptr (GBytes) body = request_body (msg);
  g_autofree gchar *text = NULL;
  g_auto (GStrv) lines = NULL;
  guint i, section = 0, n = 0;
  gint position = -1;
  const gchar *mid = NULL;

  if (!has_content_type (msg, "application/trickle-ice-sdpfrag")) {
    answer_status (self, msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
        "candidates must be application/trickle-ice-sdpfrag");
    return;
  }
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  lines = g_strsplit (text, "\n", 0);
  for (i = 0; lines[i] && n < 64; i++) {
    const gchar *candidate = NULL;

    g_strchomp (lines[i]);
    if (g_str_has_prefix (lines[i], "m=")) {
      position++;
      mid = NULL;
    } else if (g_str_has_prefix (lines[i], "a=mid:")) {
      mid = lines[i] + strlen ("a=mid:");
    } else if (g_str_has_prefix (lines[i], "a=candidate:")) {
      candidate = lines[i] + strlen ("a=");
    } else if (g_str_equal (lines[i], "a=end-of-candidates")) {
      candidate = "";
    }
    if (!candidate)
      continue;
    section = mline_of (hp, mid, MAX (position, 0));
    if (hp->session_id)
      forward_client_candidate (hp, section, candidate);
    else
      g_ptr_array_add (hp->client_candidates, g_strdup_printf ("%u %s",
              section, candidate));
    n++;
  }
  answer_status (self, msg, SOUP_STATUS_NO_CONTENT, NULL);
}

void
rtc_server_whip_request (RtcSignallingServer * self, SoupServerMessage * msg,
    const gchar * path, GHashTable * query)
{
  SoupMessageHeaders *out = soup_server_message_get_response_headers (msg);
  const gchar *method = soup_server_message_get_method (msg);
  gboolean publisher = g_str_has_prefix (path, "/whip");
  const gchar *rest = path + strlen ("/whip");
  gboolean resource = g_str_has_prefix (rest, "/resource/");
  HttpPeer *hp;

  if (g_str_equal (method, SOUP_METHOD_OPTIONS)) {
    /* CORS preflight, and WHIP's own OPTIONS (RFC 9725 section 4.2) */
    add_cors (self, msg);
    soup_message_headers_replace (out, "Access-Control-Allow-Methods",
        resource ? "PATCH, DELETE, OPTIONS" : "POST, OPTIONS");
    soup_message_headers_replace (out, "Access-Control-Allow-Headers",
        "Authorization, Content-Type, If-Match");
    soup_message_headers_replace (out, "Access-Control-Max-Age", "600");
    if (!resource)
      soup_message_headers_replace (out, "Accept-Post", "application/sdp");
    soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
    return;
  }
  if (!rtc_server_origin_allowed (self, msg)) {
    answer_status (self, msg, SOUP_STATUS_FORBIDDEN, "origin not allowed");
    return;
  }
  if (!rtc_server_is_authorized (self, msg, NULL)) {
    soup_message_headers_replace (out, "WWW-Authenticate",
        "Bearer realm=\"gst-meshrtc\"");
    answer_status (self, msg, SOUP_STATUS_UNAUTHORIZED, NULL);
    return;
  }
  if (!self->router) {
    answer_status (self, msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
    return;
  }

  if (resource) {
    hp = g_hash_table_lookup (self->http_peers, rest + strlen ("/resource/"));
    /* someone else's kind of resource is no resource at all */
    if (!hp || hp->publisher != publisher) {
      answer_status (self, msg, SOUP_STATUS_NOT_FOUND, NULL);
    } else if (g_str_equal (method, "PATCH")) {
      patch_resource (self, msg, hp);
    } else if (g_str_equal (method, SOUP_METHOD_DELETE)) {
      remove_resource (hp);
      answer_status (self, msg, SOUP_STATUS_OK, NULL);
    } else {
      soup_message_headers_replace (out, "Allow", "PATCH, DELETE, OPTIONS");
      answer_status (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
    }
    return;
  }
  if (!g_str_equal (method, SOUP_METHOD_POST)) {
    soup_message_headers_replace (out, "Allow", "POST, OPTIONS");
    answer_status (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
    return;
  }
  if (*rest == '/' && !valid_name (rest + 1)) {
    answer_status (self, msg, SOUP_STATUS_NOT_FOUND, NULL);
    return;
  }
  create_resource (self, msg, publisher, *rest == '/' ? rest + 1 : NULL);
}

void
rtc_server_whip_stop (RtcSignallingServer * self)
{
  GList *resources = g_hash_table_get_values (self->http_peers), *l;

  /* the router goes with the server: nothing to tell it */
  for (l = resources; l; l = l->next) {
    HttpPeer *hp = l->data;

    hp->gone = TRUE;
    remove_resource (hp);
  }
  g_list_free (resources);
}
