/* gst-meshrtc example: embed rtcsignalbin in an application.
 *
 * Joins a room on a signalling server, sends a test pattern (or any
 * source given with --source) and shows what the other participant sends.
 * Prints the element messages rtcsignalbin posts (signalling connected or
 * lost, peer connected or removed). Ctrl-C stops cleanly.
 *
 *   gst-meshrtc-signalling-server &
 *   ./signalbin-send-receive --room demo &
 *   ./signalbin-send-receive --room demo --source "videotestsrc is-live=true pattern=ball"
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/gst.h>
#include <glib-unix.h>

static gchar *room = (gchar *) "demo";
static gchar *uri = (gchar *) "ws://127.0.0.1:8443";
static gchar *source = (gchar *) "videotestsrc is-live=true";
static gchar *sink = (gchar *) "autovideosink";
static gchar *local_addresses = NULL;

static GOptionEntry entries[] = {
  {"room", 'r', 0, G_OPTION_ARG_STRING, &room, "Room to join", "NAME"},
  {"uri", 'u', 0, G_OPTION_ARG_STRING, &uri, "Signalling server", "URI"},
  {"source", 's', 0, G_OPTION_ARG_STRING, &source,
      "What to send (a gst-launch description)", "DESC"},
  {"sink", 'k', 0, G_OPTION_ARG_STRING, &sink,
      "Where to show what arrives", "DESC"},
  {"ice-local-addresses", 0, 0, G_OPTION_ARG_STRING, &local_addresses,
      "Restrict ICE to these addresses (e.g. 127.0.0.1)", "ADDRS"},
  {NULL}
};

static gboolean
on_bus_message (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  GMainLoop *loop = user_data;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ELEMENT:{
      const GstStructure *s = gst_message_get_structure (msg);
      if (s && g_str_has_prefix (gst_structure_get_name (s), "meshrtc-")) {
        gchar *str = gst_structure_to_string (s);
        g_print ("%s\n", str);
        g_free (str);
      }
      break;
    }
    case GST_MESSAGE_WARNING:{
      GError *err = NULL;
      gst_message_parse_warning (msg, &err, NULL);
      g_printerr ("warning: %s\n", err->message);
      g_error_free (err);
      break;
    }
    case GST_MESSAGE_ERROR:{
      GError *err = NULL;
      gchar *dbg = NULL;
      gst_message_parse_error (msg, &err, &dbg);
      g_printerr ("error: %s\n%s\n", err->message, dbg ? dbg : "");
      g_error_free (err);
      g_free (dbg);
      g_main_loop_quit (loop);
      break;
    }
    case GST_MESSAGE_EOS:
      g_main_loop_quit (loop);
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

/* A remote track appeared: show it. */
static void
on_pad_added (GstElement * bin, GstPad * pad, GstElement * pipeline)
{
  GstElement *out;
  GstPad *sinkpad;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC
      || !g_str_has_prefix (GST_PAD_NAME (pad), "video"))
    return;
  out = gst_parse_bin_from_description (sink, TRUE, NULL);
  if (!out)
    return;
  gst_bin_add (GST_BIN (pipeline), out);
  gst_element_sync_state_with_parent (out);
  sinkpad = gst_element_get_static_pad (out, "sink");
  gst_pad_link (pad, sinkpad);
  gst_object_unref (sinkpad);
}

static gboolean
on_sigint (gpointer user_data)
{
  g_print ("stopping...\n");
  gst_element_send_event (GST_ELEMENT (user_data), gst_event_new_eos ());
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  GOptionContext *ctx = g_option_context_new ("- rtcsignalbin room example");
  GError *err = NULL;
  GstElement *pipeline, *src, *bin;
  GMainLoop *loop;
  GstBus *bus;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("%s\n", err->message);
    return 1;
  }
  g_option_context_free (ctx);

  pipeline = gst_pipeline_new (NULL);
  src = gst_parse_bin_from_description (source, TRUE, &err);
  bin = gst_element_factory_make ("rtcsignalbin", NULL);
  if (!src || !bin) {
    g_printerr ("cannot create the pipeline: %s\n",
        err ? err->message : "rtcsignalbin not found (set GST_PLUGIN_PATH)");
    return 1;
  }
  g_object_set (bin, "uri", uri, "room", room, NULL);
  if (local_addresses)
    g_object_set (bin, "ice-local-addresses", local_addresses, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, bin, NULL);
  if (!gst_element_link_pads (src, NULL, bin, "video_%u")) {
    g_printerr ("cannot link the source to rtcsignalbin\n");
    return 1;
  }
  g_signal_connect (bin, "pad-added", G_CALLBACK (on_pad_added), pipeline);

  loop = g_main_loop_new (NULL, FALSE);
  bus = gst_element_get_bus (pipeline);
  gst_bus_add_watch (bus, on_bus_message, loop);
  g_unix_signal_add (SIGINT, on_sigint, pipeline);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_main_loop_run (loop);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  gst_bus_remove_watch (bus);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  g_main_loop_unref (loop);
  return 0;
}
