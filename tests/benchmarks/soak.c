/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Soak benchmark (issue 7): many join/leave cycles of browser-like viewers
 * against one rtcmeshfanout, watching the fanout process's memory, file
 * descriptors and threads. Three roles in one program:
 *
 *   soak [options]            the driver (run this)
 *   soak fanout PORT W H FPS  the process under test: `videotestsrc ! rtcmeshfanout
 *                             run-signalling-server=true peer-name=cam`; reads
 *                             PEERS / QUIT lines on stdin, shuts down cleanly
 *                             on QUIT, stdin EOF, SIGINT or SIGTERM (so that
 *                             valgrind or LSan report at a clean exit)
 *   soak viewer URI FRAMES    one viewer, a process like a browser tab:
 *                             `rtcsignalbin producer-name=cam ! video/x-raw !
 *                             fakesink` (registers, starts a session, answers,
 *                             trickles ICE, decodes); prints MEDIA after
 *                             FRAMES decoded frames; on a LEAVE line it goes
 *                             to NULL (endSession, WebSocket close 1000)
 *
 * The driver starts the fanout (optionally under --wrap, e.g. valgrind), one
 * steady in-process viewer that times every frame, then runs --cycles
 * viewer processes with up to --concurrent at once, each leaving either
 * cleanly (LEAVE) or abruptly (SIGKILL: the socket and the ICE agent vanish
 * without a close frame or endSession, like a crashed tab), exactly half
 * each, in random order; --early-percent of them leave at a random moment
 * in their first 1.5 s, whether or not media arrived yet. Every
 * --report-every cycles the driver lets the running viewers finish, waits
 * until the fanout has only the steady viewer left, and samples the
 * fanout's VmRSS, /proc/PID/fd and /proc/PID/task. Bounded: a cycle that
 * takes longer than --cycle-timeout ends the run as a failure.
 *
 * Run inside a loopback-only network namespace with GST_PLUGIN_PATH set;
 * see docs/performance.md, "Soak: 1000 join/leave cycles".
 */
#include "bench-common.h"
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <glib-unix.h>
#include <malloc.h>

#define CAM "cam"

static GMutex out_lock;

static void
say (const gchar * fmt, ...)
{
  va_list ap;

  g_mutex_lock (&out_lock);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  fflush (stdout);
  g_mutex_unlock (&out_lock);
}

/* ======================= role: fanout (under test) ===================== */

static GMainLoop *loop;
static GstElement *pipeline;
static guint n_added, n_connected, n_removed;
static GHashTable *reasons;     /* reason -> count */
static gint exit_code;

static guint
fanout_peers (void)
{
  GstElement *fanout = gst_bin_get_by_name (GST_BIN (pipeline), "fanout");
  GstStructure *s = NULL;
  guint n = G_MAXUINT;

  g_object_get (fanout, "stats", &s, NULL);
  if (s) {
    gst_structure_get_uint (s, "peers", &n);
    gst_structure_free (s);
  }
  gst_object_unref (fanout);
  return n;
}

