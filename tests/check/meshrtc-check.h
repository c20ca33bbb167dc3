/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Shared helpers for the end-to-end GstCheck tests: the real signalling
 * server program started on loopback, pipelines, bounded waits.
 */
#ifndef __MESHRTC_CHECK_H__
#define __MESHRTC_CHECK_H__

#include <signal.h>
#include <string.h>
#include <gst/check/gstcheck.h>
#include <gio/gio.h>

typedef struct
{
  GSubprocess *proc;
  guint port;
} TestServer;

/* Starts gst-meshrtc-signalling-server on 127.0.0.1 (port 0 = any free
 * port) and waits for its "Listening on ws://127.0.0.1:PORT/" line. */
static inline TestServer *
test_server_start (guint port, const gchar * extra_arg)
{
  const gchar *exe = g_getenv ("MESHRTC_SIGNALLING_SERVER");
  GError *err = NULL;
  GDataInputStream *in;
  gchar *line, *port_str = g_strdup_printf ("%u", port);
  TestServer *srv = g_new0 (TestServer, 1);

  fail_unless (exe != NULL, "MESHRTC_SIGNALLING_SERVER is not set");
  srv->proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &err, exe,
      "--host", "127.0.0.1", "--port", port_str, extra_arg, NULL);
  g_free (port_str);
  fail_unless (srv->proc != NULL, "cannot start %s: %s", exe,
      err ? err->message : "");
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (srv->proc));
  /* bounded: the server prints the line at once or exits */
  while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL))) {
    const gchar *p = strstr (line, "ws://127.0.0.1:");
    if (p) {
      srv->port = atoi (p + strlen ("ws://127.0.0.1:"));
      g_free (line);
      break;
    }
    g_free (line);
  }
  g_object_unref (in);
  fail_unless (srv->port > 0, "signalling server did not start");
  return srv;
}

static inline void
test_server_kill (TestServer * srv)
{
  if (!srv)
    return;
  g_subprocess_force_exit (srv->proc);
  g_subprocess_wait (srv->proc, NULL, NULL);
  g_object_unref (srv->proc);
  g_free (srv);
}

/* A graceful stop, as systemd or a deploy does it: SIGTERM, then waits
 * (bounded by the server's own shutdown) for the process to end. */
static inline void
test_server_terminate (TestServer * srv)
{
  g_subprocess_send_signal (srv->proc, SIGTERM);
  fail_unless (g_subprocess_wait (srv->proc, NULL, NULL));
  g_object_unref (srv->proc);
  g_free (srv);
}

static inline gchar *
test_server_uri (TestServer * srv)
{
  return g_strdup_printf ("ws://127.0.0.1:%u", srv->port);
}

/* A free TCP or UDP port on 127.0.0.1, for a program or element that must
 * be told its port up front (racy only against other programs binding
 * ports meanwhile). */
static inline guint
test_free_port (GSocketType type)
{
  GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, type,
      G_SOCKET_PROTOCOL_DEFAULT, NULL);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0);
  GSocketAddress *bound;
  guint port;

  fail_unless (g_socket_bind (sock, addr, FALSE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  g_object_unref (addr);
  g_object_unref (lo);
  g_object_unref (sock);
  return port;
}

/* A TCP socket listening on 127.0.0.1 that nobody accepts from: the
 * kernel completes connections and keeps what is sent unread, i.e. a
 * server that never answers. Its port in @port; close and unref it. */
static inline GSocket *
test_silent_listener (guint * port)
{
  GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0), *bound;
  GError *err = NULL;

  fail_unless (sock != NULL);
  fail_unless (g_socket_bind (sock, addr, FALSE, &err)
      && g_socket_listen (sock, &err), "listen: %s", err ? err->message : "");
  bound = g_socket_get_local_address (sock, NULL);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  g_object_unref (addr);
  g_object_unref (lo);
  return sock;
}

static inline gboolean
test_have_webrtc (void)
{
  const gchar *needed[] = { "webrtcbin", "nicesrc", "dtlssrtpenc",
    "srtpenc", "x264enc", "vp8enc", "opusenc", "avdec_h264", NULL
  };
  guint i;

  for (i = 0; needed[i]; i++) {
    GstElementFactory *f = gst_element_factory_find (needed[i]);
    if (!f) {
      g_printerr ("SKIP: element %s is missing (install gst-plugins-bad, "
          "gst-plugins-ugly, gst-libav and gstreamer1.0-nice)\n", needed[i]);
      return FALSE;
    }
    gst_object_unref (f);
  }
  return TRUE;
}

typedef struct
{
  GstElement *pipeline;
  gint buffers;                 /* atomic, handoffs on the sink "sink" */
} TestPipeline;

static void
test_pipeline_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad,
    gpointer user_data)
{
  TestPipeline *tp = user_data;

  g_atomic_int_inc (&tp->buffers);
}

