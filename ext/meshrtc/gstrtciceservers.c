/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-rtciceservers
 * @title: rtciceservers
 * @short_description: ICE-server configuration for every webrtcbin of a
 *   pipeline
 *
 * rtciceservers has no pads. Put one anywhere in a pipeline and every
 * webrtcbin of that top-level pipeline gets the configured STUN and TURN
 * servers and ICE transport policy: those present when rtciceservers goes
 * from NULL to READY, and every webrtcbin added later, also inside bins
 * (rtcsignalbin, rtcmeshfanout, or plain webrtcbins an application adds for
 * new peers). It listens to the top-level bin's #GstBin::deep-element-added,
 * which is emitted synchronously from gst_bin_add(), so a webrtcbin is
 * configured before it can start gathering candidates.
 *
 * Configuration sources, combinable:
 * - #GstRtcIceServers:ice-servers: browser RTCIceServer JSON (a list,
 *   `{"iceServers": [...]}`, or one object);
 * - #GstRtcIceServers:turn-secret: a TURN REST shared secret (coturn
 *   `use-auth-secret`); TURN entries without credentials get ephemeral ones,
 *   renewed before they expire;
 * - #GstRtcIceServers:location: an https, http or file URL returning either
 *   form above or a TURN REST response `{username, password, ttl, uris}`,
 *   fetched again at 80% of its ttl or every
 *   #GstRtcIceServers:refresh-interval seconds.
 *
 * The browser-form URLs are converted to webrtcbin's form: one STUN server
 * ("stun-server", `stun://host:port`; further ones and `stuns:` are ignored
 * with a warning) and every TURN server through "add-turn-server", with the
 * username and password percent-escaped (a TURN REST username holds a ':'
 * which webrtcbin would otherwise take for the user/password separator,
 * and coturn would answer 401).
 *
 * The resolved configuration, with the current credentials, is also shared
 * as a #GstContext of type `gst.meshrtc.ice-servers` (fields "ice-servers",
 * a JSON array, and "ice-transport-policy", "all" or "relay"): rtciceservers
 * answers context queries for it, posts it in a have-context message on
 * start and whenever it changes, and sets it on every element of the
 * pipeline. rtcmeshfanout hands it to its embedded signalling server so
 * browsers use the same servers.
 *
 * When a configured webrtcbin finishes gathering (1.22 has no
 * end-of-candidates: "ice-gathering-state" reaching complete) without a
 * single relay candidate although TURN servers are configured, a warning
 * names the servers: the usual cause is rejected credentials.
 *
 * Errors (state change NULL->READY fails): RESOURCE/SETTINGS for invalid
 * JSON or URLs (the details name the place, e.g.
 * `iceServers[1].urls[0]: unknown scheme "http"`), for a TURN server without
 * credentials and no secret, and for no configuration at all;
 * RESOURCE/OPEN_READ when #GstRtcIceServers:location yields nothing within
 * #GstRtcIceServers:timeout. Warnings: RESOURCE/READ for a failed refresh
 * (the last good configuration stays), RESOURCE/SETTINGS for ignored URLs
 * and invalid changes while running, RESOURCE/NOT_FOUND for host names that
 * do not resolve, RESOURCE/OPEN_READ_WRITE for the missing relay candidate.
 * See docs/rtciceservers.md.
 *
 * Secrets never appear in logs: #GstRtcIceServers:turn-secret is
 * write-only, and reading #GstRtcIceServers:ice-servers gives the
 * configuration with every credential replaced by `<redacted>`.
 *
 * Host names are resolved in the element's thread and webrtcbin gets the
 * addresses: webrtcbin 1.22 hands hosts to libnice, which takes addresses
 * only and silently ignores names. Browsers get the names.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 rtciceservers \
 *     ice-servers='[{"urls":"stun:stun.l.google.com:19302"}]' \
 *   videotestsrc is-live=true ! rtcmeshfanout uri=ws://127.0.0.1:8443 \
 *     run-signalling-server=true
 * ]| STUN only, for the webrtcbins rtcmeshfanout creates for its viewers.
 * |[
 * gst-launch-1.0 rtciceservers ice-servers='[{"urls":"turn:192.0.2.10:3478"}]' \
 *     turn-secret=north ice-transport-policy=relay \
 *   rtcsignalbin uri=ws://127.0.0.1:8443 producer-name=cam ! fakesink
 * ]| TURN REST credentials made from coturn's shared secret, relay only.
 * |[
 * gst-launch-1.0 rtciceservers \
 *     location='https://turn.example.org/api/turn?service=turn&key=API_KEY' \
 *   videotestsrc is-live=true ! rtcmeshfanout uri=ws://127.0.0.1:8443 \
 *     run-signalling-server=true
 * ]| The configuration fetched from a TURN REST service and refreshed.
 *
 * Since: 0.1
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "gstmeshrtcelements.h"
#include "gstrtciceservers.h"
#include "rtccontextthread.h"
#include "rtciceconfig.h"

GST_DEBUG_CATEGORY_STATIC (gst_rtc_ice_servers_debug);
#define GST_CAT_DEFAULT gst_rtc_ice_servers_debug

#define DEFAULT_ICE_SERVERS NULL
#define DEFAULT_TURN_USER "gst-meshrtc"
#define DEFAULT_TTL 86400
#define MIN_TTL 10
#define MAX_TTL (365 * 86400)
#define DEFAULT_LOCATION NULL
#define DEFAULT_REFRESH_INTERVAL 0
#define DEFAULT_TIMEOUT 10
#define MAX_TIMEOUT 3600
#define DEFAULT_ICE_TRANSPORT_POLICY RTC_ICE_TRANSPORT_POLICY_ALL

/* A configuration document larger than this is not an ICE configuration. */
#define MAX_DOCUMENT_SIZE (1024 * 1024)

enum
{
  PROP_0,
  PROP_ICE_SERVERS,
  PROP_TURN_SECRET,
  PROP_TURN_USER,
  PROP_TTL,
  PROP_LOCATION,
  PROP_REFRESH_INTERVAL,
  PROP_TIMEOUT,
  PROP_ICE_TRANSPORT_POLICY,
};

struct _GstRtcIceServers
{
  GstElement parent;

  /* protects everything below except the worker-thread-only fields */
  GMutex lock;
  GCond cond;

  /* properties */
  gchar *ice_servers;
  gchar *turn_secret;
  gchar *turn_user;
  guint ttl;
  gchar *location;
  guint refresh_interval;
  guint timeout;
  RtcIceTransportPolicy policy;

  /* between NULL->READY and READY->NULL */
  gboolean running;
  guint run;                    /* which start; webrtcbins remember it */
  RtcIceConfig *static_config;  /* parsed ice-servers */
  RtcIceConfig *fetched_config; /* last good document from location */
  RtcIceConfig *current;        /* both, with credentials: what we apply */
  GHashTable *addresses;        /* host name -> IP address (worker fills) */
  gboolean warned_ignored;      /* ignored-URL warning posted for current */
  GstBin *toplevel;
  gulong deep_added_id;

