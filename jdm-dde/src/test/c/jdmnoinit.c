/* A shared object that looks like a plugin by name but has no plugin_init. */
#include "plugin-abi.h"

EXPORT int not_plugin_init (void) { return 0; }
