/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Lifecycle matrix: every state change and EOS of every element finishes
 * within LIFECYCLE_BOUND_S, in every phase, under a watchdog that prints
 * every thread's stack (crash-report.c, on SIGABRT) when it fires.
 *
 * MESHRTC_LIFECYCLE_CYCLES sets the randomized cycles per element (default
 * 200, as CI runs it; the long mode is 5000). MESHRTC_LIFECYCLE_SEED
 * replays a run (the seed is printed).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>
#include <libsoup/soup.h>

#include "../meshrtc-check.h"

#define LIFECYCLE_BOUND_S 5

/* ---- watchdog ---- */

static GMutex wd_lock;
static GCond wd_cond;
static gint64 wd_deadline;      /* monotonic us, 0 = disarmed */
static const gchar *wd_what;
static GThread *wd_thread;

static gpointer
watchdog_thread (gpointer data)
{
  g_mutex_lock (&wd_lock);
  for (;;) {
    if (wd_deadline == 0) {
      g_cond_wait (&wd_cond, &wd_lock);
      continue;
    }
    if (g_get_monotonic_time () >= wd_deadline) {
      fprintf (stderr, "\n*** WATCHDOG: '%s' did not finish within %d s; "
          "every thread's stack follows ***\n", wd_what, LIFECYCLE_BOUND_S);
      fflush (stderr);
      /* crash-report.c prints every thread's stack on SIGABRT */
      abort ();
    }
    g_cond_wait_until (&wd_cond, &wd_lock, wd_deadline);
  }
  return NULL;
}

static void
watchdog_arm (const gchar * what)
{
  g_mutex_lock (&wd_lock);
  if (!wd_thread)
    wd_thread = g_thread_new ("watchdog", watchdog_thread, NULL);
  wd_what = what;
  wd_deadline = g_get_monotonic_time () + LIFECYCLE_BOUND_S * G_USEC_PER_SEC;
  g_cond_signal (&wd_cond);
  g_mutex_unlock (&wd_lock);
}

static void
watchdog_disarm (void)
{
  g_mutex_lock (&wd_lock);
  wd_deadline = 0;
  g_cond_signal (&wd_cond);
  g_mutex_unlock (&wd_lock);
}

/* Sets @state and waits for it to complete (async changes included). */
static void
set_state_bounded (GstElement * pipeline, GstState state, const gchar * what)
{
  GstStateChangeReturn ret;

  /* bounded: the call itself. Going up, an ASYNC answer is not waited
   * for: a live pipeline's sink completes PLAYING with its first buffer,
   * which is media arrival, not the lifecycle. */
  watchdog_arm (what);
  ret = gst_element_set_state (pipeline, state);
  watchdog_disarm ();
  /* going down must always work; going up may fail (e.g. a sibling's
   * error), which the callers check themselves */
  if (state == GST_STATE_NULL)
    fail_unless (ret == GST_STATE_CHANGE_SUCCESS, "%s: %s", what,
        gst_element_state_change_return_get_name (ret));
}

/* Sends EOS and waits for it on the bus (errors are acceptable ends). */
static void
eos_bounded (GstElement * pipeline, const gchar * what)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;

  watchdog_arm (what);
  gst_element_send_event (pipeline, gst_event_new_eos ());
  msg = gst_bus_timed_pop_filtered (bus, LIFECYCLE_BOUND_S * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  watchdog_disarm ();
  fail_unless (msg != NULL, "%s: no EOS within %d s", what, LIFECYCLE_BOUND_S);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    fail ("%s: error instead of EOS: %s", what, err->message);
  }
  gst_message_unref (msg);
  gst_object_unref (bus);
}

static guint
cycles (void)
{
  const gchar *s = g_getenv ("MESHRTC_LIFECYCLE_CYCLES");

  return s ? (guint) atoi (s) : 200;
}