static gboolean
fanout_bus (GstBus * bus, GstMessage * msg, gpointer data)
{
  const GstStructure *s = gst_message_get_structure (msg);

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:{
      GError *err = NULL;
      gchar *dbg = NULL;

      gst_message_parse_error (msg, &err, &dbg);
      say ("ERROR %s (%s)\n", err->message, dbg ? dbg : "");
      g_clear_error (&err);
      g_free (dbg);
      exit_code = 1;
      g_main_loop_quit (loop);
      break;
    }
    case GST_MESSAGE_ELEMENT:
      if (gst_structure_has_name (s, "meshrtc-signalling-connected")) {
        say ("READY\n");
      } else if (gst_structure_has_name (s, "meshrtc-peer-added")) {
        n_added++;
      } else if (gst_structure_has_name (s, "meshrtc-peer-connected")) {
        n_connected++;
      } else if (gst_structure_has_name (s, "meshrtc-peer-removed")) {
        const gchar *r = gst_structure_get_string (s, "reason");
        gchar *key = g_strndup (r ? r : "(none)", 80);
        guint c = GPOINTER_TO_UINT (g_hash_table_lookup (reasons, key));

        n_removed++;
        g_hash_table_replace (reasons, key, GUINT_TO_POINTER (c + 1));
      }
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
fanout_stdin (GIOChannel * ch, GIOCondition cond, gpointer data)
{
  gchar *line = NULL;
  GIOStatus st = g_io_channel_read_line (ch, &line, NULL, NULL, NULL);

  if (st == G_IO_STATUS_AGAIN)
    return G_SOURCE_CONTINUE;
  if (st != G_IO_STATUS_NORMAL || g_str_has_prefix (line, "QUIT")) {
    g_free (line);
    g_main_loop_quit (loop);
    return G_SOURCE_REMOVE;
  }
  if (g_str_has_prefix (line, "PEERS")) {
    /* heap: bytes malloc has handed out and not got back (live data,
     * whatever the allocator keeps cached); arena: what it holds */
    struct mallinfo2 mi = mallinfo2 ();

    say ("PEERS %u added %u connected %u removed %u heap %zu arena %zu\n",
        fanout_peers (), n_added, n_connected, n_removed,
        mi.uordblks + mi.hblkhd, mi.arena + mi.hblkhd);
  }
  g_free (line);
  return G_SOURCE_CONTINUE;
}

static gboolean
fanout_on_signal (gpointer data)
{
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static int
run_fanout (guint port, guint w, guint h, guint fps)
{
  GError *err = NULL;
  GIOChannel *ch;
  GstBus *bus;
  GHashTableIter it;
  gpointer k, v;
  guint watch;
  gchar *desc = g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,width=%u,height=%u,framerate=%u/1 ! rtcmeshfanout "
      "name=fanout run-signalling-server=true uri=ws://127.0.0.1:%u "
      "ice-local-addresses=127.0.0.1 peer-name=" CAM " max-peers=64",
      w, h, fps, port);

  reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  loop = g_main_loop_new (NULL, FALSE);
  pipeline = gst_parse_launch (desc, &err);
  g_free (desc);
  /* a missing element (GST_PLUGIN_PATH not set) is an error too */
  if (!pipeline || err) {
    say ("ERROR %s\n", err ? err->message : "cannot parse");
    return 1;
  }
  bus = gst_element_get_bus (pipeline);
  watch = gst_bus_add_watch (bus, fanout_bus, NULL);
  gst_object_unref (bus);
  ch = g_io_channel_unix_new (0);
  g_io_add_watch (ch, G_IO_IN | G_IO_HUP | G_IO_ERR, fanout_stdin, NULL);
  g_unix_signal_add (SIGINT, fanout_on_signal, NULL);
  g_unix_signal_add (SIGTERM, fanout_on_signal, NULL);

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    say ("ERROR cannot start the pipeline\n");
    exit_code = 1;
  } else {
    g_main_loop_run (loop);
  }

  /* clean shutdown: everything ours is released before exit */
  say ("STOPPING peers %u added %u connected %u removed %u\n",
      fanout_peers (), n_added, n_connected, n_removed);
  g_hash_table_iter_init (&it, reasons);
  while (g_hash_table_iter_next (&it, &k, &v))
    say ("REASON %u %s\n", GPOINTER_TO_UINT (v), (gchar *) k);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_source_remove (watch);
  gst_object_unref (pipeline);
  g_io_channel_unref (ch);
  g_main_loop_unref (loop);
  g_hash_table_unref (reasons);
  say ("EXITED\n");
  if (g_getenv ("SOAK_DEINIT"))
    gst_deinit ();
  return exit_code;
}

/* ============================ role: viewer ============================= */

static gint viewer_frames, viewer_needed;

static void
viewer_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad,
    gpointer data)
{
  if (g_atomic_int_add (&viewer_frames, 1) + 1 == viewer_needed)
    say ("MEDIA\n");
}

