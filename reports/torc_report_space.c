/*
 * torc_report_space.c - the SVG of a vector's sequence space: BufferedData
 * left of RcvNxt, frames as they arrive, where posted requests should be
 * filled, and what was delivered where, expected above actual.
 *
 * Drawn by the failure article (torc_report_failure.c) beside the sequence
 * diagram; a byte divergence (torc_report_hex.c reads it) marks the actual
 * delivery holding it.  The receive window at offload is drawn on top: its
 * left edge RcvNxt and its right edge RcvNxt + RcvWnd, RcvWnd read from the
 * record's context, else from the vector file the record names, else the
 * schema's default (said so in the picture); frames reaching past the right
 * edge are outlined red.
 */
#include "torc_report_int.h"

#include <sys/stat.h>

#define DEFAULT_RCV_WND 65535 /* vectors/schema/README.md: state.rcv_wnd */
#define MAX_VECTOR_FILE (16 << 20)

/* Deliveries of a trace: completions' requests and consumed indications. */
static void trace_extent(const json_t *t, long long *maxend) {
  const json_t *e, *r;
  size_t i, k;
  json_array_foreach(t, i, e) {
    if (strcmp(str(e, "ev"), "complete") == 0) {
      json_array_foreach(json_object_get(e, "requests"), k, r) {
        if (json_is_integer(json_object_get(r, "offset")) &&
            jint(r, "offset") + jint(r, "bytes") > *maxend)
          *maxend = jint(r, "offset") + jint(r, "bytes");
      }
    } else if (strcmp(str(e, "ev"), "indicate") == 0 &&
               jint(e, "offset") + jint(e, "len") > *maxend) {
      *maxend = jint(e, "offset") + jint(e, "len");
    }
  }
}

/* 1 when the other trace holds a delivery of the same kind and range. */
static int has_delivery(const json_t *t, const char *ev, long long off,
                        long long len, long long id) {
  const json_t *e, *r;
  size_t i, k;
  json_array_foreach(t, i, e) {
    if (strcmp(str(e, "ev"), ev) != 0)
      continue;
    if (strcmp(ev, "indicate") == 0 && jint(e, "offset") == off &&
        jint(e, "len") == len)
      return 1;
    json_array_foreach(json_object_get(e, "requests"), k, r) {
      if (jint(r, "id") == id && jint(r, "offset") == off &&
          jint(r, "bytes") == len)
        return 1;
    }
  }
  return 0;
}

typedef struct scale {
  double x0, w;
  long long max;
} scale;

static double sx(const scale *s, long long off) {
  if (off < 0)
    off = 0;
  if (off > s->max)
    off = s->max;
  return s->x0 + s->w * (double)off / (double)(s->max ? s->max : 1);
}

static void bar(FILE *f, const scale *s, long long off, long long len, double y,
                double h, const char *fill, const char *label,
                const char *title) {
  double x1 = sx(s, off), x2 = sx(s, off + len);
  if (x2 - x1 < 1.5)
    x2 = x1 + 1.5;
  fprintf(f,
          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
          "fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"0.5\"><title>",
          x1, y, x2 - x1, h, fill);
  esc(f, title);
  fputs("</title></rect>", f);
  if (label && x2 - x1 > 7.0 * (double)strlen(label)) {
    fprintf(f,
            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#fff\" "
            "text-anchor=\"middle\">",
            (x1 + x2) / 2, y + h - 4);
    esc(f, label);
    fputs("</text>", f);
  }
}

/* div: stream offset of a byte divergence (-1: none); the actual delivery
 * holding it is drawn red even when its range is right. */
