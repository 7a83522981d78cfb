/* struct nbdkit_plugin and the server functions the test plugins use, written out from
 * nbdkit-plugin(3) and nbdkit 1.32's layout so that the tests need no nbdkit-plugin-dev.
 * Both API versions' data callbacks are named here: _v1 for the first group, plain for API 2's. */
#ifndef JDM_TEST_PLUGIN_ABI_H
#define JDM_TEST_PLUGIN_ABI_H

#include <stdint.h>

#define NBDKIT_THREAD_MODEL_SERIALIZE_CONNECTIONS  0
#define NBDKIT_THREAD_MODEL_SERIALIZE_ALL_REQUESTS 1
#define NBDKIT_THREAD_MODEL_SERIALIZE_REQUESTS     2
#define NBDKIT_THREAD_MODEL_PARALLEL               3

#define NBDKIT_FLAG_MAY_TRIM  (1 << 0)
#define NBDKIT_FLAG_FUA       (1 << 1)
#define NBDKIT_FLAG_REQ_ONE   (1 << 2)
#define NBDKIT_FLAG_FAST_ZERO (1 << 3)
#define NBDKIT_FUA_NONE    0
#define NBDKIT_FUA_EMULATE 1
#define NBDKIT_FUA_NATIVE  2
#define NBDKIT_EXTENT_HOLE (1 << 0)
#define NBDKIT_EXTENT_ZERO (1 << 1)

struct nbdkit_extents;

struct nbdkit_plugin {
  uint64_t _struct_size;
  int _api_version;
  int _thread_model;
  const char *name, *longname, *version, *description;
  void (*load) (void);
  void (*unload) (void);
  int (*config) (const char *key, const char *value);
  int (*config_complete) (void);
  const char *config_help;
  void *(*open) (int readonly);
  void (*close) (void *handle);
  int64_t (*get_size) (void *handle);
  int (*can_write) (void *handle);
  int (*can_flush) (void *handle);
  int (*is_rotational) (void *handle);
  int (*can_trim) (void *handle);
  int (*_pread_v1) (void *handle, void *buf, uint32_t count, uint64_t offset);
  int (*_pwrite_v1) (void *handle, const void *buf, uint32_t count, uint64_t offset);
  int (*_flush_v1) (void *handle);
  int (*_trim_v1) (void *handle, uint32_t count, uint64_t offset);
  int (*_zero_v1) (void *handle, uint32_t count, uint64_t offset, int may_trim);
  int errno_is_preserved;
  void (*dump_plugin) (void);
  int (*can_zero) (void *handle);
  int (*can_fua) (void *handle);
  int (*pread) (void *handle, void *buf, uint32_t count, uint64_t offset, uint32_t flags);
  int (*pwrite) (void *handle, const void *buf, uint32_t count, uint64_t offset, uint32_t flags);
  int (*flush) (void *handle, uint32_t flags);
  int (*trim) (void *handle, uint32_t count, uint64_t offset, uint32_t flags);
  int (*zero) (void *handle, uint32_t count, uint64_t offset, uint32_t flags);
  const char *magic_config_key;
  int (*can_multi_conn) (void *handle);
  int (*can_extents) (void *handle);
  int (*extents) (void *handle, uint32_t count, uint64_t offset, uint32_t flags, struct nbdkit_extents *extents);
  int (*can_cache) (void *handle);
  int (*cache) (void *handle, uint32_t count, uint64_t offset, uint32_t flags);
  int (*thread_model) (void);
  int (*can_fast_zero) (void *handle);
  int (*preconnect) (int readonly);
  int (*get_ready) (void);
  int (*after_fork) (void);
  void *list_exports, *default_export, *export_description;
  void (*cleanup) (void);
  void *block_size;
};

extern void nbdkit_error (const char *fmt, ...) __attribute__((format (printf, 1, 2)));
extern void nbdkit_debug (const char *fmt, ...) __attribute__((format (printf, 1, 2)));
extern void nbdkit_set_error (int err);
extern int64_t nbdkit_parse_size (const char *str);
extern int nbdkit_parse_unsigned (const char *what, const char *str, unsigned *r);
extern int nbdkit_parse_int (const char *what, const char *str, int *r);
extern int nbdkit_add_extent (struct nbdkit_extents *, uint64_t offset, uint64_t length, uint32_t type);
extern const char *nbdkit_export_name (void);
extern const char *nbdkit_strdup_intern (const char *str);

#define EXPORT __attribute__((visibility("default")))

#endif