static gboolean
viewer_stdin (GIOChannel * ch, GIOCondition cond, gpointer data)
{
  gchar *line = NULL;
  GIOStatus st = g_io_channel_read_line (ch, &line, NULL, NULL, NULL);

  if (st == G_IO_STATUS_AGAIN)
    return G_SOURCE_CONTINUE;
  /* LEAVE, or the driver went away: leave cleanly */
  g_free (line);
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gboolean
viewer_bus (GstBus * bus, GstMessage * msg, gpointer data)
{
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err = NULL;

    gst_message_parse_error (msg, &err, NULL);
    say ("ERROR %s\n", err->message);
    g_clear_error (&err);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
viewer_watchdog (gpointer data)
{
  say ("ERROR watchdog: no LEAVE within 120 s\n");
  exit_code = 3;
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static int
run_viewer (const gchar * uri, guint frames)
{
  GError *err = NULL;
  GstElement *sink;
  GstBus *bus;
  GIOChannel *ch;
  guint watch;
  gchar *desc = g_strdup_printf ("rtcsignalbin uri=%s "
      "ice-local-addresses=127.0.0.1 producer-name=" CAM " ! video/x-raw ! "
      "fakesink name=sink sync=false async=false", uri);

  viewer_needed = MAX (frames, 1);
  loop = g_main_loop_new (NULL, FALSE);
  pipeline = gst_parse_launch (desc, &err);
  g_free (desc);
  /* a missing element (GST_PLUGIN_PATH not set) is an error too */
  if (!pipeline || err) {
    say ("ERROR %s\n", err ? err->message : "cannot parse");
    return 1;
  }
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (sink, "signal-handoffs", TRUE, NULL);
  g_signal_connect (sink, "handoff", G_CALLBACK (viewer_handoff), NULL);
  gst_object_unref (sink);
  bus = gst_element_get_bus (pipeline);
  watch = gst_bus_add_watch (bus, viewer_bus, NULL);
  gst_object_unref (bus);
  ch = g_io_channel_unix_new (0);
  g_io_add_watch (ch, G_IO_IN | G_IO_HUP | G_IO_ERR, viewer_stdin, NULL);
  g_timeout_add_seconds (120, viewer_watchdog, NULL);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_main_loop_run (loop);
  /* a clean leave: NULL sends endSession and closes the socket (1000);
   * stay a moment, like a page that is still open, so the close
   * handshake completes before the process ends */
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_usleep (300 * 1000);
  say ("LEFT %d\n", g_atomic_int_get (&viewer_frames));
  g_source_remove (watch);
  gst_object_unref (pipeline);
  g_io_channel_unref (ch);
  return exit_code;
}

/* ============================ role: driver ============================= */

static gint opt_cycles = 1000, opt_concurrent = 4, opt_port = 8990;
static gint opt_report = 100, opt_cycle_timeout = 30, opt_frames = 5;
static gint opt_dwell_ms = 2000, opt_early = 10, opt_start_timeout = 120;
static gint opt_drain_timeout = 30, opt_quit_timeout = 120;
static gint opt_width = 320, opt_height = 240, opt_fps = 30;
static gint64 opt_seed = 0;
static gchar *opt_wrap = NULL;
static gboolean opt_verbose = FALSE;

static GOptionEntry entries[] = {
  {"cycles", 'n', 0, G_OPTION_ARG_INT, &opt_cycles, "join/leave cycles", "N"},
  {"concurrent", 'k', 0, G_OPTION_ARG_INT, &opt_concurrent,
      "viewers connected at once (besides the steady one)", "K"},
  {"port", 'p', 0, G_OPTION_ARG_INT, &opt_port, "signalling port", "P"},
  {"report-every", 'r', 0, G_OPTION_ARG_INT, &opt_report,
      "sample the fanout every N cycles", "N"},
  {"cycle-timeout", 0, 0, G_OPTION_ARG_INT, &opt_cycle_timeout,
      "a cycle longer than this (s) fails the run", "S"},
  {"frames", 0, 0, G_OPTION_ARG_INT, &opt_frames,
      "decoded frames a viewer waits for", "N"},
  {"dwell-max", 0, 0, G_OPTION_ARG_INT, &opt_dwell_ms,
      "a viewer stays 0..this ms after its frames", "MS"},
  {"early-percent", 0, 0, G_OPTION_ARG_INT, &opt_early,
      "viewers leaving at a random moment of their first 1.5 s", "P"},
  {"start-timeout", 0, 0, G_OPTION_ARG_INT, &opt_start_timeout,
      "wait for the fanout to register (s)", "S"},
  {"drain-timeout", 0, 0, G_OPTION_ARG_INT, &opt_drain_timeout,
      "wait for the fanout to remove left peers (s)", "S"},
  {"quit-timeout", 0, 0, G_OPTION_ARG_INT, &opt_quit_timeout,
      "wait for the fanout to exit after QUIT (s)", "S"},
  {"width", 0, 0, G_OPTION_ARG_INT, &opt_width, "source width", "W"},
  {"height", 0, 0, G_OPTION_ARG_INT, &opt_height, "source height", "H"},
  {"fps", 0, 0, G_OPTION_ARG_INT, &opt_fps, "source frame rate", "F"},
  {"seed", 0, 0, G_OPTION_ARG_INT64, &opt_seed, "random seed (0: time)", "S"},
  {"verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose,
      "print every cycle's events", NULL},
  {"wrap", 0, 0, G_OPTION_ARG_STRING, &opt_wrap,
      "command line to run the fanout under (e.g. valgrind ...)", "CMD"},
  {NULL}
};

/* A child process with line-oriented, non-blocking stdout. */
typedef struct
{
  GPid pid;
  gint in_fd, out_fd;
  GString *buf;
  gboolean exited;
  gint status;
} Child;

static gboolean
child_spawn (Child * c, gchar ** argv)
{
  GError *err = NULL;

  memset (c, 0, sizeof (*c));
  if (!g_spawn_async_with_pipes (NULL, argv, NULL,
          G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, NULL, NULL,
          &c->pid, &c->in_fd, &c->out_fd, NULL, &err)) {
    g_printerr ("cannot start %s: %s\n", argv[0], err->message);
    g_clear_error (&err);
    return FALSE;
  }
  g_unix_set_fd_nonblocking (c->out_fd, TRUE, NULL);
  c->buf = g_string_new (NULL);
  return TRUE;
}

/* Next complete line from @c's stdout, or NULL. */
static gchar *
child_line (Child * c)
{
  gchar tmp[4096], *nl, *line;
  gssize n;

  while ((n = read (c->out_fd, tmp, sizeof (tmp))) > 0)
    g_string_append_len (c->buf, tmp, n);
  nl = memchr (c->buf->str, '\n', c->buf->len);
  if (!nl)
    return NULL;
  line = g_strndup (c->buf->str, nl - c->buf->str);
  g_string_erase (c->buf, 0, nl - c->buf->str + 1);
  return line;
}

static void
child_send (Child * c, const gchar * line)
{
  if (c->in_fd >= 0 && write (c->in_fd, line, strlen (line)) < 0)
    g_printerr ("write to child %d: %s\n", c->pid, g_strerror (errno));
}

static gboolean
child_reap (Child * c)
{
  if (!c->exited && waitpid (c->pid, &c->status, WNOHANG) == c->pid)
    c->exited = TRUE;
  return c->exited;
}

static void
child_close (Child * c)
{
  if (c->in_fd >= 0)
    close (c->in_fd);
  close (c->out_fd);
  g_spawn_close_pid (c->pid);
  g_string_free (c->buf, TRUE);
  c->in_fd = c->out_fd = -1;
  c->buf = NULL;
}

/* ---- /proc sampling of the fanout ---- */

typedef struct
{
  guint cycle;
  gdouble t_s;
  guint64 rss_kb;
  guint fds, threads, peers, added, connected, removed;
  gdouble gap_ms, load1, cpu_s, drain_s;
  guint64 steady_frames, heap_kb;
} Sample;

static guint64
proc_status_field (GPid pid, const gchar * field)
{
  gchar *path = g_strdup_printf ("/proc/%d/status", pid), *text = NULL;
  const gchar *p;
  guint64 v = 0;

  if (g_file_get_contents (path, &text, NULL, NULL)
      && (p = strstr (text, field)))
    v = g_ascii_strtoull (p + strlen (field), NULL, 10);
  g_free (text);
  g_free (path);
  return v;
}

static guint
proc_count_dir (GPid pid, const gchar * sub)
{
  gchar *path = g_strdup_printf ("/proc/%d/%s", pid, sub);
  DIR *d = opendir (path);
  struct dirent *e;
  guint n = 0;

  g_free (path);
  if (!d)
    return 0;
  while ((e = readdir (d)))
    if (e->d_name[0] != '.')
      n++;
  closedir (d);
  return n;
}

static gdouble
proc_cpu_s (GPid pid)
{
  gchar *path = g_strdup_printf ("/proc/%d/stat", pid), *text = NULL;
  gdouble s = 0;

  if (g_file_get_contents (path, &text, NULL, NULL)) {
    gchar *p = strrchr (text, ')');
    gchar **f = p ? g_strsplit (p + 2, " ", 0) : NULL;

    /* after ")": state is field 3, utime 14, stime 15 */
    if (f && g_strv_length (f) > 13)
      s = (g_ascii_strtod (f[11], NULL) + g_ascii_strtod (f[12], NULL))
          / sysconf (_SC_CLK_TCK);
    g_strfreev (f);
  }
  g_free (text);
  g_free (path);
  return s;
}

static gdouble
load1 (void)
{
  gchar *text = NULL;
  gdouble l = -1;

  if (g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    l = g_ascii_strtod (text, NULL);
  g_free (text);
  return l;
}

/* ---- the steady viewer, in the driver ---- */

static GMutex gap_lock;
static gint64 gap_last_us, gap_window_us, gap_total_us;
static guint64 steady_frames;

static void
steady_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad,
    gpointer data)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&gap_lock);
  if (gap_last_us) {
    gap_window_us = MAX (gap_window_us, now - gap_last_us);
    gap_total_us = MAX (gap_total_us, now - gap_last_us);
  }
  gap_last_us = now;
  steady_frames++;
  g_mutex_unlock (&gap_lock);
}

/* ---- cycles ---- */

typedef enum
{ SLOT_FREE, SLOT_WAIT_START, SLOT_JOINING, SLOT_WATCHING, SLOT_LEAVING }
SlotState;

typedef struct
{
  SlotState state;
  guint cycle;
  gboolean abrupt, early;
  gint64 t_start, t_media, t_leave, t_leave_sent;
  Child child;
} Slot;

static Child fanout;
static gchar *self_exe, *uri;
static gint64 t0_us;
static GArray *samples, *join_ms;
static guint n_clean, n_abrupt, n_early, n_media, n_early_media;
static guint n_bad_exit, n_viewer_errors, n_failed;
static GString *failures;

static gboolean
fanout_wait_line (const gchar * prefix, gint timeout_s, gchar ** out)
{
  gint64 end = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end) {
    gchar *line;

    while ((line = child_line (&fanout))) {
      if (g_str_has_prefix (line, "ERROR"))
        g_printerr ("fanout: %s\n", line);
      if (g_str_has_prefix (line, prefix)) {
        if (out)
          *out = line;
        else
          g_free (line);
        return TRUE;
      }
      g_free (line);
    }
    if (child_reap (&fanout))
      return FALSE;
    g_usleep (10 * 1000);
  }
  return FALSE;
}

