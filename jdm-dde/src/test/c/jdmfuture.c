/* A plugin from a future nbdkit: _api_version 3, which the environment must refuse. */
#include "plugin-abi.h"

static int token;
static void *fopen_ (int readonly) { (void) readonly; return &token; }
static int64_t get_size (void *h) { (void) h; return 512; }
static int fpread (void *h, void *b, uint32_t c, uint64_t o, uint32_t f) { (void) h; (void) b; (void) c; (void) o; (void) f; return 0; }

static struct nbdkit_plugin plugin = { .name = "jdmfuture", .open = fopen_, .get_size = get_size, .pread = fpread };

EXPORT struct nbdkit_plugin *
plugin_init (void)
{
  plugin._struct_size = sizeof plugin;
  plugin._api_version = 3;
  plugin._thread_model = NBDKIT_THREAD_MODEL_PARALLEL;
  return &plugin;
}
