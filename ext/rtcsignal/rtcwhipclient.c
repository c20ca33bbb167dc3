/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The WHIP/WHEP client signaller: see rtcwhipclient.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <libsoup/soup.h>

#include "rtcwhipclient.h"
#include "rtciceconfig.h"
#include "rtccontextthread.h"
#include "rtcuri.h"

GST_DEBUG_CATEGORY_STATIC (rtc_whip_client_debug);
#define GST_CAT_DEFAULT rtc_whip_client_debug

#define BACKOFF_INITIAL_MS 500
#define BACKOFF_MAX_MS 10000
#define MAX_ANSWER_SIZE (1024 * 1024)
#define REQUEST_TIMEOUT_S 10
#define STOP_TIMEOUT_MS 1000
#define PEER_NAME "whip-endpoint"
#define MAX_REDIRECTS 5

typedef struct
{
  guint mline;
  gchar *candidate;             /* "" for end-of-candidates */
} Candidate;

struct _RtcWhipClient
{
  GObject parent;

  gchar *endpoint;
  gchar *auth_token;
  RtcWhipDirection direction;

  GMainContext *context;
  SoupSession *http;
  GCancellable *cancellable;
  gboolean running;
  gchar *peer_id;
  GSource *retry;
  guint backoff_ms;

  /* the current session */
  gchar *session_id;
  GstSDPMessage *offer;         /* ours, for the trickle fragments */
  gchar *resource;              /* absolute URL from Location */
  GPtrArray *held;              /* of Candidate, until the 201 */
  gboolean no_trickle;          /* the endpoint refused a PATCH */
  guint redirects;              /* 307s followed for the offer */
  guint requests_in_flight;     /* DELETEs stop() waits for */
};

static void rtc_whip_client_signallable_init (RtcSignallableInterface * iface);

G_DEFINE_TYPE_WITH_CODE (RtcWhipClient, rtc_whip_client, G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (RTC_TYPE_SIGNALLABLE,
        rtc_whip_client_signallable_init));

static const gchar *
kind (RtcWhipClient * self)
{
  return self->direction == RTC_WHIP_PUBLISH ? "WHIP" : "WHEP";
}

static void
candidate_free (Candidate * c)
{
  g_free (c->candidate);
  g_free (c);
}

gboolean
rtc_whip_client_check_endpoint (const gchar * endpoint, GError ** error)
{
  return rtc_uri_check (endpoint, "http", "https", error);
}

/* TRUE if @uri has the scheme, host and port of the endpoint. */
static gboolean
same_origin_as_endpoint (RtcWhipClient * self, GUri * uri)
{
  g_autoptr (GUri) endpoint = g_uri_parse (self->endpoint,
      G_URI_FLAGS_ENCODED, NULL);

  return endpoint && g_uri_get_host (endpoint) && g_uri_get_host (uri)
      && g_ascii_strcasecmp (g_uri_get_scheme (endpoint),
      g_uri_get_scheme (uri)) == 0
      && g_ascii_strcasecmp (g_uri_get_host (endpoint),
      g_uri_get_host (uri)) == 0
      && g_uri_get_port (endpoint) == g_uri_get_port (uri);
}

/* A request with the token as Bearer (RFC 9725 section 4.8), which goes to
 * the endpoint's origin only: not to another one a redirect names (what
 * browsers do with Authorization). NULL if @url is not a valid URL. */
static SoupMessage *
new_request (RtcWhipClient * self, const gchar * method, const gchar * url)
{
  SoupMessage *msg = soup_message_new (method, url);

  if (msg && self->auth_token
      && same_origin_as_endpoint (self, soup_message_get_uri (msg))) {
    g_autofree gchar *value = g_strdup_printf ("Bearer %s", self->auth_token);

    soup_message_headers_replace (soup_message_get_request_headers (msg),
        "Authorization", value);
  }
  return msg;
}

/* The request body @text (taken). */
static void
set_body (SoupMessage * msg, const gchar * content_type, gchar * text)
{
  GBytes *body = g_bytes_new_take (text, strlen (text));

  /* libsoup takes a reference of its own */
  soup_message_set_request_body_from_bytes (msg, content_type, body);
  g_bytes_unref (body);
}

/* ---- sessions ---- */

