"""`make bench`: govit under gunicorn (2 workers) on loopback, loaded by wrk, with and without writes.

    python -m bench.run [--databases sqlite,postgresql] [--scales 20000] [--duration 10] [--repeat 3]
                        [--writers 0.5,0.1] [--warmup 2] [--in-process-seconds 2] [--no-cold-start]

For each database and scale: a fresh database, `govit init`, bench/seed.py; then requests per second
and p50/p95 latency with 16 connections for the bare endpoint (the ceiling), the minimal signed-in
endpoint (when bench/wsgi.py has it), the project list, a project page, the planner's dashboard,
the API list and the 待办 (the home page), each measured `--repeat` times (3) in rounds and
reported by its median run (this machine's runs of one page differ by up to 15%). Then the pages
again while bench/writer.py files a real change every 500 ms, and again every 100 ms (`--writers`;
each page's share is of the ceiling measured without writes). In process (bench/inprocess.py): each
page's time, SQL statements and time in the database (pg_stat_statements when the server has it
loaded). Cold start: a fresh gunicorn worker per page, the first request and the second timed. The
deadline scan timed with its SQL statements counted; the Excel export of next year's plan; a chart.
When both databases were measured at a scale, PostgreSQL against SQLite once more side by side: both
served at once, each page asked of both back to back in every round (which first alternating), and
PostgreSQL's share the median of the rounds' shares, so that the machine's drift between the two
databases' runs (tens of minutes apart) does not pass for a difference between them. Results go to
bench/results/<database>-<scale>.json (the side-by-side run in PostgreSQL's) and the tables in
docs/PERFORMANCE.md (bench/report.py). The defaults (20,000 projects, both databases)
take about 30 minutes.
"""
import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
TODAY = "2026-11-22"
CONNECTIONS = 16
PG_SERVER = os.environ.get("GOVIT_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database(kind: str, scale: int, work: Path) -> str:
    """A fresh, empty database of `kind` for this scale."""
    if kind == "sqlite":
        path = work / f"govit-{scale}.sqlite"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    from sqlalchemy import create_engine, make_url, text
    name = f"govit_bench_{scale}"
    server = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)


def _run(args: list[str], env: dict) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _serve(env: dict, workers: int = 2) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning",
                             "bench.wsgi:app"], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    return proc, wait_until_up(proc, url, f"{url}/_bench/ceiling", tries=150, timeout=5, pause=0.2,
                               failure=lambda: "gunicorn did not start")


def wait_until_up(proc: subprocess.Popen, url: str, probe: str, tries: int, timeout: float, pause: float,
                  failure) -> str:
    """`url` once `probe` answers 200; else `proc` is stopped and the run ends with `failure()`."""
    for _ in range(tries):
        try:
            if requests.get(probe, timeout=timeout).status_code == 200:
                return url
        except requests.RequestException:
            time.sleep(pause)
    proc.terminate()
    raise SystemExit(failure())


def page_paths(project_id: int | str) -> dict[str, str]:
    """The read mix: what a planner opens all day, and what a program asks (the API list)."""
    return {"project list": "/projects?state=in_construction", "project page": f"/projects/{project_id}",
            "dashboard": "/dashboard", "API list": "/api/v1/projects?state=in_construction&per_page=50",
            "待办": "/"}  # every role's home is its 待办 (planning.home, navigation.HOME)


def _load(url: str, duration: int, cookie: str = "", token: str = "", warmup: int = 2) -> dict:
    """wrk with 2 threads and 16 connections after a warm-up (2 s); rps, p50 and p95 in ms. A request
    has 10 s (wrk's default 2 s would drop the slow ones under writes from the latencies)."""
    env = {**os.environ, "BENCH_COOKIE": cookie, "BENCH_TOKEN": token}
    script = str(ROOT / "bench" / "latency.lua")
    if warmup:
        subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{warmup}s", "--timeout", "10s", "-s", script, url],
                       env=env, capture_output=True)
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "10s", "-s", script, url],
                         env=env,
                         capture_output=True, text=True).stdout
    found = dict(re.findall(r"(\w+)=(\d+)", out.split("BENCH", 1)[1]))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"rps": round(rps, 1), "p50_ms": int(found["p50"]) / 1000, "p95_ms": int(found["p95"]) / 1000,
            "requests": int(found["requests"]), "errors": int(found["errors"]), "non2xx": int(found["non2xx"])}