  /* the first fetch, waited for synchronously by NULL->READY */
  gboolean initial_done;
  GError *initial_error;

  /* worker thread: libsoup and timers run in its own context, never on a
   * streaming thread or the application's */
  RtcContextThread *thread;
  GMainContext *context;
  GCancellable *cancellable;
  GSource *refresh_source;
  GSource *renew_source;
  guint failures;
  gint operations;              /* atomic: fetches and lookups under way */
  SoupSession *session;         /* worker thread only */
};

#define gst_rtc_ice_servers_parent_class parent_class
G_DEFINE_TYPE (GstRtcIceServers, gst_rtc_ice_servers, GST_TYPE_ELEMENT);

GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (rtciceservers, "rtciceservers",
    GST_RANK_NONE, GST_TYPE_RTC_ICE_SERVERS, meshrtc_element_init (plugin));

static void gst_rtc_ice_servers_finalize (GObject * object);
static void gst_rtc_ice_servers_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_rtc_ice_servers_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static GstStateChangeReturn gst_rtc_ice_servers_change_state (GstElement *
    element, GstStateChange transition);
static gboolean gst_rtc_ice_servers_query (GstElement * element,
    GstQuery * query);

static void fetch_start (GstRtcIceServers * self, gboolean initial);
static void publish (GstRtcIceServers * self);

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

/* The location without userinfo, query (TURN REST API keys live there) and
 * fragment, for messages and logs. */
static gchar *
redact_location (const gchar * location)
{
  GUri *uri;
  gchar *res;

  if (!location)
    return g_strdup ("(none)");
  uri = g_uri_parse (location, G_URI_FLAGS_NONE, NULL);
  if (!uri)
    return g_strdup ("(invalid URL)");
  res = g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO | G_URI_HIDE_QUERY
      | G_URI_HIDE_FRAGMENT);
  g_uri_unref (uri);
  return res;
}

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Runs @func in the worker thread's context, with a ref on self. */
static void
run_in_worker (GstRtcIceServers * self, GSourceFunc func)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, func, gst_object_ref (self),
      (GDestroyNotify) gst_object_unref);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

static void
cancel_source_locked (GSource ** slot)
{
  if (*slot) {
    g_source_destroy (*slot);
    g_source_unref (*slot);
    *slot = NULL;
  }
}

/* Replaces *@slot by a timeout of @seconds calling @func in the worker. */
static void
schedule_locked (GstRtcIceServers * self, GSource ** slot, guint seconds,
    GSourceFunc func)
{
  cancel_source_locked (slot);
  if (!self->context)
    return;
  *slot = g_timeout_source_new_seconds (MAX (seconds, 1));
  g_source_set_callback (*slot, func, gst_object_ref (self),
      (GDestroyNotify) gst_object_unref);
  g_source_attach (*slot, self->context);
}

static gboolean
renew_timeout_cb (gpointer user_data);

/* Combines the sources and gives TURN servers without credentials fresh
 * TURN REST ones. On success replaces current and schedules the renewal. */
static gboolean
rebuild_locked (GstRtcIceServers * self, GError ** error)
{
  RtcIceConfig *base = rtc_ice_config_new ();
  RtcIceConfig *resolved;
  gint64 now = now_s ();

  if (self->static_config)
    rtc_ice_config_append (base, self->static_config);
  if (self->fetched_config)
    rtc_ice_config_append (base, self->fetched_config);

  resolved = rtc_ice_config_resolve_credentials (base, self->turn_secret,
      self->turn_user, self->ttl, now, error);
  rtc_ice_config_free (base);
  if (!resolved)
    return FALSE;
  if (self->addresses)
    rtc_ice_config_set_addresses (resolved, self->addresses);

  rtc_ice_config_free (self->current);
  self->current = resolved;
  self->warned_ignored = FALSE;

  if (resolved->expiry != 0) {
    gint64 at = rtc_ice_config_renewal_time (resolved->expiry, self->ttl);

    GST_DEBUG_OBJECT (self, "generated TURN credentials expire at %"
        G_GINT64_FORMAT ", renewing in %" G_GINT64_FORMAT " s",
        resolved->expiry, at - now);
    schedule_locked (self, &self->renew_source, (guint) MAX (at - now, 1),
        renew_timeout_cb);
  }

  return TRUE;
}

static gboolean
renew_timeout_cb (gpointer user_data)
{
  GstRtcIceServers *self = user_data;
  GError *err = NULL;
  gboolean ok = FALSE;

  g_mutex_lock (&self->lock);
  if (self->renew_source == g_main_current_source ()) {
    g_source_unref (self->renew_source);
    self->renew_source = NULL;
  }
  if (self->running)
    ok = rebuild_locked (self, &err);
  g_mutex_unlock (&self->lock);

  if (ok) {
    GST_INFO_OBJECT (self, "renewed TURN credentials");
    publish (self);
  }
  g_clear_error (&err);

  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------------ */
/* Sharing: GstContext                                                      */

static GstContext *
make_context (GstRtcIceServers * self)
{
  GstContext *ctx = NULL;
  gchar *json = NULL;
  RtcIceTransportPolicy policy;

  g_mutex_lock (&self->lock);
  if (self->current)
    json = rtc_ice_config_to_json (self->current, FALSE);
  policy = self->policy;
  g_mutex_unlock (&self->lock);

  if (json) {
    ctx = rtc_ice_config_context_new (json,
        rtc_ice_transport_policy_to_string (policy));
    memset (json, 0, strlen (json));
    g_free (json);
  }
  return ctx;
}

/* Posts the context (bins keep it and answer need-context with it) and
 * sets it on every element of the pipeline, so elements that already
 * asked for it see the new credentials too. */
static void
publish (GstRtcIceServers * self)
{
  GstContext *ctx = make_context (self);
  GstBin *toplevel = NULL;

  if (!ctx)
    return;

  g_mutex_lock (&self->lock);
  if (self->toplevel)
    toplevel = gst_object_ref (self->toplevel);
  g_mutex_unlock (&self->lock);

  GST_DEBUG_OBJECT (self, "publishing the ICE configuration context");
  gst_element_post_message (GST_ELEMENT_CAST (self),
      gst_message_new_have_context (GST_OBJECT_CAST (self),
          gst_context_ref (ctx)));
  if (toplevel) {
    gst_element_set_context (GST_ELEMENT_CAST (toplevel), ctx);
    gst_object_unref (toplevel);
  }
  gst_context_unref (ctx);
}

static gboolean
gst_rtc_ice_servers_query (GstElement * element, GstQuery * query)
{
  GstRtcIceServers *self = GST_RTC_ICE_SERVERS (element);

  if (GST_QUERY_TYPE (query) == GST_QUERY_CONTEXT) {
    const gchar *type = NULL;

    gst_query_parse_context_type (query, &type);
    if (g_strcmp0 (type, RTC_ICE_CONFIG_CONTEXT_TYPE) == 0) {
      GstContext *ctx = make_context (self);

      if (!ctx)
        return FALSE;
      gst_query_set_context (query, ctx);
      gst_context_unref (ctx);
      return TRUE;
    }
  }

  return GST_ELEMENT_CLASS (parent_class)->query (element, query);
}

/* ------------------------------------------------------------------------ */
/* Configuring webrtcbins                                                   */

/* webrtcbin's thread: a webrtcbin gathered no relay candidate although
 * TURN servers are configured (rtcicewebrtc.h). */
static void
on_no_relay (GObject * owner, guint run, const gchar * webrtc_name,
    const gchar * turn_list, const gchar * policy)
{
  GstRtcIceServers *self = GST_RTC_ICE_SERVERS (owner);
  gboolean current;

  g_mutex_lock (&self->lock);
  current = self->running && self->run == run;
  g_mutex_unlock (&self->lock);

  if (current)
    GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ_WRITE,
        (_("No TURN relay candidate was gathered; the TURN server "
                "probably rejected the credentials.")),
        ("%s gathered no relay candidate from %s "
            "(ice-transport-policy=%s). Usual causes: rejected credentials "
            "(wrong turn-secret or password, expired username, clock "
            "skew) or an unreachable server.", webrtc_name, turn_list,
            policy));
}