static void
clear_session (RtcWhipClient * self)
{
  g_clear_pointer (&self->session_id, g_free);
  g_clear_pointer (&self->offer, gst_sdp_message_free);
  g_clear_pointer (&self->resource, g_free);
  g_ptr_array_set_size (self->held, 0);
  self->no_trickle = FALSE;
  self->redirects = 0;
}

static gboolean
request_session_cb (gpointer data)
{
  RtcWhipClient *self = data;

  g_clear_pointer (&self->retry, g_source_unref);
  if (!self->running || self->session_id)
    return G_SOURCE_REMOVE;
  self->session_id = g_uuid_string_random ();
  GST_INFO ("%s session %s with %s", kind (self), self->session_id,
      self->endpoint);
  /* the element offers: sendonly tracks for WHIP, recvonly for WHEP */
  g_signal_emit_by_name (self, "session-requested", self->session_id,
      PEER_NAME, NULL);
  return G_SOURCE_REMOVE;
}

static void
schedule_session (RtcWhipClient * self, guint delay_ms)
{
  if (!self->running || self->retry)
    return;
  self->retry = delay_ms ? g_timeout_source_new (delay_ms) :
      g_idle_source_new ();
  g_source_set_callback (self->retry, request_session_cb, self, NULL);
  g_source_attach (self->retry, self->context);
}

static void
retry_later (RtcWhipClient * self)
{
  guint delay = self->backoff_ms;

  self->backoff_ms = MIN (self->backoff_ms * 2, BACKOFF_MAX_MS);
  GST_INFO ("new %s session with %s in %u ms", kind (self), self->endpoint,
      delay);
  schedule_session (self, delay);
}

/* The POST failed: the element ends the session, a new one follows. */
static void
session_failed (RtcWhipClient * self, GError * error)
{
  g_autofree gchar *session_id = g_steal_pointer (&self->session_id);

  GST_WARNING ("%s", error->message);
  clear_session (self);
  g_signal_emit_by_name (self, "session-ended", session_id, error->message);
  g_signal_emit_by_name (self, "disconnected", error, FALSE);
  retry_later (self);
}

/* ---- HTTP: a bounded read of an answer ---- */

typedef struct
{
  RtcWhipClient *self;
  SoupMessage *msg;
  GInputStream *stream;
  GByteArray *body;
  gchar *session_id;            /* the session the request was made for */
  void (*done) (RtcWhipClient * self, SoupMessage * msg, GBytes * body,
      const gchar * session_id, GError * error);
} Request;

static void
request_free (Request * r)
{
  g_clear_object (&r->stream);
  g_clear_object (&r->msg);
  if (r->body)
    g_byte_array_unref (r->body);
  g_free (r->session_id);
  r->self->requests_in_flight--;
  g_object_unref (r->self);
  g_free (r);
}

static void
request_finish (Request * r, GError * error)
{
  GBytes *body = NULL;

  if (!error)
    body = g_byte_array_free_to_bytes (g_steal_pointer (&r->body));
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && r->done)
    r->done (r->self, r->msg, body, r->session_id, error);
  if (body)
    g_bytes_unref (body);
  request_free (r);
}

static void on_read (GObject * source, GAsyncResult * res, gpointer data);

/* The next chunk of the answer, or the end of a failed request. */
static void
read_next (Request * r, GError * error)
{
  if (error) {
    request_finish (r, error);
    g_error_free (error);
    return;
  }
  g_input_stream_read_bytes_async (r->stream, 16384, G_PRIORITY_DEFAULT,
      r->self->cancellable, on_read, r);
}

static void
on_read (GObject * source, GAsyncResult * res, gpointer data)
{
  Request *r = data;
  GError *error = NULL;
  GBytes *chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source),
      res, &error);

  if (!chunk) {
    read_next (r, error);
    return;
  }
  if (g_bytes_get_size (chunk) == 0) {
    g_bytes_unref (chunk);
    request_finish (r, NULL);
    return;
  }
  g_byte_array_append (r->body, g_bytes_get_data (chunk, NULL),
      g_bytes_get_size (chunk));
  g_bytes_unref (chunk);
  if (r->body->len > MAX_ANSWER_SIZE)
    error = g_error_new (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
        "%s endpoint's answer is larger than %u bytes", kind (r->self),
        MAX_ANSWER_SIZE);
  read_next (r, error);
}

