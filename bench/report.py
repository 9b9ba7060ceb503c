"""Write docs/PERFORMANCE.md from bench/results/*.json, with each target of issue 9 checked."""
import json
import os
import platform
import subprocess
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
TARGET = ROOT / "docs" / "PERFORMANCE.md"
PAGES = ("project list", "project page", "dashboard")
SHARE = {"project list": 0.15, "project page": 0.15, "dashboard": 0.15, "API list": 0.20}
P95_MS, SCAN_S, EXPORT_S, GROWTH = 50, 3.0, 3.0, 2.0
PEER_BEGIN, PEER_END = "<!-- bench-peer:begin -->", "<!-- bench-peer:end -->"


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip() or "psql not found"
    return f"{os.cpu_count()} cores ({cpu}), {mem} GiB RAM, {platform.platform()}, Python {platform.python_version()}, {pg}"


def _ok(passed: bool) -> str:
    return "✓" if passed else "✗"


def write() -> Path:
    runs = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))]
    lines = ["# govit performance", "",
             f"Measured {datetime.now():%Y-%m-%d} with `make bench` (`python -m bench.run`) on {_machine()}.",
             "gunicorn with 2 sync workers on loopback; wrk with 2 threads and 16 connections on the same machine,",
             "a 2-second warm-up, then the measured run, three times per endpoint in rounds, the median run",
             "reported (each run's req/s in the results' `rps_each_run`); data from `bench/seed.py` (100 departments, ~50 history",
             "events per project, opinions, documents' metadata, budget changes, the alerts the scan opens).",
             "The ceiling is a bare endpoint of the same app (`bench/wsgi.py`): every page is measured as a share",
             "of it. Targets (issue 9) at 20,000 projects: HTML pages ≥ 15% of the ceiling, the API list ≥ 20%,",
             f"p95 ≤ {P95_MS} ms; page time growing less than {GROWTH:g}× from the smallest to the largest scale;",
             f"the scan within {SCAN_S:g} s with a number of SQL statements that does not grow with N; the export",
             f"of 2,000 projects within {EXPORT_S:g} s.", ""]
    misses = []
    for kind in sorted({r["database"] for r in runs}):
        mine = sorted((r for r in runs if r["database"] == kind), key=lambda r: r["scale"])
        measured = ", ".join(f"{r['scale']:,} projects at {r.get('commit', 'an earlier commit')}"
                             f"{' on ' + r['measured_on'] if r.get('measured_on') else ''}" for r in mine)
        lines += [f"## {kind}", "", f"Measured: {measured}.", "",
                  "| projects | endpoint | req/s | share of ceiling | p50 ms | p95 ms | target |",
                  "|---:|---|---:|---:|---:|---:|---|"]
        for run in mine:
            ceiling = run["loads"]["ceiling"]["rps"]
            for name, load in run["loads"].items():
                share = load["rps"] / ceiling
                if name == "ceiling":
                    verdict = ""
                else:
                    met = share >= SHARE[name] and load["p95_ms"] <= P95_MS and not load["non2xx"]
                    verdict = f"{_ok(met)} ≥ {SHARE[name]:.0%}, p95 ≤ {P95_MS}" if run["scale"] == 20000 else ""
                    if run["scale"] == 20000 and not met:
                        misses.append(f"{kind} {name}: {share:.0%} of the ceiling, p95 {load['p95_ms']} ms")
                lines.append(f"| {run['scale']:,} | {name} | {load['rps']:,.0f} | {share:.0%} | {load['p50_ms']:.1f} "
                             f"| {load['p95_ms']:.1f} | {verdict} |")
        lines += ["", "| projects | seed s | scan s | scan SQL statements | open alerts | export (items) s | chart s |",
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for run in mine:
            lines.append(f"| {run['scale']:,} | {run['seed_s']} | {run['scan_s']} | {run['scan_statements']} | "
                         f"{run['scan_open']:,} | {run['export_s']} ({run['export_items']:,}) | {run['chart_s']} |")
        if len(mine) > 1:
            small, large = mine[0], mine[-1]
            growth = {n: large["loads"][n]["p50_ms"] / small["loads"][n]["p50_ms"] for n in (*PAGES, "API list")}
            worst = max(growth, key=growth.get)
            statements = {r["scan_statements"] for r in mine}
            lines += ["", f"- page time (p50) from {small['scale']:,} to {large['scale']:,} projects: "
                      + ", ".join(f"{n} {g:.2f}×" for n, g in growth.items())
                      + f" — {_ok(growth[worst] < GROWTH)} below {GROWTH:g}×",
                      f"- scan SQL statements at each scale: {sorted(statements)} — "
                      f"{_ok(len(statements) == 1)} the same at every N"]
            if growth[worst] >= GROWTH:
                misses.append(f"{kind} {worst} grows {growth[worst]:.2f}×")
        at = {r["scale"]: r for r in mine}
        if 20000 in at:
            scan_ok, export_ok = at[20000]["scan_s"] <= SCAN_S, at[20000]["export_s"] <= EXPORT_S
            lines.append(f"- at 20,000 projects: scan {at[20000]['scan_s']} s {_ok(scan_ok)}, export of "
                         f"{at[20000]['export_items']:,} projects {at[20000]['export_s']} s {_ok(export_ok)}")
            misses += [m for m, ok in ((f"{kind} scan", scan_ok), (f"{kind} export", export_ok)) if not ok]
        lines.append("")
    lines += ["## Targets missed", "", *(f"- {m}" for m in misses or ["none"]), ""]
    analysis = ROOT / "bench" / "ANALYSIS.md"  # kept by hand: why a target is missed, what is next
    if analysis.exists():
        lines += [analysis.read_text(encoding="utf-8")]
    old = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
    if PEER_BEGIN in old and PEER_END in old:  # `make bench-peer`'s section (bench/peer.py) is kept as it is
        lines += ["", PEER_BEGIN + old.split(PEER_BEGIN, 1)[1].split(PEER_END, 1)[0] + PEER_END, ""]
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text("\n".join(lines), encoding="utf-8")
    return TARGET


if __name__ == "__main__":
    print(write())