def _sign_in(url: str) -> tuple[str, str]:
    session = requests.Session()
    page = session.get(f"{url}/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    res = session.post(f"{url}/login", data={"username": "bench_planner", "password": "Bench@2026x",
                                             "csrf_token": token}, allow_redirects=False)
    assert res.status_code == 302, "bench_planner could not sign in"
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    api = requests.post(f"{url}/api/v1/auth/token", json={"username": "bench_planner", "password": "Bench@2026x"})
    return cookie, api.json()["token"]


def _in_process(env: dict) -> dict:
    """The scan, the export and a chart, timed inside one process, with the scan's SQL counted."""
    code = r'''
import json, time
from sqlalchemy import event, func, select
from govit import create_app
from govit.alerts.scan import scan
from govit.extensions import db
from govit.models import Plan, PlanItem, Project
from govit.reports.charts import bar_chart_png
from govit.reports.plan_export import plan_workbook
app = create_app()
with app.app_context():
    seen = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    start = time.perf_counter(); result = scan(); scan_s = time.perf_counter() - start
    statements = len(seen)
    plan = db.session.execute(select(Plan).order_by(Plan.plan_year.desc())).scalars().first()
    items = db.session.scalar(select(func.count()).select_from(PlanItem).where(PlanItem.plan_id == plan.id))
    start = time.perf_counter(); size = len(plan_workbook(plan)); export_s = time.perf_counter() - start
    counts = dict(db.session.execute(select(Project.state, func.count()).group_by(Project.state)).all())
    start = time.perf_counter(); png = bar_chart_png("各阶段项目数", counts, unit="个", decimals=0)
    chart_s = time.perf_counter() - start
    print(json.dumps({"scan_s": round(scan_s, 3), "scan_statements": statements, "scan_open": result.still_open,
                      "export_s": round(export_s, 3), "export_items": items, "export_bytes": size,
                      "chart_s": round(chart_s, 3)}))
'''
    return json.loads(_run([sys.executable, "-c", code], env).strip().splitlines()[-1])