static void
on_sent (GObject * source, GAsyncResult * res, gpointer data)
{
  Request *r = data;
  GError *error = NULL;

  r->stream = soup_session_send_finish (SOUP_SESSION (source), res, &error);
  read_next (r, error);
}

/* Sends @msg (taken) and calls @done with the whole answer body. */
static void
send_request (RtcWhipClient * self, SoupMessage * msg,
    void (*done) (RtcWhipClient *, SoupMessage *, GBytes *, const gchar *,
        GError *))
{
  Request *r = g_new0 (Request, 1);

  r->self = g_object_ref (self);
  r->msg = msg;
  r->body = g_byte_array_new ();
  r->session_id = g_strdup (self->session_id);
  r->done = done;
  self->requests_in_flight++;
  GST_DEBUG ("%s %s", soup_message_get_method (msg),
      g_uri_get_path (soup_message_get_uri (msg)));
  soup_session_send_async (self->http, msg, G_PRIORITY_DEFAULT,
      self->cancellable, on_sent, r);
}

static GError *
status_error (RtcWhipClient * self, SoupMessage * msg, const gchar * what)
{
  return g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
      "%s endpoint %s answered %s with %u %s", kind (self), self->endpoint,
      what, soup_message_get_status (msg),
      soup_message_get_reason_phrase (msg) ?
      soup_message_get_reason_phrase (msg) : "");
}

/* ---- trickle (RFC 8840 fragments, RFC 9725 section 4.3.1) ---- */

static void
on_patched (RtcWhipClient * self, SoupMessage * msg, GBytes * body,
    const gchar * session_id, GError * error)
{
  guint status = soup_message_get_status (msg);

  if (error) {
    GST_WARNING ("%s trickle: %s", kind (self), error->message);
    return;
  }
  if (status == SOUP_STATUS_METHOD_NOT_ALLOWED
      || status == SOUP_STATUS_NOT_IMPLEMENTED) {
    GST_INFO ("%s endpoint takes no trickled candidates (%u)", kind (self),
        status);
    if (g_strcmp0 (session_id, self->session_id) == 0)
      self->no_trickle = TRUE;
  } else if (!SOUP_STATUS_IS_SUCCESSFUL (status)) {
    g_autoptr (GError) err = status_error (self, msg, "a PATCH");
    GST_WARNING ("%s", err->message);
  }
}

static gint
compare_mline (gconstpointer a, gconstpointer b)
{
  const Candidate *ca = *(const Candidate **) a, *cb = *(const Candidate **) b;

  return (gint) ca->mline - (gint) cb->mline;
}

/* One fragment with @candidates (sorted by m-line): the offer's ICE
 * credentials, then per m-line its m= and mid lines and candidates. */
static gchar *
build_fragment (RtcWhipClient * self, GPtrArray * candidates)
{
  const GstSDPMedia *first = gst_sdp_message_get_media (self->offer, 0);
  const gchar *ufrag, *pwd;
  GString *frag = g_string_new (NULL);
  GstSDPMedia *media = NULL;
  guint i, j, mline = G_MAXUINT;

  ufrag = gst_sdp_message_get_attribute_val (self->offer, "ice-ufrag");
  pwd = gst_sdp_message_get_attribute_val (self->offer, "ice-pwd");
  if (!ufrag && first) {
    ufrag = gst_sdp_media_get_attribute_val (first, "ice-ufrag");
    pwd = gst_sdp_media_get_attribute_val (first, "ice-pwd");
  }
  g_string_append_printf (frag, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n",
      ufrag ? ufrag : "", pwd ? pwd : "");
  for (i = 0; i <= candidates->len; i++) {
    Candidate *c = i < candidates->len ? g_ptr_array_index (candidates, i) :
        NULL;
    const GstSDPMedia *offered;

    if (media && (!c || c->mline != mline)) {
      gchar *text = gst_sdp_media_as_text (media);

      g_string_append (frag, text);
      g_free (text);
      gst_sdp_media_free (media);
      media = NULL;
    }
    if (!c)
      break;
    offered = gst_sdp_message_get_media (self->offer, c->mline);
    if (!offered)
      continue;
    if (!media) {
      mline = c->mline;
      gst_sdp_media_new (&media);
      gst_sdp_media_set_media (media, gst_sdp_media_get_media (offered));
      gst_sdp_media_set_port_info (media, 9, 1);
      gst_sdp_media_set_proto (media, gst_sdp_media_get_proto (offered));
      for (j = 0; j < gst_sdp_media_formats_len (offered); j++)
        gst_sdp_media_add_format (media, gst_sdp_media_get_format (offered, j));
      if (gst_sdp_media_get_attribute_val (offered, "mid"))
        gst_sdp_media_add_attribute (media, "mid",
            gst_sdp_media_get_attribute_val (offered, "mid"));
    }
    if (!*c->candidate)
      gst_sdp_media_add_attribute (media, "end-of-candidates", NULL);
    else
      gst_sdp_media_add_attribute (media, "candidate",
          g_str_has_prefix (c->candidate, "candidate:") ?
          c->candidate + strlen ("candidate:") : c->candidate);
  }
  return g_string_free (frag, FALSE);
}

