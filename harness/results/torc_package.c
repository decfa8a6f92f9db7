/*
 * torc_package.c - makes a submission package (`torc package`).
 *
 * Called by harness/cli/torc_cli_package.c.  Reads and checks the inputs
 * first (the results parse and their recorded claim is the one their
 * verdicts give; the report folder holds report.html; the waiver file is
 * named exactly when the results say the run used one, and parses), then
 * creates the package folder, copies each member byte for byte while
 * hashing it, writes package.json (the target's identity, driver and
 * firmware included, the host, the suite and the claim) and writes
 * MANIFEST last (torc_manifest.c): a package without MANIFEST is no
 * package.  torc_package_verify.c checks what this writes; the layout is
 * in torc_package.h.
 */
#include "torc_package.h"

#include <errno.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "torc/target.h"
#include "torc_claim.h"
#include "torc_manifest.h"
#include "torc_results.h"
#include "torc_sha256.h"

typedef struct pkg_ctx {
  const torc_package_opts *o;
  torc_manifest m;
  char *err;
  size_t errlen;
} pkg_ctx;

static int input_err(pkg_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int input_err(pkg_ctx *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->err, c->errlen, fmt, ap);
  va_end(ap);
  return TORC_PACKAGE_EINPUT;
}

static int write_err(pkg_ctx *c, const char *path, int e) {
  snprintf(c->err, c->errlen, "%s: cannot write: %s", path, strerror(e));
  return TORC_PACKAGE_EWRITE;
}

/* Creates the folders of OUT/rel's parent. */
static int make_parents(pkg_ctx *c, const char *rel) {
  char path[4096];
  int n = snprintf(path, sizeof(path), "%s/%s", c->o->out, rel);
  if (n < 0 || (size_t)n >= sizeof(path))
    return write_err(c, rel, ENAMETOOLONG);
  for (char *p = path + strlen(c->o->out) + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
      return write_err(c, path, errno);
    *p = '/';
  }
  return 0;
}

/* Writes len bytes as OUT/rel (no member is written twice) and lists it
 * in the manifest. */
static int put_member(pkg_ctx *c, const char *rel, const void *buf,
                      size_t len) {
  char path[4096], hex[65];
  int rc = make_parents(c, rel);
  if (rc)
    return rc;
  snprintf(path, sizeof(path), "%s/%s", c->o->out, rel);
  FILE *f = fopen(path, "wbx");
  if (!f)
    return write_err(c, path, errno);
  size_t k = len ? fwrite(buf, 1, len, f) : 0;
  int e = k == len ? 0 : (errno ? errno : EIO);
  if (fflush(f) != 0 && !e)
    e = errno;
  if (fclose(f) != 0 && !e)
    e = errno;
  if (e)
    return write_err(c, path, e);
  torc_sha256_hex(buf, len, hex);
  if (torc_manifest_add(&c->m, rel, hex, (unsigned long long)len) != 0)
    return input_err(c, "%s: out of memory", rel);
  return 0;
}

/* Copies the file src into the package as rel. */
static int copy_member(pkg_ctx *c, const char *src, const char *rel) {
  size_t len = 0;
  char *buf = torc_file_read(src, &len);
  if (!buf)
    return input_err(c, "%s: cannot read: %s", src, strerror(errno));
  int rc = put_member(c, rel, buf, len);
  free(buf);
  return rc;
}

