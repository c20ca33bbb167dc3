/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __RTC_ICE_CONFIG_H__
#define __RTC_ICE_CONFIG_H__

#include <gst/gst.h>

#include "gst/rtcpeer/rtcicewebrtc.h"

G_BEGIN_DECLS

/**
 * SECTION:rtciceconfig
 * @title: RtcIceConfig
 * @short_description: the ICE-server model
 *
 * One place for everything about ICE servers: parsing the browser
 * `RTCIceServer` JSON users already have (W3C webrtc-pc §4.2.4), in every
 * shape services hand it out; validating the `stun:`/`stuns:`/`turn:`/`turns:`
 * URLs (RFC 7064, RFC 7065); TURN REST ephemeral credentials
 * (draft-uberti-behave-turn-rest-00 §2.2, coturn `use-auth-secret`) and
 * their expiry maths; conversion to webrtcbin's own URI form (percent-escaped
 * credentials); and the GstContext that hands the resolved configuration to
 * other elements. A pure model: no I/O, no threads. Fetching and host-name
 * lookups are RtcIceSource's (rtcicesource.h); setting the servers on a
 * webrtcbin and the relay check are gst/rtcpeer/rtcicewebrtc.h's.
 */

/**
 * RTC_ICE_CONFIG_CONTEXT_TYPE:
 *
 * The GstContext type that carries the resolved ICE configuration. Its
 * structure has the fields "ice-servers" (an opaque boxed value holding a
 * browser-form RTCIceServer JSON array, WITH the current credentials,
 * because browsers need them; read it with
 * rtc_ice_config_context_get_json(): GStreamer cannot print it, so neither
 * gst-launch-1.0 -v nor GST_CONTEXT debug output shows the credentials) and
 * "ice-transport-policy" (G_TYPE_STRING: "all" or "relay").
 */
#define RTC_ICE_CONFIG_CONTEXT_TYPE "gst.meshrtc.ice-servers"

/**
 * RTC_ICE_CONFIG_DEFAULT_PORT:
 *
 * Port of `stun:`/`turn:` URLs that name none (RFC 7064 §3.1, RFC 7065 §3).
 */
#define RTC_ICE_CONFIG_DEFAULT_PORT 3478
/**
 * RTC_ICE_CONFIG_DEFAULT_TLS_PORT:
 *
 * Port of `stuns:`/`turns:` URLs that name none.
 */
#define RTC_ICE_CONFIG_DEFAULT_TLS_PORT 5349

/**
 * RTC_ICE_CONFIG_MAX_URLS:
 *
 * STUN/TURN URLs one configuration document may hold, over all its
 * servers; rtc_ice_config_parse() refuses more (RTC_ICE_CONFIG_ERROR_INVALID).
 * Each host name costs a DNS lookup and each URL a webrtcbin ICE server:
 * real configurations hold a handful.
 */
#define RTC_ICE_CONFIG_MAX_URLS 64

/**
 * RTC_ICE_CONFIG_MAX_RETRY_DELAY:
 *
 * Upper bound, in seconds, of rtc_ice_config_retry_delay().
 */
#define RTC_ICE_CONFIG_MAX_RETRY_DELAY 60

#define RTC_ICE_CONFIG_ERROR (rtc_ice_config_error_quark ())
GQuark rtc_ice_config_error_quark (void);

/**
 * RtcIceConfigError:
 * @RTC_ICE_CONFIG_ERROR_SYNTAX: the text is not JSON
 * @RTC_ICE_CONFIG_ERROR_INVALID: JSON, but not a valid ICE configuration
 *   (the message names the place, e.g.
 *   `iceServers[1].urls[0]: unknown scheme "http"`)
 * @RTC_ICE_CONFIG_ERROR_NO_CREDENTIALS: a TURN server has no username or
 *   credential and no TURN secret was given
 * @RTC_ICE_CONFIG_ERROR_REFUSED: webrtcbin refused a server
 */
typedef enum
{
  RTC_ICE_CONFIG_ERROR_SYNTAX,
  RTC_ICE_CONFIG_ERROR_INVALID,
  RTC_ICE_CONFIG_ERROR_NO_CREDENTIALS,
  RTC_ICE_CONFIG_ERROR_REFUSED,
} RtcIceConfigError;