static void
send_candidates (RtcWhipClient * self, GPtrArray * candidates)
{
  SoupMessage *msg;
  gchar *frag;

  if (candidates->len == 0 || self->no_trickle || !self->resource
      || !self->offer)
    return;
  g_ptr_array_sort (candidates, compare_mline);
  frag = build_fragment (self, candidates);
  msg = new_request (self, "PATCH", self->resource);
  if (!msg) {
    g_free (frag);
    return;
  }
  set_body (msg, "application/trickle-ice-sdpfrag", frag);
  send_request (self, msg, on_patched);
}

/* ---- the answer and its ICE servers (RFC 9725 section 4.6) ---- */

typedef struct
{
  RtcWhipClient *self;
  gchar *session_id;
  GstWebRTCSessionDescription *answer;
  RtcIceConfig *ice;            /* from the Link headers */
  GHashTable *addresses;        /* host name -> IP address */
  guint lookups;
} Answer;

typedef struct
{
  Answer *answer;
  gchar *host;
} Lookup;

static void
answer_free (Answer * a)
{
  a->self->requests_in_flight--;
  g_object_unref (a->self);
  g_free (a->session_id);
  gst_webrtc_session_description_free (a->answer);
  rtc_ice_config_free (a->ice);
  g_hash_table_unref (a->addresses);
  g_free (a);
}

/* The ICE servers first, so that the session adds them before it applies
 * its offer; then the answer; then the candidates held until now (one
 * PATCH with them all, RFC 9725 section 4.3.1). */
static void
deliver_answer (Answer * a)
{
  RtcWhipClient *self = a->self;
  gchar *stun = NULL;
  GStrv turn = NULL, ignored = NULL, s;

  if (!self->running || g_strcmp0 (a->session_id, self->session_id) != 0)
    return;                     /* stopped or ended meanwhile */
  if (a->ice->servers->len > 0) {
    rtc_ice_config_set_addresses (a->ice, a->addresses);
    rtc_ice_config_to_webrtcbin (a->ice, &stun, &turn, &ignored);
    for (s = ignored; *s; s++)
      GST_WARNING ("%s endpoint's ICE server %s: not used", kind (self), *s);
    g_signal_emit_by_name (self, "session-ice-servers", a->session_id, stun,
        turn);
    g_free (stun);
    g_strfreev (turn);
    g_strfreev (ignored);
  }
  g_signal_emit_by_name (self, "session-description", a->session_id, a->answer);
  if (g_strcmp0 (a->session_id, self->session_id) == 0) {
    send_candidates (self, self->held);
    g_ptr_array_set_size (self->held, 0);
  }
}

static void
on_resolved (GObject * source, GAsyncResult * res, gpointer data)
{
  Lookup *l = data;
  Answer *a = l->answer;
  GError *error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source),
      res, &error);

  if (addresses) {
    g_hash_table_insert (a->addresses, g_strdup (l->host),
        rtc_ice_address_choose (addresses));
    g_resolver_free_addresses (addresses);
  } else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    /* libnice takes addresses only: this server cannot be used */
    GST_WARNING ("%s endpoint's ICE server %s: %s", kind (a->self), l->host,
        error->message);
  }
  if (--a->lookups == 0) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      deliver_answer (a);
    answer_free (a);
  }
  g_clear_error (&error);
  g_free (l->host);
  g_free (l);
}