static GRand *
seeded_rand (const gchar * test)
{
  const gchar *s = g_getenv ("MESHRTC_LIFECYCLE_SEED");
  guint32 seed = s ? (guint32) strtoul (s, NULL, 10) :
      (guint32) g_get_real_time ();

  g_print ("%s: seed %u (MESHRTC_LIFECYCLE_SEED replays it)\n", test, seed);
  return g_rand_new_with_seed (seed);
}

/* Delays skewed short, up to 3 s: most stops land while connecting, in
 * the offer/answer, ICE or DTLS; some while streaming. */
static guint
random_delay_ms (GRand * rand)
{
  gdouble u = g_rand_double (rand);

  return (guint) (3000.0 * u * u * u);
}

/* ---- a first start in a fresh process ---- */

/* What a user's first run does: the fanout with its embedded server goes to
 * PLAYING (streaming thread builds the encoder, signalling thread connects
 * with libsoup) while the application's thread uses libsoup too. */
static int
first_start_child (guint port)
{
  GstElement *pipeline;
  SoupSession *session;
  gchar *desc, *url;
  gint64 end;
  gboolean served = FALSE;

  gst_init (NULL, NULL);
  desc = g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,width=320,height=240 ! rtcmeshfanout "
      "run-signalling-server=true uri=ws://127.0.0.1:%u "
      "ice-local-addresses=127.0.0.1", port);
  pipeline = gst_parse_launch (desc, NULL);
  g_free (desc);
  if (!pipeline)
    return 2;
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  session = soup_session_new ();
  url = g_strdup_printf ("http://127.0.0.1:%u/", port);
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!served && g_get_monotonic_time () < end) {
    SoupMessage *msg = soup_message_new ("GET", url);
    GBytes *body = soup_session_send_and_read (session, msg, NULL, NULL);

    served = body && soup_message_get_status (msg) == SOUP_STATUS_OK;
    if (body)
      g_bytes_unref (body);
    g_object_unref (msg);
    if (!served)
      g_usleep (20 * 1000);
  }
  g_free (url);
  g_object_unref (session);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  return served ? 0 : 3;
}

static void
print_stacks_of (GPid pid)
{
  gchar *p = g_strdup_printf ("%d", (int) pid);
  const gchar *argv[] = { "gdb", "-batch", "-nx", "-p", p, "-ex",
    "thread apply all bt 30", NULL
  };

  g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH |
      G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL, NULL, NULL, NULL);
  g_free (p);
}

#define FIRST_STARTS 12
#define FIRST_START_BOUND_S 40

GST_START_TEST (test_concurrent_first_starts_in_fresh_processes_finish)
{
  GPid pids[FIRST_STARTS];
  gboolean done[FIRST_STARTS] = { FALSE, };
  gint status[FIRST_STARTS];
  gchar *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  gint64 end;
  guint i, n_done = 0, hung = 0;

  if (!test_have_webrtc ())
    return;
  /* each child registers every type for the first time, all at once */
  for (i = 0; i < FIRST_STARTS; i++) {
    gchar *port = g_strdup_printf ("%u", 19300 + i);
    gchar **env = g_environ_setenv (g_get_environ (),
        "MESHRTC_FIRST_START_PORT", port, TRUE);
    const gchar *argv[] = { self_exe, NULL };
    GError *err = NULL;

    env = g_environ_setenv (env, "GST_REGISTRY_UPDATE", "no", TRUE);
    fail_unless (g_spawn_async (NULL, (gchar **) argv, env,
            G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pids[i], &err),
        "spawn: %s", err ? err->message : "");
    g_strfreev (env);
    g_free (port);
  }

  end = g_get_monotonic_time () + FIRST_START_BOUND_S * G_USEC_PER_SEC;
  while (n_done < FIRST_STARTS && g_get_monotonic_time () < end) {
    for (i = 0; i < FIRST_STARTS; i++) {
      if (!done[i] && waitpid (pids[i], &status[i], WNOHANG) == pids[i]) {
        done[i] = TRUE;
        n_done++;
      }
    }
    g_usleep (50 * 1000);
  }
  for (i = 0; i < FIRST_STARTS; i++) {
    if (done[i])
      continue;
    hung++;
    g_printerr ("first start %u (pid %d) hangs after %d s:\n", i,
        (int) pids[i], FIRST_START_BOUND_S);
    print_stacks_of (pids[i]);
    kill (pids[i], SIGKILL);
    waitpid (pids[i], &status[i], 0);
  }
  g_free (self_exe);
  fail_unless_equals_int (hung, 0);
  for (i = 0; i < FIRST_STARTS; i++)
    fail_unless (WIFEXITED (status[i]) && WEXITSTATUS (status[i]) == 0,
        "first start %u ended with status 0x%x", i, status[i]);
}

