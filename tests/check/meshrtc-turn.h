/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A real TURN server for tests: coturn's turnserver on 127.0.0.1, with
 * TURN REST credentials (a shared secret), started and stopped by the test.
 */
#ifndef __MESHRTC_TURN_H__
#define __MESHRTC_TURN_H__

#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>
#include "meshrtc-check.h"

#define TURN_SECRET "gst-meshrtc-test-secret"

static inline gboolean
have_turnserver (const gchar * test)
{
  gchar *path = g_find_program_in_path ("turnserver");

  if (!path) {
    g_printerr ("SKIP %s: turnserver (coturn) is not installed\n", test);
    return FALSE;
  }
  g_free (path);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* coturn                                                                   */

typedef struct
{
  GSubprocess *proc;
  guint port;
  gchar *dir;
  gchar *log_path;
} Turn;

static inline gboolean
tcp_port_open (guint port)
{
  GSocketClient *client = g_socket_client_new ();
  GSocketConnection *conn;

  g_socket_client_set_timeout (client, 1);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL,
      NULL);
  g_object_unref (client);
  if (!conn)
    return FALSE;
  g_object_unref (conn);
  return TRUE;
}

/* A port free on 127.0.0.1 for UDP and TCP both: coturn listens on both
 * (RFC 8656 section 3.1), and a port the kernel handed out for UDP may be a
 * busy TCP port, e.g. the local end of a connection the test made. */
static inline guint
turn_free_port (void)
{
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  guint i, port = 0;

  for (i = 0; i < 20; i++) {
    GSocket *tcp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
        G_SOCKET_PROTOCOL_TCP, NULL);
    GSocketAddress *addr;
    gboolean free;

    port = test_free_port (G_SOCKET_TYPE_DATAGRAM);
    addr = g_inet_socket_address_new (lo, port);
    free = g_socket_bind (tcp, addr, FALSE, NULL);
    g_object_unref (addr);
    g_object_unref (tcp);
    if (free)
      break;
  }
  g_object_unref (lo);
  return port;
}

/* A failed assertion ends the test process without turn_stop(): take
 * coturn with it. */
static inline void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static inline void
turn_start (Turn * t)
{
  GSubprocessLauncher *launcher;
  GError *err = NULL;
  gchar *listen, *min, *max;
  guint i, relay_base = 0;
  gboolean listening;
  gint64 deadline;

  memset (t, 0, sizeof (*t));
  t->port = turn_free_port ();
  /* the relay range (allocated on demand) must not hold the listening port */
  for (i = 0; i < 20; i++) {
    relay_base = MIN (test_free_port (G_SOCKET_TYPE_DATAGRAM), 65000);
    if (t->port < relay_base || t->port > relay_base + 200)
      break;
  }
  t->dir = g_dir_make_tmp ("meshrtc-turn-XXXXXX", &err);
  fail_unless (t->dir != NULL);
  t->log_path = g_build_filename (t->dir, "turnserver.log", NULL);

  listen = g_strdup_printf ("--listening-port=%u", t->port);
  min = g_strdup_printf ("--min-port=%u", relay_base);
  max = g_strdup_printf ("--max-port=%u", relay_base + 200);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_set_stdout_file_path (launcher, t->log_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, t->log_path);
  g_subprocess_launcher_set_cwd (launcher, t->dir);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL,
      NULL);
  t->proc = g_subprocess_launcher_spawn (launcher, &err, "turnserver", "-n",
      "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", listen, min, max,
      "--use-auth-secret", "--static-auth-secret=" TURN_SECRET,
      "--realm=test.local", "--no-tls", "--no-dtls", "--no-cli",
      "--allow-loopback-peers", "--fingerprint", "--log-file=stdout",
      "--simple-log", "--pidfile=turnserver.pid", NULL);
  fail_unless (t->proc != NULL, "could not start turnserver: %s",
      err ? err->message : "?");
  g_object_unref (launcher);
  g_free (listen);
  g_free (min);
  g_free (max);

  deadline = test_deadline (10);
  while (!(listening = tcp_port_open (t->port))
      && g_get_monotonic_time () < deadline
      && g_subprocess_get_identifier (t->proc)) {
    g_usleep (100 * 1000);
    /* notices (and reaps) a turnserver that exited */
    g_main_context_iteration (NULL, FALSE);
  }
  if (!listening) {
    gchar *log = NULL;

    g_file_get_contents (t->log_path, &log, NULL, NULL);
    g_printerr ("turnserver's log:\n%s\n", log ? log : "(none)");
    g_free (log);
  }
  fail_unless (listening, "turnserver did not listen on %u (%s)", t->port,
      g_subprocess_get_identifier (t->proc) ? "still running" : "exited");
  GST_INFO ("turnserver pid %s on port %u",
      g_subprocess_get_identifier (t->proc), t->port);
}

static inline void
turn_stop (Turn * t)
{
  guint i;

  if (!t->proc)
    return;
  /* only the process we started, by its pid */
  g_subprocess_send_signal (t->proc, SIGTERM);
  for (i = 0; i < 50 && g_subprocess_get_identifier (t->proc); i++) {
    g_usleep (100 * 1000);
    /* reaps it once it has exited */
    g_main_context_iteration (NULL, FALSE);
  }
  if (g_subprocess_get_identifier (t->proc))
    g_subprocess_force_exit (t->proc);
  g_subprocess_wait (t->proc, NULL, NULL);
  g_clear_object (&t->proc);
  g_unlink (t->log_path);
  g_remove (t->dir);
  g_free (t->log_path);
  g_free (t->dir);
}

/* TURN REST credentials for TURN_SECRET, valid for @ttl s
 * (draft-uberti-behave-turn-rest-00 section 2.2), computed here,
 * independently of rtciceconfig: free both with g_free(). */
static inline void
turn_rest_credentials (guint ttl, gchar ** username, gchar ** password)
{
  GHmac *hmac;
  guint8 digest[20];
  gsize len = sizeof (digest);

  *username = g_strdup_printf ("%" G_GINT64_FORMAT ":test",
      g_get_real_time () / G_USEC_PER_SEC + ttl);
  hmac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *) TURN_SECRET,
      strlen (TURN_SECRET));
  g_hmac_update (hmac, (const guchar *) * username, -1);
  g_hmac_get_digest (hmac, digest, &len);
  g_hmac_unref (hmac);
  *password = g_base64_encode (digest, len);
}

#endif /* __MESHRTC_TURN_H__ */
