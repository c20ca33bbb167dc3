/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
/**
 * SECTION:element-rtcmeshfanout
 * @title: rtcmeshfanout
 *
 * Streams one input to many peers, one peer connection each, encoded once.
 * It registers as a producer with the signalling server; every consumer
 * that starts a session (the viewer page, gstwebrtc-api, webrtcsrc, or
 * rtcsignalbin with producer-name) gets its own webrtcbin fed from the
 * shared encoded stream.
 *
 * Each peer's branch drops media until the peer is connected and then goes
 * through a leaky queue, so a slow peer, one that never connects, or one
 * that vanishes never stalls the others. A new peer gets a keyframe as soon
 * as DTLS is up. Keyframe requests (PLI, FIR) from all peers are coalesced
 * into at most one forced keyframe per #GstRtcBaseBin:keyframe-interval.
 *
 * With #GstRtcMeshFanout:run-signalling-server the signalling server runs
 * in-process on the host and port of #GstRtcBaseBin:uri, and the same port
 * serves a viewer page over HTTP at `/`. The element posts an INFO message
 * with the URL to open.
 *
 * The embedded server admits the clients that present
 * #GstRtcBaseBin:auth-token (the element's own signaller does), takes
 * browser pages from #GstRtcMeshFanout:allowed-origins only (by default
 * its own viewer page), and serves `wss://` and `https://` when
 * #GstRtcBaseBin:uri is `wss://`, with the certificate of
 * #GstRtcMeshFanout:tls-certificate-file. The limits of
 * docs/protocol.md apply with their defaults.
 *
 * If an `rtciceservers` element is in the pipeline, the embedded server
 * hands its ICE servers to the browsers (the `iceServers` message, see
 * docs/protocol.md).
 *
 * ## Element messages
 * - `meshrtc-peer-added`: a consumer started a session; `session-id`,
 *   `peer-id`
 * - `meshrtc-peer-connected`: ICE and DTLS are up, media flows;
 *   `session-id`, `peer-id`, `setup-time` (GstClockTime)
 * - `meshrtc-peer-removed`: the session ended (endSession, closed socket,
 *   ICE failure, disconnection past #GstRtcBaseBin:disconnect-timeout, no
 *   codec in common); `session-id`, `peer-id`, `reason`
 * - `meshrtc-signalling-connected`, `meshrtc-signalling-lost`: as
 *   rtcsignalbin
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 videotestsrc is-live=true ! rtcmeshfanout run-signalling-server=true
 * ]|
 * Then open http://127.0.0.1:8443/ in any number of browsers.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <glib/gi18n-lib.h>

#include "gstmeshrtcelements.h"
#include "gstrtcmeshfanout.h"
#include "rtcsignallingserver.h"
#include "rtciceconfig.h"

GST_DEBUG_CATEGORY_EXTERN (meshrtc_debug);
#define GST_CAT_DEFAULT meshrtc_debug

#define DEFAULT_RUN_SIGNALLING_SERVER FALSE
#define DEFAULT_MAX_PEERS 64
#define DEFAULT_ALLOWED_ORIGINS NULL
#define DEFAULT_TLS_CERTIFICATE_FILE NULL
#define DEFAULT_TLS_KEY_FILE NULL

enum
{
  PROP_0,
  PROP_RUN_SIGNALLING_SERVER,
  PROP_MAX_PEERS,
  PROP_STATS,
  PROP_ALLOWED_ORIGINS,
  PROP_TLS_CERTIFICATE_FILE,
  PROP_TLS_KEY_FILE,
};

struct _GstRtcMeshFanout
{
  GstRtcBaseBin parent;

  gboolean run_server;
  guint max_peers;
  gchar *allowed_origins;
  gchar *tls_certificate_file;
  gchar *tls_key_file;

  RtcSignallingServer *server;  /* context thread */
  gchar *ice_servers;           /* from the rtciceservers context, OBJECT_LOCK */
  GError *server_error;
  /* loaded going to READY, for start_server() */
  GTlsCertificate *tls_certificate;
};

#define gst_rtc_mesh_fanout_parent_class parent_class
G_DEFINE_TYPE (GstRtcMeshFanout, gst_rtc_mesh_fanout, GST_TYPE_RTC_BASE_BIN);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (rtcmeshfanout, "rtcmeshfanout",
    GST_RANK_NONE, GST_TYPE_RTC_MESH_FANOUT, meshrtc_element_init (plugin));

