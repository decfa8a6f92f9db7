/*
 * torc_vectorize_select.c - coverage-guided selection of the vectors
 * `torc vectorize --select K` keeps.
 *
 * Every candidate the run wrote (torc_vectorize_vector.c) is noted here
 * with its flow, its kind and the decision outcomes its expected trace
 * reaches: each note of each event's because (flowchart boxes and their
 * outcomes, wire-path branches W1..W24 of reference/torc_input.c, RCV and
 * DEC rules), each pair of consecutive box/branch notes within one because
 * (the outcome in the context of the step before it), the kind itself,
 * what the host sees of each call (the call with its statuses or answer,
 * alone and after the call before it: "host:complete:REQUEST_ABORTED",
 * "host:event:DISCONNECT>event:ABORT") and each other reading of
 * docs/DECISIONS.md whose trace differs ("reading:NAME", from the
 * candidate's alternatives).
 * Once every capture is done, a greedy set cover keeps, for every such
 * outcome, candidates from K different flows (or from all the flows whose
 * candidates reach it, when fewer): at each step the candidate adding the
 * most (outcome, new flow) pairs still wanted, ties going to the earliest
 * written.  The rest are deleted.  Deterministic for a given seed: the
 * candidates and their order depend on nothing else.  selection.tsv, next
 * to the vectors, lists every outcome with the flows its candidates reach
 * and the flows the kept vectors reach, so a reader sees what the corpus
 * reaches and what it does not.
 */
#include "torc_vectorize_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_because.h"

#define MAX_SELECT 8

enum { T_NOTE = 0, T_PAIR = 1, T_KIND = 2, T_STR = 3 };
#define TOKEN(kind, v) (((uint32_t)(kind) << 24) | (uint32_t)(v))

typedef struct cand {
  char *path;    /* relative to the output folder */
  unsigned flow; /* run-wide flow number */
  int kind;
  uint32_t *tok; /* token indices after vz_select_finish's mapping */
  size_t ntok;
  int kept;
} cand;

struct vz_select {
  unsigned k;
  cand *c;
  size_t n, cap;
  char **str; /* names of the T_STR tokens (owned) */
  size_t nstr, capstr;
};

vz_select *torc_vz_select_new(unsigned k) {
  vz_select *s = calloc(1, sizeof *s);
  if (s)
    s->k = k > MAX_SELECT ? MAX_SELECT : k;
  return s;
}

