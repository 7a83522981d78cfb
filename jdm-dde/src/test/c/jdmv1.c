/* An API 1 test plugin: a RAM disk whose data callbacks have no flags, and whose zero takes
 * int may_trim.  It claims native FUA, which API 1 cannot have (no flag reaches it), so the
 * environment must emulate FUA with a flush.  errno_is_preserved is 0: a failure reported only
 * through errno must come out as EIO.
 *   size=SIZE  fail-at=OFFSET  fail-set-error=1 (use nbdkit_set_error(ENOSPC) rather than errno) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plugin-abi.h"

static int64_t size = -1;
static int64_t fail_at = -1;
static unsigned fail_set_error;
static char *disk;

static int
config (const char *key, const char *value)
{
  if (strcmp (key, "size") == 0)
    return (size = nbdkit_parse_size (value)) == -1 ? -1 : 0;
  if (strcmp (key, "fail-at") == 0)
    return (fail_at = nbdkit_parse_size (value)) == -1 ? -1 : 0;
  if (strcmp (key, "fail-set-error") == 0)
    return nbdkit_parse_unsigned ("fail-set-error", value, &fail_set_error);
  nbdkit_error ("unknown parameter '%s'", key);
  return -1;
}

static int
config_complete (void)
{
  if (size < 0) {
    nbdkit_error ("you must give size=SIZE");
    return -1;
  }
  return (disk = calloc (1, size ? size : 1)) ? 0 : -1;
}

static void *vopen (int readonly) { (void) readonly; return disk; }
static int64_t get_size (void *h) { (void) h; return size; }
static int can_fua (void *h) { (void) h; return NBDKIT_FUA_NATIVE; }

static int
fails (uint32_t count, uint64_t offset)
{
  if (fail_at < 0 || (uint64_t) fail_at < offset || (uint64_t) fail_at >= offset + count)
    return 0;
  nbdkit_error ("v1 failure at %lld", (long long) fail_at);
  if (fail_set_error)
    nbdkit_set_error (ENOSPC);
  errno = ENOSPC;
  return 1;
}

static int
vpread (void *h, void *buf, uint32_t count, uint64_t offset)
{
  (void) h;
  if (fails (count, offset))
    return -1;
  memcpy (buf, disk + offset, count);
  return 0;
}

static int
vpwrite (void *h, const void *buf, uint32_t count, uint64_t offset)
{
  (void) h;
  if (fails (count, offset))
    return -1;
  memcpy (disk + offset, buf, count);
  nbdkit_debug ("pwrite");
  return 0;
}

static int vflush (void *h) { (void) h; nbdkit_debug ("flush"); return 0; }

static int
vtrim (void *h, uint32_t count, uint64_t offset)
{
  (void) h;
  memset (disk + offset, 0, count);
  nbdkit_debug ("trim");
  return 0;
}

static int
vzero (void *h, uint32_t count, uint64_t offset, int may_trim)
{
  (void) h;
  memset (disk + offset, 0, count);
  nbdkit_debug ("zero may_trim=%d", may_trim);
  return 0;
}

static struct nbdkit_plugin plugin = {
  .name = "jdmv1",
  .config = config,
  .config_complete = config_complete,
  .open = vopen,
  .get_size = get_size,
  .can_fua = can_fua,
  ._pread_v1 = vpread,
  ._pwrite_v1 = vpwrite,
  ._flush_v1 = vflush,
  ._trim_v1 = vtrim,
  ._zero_v1 = vzero,
};

EXPORT struct nbdkit_plugin *
plugin_init (void)
{
  plugin._struct_size = sizeof plugin;
  plugin._api_version = 1;
  plugin._thread_model = NBDKIT_THREAD_MODEL_SERIALIZE_REQUESTS;
  return &plugin;
}
