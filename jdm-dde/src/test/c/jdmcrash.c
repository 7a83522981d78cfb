/* An API 2 test plugin whose disk is a file it was handed as a descriptor, and which crashes once:
 *   fd=N             required: the file (the last 4096 bytes are the plugin's own, below)
 *   crash-write=N    the Nth pwrite dereferences NULL, unless the crash happened already
 * The export is the file less its last 4096 bytes, whose first byte records that the crash
 * happened (written and synced first): the plugin restarted after the crash, with the same
 * parameters, serves on instead of crashing again. Flush and FUA are fdatasync. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin-abi.h"

#define OWN 4096

static int fd = -1;
static int64_t size = -1;
static unsigned crash_write;
static atomic_uint writes;

static int
config (const char *key, const char *value)
{
  if (strcmp (key, "fd") == 0)
    return nbdkit_parse_int ("fd", value, &fd);
  if (strcmp (key, "crash-write") == 0)
    return nbdkit_parse_unsigned ("crash-write", value, &crash_write);
  nbdkit_error ("unknown parameter '%s'", key);
  return -1;
}

static int
config_complete (void)
{
  struct stat st;
  if (fd < 0) {
    nbdkit_error ("you must give fd=N");
    return -1;
  }
  if (fstat (fd, &st) == -1 || st.st_size <= OWN) {
    nbdkit_error ("fd=%d is not a file larger than %d bytes", fd, OWN);
    return -1;
  }
  size = (st.st_size - OWN) / 512 * 512;
  char crashed = 0;
  if (pread (fd, &crashed, 1, size) == 1 && crashed) {
    nbdkit_debug ("crashed once already: not again");
    crash_write = 0;
  }
  return 0;
}

static void *topen (int readonly) { (void) readonly; return &fd; }
static int64_t get_size (void *h) { (void) h; return size; }
static int can_fua (void *h) { (void) h; return NBDKIT_FUA_NATIVE; }
static int can_multi_conn (void *h) { (void) h; return 1; }

static int
all (ssize_t (*io) (int, void *, size_t, off_t), char *buf, uint32_t count, uint64_t offset)
{
  while (count > 0) {
    ssize_t n = io (fd, buf, count, offset);
    if (n <= 0) {
      if (n == 0)
        errno = EIO;
      nbdkit_error ("%s at %llu: %s", io == pread ? "pread" : "pwrite", (unsigned long long) offset, strerror (errno));
      return -1;
    }
    buf += n; count -= n; offset += n;
  }
  return 0;
}

static int
tpread (void *h, void *buf, uint32_t count, uint64_t offset, uint32_t flags)
{
  (void) h; (void) flags;
  return all (pread, buf, count, offset);
}

static int
tpwrite (void *h, const void *buf, uint32_t count, uint64_t offset, uint32_t flags)
{
  (void) h;
  if (crash_write && atomic_fetch_add (&writes, 1) + 1 == crash_write) {
    char one = 1;
    if (pwrite (fd, &one, 1, size) == 1 && fdatasync (fd) == 0) {
      volatile char *nowhere = NULL;
      *nowhere = 1;
    }
  }
  if (all ((ssize_t (*) (int, void *, size_t, off_t)) pwrite, (char *) buf, count, offset) == -1)
    return -1;
  return (flags & NBDKIT_FLAG_FUA) ? fdatasync (fd) : 0;
}

static int
tflush (void *h, uint32_t flags)
{
  (void) h; (void) flags;
  return fdatasync (fd);
}

static struct nbdkit_plugin plugin = {
  .name = "jdmcrash",
  .version = "1.0",
  .config = config,
  .config_complete = config_complete,
  .open = topen,
  .get_size = get_size,
  .can_fua = can_fua,
  .can_multi_conn = can_multi_conn,
  .pread = tpread,
  .pwrite = tpwrite,
  .flush = tflush,
  .errno_is_preserved = 1,
};

EXPORT struct nbdkit_plugin *
plugin_init (void)
{
  plugin._struct_size = sizeof plugin;
  plugin._api_version = 2;
  plugin._thread_model = NBDKIT_THREAD_MODEL_PARALLEL;
  return &plugin;
}