static gboolean
fanout_query (Sample * s)
{
  gchar *line = NULL;
  gboolean ok;
  gsize heap = 0, arena = 0;

  child_send (&fanout, "PEERS\n");
  /* under valgrind a reply can take a while */
  ok = fanout_wait_line ("PEERS", 60, &line) &&
      sscanf (line, "PEERS %u added %u connected %u removed %u heap %zu "
      "arena %zu", &s->peers, &s->added, &s->connected, &s->removed, &heap,
      &arena) >= 4;
  s->heap_kb = heap / 1024;
  g_free (line);
  return ok;
}

/* Waits until the fanout has @want peers (bounded), then samples it. */
static Sample
take_sample (guint cycle, guint want)
{
  Sample s = { 0, };
  gint64 t = g_get_monotonic_time ();
  gint64 end = t + opt_drain_timeout * (gint64) G_USEC_PER_SEC;

  s.cycle = cycle;
  while (fanout_query (&s) && s.peers != want
      && g_get_monotonic_time () < end)
    g_usleep (200 * 1000);
  if (s.peers != want)
    g_string_append_printf (failures, "after cycle %u: the fanout still had "
        "%u peers after %d s (expected %u)\n", cycle, s.peers,
        opt_drain_timeout, want);
  s.drain_s = (g_get_monotonic_time () - t) / 1e6;
  /* let the removed peers' threads end */
  g_usleep (1000 * 1000);
  s.t_s = (g_get_monotonic_time () - t0_us) / 1e6;
  fanout_query (&s);
  s.rss_kb = proc_status_field (fanout.pid, "VmRSS:");
  s.fds = proc_count_dir (fanout.pid, "fd");
  s.threads = proc_count_dir (fanout.pid, "task");
  s.cpu_s = proc_cpu_s (fanout.pid);
  s.load1 = load1 ();
  g_mutex_lock (&gap_lock);
  s.gap_ms = gap_window_us / 1000.0;
  s.steady_frames = steady_frames;
  gap_window_us = 0;
  g_mutex_unlock (&gap_lock);
  say ("%6u %7.1f %9" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT " %5u %7u "
      "%5u %6u %6u %6u %8.0f %7" G_GUINT64_FORMAT " %6.2f %7.1f %7.1f\n",
      s.cycle, s.t_s, s.rss_kb, s.heap_kb, s.fds, s.threads, s.peers,
      s.added, s.connected, s.removed, s.gap_ms, s.steady_frames, s.load1,
      s.cpu_s, s.drain_s);
  g_array_append_val (samples, s);
  return s;
}

