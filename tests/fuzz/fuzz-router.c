/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/*
 * libFuzzer harness for the signalling server's logic. One input is a
 * script of operations on one router by up to four clients:
 *
 *   op byte: bits 0-1 the client (0..3), bits 2-3 the action:
 *     0 connect (no-op if connected), 1 disconnect (no-op if not),
 *     2 a text frame: the bytes after the op byte up to the next '\n'
 *     (or the end of the input),
 *     3 the server's ICE servers: set (client bit 0 set) or cleared.
 *
 * Peer and session ids are random UUIDs the fuzzer cannot guess, so in
 * text frames "@0".."@3" stand for the current peer id of client 0..3 and
 * "@s" for the last session id the router announced. Every message the
 * router sends must be a protocol message that parses. At the end the
 * router is freed with its peers still connected: LeakSanitizer checks
 * that nothing is left.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gst/gst.h>

#include "rtcprotocol.h"
#include "rtcsignalrouter.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

#define N_CLIENTS 4

typedef struct
{
  gchar *ids[N_CLIENTS];
  gchar *last_session;
  /* the client being connected: its welcome comes before its id */
  gint adding;
  guint sent;
} Script;

/* No gst_init(): it registers so many quarks that GLib grows its quark
 * table, and GLib leaks the old block by design (glib/gquark.c), which
 * LeakSanitizer would report at the first check. Nothing here needs it.
 * libFuzzer counts what the first input allocates once (types) as a
 * leak: run a typical script before fuzzing starts */
static const gchar warm_up[] =
    "\x00\x01\x0d"
    "\x08{\"type\":\"setPeerStatus\",\"roles\":[\"producer\"],"
    "\"meta\":{\"room\":\"r\"}}\n"
    "\x09{\"type\":\"setPeerStatus\",\"roles\":[\"listener\"]}\n"
    "\x09{\"type\":\"list\"}\n"
    "\x09{\"type\":\"startSession\",\"peerId\":\"@0\"}\n"
    "\x08{\"type\":\"peer\",\"sessionId\":\"@s\","
    "\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\"}}\n"
    "\x09{\"type\":\"endSession\",\"sessionId\":\"@s\"}\n"
    "\x09nonsense\n\x0c\x04";

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  LLVMFuzzerTestOneInput ((const uint8_t *) warm_up, sizeof warm_up - 1);
  return 0;
}

static void
send_func (const gchar * peer_id, gpointer peer_data, const gchar * text,
    gpointer user_data)
{
  Script *script = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (RtcMessage) msg = NULL;
  guint client = GPOINTER_TO_UINT (peer_data);

  /* the router only writes to peers that are connected */
  if (client >= N_CLIENTS)
    abort ();
  if (script->ids[client] ? g_strcmp0 (script->ids[client], peer_id) != 0
      : script->adding != (gint) client)
    abort ();
  msg = rtc_message_parse (text, -1, &error);
  if (!msg) {
    g_printerr ("router sent what does not parse: %s (%s)\n", text,
        error->message);
    abort ();
  }
  if (msg->session_id && msg->type != RTC_MESSAGE_ERROR) {
    g_free (script->last_session);
    script->last_session = g_strdup (msg->session_id);
  }
  script->sent++;
}

/* The frame with "@0".."@3" and "@s" replaced. */
static GString *
expand (const Script * script, const gchar * frame, gsize len)
{
  GString *out = g_string_sized_new (len + 64);
  gsize i;

  for (i = 0; i < len; i++) {
    if (frame[i] == '@' && i + 1 < len) {
      gchar c = frame[i + 1];

      if (c >= '0' && c < '0' + N_CLIENTS) {
        const gchar *id = script->ids[c - '0'];

        g_string_append (out, id ? id : "gone");
        i++;
        continue;
      }
      if (c == 's') {
        g_string_append (out,
            script->last_session ? script->last_session : "none");
        i++;
        continue;
      }
    }
    g_string_append_c (out, frame[i]);
  }
  return out;
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  Script script = { {NULL}, NULL, -1, 0 };
  RtcSignalRouter *router;
  const gchar *p = (const gchar *) data, *end = p + size;
  guint i, connected;

  router = rtc_signal_router_new (send_func, &script, NULL);
  /* every operation consumes at least one byte: bounded by the input */
  while (p < end) {
    guint op = (guchar) * p++;
    guint client = op & 3;

    switch ((op >> 2) & 3) {
      case 0:
        if (!script.ids[client]) {
          script.adding = client;
          script.ids[client] = rtc_signal_router_add_peer (router,
              GUINT_TO_POINTER (client));
          script.adding = -1;
        }
        break;
      case 1:
        if (script.ids[client]) {
          /* the id stays valid while the router sends the goodbyes */
          gchar *id = script.ids[client];

          rtc_signal_router_remove_peer (router, id);
          script.ids[client] = NULL;
          g_free (id);
        }
        break;
      case 3:
        if (client & 1) {
          g_autoptr (JsonArray) servers = json_array_new ();
          JsonObject *server = json_object_new ();

          json_object_set_string_member (server, "urls", "stun:192.0.2.1");
          json_array_add_object_element (servers, server);
          rtc_signal_router_set_ice_servers (router, servers);
        } else {
          rtc_signal_router_set_ice_servers (router, NULL);
        }
        break;
      default:{
        const gchar *nl = memchr (p, '\n', end - p);
        const gchar *frame_end = nl ? nl : end;

        if (script.ids[client]) {
          GString *frame = expand (&script, p, frame_end - p);

          rtc_signal_router_handle_text (router, script.ids[client],
              frame->str, frame->len);
          g_string_free (frame, TRUE);
        }
        p = nl ? nl + 1 : end;
        break;
      }
    }
  }

  connected = 0;
  for (i = 0; i < N_CLIENTS; i++)
    connected += script.ids[i] != NULL;
  if (rtc_signal_router_get_n_peers (router) != connected)
    abort ();

  rtc_signal_router_free (router);
  for (i = 0; i < N_CLIENTS; i++)
    g_free (script.ids[i]);
  g_free (script.last_session);
  return 0;
}