GST_END_TEST;

/* ---- stops that must not be lost ---- */

GST_START_TEST (test_null_ready_null_at_once_never_hangs)
{
  const gchar *lines[] = {
    "videotestsrc is-live=true ! rtcsignalbin uri=ws://127.0.0.1:9",
    "videotestsrc is-live=true ! rtcmeshfanout uri=ws://127.0.0.1:9",
    "videotestsrc is-live=true ! rtcmeshfanout run-signalling-server=true "
        "uri=ws://127.0.0.1:19399",
    "rtciceservers ice-servers=[{\"urls\":\"stun:127.0.0.1:3478\"}] "
        "videotestsrc is-live=true ! rtcsignalbin uri=ws://127.0.0.1:9",
  };
  guint i, n;

  if (!test_have_webrtc ())
    return;
  for (i = 0; i < G_N_ELEMENTS (lines); i++) {
    for (n = 0; n < 25; n++) {
      TestPipeline *tp = test_pipeline_new ("%s", lines[i]);

      set_state_bounded (tp->pipeline, GST_STATE_READY, lines[i]);
      set_state_bounded (tp->pipeline, GST_STATE_NULL, lines[i]);
      test_pipeline_free (tp);
    }
  }
}

GST_END_TEST;

/* A gst-launch-1.0 line run as a user runs it: it must end by itself within
 * LIFECYCLE_BOUND_S after SIGINT (Ctrl-C, with -e: EOS first) or after an
 * error it reports, and never by a signal: a GLib critical warning on the
 * way aborts it (G_DEBUG=fatal-criticals). */
typedef gboolean (*ReadyFunc) (gpointer data);

/* As check_launch_line_ends(), interrupting only once @ready(@data) is
 * TRUE too (polled, at most 60 s more). */
static void
check_launch_line_ends_when (const gchar * line, guint run_ms,
    gboolean interrupt, ReadyFunc ready, gpointer data)
{
  gchar *cmd = g_strdup_printf ("G_DEBUG=fatal-criticals "
      "exec gst-launch-1.0 -e %s", line);
  const gchar *argv[] = { "/bin/sh", "-c", cmd, NULL };
  GPid pid;
  GError *err = NULL;
  gint status = 0;
  gint64 end;
  gboolean exited = FALSE;

  fail_unless (g_spawn_async (NULL, (gchar **) argv, NULL,
          G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
          &pid, &err), "spawn: %s", err ? err->message : "");
  end = g_get_monotonic_time () + run_ms * 1000;
  while (g_get_monotonic_time () < end && !exited) {
    exited = waitpid (pid, &status, WNOHANG) == pid;
    g_usleep (20 * 1000);
  }
  end = test_deadline (60);
  while (ready && !exited && !ready (data) && g_get_monotonic_time () < end) {
    exited = waitpid (pid, &status, WNOHANG) == pid;
    g_usleep (20 * 1000);
  }
  if (ready && !exited)
    fail_unless (ready (data), "'%s': never ready", line);
  if (!exited && interrupt)
    kill (pid, SIGINT);
  end = g_get_monotonic_time () + LIFECYCLE_BOUND_S * G_USEC_PER_SEC;
  while (!exited && g_get_monotonic_time () < end) {
    exited = waitpid (pid, &status, WNOHANG) == pid;
    if (!exited)
      g_usleep (20 * 1000);
  }
  if (!exited) {
    g_printerr ("'%s' still runs %d s after %s:\n", line, LIFECYCLE_BOUND_S,
        interrupt ? "SIGINT" : "its start");
    print_stacks_of (pid);
    kill (pid, SIGKILL);
    waitpid (pid, &status, 0);
  }
  g_free (cmd);
  fail_unless (exited, "'%s' did not end", line);
  /* a SIGINT that comes before gst-launch-1.0 handles it (a slow start,
   * e.g. under ASan) ends it by that signal, as it would for a user */
  fail_if (WIFSIGNALED (status) && !(interrupt
          && WTERMSIG (status) == SIGINT), "'%s' ended by signal %d (a "
      "critical warning, or a crash: see its stderr above)", line,
      WTERMSIG (status));
}

