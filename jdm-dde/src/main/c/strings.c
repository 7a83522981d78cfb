/* Paths, passwords and interned strings: helpers with no host state, done as nbdkit-plugin(3)
 * describes them. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

EXPORT char *
nbdkit_realpath (const char *path)
{
  if (path == NULL || *path == '\0') {
    jdm_report (CALLER, MSG_ERROR, "realpath: cannot resolve a null or empty path");
    errno = EINVAL;
    return NULL;
  }
  char *r = realpath (path, NULL);
  if (r == NULL)
    jdm_report (CALLER, MSG_ERROR, "realpath: %s: %m", path);
  return r;
}

/* Only prepends the working directory: the manual says it does not check that the file exists. */
EXPORT char *
nbdkit_absolute_path (const char *path)
{
  if (path == NULL || *path == '\0') {
    jdm_report (CALLER, MSG_ERROR, "cannot convert a null or empty path to an absolute path");
    errno = EINVAL;
    return NULL;
  }
  if (*path == '/')
    return strdup (path);
  char *cwd = getcwd (NULL, 0), *r = NULL;
  if (cwd == NULL) {
    jdm_report (CALLER, MSG_ERROR, "getcwd: %m");
    return NULL;
  }
  if (asprintf (&r, "%s/%s", cwd, path) < 0)
    r = NULL;
  free (cwd);
  return r;
}

static char *
read_all (void *caller, int fd, const char *what)
{
  size_t len = 0, cap = 256;
  char *buf = malloc (cap);
  ssize_t n;
  while (buf && (n = read (fd, buf + len, cap - len - 1)) != 0) {
    if (n < 0) {
      if (errno == EINTR)
        continue;
      jdm_report (caller, MSG_ERROR, "reading password from %s: %m", what);
      free (buf);
      return NULL;
    }
    len += n;
    if (cap - len < 2) {
      char *bigger = realloc (buf, cap *= 2);
      if (!bigger)
        free (buf);
      buf = bigger;
    }
  }
  if (!buf)
    return NULL;
  /* A password file usually ends with a newline that is not part of the password. */
  if (len > 0 && buf[len - 1] == '\n')
    len--;
  buf[len] = '\0';
  return buf;
}

/* password=SECRET, password=+FILE and password=-FD work; password=- would prompt on a terminal,
 * which plugins never have here. */
EXPORT int
nbdkit_read_password (const char *value, char **password)
{
  void *caller = CALLER;
  *password = NULL;
  if (strcmp (value, "-") == 0) {
    jdm_report (caller, MSG_ERROR, "password=-: cannot prompt for a password, plugins have no terminal here; use password=+FILE");
    errno = EINVAL;
    return -1;
  }
  if (value[0] == '+') {
    FILE *f = fopen (value + 1, "re");
    if (f == NULL) {
      jdm_report (caller, MSG_ERROR, "open: %s: %m", value + 1);
      return -1;
    }
    *password = read_all (caller, fileno (f), value + 1);
    fclose (f);
    return *password ? 0 : -1;
  }
  if (value[0] == '-') {
    char *end;
    long fd = strtol (value + 1, &end, 10);
    if (*end || end == value + 1 || fd < 3 || fd > INT_MAX) {
      jdm_report (caller, MSG_ERROR, "password=%s: expected -FD with a file descriptor of 3 or more", value);
      errno = EINVAL;
      return -1;
    }
    *password = read_all (caller, (int) fd, value);
    close ((int) fd);
    return *password ? 0 : -1;
  }
  *password = strdup (value);
  return *password ? 0 : -1;
}

/* Interned strings live until their plugin is unloaded, which is at least as long as the manual
 * promises (through .unload, or through .close when made inside a connection). */
struct interned {
  struct interned *next;
  void *owner;
  char text[];
};

static struct interned *interned;
static pthread_mutex_t interned_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *
intern (void *caller, const char *str, size_t n)
{
  size_t len = strnlen (str, n);
  struct interned *s = malloc (sizeof *s + len + 1);
  if (s == NULL) {
    jdm_report (caller, MSG_ERROR, "nbdkit_strdup_intern: %m");
    return NULL;
  }
  s->owner = jdm_nbdkit_object_base (caller);
  memcpy (s->text, str, len);
  s->text[len] = '\0';
  pthread_mutex_lock (&interned_lock);
  s->next = interned;
  interned = s;
  pthread_mutex_unlock (&interned_lock);
  return s->text;
}

EXPORT const char *
nbdkit_strdup_intern (const char *str)
{
  return intern (CALLER, str, SIZE_MAX);
}

EXPORT const char *
nbdkit_strndup_intern (const char *str, size_t n)
{
  return intern (CALLER, str, n);
}

/* Called by Java after a plugin's .unload, with the plugin's load address. */
EXPORT void
jdm_nbdkit_release_interned (void *owner)
{
  pthread_mutex_lock (&interned_lock);
  for (struct interned **p = &interned; *p; ) {
    struct interned *s = *p;
    if (s->owner == owner) {
      *p = s->next;
      free (s);
    }
    else
      p = &s->next;
  }
  pthread_mutex_unlock (&interned_lock);
}
