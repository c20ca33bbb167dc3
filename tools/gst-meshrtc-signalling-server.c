/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * gst-meshrtc-signalling-server: a thin main() around RtcSignallingServer,
 * a drop-in for gst-plugins-rs' gst-webrtc-signalling-server with rooms,
 * auth tokens and the viewer page (docs/protocol.md).
 *
 * Every limit of docs/protocol.md ("Limits") is an option; the defaults
 * are the server's.
 *
 * It prints exactly one line on stdout once it listens,
 * "Listening on ws://HOST:PORT/" (wss:// with --cert), with the real port
 * when --port is 0, and exits with status 1 when it cannot listen.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib-unix.h>
#include <gst/gst.h>

#include "rtcsignallingserver.h"

/* how long a stop waits for clients to answer the close frame */
#define CLOSE_GRACE_MS 2000

typedef struct
{
  RtcSignallingServer *server;
  GMainLoop *loop;
  gint64 stop_deadline;
} App;

static gboolean
wait_for_closes (gpointer data)
{
  App *app = data;

  if (rtc_signalling_server_get_n_connections (app->server) > 0
      && g_get_monotonic_time () < app->stop_deadline)
    return G_SOURCE_CONTINUE;
  g_main_loop_quit (app->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_signal (gpointer data)
{
  App *app = data;

  if (app->stop_deadline)
    return G_SOURCE_CONTINUE;
  rtc_signalling_server_stop (app->server);
  app->stop_deadline = g_get_monotonic_time () + CLOSE_GRACE_MS * 1000;
  g_timeout_add (20, wait_for_closes, app);
  return G_SOURCE_CONTINUE;
}

/* A limit given on the command line: -1 until it is */
typedef struct
{
  const gchar *property;
  gint64 value;
} Limit;

enum
{
  LIMIT_MAX_CONNECTIONS,
  LIMIT_MAX_CONNECTIONS_PER_ADDRESS,
  LIMIT_MAX_SESSIONS_PER_PEER,
  LIMIT_MAX_META_SIZE,
  LIMIT_MESSAGE_RATE,
  LIMIT_MESSAGE_BURST,
  LIMIT_MAX_SEND_BACKLOG,
  LIMIT_HANDSHAKE_TIMEOUT,
  LIMIT_IDLE_TIMEOUT,
  LIMIT_RECONNECT_GRACE,
  N_LIMITS
};

/* Sets the limits that were given; FALSE (and a message) if one is out of
 * range. */
static gboolean
apply_limits (RtcSignallingServer * server, Limit * limits)
{
  guint i;

  for (i = 0; i < N_LIMITS; i++) {
    if (limits[i].value == -1)
      continue;
    if (limits[i].value < 0 || limits[i].value > G_MAXUINT) {
      /* the number is formatted first: a G_GINT64_FORMAT inside the
       * translatable text would hide it from xgettext */
      gchar *value = g_strdup_printf ("%" G_GINT64_FORMAT, limits[i].value);

      g_printerr (_("Invalid --%s: %s\n"), limits[i].property, value);
      g_free (value);
      return FALSE;
    }
    g_object_set (server, limits[i].property, (guint) limits[i].value, NULL);
  }
  return TRUE;
}

/* "a,b" "c" -> a b c, blanks around commas dropped */
static gchar **
split_origins (gchar ** given)
{
  GPtrArray *origins = g_ptr_array_new ();
  gchar **g, **parts, **p;

  for (g = given; g && *g; g++) {
    parts = g_strsplit (*g, ",", -1);
    for (p = parts; *p; p++) {
      g_strstrip (*p);
      if (**p)
        g_ptr_array_add (origins, g_strdup (*p));
    }
    g_strfreev (parts);
  }
  g_ptr_array_add (origins, NULL);
  return (gchar **) g_ptr_array_free (origins, FALSE);
}

static GTlsCertificate *
load_certificate (const gchar * cert, const gchar * key, GError ** error)
{
  /* without --key, the key is expected in the --cert file */
  if (key)
    return g_tls_certificate_new_from_files (cert, key, error);
  return g_tls_certificate_new_from_file (cert, error);
}

int
main (int argc, char *argv[])
{
  gchar *host = NULL;
  gint port = 8443;
  gchar *cert = NULL;
  gchar *key = NULL;
  gchar *auth_token = NULL;
  gchar *ice_servers = NULL;
  gint max_message_size = 1024 * 1024;
  gint ping_interval = 30;
  gboolean no_viewer = FALSE;
  gchar **allowed_origins = NULL;
  Limit limits[N_LIMITS] = {
    [LIMIT_MAX_CONNECTIONS] = {"max-connections", -1},
    [LIMIT_MAX_CONNECTIONS_PER_ADDRESS] = {"max-connections-per-address", -1},
    [LIMIT_MAX_SESSIONS_PER_PEER] = {"max-sessions-per-peer", -1},
    [LIMIT_MAX_META_SIZE] = {"max-meta-size", -1},
    [LIMIT_MESSAGE_RATE] = {"message-rate", -1},
    [LIMIT_MESSAGE_BURST] = {"message-burst", -1},
    [LIMIT_MAX_SEND_BACKLOG] = {"max-send-backlog", -1},
    [LIMIT_HANDSHAKE_TIMEOUT] = {"handshake-timeout", -1},
    [LIMIT_IDLE_TIMEOUT] = {"idle-timeout", -1},
    [LIMIT_RECONNECT_GRACE] = {"reconnect-grace", -1},
  };
  GOptionEntry entries[] = {
    {"host", 0, 0, G_OPTION_ARG_STRING, &host,
        N_("Address to listen on (default 127.0.0.1)"), N_("HOST")},
    {"port", 'p', 0, G_OPTION_ARG_INT, &port,
          N_("Port to listen on, 0 for any free one (default 8443)"),
        N_("PORT")},
    {"cert", 'c', 0, G_OPTION_ARG_FILENAME, &cert,
        N_("PEM certificate: serve wss:// and https://"), N_("FILE")},
    {"key", 'k', 0, G_OPTION_ARG_FILENAME, &key,
        N_("PEM private key (default: in the --cert file)"), N_("FILE")},
    {"auth-token", 0, 0, G_OPTION_ARG_STRING, &auth_token,
          N_("Token clients must present as \"Authorization: Bearer\" or "
              "?token= (default: $GST_MESHRTC_AUTH_TOKEN, else none)"),
        N_("TOKEN")},
    {"max-message-size", 0, 0, G_OPTION_ARG_INT, &max_message_size,
          N_("Largest accepted message in bytes (default 1048576)"),
        N_("BYTES")},
    {"ping-interval", 0, 0, G_OPTION_ARG_INT, &ping_interval,
          N_("Seconds between keep-alive pings, 0 for none (default 30)"),
        N_("SECONDS")},
    {"ice-servers", 0, 0, G_OPTION_ARG_STRING, &ice_servers,
        N_("RTCIceServer JSON handed to every client"), N_("JSON")},
    {"no-viewer", 0, 0, G_OPTION_ARG_NONE, &no_viewer,
        N_("Do not serve the viewer page on plain HTTP GET /"), NULL},
    {"allowed-origins", 0, 0, G_OPTION_ARG_STRING_ARRAY, &allowed_origins,
          N_("Origins whose web pages may connect, comma-separated or "
              "repeated, * for any (default: a page of this server only)"),
        N_("ORIGINS")},
    {"max-connections", 0, 0, G_OPTION_ARG_INT64,
          &limits[LIMIT_MAX_CONNECTIONS].value,
        N_("Open TCP connections in total, 0 for the file descriptor "
              "limit only (default 1000)"), N_("N")},
    {"max-connections-per-address", 0, 0, G_OPTION_ARG_INT64,
          &limits[LIMIT_MAX_CONNECTIONS_PER_ADDRESS].value,
        N_("Open TCP connections from one IP address, 0 for no limit "
              "(default 50)"), N_("N")},
    {"max-sessions-per-peer", 0, 0, G_OPTION_ARG_INT64,
          &limits[LIMIT_MAX_SESSIONS_PER_PEER].value,
          N_("Sessions one peer may be in, 0 for no limit (default 64)"),
        N_("N")},
    {"max-meta-size", 0, 0, G_OPTION_ARG_INT64,
          &limits[LIMIT_MAX_META_SIZE].value,
          N_("Bytes of a peer's meta, 0 for no limit (default 4096)"),
        N_("BYTES")},
    {"message-rate", 0, 0, G_OPTION_ARG_INT64,
          &limits[LIMIT_MESSAGE_RATE].value,
          N_("Messages per second a connection may send, times one plus "
              "the sessions its peer is in, 0 for no limit (default 50)"),
        N_("N")},
    {"message-burst", 0, 0, G_OPTION_ARG_INT64,
          &limits[LIMIT_MESSAGE_BURST].value,
          N_("Messages a connection may send at once (default 200)"),
        N_("N")},
    {"max-send-backlog", 0, 0, G_OPTION_ARG_INT64,
          &limits[LIMIT_MAX_SEND_BACKLOG].value,
        N_("Bytes queued for a peer that reads too slowly, 0 for no "
              "limit (default 4194304)"), N_("BYTES")},
    {"handshake-timeout", 0, 0, G_OPTION_ARG_INT64,
          &limits[LIMIT_HANDSHAKE_TIMEOUT].value,
        N_("Seconds a client has to send its request headers, 0 for no "
              "limit (default 10)"), N_("SECONDS")},
    {"idle-timeout", 0, 0, G_OPTION_ARG_INT64,
          &limits[LIMIT_IDLE_TIMEOUT].value,
        N_("Seconds a connection may stay silent, 0 for no limit "
              "(default 75)"), N_("SECONDS")},
    {"reconnect-grace", 0, 0, G_OPTION_ARG_INT64,
          &limits[LIMIT_RECONNECT_GRACE].value,
        N_("Milliseconds a dropped peer keeps its sessions for a resume "
              "(default 10000)"), N_("MS")},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) certificate = NULL;
  App app = { NULL, };
  guint sigint_id, sigterm_id;

#ifdef ENABLE_NLS
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
#endif

  ctx = g_option_context_new (NULL);
  g_option_context_set_summary (ctx,
      _("WebRTC signalling server speaking gst-plugins-rs' protocol, "
          "with rooms."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  if (port < 0 || port > 65535 || max_message_size <= 0 || ping_interval < 0) {
    g_printerr ("%s\n", _("Invalid --port, --max-message-size or "
            "--ping-interval."));
    return 1;
  }
  if (key && !cert) {
    g_printerr ("%s\n", _("--key needs --cert."));
    return 1;
  }
  if (!auth_token && g_getenv ("GST_MESHRTC_AUTH_TOKEN"))
    auth_token = g_strdup (g_getenv ("GST_MESHRTC_AUTH_TOKEN"));

  if (cert && !(certificate = load_certificate (cert, key, &error))) {
    g_printerr (_("Could not load the TLS certificate: %s\n"), error->message);
    return 1;
  }

  app.server = rtc_signalling_server_new (host ? host : "127.0.0.1", port);
  g_object_set (app.server, "auth-token", auth_token,
      "max-message-size", (guint) max_message_size,
      "ping-interval", (guint) ping_interval,
      "tls-certificate", certificate, "serve-viewer", !no_viewer, NULL);
  if (allowed_origins) {
    g_auto (GStrv) origins = split_origins (allowed_origins);

    g_object_set (app.server, "allowed-origins", origins, NULL);
  }
  if (!apply_limits (app.server, limits)) {
    g_object_unref (app.server);
    return 1;
  }
  if (ice_servers
      && !rtc_signalling_server_set_ice_servers (app.server, ice_servers,
          &error)) {
    g_printerr (_("Invalid --ice-servers: %s\n"), error->message);
    g_object_unref (app.server);
    return 1;
  }

  if (!rtc_signalling_server_start (app.server, &error)) {
    g_printerr (_("Could not listen on %s:%d: %s\n"),
        host ? host : "127.0.0.1", port, error->message);
    g_object_unref (app.server);
    return 1;
  }

  {
    const gchar *h = host ? host : "127.0.0.1";
    /* an IPv6 literal needs brackets in a URI (RFC 3986 §3.2.2) */
    gboolean v6 = strchr (h, ':') != NULL;

    printf ("Listening on %s://%s%s%s:%u/\n", certificate ? "wss" : "ws",
        v6 ? "[" : "", h, v6 ? "]" : "",
        rtc_signalling_server_get_port (app.server));
    fflush (stdout);
  }

  app.loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, on_signal, &app);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &app);
  g_main_loop_run (app.loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_main_loop_unref (app.loop);
  g_object_unref (app.server);
  g_free (host);
  g_free (cert);
  g_free (key);
  g_free (auth_token);
  g_free (ice_servers);
  g_strfreev (allowed_origins);
  return 0;
}