static void deliveries(FILE *f, const scale *s, const json_t *t,
                       const json_t *other, double y, int actual,
                       long long div) {
  const json_t *e, *r;
  size_t i, k;
  char lab[32], title[128];
  json_array_foreach(t, i, e) {
    if (strcmp(str(e, "ev"), "complete") == 0) {
      json_array_foreach(json_object_get(e, "requests"), k, r) {
        int ok;
        if (!json_is_integer(json_object_get(r, "offset")) ||
            jint(r, "bytes") == 0)
          continue;
        ok = !actual || (has_delivery(other, "complete", jint(r, "offset"),
                                      jint(r, "bytes"), jint(r, "id")) &&
                         !(div >= jint(r, "offset") &&
                           div < jint(r, "offset") + jint(r, "bytes")));
        snprintf(lab, sizeof lab, "#%lld", jint(r, "id"));
        snprintf(title, sizeof title,
                 "request #%lld: %lld bytes at stream offset %lld (event %zu)",
                 jint(r, "id"), jint(r, "bytes"), jint(r, "offset"), i);
        bar(f, s, jint(r, "offset"), jint(r, "bytes"), y, 16,
            ok ? "#188038" : "#d93025", lab, title);
      }
    } else if (strcmp(str(e, "ev"), "indicate") == 0 && jint(e, "len") > 0) {
      int ok = !actual || (has_delivery(other, "indicate", jint(e, "offset"),
                                        jint(e, "len"), 0) &&
                           !(div >= jint(e, "offset") &&
                             div < jint(e, "offset") + jint(e, "len")));
      snprintf(title, sizeof title,
               "indication: %lld bytes at stream offset %lld, host %s %lld "
               "(event %zu)",
               jint(e, "len"), jint(e, "offset"), str(e, "answer"),
               jint(e, "consumed"), i);
      bar(f, s, jint(e, "offset"), jint(e, "len"), y, 16,
          ok ? "#00897b" : "#d93025", "ind", title);
    }
  }
}

/* RcvWnd at offload and where it was read (see the head of this file). */
static long long window_of(const json_t *rec, const char **from) {
  const json_t *ctx = json_object_get(rec, "context"), *st, *w;
  json_t *v;
  struct stat sb;
  long long wnd = DEFAULT_RCV_WND;
  if (json_is_integer(json_object_get(ctx, "rcv_wnd"))) {
    *from = "";
    return jint(ctx, "rcv_wnd");
  }
  *from = " (RcvWnd not in the results: 65535 assumed)";
  /* Only a regular file of vector size: the document may come from
   * anywhere, and a path like /dev/zero must not hang the report. */
  if (!*str(rec, "vector") || stat(str(rec, "vector"), &sb) != 0 ||
      !S_ISREG(sb.st_mode) || sb.st_size > MAX_VECTOR_FILE)
    return wnd;
  v = json_load_file(str(rec, "vector"), 0, NULL);
  st = json_object_get(v, "state");
  if (json_is_object(st)) {
    w = json_object_get(st, "rcv_wnd");
    wnd = json_is_integer(w) ? (long long)json_integer_value(w) : wnd;
    *from = " (RcvWnd from the vector file)";
  }
  json_decref(v);
  return wnd;
}

/* The window at offload: a bracket above the lanes from RcvNxt to RcvNxt +
 * RcvWnd, and the right edge through every lane (or an arrow at the end of
 * the axis when it is off the scale). */
static void window_edges(FILE *f, const scale *s, long long left,
                         long long right, const char *from) {
  double x1 = sx(s, left), x2 = sx(s, right);
  int off = right > s->max;
  fprintf(f,
          "<g class=\"window\" data-left=\"%lld\" data-right=\"%lld\">"
          "<rect x=\"%.1f\" y=\"3\" width=\"%.1f\" height=\"7\" "
          "fill=\"#ceead6\" stroke=\"#188038\"/>"
          "<text x=\"%.1f\" y=\"22\" font-size=\"10\" fill=\"#0d652d\">"
          "receive window at offload: left edge RcvNxt = %lld, right edge "
          "RcvNxt+RcvWnd = %lld%s",
          left, right, x1, x2 - x1 > 1 ? x2 - x1 : 1, s->x0, left, right,
          off ? " (off the axis)" : "");
  esc(f, from);
  fputs("</text>", f);
  if (off)
    fprintf(f, "<polygon points=\"%.1f,6 %.1f,0 %.1f,12\" fill=\"#188038\"/>",
            x2 + 8, x2, x2);
  else
    fprintf(f,
            "<line class=\"right-edge\" x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" "
            "y2=\"222\" stroke=\"#188038\" stroke-width=\"2\" "
            "stroke-dasharray=\"6 3\"/>",
            x2, x2);
  fputs("</g>", f);
}