static RtcRoles
gst_rtc_mesh_fanout_get_roles (GstRtcBaseBin * base)
{
  return RTC_ROLE_PRODUCER;
}

static gboolean
gst_rtc_mesh_fanout_accept_session (GstRtcBaseBin * base,
    const gchar * consumer_id, const gchar * session_id, GError ** error)
{
  GstRtcMeshFanout *self = GST_RTC_MESH_FANOUT (base);
  guint max;

  GST_OBJECT_LOCK (self);
  max = self->max_peers;
  GST_OBJECT_UNLOCK (self);
  if (max > 0 && gst_rtc_base_bin_count_peers (base) >= max) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_BUSY,
        "max-peers (%u) reached, try again later", max);
    return FALSE;
  }
  return TRUE;
}

/* "a, b" -> {"a", "b"}; NULL or blank -> NULL (same-origin rule) */
static gchar **
split_origins (const gchar * list)
{
  GPtrArray *origins;
  gchar **parts, **p;

  if (!list)
    return NULL;
  origins = g_ptr_array_new ();
  parts = g_strsplit (list, ",", -1);
  for (p = parts; *p; p++) {
    g_strstrip (*p);
    if (**p)
      g_ptr_array_add (origins, g_strdup (*p));
  }
  g_strfreev (parts);
  if (origins->len == 0) {
    g_ptr_array_free (origins, TRUE);
    return NULL;
  }
  g_ptr_array_add (origins, NULL);
  return (gchar **) g_ptr_array_free (origins, FALSE);
}

/* A wss:// server needs its certificate: loaded (or refused) before the
 * server starts, on the thread changing the state. */
static gboolean
load_tls_certificate (GstRtcMeshFanout * self)
{
  const gchar *uri = gst_rtc_base_bin_get_uri (GST_RTC_BASE_BIN (self));
  gchar *cert_file, *key_file;
  GError *error = NULL;
  gboolean ok = TRUE;

  g_clear_object (&self->tls_certificate);
  if (!uri || g_ascii_strncasecmp (uri, "wss:", 4) != 0)
    return TRUE;

  GST_OBJECT_LOCK (self);
  cert_file = g_strdup (self->tls_certificate_file);
  key_file = g_strdup (self->tls_key_file);
  GST_OBJECT_UNLOCK (self);

  if (!cert_file) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        (_("A secure signalling server needs a TLS certificate.")),
        ("uri is %s and run-signalling-server is true, but "
            "tls-certificate-file is not set", uri));
    ok = FALSE;
  } else {
    /* without a key file, the key is in the certificate file */
    self->tls_certificate = key_file ?
        g_tls_certificate_new_from_files (cert_file, key_file, &error) :
        g_tls_certificate_new_from_file (cert_file, &error);
    if (!self->tls_certificate) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          (_("Could not load the TLS certificate of the signalling "
                  "server.")), ("%s%s%s: %s", cert_file, key_file ? ", " : "",
              key_file ? key_file : "", error->message));
      g_clear_error (&error);
      ok = FALSE;
    }
  }
  g_free (cert_file);
  g_free (key_file);
  return ok;
}

static gboolean
start_server (gpointer data)
{
  GstRtcMeshFanout *self = data;
  const gchar *uri = gst_rtc_base_bin_get_uri (GST_RTC_BASE_BIN (self));
  GUri *parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  gint port;
  gchar *ice, *token;
  gchar **origins;

  /* the base class validated the URI going to READY */
  port = g_uri_get_port (parsed);
  self->server = rtc_signalling_server_new (g_uri_get_host (parsed),
      port > 0 ? port : 8443);
  GST_OBJECT_LOCK (self);
  ice = g_strdup (self->ice_servers);
  GST_OBJECT_UNLOCK (self);
  if (ice)
    g_object_set (self->server, "ice-servers", ice, NULL);
  g_free (ice);

  /* the element's own signaller presents the same token */
  token = gst_rtc_base_bin_dup_auth_token (GST_RTC_BASE_BIN (self));
  GST_OBJECT_LOCK (self);
  origins = split_origins (self->allowed_origins);
  GST_OBJECT_UNLOCK (self);
  g_object_set (self->server, "auth-token", token, "allowed-origins",
      origins, "tls-certificate", self->tls_certificate, NULL);
  g_free (token);
  g_strfreev (origins);

  if (!rtc_signalling_server_start (self->server, &self->server_error))
    g_clear_object (&self->server);
  g_uri_unref (parsed);
  return G_SOURCE_REMOVE;
}

