/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Data channel benchmark: message round trip (ms, median) and one-way
 * throughput (MB/s, median) through our elements and through a raw
 * webrtcbin data channel, in the same run, on loopback.
 *
 * ours: an rtcsignalbin consumer sends on the channel an rtcmeshfanout
 *   opened (data-channel=bench) through the real signalling server; the
 *   fanout echoes each ping to its sender ("data-received", then
 *   "send-data" to that peer). The fanout carries a 160x120 5 fps test
 *   video, as it must.
 * raw: two webrtcbins in one pipeline, SDP and ICE handed over directly;
 *   the answerer echoes each message from its on-message callbacks.
 *
 * Round trip: @pings text messages, each sent once the previous came
 * back. Throughput: @count binary messages of 16 KiB sent at once, timed
 * until the last one arrived at the other side.
 *
 *   MESHRTC_SIGNALLING_SERVER=build/tools/gst-meshrtc-signalling-server \
 *   GST_PLUGIN_PATH=build/ext/meshrtc build/tests/benchmarks/datachannel
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "bench-common.h"

#define CHUNK (16 * 1024)
#define WAIT_MS 30000

static gint runs = 5;
static gint pings = 100;
static gint count = 200;

/* what arrives where, from any thread */
typedef struct
{
  GMutex lock;
  GCond cond;
  guint echoes;                 /* messages back at the sender */
  guint arrived;                /* throughput messages at the far side */
  gboolean open;
} Counter;

static Counter counter;

static void
counter_reset (void)
{
  g_mutex_lock (&counter.lock);
  counter.echoes = counter.arrived = 0;
  g_mutex_unlock (&counter.lock);
}

static void
counter_add (guint * field)
{
  g_mutex_lock (&counter.lock);
  (*field)++;
  g_cond_broadcast (&counter.cond);
  g_mutex_unlock (&counter.lock);
}

/* waits until *@field >= @n; FALSE after @ms */
static gboolean
counter_wait_ms (guint * field, guint n, guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;
  gboolean ok = TRUE;

  g_mutex_lock (&counter.lock);
  while (*field < n && ok)
    ok = g_cond_wait_until (&counter.cond, &counter.lock, end);
  ok = *field >= n;
  g_mutex_unlock (&counter.lock);
  return ok;
}

static gboolean
counter_wait (guint * field, guint n)
{
  return counter_wait_ms (field, n, WAIT_MS);
}

typedef void (*SendFunc) (gpointer target, GBytes * message, gboolean text);

/* the figures of one run: median round trip (ms), throughput (MB/s) */
static gboolean
measure (SendFunc send, gpointer target, gdouble * rtt_ms, gdouble * mbps)
{
  gdouble *rtts = g_new0 (gdouble, pings);
  GBytes *chunk;
  gint64 t0;
  gint i;

  counter_reset ();
  for (i = 0; i < pings; i++) {
    gchar *text = g_strdup_printf ("ping %d", i);
    GBytes *b = g_bytes_new_take (text, strlen (text));

    t0 = g_get_monotonic_time ();
    send (target, b, TRUE);
    g_bytes_unref (b);
    if (!counter_wait (&counter.echoes, i + 1)) {
      g_printerr ("ping %d never came back\n", i);
      g_free (rtts);
      return FALSE;
    }
    rtts[i] = (g_get_monotonic_time () - t0) / 1000.0;
  }
  *rtt_ms = bench_median (rtts, pings);
  g_free (rtts);

  chunk = g_bytes_new_take (g_malloc0 (CHUNK), CHUNK);
  g_mutex_lock (&counter.lock);
  counter.arrived = 0;
  g_mutex_unlock (&counter.lock);
  t0 = g_get_monotonic_time ();
  for (i = 0; i < count; i++)
    send (target, chunk, FALSE);
  g_bytes_unref (chunk);
  if (!counter_wait (&counter.arrived, count)) {
    g_printerr ("only %u of %d messages arrived\n", counter.arrived, count);
    return FALSE;
  }
  *mbps = (gdouble) count *CHUNK / 1e6 / ((g_get_monotonic_time () - t0) / 1e6);
  return TRUE;
}

/* ---- ours ---- */

