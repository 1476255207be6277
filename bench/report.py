#!/usr/bin/env python3
"""Turns bench/run.sh's measurements into the results table (printed, and written into docs/performance.md between
the bench markers) and an SVG chart of latency against data size. Standard library only."""
import argparse
import math
import re
import statistics
from pathlib import Path

READS = ["get", "list", "list-status"]
WRITES = ["patch", "append", "create"]
LABELS = {
    "get": "get one session (with its events)",
    "list": "list a page (`?limit=20`)",
    "list-status": "list with a status filter",
    "patch": "patch (status change + assemblyState)",
    "append": "append an event",
    "create": "create",
}
RSS_LIMIT_MB = 300
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def read_results(path):
    """One row per app and call: requests/s averaged over its rounds (each as long as the others), p50 and p99 the
    median of the rounds', and each round's requests/s."""
    runs = {}
    for line in Path(path).read_text().splitlines():
        app, label, rps, p50, p99, bad, conns = line.split("\t")
        runs.setdefault((app, label), []).append(dict(rps=float(rps), p50=float(p50), p99=float(p99), conns=int(conns)))
    return {key: dict(rps=statistics.mean(r["rps"] for r in rounds), p50=statistics.median(r["p50"] for r in rounds),
                      p99=statistics.median(r["p99"] for r in rounds), conns=rounds[0]["conns"], rounds=[r["rps"] for r in rounds])
            for key, rounds in runs.items()}


def read_rss(path):
    return {name: int(kb) / 1024 for name, kb in (l.split("\t") for l in Path(path).read_text().splitlines() if l)}


def fmt(v, digits=2):
    return f"{v:,.{digits}f}"


