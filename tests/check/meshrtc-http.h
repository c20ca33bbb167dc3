/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An HTTP server for tests (libsoup's SoupServer) on 127.0.0.1, in a
 * thread and main context of its own: for a service the code under test
 * talks to that is not ours (a TURN REST service, a redirecting front).
 */
#ifndef __MESHRTC_HTTP_H__
#define __MESHRTC_HTTP_H__

#include <libsoup/soup.h>
#include "meshrtc-check.h"

typedef void (*TestHttpSetup) (SoupServer * server, gpointer data);

typedef struct
{
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  SoupServer *server;
  guint port;
  TestHttpSetup setup;
  gpointer data;
  GMutex lock;
  GCond cond;
  gboolean ready;
} TestHttpServer;

static inline gpointer
test_http_thread (gpointer user_data)
{
  TestHttpServer *hs = user_data;
  GError *err = NULL;
  GSList *uris;

  g_main_context_push_thread_default (hs->context);
  hs->server = soup_server_new (NULL, NULL);
  hs->setup (hs->server, hs->data);
  if (!soup_server_listen_local (hs->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
          &err))
    g_error ("listen: %s", err->message);
  uris = soup_server_get_uris (hs->server);
  hs->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_mutex_lock (&hs->lock);
  hs->ready = TRUE;
  g_cond_signal (&hs->cond);
  g_mutex_unlock (&hs->lock);

  /* test_http_server_stop()'s quit is a source of this context: it runs
   * inside this loop, so it cannot come before it */
  g_main_loop_run (hs->loop);

  soup_server_disconnect (hs->server);
  g_clear_object (&hs->server);
  g_main_context_pop_thread_default (hs->context);
  return NULL;
}

/* Starts @hs: @setup adds the handlers (in the server's thread), then it
 * listens on a free port of 127.0.0.1 (hs->port) before this returns. */
static inline void
test_http_server_start (TestHttpServer * hs, TestHttpSetup setup,
    gpointer data)
{
  memset (hs, 0, sizeof (*hs));
  hs->setup = setup;
  hs->data = data;
  g_mutex_init (&hs->lock);
  g_cond_init (&hs->cond);
  hs->context = g_main_context_new ();
  hs->loop = g_main_loop_new (hs->context, FALSE);
  hs->thread = g_thread_new ("test-http", test_http_thread, hs);
  g_mutex_lock (&hs->lock);
  while (!hs->ready)
    g_cond_wait (&hs->cond, &hs->lock);
  g_mutex_unlock (&hs->lock);
}

static inline gboolean
test_http_quit_cb (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static inline void
test_http_server_stop (TestHttpServer * hs)
{
  g_main_context_invoke (hs->context, test_http_quit_cb, hs->loop);
  g_thread_join (hs->thread);
  g_main_loop_unref (hs->loop);
  g_main_context_unref (hs->context);
  g_mutex_clear (&hs->lock);
  g_cond_clear (&hs->cond);
}

#endif /* __MESHRTC_HTTP_H__ */