static void
ours_send (gpointer target, GBytes * message, gboolean text)
{
  gboolean ok = FALSE;

  g_signal_emit_by_name (target, "send-data", NULL, "bench", message, &ok);
}

/* at the viewer: the echoes */
static void
ours_viewer_received (GstElement * bin, const gchar * peer,
    const gchar * label, GBytes * message, gpointer data)
{
  if (g_bytes_get_size (message) < CHUNK)
    counter_add (&counter.echoes);
}

/* at the fanout: the throughput messages counted, the pings echoed */
static void
ours_fanout_received (GstElement * bin, const gchar * peer,
    const gchar * label, GBytes * message, gpointer data)
{
  gboolean ok = FALSE;

  if (g_bytes_get_size (message) == CHUNK)
    counter_add (&counter.arrived);
  else
    g_signal_emit_by_name (bin, "send-data", peer, label, message, &ok);
}

static gboolean
run_ours (const gchar * uri, gdouble * rtt, gdouble * mbps)
{
  gchar *desc = g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=5/1 ! rtcmeshfanout name=f "
      "uri=%s ice-local-addresses=127.0.0.1 peer-name=bench-cam "
      "data-channel=bench", uri);
  GstElement *fanout = gst_parse_launch (desc, NULL), *viewer, *f, *v;
  gboolean ok;
  gint i;

  g_free (desc);
  desc = g_strdup_printf ("rtcsignalbin name=v uri=%s "
      "ice-local-addresses=127.0.0.1 producer-name=bench-cam ! fakesink "
      "async=false", uri);
  viewer = gst_parse_launch (desc, NULL);
  g_free (desc);
  f = gst_bin_get_by_name (GST_BIN (fanout), "f");
  v = gst_bin_get_by_name (GST_BIN (viewer), "v");
  g_signal_connect (v, "data-received", G_CALLBACK (ours_viewer_received),
      NULL);
  g_signal_connect (f, "data-received", G_CALLBACK (ours_fanout_received),
      NULL);
  gst_element_set_state (fanout, GST_STATE_PLAYING);
  gst_element_set_state (viewer, GST_STATE_PLAYING);
  /* the channel is open once a message goes through: ping until one does */
  ok = FALSE;
  for (i = 0; i < 100 && !ok; i++) {
    GBytes *b = g_bytes_new_static ("hello", 5);

    counter_reset ();
    ours_send (v, b, TRUE);
    g_bytes_unref (b);
    ok = counter_wait_ms (&counter.echoes, 1, 100);
  }
  ok = ok && measure (ours_send, v, rtt, mbps);
  gst_element_set_state (viewer, GST_STATE_NULL);
  gst_element_set_state (fanout, GST_STATE_NULL);
  gst_object_unref (f);
  gst_object_unref (v);
  gst_object_unref (viewer);
  gst_object_unref (fanout);
  return ok;
}

/* ---- raw webrtcbin ---- */

typedef struct
{
  GstWebRTCDataChannel *channel;        /* the offerer's */
} Raw;

static void
raw_send (gpointer target, GBytes * message, gboolean text)
{
  Raw *raw = target;

  if (text) {
    gchar *str = g_strndup (g_bytes_get_data (message, NULL),
        g_bytes_get_size (message));

    gst_webrtc_data_channel_send_string (raw->channel, str);
    g_free (str);
  } else {
    gst_webrtc_data_channel_send_data (raw->channel, message);
  }
}

/* the answerer's side: pings echoed, chunks counted */
static void
raw_rx_string (GstWebRTCDataChannel * channel, const gchar * str, gpointer data)
{
  gst_webrtc_data_channel_send_string (channel, str);
}

static void
raw_rx_data (GstWebRTCDataChannel * channel, GBytes * bytes, gpointer data)
{
  if (bytes && g_bytes_get_size (bytes) == CHUNK)
    counter_add (&counter.arrived);
}

static void
raw_rx_channel (GstElement * rx, GstWebRTCDataChannel * channel, gpointer data)
{
  g_signal_connect (channel, "on-message-string", G_CALLBACK (raw_rx_string),
      NULL);
  g_signal_connect (channel, "on-message-data", G_CALLBACK (raw_rx_data), NULL);
}