/**
 * RtcIceTransportPolicy:
 * @RTC_ICE_TRANSPORT_POLICY_ALL: use every candidate type ("all")
 * @RTC_ICE_TRANSPORT_POLICY_RELAY: use TURN relays only ("relay")
 *
 * `iceTransportPolicy` of W3C webrtc-pc. The values equal webrtcbin's
 * GstWebRTCICETransportPolicy.
 */
typedef enum
{
  RTC_ICE_TRANSPORT_POLICY_ALL = 0,
  RTC_ICE_TRANSPORT_POLICY_RELAY = 1,
} RtcIceTransportPolicy;

#define RTC_TYPE_ICE_TRANSPORT_POLICY (rtc_ice_transport_policy_get_type ())
GType rtc_ice_transport_policy_get_type (void);

/* "all" / "relay" */
const gchar * rtc_ice_transport_policy_to_string (RtcIceTransportPolicy policy);
/* Returns FALSE for anything but "all" and "relay". */
gboolean      rtc_ice_transport_policy_from_string (const gchar * str, RtcIceTransportPolicy * policy);

/**
 * RtcIceScheme:
 *
 * The four ICE URL schemes.
 */
typedef enum
{
  RTC_ICE_SCHEME_STUN,
  RTC_ICE_SCHEME_STUNS,
  RTC_ICE_SCHEME_TURN,
  RTC_ICE_SCHEME_TURNS,
} RtcIceScheme;

/**
 * RtcIceUrlTransport:
 *
 * The `?transport=` of a TURN URL (RFC 7065 §3); ANY when absent.
 */
typedef enum
{
  RTC_ICE_URL_TRANSPORT_ANY,
  RTC_ICE_URL_TRANSPORT_UDP,
  RTC_ICE_URL_TRANSPORT_TCP,
} RtcIceUrlTransport;

/**
 * RtcIceUrl:
 * @url: the URL as written (never holds credentials: `user@` is refused)
 * @scheme: its scheme
 * @host: host name or address (IPv6 without brackets)
 * @port: the explicit port, or the scheme's default
 * @transport: TURN transport
 * @address: (nullable): IP address @host resolved to, used in webrtcbin's
 *   form instead of @host: webrtcbin 1.22 hands the host to libnice, which
 *   takes IP addresses only and silently ignores a STUN or TURN server
 *   given by name. %NULL when @host is an address or is not resolved.
 *
 * One validated ICE URL.
 */
typedef struct
{
  gchar *url;
  RtcIceScheme scheme;
  gchar *host;
  guint port;
  RtcIceUrlTransport transport;
  gchar *address;
} RtcIceUrl;

/* Validates one browser-form URL ("turn:host:3478?transport=tcp"). Error
 * messages say what is wrong, without a location prefix, e.g.
 * 'unknown scheme "http"'. */
RtcIceUrl *   rtc_ice_url_parse (const gchar * url, GError ** error);
RtcIceUrl *   rtc_ice_url_copy (const RtcIceUrl * url);
void          rtc_ice_url_free (RtcIceUrl * url);
gboolean      rtc_ice_url_is_turn (const RtcIceUrl * url);

/* webrtcbin's form: "stun://host:port", or for TURN
 * "turn(s)://user:pass@host:port[?transport=udp|tcp]" with @username and
 * @credential percent-escaped (every reserved character, so ':' '/' '+' '='
 * '@' too). Returns NULL for `stuns:` (webrtcbin has no STUN over TLS). */
gchar *       rtc_ice_url_to_webrtcbin (const RtcIceUrl * url, const gchar * username, const gchar * credential);

/**
 * RtcIceServer:
 * @path: where the entry came from, for messages ("iceServers[1]", "uris")
 * @urls: (element-type RtcIceUrl): its URLs, at least one
 * @username: (nullable): username
 * @credential: (nullable): password
 * @generated: %TRUE when @username/@credential were made from a TURN secret
 *
 * One RTCIceServer entry.
 */
typedef struct
{
  gchar *path;
  GPtrArray *urls;
  gchar *username;
  gchar *credential;
  gboolean generated;
} RtcIceServer;

void          rtc_ice_server_free (RtcIceServer * server);
gboolean      rtc_ice_server_has_turn (const RtcIceServer * server);

