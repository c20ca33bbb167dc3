/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Linked into every GstCheck test: when a test process dies of a fatal
 * signal, print every thread's stack to stderr before the default action,
 * so a crash seen once in CI says where it happened. It changes nothing
 * else: the signal is re-raised and check reports it as before.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void
write_str (const char *s)
{
  ssize_t r = write (STDERR_FILENO, s, strlen (s));
  (void) r;
}

static void
crash_handler (int sig)
{
  char pid[16], header[64];
  void *frames[64];
  pid_t child;
  int n;

  snprintf (header, sizeof header, "\n*** signal %d in pid %d ***\n", sig,
      (int) getpid ());
  write_str (header);
  n = backtrace (frames, 64);
  backtrace_symbols_fd (frames, n, STDERR_FILENO);

  /* every thread, with symbols, if gdb is installed */
  snprintf (pid, sizeof pid, "%d", (int) getpid ());
  prctl (PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
  child = fork ();
  if (child == 0) {
    dup2 (STDERR_FILENO, STDOUT_FILENO);
    execlp ("gdb", "gdb", "-batch", "-nx", "-p", pid, "-ex",
        "thread apply all bt 30", (char *) NULL);
    _exit (127);
  } else if (child > 0) {
    /* bounded: gdb detaches when the batch ends */
    waitpid (child, NULL, 0);
  }
  signal (sig, SIG_DFL);
  raise (sig);
}

__attribute__((constructor))
     static void install_crash_report (void)
{
  struct sigaction sa;
  const int sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
  unsigned i;

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = crash_handler;
  sa.sa_flags = SA_RESETHAND;
  for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaction (sigs[i], &sa, NULL);
}