static void
configure_webrtcbin (GstRtcIceServers * self, GstElement * webrtc)
{
  RtcIceConfig *config = NULL;
  RtcIceTransportPolicy policy;
  GStrv ignored = NULL;
  GError *err = NULL;
  gchar *turn_list = NULL;
  gboolean renewed = FALSE, warn_ignored = FALSE, claimed;

  g_mutex_lock (&self->lock);
  if (!self->running || !self->current) {
    g_mutex_unlock (&self->lock);
    return;
  }

  /* the renewal timer may lag (suspend, busy machine): new connections
   * never get credentials with less than 20% of their life left */
  if (rtc_ice_config_needs_renewal (self->current, self->ttl, now_s ())) {
    renewed = rebuild_locked (self, &err);
    g_clear_error (&err);
  }

  config = rtc_ice_config_copy (self->current);
  policy = self->policy;
  if (rtc_ice_config_has_turn (config))
    turn_list = rtc_ice_config_describe_turn (config);
  /* once per webrtcbin and start; one rtciceservers per webrtcbin */
  claimed = rtc_ice_webrtc_claim (webrtc, G_OBJECT (self), self->run,
      turn_list, rtc_ice_transport_policy_to_string (policy), on_no_relay);
  g_mutex_unlock (&self->lock);
  g_free (turn_list);

  if (!claimed)
    goto done;

  GST_INFO_OBJECT (self, "configuring %" GST_PTR_FORMAT, webrtc);

  if (!rtc_ice_config_apply (config, webrtc, policy, &ignored, &err)) {
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        (_("webrtcbin refused a TURN server.")), ("%s: %s",
            GST_OBJECT_NAME (webrtc), err->message));
    g_clear_error (&err);
  }

  if (ignored && ignored[0]) {
    g_mutex_lock (&self->lock);
    warn_ignored = !self->warned_ignored;
    self->warned_ignored = TRUE;
    g_mutex_unlock (&self->lock);
  }
  if (warn_ignored) {
    gchar *list = g_strjoinv (", ", ignored);

    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        (_("Some ICE servers cannot be used by webrtcbin and are ignored.")),
        ("ignored: %s", list));
    g_free (list);
  }
  g_strfreev (ignored);

done:
  rtc_ice_config_free (config);
  if (renewed)
    publish (self);
}

static void
on_deep_element_added (GstBin * bin, GstBin * sub_bin, GstElement * element,
    GstRtcIceServers * self)
{
  if (rtc_ice_config_is_webrtcbin (element))
    configure_webrtcbin (self, element);
}

static void
collect_webrtcbin (const GValue * value, GList ** list)
{
  GstElement *element = g_value_get_object (value);

  if (rtc_ice_config_is_webrtcbin (element))
    *list = g_list_prepend (*list, gst_object_ref (element));
}

static GstBin *
find_toplevel_bin (GstRtcIceServers * self)
{
  GstObject *obj = gst_object_ref (GST_OBJECT_CAST (self));
  GstObject *parent;

  while ((parent = gst_object_get_parent (obj))) {
    gst_object_unref (obj);
    obj = parent;
  }
  if (!GST_IS_BIN (obj)) {
    gst_object_unref (obj);
    return NULL;
  }
  return GST_BIN_CAST (obj);
}

/* Connects to the top-level bin first, then walks what is already there:
 * a webrtcbin added in between is seen twice and configured once. */
static void
watch_pipeline (GstRtcIceServers * self)
{
  GstBin *toplevel = find_toplevel_bin (self);
  GstIterator *it;
  GList *found = NULL, *l;

  if (!toplevel) {
    GST_WARNING_OBJECT (self, "not in a bin: no webrtcbin to configure");
    return;
  }

  g_mutex_lock (&self->lock);
  self->toplevel = gst_object_ref (toplevel);
  self->deep_added_id = g_signal_connect (toplevel, "deep-element-added",
      G_CALLBACK (on_deep_element_added), self);
  g_mutex_unlock (&self->lock);

  it = gst_bin_iterate_recurse (toplevel);
  while (gst_iterator_foreach (it, (GstIteratorForeachFunction)
          collect_webrtcbin, &found) == GST_ITERATOR_RESYNC) {
    g_list_free_full (found, gst_object_unref);
    found = NULL;
    gst_iterator_resync (it);
  }
  gst_iterator_free (it);

  for (l = found; l; l = l->next)
    configure_webrtcbin (self, l->data);
  g_list_free_full (found, gst_object_unref);
  gst_object_unref (toplevel);
}

static void
unwatch_pipeline (GstRtcIceServers * self)
{
  GstBin *toplevel;
  gulong id;

  g_mutex_lock (&self->lock);
  toplevel = self->toplevel;
  id = self->deep_added_id;
  self->toplevel = NULL;
  self->deep_added_id = 0;
  g_mutex_unlock (&self->lock);

  if (toplevel) {
    if (id)
      g_signal_handler_disconnect (toplevel, id);
    gst_object_unref (toplevel);
  }
}

/* ------------------------------------------------------------------------ */
/* Resolving host names (worker thread)                                     */

/* webrtcbin 1.22 hands STUN and TURN hosts to libnice, which takes IP
 * addresses only and silently ignores names: resolve them here. */
typedef void (*ResolvedFunc) (GstRtcIceServers * self, gpointer data);