static void
check_launch_line_ends (const gchar * line, guint run_ms, gboolean interrupt)
{
  check_launch_line_ends_when (line, run_ms, interrupt, NULL, NULL);
}

typedef struct
{
  TestPipeline *pub[2];
  gboolean connected[2];
} Publishers;

/* Both publishers posted meshrtc-peer-connected (their buses, polled). */
static gboolean
publishers_connected (gpointer data)
{
  Publishers *p = data;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (p->pub); i++) {
    GstBus *bus = gst_element_get_bus (p->pub[i]->pipeline);
    GstMessage *msg;

    while (!p->connected[i]
        && (msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
      p->connected[i] = gst_message_has_name (msg, "meshrtc-peer-connected");
      gst_message_unref (msg);
    }
    gst_object_unref (bus);
  }
  return p->connected[0] && p->connected[1];
}

/* An ingest playing two WHIP publishers at once, each on pads of its own
 * (video_src_0, video_src_1), ends on Ctrl-C with -e: every slot's pad
 * gets EOS. */
GST_START_TEST (test_ctrl_c_of_an_ingest_playing_two_publishers)
{
  Publishers p = { {NULL, NULL}, {FALSE, FALSE}
  };
  gchar *line;
  guint port, i;

  if (!test_have_webrtc ())
    return;
  port = test_free_port (G_SOCKET_TYPE_STREAM);
  /* they POST until the ingest is there */
  for (i = 0; i < G_N_ELEMENTS (p.pub); i++) {
    p.pub[i] = test_pipeline_new ("videotestsrc is-live=true ! "
        "video/x-raw,width=320,height=240 ! rtcsignalbin "
        "whip-endpoint=http://127.0.0.1:%u/whip/cam%u "
        "ice-local-addresses=127.0.0.1", port, i);
    test_pipeline_play (p.pub[i]);
  }
  line = g_strdup_printf ("rtcsignalbin name=i run-signalling-server=true "
      "uri=ws://127.0.0.1:%u ice-local-addresses=127.0.0.1 i.video_src_0 ! "
      "fakesink async=false i.video_src_1 ! fakesink async=false", port);
  check_launch_line_ends_when (line, 1000, TRUE, publishers_connected, &p);
  g_free (line);
  for (i = 0; i < G_N_ELEMENTS (p.pub); i++)
    test_pipeline_free (p.pub[i]);
}

GST_END_TEST;

GST_START_TEST (test_stop_after_a_sibling_error_during_start)
{
  guint n;

  if (!test_have_webrtc ())
    return;
  /* rtciceservers refuses a TURN server without credentials while the
   * signalling thread is still starting (generating the certificate) */
  for (n = 0; n < 5; n++)
    check_launch_line_ends ("rtciceservers "
        "'ice-servers=[{\"urls\":\"turn:127.0.0.1:3478\"}]' "
        "videotestsrc is-live=true ! rtcsignalbin uri=ws://127.0.0.1:9",
        LIFECYCLE_BOUND_S * 1000, FALSE);
}

GST_END_TEST;

/* A WHEP player whose server takes the request and never answers: its
 * webrtcbin, holding the offer, makes the bin count as a sink, and Ctrl-C
 * with -e hung waiting for that "sink" to end. The server is a listening
 * socket nobody accepts from: the kernel completes the connection and
 * keeps the POST unread. */
