/*
 * load_smoke_int.h - what the parts of load_smoke share: the recording (the
 * host's state and text), the recording host's table, the script and the
 * codec fuzzing.
 *
 * load_smoke.c runs the commands, load_smoke_host.c is the recording host,
 * load_smoke_script.c the script, load_smoke_fuzz.c the codec fuzzing.
 */
#ifndef LOAD_SMOKE_INT_H
#define LOAD_SMOKE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "torc_load.h"
#include "torc_wire.h"

#define MAX_REQ 64

typedef struct req {
  uint64_t id;
  uint8_t *buf;
  uint32_t size, prefilled;
  int live;
} req;

typedef struct rec {
  char *text;
  size_t len, cap;
  size_t lines;
  torc_target *ops;
  void *conn;
  req reqs[MAX_REQ];
  int nreqs;
  uint64_t next_id;
  int reentrant_left;
  unsigned indications;
  uint64_t accepted[256];
  int naccepted;
  uint64_t upload_id;
  int has_upload;
  long allocs, outstanding, fail_at;
  uint8_t *bd; /* the BufferedData handed over, poisoned once offloaded */
  size_t bdlen;
} rec;

/* Appends one formatted line to the recording. */
void smoke_emit(rec *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Byte at stream offset o (offset 0 = first BufferedData byte). */
uint8_t smoke_stream_byte(uint32_t o);
/* The recording host's callbacks (ctx: the rec). */
torc_host_ops smoke_host_ops(void);

/* Posts one request of size bytes (why: what the recording says). */
uint32_t smoke_post(rec *r, uint32_t size, uint32_t prefilled, uint8_t push,
                    const char *why);
void smoke_free_reqs(rec *r);
/* Plays the script against ops once. */
void smoke_run_script(rec *r, torc_target *ops);

/* load_smoke fuzz N SEED; the exit status. */
int smoke_cmd_fuzz(long iters, unsigned long seed);
/* load_smoke validate HEX: the codec's verdict on one whole message. */
int smoke_cmd_validate(const char *hex);

#endif /* LOAD_SMOKE_INT_H */
