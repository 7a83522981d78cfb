/* An API 2 test plugin: a RAM disk with knobs for what the environment must get right.
 *   size=SIZE            required
 *   crash-write=N        the Nth pwrite dereferences NULL (the crash test)
 *   thread-model=N       what .thread_model answers (default: PARALLEL, as declared)
 *   delay-us=N           every pread and pwrite sleeps, so that overlap can be seen
 *   fail-at=OFFSET       requests touching OFFSET fail ...
 *   fail-errno=E         ... with errno E (default EIO) ...
 *   fail-how=set_error|errno|none   ... via nbdkit_set_error, errno, or neither
 *   zero=native|enotsup  .zero works, or always fails with ENOTSUP
 *   extents=good|gap|backwards      a valid map, or one that breaks nbdkit_add_extent's rules
 * Debug messages tell the tests what the plugin saw: flushes, FUA, the most requests in flight,
 * the export name. With -DTRUNCATED the struct ends before magic_config_key, so its .extents and
 * .thread_model must read as absent. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin-abi.h"

static int64_t size = -1;
static unsigned crash_write, delay_us;
static int thread_model = NBDKIT_THREAD_MODEL_PARALLEL;
static int64_t fail_at = -1;
static int fail_errno = EIO;
static const char *fail_how = "set_error";
static const char *zero_mode = "native";
static const char *extents_mode = "good";
static char *disk;
static atomic_uint writes;
static atomic_int inflight, max_inflight;

static int
config (const char *key, const char *value)
{
  if (strcmp (key, "size") == 0)
    return (size = nbdkit_parse_size (value)) == -1 ? -1 : 0;
  if (strcmp (key, "crash-write") == 0)
    return nbdkit_parse_unsigned ("crash-write", value, &crash_write);
  if (strcmp (key, "delay-us") == 0)
    return nbdkit_parse_unsigned ("delay-us", value, &delay_us);
  if (strcmp (key, "thread-model") == 0)
    return nbdkit_parse_int ("thread-model", value, &thread_model);
  if (strcmp (key, "fail-at") == 0)
    return (fail_at = nbdkit_parse_size (value)) == -1 ? -1 : 0;
  if (strcmp (key, "fail-errno") == 0)
    return nbdkit_parse_int ("fail-errno", value, &fail_errno);
  if (strcmp (key, "fail-how") == 0) {
    fail_how = nbdkit_strdup_intern (value);
    return 0;
  }
  if (strcmp (key, "zero") == 0) {
    zero_mode = nbdkit_strdup_intern (value);
    return 0;
  }
  if (strcmp (key, "extents") == 0) {
    extents_mode = nbdkit_strdup_intern (value);
    return 0;
  }
  nbdkit_error ("unknown parameter '%s'", key);
  return -1;
}

static int
config_complete (void)
{
  if (size == -1) {
    nbdkit_error ("you must give size=SIZE");
    return -1;
  }
  disk = calloc (1, size ? size : 1);
  return disk ? 0 : -1;
}

static int get_thread_model (void) { return thread_model; }

static void *
topen (int readonly)
{
  nbdkit_debug ("open readonly=%d export=%s", readonly, nbdkit_export_name ());
  return disk;
}

static void
tclose (void *h)
{
  (void) h;
  nbdkit_debug ("max-inflight=%d", atomic_load (&max_inflight));
}

static int64_t get_size (void *h) { (void) h; return size; }
static int can_fua (void *h) { (void) h; return NBDKIT_FUA_NATIVE; }
static int can_fast_zero (void *h) { (void) h; return 1; }
static int can_multi_conn (void *h) { (void) h; return 1; }

static int
fails (uint32_t count, uint64_t offset)
{
  if (fail_at < 0 || (uint64_t) fail_at < offset || (uint64_t) fail_at >= offset + count)
    return 0;
  nbdkit_error ("injected failure at %lld", (long long) fail_at);
  if (strcmp (fail_how, "set_error") == 0)
    nbdkit_set_error (fail_errno);
  else if (strcmp (fail_how, "errno") == 0)
    errno = fail_errno;
  else
    errno = 0;
  return 1;
}

static void
enter (void)
{
  int now = atomic_fetch_add (&inflight, 1) + 1, max = atomic_load (&max_inflight);
  while (now > max && !atomic_compare_exchange_weak (&max_inflight, &max, now))
    ;
  if (delay_us)
    usleep (delay_us);
}

static void leave (void) { atomic_fetch_sub (&inflight, 1); }

static int
tpread (void *h, void *buf, uint32_t count, uint64_t offset, uint32_t flags)
{
  (void) h; (void) flags;
  if (fails (count, offset))
    return -1;
  enter ();
  memcpy (buf, disk + offset, count);
  leave ();
  return 0;
}

static int
tpwrite (void *h, const void *buf, uint32_t count, uint64_t offset, uint32_t flags)
{
  (void) h;
  if (crash_write && atomic_fetch_add (&writes, 1) + 1 == crash_write) {
    volatile char *nowhere = NULL;
    *nowhere = 1;
  }
  if (fails (count, offset))
    return -1;
  enter ();
  memcpy (disk + offset, buf, count);
  leave ();
  if (flags & NBDKIT_FLAG_FUA)
    nbdkit_debug ("pwrite fua");
  return 0;
}

static int
tflush (void *h, uint32_t flags)
{
  (void) h;
  nbdkit_debug ("flush flags=%u", flags);
  return 0;
}

static int
ttrim (void *h, uint32_t count, uint64_t offset, uint32_t flags)
{
  (void) h;
  nbdkit_debug ("trim flags=%u", flags);
  memset (disk + offset, 0, count);
  return 0;
}

static int
tzero (void *h, uint32_t count, uint64_t offset, uint32_t flags)
{
  (void) h;
  nbdkit_debug ("zero flags=%u", flags);
  if (strcmp (zero_mode, "enotsup") == 0) {
    nbdkit_set_error (ENOTSUP);
    return -1;
  }
  memset (disk + offset, 0, count);
  return 0;
}

/* Data in the first half, a hole in the second. */
static int
textents (void *h, uint32_t count, uint64_t offset, uint32_t flags, struct nbdkit_extents *e)
{
  (void) h; (void) count; (void) offset; (void) flags;
  uint64_t half = size / 2;
  if (strcmp (extents_mode, "gap") == 0)
    return nbdkit_add_extent (e, 0, half, 0) == -1 || nbdkit_add_extent (e, half + 1, size - half - 1, 3) == -1 ? -1 : 0;
  if (strcmp (extents_mode, "backwards") == 0)
    return nbdkit_add_extent (e, half, size - half, 3) == -1 || nbdkit_add_extent (e, 0, half, 0) == -1 ? -1 : 0;
  return nbdkit_add_extent (e, 0, half, 0) == -1 || nbdkit_add_extent (e, half, size - half, 3) == -1 ? -1 : 0;
}

static struct nbdkit_plugin plugin = {
  .name = "jdmtest",
  .version = "1.0",
  .config = config,
  .config_complete = config_complete,
  .magic_config_key = "size",
  .thread_model = get_thread_model,
  .open = topen,
  .close = tclose,
  .get_size = get_size,
  .can_fua = can_fua,
  .can_fast_zero = can_fast_zero,
  .can_multi_conn = can_multi_conn,
  .pread = tpread,
  .pwrite = tpwrite,
  .flush = tflush,
  .trim = ttrim,
  .zero = tzero,
  .extents = textents,
  .errno_is_preserved = 1,
};

EXPORT struct nbdkit_plugin *
plugin_init (void)
{
#ifdef TRUNCATED
  plugin._struct_size = __builtin_offsetof (struct nbdkit_plugin, magic_config_key);
  plugin.name = "jdmshort";
#else
  plugin._struct_size = sizeof plugin;
#endif
  plugin._api_version = 2;
  plugin._thread_model = NBDKIT_THREAD_MODEL_PARALLEL;
  return &plugin;
}