GST_START_TEST (test_ctrl_c_while_a_whep_server_does_not_answer)
{
  GSocket *sock;
  gchar *line;
  guint port, n;

  if (!test_have_webrtc ())
    return;
  sock = test_silent_listener (&port);
  line = g_strdup_printf ("rtcsignalbin "
      "whep-endpoint=http://127.0.0.1:%u/whep/cam ! videoconvert ! fakesink",
      port);
  /* the one POST stays unanswered for the whole run */
  for (n = 0; n < 3; n++)
    check_launch_line_ends (line, 1000 + n * 1000, TRUE);
  g_free (line);
  g_socket_close (sock, NULL);
  g_object_unref (sock);
}

GST_END_TEST;

/* ---- every gst-launch-1.0 line of README.md and docs/ ---- */

/* The lines as written, joined over trailing backslashes; a trailing "&"
 * dropped. */
static GPtrArray *
documented_launch_lines (void)
{
  const gchar *src = g_getenv ("MESHRTC_SOURCE_DIR");
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  GDir *dir;
  gchar *docs;
  const gchar *name;
  guint f;

  fail_unless (src != NULL, "MESHRTC_SOURCE_DIR is not set");
  g_ptr_array_add (files, g_build_filename (src, "README.md", NULL));
  docs = g_build_filename (src, "docs", NULL);
  dir = g_dir_open (docs, 0, NULL);
  fail_unless (dir != NULL);
  while ((name = g_dir_read_name (dir)))
    if (g_str_has_suffix (name, ".md"))
      g_ptr_array_add (files, g_build_filename (docs, name, NULL));
  g_dir_close (dir);
  g_free (docs);

  for (f = 0; f < files->len; f++) {
    gchar *text = NULL, **l;
    gchar **split;
    gboolean in_code = FALSE;

    fail_unless (g_file_get_contents (g_ptr_array_index (files, f), &text,
            NULL, NULL));
    split = g_strsplit (text, "\n", -1);
    for (l = split; *l; l++) {
      GString *cmd;

      /* command lines are in fenced code blocks; prose may wrap a
       * sentence so that a line starts with the program's name */
      if (g_str_has_prefix (g_strstrip (*l), "```")) {
        in_code = !in_code;
        continue;
      }
      if (!in_code || !g_str_has_prefix (*l, "gst-launch-1.0 "))
        continue;
      cmd = g_string_new (*l);
      while (g_str_has_suffix (cmd->str, "\\") && l[1]) {
        g_string_truncate (cmd, cmd->len - 1);
        l++;
        g_string_append_printf (cmd, " %s", g_strstrip (*l));
      }
      g_strstrip (cmd->str);
      if (g_str_has_suffix (cmd->str, "&"))
        g_string_truncate (cmd, strlen (cmd->str) - 1);
      g_ptr_array_add (lines, g_string_free (cmd, FALSE));
    }
    g_strfreev (split);
    g_free (text);
  }
  g_ptr_array_unref (files);
  return lines;
}

/* Every documented line, as a user runs it (shell quoting included; the
 * display and audio sinks become fakesink, there is no screen in CI): it
 * runs 2 s, then Ctrl-C (SIGINT, with -e: EOS first) must end it within
 * LIFECYCLE_BOUND_S, whatever phase it is in: serving, connecting to a
 * server that is not there, or failing (a name that does not resolve, no
 * camera), in which case it must have ended by itself. */
GST_START_TEST (test_every_documented_launch_line_ends_after_ctrl_c)
{
  GPtrArray *lines;
  guint i;

  if (!test_have_webrtc ())
    return;
  lines = documented_launch_lines ();
  fail_unless (lines->len >= 10, "only %u gst-launch-1.0 lines found",
      lines->len);
  for (i = 0; i < lines->len; i++) {
    gchar *line = g_ptr_array_index (lines, i), *args, *tmp;
    gchar **parts;

    args = g_strdup (line + strlen ("gst-launch-1.0 "));
    parts = g_strsplit (args, "autovideosink", -1);
    tmp = g_strjoinv ("fakesink", parts);
    g_strfreev (parts);
    parts = g_strsplit (tmp, "autoaudiosink", -1);
    g_free (args);
    args = g_strjoinv ("fakesink", parts);
    g_strfreev (parts);
    g_free (tmp);
    g_print ("documented line %u: %s\n", i, args);
    check_launch_line_ends (args, 2000, TRUE);
    g_free (args);
  }
  g_ptr_array_unref (lines);
}