static void
slot_start (Slot * sl, guint cycle, gboolean abrupt, GRand * rand)
{
  gchar *frames = g_strdup_printf ("%d", opt_frames);
  gchar *argv[] = { self_exe, (gchar *) "viewer", uri, frames, NULL };

  sl->cycle = cycle;
  sl->abrupt = abrupt;
  sl->early = g_rand_int_range (rand, 0, 100) < opt_early;
  sl->t_start = g_get_monotonic_time ();
  sl->t_media = 0;
  sl->t_leave_sent = 0;
  sl->t_leave = sl->early ?
      sl->t_start + g_rand_int_range (rand, 0, 1500) * 1000 : 0;
  if (!child_spawn (&sl->child, argv)) {
    g_string_append_printf (failures, "cycle %u: cannot start a viewer\n",
        cycle);
    n_failed++;
    sl->state = SLOT_FREE;
  } else {
    sl->state = SLOT_JOINING;
  }
  g_free (frames);
}

static void
slot_leave (Slot * sl)
{
  if (sl->abrupt) {
    kill (sl->child.pid, SIGKILL);
    n_abrupt++;
  } else {
    child_send (&sl->child, "LEAVE\n");
    n_clean++;
  }
  if (sl->early)
    n_early++;
  sl->t_leave_sent = g_get_monotonic_time ();
  sl->state = SLOT_LEAVING;
}