def build(args):
    r = read_results(args.results)
    rss = read_rss(args.rss)
    sizes = [int(s) for s in args.sizes.split(",")]
    small, big = sizes[0], sizes[-1]
    verdicts = []
    out = []
    out.append(f"Measured by `bench/run.sh{' --quick' if args.mode == 'quick' else ''}` in {args.elapsed // 60} min {args.elapsed % 60} s "
               f"on: {args.machine}.")
    out.append(f"wrk: {args.connections} connections, {args.threads} threads; each call measured in {args.rounds} "
               f"round{'s' if args.rounds != 1 else ''} of {args.duration} s per app, each after {args.warmup} s of warm-up "
               f"({args.scale_duration} s for the ceiling and the scale runs); every answer was 2xx. Release builds; the service with rate limiting off and its production "
               "request log (one line per request, to a file); each app on its own copy of the same seeded SQLite file "
               "(1,000 sessions of the caller, 0–4 events each, and 1,000 of another user). Both apps run side by side and "
               "in each round a call is measured on the baseline, then at once on the service (only the app under load is "
               "busy); requests/s is the mean of the rounds, p50 and p99 the median of the rounds', the ratio that of the means.")
    out.append("")
    out.append("| call | service req/s | service p50 / p99 ms | baseline req/s | baseline p50 / p99 ms | ratio | ratio per round | target | met |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|:---:|")
    for call in READS + WRITES:
        s, b = r.get(("service", call)), r.get(("baseline", call))
        if not s or not b:
            continue
        ratio = s["rps"] / b["rps"]
        target = 0.8 if call in READS else 0.7
        ok = ratio >= target
        verdicts.append((f"{call} ≥ {target}× baseline", ok, f"{ratio:.2f}×"))
        per_round = ", ".join(f"{x / y:.2f}" for x, y in zip(s["rounds"], b["rounds"]))
        out.append(f"| {LABELS[call]} | {fmt(s['rps'], 0)} | {fmt(s['p50'])} / {fmt(s['p99'])} | {fmt(b['rps'], 0)} | "
                   f"{fmt(b['p50'])} / {fmt(b['p99'])} | {ratio:.2f}× | {per_round} | ≥ {target}× | {'yes' if ok else '**no**'} |")
    c = r.get(("ceiling", "get"))
    if c:
        out.append(f"| ceiling: bare Kestrel, the get-one body as a fixed answer | {fmt(c['rps'], 0)} | {fmt(c['p50'])} / {fmt(c['p99'])} | | | | | | |")
    out.append("")
    out.append("Peak resident set (VmHWM) of each process over its whole run:")
    out.append("")
    out.append("| process | peak RSS | target | met |")
    out.append("|---|---:|---:|:---:|")
    for name, desc in [("service", "service, ratio benchmark"), ("scale", "service, scale runs (incl. the 100k-event details)"),
                       ("baseline", "baseline"), ("ceiling", "ceiling")]:
        if name in rss:
            if name in ("service", "scale"):
                ok = rss[name] <= RSS_LIMIT_MB
                verdicts.append((f"peak RSS ({name}) ≤ {RSS_LIMIT_MB} MB", ok, f"{rss[name]:.0f} MB"))
                out.append(f"| {desc} | {rss[name]:.0f} MB | ≤ {RSS_LIMIT_MB} MB | {'yes' if ok else '**no**'} |")
            else:
                out.append(f"| {desc} | {rss[name]:.0f} MB | | |")
    out.append("")
    out.append(f"Scale (the service; one database holding all of these users, {args.connections} connections): latency against the "
               "number of sessions the caller owns.")
    out.append("")
    out.append("| sessions of the caller | list p50 / p99 ms | list req/s | list with status p50 / p99 ms | get one p50 / p99 ms |")
    out.append("|---:|---:|---:|---:|---:|")
    for size in sizes:
        l, f, g = r.get(("service", f"list@{size}")), r.get(("service", f"list-status@{size}")), r.get(("service", f"get@{size}"))
        if l and f and g:
            out.append(f"| {size:,} | {fmt(l['p50'])} / {fmt(l['p99'])} | {fmt(l['rps'], 0)} | {fmt(f['p50'])} / {fmt(f['p99'])} | "
                       f"{fmt(g['p50'])} / {fmt(g['p99'])} |")
    l_small, l_big = r.get(("service", f"list@{small}")), r.get(("service", f"list@{big}"))
    if l_small and l_big:
        growth = l_big["p99"] / l_small["p99"]
        ok = growth <= 2
        verdicts.append((f"list p99 at {big:,} ≤ 2× at {small:,}", ok, f"{growth:.2f}×"))
        f_small, f_big = r.get(("service", f"list-status@{small}")), r.get(("service", f"list-status@{big}"))
        extra = f"; with the status filter {f_big['p99'] / f_small['p99']:.2f}×" if f_small and f_big else ""
        out.append("")
        out.append(f"List p99 at {big:,} sessions is **{growth:.2f}×** its p99 at {small:,} (target ≤ 2×: "
                   f"{'met' if ok else '**not met**'}){extra}.")
    out.append("")
    out.append(f"A session with {args.events:,} events (the service):")
    out.append("")
    out.append("| call | connections | req/s | p50 / p99 ms |")
    out.append("|---|---:|---:|---:|")
    for label, desc in [("events-first-page", "events page, first 100 (`/events?limit=100`)"),
                        ("events-middle-page", "events page, 100 from the middle (`?after=<id>`)"),
                        ("details", "session details (the whole log in `events`)"),
                        ("append", "append an event")]:
        e = r.get(("service", f"{label}@{args.events}"))
        if e:
            out.append(f"| {desc} | {e['conns']} | {fmt(e['rps'], 1 if e['rps'] < 100 else 0)} | {fmt(e['p50'])} / {fmt(e['p99'])} |")
    out.append("")
    out.append("![latency against the caller's number of sessions](performance-latency.svg)")
    return "\n".join(out), verdicts, r, sizes