typedef struct
{
  GstRtcIceServers *self;
  guint pending;
  GPtrArray *failed;
  GCancellable *cancellable;
  GCancellable *parent_cancellable;
  gulong cancel_id;
  GSource *timeout_source;
  ResolvedFunc done;
  gpointer data;
} ResolveJob;

typedef struct
{
  ResolveJob *job;
  gchar *host;
} Lookup;

static gboolean
cancel_cb (gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

static void
resolve_job_finish (ResolveJob * job)
{
  GstRtcIceServers *self = job->self;

  /* stopping cancels lookups: nothing to report then */
  if (job->failed->len > 0
      && !g_cancellable_is_cancelled (job->parent_cancellable)) {
    gchar *list;

    g_ptr_array_add (job->failed, NULL);
    list = g_strjoinv (", ", (GStrv) job->failed->pdata);
    GST_ELEMENT_WARNING (self, RESOURCE, NOT_FOUND,
        (_("Could not resolve the host name of an ICE server.")),
        ("%s: webrtcbin takes addresses only, these servers are not used",
            list));
    g_free (list);
  }

  job->done (self, job->data);

  g_source_destroy (job->timeout_source);
  g_source_unref (job->timeout_source);
  g_cancellable_disconnect (job->parent_cancellable, job->cancel_id);
  g_object_unref (job->parent_cancellable);
  g_object_unref (job->cancellable);
  g_ptr_array_unref (job->failed);
  g_atomic_int_add (&self->operations, -1);
  gst_object_unref (job->self);
  g_free (job);
}

static void
on_lookup_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  Lookup *lookup = user_data;
  ResolveJob *job = lookup->job;
  GstRtcIceServers *self = job->self;
  GList *addresses, *l;
  GInetAddress *chosen = NULL;
  GError *err = NULL;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), res,
      &err);
  /* IPv4 first: most TURN deployments and local networks are IPv4 */
  for (l = addresses; l && !chosen; l = l->next) {
    if (g_inet_address_get_family (l->data) == G_SOCKET_FAMILY_IPV4)
      chosen = l->data;
  }
  if (!chosen && addresses)
    chosen = addresses->data;

  if (chosen) {
    gchar *address = g_inet_address_to_string (chosen);

    GST_DEBUG_OBJECT (self, "%s is %s", lookup->host, address);
    g_mutex_lock (&self->lock);
    if (self->addresses)
      g_hash_table_insert (self->addresses, g_strdup (lookup->host), address);
    else
      g_free (address);
    g_mutex_unlock (&self->lock);
  } else {
    GST_DEBUG_OBJECT (self, "%s: %s", lookup->host,
        err ? err->message : "no address");
    g_ptr_array_add (job->failed, g_strdup (lookup->host));
  }
  g_clear_error (&err);
  if (addresses)
    g_resolver_free_addresses (addresses);

  g_free (lookup->host);
  g_free (lookup);
  if (--job->pending == 0)
    resolve_job_finish (job);
}

/* Looks up the @hosts not known yet, then calls @done in the worker. */
static void
resolve_hosts (GstRtcIceServers * self, GStrv hosts, ResolvedFunc done,
    gpointer data)
{
  ResolveJob *job;
  GResolver *resolver;
  GPtrArray *todo = g_ptr_array_new ();
  guint i, timeout;

  g_mutex_lock (&self->lock);
  for (i = 0; hosts && hosts[i]; i++) {
    if (self->addresses && !g_hash_table_contains (self->addresses, hosts[i]))
      g_ptr_array_add (todo, hosts[i]);
  }
  timeout = self->timeout;
  g_mutex_unlock (&self->lock);

  if (todo->len == 0) {
    g_ptr_array_unref (todo);
    done (self, data);
    return;
  }

  job = g_new0 (ResolveJob, 1);
  job->self = gst_object_ref (self);
  g_atomic_int_inc (&self->operations);
  job->failed = g_ptr_array_new_with_free_func (g_free);
  job->done = done;
  job->data = data;
  job->pending = todo->len;
  job->cancellable = g_cancellable_new ();
  job->parent_cancellable = g_object_ref (self->cancellable);
  job->cancel_id = g_cancellable_connect (job->parent_cancellable,
      G_CALLBACK (g_cancellable_cancel), g_object_ref (job->cancellable),
      g_object_unref);
  job->timeout_source = g_timeout_source_new_seconds (timeout);
  g_source_set_callback (job->timeout_source, cancel_cb, job->cancellable,
      NULL);
  g_source_attach (job->timeout_source, self->context);

  resolver = g_resolver_get_default ();
  for (i = 0; i < todo->len; i++) {
    Lookup *lookup = g_new0 (Lookup, 1);

    lookup->job = job;
    lookup->host = g_strdup (g_ptr_array_index (todo, i));
    g_resolver_lookup_by_name_async (resolver, lookup->host,
        job->cancellable, on_lookup_done, lookup);
  }
  g_object_unref (resolver);
  g_ptr_array_unref (todo);
}