/* the offerer's side: echoes counted */
static void
raw_tx_string (GstWebRTCDataChannel * channel, const gchar * str, gpointer data)
{
  counter_add (&counter.echoes);
}

static void
raw_tx_open (GstWebRTCDataChannel * channel, gpointer data)
{
  g_mutex_lock (&counter.lock);
  counter.open = TRUE;
  g_cond_broadcast (&counter.cond);
  g_mutex_unlock (&counter.lock);
}

static gboolean
run_raw (gdouble * rtt, gdouble * mbps)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *tx = gst_element_factory_make ("webrtcbin", "tx");
  GstElement *rx = gst_element_factory_make ("webrtcbin", "rx");
  Raw raw = { NULL };
  gint64 end;
  gboolean ok;

  gst_bin_add_many (GST_BIN (pipeline), tx, rx, NULL);
  bench_link_new (tx, rx);
  g_signal_connect (rx, "on-data-channel", G_CALLBACK (raw_rx_channel), NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_mutex_lock (&counter.lock);
  counter.open = FALSE;
  g_mutex_unlock (&counter.lock);
  g_signal_emit_by_name (tx, "create-data-channel", "bench", NULL,
      &raw.channel);
  g_signal_connect (raw.channel, "on-open", G_CALLBACK (raw_tx_open), NULL);
  g_signal_connect (raw.channel, "on-message-string",
      G_CALLBACK (raw_tx_string), NULL);
  end = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;
  g_mutex_lock (&counter.lock);
  while (!counter.open && g_cond_wait_until (&counter.cond, &counter.lock,
          end));
  ok = counter.open;
  g_mutex_unlock (&counter.lock);
  if (!ok)
    g_printerr ("raw: the channel never opened\n");
  ok = ok && measure (raw_send, &raw, rtt, mbps);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_clear_object (&raw.channel);
  gst_object_unref (pipeline);
  return ok;
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    {"runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Runs per side (default 5)",
        "N"},
    {"pings", 'p', 0, G_OPTION_ARG_INT, &pings,
        "Round trips per run (default 100)", "N"},
    {"count", 'c', 0, G_OPTION_ARG_INT, &count,
        "16 KiB messages per throughput run (default 200)", "N"},
    {NULL}
  };
  gdouble rtt[2][50], mbps[2][50];
  guint n[2] = { 0, 0 };
  BenchServer *srv;
  gint i;

  if (!bench_init (&argc, &argv, entries, "- data channel benchmark"))
    return 2;
  runs = CLAMP (runs, 1, 50);
  pings = CLAMP (pings, 1, 10000);
  count = CLAMP (count, 1, 10000);
  g_mutex_init (&counter.lock);
  g_cond_init (&counter.cond);

  srv = bench_server_start ();
  g_print ("datachannel: %d runs per side, alternating; %d round trips of a "
      "short text message, then %d binary messages of %d KiB one way\n",
      runs, pings, count, CHUNK / 1024);
  for (i = 0; i < runs; i++) {
    if (run_raw (&rtt[1][n[1]], &mbps[1][n[1]])) {
      g_print ("  raw  run %d: round trip %.3f ms, %.1f MB/s\n", i,
          rtt[1][n[1]], mbps[1][n[1]]);
      n[1]++;
    }
    if (run_ours (srv->uri, &rtt[0][n[0]], &mbps[0][n[0]])) {
      g_print ("  ours run %d: round trip %.3f ms, %.1f MB/s\n", i,
          rtt[0][n[0]], mbps[0][n[0]]);
      n[0]++;
    }
  }
  bench_server_stop (srv);
  if (!n[0] || !n[1]) {
    g_printerr ("no complete run on one side (ours %u, raw %u)\n", n[0], n[1]);
    return 1;
  }
  g_print ("median round trip: ours %.3f ms, raw %.3f ms, ratio %.2f\n",
      bench_median (rtt[0], n[0]), bench_median (rtt[1], n[1]),
      bench_median (rtt[0], n[0]) / bench_median (rtt[1], n[1]));
  g_print ("median throughput: ours %.1f MB/s, raw %.1f MB/s, ratio %.2f\n",
      bench_median (mbps[0], n[0]), bench_median (mbps[1], n[1]),
      bench_median (mbps[0], n[0]) / bench_median (mbps[1], n[1]));
  return 0;
}
