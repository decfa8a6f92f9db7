/*
 * torc_package.h - interface for a module to make and to verify a
 * submission package: what a vendor hands over to claim conformance.
 *
 * `torc package` (harness/cli/torc_cli_package.c) calls
 * torc_package_make (torc_package.c) with a results document (of a run,
 * or merged by torc merge), the report torc report wrote from it, and the
 * waiver file when the run used one; `torc verify` calls
 * torc_package_verify (torc_package_verify.c).  The package is a
 * directory, format 1:
 *
 *   MANIFEST        every other member's SHA-256 and size (torc_manifest.h)
 *   package.json    {"torc_package": 1, "created", "target" {name, version,
 *                   driver, firmware, abi_version, capabilities}, "host"
 *                   {torc_version, target_abi, system, release, machine},
 *                   "suite" {torc_version, vector_set_digest, suite_digest,
 *                   is_suite}, "claim" (torc_claim.h), "members" {results,
 *                   report, waivers}}
 *   results.json    the results document, byte for byte
 *   report/...      every file of the report folder, byte for byte
 *   waivers.json    the waiver file, only when the results say the run
 *                   used one
 *   MANIFEST.sig    kept for a detached signature over MANIFEST (not made
 *                   nor checked yet)
 *
 * To ship it as one file: tar -cf PKG.tar PKG (and tar -xf before torc
 * verify).
 */
#ifndef TORC_PACKAGE_H
#define TORC_PACKAGE_H

#include <stddef.h>
#include <stdio.h>

#define TORC_PACKAGE_FORMAT 1
#define TORC_PACKAGE_INFO "package.json"
#define TORC_PACKAGE_RESULTS "results.json"
#define TORC_PACKAGE_REPORT "report"
#define TORC_PACKAGE_WAIVERS "waivers.json"

/* Checks a waiver file (the run's own loader, handed in by the command so
 * that this library needs nothing of the run).  Returns 0 when it parses
 * (an expired waiver is fine: it was not when the run used it), or -1 with
 * "FILE: ...: problem" in errbuf. */
typedef int (*torc_package_waivers_check)(const char *path, char *errbuf,
                                          size_t errlen);

typedef struct torc_package_opts {
  const char *results;    /* the results document */
  const char *report_dir; /* torc report's output folder (report.html) */
  const char *waivers;    /* NULL: the run used none */
  const char *out;        /* the package folder to create (must not exist,
                           * or be empty) */
  torc_package_waivers_check check_waivers;
} torc_package_opts;

/* torc_package_make's failures: an input is missing, unreadable or
 * wrong; the package could not be written. */
#define TORC_PACKAGE_EINPUT (-1)
#define TORC_PACKAGE_EWRITE (-2)

/* Makes the package o->out.  Returns 0 (the claim's headline in headline,
 * 64 bytes), or TORC_PACKAGE_EINPUT / TORC_PACKAGE_EWRITE with the
 * problem, naming the file, in errbuf. */
int torc_package_make(const torc_package_opts *o, char headline[64],
                      char *errbuf, size_t errlen);

/* torc_package_verify's answers. */
#define TORC_VERIFY_OK 0
#define TORC_VERIFY_TAMPERED 1  /* a sum, a member or the claim differs */
#define TORC_VERIFY_MALFORMED 2 /* no package, or one that does not parse */

typedef struct torc_verify_info {
  size_t members;    /* members the manifest lists */
  int signature;     /* 1 when MANIFEST.sig is there (not checked) */
  char headline[64]; /* the claim (when verified) */
  char target[300];  /* "NAME VERSION" (when verified) */
} torc_verify_info;

/* Verifies the package folder dir: MANIFEST parses, each member it lists
 * is there with its size and SHA-256, nothing else is there, package.json
 * and the results parse, the waiver file is there exactly when the
 * results say the run used one and parses, and the claim rendered again
 * from the results (torc_claim_compute) equals the one package.json and
 * the results record, as do the target and the vector-set digest.  Every
 * problem is printed on log as "torc verify: DIR/MEMBER: problem".
 * Returns TORC_VERIFY_OK, _TAMPERED or _MALFORMED. */
int torc_package_verify(const char *dir, torc_package_waivers_check check,
                        FILE *log, torc_verify_info *info);

#endif /* TORC_PACKAGE_H */