void torc_vz_select_free(vz_select *s) {
  size_t i;
  if (!s)
    return;
  for (i = 0; i < s->n; i++) {
    free(s->c[i].path);
    free(s->c[i].tok);
  }
  for (i = 0; i < s->nstr; i++)
    free(s->str[i]);
  free(s->str);
  free(s->c);
  free(s);
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Sorts and deduplicates t[0..n); returns the new n. */
static size_t uniq(uint32_t *t, size_t n) {
  size_t i, m = 0;
  qsort(t, n, sizeof *t, cmp_u32);
  for (i = 0; i < n; i++)
    if (m == 0 || t[m - 1] != t[i])
      t[m++] = t[i];
  return m;
}

/* The T_STR token of name (interned), or UINT32_MAX when out of memory. */
static uint32_t intern(vz_select *s, const char *name) {
  size_t i;
  for (i = 0; i < s->nstr; i++)
    if (strcmp(s->str[i], name) == 0)
      return TOKEN(T_STR, (uint32_t)i);
  if (s->nstr == s->capstr) {
    size_t nc = s->capstr ? 2 * s->capstr : 64;
    char **g = realloc(s->str, nc * sizeof *g);
    if (!g)
      return UINT32_MAX;
    s->str = g;
    s->capstr = nc;
  }
  if (!(s->str[s->nstr] = strdup(name)))
    return UINT32_MAX;
  return TOKEN(T_STR, (uint32_t)s->nstr++);
}

/* What the host sees of one trace event, in a few words: the call and its
 * statuses or answer ("complete:SUCCESS+UPLOAD_IN_PROGRESS", "event:ABORT",
 * "indicate:NOT_ACCEPTED", "terminate:SUCCESS"). */
static void host_pattern(json_t *ev, char *buf, size_t n) {
  const char *e = json_string_value(json_object_get(ev, "ev"));
  const char *st[4] = {0};
  size_t ns = 0, i, k;
  json_t *r;
  e = e ? e : "?";
  if (strcmp(e, "complete") == 0) {
    json_array_foreach(json_object_get(ev, "requests"), i, r) {
      const char *v = json_string_value(json_object_get(r, "status"));
      for (k = 0; v && k < ns && strcmp(st[k], v) != 0; k++)
        ;
      if (v && k == ns && ns < 4)
        st[ns++] = v;
    }
    snprintf(buf, n, "host:complete:%s%s%s%s%s%s%s", ns > 0 ? st[0] : "",
             ns > 1 ? "+" : "", ns > 1 ? st[1] : "", ns > 2 ? "+" : "",
             ns > 2 ? st[2] : "", ns > 3 ? "+" : "", ns > 3 ? st[3] : "");
  } else if (strcmp(e, "event") == 0) {
    const char *v = json_string_value(json_object_get(ev, "event"));
    snprintf(buf, n, "host:event:%s", v ? v : "?");
  } else if (strcmp(e, "indicate") == 0) {
    const char *v = json_string_value(json_object_get(ev, "answer"));
    snprintf(buf, n, "host:indicate:%s", v ? v : "SUCCESS");
  } else {
    const char *v = json_string_value(json_object_get(ev, "status"));
    snprintf(buf, n, "host:%s:%s", e, v ? v : "");
  }
}

int torc_vz_select_note(vz_select *s, const char *relpath, unsigned flow,
                        int kind, json_t *trace, json_t *alternatives) {
  size_t i, j, n = 0, cap = 64;
  uint32_t *t = malloc(cap * sizeof *t);
  json_t *ev;
  cand *c;
  char prevh[96] = "", cur[96], both[200];
  if (!t)
    return -1;
  t[n++] = TOKEN(T_KIND, (uint32_t)kind);
  /* The readings whose trace differs (DECISIONS.md): each reading is an
   * outcome too, so the corpus keeps vectors that tell it apart. */
  json_array_foreach(alternatives, i, ev) {
    const char *a = json_string_value(json_object_get(ev, "allowance"));
    if (a && n + 1 <= cap) {
      snprintf(both, sizeof both, "reading:%s", a);
      if ((t[n] = intern(s, both)) == UINT32_MAX) {
        free(t);
        return -1;
      }
      n++;
    }
  }
  json_array_foreach(trace, i, ev) {
    json_t *b = json_object_get(ev, "because"), *x;
    torc_because prev = 0;
    /* The host-visible call and the one before it. */
    host_pattern(ev, cur, sizeof cur);
    snprintf(both, sizeof both, "%s>%s", prevh[0] ? prevh : "host:start",
             cur + 5);
    if (n + 2 > cap) {
      uint32_t *g = realloc(t, 2 * cap * sizeof *t);
      if (!g) {
        free(t);
        return -1;
      }
      t = g;
      cap *= 2;
    }
    if ((t[n++] = intern(s, cur)) == UINT32_MAX ||
        (t[n++] = intern(s, both)) == UINT32_MAX) {
      free(t);
      return -1;
    }
    snprintf(prevh, sizeof prevh, "%s", cur);
    json_array_foreach(b, j, x) {
      torc_because code = torc_because_parse(json_string_value(x));
      if (!code)
        continue;
      if (n + 2 > cap) {
        uint32_t *g = realloc(t, 2 * cap * sizeof *t);
        if (!g) {
          free(t);
          return -1;
        }
        t = g;
        cap *= 2;
      }
      t[n++] = TOKEN(T_NOTE, code);
      if (code < 1000) { /* a box, a decision or a wire branch */
        if (prev)
          t[n++] = TOKEN(T_PAIR, ((uint32_t)prev << 12) | code);
        prev = code;
      }
    }
  }
  if (s->n == s->cap) {
    size_t nc = s->cap ? 2 * s->cap : 256;
    cand *g = realloc(s->c, nc * sizeof *g);
    if (!g) {
      free(t);
      return -1;
    }
    s->c = g;
    s->cap = nc;
  }
  c = &s->c[s->n];
  memset(c, 0, sizeof *c);
  c->path = strdup(relpath);
  if (!c->path) {
    free(t);
    return -1;
  }
  c->flow = flow;
  c->kind = kind;
  c->tok = t;
  c->ntok = uniq(t, n);
  s->n++;
  return 0;
}

/* The name of a token into buf. */
static void token_name(const vz_select *sel, uint32_t tk, char *buf, size_t n) {
  char a[16], b[16];
  switch (tk >> 24) {
  case T_NOTE:
    torc_because_name((torc_because)(tk & 0xffffff), buf, n);
    break;
  case T_PAIR:
    torc_because_name((torc_because)((tk >> 12) & 0xfff), a, sizeof a);
    torc_because_name((torc_because)(tk & 0xfff), b, sizeof b);
    snprintf(buf, n, "%s>%s", a, b);
    break;
  case T_STR:
    snprintf(buf, n, "%s", sel->str[tk & 0xffffff]);
    break;
  default:
    snprintf(buf, n, "kind:%s", torc_vz_kind_name((int)(tk & 0xffffff), 0));
  }
}

/* Per token: the flows reaching it among the candidates, and among the
 * kept ones (up to k each, distinct). */
typedef struct tstate {
  uint32_t tok;
  unsigned want; /* min(k, flows among candidates) */
  unsigned flows[MAX_SELECT];
  unsigned nflows;
  unsigned all; /* distinct flows among all candidates */
  unsigned last_flow;
} tstate;

static int has_flow(const tstate *t, unsigned flow) {
  unsigned i;
  for (i = 0; i < t->nflows; i++)
    if (t->flows[i] == flow)
      return 1;
  return 0;
}

int torc_vz_select_finish(vz_select *s, const char *dir, int quiet,
                          size_t *kept, size_t *per_kind) {
  uint32_t *all = NULL;
  tstate *ts = NULL;
  size_t nall = 0, i, j, ntok, nkept = 0;
  char path[4096], name[48];
  FILE *f;
  int rc = 0;

  for (i = 0; i < s->n; i++)
    nall += s->c[i].ntok;
  all = malloc((nall ? nall : 1) * sizeof *all);
  if (!all)
    return -1;
  nall = 0;
  for (i = 0; i < s->n; i++)
    for (j = 0; j < s->c[i].ntok; j++)
      all[nall++] = s->c[i].tok[j];
  ntok = uniq(all, nall);
  ts = calloc(ntok ? ntok : 1, sizeof *ts);
  if (!ts) {
    free(all);
    return -1;
  }
  for (i = 0; i < ntok; i++) {
    ts[i].tok = all[i];
    ts[i].last_flow = (unsigned)-1;
  }
  /* Tokens to indices; distinct flows per token (candidates are noted in
   * flow order, so a flow's candidates are consecutive). */
  for (i = 0; i < s->n; i++) {
    cand *c = &s->c[i];
    for (j = 0; j < c->ntok; j++) {
      uint32_t *p = bsearch(&c->tok[j], all, ntok, sizeof *all, cmp_u32);
      tstate *t = &ts[p - all];
      c->tok[j] = (uint32_t)(p - all);
      if (t->last_flow != c->flow) {
        t->last_flow = c->flow;
        t->all++;
      }
    }
  }
  for (i = 0; i < ntok; i++)
    ts[i].want = ts[i].all < s->k ? ts[i].all : s->k;

  /* Greedy: the candidate adding the most wanted (token, flow) pairs. */
  for (;;) {
    size_t best = s->n;
    unsigned best_gain = 0;
    for (i = 0; i < s->n; i++) {
      cand *c = &s->c[i];
      unsigned gain = 0;
      if (c->kept)
        continue;
      for (j = 0; j < c->ntok; j++) {
        const tstate *t = &ts[c->tok[j]];
        if (t->nflows < t->want && !has_flow(t, c->flow))
          gain++;
      }
      if (gain > best_gain) {
        best_gain = gain;
        best = i;
      }
    }
    if (best == s->n)
      break;
    s->c[best].kept = 1;
    nkept++;
    for (j = 0; j < s->c[best].ntok; j++) {
      tstate *t = &ts[s->c[best].tok[j]];
      if (t->nflows < t->want && !has_flow(t, s->c[best].flow))
        t->flows[t->nflows++] = s->c[best].flow;
    }
  }

  memset(per_kind, 0, K_COUNT * sizeof *per_kind);
  for (i = 0; i < s->n; i++)
    if (s->c[i].kept)
      per_kind[s->c[i].kind]++;
  for (i = 0; i < s->n; i++)
    if (!s->c[i].kept) {
      snprintf(path, sizeof path, "%s/%s", dir, s->c[i].path);
      if (remove(path) != 0)
        rc = -1;
    }

  snprintf(path, sizeof path, "%s/selection.tsv", dir);
  f = fopen(path, "w");
  if (!f) {
    rc = -1;
  } else {
    size_t met = 0;
    fprintf(f,
            "# selection.tsv - what `torc vectorize --select %u` kept: "
            "%zu of %zu candidates.\n",
            s->k, nkept, s->n);
    fputs("# Per decision outcome (a because note: box=outcome, wire "
          "branch W, rule;\n# a pair of consecutive box notes A>B; a "
          "kind; a host call host:...; a\n# reading), the flows whose "
          "candidates reach it and the flows whose kept\n# vectors do (at "
          "most the selection's K).\n",
          f);
    fputs("outcome\tcandidate_flows\tkept_flows\n", f);
    for (i = 0; i < ntok; i++) {
      token_name(s, ts[i].tok, name, sizeof name);
      fprintf(f, "%s\t%u\t%u\n", name, ts[i].all, ts[i].nflows);
      if (ts[i].nflows >= s->k)
        met++;
    }
    if (fclose(f) != 0)
      rc = -1;
    if (!quiet)
      fprintf(stderr,
              "torc vectorize: selection kept %zu of %zu candidates; %zu of "
              "%zu outcomes reached in >= %u flows, the rest in every flow "
              "that reaches them\n",
              nkept, s->n, met, ntok, s->k);
  }
  *kept = nkept;
  free(ts);
  free(all);
  return rc;
}