def svg(r, sizes, path):
    series = [("list", "list p99", "#d62728", False), ("list", "list p50", "#d62728", True),
              ("list-status", "list with status p99", "#1f77b4", False), ("list-status", "list with status p50", "#1f77b4", True),
              ("get", "get one p99", "#2ca02c", False), ("get", "get one p50", "#2ca02c", True)]
    points = {}
    for call, name, color, median in series:
        pts = [(s, r[("service", f"{call}@{s}")]["p50" if median else "p99"]) for s in sizes if ("service", f"{call}@{s}") in r]
        points[name] = (pts, color, median)
    ymax = max((y for pts, _, _ in points.values() for _, y in pts), default=1)
    ymax = 10 ** math.ceil(math.log10(ymax)) if ymax > 0 else 1
    if ymax / 2 >= max((y for pts, _, _ in points.values() for _, y in pts), default=1):
        ymax /= 2
    w, h, left, right, top, bottom = 720, 420, 70, 210, 40, 60
    pw, ph = w - left - right, h - top - bottom
    lx = lambda s: left + (math.log10(s) - math.log10(sizes[0])) / max(1e-9, math.log10(sizes[-1]) - math.log10(sizes[0])) * pw
    ly = lambda v: top + ph - v / ymax * ph
    e = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
         f'<rect width="{w}" height="{h}" fill="white"/>',
         f'<text x="{left}" y="22" font-size="14">Service latency against the caller\'s sessions (SQLite, {len(sizes)} sizes)</text>']
    for i in range(6):
        v = ymax * i / 5
        y = ly(v)
        e.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#ddd"/>')
        e.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{v:g}</text>')
    for s in sizes:
        x = lx(s)
        e.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="#eee"/>')
        e.append(f'<text x="{x:.1f}" y="{top + ph + 18}" text-anchor="middle">{s:,}</text>')
    e.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="black"/>')
    e.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="black"/>')
    e.append(f'<text x="{left + pw / 2}" y="{h - 15}" text-anchor="middle">sessions owned by the caller (log scale)</text>')
    e.append(f'<text x="18" y="{top + ph / 2}" text-anchor="middle" transform="rotate(-90 18 {top + ph / 2})">latency (ms)</text>')
    for i, (name, (pts, color, median)) in enumerate(points.items()):
        if not pts:
            continue
        dash = ' stroke-dasharray="5,4"' if median else ""
        e.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="' +
                 " ".join(f"{lx(s):.1f},{ly(v):.1f}" for s, v in pts) + '"/>')
        for s, v in pts:
            e.append(f'<circle cx="{lx(s):.1f}" cy="{ly(v):.1f}" r="3" fill="{color}"/>')
        y = top + 10 + i * 20
        e.append(f'<line x1="{left + pw + 15}" y1="{y}" x2="{left + pw + 45}" y2="{y}" stroke="{color}" stroke-width="2"{dash}/>')
        e.append(f'<text x="{left + pw + 52}" y="{y + 4}">{name}</text>')
    e.append("</svg>")
    Path(path).write_text("\n".join(e) + "\n")


def main():
    p = argparse.ArgumentParser()
    for name in ["results", "rss", "mode", "machine", "sizes", "markdown", "svg"]:
        p.add_argument(f"--{name}", required=True)
    for name in ["elapsed", "connections", "threads", "duration", "warmup", "rounds", "scale-duration", "events"]:
        p.add_argument(f"--{name}", type=int, required=True)
    args = p.parse_args()
    text, verdicts, r, sizes = build(args)
    print(text)
    print()
    for name, ok, value in verdicts:
        print(f"{'MET    ' if ok else 'NOT MET'}  {name}: {value}")
    results_dir = Path(args.results).parent
    if args.mode == "quick":
        # A quick run is a smoke test: its figures stay in bench/results, the reference figures in docs/ are kept.
        (results_dir / "performance-quick.md").write_text(text + "\n")
        svg(r, sizes, results_dir / "performance-latency-quick.svg")
        print(f"\n(quick run: written to {results_dir}/performance-quick.md; docs/performance.md keeps the full run's figures)")
        return
    svg(r, sizes, args.svg)
    doc = Path(args.markdown)
    block = f"{BEGIN}\n{text}\n{END}"
    current = doc.read_text() if doc.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    if BEGIN in current and END in current:
        current = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, current, flags=re.S)
    else:
        current += "\n" + block + "\n"
    doc.write_text(current)
    print(f"\nwritten to {doc} and {args.svg}")


if __name__ == "__main__":
    main()
