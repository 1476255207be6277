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
PROVIDERS = [("sqlite", "SQLite"), ("postgresql", "PostgreSQL")]
RSS_LIMIT_MB = 300
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def target(provider, call):
    """Issue 13: on SQLite every call >= 0.75x the hand-written baseline; on PostgreSQL reads >= 0.8x, writes >= 0.7x."""
    if provider == "sqlite":
        return 0.75
    return 0.8 if call in READS else 0.7


def read_results(path):
    """One row per app and call: requests/s and CPU per request averaged over its rounds (each as long as the others),
    p50 and p99 the median of the rounds', and each round's requests/s."""
    runs = {}
    for line in Path(path).read_text().splitlines():
        provider, app, label, rps, p50, p99, bad, conns, cpu, dbcpu = line.split("\t")
        runs.setdefault((app, label), []).append(dict(rps=float(rps), p50=float(p50), p99=float(p99), conns=int(conns),
                                                      cpu=float(cpu), dbcpu=float(dbcpu) if dbcpu else None))
    return {key: dict(rps=statistics.mean(r["rps"] for r in rounds), p50=statistics.median(r["p50"] for r in rounds),
                      p99=statistics.median(r["p99"] for r in rounds), conns=rounds[0]["conns"], rounds=[r["rps"] for r in rounds],
                      cpu=statistics.mean(r["cpu"] for r in rounds),
                      dbcpu=statistics.mean(r["dbcpu"] for r in rounds) if rounds[0]["dbcpu"] is not None else None)
            for key, rounds in runs.items()}


def read_rss(path):
    return {name: int(kb) / 1024 for name, kb in (l.split("\t") for l in Path(path).read_text().splitlines() if l)}


def read_pairs(path):
    return [tuple(l.split("\t", 1)) for l in Path(path).read_text().splitlines() if l] if Path(path).exists() else []


def fmt(v, digits=2):
    return f"{v:,.{digits}f}"


def pair(r, provider, call):
    return r.get((f"{provider}-service", call)), r.get((f"{provider}-baseline", call))