def _median(found: list[dict]) -> dict:
    """The run with the median requests per second (its latencies with it)."""
    return sorted(found, key=lambda r: r["rps"])[len(found) // 2]


def _writer(env: dict, interval: float, project_id: str) -> subprocess.Popen:
    """bench/writer.py, started and ready (its app built, its projects drawn) before it returns."""
    proc = subprocess.Popen([sys.executable, "-m", "bench.writer", "--interval", str(interval), "--project",
                             project_id], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if line.startswith("writer ready"):
            return proc
        print(f"  writer: {line.rstrip()}", flush=True)
    raise SystemExit(f"the writer did not start: {proc.stdout.read()}")


def _stop_writer(proc: subprocess.Popen) -> dict:
    proc.terminate()
    out, err = proc.communicate(timeout=60)
    if err.strip():
        print(f"  writer: {err.strip()[:500]}", flush=True)
    return json.loads(out.strip().splitlines()[-1])


def _drain(url: str) -> None:
    """Wait until both workers are free: requests wrk left in flight (a sync worker serves a request
    whose client has gone) must not count against the next target."""
    for _ in range(2):
        requests.get(url, timeout=120)


def _rounds(targets: dict, duration: int, repeat: int, warmup: int, label: str) -> dict:
    """Every target `repeat` times in rounds (so drift hits them alike); the median run of each."""
    runs: dict[str, list[dict]] = {name: [] for name in targets}
    for round_ in range(1, repeat + 1):
        for name, (target, c, t) in targets.items():
            _drain("/".join(target.split("/")[:3]) + "/_bench/ceiling")  # http://host:port
            runs[name].append(_load(target, duration, c, t, warmup))
            print(f"  {label} {round_}/{repeat} {name:13} {runs[name][-1]}", flush=True)
    return {name: {**_median(found), "rps_each_run": [r["rps"] for r in found]} for name, found in runs.items()}


def _cold_start(env: dict, cookie: str, token: str, paths: dict[str, str]) -> dict:
    """Per page, a fresh gunicorn with one worker (whatever bench/wsgi.py does at start): the time of
    its first request for the page (after the readiness probe on the bare endpoint) and of the second."""
    found = {}
    for name, path in paths.items():
        proc, url = _serve(env, workers=1)
        try:
            headers = {"Authorization": f"Bearer {token}"} if name == "API list" else {"Cookie": cookie}
            times = []
            for _ in range(2):
                start = time.perf_counter()
                res = requests.get(url + path, headers=headers, timeout=60, allow_redirects=False)
                times.append(round(1000 * (time.perf_counter() - start), 1))
            found[name] = {"first_ms": times[0], "second_ms": times[1], "status": res.status_code}
            print(f"  cold start {name:13} {found[name]}", flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return found


SIDE_ROUNDS = 5  # at least, for the side-by-side run: its target is a ratio of two noisy figures


def side_by_side(served: dict[str, tuple[dict, str]], duration: int, repeat: int, warmup: int) -> dict:
    """Every page on SQLite and on PostgreSQL (`served`: kind -> its environment and measured project),
    both servers up at once (the idle one's workers wait in accept, costing nothing), the page asked of
    both back to back in every round, which asks first alternating (max(`repeat`, SIDE_ROUNDS) rounds).
    Per page and database the median run as _rounds reports it; and PostgreSQL's share of SQLite's, the
    median of the rounds' own shares: each round's pair of runs is seconds apart, where the two
    databases' median runs can be minutes apart, and this machine's speed drifts by up to 2x over
    minutes (ANALYSIS.md, session 13)."""
    procs, servers = [], {}
    try:
        for kind, (env, project_id) in served.items():
            proc, url = _serve(env)
            procs.append(proc)
            servers[kind] = (url, *_sign_in(url), page_paths(project_id))
        rounds = max(repeat, SIDE_ROUNDS)
        runs: dict[str, dict[str, list[dict]]] = {name: {kind: [] for kind in servers} for name in page_paths("0")}
        for number in range(rounds):
            for name, by_kind in runs.items():
                for kind in (list(servers) if number % 2 == 0 else list(servers)[::-1]):
                    url, cookie, token, paths = servers[kind]
                    _drain(url + "/_bench/ceiling")
                    api = name == "API list"
                    by_kind[kind].append(_load(url + paths[name], duration, "" if api else cookie,
                                               token if api else "", warmup))
                    print(f"  side by side {number + 1}/{rounds} {name:13} {kind:10} {by_kind[kind][-1]}", flush=True)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
    pages: dict[str, dict] = {}
    for name, by_kind in runs.items():
        pages[name] = {kind: {**_median(found), "rps_each_run": [r["rps"] for r in found]}
                       for kind, found in by_kind.items()}
        if {"sqlite", "postgresql"} <= set(by_kind):
            shares = [pg["rps"] / lite["rps"] for lite, pg in zip(by_kind["sqlite"], by_kind["postgresql"])
                      if lite["rps"]]
            pages[name]["share_each_round"] = [round(share, 3) for share in shares]
            pages[name]["share"] = round(statistics.median(shares), 3) if shares else None
    return {"pages": pages, "duration_s": duration, "repeat": rounds, "measured_on": time.strftime("%Y-%m-%d %H:%M")}


def bench(kind: str, scale: int, duration: int, work: Path, repeat: int = 3, writers: tuple[float, ...] = (0.5, 0.1),
          warmup: int = 2, in_process_seconds: float = 2.0, cold: bool = True, served: dict | None = None) -> dict:
    """One database at one scale; `served` (when given) gets its environment and measured project."""
    url_db = _database(kind, scale, work)
    env = {**os.environ, "GOVIT_DATABASE_URL": url_db, "GOVIT_ENV": "development", "GOVIT_TODAY": TODAY,
           "GOVIT_SECRET_KEY": "bench-" + "x" * 40, "GOVIT_UPLOAD_DIR": str(work / "uploads")}
    _run([str(BIN / "govit"), "init"], env)
    started = time.perf_counter()
    seeded = _run([sys.executable, "-m", "bench.seed", "--scale", str(scale)], env).strip().splitlines()[-1]
    seed_s = time.perf_counter() - started
    print(f"  seeded {kind} {scale}: {seeded} in {seed_s:.0f} s", flush=True)
    extra = _in_process(env)
    project_id = _run([sys.executable, "-c", (
        "from govit import create_app; from govit.extensions import db; from govit.models import Project;"
        "from sqlalchemy import select; app = create_app(); ctx = app.app_context(); ctx.push();"
        "print(db.session.scalar(select(Project.id).where(Project.state == 'in_construction')"
        ".order_by(Project.id.desc()).limit(1)))")], env).strip().splitlines()[-1]
    where = json.loads(_run([sys.executable, "-m", "bench.inprocess", "--project", project_id, "--seconds",
                             str(in_process_seconds)], env).strip().splitlines()[-1])
    for name, row in where["in_process"].items():
        print(f"  in process {name:13} {row}", flush=True)
    for note in where["in_process_notes"]:
        print(f"  note: {note}", flush=True)
    paths = page_paths(project_id)
    if served is not None:
        served[kind] = (env, project_id)
    notes = list(where["in_process_notes"])
    proc, url = _serve(env)
    try:
        cookie, token = _sign_in(url)
        pages = {name: (url + path, "" if name == "API list" else cookie, token if name == "API list" else "")
                 for name, path in paths.items()}
        targets = {"ceiling": (f"{url}/_bench/ceiling", "", "")}
        probe = requests.get(f"{url}/_bench/signed-in", headers={"Cookie": cookie}, allow_redirects=False)
        if probe.status_code == 200:
            targets["signed-in"] = (f"{url}/_bench/signed-in", cookie, "")
        elif not any("signed-in" in note for note in notes):
            notes.append(f"/_bench/signed-in answered {probe.status_code}: the signed-in endpoint not measured by wrk")
        loads = _rounds({**targets, **pages}, duration, repeat, warmup, "no writer")
        mixed = {}
        for interval in writers:
            label = f"{round(interval * 1000)} ms"
            writer = _writer(env, interval, project_id)
            try:
                mixed[label] = {"loads": _rounds(pages, duration, repeat, warmup, f"writer {label}")}
            finally:
                mixed[label]["writer"] = _stop_writer(writer)
            print(f"  writer {label}: {mixed[label]['writer']}", flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    cold_start = _cold_start(env, cookie, token, paths) if cold else {}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {"database": kind, "scale": scale, "seed_s": round(seed_s, 1), "loads": loads, "mixed": mixed,
            "in_process": where["in_process"], "cold_start": cold_start, "notes": notes, **extra,
            "duration_s": duration, "repeat": repeat, "connections": CONNECTIONS, "commit": commit.stdout.strip() or "unknown",
            "measured_on": time.strftime("%Y-%m-%d %H:%M")}


def main() -> None:
    parser = argparse.ArgumentParser(description="govit benchmark")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--scales", default="20000")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each measured wrk run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per endpoint; the median is reported")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk before each measured run (0: none)")
    parser.add_argument("--writers", default="0.5,0.1",
                        help="the writer's intervals in seconds, one mixed-load pass each ('' for none)")
    parser.add_argument("--in-process-seconds", type=float, default=2.0, help="per target, in process")
    parser.add_argument("--no-cold-start", action="store_true", help="skip the fresh-worker first hits")
    parser.add_argument("--no-report", action="store_true", help="write the results, not docs/PERFORMANCE.md")
    args = parser.parse_args()
    writers = tuple(float(w) for w in args.writers.split(",") if w.strip())
    RESULTS.mkdir(parents=True, exist_ok=True)
    kinds, scales = args.databases.split(","), list(map(int, args.scales.split(",")))
    served: dict[int, dict] = {scale: {} for scale in scales}
    with tempfile.TemporaryDirectory(prefix="govit-bench-") as tmp:
        for kind in kinds:
            for scale in scales:
                print(f"== {kind}, {scale} projects", flush=True)
                started = time.perf_counter()
                result = bench(kind, scale, args.duration, Path(tmp), args.repeat, writers, args.warmup,
                               args.in_process_seconds, not args.no_cold_start, served[scale])
                if kind == "postgresql" and "sqlite" in served[scale]:
                    print(f"== PostgreSQL against SQLite side by side, {scale} projects", flush=True)
                    result["side_by_side"] = side_by_side(served[scale], args.duration, args.repeat, args.warmup)
                result["bench_s"] = round(time.perf_counter() - started)
                (RESULTS / f"{kind}-{scale}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
                print(f"  {kind} {scale} took {result['bench_s']} s", flush=True)
    if not args.no_report:
        from .report import write
        print(f"table written to {write()}")


if __name__ == "__main__":
    main()