GST_END_TEST;

/* ---- EOS in every phase ---- */

#define FANOUT_LINE "videotestsrc is-live=true ! video/x-raw,width=320,height=240," \
  "framerate=30/1 ! rtcmeshfanout name=fanout run-signalling-server=true " \
  "uri=ws://127.0.0.1:%u ice-local-addresses=127.0.0.1 peer-name=cam " \
  "connect-timeout=10000"
#define CONSUMER_LINE "rtcsignalbin uri=ws://127.0.0.1:%u producer-name=cam " \
  "ice-local-addresses=127.0.0.1 ! fakesink name=sink"

static void
wait_peer_message (TestPipeline * tp, const gchar * name, guint n)
{
  guint i;

  for (i = 0; i < n; i++) {
    GstStructure *s = test_wait_element_message (tp, name, 20);

    fail_unless (s != NULL, "no %s (%u of %u)", name, i + 1, n);
    gst_structure_free (s);
  }
}

static void
check_fanout_eos_with_peers (guint port, guint n_peers, gboolean all_leave)
{
  TestPipeline *fanout = test_pipeline_new (FANOUT_LINE, port);
  TestPipeline **consumers = g_new0 (TestPipeline *, n_peers);
  gchar *what = g_strdup_printf ("EOS of a fanout with %u peers%s", n_peers,
      all_leave ? " that all left" : "");
  guint i;

  test_pipeline_play (fanout);
  for (i = 0; i < n_peers; i++) {
    consumers[i] = test_pipeline_new (CONSUMER_LINE, port);
    test_pipeline_play (consumers[i]);
  }
  wait_peer_message (fanout, "meshrtc-peer-connected", n_peers);
  for (i = 0; i < n_peers; i++)
    fail_unless (test_wait_buffers (consumers[i], 10, 20));
  if (all_leave) {
    for (i = 0; i < n_peers; i++)
      set_state_bounded (consumers[i]->pipeline, GST_STATE_NULL,
          "a consumer leaving");
    wait_peer_message (fanout, "meshrtc-peer-removed", n_peers);
  }
  eos_bounded (fanout->pipeline, what);
  set_state_bounded (fanout->pipeline, GST_STATE_NULL, what);
  for (i = 0; i < n_peers; i++) {
    set_state_bounded (consumers[i]->pipeline, GST_STATE_NULL, what);
    test_pipeline_free (consumers[i]);
  }
  test_pipeline_free (fanout);
  g_free (consumers);
  g_free (what);
}

GST_START_TEST (test_eos_with_no_peer_finishes)
{
  if (!test_have_webrtc ())
    return;
  check_fanout_eos_with_peers (19310, 0, FALSE);
}

GST_END_TEST;

GST_START_TEST (test_eos_with_peers_finishes)
{
  if (!test_have_webrtc ())
    return;
  check_fanout_eos_with_peers (19311, 3, FALSE);
}

GST_END_TEST;

GST_START_TEST (test_eos_after_every_peer_left_finishes)
{
  if (!test_have_webrtc ())
    return;
  check_fanout_eos_with_peers (19312, 2, TRUE);
}

GST_END_TEST;

/* ---- one peer's failure stays that peer's ---- */

static GstElement *
find_peer_webrtcbin (GstElement * pipeline)
{
  GstElement *fanout = gst_bin_get_by_name (GST_BIN (pipeline), "fanout");
  GstIterator *it = gst_bin_iterate_elements (GST_BIN (fanout));
  GValue item = G_VALUE_INIT;
  GstElement *found = NULL;

  while (!found && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&item);

    if (g_str_has_prefix (GST_OBJECT_NAME (e), "webrtcbin-"))
      found = gst_object_ref (e);
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  gst_object_unref (fanout);
  return found;
}