/* Advances one slot; returns FALSE when the cycle failed. */
static gboolean
slot_poll (Slot * sl, GRand * rand)
{
  gint64 now = g_get_monotonic_time ();
  gchar *line;

  if (sl->state == SLOT_FREE || sl->state == SLOT_WAIT_START)
    return TRUE;
  while ((line = child_line (&sl->child))) {
    if (g_str_equal (line, "MEDIA") && !sl->t_media) {
      gdouble ms = (now - sl->t_start) / 1000.0;

      sl->t_media = now;
      if (sl->early) {
        n_early_media++;
      } else {
        n_media++;
        g_array_append_val (join_ms, ms);
      }
      if (!sl->t_leave)
        sl->t_leave = now + g_rand_int_range (rand, 0, opt_dwell_ms + 1)
            * (gint64) 1000;
    } else if (g_str_has_prefix (line, "ERROR")) {
      n_viewer_errors++;
      g_printerr ("cycle %u viewer: %s\n", sl->cycle, line);
    }
    g_free (line);
  }
  if (sl->state != SLOT_LEAVING && child_reap (&sl->child)) {
    g_string_append_printf (failures, "cycle %u: the viewer exited by "
        "itself (status 0x%x)\n", sl->cycle, sl->child.status);
    n_failed++;
    child_close (&sl->child);
    sl->state = SLOT_FREE;
    return FALSE;
  }
  if (sl->state == SLOT_JOINING && sl->t_leave && now >= sl->t_leave)
    slot_leave (sl);
  if (sl->state == SLOT_LEAVING && child_reap (&sl->child)) {
    gint st = sl->child.status;

    if (sl->abrupt ? !(WIFSIGNALED (st) && WTERMSIG (st) == SIGKILL)
        : !(WIFEXITED (st) && WEXITSTATUS (st) == 0)) {
      n_bad_exit++;
      g_printerr ("cycle %u: viewer ended with status 0x%x\n", sl->cycle,
          st);
    }
    if (opt_verbose)
      say ("# cycle %u %s%s: media %.0f ms, left at %.0f ms, exited at "
          "%.0f ms\n", sl->cycle, sl->abrupt ? "abrupt" : "clean",
          sl->early ? " early" : "", sl->t_media ? (sl->t_media -
              sl->t_start) / 1000.0 : -1.0, (sl->t_leave_sent -
              sl->t_start) / 1000.0, (now - sl->t_start) / 1000.0);
    child_close (&sl->child);
    sl->state = SLOT_FREE;
    return TRUE;
  }
  if (now - sl->t_start > opt_cycle_timeout * (gint64) G_USEC_PER_SEC) {
    g_string_append_printf (failures, "cycle %u (%s%s): not finished after "
        "%d s (%s)\n", sl->cycle, sl->abrupt ? "abrupt" : "clean",
        sl->early ? ", early" : "", opt_cycle_timeout,
        !sl->t_media ? "no media" : sl->t_leave_sent ?
        "did not exit after leaving" : "?");
    n_failed++;
    kill (sl->child.pid, SIGKILL);
    waitpid (sl->child.pid, NULL, 0);
    child_close (&sl->child);
    sl->state = SLOT_FREE;
    return FALSE;
  }
  return TRUE;
}