static gboolean
stop_server (gpointer data)
{
  GstRtcMeshFanout *self = data;

  if (self->server) {
    rtc_signalling_server_stop (self->server);
    g_clear_object (&self->server);
  }
  return G_SOURCE_REMOVE;
}

static gboolean
push_ice_servers (gpointer data)
{
  GstRtcMeshFanout *self = data;
  gchar *ice;

  GST_OBJECT_LOCK (self);
  ice = g_strdup (self->ice_servers);
  GST_OBJECT_UNLOCK (self);
  if (self->server)
    g_object_set (self->server, "ice-servers", ice, NULL);
  g_free (ice);
  return G_SOURCE_REMOVE;
}

/* rtciceservers shares its configuration as a GstContext; browsers on the
 * viewer page get the same servers through the embedded server. */
static void
gst_rtc_mesh_fanout_set_context (GstElement * element, GstContext * context)
{
  GstRtcMeshFanout *self = GST_RTC_MESH_FANOUT (element);

  if (g_str_equal (gst_context_get_context_type (context),
          RTC_ICE_CONFIG_CONTEXT_TYPE)) {
    gchar *json = rtc_ice_config_context_get_json (context);

    GST_DEBUG_OBJECT (self, "got ICE servers from the pipeline");
    GST_OBJECT_LOCK (self);
    g_free (self->ice_servers);
    self->ice_servers = json;
    GST_OBJECT_UNLOCK (self);
    gst_object_ref (self);
    gst_rtc_base_bin_invoke (GST_RTC_BASE_BIN (self), push_ice_servers, self,
        gst_object_unref);
  }
  GST_ELEMENT_CLASS (parent_class)->set_context (element, context);
}

static void
query_ice_context (GstRtcMeshFanout * self)
{
  GstContext *ctx;

  ctx = gst_element_get_context (GST_ELEMENT (self),
      RTC_ICE_CONFIG_CONTEXT_TYPE);
  if (!ctx) {
    /* ask the application and the other elements (GstContext design) */
    GstMessage *msg = gst_message_new_need_context (GST_OBJECT (self),
        RTC_ICE_CONFIG_CONTEXT_TYPE);
    gst_element_post_message (GST_ELEMENT (self), msg);
    return;
  }
  gst_context_unref (ctx);
}

static GstStateChangeReturn
gst_rtc_mesh_fanout_change_state (GstElement * element,
    GstStateChange transition)
{
  GstRtcMeshFanout *self = GST_RTC_MESH_FANOUT (element);
  GstRtcBaseBin *base = GST_RTC_BASE_BIN (element);
  GstStateChangeReturn ret;

  /* the server lives on the context thread, which the parent stops when
   * going to NULL */
  if (transition == GST_STATE_CHANGE_READY_TO_NULL)
    gst_rtc_base_bin_invoke_sync (base, stop_server);

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      query_ice_context (self);
      if (!self->run_server)
        break;
      if (!load_tls_certificate (self)) {
        GST_ELEMENT_CLASS (parent_class)->change_state (element,
            GST_STATE_CHANGE_READY_TO_NULL);
        return GST_STATE_CHANGE_FAILURE;
      }
      gst_rtc_base_bin_invoke_sync (base, start_server);
      g_clear_object (&self->tls_certificate);
      if (self->server_error) {
        GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE,
            (_("Could not start the signalling server.")),
            ("%s: %s", gst_rtc_base_bin_get_uri (base),
                self->server_error->message));
        g_clear_error (&self->server_error);
        /* undo what the parent did going to READY */
        GST_ELEMENT_CLASS (parent_class)->change_state (element,
            GST_STATE_CHANGE_READY_TO_NULL);
        return GST_STATE_CHANGE_FAILURE;
      } else {
        GUri *uri = g_uri_parse (gst_rtc_base_bin_get_uri (base),
            G_URI_FLAGS_NONE, NULL);
        gchar *url = g_strdup_printf ("%s://%s:%u/",
            g_str_equal (g_uri_get_scheme (uri), "wss") ? "https" : "http",
            g_uri_get_host (uri),
            rtc_signalling_server_get_port (self->server));

        /* gst-launch prints only the debug part of INFO messages */
        GST_ELEMENT_INFO (self, RESOURCE, OPEN_READ_WRITE,
            (_("Open %s in a web browser to watch the stream."), url),
            ("Open %s in a web browser to watch the stream (signalling on "
                "the same port).", url));
        g_free (url);
        g_uri_unref (uri);
      }
      break;
    default:
      break;
  }
  return ret;
}

