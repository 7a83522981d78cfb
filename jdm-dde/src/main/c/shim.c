/* Binding to Java, messages, errors, extents and the connection facts plugins may ask for. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "shim.h"

struct jdm_nbdkit_upcalls jdm_upcalls;

/* Plugins loaded through the current binding. The shim is loaded once per process (plugins
   bind to the first copy of each nbdkit_* symbol), so a second environment in the process
   rebinds it, which is safe only while no plugin of the first is loaded. */
static int jdm_plugins;

EXPORT int
jdm_nbdkit_bind (const struct jdm_nbdkit_upcalls *upcalls)
{
  if (__atomic_load_n (&jdm_plugins, __ATOMIC_SEQ_CST) > 0)
    return -1;
  jdm_upcalls = *upcalls;
  return 0;
}

/* Adds delta to the count of loaded plugins and returns the new count. */
EXPORT int
jdm_nbdkit_plugins (int delta)
{
  return __atomic_add_fetch (&jdm_plugins, delta, __ATOMIC_SEQ_CST);
}

/* The load address of the shared object that holds addr: Java knows each plugin by it. */
EXPORT void *
jdm_nbdkit_object_base (void *addr)
{
  Dl_info info;
  return dladdr (addr, &info) ? info.dli_fbase : NULL;
}

void
jdm_vreport (void *caller, int level, const char *fmt, va_list ap)
{
  int saved = errno;
  char *text = NULL;
  if (vasprintf (&text, fmt, ap) < 0)
    text = NULL;
  if (jdm_upcalls.message)
    jdm_upcalls.message (jdm_nbdkit_object_base (caller), level, text ? text : fmt);
  free (text);
  errno = saved;
}

void
jdm_report (void *caller, int level, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  jdm_vreport (caller, level, fmt, ap);
  va_end (ap);
}

EXPORT void
nbdkit_error (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  jdm_vreport (CALLER, MSG_ERROR, fmt, ap);
  va_end (ap);
}

EXPORT void
nbdkit_debug (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  jdm_vreport (CALLER, MSG_DEBUG, fmt, ap);
  va_end (ap);
}

/* Not imported by any Debian plugin, but it is how nbdkit-plugin(3) tells plugins to return an
 * errno, so every plugin written from the manual needs it. */
EXPORT void
nbdkit_set_error (int err)
{
  int saved = errno;
  jdm_upcalls.set_error (err);
  errno = saved;
}

EXPORT int
nbdkit_add_extent (void *extents, uint64_t offset, uint64_t length, uint32_t type)
{
  int err = jdm_upcalls.add_extent (extents, offset, length, type);
  if (err == 0)
    return 0;
  errno = err;
  return -1;
}

/* Plugins only reach these two through cleanup code shared with filters; a plugin cannot create
 * either object (nbdkit_extents_new is filter-only), so there is never anything to free. */
EXPORT void nbdkit_extents_free (void *extents) { (void) extents; }
EXPORT void nbdkit_exports_free (void *exports) { (void) exports; }

/* Export lists are asked for only through .list_exports, which the environment never calls. */
EXPORT int
nbdkit_add_export (void *exports, const char *name, const char *description)
{
  (void) exports; (void) description;
  jdm_report (CALLER, MSG_ERROR, "nbdkit_add_export: export lists are not supported (export %s)", name);
  errno = ENOTSUP;
  return -1;
}

EXPORT int
nbdkit_use_default_export (void *exports)
{
  (void) exports;
  jdm_report (CALLER, MSG_ERROR, "nbdkit_use_default_export: export lists are not supported");
  errno = ENOTSUP;
  return -1;
}

EXPORT const char *
nbdkit_export_name (void)
{
  return jdm_upcalls.export_name ();
}

/* There is no TLS and no client socket underneath a plugin here: the NBD server, if any, is jdm's
 * own, in another layer. */
EXPORT int nbdkit_is_tls (void) { return 0; }

EXPORT int
nbdkit_peer_name (struct sockaddr *addr, socklen_t *addrlen)
{
  (void) addr; (void) addrlen;
  jdm_report (CALLER, MSG_ERROR, "nbdkit_peer_name: the plugin has no client socket in this environment");
  errno = ENOTSOCK;
  return -1;
}

/* stdin and stdout belong to the host, never to a plugin (as under nbdkit -s). */
EXPORT int nbdkit_stdio_safe (void) { return 0; }
