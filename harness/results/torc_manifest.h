/*
 * torc_manifest.h - interface for a module to read and write the manifest
 * of a submission package (torc package / torc verify), and to list and
 * hash the files of a package directory.
 *
 * The package (torc_package.c makes it, torc_package_verify.c checks it)
 * is a directory whose file MANIFEST lists every other member with its
 * SHA-256 and size.  The format, version 1, one line each, ending "\n":
 *
 *   torc-package-manifest 1
 *   sha256 <64 lowercase hex> <size in decimal> <path>
 *   ...
 *
 * Paths are relative, "/"-separated, made of [A-Za-z0-9._+-] components
 * that are neither "." nor "..", listed in strictly increasing byte order
 * (so once each).  MANIFEST itself and MANIFEST.sig are never listed:
 * MANIFEST.sig is the place kept for a detached signature over MANIFEST's
 * bytes (not made nor checked by this version; torc verify says it is
 * there).  A newer format changes the header's number.
 */
#ifndef TORC_MANIFEST_H
#define TORC_MANIFEST_H

#include <stddef.h>

#define TORC_MANIFEST_FILE "MANIFEST"
#define TORC_MANIFEST_SIG_FILE "MANIFEST.sig"
#define TORC_MANIFEST_HEADER "torc-package-manifest 1"
/* Longest path of a member, and deepest folder nesting. */
#define TORC_MANIFEST_MAX_PATH 255
#define TORC_MANIFEST_MAX_DEPTH 8

typedef struct torc_manifest_entry {
  char *path; /* (owned) */
  char sha256[65];
  unsigned long long size;
} torc_manifest_entry;

typedef struct torc_manifest {
  torc_manifest_entry *v; /* (owned) sorted by path */
  size_t n;
} torc_manifest;

/* Parses manifest text (len bytes, not NUL-terminated).  Returns 0, or -1
 * with "NAME:LINE: problem" in errbuf (m then empty). */
int torc_manifest_parse(const char *name, const char *text, size_t len,
                        torc_manifest *m, char *errbuf, size_t errlen);
void torc_manifest_free(torc_manifest *m);

/* Adds an entry (path copied); entries may come in any order. */
int torc_manifest_add(torc_manifest *m, const char *path, const char sha256[65],
                      unsigned long long size);
/* Sorts the entries; -1 when a path is there twice or is not valid. */
int torc_manifest_sort(torc_manifest *m);
/* The entry of path, or NULL. */
const torc_manifest_entry *torc_manifest_find(const torc_manifest *m,
                                              const char *path);
/* The text of m (malloc'd, NUL-terminated), or NULL when out of memory. */
char *torc_manifest_format(const torc_manifest *m);

/* 1 when path is a valid member path (the rules above), else 0. */
int torc_manifest_path_ok(const char *path);

/* Reads the whole regular file at path (malloc'd, *len bytes; a NUL
 * follows).  Returns NULL with errno set when it cannot. */
char *torc_file_read(const char *path, size_t *len);

/* The files under the directory root, as relative paths (each malloc'd,
 * sorted), into *out and *n; MANIFEST and MANIFEST.sig at the top are left
 * out.  Folders are entered (at most TORC_MANIFEST_MAX_DEPTH deep);
 * anything neither a regular file nor a folder (a symbolic link, ...) and
 * any name that is no valid member path is a problem.  Returns 0; -1 with
 * "ROOT/PATH: problem" in errbuf. */
int torc_dir_list(const char *root, char ***out, size_t *n, char *errbuf,
                  size_t errlen);
void torc_dir_list_free(char **v, size_t n);

#endif /* TORC_MANIFEST_H */
