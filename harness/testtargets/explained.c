/*
 * explained.c - test target: the reference with its explain hook set on
 * every connection (torc_reference_explain(), reference/torc_why.h), as the
 * built-in reference runs inside the vectorizer and `torc explain`.
 *
 * A shared-object target never has the hook set, so without this target
 * the half of the reference that writes the notes (every TORC_WHY, the
 * push timer's remembered reasons, torc_why.c) is run by no vector in
 * the coverage build (reference/module.mk, check-reference-coverage).
 * The hook is not a sink: every note must have one of the shapes of the
 * notes the vectors carry in their because (RCV-001 ... RCV-320, DEC-nn, a
 * wire note Wn, a box or connector of shared/spec/delivery-algorithm.md,
 * a decision Dn=yes / Dn=no), and every upcall that reports to the host
 * (the completions, indications, events, offload and terminate
 * completions) must come right after notes were handed over, none of them
 * empty (issue 12: every expected event says why).  A breach is logged
 * and the target aborts, so the vector is a CRASH and the coverage run
 * fails.  Expected: every committed vector PASSes as through the
 * reference.
 */
#include <ctype.h>
#include <stdio.h>

#include "tt_wrap.h"

typedef struct {
  int explained; /* notes were handed over since the last upcall */
} explained_state;

static void breach(tt *t, const char *what, const char *tag) {
  char msg[200];
  snprintf(msg, sizeof msg, "explained: %s%s%.40s%s", what, tag ? " \"" : "",
           tag ? tag : "", tag ? "\"" : "");
  t->host->log(t->host_ctx, 0, msg);
  abort();
}

/* n digits exactly at s, then the end of the string or '='. */
static int digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i]))
      return 0;
  return 1;
}

static int well_formed(const char *tag) {
  size_t len = strlen(tag);
  if (strncmp(tag, "RCV-", 4) == 0) {
    int id = len == 7 && digits(tag + 4, 3) ? atoi(tag + 4) : 0;
    return id >= 1 && id <= 320;
  }
  if (strncmp(tag, "DEC-", 4) == 0)
    return len == 6 && digits(tag + 4, 2);
  if (tag[0] == 'D' && len >= 2) { /* a decision: Dn=yes or Dn=no */
    const char *eq = strchr(tag, '=');
    if (eq == NULL || eq == tag + 1 || !digits(tag + 1, (size_t)(eq - tag - 1)))
      return 0;
    return strcmp(eq, "=yes") == 0 || strcmp(eq, "=no") == 0;
  }
  /* A wire note (W1 ...), a box (E1, P1, J4) or a connector (A, B). */
  if (len < 1 || len > 3 || !isupper((unsigned char)tag[0]))
    return 0;
  return digits(tag + 1, len - 1);
}

static void hook(void *ctx, const char *const *because, uint32_t n) {
  tt *t = ctx;
  explained_state *s = t->state;
  if (n == 0)
    breach(t, "a host call explained by no note", NULL);
  for (uint32_t i = 0; i < n; i++)
    if (because[i] == NULL || !well_formed(because[i]))
      breach(t, "a malformed note", because[i] ? because[i] : "(null)");
  s->explained = 1;
}

/* Each upcall the host judges must follow a hand-over of notes. */
static void explained_upcall(tt *t) {
  explained_state *s = t->state;
  if (!s->explained)
    breach(t, "an upcall without notes", NULL);
  s->explained = 0;
}

static void up_offload_complete(void *ctx, uint64_t h, uint32_t st) {
  explained_upcall(ctx);
  tt_up_offload_complete(ctx, h, st);
}
static void up_receive_complete(void *ctx, uint64_t h, const torc_completion *c,
                                uint32_t n) {
  explained_upcall(ctx);
  tt_up_receive_complete(ctx, h, c, n);
}
static uint32_t up_receive_indicate(void *ctx, uint64_t h, uint64_t id,
                                    uint32_t st, const torc_fragment *f,
                                    uint32_t n, uint32_t *consumed) {
  explained_upcall(ctx);
  return tt_up_receive_indicate(ctx, h, id, st, f, n, consumed);
}
static void up_event(void *ctx, uint64_t h, uint32_t e, uint32_t info) {
  explained_upcall(ctx);
  tt_up_event(ctx, h, e, info);
}
static void up_terminate_complete(void *ctx, uint64_t h, uint32_t st,
                                  const torc_upload_state *u) {
  explained_upcall(ctx);
  tt_up_terminate_complete(ctx, h, st, u);
}

static void customize(torc_host_ops *up) {
  up->initiate_offload_complete = up_offload_complete;
  up->receive_complete = up_receive_complete;
  up->receive_indicate = up_receive_indicate;
  up->event_indicate = up_event;
  up->terminate_offload_complete = up_terminate_complete;
}

static int open_explained(void *ud, uint64_t h, void **out) {
  tt *t = ud;
  int rc = tt_conn_open(ud, h, out);
  if (rc == 0 && torc_reference_explain(*out, hook, t) != 0)
    return -1;
  return rc;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  explained_state *s = calloc(1, sizeof(*s));
  if (s == NULL) {
    strcpy(errbuf, "explained: out of memory");
    return -1;
  }
  tt *t = tt_init(host_abi_version, host, host_ctx, out, errbuf, "explained",
                  customize);
  if (t == NULL) {
    free(s);
    return -1;
  }
  t->state = s;
  out->conn_open = open_explained;
  return 0;
}
