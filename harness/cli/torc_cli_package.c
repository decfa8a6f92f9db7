/*
 * torc_cli_package.c - `torc package` and `torc verify`: the submission
 * package a vendor hands over, and its check.
 *
 * Options only: the package is made by torc_package_make
 * (harness/results/torc_package.c) and checked by torc_package_verify
 * (harness/results/torc_package_verify.c); the layout and the manifest
 * are in torc_package.h and torc_manifest.h.  Both are handed the run's
 * waiver loader (harness/run/torc_waivers.c) to check a waiver file.
 */
#include "torc_cli.h"

#include <getopt.h>
#include <stdio.h>

#include "torc_package.h"
#include "torc_waivers.h"

static const char package_help[] =
    "Usage: torc package --results RESULTS.json --report DIR "
    "[--waivers FILE] -o PKG\n"
    "Bundle a run into a submission package: the folder PKG holding\n"
    "results.json, report/ (torc report's folder), waivers.json (when the\n"
    "run used a waiver file), package.json (the target with its driver and\n"
    "firmware, the host, the suite and vector-set digest, the claim) and\n"
    "MANIFEST (the SHA-256 and size of every other file).\n"
    "\n"
    "  --results FILE   the results of torc run --json, or of torc merge\n"
    "  --report DIR     the folder torc report -o wrote from them\n"
    "  --waivers FILE   the waiver file of the run (required when the run\n"
    "                   used one, refused when it did not)\n"
    "  -o, --output PKG the package folder to create (new, or empty)\n"
    "\n"
    "Ship it as one file with tar -cf PKG.tar PKG.  Check it with\n"
    "torc verify PKG.  Exit status: 0 written, 2 usage or input error (the\n"
    "message names the file), 5 the package could not be written.\n";

static const char verify_help[] =
    "Usage: torc verify PKG\n"
    "Check a submission package made by torc package: every member's\n"
    "SHA-256 and size against MANIFEST, nothing missing and nothing added,\n"
    "package.json and the results parse, the waiver file is there when the\n"
    "run used one, and the claim rendered again from the results is the\n"
    "one the package records.  MANIFEST.sig (a detached signature, room\n"
    "kept for later) is reported, not checked.\n"
    "\n"
    "Exit status: 0 verified, 6 tampered or mismatched (the message names\n"
    "the member), 2 usage error, or no package, or one that does not parse\n"
    "(malformed or unreadable).\n";

/* The run's waiver loader, for a file the package holds or will hold. */
static int check_waivers(const char *path, char *err, size_t n) {
  torc_waivers w = {NULL, 0};
  int rc = torc_waivers_load(path, &w, err, n);
  torc_waivers_free(&w);
  return rc == -1 ? -1 : 0; /* -2: expired since; it was not in the run */
}

int torc_cmd_package(int argc, char **argv) {
  static const struct option opts[] = {
      {"help", no_argument, NULL, 'h'},
      {"results", required_argument, NULL, 'r'},
      {"report", required_argument, NULL, 'p'},
      {"waivers", required_argument, NULL, 'w'},
      {"output", required_argument, NULL, 'o'},
      {NULL, 0, NULL, 0}};
  torc_package_opts o = {NULL, NULL, NULL, NULL, check_waivers};
  char err[2048], headline[64];
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
    switch (c) {
    case 'h':
      fputs(package_help, stdout);
      return TORC_EXIT_OK;
    case 'r':
      o.results = optarg;
      break;
    case 'p':
      o.report_dir = optarg;
      break;
    case 'w':
      o.waivers = optarg;
      break;
    case 'o':
      o.out = optarg;
      break;
    default:
      return torc_cli_usage_error(
          "package", "unknown option or missing value: '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc)
    return torc_cli_usage_error("package", "unexpected argument '%s'",
                                argv[optind]);
  if (!o.results || !o.report_dir || !o.out)
    return torc_cli_usage_error("package",
                                "--results, --report and -o are required");
  int rc = torc_package_make(&o, headline, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "torc package: %s\n", err);
    return rc == TORC_PACKAGE_EWRITE ? TORC_EXIT_OUTPUT : TORC_EXIT_USAGE;
  }
  printf("%s\n", o.out);
  fprintf(stderr, "torc package: %s: claim %s\n", o.out, headline);
  return TORC_EXIT_OK;
}

int torc_cmd_verify(int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  torc_verify_info vi;
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c == 'h') {
      fputs(verify_help, stdout);
      return TORC_EXIT_OK;
    }
    return torc_cli_usage_error("verify", "unknown option: '%s'",
                                argv[optind - 1]);
  }
  if (argc - optind != 1)
    return torc_cli_usage_error("verify", "expected one package folder");
  const char *dir = argv[optind];
  int rc = torc_package_verify(dir, check_waivers, stderr, &vi);
  if (rc == TORC_VERIFY_MALFORMED)
    return TORC_EXIT_USAGE;
  if (rc == TORC_VERIFY_TAMPERED) {
    fprintf(stderr, "torc verify: %s: NOT VERIFIED\n", dir);
    return TORC_EXIT_TAMPERED;
  }
  printf("%s: verified: %zu members, target %s, claim %s\n", dir, vi.members,
         vi.target, vi.headline);
  if (vi.signature)
    fprintf(stderr,
            "torc verify: %s/MANIFEST.sig is there but not checked "
            "(this torc checks no signatures)\n",
            dir);
  return TORC_EXIT_OK;
}