void torcint_report_space_svg(FILE *f, const json_t *rec) {
  const json_t *ctx = json_object_get(rec, "context");
  const json_t *tr = json_object_get(rec, "traces");
  const json_t *ex = json_object_get(tr, "expected");
  const json_t *ac = json_object_get(tr, "actual");
  const json_t *script = json_object_get(ctx, "script"), *e, *div;
  long long buffered = jint(ctx, "buffered_len"),
            maxend = jint(ctx, "stream_len");
  long long hi = 0, wnd, right;
  size_t i, k, nframes = 0;
  scale s;
  char title[200], lab[32];
  const char *from;

  trace_extent(ex, &maxend);
  trace_extent(ac, &maxend);
  if (buffered > maxend)
    maxend = buffered;
  if (maxend <= 0) {
    fputs("<p class=\"note\">No stream bytes in this vector (nothing "
          "buffered or delivered).</p>",
          f);
    return;
  }
  /* The right edge widens the axis unless it is far beyond the bytes. */
  wnd = window_of(rec, &from);
  right = buffered + wnd;
  if (right > maxend && right <= 2 * maxend)
    maxend = right;
  s.x0 = 150;
  s.w = 720;
  s.max = maxend;
  fputs("<svg class=\"space\" xmlns=\"http://www.w3.org/2000/svg\" "
        "width=\"900\" height=\"240\" viewBox=\"0 0 900 240\" role=\"img\" "
        "aria-label=\"sequence space\">",
        f);
  window_edges(f, &s, buffered, right, from);
  fputs("<g transform=\"translate(0,26)\">", f);
  /* Lane labels. */
  {
    static const char *const lanes[] = {"BufferedData", "frames (wire)",
                                        "posted requests", "expected delivery",
                                        "actual delivery"};
    for (i = 0; i < 5; i++)
      fprintf(f,
              "<text x=\"4\" y=\"%zu\" font-size=\"11\" "
              "fill=\"#202124\">%s</text>",
              30 + i * 34 + 12, lanes[i]);
  }
  /* Axis. */
  fprintf(f,
          "<line x1=\"%.0f\" y1=\"196\" x2=\"%.0f\" y2=\"196\" "
          "stroke=\"#5f6368\"/>",
          s.x0, s.x0 + s.w);
  for (i = 0; i <= 4; i++) {
    long long off = maxend * (long long)i / 4;
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"193\" x2=\"%.1f\" y2=\"199\" "
            "stroke=\"#5f6368\"/><text x=\"%.1f\" y=\"209\" font-size=\"9\" "
            "text-anchor=\"middle\" fill=\"#5f6368\">%lld</text>",
            sx(&s, off), sx(&s, off), sx(&s, off), off);
  }
  /* BufferedData, its lists, RcvNxt at offload. */
  if (buffered > 0) {
    long long off = 0;
    snprintf(title, sizeof title,
             "BufferedData: stream bytes [0, %lld) handed over at offload",
             buffered);
    bar(f, &s, 0, buffered, 28, 18, "#1a73e8", "buffered", title);
    json_array_foreach(json_object_get(ctx, "buffered_lists"), i, e) {
      const json_t *fr;
      json_array_foreach(e, k, fr) {
        off += (long long)json_integer_value(fr);
      }
      if (off < buffered)
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"28\" x2=\"%.1f\" y2=\"46\" "
                "stroke=\"#ffffff\" stroke-width=\"1.5\"/>",
                sx(&s, off), sx(&s, off));
    }
  }
  fprintf(f,
          "<line x1=\"%.1f\" y1=\"22\" x2=\"%.1f\" y2=\"196\" "
          "stroke=\"#1a73e8\" stroke-dasharray=\"4 2\"/><text x=\"%.1f\" "
          "y=\"20\" font-size=\"10\" fill=\"#1a73e8\">RcvNxt at offload "
          "(%lld): left edge</text>",
          sx(&s, buffered), sx(&s, buffered), sx(&s, buffered) + 3, buffered);
  /* Frames in arrival order: out-of-order ones (starting beyond everything
   * seen so far) in orange; three sub-rows so neighbours stay apart. */
  hi = buffered;
  json_array_foreach(script, i, e) {
    long long off, len;
    if (strcmp(str(e, "op"), "frame") != 0)
      continue;
    off = jint(e, "offset");
    len = jint(e, "len");
    snprintf(title, sizeof title,
             "script event %lld: frame %lld carries [%lld, %lld) %s",
             jint(e, "i"), jint(e, "frame"), off, off + len, str(e, "flags"));
    if (off + len > right)
      snprintf(title + strlen(title), sizeof title - strlen(title),
               "; past the window's right edge at offload (%lld)", right);
    bar(f, &s, off, len > 0 ? len : 0, 62 + (double)(nframes % 3) * 6, 5,
        off + len > right
            ? "#f28b82"
            : (off > hi ? "#f29900"
                        : (off + len <= buffered ? "#9aa0a6" : "#5f6368")),
        NULL, title);
    if (off + len > hi && off <= hi)
      hi = off + len;
    nframes++;
  }
  /* Posted requests where the vector expects them filled. */
  json_array_foreach(script, i, e) {
    const json_t *x, *r;
    size_t a, b;
    int placed = 0;
    if (strncmp(str(e, "op"), "post", 4) != 0)
      continue;
    json_array_foreach(ex, a, x) {
      json_array_foreach(json_object_get(x, "requests"), b, r) {
        if (jint(r, "id") == jint(e, "id") &&
            json_is_integer(json_object_get(r, "offset")) && !placed) {
          snprintf(lab, sizeof lab, "#%lld", jint(e, "id"));
          snprintf(title, sizeof title,
                   "request #%lld (%lld bytes%s) expected to receive [%lld, "
                   "%lld)",
                   jint(e, "id"), jint(e, "size"),
                   json_is_false(json_object_get(e, "push")) ? ", non-push"
                                                             : "",
                   jint(r, "offset"), jint(r, "offset") + jint(r, "bytes"));
          bar(f, &s, jint(r, "offset"),
              jint(e, "size") > 0 ? jint(e, "size") : 1, 96, 16, "#a142f4", lab,
              title);
          placed = 1;
        }
      }
    }
  }
  div = json_object_get(rec, "divergence");
  {
    long long d = -1;
    hexbytes hb;
    /* Only a byte divergence marks a delivery whose range is right. */
    if (json_is_integer(json_object_get(div, "stream_offset")) &&
        torcint_report_parse_hex(str(div, "actual"), &hb) == 0)
      d = jint(div, "stream_offset");
    deliveries(f, &s, ex, ac, 130, 0, -1);
    deliveries(f, &s, ac, ex, 164, 1, d);
  }
  if (json_is_integer(json_object_get(div, "stream_offset"))) {
    long long d = jint(div, "stream_offset");
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"24\" x2=\"%.1f\" y2=\"196\" "
            "stroke=\"#d93025\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>"
            "<text x=\"%.1f\" y=\"192\" font-size=\"10\" fill=\"#d93025\">"
            "first divergence @%lld</text>",
            sx(&s, d), sx(&s, d), sx(&s, d) + 3, d);
  }
  fputs("</g></svg>", f);
}
