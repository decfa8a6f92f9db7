"""The report in a real browser: headless Chromium (Debian's chromium,
installed by scripts/install-deps.sh) renders it offline, with no console
error, a non-blank screenshot, and filters that work when clicked (clicks are
driven through the page's #click= fragment, which calls element.click())."""
import re
import shutil
import struct
import subprocess
import zlib

import pytest

from htmlscan import parse

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
@pytest.fixture(autouse=True)
def _needs_built_parts():
    """What this file needs is built by make check: its absence is a
    failure, never a skip."""
    if not CHROMIUM:
        pytest.fail("chromium not installed")


def chromium(tmp_path, url, *extra):
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr", "--v=0", *extra, url]
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    return p


def console_errors(stderr):
    return [l for l in stderr.splitlines() if "CONSOLE" in l and
            re.search(r"Uncaught|Error|error", l)]


def png_pixels(path):
    """Decodes an 8-bit RGB/RGBA non-interlaced PNG: (width, height, rows)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def test_renders_without_console_errors_and_not_blank(completes_twice,
                                                      tmp_path):
    res, out = completes_twice
    shot = tmp_path / "shot.png"
    p = chromium(tmp_path, (out / "report.html").as_uri(),
                 f"--screenshot={shot}", "--window-size=1200,900")
    assert shot.exists(), p.stderr[-2000:]
    assert console_errors(p.stderr) == []
    w, h, bpp, rows = png_pixels(shot)
    colours = set()
    nonwhite = 0
    for r in rows[::3]:
        for i in range(0, len(r), bpp * 3):
            px = r[i:i + 3]
            colours.add(px)
            nonwhite += px != b"\xff\xff\xff"
    assert len(colours) > 20
    assert nonwhite > 0.05 * (len(rows) // 3) * (w // 3)


def test_console_error_detection_is_real(completes_twice, tmp_path):
    # The detector above must catch a broken page, or it proves nothing.
    res, out = completes_twice
    bad = tmp_path / "bad.html"
    bad.write_text((out / "report.html").read_text().replace(
        '"use strict";', '"use strict"; undefinedFunction();', 1))
    p = chromium(tmp_path, bad.as_uri(), "--dump-dom")
    assert console_errors(p.stderr)


def dom(tmp_path, report, fragment):
    p = chromium(tmp_path, report.as_uri() + fragment, "--dump-dom")
    assert console_errors(p.stderr) == []
    d = tmp_path / "dom.html"
    d.write_text(p.stdout)
    return parse(d)


def vector_rows(root):
    return [tr for tr in root.find(lambda n: n.tag == "tr" and
                                   "data-verdict" in n.attrs and
                                   "data-id" in n.attrs)]


def body(root):
    return root.find(lambda n: n.tag == "body")[0]


def test_filters_work_when_clicked(completes_twice, tmp_path):
    from conftest import load
    res, out = completes_twice
    doc = load(res)
    report = out / "report.html"
    n = len(doc["results"])
    npass = doc["summary"]["counts"]["PASS"]
    assert 0 < npass < n
    # Nothing clicked: everything shown.
    root = dom(tmp_path, report, "")
    assert body(root).attrs["data-shown-vectors"] == str(n)
    # Untick PASS: exactly the PASS rows are hidden.
    root = dom(tmp_path, report, "#click=f-PASS")
    assert body(root).attrs["data-shown-vectors"] == str(n - npass)
    for tr in vector_rows(root):
        assert ("hidden" in tr.cls()) == (tr.attrs["data-verdict"] == "PASS")
    # Untick PASS, then tick it again: all back.
    root = dom(tmp_path, report, "#click=f-PASS,f-PASS")
    assert body(root).attrs["data-shown-vectors"] == str(n)
    # "only failures" button.
    root = dom(tmp_path, report, "#click=only-failing")
    assert body(root).attrs["data-shown-vectors"] == str(
        doc["summary"]["counts"]["FAIL"])
    # Requirement filter: clicking a requirement id in the matrix keeps the
    # vectors exercising it.
    target = "RCV-109"
    want = sum(1 for r in doc["results"] if target in r["requirements"] or
               any(v["requirement"] == target for v in r["violations"]))
    # A matrix link has no id; filter through the fragment instead, which
    # sets the same input the click handler sets.
    root = dom(tmp_path, report, f"#req={target}")
    shown = [tr for tr in vector_rows(root) if "hidden" not in tr.cls()]
    assert len(shown) == sum(1 for r in doc["results"]
                             if target in r["requirements"])
    assert want >= len(shown)
    reqs = [tr for tr in root.find(lambda n: n.tag == "tr" and "req" in
                                   n.cls()) if "hidden" not in tr.cls()]
    assert [tr.attrs["data-req"] for tr in reqs] == [target]


def by_id(root, ident):
    found = root.find(lambda n: n.attrs.get("id") == ident)
    assert len(found) == 1, ident
    return found[0]


def test_headline_is_the_claim_in_the_browser(completes_twice, tmp_path):
    # completes_twice fails vectors: the rendered page's headline and the
    # claim section both say NOT CONFORMANT, and neither is hidden.
    res, out = completes_twice
    root = dom(tmp_path, out / "report.html", "")
    assert body(root).attrs["data-ready"] == "1"
    for ident in ("status", "claim-headline"):
        n = by_id(root, ident)
        assert n.alltext() == "NOT CONFORMANT"
        assert "hidden" not in n.cls()
    assert "hidden" not in by_id(root, "claim").cls()


def test_only_failures_keeps_requirements_not_met(tmp_path):
    # A target without PARTIAL_ACCEPT (RCV-141, RCV-045) whose 3 vectors
    # (citing RCV-045 and RCV-007) all pass: "only failures" hides the PASS
    # vectors and RCV-007, and keeps RCV-045 and RCV-141, which are not met.
    from conftest import ALL_CAPS, cap_bit, document, record, report_of
    doc = document([record("v-%d" % i, "PASS", ["RCV-045", "RCV-007"])
                    for i in range(3)],
                   caps=ALL_CAPS & ~cap_bit("PARTIAL_ACCEPT"))
    res, out = report_of(tmp_path, doc)
    root = dom(tmp_path, out / "report.html", "#click=only-failing")
    assert by_id(root, "claim-headline").alltext() == "NOT CONFORMANT"
    assert body(root).attrs["data-shown-vectors"] == "0"
    shown = {tr.attrs["data-req"] for tr in root.find(
        lambda n: n.tag == "tr" and "req" in n.cls() and
        "hidden" not in n.cls())}
    assert {"RCV-045", "RCV-141"} <= shown
    assert "RCV-007" not in shown
    assert all(tr.attrs["data-status"] not in ("PASS", "UNTESTED")
               for tr in root.find(lambda n: n.tag == "tr" and "req" in
                                   n.cls() and "hidden" not in n.cls()))


# ---- Screenshots read back (issue 17): the top of the main page and a
# vector page, decoded with png_pixels and checked where things are drawn.

HEADER = (0x26, 0x32, 0x38)   # header.top background (report.css)
FAIL_RED = (0xc6, 0x28, 0x28)  # --fail: the NOT CONFORMANT chip
EDGE_GREEN = (0x18, 0x80, 0x38)  # the window's right edge
PAST_PINK = (0xf2, 0x8b, 0x82)  # frames reaching past the right edge


def screenshot(tmp_path, page, size):
    shot = tmp_path / (page.stem + ".png")
    p = chromium(tmp_path, page.as_uri(), f"--screenshot={shot}",
                 "--window-size=%d,%d" % size, "--hide-scrollbars")
    assert shot.exists(), p.stderr[-2000:]
    assert console_errors(p.stderr) == []
    w, h, bpp, rows = png_pixels(shot)
    assert (w, h) == size
    return bpp, rows


def near(px, colour, tol=14):
    return all(abs(a - b) <= tol for a, b in zip(px, colour))


def count(rows, bpp, xs, ys, pred):
    """Pixels in columns xs and rows ys (ranges) for which pred holds."""
    n = 0
    for y in ys:
        r = rows[y]
        for x in xs:
            n += pred(r[x * bpp:x * bpp + 3])
    return n


def test_screenshot_top_of_main_page_shows_the_claim(tmp_path):
    from conftest import CATALOGUE, ROOT, torc
    out = tmp_path / "linux"
    torc("report", ROOT / "docs" / "linux" / "results.json", "-o", out,
         "--catalogue", CATALOGUE, cwd=ROOT, check=0)
    bpp, rows = screenshot(tmp_path, out / "report.html", (1280, 900))
    # The dark header on top, holding the red NOT CONFORMANT chip.
    assert count(rows, bpp, range(0, 1280, 4), range(2, 30, 2),
                 lambda p: near(p, HEADER)) > 0.9 * 320 * 14
    assert count(rows, bpp, range(0, 400), range(0, 120),
                 lambda p: near(p, FAIL_RED)) > 500
    hend = next(y for y in range(900) if not near(rows[y][:3], HEADER))
    assert 100 < hend < 300, hend
    # Right below it, the claim: its heading in large dark letters, then
    # its reasons; the page is not blank there.
    ink = lambda p: max(p) < 110
    heading = count(rows, bpp, range(20, 700, 2), range(hend + 15,
                                                        hend + 70), ink)
    assert heading > 0.02 * 340 * 55, heading
    reasons = count(rows, bpp, range(40, 1200, 2), range(hend + 70,
                                                         hend + 300), ink)
    assert reasons > 0.01 * 580 * 230, reasons


def test_screenshot_of_a_vector_page_shows_the_window(tmp_path):
    import test_report_layout as lay
    from conftest import document, report_of
    _, out = report_of(tmp_path, document([lay.window_record("v-w", 200)]))
    bpp, rows = screenshot(tmp_path, out / "vectors" / "v-w.html",
                           (1100, 1300))
    every = (range(0, 1100), range(0, 1300))
    # The right edge: a 2 px dashed green line about 220 px tall, so some
    # column holds over 100 green pixels (the green arrows of the sequence
    # diagram are horizontal: a few per column).
    column = max(count(rows, bpp, range(x, x + 1), range(0, 1300),
                       lambda p: near(p, EDGE_GREEN, 8))
                 for x in range(0, 1100))
    # (Measured: 114 with the edge drawn, 10 with the edge off the axis.)
    assert column > 80, column
    # The frame reaching past it: 5 px tall, 90 px long, pink (tolerance 3:
    # the anti-aliased rim of the red divergence arrow on its pink band
    # comes within 8).  Measured: 534 drawn, 0 when nothing is past it.
    assert count(rows, bpp, *every, lambda p: near(p, PAST_PINK, 3)) > 200
    # The red FAIL chip and border of the article.
    assert count(rows, bpp, *every, lambda p: near(p, FAIL_RED)) > 2000