/* An error inside one peer's webrtcbin (seen: sctpenc when a browser's
 * data channel association fails as it leaves) ends that session only:
 * the pipeline gets no error and the other viewer keeps its media. */
GST_START_TEST (test_error_inside_one_peer_ends_only_that_session)
{
  TestPipeline *fanout = test_pipeline_new (FANOUT_LINE, 19313);
  TestPipeline *a, *b;
  GstElement *webrtc;
  GstStructure *removed;
  GError *err;
  gint before;

  if (!test_have_webrtc ())
    return;
  test_pipeline_play (fanout);
  a = test_pipeline_new (CONSUMER_LINE, 19313);
  b = test_pipeline_new (CONSUMER_LINE, 19313);
  test_pipeline_play (a);
  test_pipeline_play (b);
  wait_peer_message (fanout, "meshrtc-peer-connected", 2);
  fail_unless (test_wait_buffers (a, 10, 20));
  fail_unless (test_wait_buffers (b, 10, 20));

  webrtc = find_peer_webrtcbin (fanout->pipeline);
  fail_unless (webrtc != NULL);
  err = g_error_new_literal (GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_WRITE,
      "injected: SCTP association went into error state");
  gst_element_post_message (webrtc, gst_message_new_error (GST_OBJECT
          (webrtc), err, "injected by the test"));
  g_error_free (err);
  gst_object_unref (webrtc);

  /* fails on any ERROR reaching the pipeline */
  removed = test_wait_element_message (fanout, "meshrtc-peer-removed", 10);
  fail_unless (removed != NULL, "the failed session was not ended");
  fail_unless (strstr (gst_structure_get_string (removed, "reason"),
          "error in the peer connection") != NULL);
  gst_structure_free (removed);
  test_pipeline_check_no_error (fanout);

  /* one of the two viewers lost its session; together they keep getting
   * frames from the one that did not */
  before = g_atomic_int_get (&a->buffers) + g_atomic_int_get (&b->buffers);
  g_usleep (2 * G_USEC_PER_SEC);
  fail_unless (g_atomic_int_get (&a->buffers) + g_atomic_int_get (&b->buffers)
      >= before + 30, "media stopped for the other viewer");
  test_pipeline_check_no_error (fanout);

  set_state_bounded (a->pipeline, GST_STATE_NULL, "viewer a");
  set_state_bounded (b->pipeline, GST_STATE_NULL, "viewer b");
  set_state_bounded (fanout->pipeline, GST_STATE_NULL, "fanout");
  test_pipeline_free (a);
  test_pipeline_free (b);
  test_pipeline_free (fanout);
}

GST_END_TEST;

/* ---- randomized start/stop cycles ---- */

/* NULL -> PLAYING -> (random delay) -> NULL, with a consumer or a producer
 * on the other side that stays up, so stops land in every phase: connecting,
 * backoff (no server), offer pending, ICE checking, DTLS, streaming. Every
 * state change is bounded by the watchdog. */
static void
run_random_cycles (const gchar * test, const gchar * line,
    const gchar * partner_line, guint share)
{
  GRand *rand = seeded_rand (test);
  TestPipeline *partner = NULL;
  guint i, n = MAX (cycles () / share, 1);

  if (partner_line) {
    partner = test_pipeline_new ("%s", partner_line);
    test_pipeline_play (partner);
  }
  for (i = 0; i < n; i++) {
    TestPipeline *tp = test_pipeline_new ("%s", line);
    guint delay = random_delay_ms (rand);

    set_state_bounded (tp->pipeline, GST_STATE_PLAYING, test);
    g_usleep (delay * 1000);
    set_state_bounded (tp->pipeline, GST_STATE_NULL, test);
    test_pipeline_free (tp);
  }
  g_print ("%s: %u cycles\n", test, n);
  if (partner) {
    set_state_bounded (partner->pipeline, GST_STATE_NULL, test);
    test_pipeline_free (partner);
  }
  g_rand_free (rand);
}

