/* gst-meshrtc
 * Copyright (C) 2026 gst-meshrtc developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * rtc_json_parse() (declared in rtcprotocol.h): every JSON text from the
 * network or a file goes through it, a strict RFC 8259 lexer in front of
 * json-glib. Fuzzed by tests/fuzz/fuzz-protocol.c and fuzz-iceconfig.c.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "rtcprotocol.h"

/* ------------------------------------------------------------------------ */
/* The one entry point for untrusted JSON */

/* json-glib 1.6 parses recursively and overflows the stack on deeply
 * nested input (100000 levels crash it). Its scanner, a fork of GScanner
 * (json-glib/json-scanner.c), also takes single-quoted strings, comments
 * ("/" "* *" "/" and '#' lines), identifiers and hex/octal numbers, so a
 * depth count that only knows double-quoted strings can be fooled:
 * ['"', [[[[...]]]]] hides every bracket inside what it takes for a
 * string. So the check below is a strict lexer of RFC 8259 §2-7 tokens:
 * anything it accepts is a sequence of tokens that json-glib splits at the
 * same places, and its bracket count is the depth json-glib will recurse
 * to. */

static gboolean
json_syntax_error (GError ** error, gsize offset, const gchar * format, ...)
G_GNUC_PRINTF (3, 4);

     static gboolean
         json_syntax_error (GError ** error, gsize offset, const gchar * format,
    ...)
{
  g_autofree gchar *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, RTC_PROTOCOL_ERROR, RTC_PROTOCOL_ERROR_MALFORMED,
      "%s at byte %" G_GSIZE_FORMAT, what, offset);
  return FALSE;
}

static gboolean
json_is_delimiter (gchar c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ','
      || c == ':' || c == ']' || c == '}' || c == '[' || c == '{' || c == '"';
}

/* Four hex digits of a \u escape at @p (RFC 8259 §7). */
static gboolean
json_read_hex4 (const gchar * p, gsize left, gunichar * out)
{
  gunichar value = 0;
  guint i;

  if (left < 4)
    return FALSE;
  for (i = 0; i < 4; i++) {
    gint digit = g_ascii_xdigit_value (p[i]);

    if (digit < 0)
      return FALSE;
    value = (value << 4) | (guint) digit;
  }
  *out = value;
  return TRUE;
}

/* A string from the opening quote at *@i; leaves *@i after the closing
 * one. Control characters must be escaped, escapes are those of §7, and
 * a \u surrogate must be a complete high-low pair. */
static gboolean
json_scan_string (const gchar * text, gsize len, gsize * i, GError ** error)
{
  gsize start = *i, pos = *i + 1;

  while (pos < len) {
    guchar c = (guchar) text[pos];

    if (c == '"') {
      *i = pos + 1;
      return TRUE;
    }
    if (c < 0x20)
      return json_syntax_error (error, pos, "control character in a string");
    if (c != '\\') {
      pos++;
      continue;
    }
    if (pos + 1 >= len)
      break;
    c = (guchar) text[pos + 1];
    if (strchr ("\"\\/bfnrt", c) && c != '\0') {
      pos += 2;
    } else if (c == 'u') {
      gunichar unit, low;

      if (!json_read_hex4 (text + pos + 2, len - pos - 2, &unit))
        return json_syntax_error (error, pos, "invalid \\u escape");
      pos += 6;
      if (unit >= 0xdc00 && unit <= 0xdfff)
        return json_syntax_error (error, pos - 6, "lone low surrogate");
      if (unit >= 0xd800 && unit <= 0xdbff) {
        if (pos + 1 >= len || text[pos] != '\\' || text[pos + 1] != 'u'
            || !json_read_hex4 (text + pos + 2, len - pos - 2, &low)
            || low < 0xdc00 || low > 0xdfff)
          return json_syntax_error (error, pos - 6, "lone high surrogate");
        pos += 6;
      }
    } else {
      return json_syntax_error (error, pos, "invalid escape in a string");
    }
  }
  return json_syntax_error (error, start, "unterminated string");
}

/* A number (RFC 8259 §6) from *@i: no leading zeros, no '+', no hex, a
 * digit on both sides of the '.'. */
static gboolean
json_scan_number (const gchar * text, gsize len, gsize * i, GError ** error)
{
  gsize start = *i, pos = *i;

  if (text[pos] == '-')
    pos++;
  if (pos < len && text[pos] == '0') {
    pos++;
  } else if (pos < len && text[pos] >= '1' && text[pos] <= '9') {
    while (pos < len && g_ascii_isdigit (text[pos]))
      pos++;
  } else {
    return json_syntax_error (error, start, "invalid number");
  }
  if (pos < len && text[pos] == '.') {
    pos++;
    if (pos >= len || !g_ascii_isdigit (text[pos]))
      return json_syntax_error (error, start, "invalid number");
    while (pos < len && g_ascii_isdigit (text[pos]))
      pos++;
  }
  if (pos < len && (text[pos] == 'e' || text[pos] == 'E')) {
    pos++;
    if (pos < len && (text[pos] == '+' || text[pos] == '-'))
      pos++;
    if (pos >= len || !g_ascii_isdigit (text[pos]))
      return json_syntax_error (error, start, "invalid number");
    while (pos < len && g_ascii_isdigit (text[pos]))
      pos++;
  }
  /* RFC 8259 §6 lets us limit the range: a number beyond a double's
   * (1e999) would become infinity, which json-glib writes back as "inf.0",
   * and every peer a relayed meta reaches would get text that is not JSON */
  {
    gchar *token = g_strndup (text + start, pos - start);
    gdouble value = g_ascii_strtod (token, NULL);

    g_free (token);
    if (!isfinite (value))
      return json_syntax_error (error, start, "number out of range");
  }
  *i = pos;
  return TRUE;
}

