/* nbdkit's parsers for plugin parameters.  The messages are nbdkit's own wording, since plugins
 * rely on these functions to explain a bad parameter to the user (checked against nbdkit 1.32 by
 * ParseHelpersTest). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shim.h"

/* A decimal number with one optional suffix: b for bytes, s for 512-byte sectors, or k, m, g, t, p
 * and e for powers of 1024. */
EXPORT int64_t
nbdkit_parse_size (const char *str)
{
  void *caller = CALLER;
  char *end;
  errno = 0;
  intmax_t size = strtoimax (str, &end, 10);
  if (end == str) {
    jdm_report (caller, MSG_ERROR, "could not parse size string (%s)", str);
    return -1;
  }
  if (size < 0) {
    jdm_report (caller, MSG_ERROR, "size cannot be negative (%s)", str);
    return -1;
  }
  if (errno != 0) {
    jdm_report (caller, MSG_ERROR, "size (%s) exceeds maximum value", str);
    return -1;
  }
  int64_t scale = 1;
  const char *suffix = end;
  switch (*end) {
  case '\0': break;
  case 'b': case 'B': end++; break;
  case 's': case 'S': scale = 512; end++; break;
  default: {
    const char *powers = "kmgtpe", *p = *end ? strchr (powers, tolower ((unsigned char) *end)) : NULL;
    if (p != NULL) {
      for (const char *q = powers; q <= p; q++)
        scale *= 1024;
      end++;
    }
  }
  }
  if (*end != '\0') {
    jdm_report (caller, MSG_ERROR, "could not parse size: unknown suffix '%s'", suffix);
    return -1;
  }
  if (INT64_MAX / scale < size) {
    jdm_report (caller, MSG_ERROR, "overflow computing size (%s)", str);
    return -1;
  }
  return size * scale;
}

EXPORT int
nbdkit_parse_bool (const char *str)
{
  static const char *const yes[] = { "1", "true", "t", "yes", "y", "on", NULL };
  static const char *const no[] = { "0", "false", "f", "no", "n", "off", NULL };
  for (int i = 0; yes[i]; i++)
    if (strcasecmp (str, yes[i]) == 0)
      return 1;
  for (int i = 0; no[i]; i++)
    if (strcasecmp (str, no[i]) == 0)
      return 0;
  jdm_report (CALLER, MSG_ERROR, "could not decipher boolean (%s)", str);
  return -1;
}

/* strtoll/strtoull with base 0 (decimal, 0x hex, 0 octal), then nbdkit's checks in its order.
 * Returns false after reporting; *r is untouched on error, as the manual promises. */
static bool
parse_signed (void *caller, const char *what, const char *str, intmax_t min, intmax_t max, intmax_t *r)
{
  char *end;
  errno = 0;
  intmax_t v = strtoimax (str, &end, 0);
  if (errno == 0 && end != str && (v < min || v > max))
    errno = ERANGE;
  if (errno != 0) {
    jdm_report (caller, MSG_ERROR, "%s: could not parse number: \"%s\": %m", what, str);
    return false;
  }
  if (end == str) {
    jdm_report (caller, MSG_ERROR, "%s: empty string where we expected a number", what);
    return false;
  }
  if (*end != '\0') {
    jdm_report (caller, MSG_ERROR, "%s: could not parse number: \"%s\": trailing garbage", what, str);
    return false;
  }
  *r = v;
  return true;
}

static bool
parse_unsigned (void *caller, const char *what, const char *str, uintmax_t max, uintmax_t *r)
{
  /* strtoumax would quietly wrap "-1" round to the largest value. */
  const char *p = str;
  while (isspace ((unsigned char) *p))
    p++;
  if (*p == '-') {
    jdm_report (caller, MSG_ERROR, "%s: negative numbers are not allowed", what);
    return false;
  }
  char *end;
  errno = 0;
  uintmax_t v = strtoumax (str, &end, 0);
  if (errno == 0 && end != str && v > max)
    errno = ERANGE;
  if (errno != 0) {
    jdm_report (caller, MSG_ERROR, "%s: could not parse number: \"%s\": %m", what, str);
    return false;
  }
  if (end == str) {
    jdm_report (caller, MSG_ERROR, "%s: empty string where we expected a number", what);
    return false;
  }
  if (*end != '\0') {
    jdm_report (caller, MSG_ERROR, "%s: could not parse number: \"%s\": trailing garbage", what, str);
    return false;
  }
  *r = v;
  return true;
}

#define SIGNED(name, type, min, max)                                          \
  EXPORT int name (const char *what, const char *str, type *r)               \
  {                                                                           \
    intmax_t v;                                                               \
    if (!parse_signed (CALLER, what, str, min, max, &v))                      \
      return -1;                                                              \
    if (r)                                                                    \
      *r = (type) v;                                                          \
    return 0;                                                                 \
  }
#define UNSIGNED(name, type, max)                                             \
  EXPORT int name (const char *what, const char *str, type *r)               \
  {                                                                           \
    uintmax_t v;                                                              \
    if (!parse_unsigned (CALLER, what, str, max, &v))                         \
      return -1;                                                              \
    if (r)                                                                    \
      *r = (type) v;                                                          \
    return 0;                                                                 \
  }

SIGNED (nbdkit_parse_int, int, INT_MIN, INT_MAX)
SIGNED (nbdkit_parse_int8_t, int8_t, INT8_MIN, INT8_MAX)
SIGNED (nbdkit_parse_int16_t, int16_t, INT16_MIN, INT16_MAX)
SIGNED (nbdkit_parse_int32_t, int32_t, INT32_MIN, INT32_MAX)
SIGNED (nbdkit_parse_int64_t, int64_t, INT64_MIN, INT64_MAX)
UNSIGNED (nbdkit_parse_unsigned, unsigned, UINT_MAX)
UNSIGNED (nbdkit_parse_uint8_t, uint8_t, UINT8_MAX)
UNSIGNED (nbdkit_parse_uint16_t, uint16_t, UINT16_MAX)
UNSIGNED (nbdkit_parse_uint32_t, uint32_t, UINT32_MAX)
UNSIGNED (nbdkit_parse_uint64_t, uint64_t, UINT64_MAX)
