/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Inside RtcSignallingServer, shared by its three files:
 * rtcsignallingserver.c (the object, start and stop),
 * rtcsignallingserver-websocket.c (WebSocket peers: rate, backlog, close)
 * and rtcsignallingserver-http.c (HTTP requests, the viewer page, and the
 * accounting and timeouts of every TCP connection). Not installed.
 */
#ifndef __RTC_SIGNALLING_SERVER_PRIVATE_H__
#define __RTC_SIGNALLING_SERVER_PRIVATE_H__

#include <gst/gst.h>
#include <libsoup/soup.h>

#include "rtcsignallingserver.h"
#include "rtcsignalrouter.h"

G_BEGIN_DECLS

/* The server's debug category, for its other files. A function, not a
 * shared global: this static library is linked into both the plugin and
 * the programs and tests that load it, and a global defined in both is an
 * ODR violation (AddressSanitizer reports it). */
G_GNUC_INTERNAL
GstDebugCategory * rtc_signalling_server_debug_category (void);

#define DEFAULT_HOST "127.0.0.1"
#define DEFAULT_PORT 8443
#define DEFAULT_MAX_MESSAGE_SIZE (1024 * 1024)
#define DEFAULT_PING_INTERVAL 30
#define DEFAULT_SERVE_VIEWER TRUE
#define DEFAULT_MAX_CONNECTIONS 1000
#define DEFAULT_MAX_CONNECTIONS_PER_ADDRESS 50
#define DEFAULT_MAX_SESSIONS_PER_PEER 64
#define DEFAULT_MAX_META_SIZE 4096
#define DEFAULT_MESSAGE_RATE 50
#define DEFAULT_MESSAGE_BURST 200
#define DEFAULT_MAX_SEND_BACKLOG (4 * 1024 * 1024)
#define DEFAULT_HANDSHAKE_TIMEOUT 10
#define DEFAULT_IDLE_TIMEOUT 75
#define DEFAULT_RECONNECT_GRACE 10000

/* plain HTTP requests carry no body we want */
#define MAX_REQUEST_BODY 4096
/* file descriptors kept free for everything else in the process */
#define FD_RESERVE 64
/* what a connection may have read beyond max-message-size between two
 * messages: frame headers, control frames, a TLS record, a read chunk */
#define MESSAGE_SLACK (64 * 1024)
/* how long a refused HTTP request's socket stays half-open for the client
 * to read the answer (a close with unread input would reset it) */
#define REFUSED_LINGER_MS 1000
/* how long stop() drives the closing handshakes it started (ms) */
#define STOP_LINGER_MS 500
/* how long a connection the server closed has to take the close frame
 * before its socket is shut down (a peer that reads nothing) */
#define KICK_LINGER_MS 2000

#define VIEWER_RESOURCE_PATH "/org/meshrtc/viewer/"
/* what the viewer page may load and do (W3C CSP Level 3) */
#define VIEWER_CONTENT_SECURITY_POLICY "default-src 'none'; " \
  "script-src 'self'; style-src 'self'; connect-src 'self'; " \
  "img-src 'self' data:; media-src 'self' blob: mediastream:; " \
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/* What a router peer's data is: the first member of Client and HttpPeer */
typedef enum
{
  RTC_SERVER_PEER_WEBSOCKET = 0,
  RTC_SERVER_PEER_HTTP,
} RtcServerPeerKind;

/* WHIP and WHEP (rtcsignallingserver-whip.c): request bodies (SDP offers,
 * trickle fragments) up to this size; resources at most max-connections */
#define MAX_WHIP_BODY (64 * 1024)
/* how long a POST waits for the element's answer (ms) */
#define WHIP_ANSWER_TIMEOUT_MS 10000
/* how long the answer waits for the element's ICE candidates (ms): a
 * WHEP/WHIP client cannot be sent more after the 201 */
#define WHIP_GATHER_TIMEOUT_MS 1000

/* One WebSocket connection, and the peer it is on the router. */
typedef struct
{
  RtcServerPeerKind kind;
  RtcSignallingServer *server;
  SoupWebsocketConnection *conn;
  gchar *peer_id;
  GSocket *socket;
  /* token bucket of the message rate limit */
  gdouble tokens;
  gint64 refilled_at;
  /* bytes sent since the socket last took more */
  gsize backlog;
  /* the server closed it on purpose: the peer leaves at once */
  gboolean kicked;
  /* a resumed connection of the same peer took over */
  gboolean replaced;
  /* counted in the server's per-address table */
  gchar *address;
  /* bounds fragmented messages on libsoup < 3.6 (see watch_input()) */
  GSource *input_watch;
  guint64 consumed;
  guint64 consumed_at_message;
  /* shuts a kicked connection down if its close does not complete */
  GSource *kick_timer;
} Client;