static void
on_initial_resolved (GstRtcIceServers * self, gpointer data)
{
  g_mutex_lock (&self->lock);
  self->initial_done = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

/* Worker: the host names of ice-servers and of the first document. */
static void
initial_resolve (GstRtcIceServers * self)
{
  GPtrArray *all = g_ptr_array_new_with_free_func (g_free);
  RtcIceConfig *configs[2];
  guint i, j;

  g_mutex_lock (&self->lock);
  configs[0] = self->static_config;
  configs[1] = self->fetched_config;
  for (i = 0; i < 2; i++) {
    GStrv hosts;

    if (!configs[i])
      continue;
    hosts = rtc_ice_config_get_unresolved_hosts (configs[i]);
    for (j = 0; hosts[j]; j++)
      g_ptr_array_add (all, g_strdup (hosts[j]));
    g_strfreev (hosts);
  }
  g_mutex_unlock (&self->lock);
  g_ptr_array_add (all, NULL);

  resolve_hosts (self, (GStrv) all->pdata, on_initial_resolved, NULL);
  g_ptr_array_unref (all);
}

/* ------------------------------------------------------------------------ */
/* Fetching the configuration from location (worker thread)                 */

typedef struct
{
  GstRtcIceServers *self;
  gboolean initial;
  gchar *location;
  GCancellable *cancellable;
  GCancellable *parent_cancellable;
  gulong cancel_id;
  GSource *timeout_source;
  SoupMessage *msg;
} FetchOp;

static void
fetch_op_free (FetchOp * op)
{
  if (op->timeout_source) {
    g_source_destroy (op->timeout_source);
    g_source_unref (op->timeout_source);
  }
  g_clear_object (&op->msg);
  g_cancellable_disconnect (op->parent_cancellable, op->cancel_id);
  g_object_unref (op->parent_cancellable);
  g_object_unref (op->cancellable);
  g_free (op->location);
  g_atomic_int_add (&op->self->operations, -1);
  gst_object_unref (op->self);
  g_free (op);
}

static gboolean
refresh_timeout_cb (gpointer user_data)
{
  GstRtcIceServers *self = user_data;

  g_mutex_lock (&self->lock);
  if (self->refresh_source == g_main_current_source ()) {
    g_source_unref (self->refresh_source);
    self->refresh_source = NULL;
  }
  g_mutex_unlock (&self->lock);

  fetch_start (self, FALSE);
  return G_SOURCE_REMOVE;
}

/* After a failed refresh: keep the last good configuration, warn, retry
 * with backoff. */
static void
refresh_failed (GstRtcIceServers * self, const gchar * where, GError * err)
{
  guint delay = 0;

  g_mutex_lock (&self->lock);
  if (self->running) {
    self->failures++;
    delay = rtc_ice_config_retry_delay (self->failures);
    schedule_locked (self, &self->refresh_source, delay, refresh_timeout_cb);
  }
  g_mutex_unlock (&self->lock);

  if (delay)
    GST_ELEMENT_WARNING (self, RESOURCE, READ,
        (_("Could not refresh the ICE server configuration; keeping the last "
                "one.")), ("%s: %s; retrying in %u s", where, err->message,
            delay));
}

typedef struct
{
  RtcIceConfig *config;
  gchar *where;
} Refreshed;

static void
refreshed_free (Refreshed * r)
{
  rtc_ice_config_free (r->config);
  g_free (r->where);
  g_free (r);
}

/* A refreshed document whose host names are resolved: swap it in. */
static void
on_refresh_resolved (GstRtcIceServers * self, gpointer data)
{
  Refreshed *r = data;
  RtcIceConfig *old;
  GError *err = NULL;
  gboolean ok;
  guint delay = 0;

  g_mutex_lock (&self->lock);
  if (!self->running) {
    g_mutex_unlock (&self->lock);
    refreshed_free (r);
    return;
  }
  old = self->fetched_config;
  self->fetched_config = r->config;
  ok = rebuild_locked (self, &err);
  if (ok) {
    rtc_ice_config_free (old);
    self->failures = 0;
    delay = rtc_ice_config_refresh_delay (r->config->ttl,
        self->refresh_interval);
    if (delay)
      schedule_locked (self, &self->refresh_source, delay,
          refresh_timeout_cb);
  } else {
    self->fetched_config = old;
    rtc_ice_config_free (r->config);
  }
  r->config = NULL;
  g_mutex_unlock (&self->lock);

  if (ok) {
    GST_INFO_OBJECT (self, "configuration refreshed from %s, next in %u s",
        r->where, delay);
    publish (self);
  } else {
    refresh_failed (self, r->where, err);
    g_error_free (err);
  }
  refreshed_free (r);
}

static void
fetch_finish (FetchOp * op, GBytes * bytes, GError * error)
{
  GstRtcIceServers *self = op->self;
  RtcIceConfig *config = NULL;
  GError *err = NULL;
  gchar *where = redact_location (op->location);

  if (error) {
    err = g_error_copy (error);
  } else {
    gsize size;
    const gchar *data = g_bytes_get_data (bytes, &size);

    if (size > MAX_DOCUMENT_SIZE)
      err = g_error_new (RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_INVALID,
          "document larger than %u bytes", MAX_DOCUMENT_SIZE);
    else
      config = rtc_ice_config_parse (data ? data : "", size, &err);
  }

  if (op->initial) {
    gboolean resolve = FALSE;

    /* NULL->READY is waiting: it reports errors itself */
    g_mutex_lock (&self->lock);
    rtc_ice_config_free (self->fetched_config);
    self->fetched_config = config;
    if (config) {
      guint delay = rtc_ice_config_refresh_delay (config->ttl,
          self->refresh_interval);

      self->failures = 0;
      if (delay)
        schedule_locked (self, &self->refresh_source, delay,
            refresh_timeout_cb);
      resolve = TRUE;
    } else {
      self->initial_error = err;
      self->initial_done = TRUE;
      err = NULL;
      g_cond_broadcast (&self->cond);
    }
    g_mutex_unlock (&self->lock);
    if (resolve)
      initial_resolve (self);
  } else if (config) {
    Refreshed *r = g_new0 (Refreshed, 1);
    GStrv hosts = rtc_ice_config_get_unresolved_hosts (config);

    r->config = config;
    r->where = g_strdup (where);
    resolve_hosts (self, hosts, on_refresh_resolved, r);
    g_strfreev (hosts);
  } else {
    refresh_failed (self, where, err);
  }

  g_clear_error (&err);
  g_free (where);
  fetch_op_free (op);
}

static void
on_soup_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  FetchOp *op = user_data;
  GError *err = NULL;
  GBytes *bytes;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), res, &err);
  if (bytes && !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (op->msg))) {
    err = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "HTTP %u %s",
        soup_message_get_status (op->msg),
        soup_message_get_reason_phrase (op->msg));
    g_clear_pointer (&bytes, g_bytes_unref);
  }
  fetch_finish (op, bytes, err);
  if (bytes)
    g_bytes_unref (bytes);
  g_clear_error (&err);
}

static void
on_file_done (GObject * source, GAsyncResult * res, gpointer user_data)
{
  FetchOp *op = user_data;
  GError *err = NULL;
  gchar *contents = NULL;
  gsize length = 0;
  GBytes *bytes = NULL;

  if (g_file_load_contents_finish (G_FILE (source), res, &contents, &length,
          NULL, &err))
    bytes = g_bytes_new_take (contents, length);
  fetch_finish (op, bytes, err);
  if (bytes)
    g_bytes_unref (bytes);
  g_clear_error (&err);
}

static gboolean
fetch_timeout_cb (gpointer user_data)
{
  FetchOp *op = user_data;

  g_cancellable_cancel (op->cancellable);
  return G_SOURCE_REMOVE;
}

