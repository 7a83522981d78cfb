/* The jdm side of nbdkit's plugin ABI: what the shim's files share.
 *
 * Plugins are built against nbdkit-plugin.h and import a handful of nbdkit_* functions from the
 * server.  This shim is that server half: loaded RTLD_GLOBAL before any plugin, it defines those
 * functions, doing the pure ones (parsing, paths, interned strings) here and handing everything
 * that concerns the host (messages, errors, extents, the export name) to Java through the upcalls
 * that jdm_nbdkit_bind installs.  docs/dde-nbdkit.md lists every function and why it is here. */
#ifndef JDM_NBDKIT_SHIM_H
#define JDM_NBDKIT_SHIM_H

#include <stdarg.h>
#include <stdint.h>

#define EXPORT __attribute__((visibility("default")))

/* The caller of an exported function, so that a message is filed under the plugin that sent it
 * even when it comes from a thread the plugin started itself. */
#define CALLER __builtin_return_address(0)

enum { MSG_ERROR = 0, MSG_DEBUG = 1 };

/* Filled in by Java (NativeShim) before the first plugin is loaded; never changed afterwards. */
struct jdm_nbdkit_upcalls {
  void (*message) (void *caller_base, int level, const char *text);
  void (*set_error) (int err);
  /* Returns 0, or a positive errno after reporting the reason itself. */
  int (*add_extent) (void *extents, uint64_t offset, uint64_t length, uint32_t type);
  /* The export name of the connection being opened on this thread, or NULL after an error. */
  const char *(*export_name) (void);
};

extern struct jdm_nbdkit_upcalls jdm_upcalls;

/* The load address of the shared object holding addr, or NULL. */
void *jdm_nbdkit_object_base (void *addr);

/* nbdkit_error for one caller; keeps errno as the plugin left it, since plugins often report an
 * error first and return -1 with errno still meaning the failure. */
void jdm_report (void *caller, int level, const char *fmt, ...)
  __attribute__((format (printf, 3, 4)));
void jdm_vreport (void *caller, int level, const char *fmt, va_list ap)
  __attribute__((format (printf, 3, 0)));

#endif