static int
run_driver (int argc, char **argv)
{
  GOptionContext *ctx = g_option_context_new ("- rtcmeshfanout soak");
  GError *err = NULL;
  GRand *rand;
  GPtrArray *fargv;
  gchar **wrap = NULL, *port_s, *w_s, *h_s, *fps_s, *desc;
  gboolean *abrupt_of;
  Slot *slots;
  GstElement *steady, *sink;
  guint started = 0, finished = 0, next_report, i;
  gboolean failed = FALSE, fanout_ok;
  gint64 next_start_at = 0, end;
  Sample first, last;
  gdouble *jm;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("%s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);
  opt_concurrent = CLAMP (opt_concurrent, 1, 60);
  if (!opt_seed)
    opt_seed = g_get_real_time () % 1000000;
  rand = g_rand_new_with_seed ((guint32) opt_seed);
  failures = g_string_new (NULL);
  samples = g_array_new (FALSE, TRUE, sizeof (Sample));
  join_ms = g_array_new (FALSE, TRUE, sizeof (gdouble));
  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  uri = g_strdup_printf ("ws://127.0.0.1:%d", opt_port);

  /* exactly half the cycles leave abruptly, in random order */
  abrupt_of = g_new0 (gboolean, opt_cycles + 1);
  for (i = 1; i <= (guint) opt_cycles; i++)
    abrupt_of[i] = i % 2 == 0;
  for (i = opt_cycles; i > 1; i--) {
    guint j = g_rand_int_range (rand, 1, i + 1);
    gboolean t = abrupt_of[i];

    abrupt_of[i] = abrupt_of[j];
    abrupt_of[j] = t;
  }

  /* the fanout process */
  fargv = g_ptr_array_new ();
  if (opt_wrap) {
    if (!g_shell_parse_argv (opt_wrap, NULL, &wrap, &err)) {
      g_printerr ("--wrap: %s\n", err->message);
      return 2;
    }
    for (i = 0; wrap[i]; i++)
      g_ptr_array_add (fargv, wrap[i]);
  }
  port_s = g_strdup_printf ("%d", opt_port);
  w_s = g_strdup_printf ("%d", opt_width);
  h_s = g_strdup_printf ("%d", opt_height);
  fps_s = g_strdup_printf ("%d", opt_fps);
  g_ptr_array_add (fargv, self_exe);
  g_ptr_array_add (fargv, (gchar *) "fanout");
  g_ptr_array_add (fargv, port_s);
  g_ptr_array_add (fargv, w_s);
  g_ptr_array_add (fargv, h_s);
  g_ptr_array_add (fargv, fps_s);
  g_ptr_array_add (fargv, NULL);
  say ("# soak: %d cycles, %d concurrent, seed %" G_GINT64_FORMAT ", "
      "%d%% early leavers, dwell 0-%d ms, %d frames, cycle timeout %d s, "
      "source %dx%d@%d%s%s\n", opt_cycles, opt_concurrent, opt_seed,
      opt_early, opt_dwell_ms, opt_frames, opt_cycle_timeout, opt_width,
      opt_height, opt_fps, opt_wrap ? ", fanout under: " : "",
      opt_wrap ? opt_wrap : "");
  t0_us = g_get_monotonic_time ();
  if (!child_spawn (&fanout, (gchar **) fargv->pdata))
    return 1;
  if (!fanout_wait_line ("READY", opt_start_timeout, NULL)) {
    g_printerr ("the fanout did not register within %d s (is "
        "GST_PLUGIN_PATH set?)\n", opt_start_timeout);
    kill (fanout.pid, SIGKILL);
    return 1;
  }
  say ("# fanout pid %d registered after %.1f s\n", fanout.pid,
      (g_get_monotonic_time () - t0_us) / 1e6);

  /* the steady viewer */
  desc = g_strdup_printf ("rtcsignalbin uri=%s ice-local-addresses=127.0.0.1 "
      "producer-name=" CAM " ! video/x-raw ! fakesink name=sink sync=false "
      "async=false", uri);
  steady = gst_parse_launch (desc, &err);
  g_free (desc);
  if (!steady || err) {
    g_printerr ("steady viewer: %s\n", err ? err->message : "?");
    failed = TRUE;
    kill (fanout.pid, SIGKILL);
    return 1;
  }
  sink = gst_bin_get_by_name (GST_BIN (steady), "sink");
  g_object_set (sink, "signal-handoffs", TRUE, NULL);
  g_signal_connect (sink, "handoff", G_CALLBACK (steady_handoff), NULL);
  gst_object_unref (sink);
  gst_element_set_state (steady, GST_STATE_PLAYING);
  end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end) {
    g_mutex_lock (&gap_lock);
    i = steady_frames;
    g_mutex_unlock (&gap_lock);
    if (i >= 30)
      break;
    g_usleep (20 * 1000);
  }
  if (i < 30) {
    g_printerr ("the steady viewer got %u frames in 60 s\n", i);
    failed = TRUE;
    goto stop;
  }
  say ("# steady viewer receiving after %.1f s\n",
      (g_get_monotonic_time () - t0_us) / 1e6);

  say ("# cycle: cycles done; t: s since start; rss: fanout VmRSS kB; "
      "heap: malloc'd and not freed (mallinfo2, kB; 0 under valgrind); fds: /proc/PID/fd; threads: /proc/PID/task;\n# peers/added/"
      "connected/removed: fanout's counts (peers incl. the steady viewer); "
      "gap: steady viewer's largest inter-frame gap since the previous row; "
      "load: 1-min load average; cpu: fanout CPU s;\n# drain: s from the "
      "last viewer's exit until the fanout had removed its peer\n");
  say ("%6s %7s %9s %8s %5s %7s %5s %6s %6s %6s %8s %7s %6s %7s %7s\n",
      "cycle", "t", "rss_kb", "heap_kb", "fds", "threads", "peers", "added", "conn", "removd",
      "gap_ms", "frames", "load", "cpu_s", "drain_s");
  take_sample (0, 1);

  slots = g_new0 (Slot, opt_concurrent);
  /* the first row after cycle 1 is the baseline (first-use allocations) */
  next_report = 1;
  while (!failed && finished < (guint) opt_cycles) {
    gboolean draining = started >= next_report;
    guint active = 0;
    gint64 now = g_get_monotonic_time ();

    for (i = 0; i < (guint) opt_concurrent; i++) {
      Slot *sl = &slots[i];

      if (sl->state == SLOT_FREE)
        continue;
      if (!slot_poll (sl, rand))
        failed = TRUE;
      if (sl->state == SLOT_FREE)
        finished++;
      else
        active++;
    }
    if (child_reap (&fanout)) {
      g_string_append_printf (failures, "the fanout process ended "
          "(status 0x%x) after %u cycles\n", fanout.status, finished);
      failed = TRUE;
      break;
    }
    if (draining && active == 0) {
      take_sample (finished, 1);
      next_report = next_report == 1 ? (guint) opt_report :
          next_report + opt_report;
      next_report = MIN (next_report, (guint) opt_cycles);
      continue;
    }
    /* start a new viewer in a free slot, after a random pause */
    if (!draining && !failed && started < (guint) opt_cycles &&
        active < (guint) (next_report == 1 ? 1 : opt_concurrent)) {
      if (!next_start_at)
        next_start_at = now + g_rand_int_range (rand, 0, 500) * 1000;
      if (now >= next_start_at) {
        for (i = 0; i < (guint) opt_concurrent; i++)
          if (slots[i].state == SLOT_FREE)
            break;
        started++;
        slot_start (&slots[i], started, abrupt_of[started], rand);
        next_start_at = 0;
      }
    }
    g_main_context_iteration (NULL, FALSE);
    g_usleep (10 * 1000);
  }
  /* after a failure: end the other viewers, then a last sample */
  for (i = 0; i < (guint) opt_concurrent; i++) {
    if (slots[i].state != SLOT_FREE) {
      kill (slots[i].child.pid, SIGKILL);
      waitpid (slots[i].child.pid, NULL, 0);
      child_close (&slots[i].child);
    }
  }
  if (failed && !fanout.exited)
    take_sample (finished, 1);

stop:
  /* the steady viewer leaves too: the fanout goes back to no peer */
  gst_element_set_state (steady, GST_STATE_NULL);
  gst_object_unref (steady);
  if (!fanout.exited) {
    say ("# after the steady viewer left:\n");
    take_sample (finished, 0);
  }

  /* the fanout's clean shutdown (valgrind/LSan report now) */
  fanout_ok = FALSE;
  if (!fanout.exited) {
    gchar *line;

    child_send (&fanout, "QUIT\n");
    end = g_get_monotonic_time () + opt_quit_timeout * (gint64) G_USEC_PER_SEC;
    while (g_get_monotonic_time () < end && !child_reap (&fanout)) {
      while ((line = child_line (&fanout))) {
        say ("# fanout: %s\n", line);
        g_free (line);
      }
      g_usleep (20 * 1000);
    }
    while ((line = child_line (&fanout))) {
      say ("# fanout: %s\n", line);
      g_free (line);
    }
    if (!fanout.exited) {
      g_string_append_printf (failures, "the fanout did not exit within %d "
          "s of QUIT; killed\n", opt_quit_timeout);
      kill (fanout.pid, SIGKILL);
      waitpid (fanout.pid, NULL, 0);
    } else {
      fanout_ok = WIFEXITED (fanout.status) && WEXITSTATUS (fanout.status)
          == 0;
      say ("# fanout exit status 0x%x (%s)\n", fanout.status,
          fanout_ok ? "clean" : "NOT clean");
    }
  }

  /* summary */
  jm = (gdouble *) join_ms->data;
  say ("\n# summary\n");
  say ("cycles finished %u of %d (started %u); clean leaves %u, abrupt "
      "(SIGKILL) %u, of which early %u (%u of those had media)\n", finished,
      opt_cycles, started, n_clean, n_abrupt, n_early, n_early_media);
  say ("viewers with media %u of %u non-early; join (spawn to %d decoded "
      "frames) median %.0f ms, p95 %.0f ms, max %.0f ms\n", n_media,
      n_clean + n_abrupt - n_early, opt_frames,
      bench_median (jm, join_ms->len),
      bench_percentile (jm, join_ms->len, 95),
      bench_percentile (jm, join_ms->len, 100));
  say ("viewer errors %u, unexpected viewer exit statuses %u, failed "
      "cycles %u\n", n_viewer_errors, n_bad_exit, n_failed);
  if (samples->len >= 2) {
    Sample *base = NULL;
    guint k;

    for (k = 0; k < samples->len; k++) {
      Sample *s = &g_array_index (samples, Sample, k);
      if (s->cycle >= 1 && s->peers == 1) {
        base = s;
        break;
      }
    }
    /* the last row with the steady viewer still there */
    last = g_array_index (samples, Sample, samples->len - 1);
    first = base ? *base : g_array_index (samples, Sample, 0);
    for (k = samples->len; k > 0; k--) {
      Sample *s = &g_array_index (samples, Sample, k - 1);
      if (s->peers == 1 && s->cycle == finished) {
        last = *s;
        break;
      }
    }
    say ("baseline (after cycle %u) -> end (after cycle %u), steady viewer "
        "connected: RSS %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT " kB "
        "(%+.1f kB per 100 cycles), heap in use %" G_GUINT64_FORMAT " -> %"
        G_GUINT64_FORMAT " kB, fds %u -> %u, threads %u -> %u\n",
        first.cycle, last.cycle, first.rss_kb, last.rss_kb,
        last.cycle > first.cycle ? ((gdouble) last.rss_kb - first.rss_kb) *
        100.0 / (last.cycle - first.cycle) : 0.0, first.heap_kb,
        last.heap_kb, first.fds, last.fds, first.threads, last.threads);
  }
  g_mutex_lock (&gap_lock);
  say ("steady viewer: %" G_GUINT64_FORMAT " frames, largest inter-frame "
      "gap %.0f ms\n", steady_frames, gap_total_us / 1000.0);
  g_mutex_unlock (&gap_lock);
  say ("load average at the end: %.2f\n", load1 ());
  if (failures->len)
    say ("FAILURES:\n%s", failures->str);
  say ("RESULT %s\n", failed || n_failed || !fanout_ok ? "FAIL" : "OK");
  return failed || n_failed || !fanout_ok;
}

int
main (int argc, char **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "fanout")) {
    gst_init (NULL, NULL);
    if (argc < 6)
      return 2;
    return run_fanout (atoi (argv[2]), atoi (argv[3]), atoi (argv[4]),
        atoi (argv[5]));
  }
  if (argc >= 2 && g_str_equal (argv[1], "viewer")) {
    gst_init (NULL, NULL);
    if (argc < 4)
      return 2;
    return run_viewer (argv[2], atoi (argv[3]));
  }
  /* the driver ignores SIGPIPE: a viewer killed mid-write is normal */
  signal (SIGPIPE, SIG_IGN);
  return run_driver (argc, argv);
}