/* @answer (taken) for @session_id, with the endpoint's @links (the Link
 * header values, may be NULL): host names in them are resolved first
 * (libnice ignores a STUN or TURN server given by name). */
static void
take_answer (RtcWhipClient * self, const gchar * session_id,
    GstWebRTCSessionDescription * answer, const gchar * links)
{
  Answer *a = g_new0 (Answer, 1);
  GStrv ignored = NULL, hosts, h;
  GResolver *resolver;

  a->self = g_object_ref (self);
  self->requests_in_flight++;
  a->session_id = g_strdup (session_id);
  a->answer = answer;
  a->ice = rtc_ice_config_parse_link (links, &ignored);
  a->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  for (h = ignored; *h; h++)
    GST_WARNING ("%s endpoint's ICE server %s: not used", kind (self), *h);
  g_strfreev (ignored);
  hosts = rtc_ice_config_get_unresolved_hosts (a->ice);
  if (!*hosts) {
    deliver_answer (a);
    answer_free (a);
    g_strfreev (hosts);
    return;
  }
  resolver = g_resolver_get_default ();
  for (h = hosts; *h; h++) {
    Lookup *l = g_new0 (Lookup, 1);

    l->answer = a;
    l->host = g_strdup (*h);
    a->lookups++;
    g_resolver_lookup_by_name_async (resolver, l->host, self->cancellable,
        on_resolved, l);
  }
  g_object_unref (resolver);
  g_strfreev (hosts);
}

/* ---- offer and answer ---- */

static void on_posted (RtcWhipClient * self, SoupMessage * msg, GBytes * body,
    const gchar * session_id, GError * error);

static gboolean
post_offer (RtcWhipClient * self, const gchar * url)
{
  SoupMessage *msg = new_request (self, SOUP_METHOD_POST, url);

  if (!msg)
    return FALSE;
  set_body (msg, "application/sdp", gst_sdp_message_as_text (self->offer));
  send_request (self, msg, on_posted);
  return TRUE;
}

/* RFC 9725 section 4.5: a 307 (or 308) sends the same offer to its
 * Location (the token only if that is the endpoint's origin); libsoup
 * follows redirects of safe methods only. FALSE if there is nowhere to go:
 * no Location, one that is no http(s) URL with a host, from https to
 * http, or MAX_REDIRECTS followed already. */
static gboolean
follow_redirect (RtcWhipClient * self, SoupMessage * msg)
{
  const gchar *location = soup_message_headers_get_one
      (soup_message_get_response_headers (msg), "Location");
  g_autoptr (GUri) target = NULL;
  g_autofree gchar *url = NULL;

  if (!location || self->redirects >= MAX_REDIRECTS)
    return FALSE;
  target = g_uri_parse_relative (soup_message_get_uri (msg), location,
      G_URI_FLAGS_ENCODED, NULL);
  if (!target)
    return FALSE;
  url = g_uri_to_string (target);
  if (!rtc_uri_check (url, "http", "https", NULL))
    return FALSE;
  if (g_ascii_strcasecmp (g_uri_get_scheme (soup_message_get_uri (msg)),
          "https") == 0
      && g_ascii_strcasecmp (g_uri_get_scheme (target), "https") != 0) {
    GST_WARNING ("%s endpoint %s redirects from https to http: refused",
        kind (self), self->endpoint);
    return FALSE;
  }
  self->redirects++;
  GST_INFO ("%s endpoint %s redirects to %s", kind (self),
      g_uri_get_path (soup_message_get_uri (msg)), g_uri_get_path (target));
  return post_offer (self, url);
}