/**
 * RtcIceConfig:
 * @servers: (element-type RtcIceServer): the servers, in order
 * @ttl: lifetime in seconds the source announced (TURN REST `ttl`), 0 if none
 * @expiry: UNIX time (s) when the generated credentials expire, 0 if none
 *   were generated
 *
 * A list of ICE servers.
 */
typedef struct
{
  GPtrArray *servers;
  guint ttl;
  gint64 expiry;
} RtcIceConfig;

RtcIceConfig * rtc_ice_config_new (void);
RtcIceConfig * rtc_ice_config_copy (const RtcIceConfig * config);
void           rtc_ice_config_free (RtcIceConfig * config);
#define RTC_TYPE_ICE_CONFIG (rtc_ice_config_get_type ())
GType          rtc_ice_config_get_type (void);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtcIceConfig, rtc_ice_config_free)

/* Parses every shape services hand out: a bare RTCIceServer array,
 * {"iceServers": [...]}, a single RTCIceServer object, and the TURN REST
 * response {"username", "password", "ttl", "uris"}. Validates every URL.
 * TURN entries may lack credentials here (see
 * rtc_ice_config_resolve_credentials()). Errors name the place:
 * 'iceServers[1].urls[0]: unknown scheme "http"'. */
RtcIceConfig * rtc_ice_config_parse (const gchar * json, gssize length, GError ** error);

/* The ICE servers of WHIP/WHEP `Link` headers (RFC 9725 section 4.6;
 * RFC 8288 syntax): every link with rel "ice-server", its URL between
 * angle brackets, its "username" and "credential" parameters (quoted or
 * not). @links is the headers' values joined with commas (what
 * soup_message_headers_get_list() returns); other links are skipped. A
 * link that cannot be used (bad URL, credential-type other than
 * "password", over RTC_ICE_CONFIG_MAX_URLS) is skipped too and described
 * in @ignored (NULL-terminated, may be empty; never holds a credential)
 * when it is not NULL. Never fails: returns an empty configuration for
 * NULL or nothing usable. */
RtcIceConfig * rtc_ice_config_parse_link (const gchar * links, GStrv * ignored);

/* Appends copies of @src's servers to @dest; @dest's ttl becomes the
 * smaller non-zero one. */
void           rtc_ice_config_append (RtcIceConfig * dest, const RtcIceConfig * src);

gboolean       rtc_ice_config_has_turn (const RtcIceConfig * config);

/* Returns a copy in which every TURN server that lacks a username or a
 * credential gets TURN REST credentials: username "<now+ttl>:<user>" (the
 * entry's own username if it has one, else @turn_user) and password
 * base64(HMAC-SHA1(@secret, username)). Servers that have both keep them.
 * Fails with RTC_ICE_CONFIG_ERROR_NO_CREDENTIALS naming the entry when a
 * TURN server lacks them and @secret is NULL. @now is UNIX time in s. */
RtcIceConfig * rtc_ice_config_resolve_credentials (const RtcIceConfig * config,
                                                   const gchar * secret,
                                                   const gchar * turn_user,
                                                   guint ttl, gint64 now,
                                                   GError ** error);

/* Wipes @secret (a password, a shared secret, JSON holding credentials)
 * from memory, then frees it. NULL-safe. */
void           rtc_ice_secret_free (gchar * secret);

/* TURN REST (draft-uberti-behave-turn-rest-00 §2.2). */
gchar *        rtc_ice_turn_rest_username (gint64 expiry, const gchar * user);
gchar *        rtc_ice_turn_rest_password (const gchar * secret, const gchar * username);

/* Expiry maths, all in seconds.
 * renewal_time: when credentials that expire at @expiry and live @ttl must
 *   be replaced for new connections: once less than 20% of @ttl remains.
 * needs_renewal: @config has generated credentials and @now is past their
 *   renewal time.
 * refresh_delay: how long until a fetched configuration is fetched again:
 *   @refresh_interval when non-zero, else 80% of @ttl (at least 1 s), else
 *   0 meaning never.
 * retry_delay: backoff after @failures consecutive failures (>= 1):
 *   1, 2, 4, ... s, at most RTC_ICE_CONFIG_MAX_RETRY_DELAY. */