GST_START_TEST (test_random_cycles_fanout_with_viewer)
{
  gchar *line, *partner;

  if (!test_have_webrtc ())
    return;
  line = g_strdup_printf (FANOUT_LINE, 19320);
  partner = g_strdup_printf (CONSUMER_LINE, 19320);
  run_random_cycles ("fanout with embedded server and a viewer", line,
      partner, 1);
  g_free (line);
  g_free (partner);
}

GST_END_TEST;

GST_START_TEST (test_random_cycles_signalbin_producer_and_consumer)
{
  TestServer *srv;
  gchar *line, *partner;

  if (!test_have_webrtc ())
    return;
  srv = test_server_start (0, NULL);
  line = g_strdup_printf ("videotestsrc is-live=true ! video/x-raw,width=320,"
      "height=240 ! rtcsignalbin uri=ws://127.0.0.1:%u peer-name=cam "
      "ice-local-addresses=127.0.0.1", srv->port);
  partner = g_strdup_printf (CONSUMER_LINE, srv->port);
  /* the element's cycles are shared by its three set-ups */
  run_random_cycles ("signalbin producer with a consumer", line, partner, 3);
  g_free (line);
  g_free (partner);
  /* and the consumer side cycling against a steady producer */
  line = g_strdup_printf (CONSUMER_LINE, srv->port);
  partner = g_strdup_printf ("videotestsrc is-live=true ! video/x-raw,"
      "width=320,height=240 ! rtcsignalbin uri=ws://127.0.0.1:%u "
      "peer-name=cam ice-local-addresses=127.0.0.1", srv->port);
  run_random_cycles ("signalbin consumer with a producer", line, partner, 3);
  g_free (line);
  g_free (partner);
  test_server_kill (srv);
}

GST_END_TEST;

GST_START_TEST (test_random_cycles_without_server_and_with_iceservers)
{
  if (!test_have_webrtc ())
    return;
  /* connecting and backing off, never registered */
  run_random_cycles ("signalbin with no server (backoff)",
      "videotestsrc is-live=true ! rtcsignalbin uri=ws://127.0.0.1:9", NULL, 3);
  run_random_cycles ("rtciceservers with a fanout",
      "rtciceservers ice-servers=[{\"urls\":\"stun:127.0.0.1:3478\"}] "
      "videotestsrc is-live=true ! rtcmeshfanout uri=ws://127.0.0.1:9", NULL,
      1);
}

GST_END_TEST;

static Suite *
lifecycle_suite (void)
{
  Suite *s = suite_create ("lifecycle");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 900);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_concurrent_first_starts_in_fresh_processes_finish);
  tcase_add_test (tc, test_null_ready_null_at_once_never_hangs);
  tcase_add_test (tc, test_stop_after_a_sibling_error_during_start);
  tcase_add_test (tc, test_ctrl_c_while_a_whep_server_does_not_answer);
  tcase_add_test (tc, test_ctrl_c_of_an_ingest_playing_two_publishers);
  tcase_add_test (tc, test_every_documented_launch_line_ends_after_ctrl_c);
  tcase_add_test (tc, test_eos_with_no_peer_finishes);
  tcase_add_test (tc, test_eos_with_peers_finishes);
  tcase_add_test (tc, test_eos_after_every_peer_left_finishes);
  tcase_add_test (tc, test_error_inside_one_peer_ends_only_that_session);
  tcase_add_test (tc, test_random_cycles_fanout_with_viewer);
  tcase_add_test (tc, test_random_cycles_signalbin_producer_and_consumer);
  tcase_add_test (tc, test_random_cycles_without_server_and_with_iceservers);
  return s;
}

int
main (int argc, char **argv)
{
  const gchar *port = g_getenv ("MESHRTC_FIRST_START_PORT");
  Suite *s;

  if (port)
    return first_start_child ((guint) atoi (port));
  gst_check_init (&argc, &argv);
  s = lifecycle_suite ();
  return gst_check_run_suite (s, "lifecycle", __FILE__);
}