/* Worker thread. */
static void
fetch_start (GstRtcIceServers * self, gboolean initial)
{
  FetchOp *op;
  GError *err = NULL;
  gchar *scheme;
  guint timeout;

  op = g_new0 (FetchOp, 1);
  op->self = gst_object_ref (self);
  g_atomic_int_inc (&self->operations);
  op->initial = initial;

  g_mutex_lock (&self->lock);
  op->location = g_strdup (self->location);
  /* stopping cancels every fetch; the timeout cancels only this one, so
   * it bounds the whole request, not just each I/O step */
  op->parent_cancellable = g_object_ref (self->cancellable);
  op->cancellable = g_cancellable_new ();
  op->cancel_id = g_cancellable_connect (op->parent_cancellable,
      G_CALLBACK (g_cancellable_cancel), g_object_ref (op->cancellable),
      g_object_unref);
  timeout = self->timeout;
  g_mutex_unlock (&self->lock);

  if (!op->location) {
    /* location was unset while running: drop what it gave */
    GBytes *empty = g_bytes_new_static ("[]", 2);

    fetch_finish (op, empty, NULL);
    g_bytes_unref (empty);
    return;
  }

  op->timeout_source = g_timeout_source_new_seconds (timeout);
  g_source_set_callback (op->timeout_source, fetch_timeout_cb, op, NULL);
  g_source_attach (op->timeout_source, self->context);

  GST_DEBUG_OBJECT (self, "fetching the ICE configuration (%s)",
      initial ? "initial" : "refresh");

  scheme = g_uri_parse_scheme (op->location);
  if (g_strcmp0 (scheme, "file") == 0) {
    GFile *file = g_file_new_for_uri (op->location);

    g_file_load_contents_async (file, op->cancellable, on_file_done, op);
    g_object_unref (file);
  } else if (g_strcmp0 (scheme, "http") == 0
      || g_strcmp0 (scheme, "https") == 0) {
    op->msg = soup_message_new (SOUP_METHOD_GET, op->location);
    if (!op->msg) {
      err = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "not a valid URL");
    } else {
      soup_message_headers_replace (soup_message_get_request_headers
          (op->msg), "Accept", "application/json");
      soup_session_send_and_read_async (self->session, op->msg,
          G_PRIORITY_DEFAULT, op->cancellable, on_soup_done, op);
    }
  } else {
    err = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
        "unsupported scheme \"%s\" (expected https, http or file)",
        scheme ? scheme : "");
  }
  g_free (scheme);

  if (err) {
    fetch_finish (op, NULL, err);
    g_error_free (err);
  }
}

/* Worker: the first fetch if there is a location, then host names. */
static gboolean
initial_cb (gpointer user_data)
{
  GstRtcIceServers *self = user_data;
  gboolean fetch;

  g_mutex_lock (&self->lock);
  fetch = self->location != NULL;
  g_mutex_unlock (&self->lock);

  if (fetch)
    fetch_start (self, TRUE);
  else
    initial_resolve (self);
  return G_SOURCE_REMOVE;
}

static void
worker_started (gpointer user_data)
{
  GstRtcIceServers *self = user_data;
  guint timeout;

  g_mutex_lock (&self->lock);
  timeout = self->timeout;
  g_mutex_unlock (&self->lock);
  self->session = soup_session_new_with_options ("user-agent",
      "gst-meshrtc/" VERSION " ", "timeout", timeout, NULL);
}

/* Worker, once it stopped iterating: cancel what is under way (libsoup and
 * GResolver are driven from this thread only) and let the cancelled
 * fetches and lookups complete (their callbacks free them and drop their
 * refs); bounded in case one never does. */
static void
worker_stopping (gpointer user_data)
{
  GstRtcIceServers *self = user_data;
  gint64 deadline;

  g_cancellable_cancel (self->cancellable);
  soup_session_abort (self->session);
  deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  while (g_atomic_int_get (&self->operations) > 0
      && g_get_monotonic_time () < deadline) {
    if (!g_main_context_iteration (self->context, FALSE))
      g_usleep (10 * 1000);
  }
  while (g_main_context_pending (self->context))
    g_main_context_iteration (self->context, FALSE);
  if (g_atomic_int_get (&self->operations) > 0)
    GST_WARNING_OBJECT (self, "%d operations did not finish",
        g_atomic_int_get (&self->operations));
  g_clear_object (&self->session);
}

static void
start_worker (GstRtcIceServers * self)
{
  self->context = g_main_context_new ();
  self->cancellable = g_cancellable_new ();
  self->thread = rtc_context_thread_new ("rtciceservers", self->context,
      worker_started, worker_stopping, self);
}

static void
stop_worker (GstRtcIceServers * self)
{
  GMainContext *context;
  GCancellable *cancellable;

  if (!self->thread)
    return;

  g_mutex_lock (&self->lock);
  cancel_source_locked (&self->refresh_source);
  cancel_source_locked (&self->renew_source);
  g_mutex_unlock (&self->lock);

  /* cannot be lost, however early (rtccontextthread.h) */
  g_clear_pointer (&self->thread, rtc_context_thread_stop);

  /* sources still attached drop their refs when the context goes */
  g_mutex_lock (&self->lock);
  context = self->context;
  cancellable = self->cancellable;
  self->context = NULL;
  self->cancellable = NULL;
  g_mutex_unlock (&self->lock);

  g_main_context_unref (context);
  g_object_unref (cancellable);
}

/* ------------------------------------------------------------------------ */
/* Reconfiguration while running (properties are mutable in PLAYING)       */

static void
on_reconfigure_resolved (GstRtcIceServers * self, gpointer data)
{
  RtcIceConfig *parsed = data, *old;
  GError *err = NULL;
  gboolean ok = FALSE;

  g_mutex_lock (&self->lock);
  if (self->running) {
    old = self->static_config;
    self->static_config = parsed;
    ok = rebuild_locked (self, &err);
    if (ok) {
      rtc_ice_config_free (old);
    } else {
      self->static_config = old;
      rtc_ice_config_free (parsed);
    }
  } else {
    rtc_ice_config_free (parsed);
    err = NULL;
    ok = TRUE;
  }
  g_mutex_unlock (&self->lock);

  if (!ok) {
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        (_("Invalid ICE server configuration.")),
        ("new settings ignored, keeping the last good ones: %s",
            err->message));
    g_error_free (err);
  } else {
    publish (self);
  }
}

static gboolean
reconfigure_cb (gpointer user_data)
{
  GstRtcIceServers *self = user_data;
  RtcIceConfig *parsed = NULL;
  GError *err = NULL;
  GStrv hosts;

  g_mutex_lock (&self->lock);
  if (!self->running) {
    g_mutex_unlock (&self->lock);
    return G_SOURCE_REMOVE;
  }
  if (self->ice_servers)
    parsed = rtc_ice_config_parse (self->ice_servers, -1, &err);
  else
    parsed = rtc_ice_config_new ();
  g_mutex_unlock (&self->lock);

  if (!parsed) {
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        (_("Invalid ICE server configuration.")),
        ("new settings ignored, keeping the last good ones: %s",
            err->message));
    g_error_free (err);
    return G_SOURCE_REMOVE;
  }

  hosts = rtc_ice_config_get_unresolved_hosts (parsed);
  resolve_hosts (self, hosts, on_reconfigure_resolved, parsed);
  g_strfreev (hosts);
  return G_SOURCE_REMOVE;
}

