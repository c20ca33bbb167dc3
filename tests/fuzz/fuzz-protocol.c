/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/*
 * libFuzzer harness for the signalling protocol codec: one input is one
 * WebSocket text frame as a peer or the server may send it. Whatever
 * rtc_message_parse() accepts must serialise, and what it serialises must
 * parse again to a message of the same type that serialises to the same
 * text (a fixed point after one round).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtcprotocol.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

/* libFuzzer counts what the first input allocates once (types, quarks)
 * as a leak: run typical inputs before fuzzing starts */
static const gchar *const warm_up[] = {
  "{\"type\":\"setPeerStatus\",\"roles\":[\"producer\"],"
      "\"meta\":{\"room\":\"r\"}}",
  "{\"type\":\"list\",\"producers\":[{\"id\":\"a\",\"meta\":null}]}",
  "{\"type\":\"peer\",\"sessionId\":\"s\",\"ice\":{\"candidate\":\"c\","
      "\"sdpMLineIndex\":0}}",
  "{\"type\":\"iceServers\",\"iceServers\":[{\"urls\":\"stun:a\"}]}",
  "{\"type\":1}",
  "{",
};

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (warm_up); i++)
    LLVMFuzzerTestOneInput ((const uint8_t *) warm_up[i],
        strlen (warm_up[i]));
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) error2 = NULL;
  g_autoptr (RtcMessage) msg = NULL;
  g_autoptr (RtcMessage) again = NULL;
  g_autofree gchar *json = NULL;
  g_autofree gchar *json2 = NULL;

  /* frames are not NUL-terminated: the explicit length must be honoured */
  msg = rtc_message_parse ((const gchar *) data, (gssize) size, &error);
  if (!msg) {
    /* every refusal says why, in the documented domain */
    if (!error || error->domain != RTC_PROTOCOL_ERROR || !error->message
        || !*error->message)
      abort ();
    return 0;
  }
  if (error)
    abort ();

  json = rtc_message_to_json (msg);
  if (!json)
    abort ();
  again = rtc_message_parse (json, -1, &error2);
  if (!again) {
    g_printerr ("re-parse of '%s' failed: %s\n", json, error2->message);
    abort ();
  }
  if (again->type != msg->type)
    abort ();
  json2 = rtc_message_to_json (again);
  if (strcmp (json, json2) != 0) {
    g_printerr ("not a fixed point:\n%s\n%s\n", json, json2);
    abort ();
  }
  (void) rtc_message_type_to_string (msg->type);
  if (msg->meta)
    (void) rtc_meta_get_room (msg->meta);
  return 0;
}