/* The whole text: tokens of RFC 8259 only, brackets balanced and nested
 * at most @max_depth deep, one top-level value. Grammar is left to
 * json-glib. Sets *@empty when there is no token at all. */
static gboolean
json_check_tokens (const gchar * text, gsize len, guint max_depth,
    gboolean * empty, GError ** error)
{
  static const gchar *const literals[] = { "true", "false", "null" };
  /* the open brackets, innermost last, to check that they match */
  g_autofree gchar *stack = g_malloc (max_depth + 1);
  guint depth = 0;
  gsize i = 0;
  gboolean complete = FALSE;

  *empty = TRUE;
  while (i < len) {
    gchar c = text[i];
    gsize token_end;
    guint l;

    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      i++;
      continue;
    }
    /* json-glib 1.6 leaks the first value when a second follows it: one
     * value only (RFC 8259 section 2) */
    if (complete)
      return json_syntax_error (error, i, "data after the top-level value");
    switch (c) {
      case '{':
      case '[':
        if (depth == max_depth) {
          g_set_error (error, RTC_PROTOCOL_ERROR,
              RTC_PROTOCOL_ERROR_MALFORMED, "nested deeper than %u levels",
              max_depth);
          return FALSE;
        }
        stack[depth++] = c;
        i++;
        break;
      case '}':
      case ']':
        if (depth == 0 || stack[depth - 1] != (c == '}' ? '{' : '['))
          return json_syntax_error (error, i, "unbalanced '%c'", c);
        depth--;
        i++;
        break;
      case ',':
      case ':':
        i++;
        break;
      case '"':
        if (!json_scan_string (text, len, &i, error))
          return FALSE;
        break;
      case 't':
      case 'f':
      case 'n':
        for (l = 0; l < G_N_ELEMENTS (literals); l++) {
          gsize n = strlen (literals[l]);

          if (len - i >= n && memcmp (text + i, literals[l], n) == 0) {
            token_end = i + n;
            break;
          }
        }
        if (l == G_N_ELEMENTS (literals))
          return json_syntax_error (error, i, "unexpected word");
        i = token_end;
        if (i < len && !json_is_delimiter (text[i]))
          return json_syntax_error (error, i, "unexpected word");
        break;
      default:
        if (c != '-' && !g_ascii_isdigit (c)) {
          if (g_ascii_isprint (c))
            return json_syntax_error (error, i, "unexpected character '%c'", c);
          return json_syntax_error (error, i,
              "unexpected character 0x%02x", (guchar) c);
        }
        if (!json_scan_number (text, len, &i, error))
          return FALSE;
        if (i < len && !json_is_delimiter (text[i]))
          return json_syntax_error (error, i, "invalid number");
        break;
    }
    *empty = FALSE;
    complete = depth == 0;
  }
  if (depth > 0)
    return json_syntax_error (error, len, "unbalanced '%c'", stack[depth - 1]);
  return TRUE;
}

/**
 * rtc_json_parse:
 * @text: (array length=length): untrusted JSON text
 * @length: length of @text in bytes, or -1 if it is NUL-terminated
 * @max_depth: how deep arrays and objects may nest, at least 1
 *   (%RTC_JSON_MAX_DEPTH for anything from the network)
 * @error: return location for a #RTC_PROTOCOL_ERROR_MALFORMED error
 *
 * The only way gst-meshrtc parses JSON it did not write itself: signalling
 * messages on both ends, ICE-server configurations and documents fetched
 * from a `location`. The text must be valid UTF-8 made of RFC 8259 tokens
 * only (no single quotes, comments, identifiers or hex numbers, which
 * json-glib would otherwise accept) nested at most @max_depth deep; only
 * then does json-glib parse it, so that its recursion is bounded.
 *
 * Returns: (transfer full) (nullable): the root node, or %NULL with @error
 *   set to a sentence without prefix ("unexpected character '#' at byte
 *   3"; "empty document" for nothing or only whitespace), always valid
 *   UTF-8.
 */
JsonNode *
rtc_json_parse (const gchar * text, gssize length, guint max_depth,
    GError ** error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) json_error = NULL;
  gboolean empty;
  gsize len;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (max_depth > 0, NULL);

  len = length < 0 ? strlen (text) : (gsize) length;
  if (!g_utf8_validate_len (text, len, NULL)) {
    g_set_error_literal (error, RTC_PROTOCOL_ERROR,
        RTC_PROTOCOL_ERROR_MALFORMED, "not valid UTF-8");
    return NULL;
  }
  if (!json_check_tokens (text, len, max_depth, &empty, error))
    return NULL;
  if (empty) {
    g_set_error_literal (error, RTC_PROTOCOL_ERROR,
        RTC_PROTOCOL_ERROR_MALFORMED, "empty document");
    return NULL;
  }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, len, &json_error)) {
    /* json-glib quotes part of the input and may cut a UTF-8 sequence in
     * two; the server sends this text back (found by fuzz-router) */
    g_autofree gchar *valid = g_utf8_make_valid (json_error->message, -1);

    g_set_error_literal (error, RTC_PROTOCOL_ERROR,
        RTC_PROTOCOL_ERROR_MALFORMED, valid);
    return NULL;
  }
  if (!json_parser_get_root (parser)) {
    g_set_error_literal (error, RTC_PROTOCOL_ERROR,
        RTC_PROTOCOL_ERROR_MALFORMED, "empty document");
    return NULL;
  }
  return json_parser_steal_root (parser);
}