/* Parses @desc (printf-style); a fakesink named "sink" is counted. */
static inline TestPipeline *
test_pipeline_new (const gchar * fmt, ...)
{
  TestPipeline *tp = g_new0 (TestPipeline, 1);
  GError *err = NULL;
  GstElement *sink;
  gchar *desc;
  va_list ap;

  va_start (ap, fmt);
  desc = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  tp->pipeline = gst_parse_launch (desc, &err);
  fail_unless (tp->pipeline != NULL, "cannot parse '%s': %s", desc,
      err ? err->message : "");
  g_free (desc);
  sink = gst_bin_get_by_name (GST_BIN (tp->pipeline), "sink");
  if (sink) {
    g_object_set (sink, "signal-handoffs", TRUE, "sync", FALSE, NULL);
    g_signal_connect (sink, "handoff", G_CALLBACK (test_pipeline_handoff),
        tp);
    gst_object_unref (sink);
  }
  return tp;
}

static inline void
test_pipeline_play (TestPipeline * tp)
{
  fail_unless (gst_element_set_state (tp->pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
}

/* Fails on any ERROR message posted so far. */
static inline void
test_pipeline_check_no_error (TestPipeline * tp)
{
  GstBus *bus = gst_element_get_bus (tp->pipeline);
  GstMessage *msg;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR))) {
    GError *err = NULL;
    gchar *dbg = NULL;

    gst_message_parse_error (msg, &err, &dbg);
    fail ("pipeline error: %s (%s)", err->message, dbg);
  }
  gst_object_unref (bus);
}

static inline void
test_pipeline_free (TestPipeline * tp)
{
  gst_element_set_state (tp->pipeline, GST_STATE_NULL);
  gst_object_unref (tp->pipeline);
  g_free (tp);
}

/* MESHRTC_TIMEOUT_FACTOR (a whole number, default 1) multiplies the bound
 * of every wait below: the ASan stage of tests/run-suite.sh sets it to 3,
 * where everything runs a few times slower (docs/testing.md). Only the
 * bound grows: a wait still ends as soon as its condition holds. */
static inline guint
test_timeout_factor (void)
{
  const gchar *s = g_getenv ("MESHRTC_TIMEOUT_FACTOR");
  guint64 f = s ? g_ascii_strtoull (s, NULL, 10) : 1;

  return f >= 1 && f <= 100 ? (guint) f : 1;
}

/* The monotonic time @timeout_s (scaled) from now. */
static inline gint64
test_deadline (guint timeout_s)
{
  return g_get_monotonic_time () + (gint64) timeout_s * test_timeout_factor ()
      * G_USEC_PER_SEC;
}

/* Waits until @tp received at least @n buffers, at most @timeout_s (times
 * MESHRTC_TIMEOUT_FACTOR). */
static inline gboolean
test_wait_buffers (TestPipeline * tp, gint n, guint timeout_s)
{
  gint64 end = test_deadline (timeout_s);

  while (g_atomic_int_get (&tp->buffers) < n) {
    if (g_get_monotonic_time () > end)
      return FALSE;
    g_usleep (20 * 1000);
  }
  return TRUE;
}

/* Waits for an element message named @name from anywhere in @tp's
 * pipeline, at most @timeout_s (times MESHRTC_TIMEOUT_FACTOR); other
 * messages are dropped. */
static inline GstStructure *
test_wait_element_message (TestPipeline * tp, const gchar * name,
    guint timeout_s)
{
  GstBus *bus = gst_element_get_bus (tp->pipeline);
  gint64 end = test_deadline (timeout_s);
  GstStructure *ret = NULL;

  while (!ret && g_get_monotonic_time () < end) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 100 * GST_MSECOND,
        GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR);
    if (!msg)
      continue;
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      GError *err = NULL;
      gst_message_parse_error (msg, &err, NULL);
      fail ("pipeline error while waiting for %s: %s", name, err->message);
    }
    if (gst_message_has_name (msg, name))
      ret = gst_structure_copy (gst_message_get_structure (msg));
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
  return ret;
}

/* Waits for a WARNING message whose text has @text, from anywhere in
 * @tp's pipeline, at most @timeout_s (times MESHRTC_TIMEOUT_FACTOR);
 * other warnings are dropped. */
static inline gboolean
test_wait_element_warning (TestPipeline * tp, const gchar * text,
    guint timeout_s)
{
  GstBus *bus = gst_element_get_bus (tp->pipeline);
  gint64 end = test_deadline (timeout_s);
  gboolean found = FALSE;

  while (!found && g_get_monotonic_time () < end) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 100 * GST_MSECOND,
        GST_MESSAGE_WARNING);
    GError *err = NULL;

    if (!msg)
      continue;
    gst_message_parse_warning (msg, &err, NULL);
    found = strstr (err->message, text) != NULL;
    g_clear_error (&err);
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
  return found;
}

#endif