static void
on_posted (RtcWhipClient * self, SoupMessage * msg, GBytes * body,
    const gchar * session_id, GError * error)
{
  GstWebRTCSessionDescription *answer;
  g_autoptr (GError) err = NULL;
  g_autofree gchar *text = NULL;
  const gchar *location;
  g_autoptr (GUri) resource = NULL;

  if (g_strcmp0 (session_id, self->session_id) != 0)
    return;                     /* ended meanwhile */
  if (error) {
    err = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
        "%s endpoint %s: %s", kind (self), self->endpoint, error->message);
    session_failed (self, err);
    return;
  }
  if ((soup_message_get_status (msg) == SOUP_STATUS_TEMPORARY_REDIRECT
          || soup_message_get_status (msg) == SOUP_STATUS_PERMANENT_REDIRECT)
      && follow_redirect (self, msg))
    return;
  if (soup_message_get_status (msg) != SOUP_STATUS_CREATED) {
    err = status_error (self, msg, "the offer");
    session_failed (self, err);
    return;
  }
  location = soup_message_headers_get_one (soup_message_get_response_headers
      (msg), "Location");
  /* relative to the URL that answered (after a redirect, the new one) */
  if (location)
    resource = g_uri_parse_relative (soup_message_get_uri (msg), location,
        G_URI_FLAGS_ENCODED, NULL);
  if (!resource) {
    err = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "%s endpoint %s answered 201 without a valid Location",
        kind (self), self->endpoint);
    session_failed (self, err);
    return;
  }
  self->resource = g_uri_to_string (resource);
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  answer = rtc_session_description_new_from_text ("answer", text, &err);
  if (!answer) {
    /* the resource exists: it goes with the session */
    g_prefix_error (&err, "%s endpoint %s: ", kind (self), self->endpoint);
    rtc_signallable_end_session (RTC_SIGNALLABLE (self), session_id, NULL);
    g_signal_emit_by_name (self, "session-ended", session_id, err->message);
    return;
  }
  GST_INFO ("%s session %s: resource %s", kind (self), session_id,
      self->resource);
  self->backoff_ms = BACKOFF_INITIAL_MS;
  take_answer (self, session_id, answer,
      soup_message_headers_get_list (soup_message_get_response_headers (msg),
          "Link"));
}

static void
whip_send_description (RtcSignallable * base, const gchar * session_id,
    const GstWebRTCSessionDescription * desc)
{
  RtcWhipClient *self = RTC_WHIP_CLIENT (base);

  if (g_strcmp0 (session_id, self->session_id) != 0 || self->offer)
    return;
  if (desc->type != GST_WEBRTC_SDP_TYPE_OFFER) {
    GST_WARNING ("%s: the client offers, not %s", kind (self),
        gst_webrtc_sdp_type_to_string (desc->type));
    return;
  }
  gst_sdp_message_copy (desc->sdp, &self->offer);
  post_offer (self, self->endpoint);
}

static void
whip_send_candidate (RtcSignallable * base, const gchar * session_id,
    guint sdp_mline_index, const gchar * candidate)
{
  RtcWhipClient *self = RTC_WHIP_CLIENT (base);
  Candidate *c;

  if (g_strcmp0 (session_id, self->session_id) != 0)
    return;
  c = g_new0 (Candidate, 1);
  c->mline = sdp_mline_index;
  c->candidate = g_strdup (candidate);
  g_ptr_array_add (self->held, c);
  if (self->resource) {
    send_candidates (self, self->held);
    g_ptr_array_set_size (self->held, 0);
  }
}

static void
delete_resource (RtcWhipClient * self)
{
  SoupMessage *msg;

  if (!self->resource)
    return;
  msg = new_request (self, SOUP_METHOD_DELETE, self->resource);
  if (msg)
    send_request (self, msg, NULL);
  g_clear_pointer (&self->resource, g_free);
}

static void
whip_end_session (RtcSignallable * base, const gchar * session_id,
    const gchar * reason)
{
  RtcWhipClient *self = RTC_WHIP_CLIENT (base);

  if (g_strcmp0 (session_id, self->session_id) != 0)
    return;
  GST_INFO ("%s session %s ends: %s", kind (self), session_id,
      reason ? reason : "closed");
  delete_resource (self);
  clear_session (self);
  /* a publisher that lost its connection publishes again */
  retry_later (self);
}

/* ---- start and stop ---- */

static gboolean
announce_cb (gpointer data)
{
  RtcWhipClient *self = data;

  g_clear_pointer (&self->retry, g_source_unref);
  if (!self->running)
    return G_SOURCE_REMOVE;
  g_signal_emit_by_name (self, "connected", self->peer_id, FALSE);
  schedule_session (self, 0);
  return G_SOURCE_REMOVE;
}

