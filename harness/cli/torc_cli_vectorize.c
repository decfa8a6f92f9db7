/*
 * torc_cli_vectorize.c - `torc vectorize`: parses its options and calls
 * the vectorizer (vectors/vectorizer/, torc_vectorize.h); and `torc list
 * --coverage`'s table, which the vectorizer library also computes.
 *
 * Usage errors (exit 2) are found here; everything after that - the
 * catalogue, the captures, the reference, the output folder - is the
 * library's, which prints its own "torc vectorize: ..." messages.
 */
#include "torc_cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_vectorize.h"

static const char vz_help[] =
    "Usage: torc vectorize CAPTURE... -o DIR [--seed N] [--flows FILTER]\n"
    "                      [--per-flow N] [--select K] [--catalogue FILE]\n"
    "Turn the TCP flows of pcap/pcapng captures into test vectors whose\n"
    "expected traces are computed by the reference target.\n"
    "\n"
    "  -o, --output DIR     output folder (replaced atomically)\n"
    "  --seed N             scenario seed (default 1)\n"
    "  --flows FILTER       keep directions matching all of src=A, dst=A,\n"
    "                       sport=P, dport=P (comma-separated; default:\n"
    "                       every direction carrying data)\n"
    "  --per-flow N         vectors per flow (default 40); with --select,\n"
    "                       candidates per flow\n"
    "  --select K           keep only a coverage-guided set: every decision\n"
    "                       outcome the candidates reach (because notes,\n"
    "                       pairs of them, kinds) in vectors of K different\n"
    "                       flows, or of all that reach it (K 1..8); writes\n"
    "                       DIR/selection.tsv\n"
    "  --catalogue FILE     requirement catalogue (default $TORC_CATALOGUE,\n"
    "                       ./conformance/catalogue.json, or the installed\n"
    "                       one): only testable ids\n"
    "  -q, --quiet          no per-capture summary\n"
    "\n"
    "Exit status: 0, or 2 on a usage error or an unreadable/malformed\n"
    "capture (the message names the file and the frame); DIR is untouched\n"
    "on error.\n";

/* --flows: "KEY=VALUE[,...]" with KEY src, dst, sport or dport (NULL: every
 * direction).  Returns 0 or -1. */
static int parse_filter(const char *s, torc_vectorize_filter *f) {
  char buf[512], *tok, *save = NULL;
  memset(f, 0, sizeof *f);
  f->sport = f->dport = -1;
  if (!s)
    return 0;
  if (strlen(s) >= sizeof buf)
    return -1;
  strcpy(buf, s);
  for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(tok, '=');
    unsigned long v;
    if (!eq)
      return -1;
    *eq++ = 0;
    if (strcmp(tok, "src") == 0 && strlen(eq) < sizeof f->src)
      strcpy(f->src, eq);
    else if (strcmp(tok, "dst") == 0 && strlen(eq) < sizeof f->dst)
      strcpy(f->dst, eq);
    else if (strcmp(tok, "sport") == 0 &&
             torc_cli_parse_uint(eq, 1, 65535, &v) == 0)
      f->sport = (long)v;
    else if (strcmp(tok, "dport") == 0 &&
             torc_cli_parse_uint(eq, 1, 65535, &v) == 0)
      f->dport = (long)v;
    else
      return -1;
  }
  return 0;
}

int torc_cmd_vectorize(int argc, char **argv) {
  static const struct option opts[] = {
      {"help", no_argument, NULL, 'h'},
      {"output", required_argument, NULL, 'o'},
      {"seed", required_argument, NULL, 's'},
      {"flows", required_argument, NULL, 'f'},
      {"per-flow", required_argument, NULL, 'n'},
      {"select", required_argument, NULL, 'k'},
      {"catalogue", required_argument, NULL, 'c'},
      {"quiet", no_argument, NULL, 'q'},
      {NULL, 0, NULL, 0}};
  const char *flows = NULL;
  unsigned long seed = 1, per_flow = 40, select = 0;
  torc_vectorize_opts o;
  int ch, i;

  memset(&o, 0, sizeof o);
  o.catalogue = torc_cli_default_catalogue();
  optind = 1;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
    switch (ch) {
    case 'h':
      fputs(vz_help, stdout);
      return TORC_EXIT_OK;
    case 'o':
      o.out = optarg;
      break;
    case 's':
      if (torc_cli_parse_uint(optarg, 0, 4503599627370495ul, &seed))
        return torc_cli_usage_error("vectorize",
                                    "--seed '%s': expected an "
                                    "integer",
                                    optarg);
      break;
    case 'f':
      flows = optarg;
      break;
    case 'n':
      if (torc_cli_parse_uint(optarg, 1, 100000, &per_flow))
        return torc_cli_usage_error("vectorize",
                                    "--per-flow '%s': expected "
                                    "1..100000",
                                    optarg);
      break;
    case 'k':
      if (torc_cli_parse_uint(optarg, 1, 8, &select))
        return torc_cli_usage_error("vectorize", "--select '%s': expected 1..8",
                                    optarg);
      break;
    case 'c':
      o.catalogue = optarg;
      break;
    case 'q':
      break;
    default:
      return torc_cli_usage_error("vectorize",
                                  "unknown option or missing value: '%s'",
                                  argv[optind - 1]);
    }
  }
  if (!o.out)
    return torc_cli_usage_error("vectorize", "-o DIR is required");
  if (optind >= argc)
    return torc_cli_usage_error("vectorize", "no capture given");
  if (parse_filter(flows, &o.flows) != 0)
    return torc_cli_usage_error("vectorize",
                                "--flows '%s': expected KEY=VALUE[,...] with "
                                "KEY src, dst, sport or dport",
                                flows);
  /* Quiet when -q or --quiet is one of the arguments, as written. */
  for (i = 1; i < argc; i++)
    if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0)
      o.quiet = 1;
  o.seed = seed;
  o.per_flow = (unsigned)per_flow;
  o.select = (unsigned)select;
  if (torc_vectorize((const char *const *)argv + optind,
                     (size_t)(argc - optind), &o) != 0)
    return TORC_EXIT_USAGE;
  return TORC_EXIT_OK;
}

/* `torc list --coverage` (torc_cli_list.c): the library's table, its
 * result as the exit status. */
int torc_cli_coverage(torc_vector *const *vs, size_t n, const char *catalogue) {
  switch (torc_vectorize_coverage(vs, n, catalogue)) {
  case TORC_COVERAGE_MET:
    return TORC_EXIT_OK;
  case TORC_COVERAGE_GAPS:
    return TORC_EXIT_FAIL;
  default:
    return TORC_EXIT_USAGE;
  }
}