static void
gst_rtc_mesh_fanout_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstRtcMeshFanout *self = GST_RTC_MESH_FANOUT (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_RUN_SIGNALLING_SERVER:
      self->run_server = g_value_get_boolean (value);
      break;
    case PROP_MAX_PEERS:
      self->max_peers = g_value_get_uint (value);
      break;
    case PROP_ALLOWED_ORIGINS:
      g_free (self->allowed_origins);
      self->allowed_origins = g_value_dup_string (value);
      break;
    case PROP_TLS_CERTIFICATE_FILE:
      g_free (self->tls_certificate_file);
      self->tls_certificate_file = g_value_dup_string (value);
      break;
    case PROP_TLS_KEY_FILE:
      g_free (self->tls_key_file);
      self->tls_key_file = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static GstStructure *
collect_stats (GstRtcMeshFanout * self)
{
  GstRtcBaseBin *base = GST_RTC_BASE_BIN (self);
  GstStructure *s = gst_rtc_base_bin_collect_stats (base,
      "meshrtc-fanout-stats");
  guint requests, forced;

  gst_rtc_base_bin_get_keyframe_counts (base, &requests, &forced);
  gst_structure_set (s, "peers", G_TYPE_UINT,
      gst_rtc_base_bin_count_peers (base),
      "keyframe-requests", G_TYPE_UINT, requests,
      "keyframes-forced", G_TYPE_UINT, forced, NULL);
  return s;
}

static void
gst_rtc_mesh_fanout_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstRtcMeshFanout *self = GST_RTC_MESH_FANOUT (object);

  switch (prop_id) {
    case PROP_RUN_SIGNALLING_SERVER:
      GST_OBJECT_LOCK (self);
      g_value_set_boolean (value, self->run_server);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MAX_PEERS:
      GST_OBJECT_LOCK (self);
      g_value_set_uint (value, self->max_peers);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_STATS:
      g_value_take_boxed (value, collect_stats (self));
      break;
    case PROP_ALLOWED_ORIGINS:
      GST_OBJECT_LOCK (self);
      g_value_set_string (value, self->allowed_origins);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_TLS_CERTIFICATE_FILE:
      GST_OBJECT_LOCK (self);
      g_value_set_string (value, self->tls_certificate_file);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_TLS_KEY_FILE:
      GST_OBJECT_LOCK (self);
      g_value_set_string (value, self->tls_key_file);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_rtc_mesh_fanout_finalize (GObject * object)
{
  GstRtcMeshFanout *self = GST_RTC_MESH_FANOUT (object);

  g_clear_object (&self->server);
  g_clear_object (&self->tls_certificate);
  g_free (self->ice_servers);
  g_free (self->allowed_origins);
  g_free (self->tls_certificate_file);
  g_free (self->tls_key_file);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_rtc_mesh_fanout_init (GstRtcMeshFanout * self)
{
  self->run_server = DEFAULT_RUN_SIGNALLING_SERVER;
  self->max_peers = DEFAULT_MAX_PEERS;
}

static void
gst_rtc_mesh_fanout_class_init (GstRtcMeshFanoutClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstRtcBaseBinClass *base_class = GST_RTC_BASE_BIN_CLASS (klass);

  gobject_class->set_property = gst_rtc_mesh_fanout_set_property;
  gobject_class->get_property = gst_rtc_mesh_fanout_get_property;
  gobject_class->finalize = gst_rtc_mesh_fanout_finalize;
  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_rtc_mesh_fanout_change_state);
  element_class->set_context =
      GST_DEBUG_FUNCPTR (gst_rtc_mesh_fanout_set_context);

  base_class->get_roles = gst_rtc_mesh_fanout_get_roles;
  base_class->accept_session = gst_rtc_mesh_fanout_accept_session;

  /**
   * GstRtcMeshFanout:run-signalling-server:
   *
   * Run the signalling server in-process, listening on the host and port of
   * #GstRtcBaseBin:uri, and serve the viewer page at `/` on the same port.
   * A port that cannot be bound fails the NULL to READY state change.
   */
  g_object_class_install_property (gobject_class, PROP_RUN_SIGNALLING_SERVER,
      g_param_spec_boolean ("run-signalling-server", "Run signalling server",
          "Run the signalling server and the viewer page in-process on the "
          "host and port of 'uri'", DEFAULT_RUN_SIGNALLING_SERVER,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  /**
   * GstRtcMeshFanout:max-peers:
   *
   * Sessions beyond this many are refused: the consumer gets
   * `endSessionV1_1` with the reason. Every peer costs an encoder branch
   * and a DTLS/SRTP context, so the default keeps one element from
   * exhausting the machine. 0 means no limit. Range 0 to G_MAXUINT,
   * default 64.
   */
  g_object_class_install_property (gobject_class, PROP_MAX_PEERS,
      g_param_spec_uint ("max-peers", "Maximum peers",
          "Refuse sessions beyond this many peers (0 = unlimited)", 0,
          G_MAXUINT, DEFAULT_MAX_PEERS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  /**
   * GstRtcMeshFanout:stats:
   *
   * A #GstStructure named `meshrtc-fanout-stats` with `peers` (guint),
   * `keyframe-requests` and `keyframes-forced` (guint, counted since
   * start), and one field per session id holding a `peer` structure:
   * `peer-id`, `state` (string), `bytes-sent`, `packets-sent` (guint64),
   * `round-trip-time` (gdouble, s), `nack-count`, `pli-count`, `fir-count`
   * (guint). Transport figures are refreshed once a second.
   */
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Per-peer statistics: state, bytes/packets sent, RTT (s), NACKs, "
          "PLIs, FIRs, and keyframe counts", GST_TYPE_STRUCTURE,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * GstRtcMeshFanout:allowed-origins:
   *
   * Comma-separated origins (`scheme://host[:port]`, e.g.
   * `https://example.org, http://127.0.0.1:8000`) whose web pages may
   * connect to the embedded server; `*` allows any page. %NULL (the
   * default): only pages of the server itself (the viewer page), as the
   * browser's `Origin` must then match the `Host` it connected to.
   * Programs send no `Origin` and are not concerned. A refused page gets
   * `403 Origin not allowed`. Used with
   * #GstRtcMeshFanout:run-signalling-server, read going to READY.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_ALLOWED_ORIGINS,
      g_param_spec_string ("allowed-origins", "Allowed origins",
          "Comma-separated origins whose web pages may connect to the "
          "embedded server, * for any (default: its own pages only)",
          DEFAULT_ALLOWED_ORIGINS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
          | GST_PARAM_MUTABLE_READY));
  /**
   * GstRtcMeshFanout:tls-certificate-file:
   *
   * PEM file with the certificate (chain) of the embedded server, and its
   * private key unless #GstRtcMeshFanout:tls-key-file is set. Required when
   * #GstRtcBaseBin:uri is `wss://` and
   * #GstRtcMeshFanout:run-signalling-server is %TRUE: the server then
   * speaks only `wss://` and `https://`, and without a certificate, or
   * with one that cannot be loaded, the NULL to READY state change fails
   * with a RESOURCE SETTINGS error. The element's own signaller, like any
   * client, must trust the certificate for the URI's host. Default: %NULL.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_TLS_CERTIFICATE_FILE,
      g_param_spec_string ("tls-certificate-file", "TLS certificate file",
          "PEM certificate (and key) of the embedded wss:// server",
          DEFAULT_TLS_CERTIFICATE_FILE, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  /**
   * GstRtcMeshFanout:tls-key-file:
   *
   * PEM file with the private key of #GstRtcMeshFanout:tls-certificate-file,
   * when it is not in that file. Default: %NULL.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_TLS_KEY_FILE,
      g_param_spec_string ("tls-key-file", "TLS key file",
          "PEM private key of the embedded wss:// server (default: in "
          "tls-certificate-file)", DEFAULT_TLS_KEY_FILE, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));

  gst_element_class_set_static_metadata (element_class,
      "WebRTC mesh fanout", "Sink/Network/WebRTC",
      "Streams one input to many WebRTC peers, encoded once, with built-in "
      "signalling and an optional embedded server and viewer page",
      "gst-meshrtc developers");
}