def build(args):
    r = read_results(args.results)
    rss = read_rss(args.rss)
    versions = dict(read_pairs(args.versions))
    sizes = [int(s) for s in args.sizes.split(",")]
    small, big = sizes[0], sizes[-1]
    measured = [(p, name) for p, name in PROVIDERS if any(pair(r, p, c)[0] for c in READS + WRITES)]
    verdicts = []
    out = []
    flags = (" --quick" if args.mode == "quick" else "") + (" (a partial run: --only/--calls)" if args.partial == "yes" else "")
    out.append(f"Measured by `bench/run.sh{flags}` in {args.elapsed // 60} min {args.elapsed % 60} s on: {args.machine}; "
               + "; ".join(versions[p] for p, _ in PROVIDERS if p in versions) + ".")
    load = read_pairs(args.load)
    if load:
        out.append("")
        out.append("Load average of the machine (1, 5 and 15 min) when each phase began: "
                   + "; ".join(f"{phase} {value.replace(' ', ' / ')}" for phase, value in load)
                   + f" (on {args.machine.split(' ')[0]} cores; other work on the machine shares them with the benchmark).")
    out.append("")
    warmup = {}
    for line in Path(args.warmup_log).read_text().splitlines() if Path(args.warmup_log).exists() else []:
        app, _, _, per = line.split("\t")
        warmup.setdefault(app, []).append(per)
    passes = "; ".join(f"{app}: {' → '.join(pers)} µs" for app, pers in warmup.items())
    out.append(f"wrk: {args.connections} connections, {args.threads} threads; each app warmed up first in passes over every call "
               f"({args.warm_all} s per call), until its CPU time per request changed by less than {args.warm_settled} % from one "
               f"pass to the next (at most {args.warm_max_passes} passes{'; CPU per request over the passes: ' + passes if passes else ''}), "
               f"then measured in {args.rounds} round{'s' if args.rounds != 1 else ''} of {args.duration} s per app, each after "
               f"{args.warmup} s of warm-up ({args.scale_duration} s for the ceiling and the scale runs); every answer was 2xx, and "
               "before any load both apps answered the same requests byte for byte alike. Release builds; the service with rate "
               "limiting off and its production request log (one line per request, to a file); the baseline and the service side "
               "by side, each on its own copy of the same seeded data (1,000 sessions of the caller, 0–4 events each, and 1,000 of "
               "another user): a SQLite file each, or a PostgreSQL database each in one throwaway local cluster. In each round a call "
               "is measured on the baseline, then at once on the service (only the app under load is busy). Requests/s is the mean "
               "of the rounds, p50 and p99 the median of the rounds', the ratio that of the means.")
    out.append("")
    head = "| call |" + "".join(f" {name} ratio | per round | target | met |" for _, name in measured)
    out.append(head)
    out.append("|---|" + "---:|---:|---:|:---:|" * len(measured))
    for call in READS + WRITES:
        cells = []
        for provider, name in measured:
            s, b = pair(r, provider, call)
            if not s or not b:
                cells.append(" | | | |")
                continue
            ratio = s["rps"] / b["rps"]
            goal = target(provider, call)
            ok = ratio >= goal
            verdicts.append((f"{name} {call} ≥ {goal}× baseline", ok, f"{ratio:.2f}×"))
            per_round = ", ".join(f"{x / y:.2f}" for x, y in zip(s["rounds"], b["rounds"]))
            cells.append(f" **{ratio:.2f}×** | {per_round} | ≥ {goal}× | {'yes' if ok else '**no**'} |")
        if any(c != " | | | |" for c in cells):
            out.append(f"| {LABELS[call]} |" + "".join(cells))
    for provider, name in PROVIDERS:
        if (provider, name) not in measured and args.partial != "yes":
            verdicts.append((f"{name} ratio benchmark", False, "not measured (see the run's log)"))
    out.append("")
    out.append("The same runs in absolute figures. CPU is the app process's own user and system time over the requests it "
               "answered in the round (on PostgreSQL also the database server's, all of the cluster's processes); the CPU ratio "
               "is the baseline's CPU per request over the service's, comparable to the requests/s ratio and less moved by other "
               "load on the machine.")
    out.append("")
    out.append("| database | call | service req/s | p50 / p99 ms | baseline req/s | p50 / p99 ms | CPU µs per request, service / baseline | CPU ratio | database server CPU µs per request, service / baseline |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for provider, name in measured:
        for call in READS + WRITES:
            s, b = pair(r, provider, call)
            if not s or not b:
                continue
            db = f"{fmt(s['dbcpu'], 0)} / {fmt(b['dbcpu'], 0)}" if s["dbcpu"] is not None and b["dbcpu"] is not None else ""
            cpu_ratio = f"{b['cpu'] / s['cpu']:.2f}×" if s["cpu"] > 0 else ""
            out.append(f"| {name} | {call} | {fmt(s['rps'], 0)} | {fmt(s['p50'])} / {fmt(s['p99'])} | {fmt(b['rps'], 0)} | "
                       f"{fmt(b['p50'])} / {fmt(b['p99'])} | {fmt(s['cpu'], 0)} / {fmt(b['cpu'], 0)} | {cpu_ratio} | {db} |")
    c = r.get(("ceiling", "get"))
    if c:
        out.append(f"| | ceiling: bare Kestrel, the get-one body as a fixed answer | {fmt(c['rps'], 0)} | {fmt(c['p50'])} / {fmt(c['p99'])} | | | {fmt(c['cpu'], 0)} | | |")
    out.append("")
    out.append("Peak resident set (VmHWM) of each process over its whole run:")
    out.append("")
    out.append("| process | peak RSS | target | met |")
    out.append("|---|---:|---:|:---:|")
    for name, desc in [("sqlite-service", "service on SQLite, ratio benchmark"), ("postgresql-service", "service on PostgreSQL, ratio benchmark"),
                       ("scale", "service on SQLite, scale runs (incl. the 100k-event details)"),
                       ("sqlite-baseline", "baseline on SQLite"), ("postgresql-baseline", "baseline on PostgreSQL"), ("ceiling", "ceiling")]:
        if name in rss:
            if "baseline" in name or name == "ceiling":
                out.append(f"| {desc} | {rss[name]:.0f} MB | | |")
            else:
                ok = rss[name] <= RSS_LIMIT_MB
                verdicts.append((f"peak RSS ({desc}) ≤ {RSS_LIMIT_MB} MB", ok, f"{rss[name]:.0f} MB"))
                out.append(f"| {desc} | {rss[name]:.0f} MB | ≤ {RSS_LIMIT_MB} MB | {'yes' if ok else '**no**'} |")
    if any(("scale", f"list@{size}") in r for size in sizes):
        out.append("")
        out.append(f"Scale (the service on SQLite; one database holding all of these users, {args.connections} connections): "
                   "latency against the number of sessions the caller owns.")
        out.append("")
        out.append("| sessions of the caller | list p50 / p99 ms | list req/s | list with status p50 / p99 ms | get one p50 / p99 ms |")
        out.append("|---:|---:|---:|---:|---:|")
        for size in sizes:
            l, f, g = r.get(("scale", f"list@{size}")), r.get(("scale", f"list-status@{size}")), r.get(("scale", f"get@{size}"))
            if l and f and g:
                out.append(f"| {size:,} | {fmt(l['p50'])} / {fmt(l['p99'])} | {fmt(l['rps'], 0)} | {fmt(f['p50'])} / {fmt(f['p99'])} | "
                           f"{fmt(g['p50'])} / {fmt(g['p99'])} |")
        l_small, l_big = r.get(("scale", f"list@{small}")), r.get(("scale", f"list@{big}"))
        if l_small and l_big:
            growth = l_big["p99"] / l_small["p99"]
            ok = growth <= 2
            verdicts.append((f"list p99 at {big:,} ≤ 2× at {small:,}", ok, f"{growth:.2f}×"))
            f_small, f_big = r.get(("scale", f"list-status@{small}")), r.get(("scale", f"list-status@{big}"))
            extra = f"; with the status filter {f_big['p99'] / f_small['p99']:.2f}×" if f_small and f_big else ""
            out.append("")
            out.append(f"List p99 at {big:,} sessions is **{growth:.2f}×** its p99 at {small:,} (target ≤ 2×: "
                       f"{'met' if ok else '**not met**'}){extra}.")
        out.append("")
        out.append(f"A session with {args.events:,} events (the service on SQLite):")
        out.append("")
        out.append("| call | connections | req/s | p50 / p99 ms |")
        out.append("|---|---:|---:|---:|")
        for label, desc in [("events-first-page", "events page, first 100 (`/events?limit=100`)"),
                            ("events-middle-page", "events page, 100 from the middle (`?after=<id>`)"),
                            ("details", "session details (the whole log in `events`)"),
                            ("append", "append an event")]:
            e = r.get(("scale", f"{label}@{args.events}"))
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
        pts = [(s, r[("scale", f"{call}@{s}")]["p50" if median else "p99"]) for s in sizes if ("scale", f"{call}@{s}") in r]
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
    for name in ["results", "rss", "load", "versions", "warmup-log", "mode", "partial", "machine", "sizes", "markdown", "svg"]:
        p.add_argument(f"--{name}", required=True)
    for name in ["elapsed", "connections", "threads", "duration", "warmup", "warm-all", "warm-settled", "warm-max-passes", "rounds", "scale-duration", "events"]:
        p.add_argument(f"--{name}", type=int, required=True)
    args = p.parse_args()
    text, verdicts, r, sizes = build(args)
    print(text)
    print()
    for name, ok, value in verdicts:
        print(f"{'MET    ' if ok else 'NOT MET'}  {name}: {value}")
    results_dir = Path(args.results).parent
    if args.mode == "quick" or args.partial == "yes":
        # A quick or partial run is not the reference: its figures stay in bench/results, docs/ keeps the full run's.
        kind = "quick" if args.mode == "quick" else "partial"
        (results_dir / f"performance-{kind}.md").write_text(text + "\n")
        if any(("scale", f"list@{s}") in r for s in sizes):
            svg(r, sizes, results_dir / f"performance-latency-{kind}.svg")
        print(f"\n({kind} run: written to {results_dir}/performance-{kind}.md; docs/performance.md keeps the full run's figures)")
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