gint64         rtc_ice_config_renewal_time (gint64 expiry, guint ttl);
gboolean       rtc_ice_config_needs_renewal (const RtcIceConfig * config, guint ttl, gint64 now);
guint          rtc_ice_config_refresh_delay (guint ttl, guint refresh_interval);
guint          rtc_ice_config_retry_delay (guint failures);

/* Browser-form JSON array [{"urls": [...], "username": ..., "credential": ...}].
 * With @redact, every credential reads "<redacted>" (for properties and
 * logs); without, it is what browsers need. */
gchar *        rtc_ice_config_to_json (const RtcIceConfig * config, gboolean redact);

/* webrtcbin's form: the first `stun:` URL as @stun_server (or NULL), every
 * TURN URL as @turn_servers (escaped credentials: secret, never log them),
 * and in @ignored the URLs webrtcbin cannot take, each with the reason
 * (further STUN servers, `stuns:`). */
void           rtc_ice_config_to_webrtcbin (const RtcIceConfig * config,
                                            gchar ** stun_server,
                                            GStrv * turn_servers,
                                            GStrv * ignored);

/* The distinct host names (not IP literals) of @config's URLs that have no
 * address yet; an empty vector when there are none. */
GStrv          rtc_ice_config_get_unresolved_hosts (const RtcIceConfig * config);

/* Sets the address of every URL whose host is a key of @addresses
 * (host name -> IP address string). */
/* The address to use of @addresses (GInetAddress, from GResolver): the
 * first IPv4 one (most TURN deployments and local networks are IPv4), else
 * the first; NULL for none. Free with g_free(). */
gchar *        rtc_ice_address_choose (GList * addresses);
void           rtc_ice_config_set_addresses (RtcIceConfig * config, GHashTable * addresses);

/* A comma-separated list of the TURN URLs, as written, for messages. */
gchar *        rtc_ice_config_describe_turn (const RtcIceConfig * config);

/* Configures @webrtcbin (must be a webrtcbin, before it gathers) with
 * rtc_ice_webrtc_apply() (gst/rtcpeer/rtcicewebrtc.h): "stun-server", one
 * "add-turn-server" per TURN URL and "ice-transport-policy". @ignored as
 * for rtc_ice_config_to_webrtcbin(). Inline, so that only callers that
 * configure webrtcbins link the GStreamer-only side. */
static inline gboolean
rtc_ice_config_apply (const RtcIceConfig * config, GstElement * webrtcbin,
    RtcIceTransportPolicy policy, GStrv * ignored, GError ** error)
{
  gchar *stun = NULL;
  GStrv turn = NULL;
  guint refused = 0;
  gboolean ok;

  rtc_ice_config_to_webrtcbin (config, &stun, &turn, ignored);
  ok = rtc_ice_webrtc_apply (webrtcbin, stun, (const gchar * const *) turn,
      rtc_ice_transport_policy_to_string (policy), &refused);
  if (!ok) {
    gchar *list = rtc_ice_config_describe_turn (config);

    /* the URI holds credentials: name the server by its plain URLs */
    g_set_error (error, RTC_ICE_CONFIG_ERROR, RTC_ICE_CONFIG_ERROR_REFUSED,
        "webrtcbin refused TURN server %u of %s", refused + 1, list);
    g_free (list);
  }
  g_free (stun);
  g_strfreev (turn);

  return ok;
}

/* TRUE if @element is a webrtcbin (GstWebRTCBin or a subclass). */
static inline gboolean
rtc_ice_config_is_webrtcbin (GstElement * element)
{
  return rtc_ice_webrtc_is_webrtcbin (element);
}

/* The RTC_ICE_CONFIG_CONTEXT_TYPE context (not persistent). The servers,
 * credentials included, are held in an opaque boxed field that GStreamer
 * does not print (gst-launch-1.0 -v, GST_CONTEXT debug). */
GstContext *   rtc_ice_config_context_new (const gchar * json, const gchar * policy);
/* The "ice-servers" JSON of such a context, or NULL (wrong type, no field). */
gchar *        rtc_ice_config_context_get_json (GstContext * ctx);
/* Its "ice-transport-policy", or NULL. */
gchar *        rtc_ice_config_context_get_policy (GstContext * ctx);

G_END_DECLS

#endif /* __RTC_ICE_CONFIG_H__ */
