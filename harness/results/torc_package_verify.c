/*
 * torc_package_verify.c - checks a submission package (`torc verify`).
 *
 * Called by harness/cli/torc_cli_package.c on a folder torc_package.c
 * made.  First the sums: MANIFEST parses (torc_manifest.c), the folder
 * holds exactly the members it lists (nothing missing, nothing added, no
 * link) and each has its size and SHA-256; a difference is tampering, and
 * nothing of a tampered package is read further.  Then the contents:
 * package.json and the results parse (else the package is malformed), the
 * waiver file is there exactly when the results say the run used one, and
 * the claim rendered again from the results (torc_claim_compute) is the
 * one both package.json and the results record, for the target and the
 * vector set package.json names.  Every problem is printed, naming the
 * member.
 */
#include "torc_package.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "torc_claim.h"
#include "torc_manifest.h"
#include "torc_results.h"
#include "torc_sha256.h"

typedef struct verify_ctx {
  const char *dir;
  FILE *log;
  int status; /* the worst so far */
} verify_ctx;

static void problem(verify_ctx *c, int status, const char *member,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void problem(verify_ctx *c, int status, const char *member,
                    const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (c->log)
    fprintf(c->log, "torc verify: %s%s%s: %s\n", c->dir, member ? "/" : "",
            member ? member : "", msg);
  if (status == TORC_VERIFY_MALFORMED ||
      (status == TORC_VERIFY_TAMPERED && c->status == TORC_VERIFY_OK))
    c->status = status;
}

/* The member's bytes against its manifest entry. */
static void check_member(verify_ctx *c, const torc_manifest_entry *e) {
  char path[4096], hex[65];
  size_t len = 0;
  snprintf(path, sizeof(path), "%s/%s", c->dir, e->path);
  char *buf = torc_file_read(path, &len);
  if (!buf) {
    problem(c, TORC_VERIFY_MALFORMED, e->path, "cannot read: %s",
            strerror(errno));
    return;
  }
  torc_sha256_hex(buf, len, hex);
  free(buf);
  if ((unsigned long long)len != e->size)
    problem(c, TORC_VERIFY_TAMPERED, e->path,
            "%zu bytes, MANIFEST says %llu (changed)", len, e->size);
  else if (strcmp(hex, e->sha256) != 0)
    problem(c, TORC_VERIFY_TAMPERED, e->path,
            "SHA-256 %s, MANIFEST says %s (changed)", hex, e->sha256);
}

/* The folder's files against the manifest (both sorted). */
static void check_sums(verify_ctx *c, const torc_manifest *m, char **files,
                       size_t n) {
  size_t i = 0, k = 0;
  while (i < m->n || k < n) {
    int d = i == m->n ? 1 : k == n ? -1 : strcmp(m->v[i].path, files[k]);
    if (d < 0) {
      problem(c, TORC_VERIFY_TAMPERED, m->v[i].path,
              "missing (MANIFEST lists it)");
      i++;
    } else if (d > 0) {
      problem(c, TORC_VERIFY_TAMPERED, files[k],
              "not in MANIFEST (added to the package)");
      k++;
    } else {
      check_member(c, &m->v[i]);
      i++;
      k++;
    }
  }
}

static const char *str_of(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

/* package.json's "target" and "suite" against the results'. */
static void check_identity(verify_ctx *c, const json_t *info,
                           const torc_results *rs) {
  static const char *const keys[] = {"name", "version", "driver", "firmware"};
  const json_t *pt = json_object_get(info, "target");
  const json_t *rt = torc_results_member(rs, "target");
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    if (strcmp(str_of(pt, keys[i]), str_of(rt, keys[i])) != 0)
      problem(c, TORC_VERIFY_TAMPERED, TORC_PACKAGE_INFO,
              "$.target.%s: \"%s\", the results say \"%s\"", keys[i],
              str_of(pt, keys[i]), str_of(rt, keys[i]));
  if (json_integer_value(json_object_get(pt, "capabilities")) !=
      json_integer_value(json_object_get(rt, "capabilities")))
    problem(c, TORC_VERIFY_TAMPERED, TORC_PACKAGE_INFO,
            "$.target.capabilities: not the results' ones");
  const char *pd = str_of(json_object_get(info, "suite"), "vector_set_digest");
  const char *rd =
      json_string_value(torc_results_member(rs, "vector_set_digest"));
  if (strcmp(pd, rd ? rd : "") != 0)
    problem(c, TORC_VERIFY_TAMPERED, TORC_PACKAGE_INFO,
            "$.suite.vector_set_digest: %s, the results say %s", pd,
            rd ? rd : "(none)");
}

/* The claim the results file at path records (torc_results_load drops it
 * to recompute it): a new reference, or NULL. */
static json_t *recorded_claim(const char *path) {
  json_t *doc = json_load_file(path, 0, NULL);
  json_t *claim = json_incref(json_object_get(doc, "claim"));
  json_decref(doc);
  return claim;
}

/* A recorded claim (where: the member) against the one rendered again. */
static void check_claim(verify_ctx *c, const char *where,
                        const json_t *recorded, const json_t *claim) {
  if (!json_is_object(recorded)) {
    problem(c, TORC_VERIFY_MALFORMED, where, "$.claim: missing");
  } else if (!json_equal(recorded, claim)) {
    const char *a = torc_claim_headline(recorded),
               *b = torc_claim_headline(claim);
    if (strcmp(a, b) != 0)
      problem(c, TORC_VERIFY_TAMPERED, where,
              "$.claim: records \"%s\", the results give \"%s\"", a, b);
    else
      problem(c, TORC_VERIFY_TAMPERED, where,
              "$.claim: records \"%s\" with other reasons, exit status or "
              "lists than the results give",
              a);
  }
}

/* package.json: parses, and is format 1.  Returns it (owned) or NULL. */
static json_t *load_info(verify_ctx *c) {
  char path[4096];
  json_error_t je;
  snprintf(path, sizeof(path), "%s/%s", c->dir, TORC_PACKAGE_INFO);
  json_t *info = json_load_file(path, 0, &je);
  if (!info) {
    problem(c, TORC_VERIFY_MALFORMED, TORC_PACKAGE_INFO, "line %d: %s", je.line,
            je.text);
    return NULL;
  }
  const json_t *fmt = json_object_get(info, "torc_package");
  const char *bad = NULL;
  if (!json_is_object(info))
    bad = "$: not an object";
  else if (!json_is_integer(fmt))
    bad = "$.torc_package: missing (not a torc package)";
  else if (json_integer_value(fmt) != TORC_PACKAGE_FORMAT)
    bad = "$.torc_package: a format this torc does not read (it reads 1)";
  else if (!json_is_object(json_object_get(info, "target")))
    bad = "$.target: not an object";
  else if (!json_is_object(json_object_get(info, "suite")))
    bad = "$.suite: not an object";
  else if (!json_is_object(json_object_get(info, "claim")))
    bad = "$.claim: not an object";
  if (bad) {
    problem(c, TORC_VERIFY_MALFORMED, TORC_PACKAGE_INFO, "%s", bad);
    json_decref(info);
    return NULL;
  }
  return info;
}

/* The waiver file: there exactly when the run used one, and parses. */
static void check_waivers(verify_ctx *c, const torc_manifest *m,
                          const torc_results *rs,
                          torc_package_waivers_check check) {
  int used = torc_results_member(rs, "waivers") != NULL;
  int there = torc_manifest_find(m, TORC_PACKAGE_WAIVERS) != NULL;
  char path[4096], err[1024];
  if (used && !there)
    problem(c, TORC_VERIFY_TAMPERED, TORC_PACKAGE_WAIVERS,
            "missing: the results say the run used a waiver file");
  if (!used && there)
    problem(c, TORC_VERIFY_TAMPERED, TORC_PACKAGE_WAIVERS,
            "present, but the results say the run used no waiver file");
  if (there && check) {
    snprintf(path, sizeof(path), "%s/%s", c->dir, TORC_PACKAGE_WAIVERS);
    if (check(path, err, sizeof(err)) != 0)
      problem(c, TORC_VERIFY_MALFORMED, TORC_PACKAGE_WAIVERS, "%s", err);
  }
}

/* The contents of a package whose sums hold. */
static void check_contents(verify_ctx *c, const torc_manifest *m,
                           torc_package_waivers_check check,
                           torc_verify_info *vi) {
  static const char *const need[] = {TORC_PACKAGE_INFO, TORC_PACKAGE_RESULTS,
                                     TORC_PACKAGE_REPORT "/report.html"};
  char path[4096], err[1024];
  torc_results *rs = NULL;
  for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
    if (!torc_manifest_find(m, need[i]))
      problem(c, TORC_VERIFY_MALFORMED, need[i],
              "not in the package (MANIFEST does not list it): not a torc "
              "package");
  if (c->status != TORC_VERIFY_OK)
    return;
  json_t *info = load_info(c);
  snprintf(path, sizeof(path), "%s/%s", c->dir, TORC_PACKAGE_RESULTS);
  if (torc_results_load(path, &rs, err, sizeof(err)) != 0) {
    /* err starts with the path already. */
    if (c->log)
      fprintf(c->log, "torc verify: %s\n", err);
    c->status = TORC_VERIFY_MALFORMED;
  }
  if (info && rs) {
    json_t *claim = torc_results_claim(rs);
    if (!claim) {
      problem(c, TORC_VERIFY_MALFORMED, TORC_PACKAGE_RESULTS, "out of memory");
    } else {
      check_claim(c, TORC_PACKAGE_INFO, json_object_get(info, "claim"), claim);
      json_t *rc = recorded_claim(path);
      check_claim(c, TORC_PACKAGE_RESULTS, rc, claim);
      json_decref(rc);
      check_identity(c, info, rs);
      check_waivers(c, m, rs, check);
      snprintf(vi->headline, sizeof(vi->headline), "%s",
               torc_claim_headline(claim));
      const json_t *t = torc_results_member(rs, "target");
      snprintf(vi->target, sizeof(vi->target), "%.127s %.127s",
               str_of(t, "name"), str_of(t, "version"));
    }
    json_decref(claim);
  }
  torc_results_free(rs);
  json_decref(info);
}

int torc_package_verify(const char *dir, torc_package_waivers_check check,
                        FILE *log, torc_verify_info *vi) {
  verify_ctx c = {dir, log, TORC_VERIFY_OK};
  torc_manifest m = {NULL, 0};
  char path[4096], err[1024], **files = NULL;
  size_t len = 0, nfiles = 0;
  struct stat st;

  memset(vi, 0, sizeof(*vi));
  if (stat(dir, &st) != 0) {
    problem(&c, TORC_VERIFY_MALFORMED, NULL, "cannot read: %s",
            strerror(errno));
    return c.status;
  }
  if (!S_ISDIR(st.st_mode)) {
    problem(&c, TORC_VERIFY_MALFORMED, NULL,
            "not a folder (a package is a folder; tar -xf a .tar first)");
    return c.status;
  }
  snprintf(path, sizeof(path), "%s/%s", dir, TORC_MANIFEST_FILE);
  char *text = torc_file_read(path, &len);
  if (!text) {
    problem(&c, TORC_VERIFY_MALFORMED, TORC_MANIFEST_FILE,
            "cannot read: %s (not a torc package?)", strerror(errno));
    return c.status;
  }
  int rc = torc_manifest_parse(path, text, len, &m, err, sizeof(err));
  free(text);
  if (rc != 0) {
    if (log)
      fprintf(log, "torc verify: %s\n", err);
    return TORC_VERIFY_MALFORMED;
  }
  vi->members = m.n;
  snprintf(path, sizeof(path), "%s/%s", dir, TORC_MANIFEST_SIG_FILE);
  vi->signature = access(path, F_OK) == 0;
  if (torc_dir_list(dir, &files, &nfiles, err, sizeof(err)) != 0) {
    if (log)
      fprintf(log, "torc verify: %s\n", err);
    c.status = TORC_VERIFY_TAMPERED;
  } else {
    check_sums(&c, &m, files, nfiles);
    torc_dir_list_free(files, nfiles);
  }
  if (c.status == TORC_VERIFY_OK)
    check_contents(&c, &m, check, vi);
  torc_manifest_free(&m);
  return c.status;
}
