#!/usr/bin/env python3
"""Writes the benchmark's PNG: throughput (ingest, delivered) and latency (p50, p99) per system and case.

Uses matplotlib when some python3 on this machine has it (Debian: apt-get install python3-matplotlib);
otherwise draws the same bars with a tiny zlib-based PNG writer (no text: the numbers are in the
.md/.csv beside the image). Usage: plot.py data.json out.png "title"
"""
import json
import os
import struct
import subprocess
import sys
import zlib

COLORS = {"mailpipe": (31, 119, 180), "postfix": (255, 127, 14), "haraka": (44, 160, 44)}


def with_matplotlib(rows, out, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    systems = list(dict.fromkeys(r["system"] for r in rows))
    cases = list(dict.fromkeys(r["case"] for r in rows))
    get = {(r["system"], r["case"]): r for r in rows}
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
    width = 0.8 / max(1, len(systems))
    panels = [("ingest", "accepted msgs/s at ingest"), ("delivery", "emails/s delivered at the sink"),
              ("p50", "ms from 250 to arrival: p50 (bar), p99 (tick)")]
    for ax, (key, label) in zip(axes, panels):
        for i, s in enumerate(systems):
            xs = [c + (i - (len(systems) - 1) / 2) * width for c in range(len(cases))]
            vals = [get.get((s, c), {}).get(key, 0) or 0 for c in cases]
            color = tuple(v / 255 for v in COLORS.get(s, (128, 128, 128)))
            bars = ax.bar(xs, vals, width, label=s, color=color)
            ax.bar_label(bars, fmt="%.0f", fontsize=7)
            if key == "p50":
                p99 = [get.get((s, c), {}).get("p99", 0) or 0 for c in cases]
                ax.scatter(xs, p99, marker="_", s=200, color=color)
        ax.set_xticks(range(len(cases)))
        ax.set_xticklabels(cases)
        ax.set_title(label, fontsize=10)
        if key == "p50":
            ax.set_yscale("symlog")
    axes[0].legend()
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    return "matplotlib"


def png(width, height, pixels):
    raw = b"".join(b"\x00" + bytes(pixels[y * width * 3:(y + 1) * width * 3]) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def with_zlib(rows, out, _title):
    systems = list(dict.fromkeys(r["system"] for r in rows))
    cases = list(dict.fromkeys(r["case"] for r in rows))
    get = {(r["system"], r["case"]): r for r in rows}
    w, h, pw = 960, 300, 320
    pix = bytearray([255] * (w * h * 3))

    def rect(x0, y0, x1, y1, c):
        for y in range(max(0, y0), min(h, y1)):
            for x in range(max(0, x0), min(w, x1)):
                pix[(y * w + x) * 3:(y * w + x) * 3 + 3] = bytes(c)
    for p, key in enumerate(("ingest", "delivery", "p50")):
        top = max([get[k].get(key, 0) or 0 for k in get] + [1e-9])
        x = p * pw + 20
        rect(x, h - 20, x + pw - 40, h - 19, (0, 0, 0))
        slot = (pw - 40) // max(1, len(cases))
        for ci, c in enumerate(cases):
            for si, s in enumerate(systems):
                v = get.get((s, c), {}).get(key, 0) or 0
                bw = max(2, (slot - 10) // max(1, len(systems)))
                bx = x + ci * slot + 5 + si * bw
                rect(bx, int(h - 20 - (h - 40) * v / top), bx + bw - 1, h - 20, COLORS.get(s, (128, 128, 128)))
    with open(out, "wb") as f:
        f.write(png(w, h, pix))
    return "zlib fallback (no text; numbers in the .md beside it)"


def main():
    data, out, title = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(data) as f:
        rows = json.load(f)["rows"]
    rows = [{k: (0 if isinstance(v, float) and v != v else v) for k, v in r.items()} for r in rows]
    try:
        print(with_matplotlib(rows, out, title))
        return
    except ImportError:
        pass
    # the Debian package installs matplotlib for /usr/bin/python3, which may not be the python3 on PATH
    if os.environ.get("BENCH_PLOT_REEXEC") != "1" and os.path.exists("/usr/bin/python3") \
            and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        r = subprocess.run(["/usr/bin/python3", "-c", "import matplotlib"], capture_output=True)
        if r.returncode == 0:
            env = dict(os.environ, BENCH_PLOT_REEXEC="1")
            sys.exit(subprocess.run(["/usr/bin/python3"] + sys.argv, env=env).returncode)
    print(with_zlib(rows, out, title))


if __name__ == "__main__":
    main()