static void
whip_start (RtcSignallable * base)
{
  RtcWhipClient *self = RTC_WHIP_CLIENT (base);

  if (self->running)
    return;
  self->running = TRUE;
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->http = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_S,
      NULL);
  self->backoff_ms = BACKOFF_INITIAL_MS;
  g_free (self->peer_id);
  self->peer_id = g_uuid_string_random ();
  self->retry = g_idle_source_new ();
  g_source_set_callback (self->retry, announce_cb, self, NULL);
  g_source_attach (self->retry, self->context);
}

static gboolean
requests_done (gpointer data)
{
  return RTC_WHIP_CLIENT (data)->requests_in_flight == 0;
}

static void
whip_stop (RtcSignallable * base)
{
  RtcWhipClient *self = RTC_WHIP_CLIENT (base);

  if (!self->running)
    return;
  self->running = FALSE;
  rtc_clear_source (&self->retry);
  /* the resource goes (section 4.2); its DELETE and those already sent
   * may finish, bounded */
  delete_resource (self);
  if (self->requests_in_flight > 0) {
    /* not inside GST_DEBUG: its arguments are not evaluated when the
     * category is off */
    gboolean done = rtc_context_iterate_until (self->context,
        STOP_TIMEOUT_MS, requests_done, self);

    GST_DEBUG ("%s: requests %s", kind (self), done ? "done" :
        "left unanswered");
  }
  g_cancellable_cancel (self->cancellable);
  /* cancelled requests finish in the context: let them go */
  rtc_context_iterate_until (self->context, STOP_TIMEOUT_MS, requests_done,
      self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->http);
  clear_session (self);
}

static void
whip_set_status (RtcSignallable * base, RtcRoles roles,
    const GstStructure * meta)
{
  /* an HTTP endpoint has no registration */
}

static void
whip_request_session (RtcSignallable * base, const gchar * producer_id)
{
  GST_DEBUG ("%s: sessions start by themselves", kind (RTC_WHIP_CLIENT (base)));
}

static const gchar *
whip_get_peer_id (RtcSignallable * base)
{
  RtcWhipClient *self = RTC_WHIP_CLIENT (base);

  return self->running ? self->peer_id : NULL;
}

static gboolean
whip_gives_ice_servers (RtcSignallable * base)
{
  /* Link headers in the 201 (RFC 9725 section 4.6) */
  return TRUE;
}

static void
rtc_whip_client_signallable_init (RtcSignallableInterface * iface)
{
  iface->start = whip_start;
  iface->stop = whip_stop;
  iface->set_status = whip_set_status;
  iface->request_session = whip_request_session;
  iface->send_description = whip_send_description;
  iface->send_candidate = whip_send_candidate;
  iface->end_session = whip_end_session;
  iface->get_peer_id = whip_get_peer_id;
  iface->gives_ice_servers = whip_gives_ice_servers;
}

RtcWhipClient *
rtc_whip_client_new (const gchar * endpoint, const gchar * auth_token,
    RtcWhipDirection direction)
{
  RtcWhipClient *self = g_object_new (RTC_TYPE_WHIP_CLIENT, NULL);

  self->endpoint = g_strdup (endpoint);
  self->auth_token = g_strdup (auth_token);
  self->direction = direction;
  return self;
}

static void
rtc_whip_client_finalize (GObject * object)
{
  RtcWhipClient *self = RTC_WHIP_CLIENT (object);

  whip_stop (RTC_SIGNALLABLE (self));
  g_ptr_array_unref (self->held);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->endpoint);
  g_free (self->auth_token);
  g_free (self->peer_id);
  G_OBJECT_CLASS (rtc_whip_client_parent_class)->finalize (object);
}

static void
rtc_whip_client_init (RtcWhipClient * self)
{
  self->held = g_ptr_array_new_with_free_func ((GDestroyNotify)
      candidate_free);
}

static void
rtc_whip_client_class_init (RtcWhipClientClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = rtc_whip_client_finalize;
  GST_DEBUG_CATEGORY_INIT (rtc_whip_client_debug, "rtcwhipclient", 0,
      "gst-meshrtc WHIP/WHEP client");
}