struct _RtcSignallingServer
{
  GObject parent;

  /* properties, under lock: they may be set from any thread */
  GMutex lock;
  gchar *host;
  guint port;
  gchar *auth_token;
  guint max_message_size;
  guint ping_interval;
  GTlsCertificate *tls_certificate;
  gboolean serve_viewer;
  JsonArray *ice_servers;
  guint max_connections;
  guint max_connections_per_address;
  guint max_sessions_per_peer;
  guint max_meta_size;
  guint message_rate;
  guint message_burst;
  guint max_send_backlog;
  guint handshake_timeout;
  guint idle_timeout;
  guint reconnect_grace;
  gchar **allowed_origins;

  /* from start to stop; touched only in @context */
  GMainContext *context;
  SoupServer *soup;
  RtcSignalRouter *router;
  GHashTable *clients;          /* set of Client* */
  GHashTable *http_peers;       /* resource id -> HttpPeer* (WHIP, WHEP) */
  /* connections told to close by stop(), until their closing handshake
   * ends: set of SoupWebsocketConnection* (a reference each) */
  GHashTable *closing;
  guint bound_port;
  /* every open TCP connection: GSocket* -> its address (weak refs) */
  GHashTable *sockets;
  /* address -> number of its open sockets (GUINT_TO_POINTER) */
  GHashTable *per_address;
  /* the total connection limit in force: max-connections, kept below the
   * file descriptor limit */
  guint rtc_server_connection_cap;
  /* notices listeners libsoup stopped accepting on */
  GSource *watchdog;
  guint64 accepted;
  guint64 accepted_at_check;
  guint stuck_checks;
  SoupServerListenOptions listen_options;
};

/* rtcsignallingserver-websocket.c */
G_GNUC_INTERNAL
void      rtc_server_client_free (Client * client);
G_GNUC_INTERNAL
void      rtc_server_router_send (const gchar * peer_id, gpointer peer_data,
                                  const gchar * text, gpointer user_data);
G_GNUC_INTERNAL
void      rtc_server_on_websocket (SoupServer * soup, SoupServerMessage * msg,
                                   const gchar * path,
                                   SoupWebsocketConnection * conn,
                                   gpointer user_data);

/* rtcsignallingserver-whip.c */
G_GNUC_INTERNAL
gboolean  rtc_server_whip_is_path (const gchar * path);
G_GNUC_INTERNAL
void      rtc_server_whip_request (RtcSignallingServer * self,
                                   SoupServerMessage * msg, const gchar * path,
                                   GHashTable * query);
G_GNUC_INTERNAL
void      rtc_server_whip_send (RtcSignallingServer * self, gpointer peer,
                                const gchar * text);
G_GNUC_INTERNAL
void      rtc_server_whip_stop (RtcSignallingServer * self);

/* rtcsignallingserver-http.c */
G_GNUC_INTERNAL
gboolean  rtc_server_is_authorized (RtcSignallingServer * self,
                                    SoupServerMessage * msg,
                                    GHashTable * query);
G_GNUC_INTERNAL
gboolean  rtc_server_origin_allowed (RtcSignallingServer * self,
                                     SoupServerMessage * msg);
G_GNUC_INTERNAL
void      rtc_server_on_http_request (SoupServer * soup,
                                      SoupServerMessage * msg,
                                      const gchar * path, GHashTable * query,
                                      gpointer user_data);
G_GNUC_INTERNAL
void      rtc_server_on_request_started (SoupServer * soup,
                                         SoupServerMessage * msg,
                                         RtcSignallingServer * self);
G_GNUC_INTERNAL
void      rtc_server_on_request_done (SoupServer * soup,
                                      SoupServerMessage * msg,
                                      RtcSignallingServer * self);
G_GNUC_INTERNAL
gboolean  rtc_server_watchdog_check (gpointer data);
G_GNUC_INTERNAL
guint     rtc_server_connection_cap (guint max_connections);
G_GNUC_INTERNAL
gchar *   rtc_server_adopt_socket (RtcSignallingServer * self,
                                   GSocket * socket);
G_GNUC_INTERNAL
void      rtc_server_uncount_address (RtcSignallingServer * self,
                                      const gchar * address);

G_END_DECLS

#endif /* __RTC_SIGNALLING_SERVER_PRIVATE_H__ */