static gboolean
refetch_cb (gpointer user_data)
{
  GstRtcIceServers *self = user_data;
  gboolean running;

  g_mutex_lock (&self->lock);
  running = self->running;
  if (running)
    cancel_source_locked (&self->refresh_source);
  g_mutex_unlock (&self->lock);

  if (running)
    fetch_start (self, FALSE);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------------ */
/* State changes                                                            */

static gboolean
start (GstRtcIceServers * self)
{
  RtcIceConfig *parsed = NULL;
  GError *err = NULL;
  gchar *ice_servers, *location, *where;
  guint timeout;
  gint64 deadline;
  gboolean timed_out = FALSE;

  g_mutex_lock (&self->lock);
  ice_servers = g_strdup (self->ice_servers);
  location = g_strdup (self->location);
  timeout = self->timeout;
  g_mutex_unlock (&self->lock);
  where = redact_location (location);

  if (!ice_servers && !location) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        (_("No ICE servers configured.")),
        ("set the ice-servers or the location property"));
    goto fail;
  }

  if (ice_servers) {
    parsed = rtc_ice_config_parse (ice_servers, -1, &err);
    if (!parsed) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          (_("Invalid ICE server configuration.")), ("ice-servers: %s",
              err->message));
      goto fail;
    }
  }

  g_mutex_lock (&self->lock);
  self->static_config = parsed;
  self->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  self->run++;
  self->failures = 0;
  self->initial_done = FALSE;
  g_clear_error (&self->initial_error);
  g_mutex_unlock (&self->lock);

  /* the types the worker uses exist before it races to make them */
  meshrtc_ensure_types ();
  start_worker (self);

  {
    /* a bounded synchronous fetch and host lookup: webrtcbins must not
     * start gathering without servers, and this is not a streaming thread */
    run_in_worker (self, initial_cb);
    deadline = g_get_monotonic_time () + (2 * timeout + 5) *
        G_TIME_SPAN_SECOND;
    g_mutex_lock (&self->lock);
    while (!self->initial_done && !timed_out)
      timed_out = !g_cond_wait_until (&self->cond, &self->lock, deadline);
    if (self->initial_error)
      err = g_error_copy (self->initial_error);
    else if (!self->initial_done)
      err = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "timed out");
    g_mutex_unlock (&self->lock);

    if (err) {
      if (err->domain == RTC_ICE_CONFIG_ERROR)
        GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
            (_("Invalid ICE server configuration.")), ("%s: %s", where,
                err->message));
      else if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          || g_error_matches (err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
            (_("Could not get the ICE server configuration.")),
            ("%s: no answer within %u s (timeout property)", where, timeout));
      else
        GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
            (_("Could not get the ICE server configuration.")), ("%s: %s",
                where, err->message));
      goto fail_stop;
    }
  }

  g_mutex_lock (&self->lock);
  self->running = TRUE;
  if (!rebuild_locked (self, &err)) {
    self->running = FALSE;
    g_mutex_unlock (&self->lock);
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        (_("A TURN server has no username or credential, and no TURN secret "
                "is set.")), ("%s", err->message));
    goto fail_stop;
  }
  GST_INFO_OBJECT (self, "%u ICE server entries, policy %s",
      self->current->servers->len,
      rtc_ice_transport_policy_to_string (self->policy));
  g_mutex_unlock (&self->lock);

  watch_pipeline (self);
  publish (self);

  g_free (ice_servers);
  g_free (location);
  g_free (where);
  return TRUE;

fail_stop:
  stop_worker (self);
fail:
  g_clear_error (&err);
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->static_config, rtc_ice_config_free);
  g_clear_pointer (&self->fetched_config, rtc_ice_config_free);
  g_clear_pointer (&self->addresses, g_hash_table_unref);
  g_clear_error (&self->initial_error);
  g_mutex_unlock (&self->lock);
  g_free (ice_servers);
  g_free (location);
  g_free (where);
  return FALSE;
}

static void
stop (GstRtcIceServers * self)
{
  g_mutex_lock (&self->lock);
  self->running = FALSE;
  g_mutex_unlock (&self->lock);

  unwatch_pipeline (self);
  stop_worker (self);

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->static_config, rtc_ice_config_free);
  g_clear_pointer (&self->fetched_config, rtc_ice_config_free);
  g_clear_pointer (&self->addresses, g_hash_table_unref);
  g_clear_pointer (&self->current, rtc_ice_config_free);
  g_clear_error (&self->initial_error);
  g_mutex_unlock (&self->lock);
}