static const char *str_of(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

/* package.json's "target": the identity of what was judged. */
static json_t *target_identity(const json_t *t) {
  return json_pack(
      "{s:s, s:s, s:s, s:s, s:I, s:I}", "name", str_of(t, "name"), "version",
      str_of(t, "version"), "driver", str_of(t, "driver"), "firmware",
      str_of(t, "firmware"), "abi_version",
      json_integer_value(json_object_get(t, "abi_version")), "capabilities",
      json_integer_value(json_object_get(t, "capabilities")));
}

/* The host torc packages on: its version and system. */
static json_t *host_identity(void) {
  struct utsname u;
  if (uname(&u) != 0)
    memset(&u, 0, sizeof(u));
  return json_pack("{s:s, s:i, s:s, s:s, s:s}", "torc_version",
                   TORC_VERSION_STRING, "target_abi",
                   (int)TORC_TARGET_ABI_VERSION, "system", u.sysname, "release",
                   u.release, "machine", u.machine);
}

/* package.json's "suite": what the results were judged over. */
static json_t *suite_identity(const torc_results *rs) {
  const json_t *suite = torc_results_member(rs, "suite");
  return json_pack(
      "{s:s, s:s, s:s, s:b}", "torc_version",
      json_string_value(torc_results_member(rs, "torc_version"))
          ? json_string_value(torc_results_member(rs, "torc_version"))
          : "",
      "vector_set_digest",
      json_string_value(torc_results_member(rs, "vector_set_digest"))
          ? json_string_value(torc_results_member(rs, "vector_set_digest"))
          : "",
      "suite_digest", str_of(suite, "digest"), "is_suite",
      json_is_true(json_object_get(suite, "is_suite")));
}

/* The claim the results file at path records (torc_results_load drops it
 * to recompute it): a new reference, or NULL. */
static json_t *recorded_claim(const char *path) {
  json_t *doc = json_load_file(path, 0, NULL);
  json_t *claim = json_incref(json_object_get(doc, "claim"));
  json_decref(doc);
  return claim;
}

/* Checks the inputs before anything is written. */
static int check_inputs(pkg_ctx *c, torc_results *rs, json_t *claim) {
  const torc_package_opts *o = c->o;
  json_t *recorded = recorded_claim(o->results);
  int rc = 0;
  if (!recorded)
    rc = input_err(c,
                   "%s: $.claim: missing (not a results document of "
                   "torc run or torc merge)",
                   o->results);
  else if (!json_equal(recorded, claim))
    rc = input_err(c,
                   "%s: $.claim: records \"%s\", but its verdicts give "
                   "\"%s\" (edited?)",
                   o->results, torc_claim_headline(recorded),
                   torc_claim_headline(claim));
  json_decref(recorded);
  if (rc)
    return rc;
  int used = torc_results_member(rs, "waivers") != NULL;
  if (used && !o->waivers)
    return input_err(c,
                     "%s: $.waivers: the run used a waiver file: name it "
                     "with --waivers",
                     o->results);
  if (!used && o->waivers)
    return input_err(c,
                     "%s: the run used no waiver file, but --waivers %s "
                     "was given",
                     o->results, o->waivers);
  if (o->waivers && o->check_waivers &&
      o->check_waivers(o->waivers, c->err, c->errlen) != 0)
    return TORC_PACKAGE_EINPUT;
  return 0;
}

/* Creates the package folder: new, or an empty one. */
static int make_out(pkg_ctx *c) {
  if (mkdir(c->o->out, 0755) == 0)
    return 0;
  if (errno != EEXIST)
    return write_err(c, c->o->out, errno);
  char **v = NULL;
  size_t n = 0;
  struct stat st;
  if (stat(c->o->out, &st) != 0 || !S_ISDIR(st.st_mode))
    return input_err(c, "%s: exists and is not a folder", c->o->out);
  char m[4096], s[4096];
  snprintf(m, sizeof(m), "%s/%s", c->o->out, TORC_MANIFEST_FILE);
  snprintf(s, sizeof(s), "%s/%s", c->o->out, TORC_MANIFEST_SIG_FILE);
  if (access(m, F_OK) == 0 || access(s, F_OK) == 0 ||
      torc_dir_list(c->o->out, &v, &n, c->err, c->errlen) != 0 || n) {
    torc_dir_list_free(v, n);
    return input_err(c,
                     "%s: exists and is not empty (the package folder "
                     "must be new)",
                     c->o->out);
  }
  return 0;
}

static int copy_report(pkg_ctx *c, char **files, size_t n) {
  char src[4096], rel[4096];
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    snprintf(src, sizeof(src), "%s/%s", c->o->report_dir, files[i]);
    snprintf(rel, sizeof(rel), "%s/%s", TORC_PACKAGE_REPORT, files[i]);
    if (!torc_manifest_path_ok(rel))
      return input_err(c, "%s: name too long for a package member", src);
    rc = copy_member(c, src, rel);
  }
  return rc;
}

static int write_info(pkg_ctx *c, const torc_results *rs, json_t *claim) {
  char created[32];
  torc_results_now(created);
  json_t *info = json_pack(
      "{s:i, s:s, s:o, s:o, s:o, s:O, s:{s:s, s:s, s:o}}", "torc_package",
      TORC_PACKAGE_FORMAT, "created", created, "target",
      target_identity(torc_results_member(rs, "target")), "host",
      host_identity(), "suite", suite_identity(rs), "claim", claim, "members",
      "results", TORC_PACKAGE_RESULTS, "report", TORC_PACKAGE_REPORT, "waivers",
      c->o->waivers ? json_string(TORC_PACKAGE_WAIVERS) : json_null());
  char *text =
      info ? json_dumps(info, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
  json_decref(info);
  if (!text)
    return input_err(c, "%s: out of memory", TORC_PACKAGE_INFO);
  size_t len = strlen(text);
  char *t2 = realloc(text, len + 2);
  if (!t2) {
    free(text);
    return input_err(c, "%s: out of memory", TORC_PACKAGE_INFO);
  }
  t2[len] = '\n';
  t2[len + 1] = '\0';
  int rc = put_member(c, TORC_PACKAGE_INFO, t2, len + 1);
  free(t2);
  return rc;
}

/* MANIFEST, written last through a temporary name. */
static int write_manifest(pkg_ctx *c) {
  char path[4096], tmp[4200];
  if (torc_manifest_sort(&c->m) != 0)
    return input_err(c, "%s: a member is named twice", c->o->out);
  char *text = torc_manifest_format(&c->m);
  if (!text)
    return input_err(c, "%s: out of memory", TORC_MANIFEST_FILE);
  snprintf(path, sizeof(path), "%s/%s", c->o->out, TORC_MANIFEST_FILE);
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  FILE *f = fopen(tmp, "wb");
  size_t len = strlen(text);
  int e = 0;
  if (!f) {
    e = errno;
  } else {
    if (fwrite(text, 1, len, f) != len)
      e = errno ? errno : EIO;
    if (fflush(f) != 0 && !e)
      e = errno;
    if (fsync(fileno(f)) != 0 && !e)
      e = errno;
    if (fclose(f) != 0 && !e)
      e = errno;
  }
  free(text);
  if (!e && rename(tmp, path) != 0)
    e = errno;
  if (e) {
    unlink(tmp);
    return write_err(c, path, e);
  }
  return 0;
}

int torc_package_make(const torc_package_opts *o, char headline[64],
                      char *errbuf, size_t errlen) {
  pkg_ctx c = {o, {NULL, 0}, errbuf, errlen};
  torc_results *rs = NULL;
  json_t *claim = NULL;
  char **files = NULL;
  size_t nfiles = 0, i;
  int rc, has_html = 0;

  headline[0] = '\0';
  if (torc_results_load(o->results, &rs, errbuf, errlen) != 0)
    return TORC_PACKAGE_EINPUT;
  claim = torc_results_claim(rs);
  if (!claim) {
    rc = input_err(&c, "%s: out of memory", o->results);
    goto out;
  }
  if ((rc = check_inputs(&c, rs, claim)) != 0)
    goto out;
  if (torc_dir_list(o->report_dir, &files, &nfiles, errbuf, errlen) != 0) {
    rc = TORC_PACKAGE_EINPUT;
    goto out;
  }
  for (i = 0; i < nfiles; i++)
    has_html |= strcmp(files[i], "report.html") == 0;
  if (!has_html) {
    rc = input_err(&c,
                   "%s: no report.html (the folder torc report -o "
                   "wrote)",
                   o->report_dir);
    goto out;
  }
  if ((rc = make_out(&c)) != 0 ||
      (rc = copy_member(&c, o->results, TORC_PACKAGE_RESULTS)) != 0 ||
      (rc = copy_report(&c, files, nfiles)) != 0 ||
      (o->waivers &&
       (rc = copy_member(&c, o->waivers, TORC_PACKAGE_WAIVERS)) != 0))
    goto out;
  rc = write_info(&c, rs, claim);
  if (rc == 0)
    rc = write_manifest(&c);
  if (rc == 0)
    snprintf(headline, 64, "%s", torc_claim_headline(claim));
out:
  torc_dir_list_free(files, nfiles);
  torc_manifest_free(&c.m);
  json_decref(claim);
  torc_results_free(rs);
  return rc;
}