static GstStateChangeReturn
gst_rtc_ice_servers_change_state (GstElement * element,
    GstStateChange transition)
{
  GstRtcIceServers *self = GST_RTC_ICE_SERVERS (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      if (!start (self))
        return GST_STATE_CHANGE_FAILURE;
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_NULL:
      stop (self);
      break;
    default:
      break;
  }

  return ret;
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

static void
gst_rtc_ice_servers_class_init (GstRtcIceServersClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_rtc_ice_servers_debug, "rtciceservers", 0,
      "ICE-server configuration for webrtcbin");

  gobject_class->set_property = gst_rtc_ice_servers_set_property;
  gobject_class->get_property = gst_rtc_ice_servers_get_property;
  gobject_class->finalize = gst_rtc_ice_servers_finalize;

  /**
   * GstRtcIceServers:ice-servers:
   *
   * ICE servers as browser RTCIceServer JSON (W3C webrtc-pc §4.2.4): a list
   * `[{"urls": "stun:host:port"}, {"urls": ["turn:host:port?transport=udp"],
   * "username": "...", "credential": "..."}]`, an object
   * `{"iceServers": [...]}`, a single RTCIceServer object, or a TURN REST
   * response. URL schemes stun:, stuns:, turn:, turns: (RFC 7064, RFC 7065),
   * no `//`, no `user@`, query `transport=udp|tcp` on TURN only. TURN
   * entries without credentials need #GstRtcIceServers:turn-secret.
   * Reading it gives the parsed configuration with every credential
   * replaced by `<redacted>` (%NULL when unset or not valid).
   * Changes while running apply to webrtcbins added afterwards.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_ICE_SERVERS,
      g_param_spec_string ("ice-servers", "ICE servers",
          "ICE servers as browser RTCIceServer JSON: a list, "
          "{\"iceServers\": [...]} or one object; reads back with credentials "
          "redacted", DEFAULT_ICE_SERVERS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRtcIceServers:turn-secret:
   *
   * TURN REST API shared secret (draft-uberti-behave-turn-rest-00; coturn
   * `use-auth-secret` + `static-auth-secret`). TURN servers without
   * credentials get username `<expiry>:<turn-user>` and password
   * base64(HMAC-SHA1(secret, username)), valid #GstRtcIceServers:ttl
   * seconds. Write-only; never logged.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_TURN_SECRET,
      g_param_spec_string ("turn-secret", "TURN secret",
          "TURN REST shared secret (coturn static-auth-secret) for TURN "
          "servers without credentials (write-only)", NULL,
          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRtcIceServers:turn-user:
   *
   * The user part of generated TURN REST usernames, after `<expiry>:`. An
   * entry's own "username" takes precedence.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_TURN_USER,
      g_param_spec_string ("turn-user", "TURN user",
          "User part of generated TURN REST usernames (<expiry>:<turn-user>)",
          DEFAULT_TURN_USER,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRtcIceServers:ttl:
   *
   * Lifetime of generated TURN credentials, in seconds. New webrtcbins get
   * fresh credentials once less than 20% of it remains (a timer renews them
   * then, and the shared context is updated).
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_TTL,
      g_param_spec_uint ("ttl", "TTL",
          "Lifetime of generated TURN credentials in seconds; renewed when "
          "less than 20% remains", MIN_TTL, MAX_TTL, DEFAULT_TTL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRtcIceServers:location:
   *
   * https://, http:// or file:// URL of a configuration: any form
   * #GstRtcIceServers:ice-servers takes, or a TURN REST response
   * `{"username", "password", "ttl", "uris"}`. Fetched when going to READY
   * (which fails if no valid configuration arrives within
   * #GstRtcIceServers:timeout), then again at 80% of its "ttl" or every
   * #GstRtcIceServers:refresh-interval seconds; after a failed refresh the
   * last good configuration stays in use and the fetch is retried after 1,
   * 2, 4, ... 60 s. Its servers are added to those of ice-servers. Logs and
   * messages show it without query and userinfo, where API keys live.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Location",
          "https, http or file URL of an ICE configuration (RTCIceServer "
          "JSON or TURN REST response)", DEFAULT_LOCATION,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRtcIceServers:refresh-interval:
   *
   * Seconds between fetches of #GstRtcIceServers:location. 0 means at 80%
   * of the document's "ttl", or never if it has none.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_REFRESH_INTERVAL,
      g_param_spec_uint ("refresh-interval", "Refresh interval",
          "Seconds between fetches of location (0 = at 80% of the "
          "document's ttl, never without one)", 0, G_MAXUINT32,
          DEFAULT_REFRESH_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRtcIceServers:timeout:
   *
   * Seconds one fetch of #GstRtcIceServers:location may take. The
   * NULL->READY state change waits at most this long for the first one.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_TIMEOUT,
      g_param_spec_uint ("timeout", "Timeout",
          "Seconds one fetch of location may take (the first one blocks "
          "NULL->READY at most this long)", 1, MAX_TIMEOUT, DEFAULT_TIMEOUT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstRtcIceServers:ice-transport-policy:
   *
   * ICE transport policy set on every webrtcbin and shared with browsers:
   * "all", or "relay" for TURN relays only.
   *
   * Since: 0.1
   */
  g_object_class_install_property (gobject_class, PROP_ICE_TRANSPORT_POLICY,
      g_param_spec_enum ("ice-transport-policy", "ICE transport policy",
          "ICE transport policy for every webrtcbin (relay: TURN only)",
          RTC_TYPE_ICE_TRANSPORT_POLICY, DEFAULT_ICE_TRANSPORT_POLICY,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_rtc_ice_servers_change_state);
  element_class->query = GST_DEBUG_FUNCPTR (gst_rtc_ice_servers_query);

  gst_element_class_set_static_metadata (element_class,
      "ICE servers for webrtcbin", "Network/WebRTC",
      "Configures STUN/TURN servers (browser RTCIceServer JSON, TURN REST "
      "secret or URL) on every webrtcbin of the pipeline",
      "gst-meshrtc developers");

  gst_type_mark_as_plugin_api (RTC_TYPE_ICE_TRANSPORT_POLICY, 0);
}

static void
gst_rtc_ice_servers_init (GstRtcIceServers * self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->ice_servers = g_strdup (DEFAULT_ICE_SERVERS);
  self->turn_user = g_strdup (DEFAULT_TURN_USER);
  self->ttl = DEFAULT_TTL;
  self->location = g_strdup (DEFAULT_LOCATION);
  self->refresh_interval = DEFAULT_REFRESH_INTERVAL;
  self->timeout = DEFAULT_TIMEOUT;
  self->policy = DEFAULT_ICE_TRANSPORT_POLICY;
}

static void
clear_secret (gchar ** secret)
{
  if (*secret)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static void
gst_rtc_ice_servers_finalize (GObject * object)
{
  GstRtcIceServers *self = GST_RTC_ICE_SERVERS (object);

  clear_secret (&self->ice_servers);
  clear_secret (&self->turn_secret);
  g_free (self->turn_user);
  g_free (self->location);
  rtc_ice_config_free (self->static_config);
  rtc_ice_config_free (self->fetched_config);
  rtc_ice_config_free (self->current);
  g_clear_pointer (&self->addresses, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_rtc_ice_servers_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstRtcIceServers *self = GST_RTC_ICE_SERVERS (object);
  GSourceFunc apply = reconfigure_cb;

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_ICE_SERVERS:
      clear_secret (&self->ice_servers);
      self->ice_servers = g_value_dup_string (value);
      break;
    case PROP_TURN_SECRET:
      clear_secret (&self->turn_secret);
      self->turn_secret = g_value_dup_string (value);
      if (self->turn_secret && !*self->turn_secret)
        clear_secret (&self->turn_secret);
      break;
    case PROP_TURN_USER:
      g_free (self->turn_user);
      self->turn_user = g_value_dup_string (value);
      break;
    case PROP_TTL:
      self->ttl = g_value_get_uint (value);
      break;
    case PROP_LOCATION:
      g_free (self->location);
      self->location = g_value_dup_string (value);
      apply = refetch_cb;
      break;
    case PROP_REFRESH_INTERVAL:
      self->refresh_interval = g_value_get_uint (value);
      apply = refetch_cb;
      break;
    case PROP_TIMEOUT:
      self->timeout = g_value_get_uint (value);
      apply = NULL;
      break;
    case PROP_ICE_TRANSPORT_POLICY:
      self->policy = g_value_get_enum (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      apply = NULL;
      break;
  }
  /* while running, the worker applies it to webrtcbins added from now on */
  if (apply && self->running && self->context)
    run_in_worker (self, apply);
  g_mutex_unlock (&self->lock);
}

static void
gst_rtc_ice_servers_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstRtcIceServers *self = GST_RTC_ICE_SERVERS (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_ICE_SERVERS:{
      RtcIceConfig *config = NULL;

      if (self->ice_servers)
        config = rtc_ice_config_parse (self->ice_servers, -1, NULL);
      if (config) {
        g_value_take_string (value, rtc_ice_config_to_json (config, TRUE));
        rtc_ice_config_free (config);
      } else {
        g_value_set_string (value, NULL);
      }
      break;
    }
    case PROP_TURN_USER:
      g_value_set_string (value, self->turn_user);
      break;
    case PROP_TTL:
      g_value_set_uint (value, self->ttl);
      break;
    case PROP_LOCATION:
      g_value_set_string (value, self->location);
      break;
    case PROP_REFRESH_INTERVAL:
      g_value_set_uint (value, self->refresh_interval);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_ICE_TRANSPORT_POLICY:
      g_value_set_enum (value, self->policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}
