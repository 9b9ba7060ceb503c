"""`make bench-peer`: govit side by side with its peer, Redmine (Debian's package), at 20,000 records.

    python -m bench.peer [--databases sqlite,postgresql] [--issues 20000] [--duration 10] [--repeat 3]

Installs Debian's `redmine`, `redmine-sqlite` (`redmine-pgsql` for PostgreSQL) and `puma` when
missing (tools/apt-install, debconf preseeded), makes a Redmine instance of its own (`govitbench`,
`govitbench-pg`: /etc/redmine/<instance>, a fresh database each run, `rake db:migrate` and the
default data), seeds it with bench/peer/seed.rb through `rails runner` (10 public projects, 20,000
issues, 10 journals with one changed attribute each, bulk `insert_all`) and serves it in production
mode with puma, 2 workers of 5 threads. govit is seeded and served as `make bench` does it
(bench/run.py's functions: bench/seed.py at 20,000 projects, gunicorn with 2 workers).

Three pairs of pages, each side signed in as a user who sees everything (govit's planner; Redmine's
`bench`, Manager in every project, not an administrator): the list filtered to one state (govit's
projects in construction, 50 a page; Redmine's issues In Progress, 50 a page), one record's page
(the newest project in construction with its ~50 history events; the newest issue In Progress with
its 10 journals), and the API list of the same 50 (govit's bearer token; Redmine's API key). Measured
interleaved — govit's page, then Redmine's, pair after pair — in `--repeat` rounds (3), wrk with 2
threads and 16 connections (bench/run.py's way, with a longer timeout and a gentler warm-up: `_load`
below), the median run reported; then one user alone (30 requests in a row, their median, and the
server's CPU time per request over them). Results go to
bench/peer/results.json and the section "The peer side by side" of docs/PERFORMANCE.md (between its
marker comments; nothing else in the file is touched). None of Redmine's code is committed.
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import requests

from bench import run as govit_bench

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "peer" / "results.json"
SEED_RB = ROOT / "bench" / "peer" / "seed.rb"
TARGET = ROOT / "docs" / "PERFORMANCE.md"
BEGIN, END = "<!-- bench-peer:begin -->", "<!-- bench-peer:end -->"
REDMINE = Path("/usr/share/redmine")
PASSWORD = "Bench@2026x"
PUMA_THREADS = "5:5"
PRESEED = """redmine redmine/instances/default/dbconfig-install boolean true
redmine redmine/instances/default/database-type select sqlite3
redmine redmine/instances/default/db/dbname string redmine_default
redmine redmine/instances/default/db/basepath string /var/lib/dbconfig-common/sqlite3/redmine/instances/default
"""
PAIRS = ("list", "record page", "API list")


def _say(text: str) -> None:
    print(text, flush=True)


def _check(args: list, env: dict | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(map(str, args))} failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
                         f"{done.stderr[-3000:]}")
    return done.stdout


def install(databases: list[str]) -> str:
    """Debian's redmine (with the backends asked for) and puma, installed when missing; their versions."""
    wanted = ["redmine", "redmine-sqlite", "puma"] + (["redmine-pgsql"] if "postgresql" in databases else [])
    status = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Status}\n", *wanted], capture_output=True,
                            text=True).stdout
    missing = [p for p in wanted if f"{p} install ok installed" not in status]
    if missing:
        _say(f"installing Debian {' '.join(missing)} (apt)")
        subprocess.run(["debconf-set-selections"], input=PRESEED, text=True, check=True)
        done = subprocess.run([ROOT / "tools" / "apt-install", *missing],
                              env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        if done.returncode:
            raise SystemExit(f"apt could not install {' '.join(missing)} (tools/apt-install exited {done.returncode})")
    return _check(["dpkg-query", "-W", "-f", "${Package} ${Version}\n", "redmine", "puma"]).strip().replace("\n", ", ")


def _instance(kind: str, work: Path) -> tuple[str, dict]:
    """A Redmine instance of this benchmark's own with a fresh, migrated database; its name and env."""
    name = "govitbench" if kind == "sqlite" else "govitbench-pg"
    _check([REDMINE / "bin" / "redmine-instances", "create", name])
    config = Path("/etc/redmine") / name
    if kind == "sqlite":
        db_file = Path("/var/lib/redmine") / name / "db" / "redmine.sqlite3"
        db_file.parent.mkdir(parents=True, exist_ok=True)
        db_file.unlink(missing_ok=True)
        database = f"production:\n  adapter: sqlite3\n  database: {db_file}\n  encoding: utf8\n"
    else:
        from sqlalchemy import create_engine, make_url, text
        server = make_url(govit_bench.PG_SERVER)
        engine = create_engine(govit_bench.PG_SERVER, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "redmine_bench" WITH (FORCE)'))
            conn.execute(text('CREATE DATABASE "redmine_bench" ENCODING \'UTF8\''))
        engine.dispose()
        database = (f"production:\n  adapter: postgresql\n  database: redmine_bench\n  host: {server.host}\n"
                    f"  port: {server.port or 5432}\n  username: {server.username}\n"
                    f"  password: \"{server.password or ''}\"\n  encoding: utf8\n")
    (config / "database.yml").write_text(database)
    secret = config / "secret_key.txt"
    if not secret.exists():
        secret.write_text(os.urandom(48).hex())
    env = {**os.environ, "REDMINE_INSTANCE": name, "RAILS_ENV": "production", "REDMINE_LANG": "en"}
    _check([REDMINE / "bin" / "rake", "db:migrate"], env, REDMINE)
    _check([REDMINE / "bin" / "rake", "redmine:load_default_data"], env, REDMINE)
    return name, env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve_redmine(env: dict, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(["puma", "-e", "production", "-w", "2", "-t", PUMA_THREADS, "-b", f"tcp://127.0.0.1:{port}",
                             "config.ru"], cwd=REDMINE, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    return proc, govit_bench.wait_until_up(proc, url, f"{url}/login", tries=300, timeout=10, pause=0.3,
                               failure=lambda: f"puma did not start:\n{log.read_text()[-3000:]}")


def _sign_in_redmine(url: str) -> str:
    session = requests.Session()
    page = session.get(f"{url}/login").text
    token = re.search(r'name="authenticity_token" value="([^"]+)"', page).group(1)
    res = session.post(f"{url}/login", data={"username": "bench", "password": PASSWORD, "authenticity_token": token},
                       allow_redirects=False)
    assert res.status_code == 302 and "/login" not in res.headers.get("location", ""), "Redmine's bench user could not sign in"
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def _govit_database(kind: str, scale: int, work: Path) -> str:
    """bench/run.py's fresh database, but on PostgreSQL under a name of its own (govit_peer_N), so a
    `make bench` running at the same time keeps its govit_bench_N."""
    if kind == "sqlite":
        return govit_bench._database(kind, scale, work)
    from sqlalchemy import create_engine, make_url, text
    name = f"govit_peer_{scale}"
    server = create_engine(govit_bench.PG_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return make_url(govit_bench.PG_SERVER).set(database=name).render_as_string(hide_password=False)


def _drop_databases(kind: str, scale: int) -> None:
    """The run's PostgreSQL databases dropped at its end (they hold a million rows on a shared server)."""
    if kind == "sqlite":
        return
    from sqlalchemy import create_engine, text
    server = create_engine(govit_bench.PG_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        for name in (f"govit_peer_{scale}", "redmine_bench"):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def _govit(kind: str, scale: int, work: Path) -> tuple[dict, subprocess.Popen, str]:
    """govit seeded and served as bench/run.py does it; its env, server and URL."""
    url_db = _govit_database(kind, scale, work)
    env = {**os.environ, "GOVIT_DATABASE_URL": url_db, "GOVIT_ENV": "development", "GOVIT_TODAY": govit_bench.TODAY,
           "GOVIT_SECRET_KEY": "bench-" + "x" * 40, "GOVIT_UPLOAD_DIR": str(work / "uploads")}
    govit_bench._run([str(govit_bench.BIN / "govit"), "init"], env)
    started = time.perf_counter()
    seeded = govit_bench._run([sys.executable, "-m", "bench.seed", "--scale", str(scale)], env).strip().splitlines()[-1]
    _say(f"  govit seeded ({kind}): {seeded} in {time.perf_counter() - started:.0f} s")
    # bench/seed.py writes its users without the accounts' HMAC (integrity.py, issue 23), which then refuses
    # their sign-in; sealed here, through govit's own function, until the seed does it
    govit_bench._run([sys.executable, "-c", (
        "from sqlalchemy import select, update; from govit import create_app; from govit.extensions import db;"
        "from govit.integrity import intact, mac_of; from govit.models import User; app = create_app(); "
        "ctx = app.app_context(); ctx.push(); t = User.__table__\n"
        "for u in db.session.execute(select(User)).scalars().all():\n"
        "    if not intact(u): db.session.execute(update(t).where(t.c.id == u.id).values(integrity_mac=mac_of(u)))\n"
        "db.session.commit()")], env)
    proc, url = govit_bench._serve(env)
    return env, proc, url


def _settle(server: int, limit: float = 60) -> None:
    """Wait until the server has finished the requests whose clients have gone (its CPU time stops
    growing: under 5% of a core over half a second), so the next measurement does not share the
    machine with the last one's backlog."""
    deadline, last = time.monotonic() + limit, _cpu_seconds(server)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = _cpu_seconds(server)
        if now - last < 0.025:
            return
        last = now


def _load(url: str, duration: int, cookie: str = "", token: str = "", server: int = 0) -> dict:
    """bench/run.py's `_load` (wrk, 2 threads, 16 connections, bench/latency.lua, a 2-second warm-up) with two
    changes for a server that needs seconds per request under load: wrk's timeout is 30 s, not 2 s (wrk
    would drop Redmine's queued requests from the latencies as timeouts), and the warm-up uses 2
    connections, and both it and the run are followed by `_settle`, so no measurement starts behind the
    last one's backlog (a server goes on answering requests whose client has gone)."""
    env = {**os.environ, "BENCH_COOKIE": cookie, "BENCH_TOKEN": token}
    script = str(ROOT / "bench" / "latency.lua")
    subprocess.run(["wrk", "-t2", "-c2", "--timeout", "30s", "-s", script, "-d2s", url], env=env, capture_output=True)
    _settle(server) if server else _alone(url, cookie, token, n=1, warm=0)
    base = ["wrk", "-t2", f"-c{govit_bench.CONNECTIONS}", "--timeout", "30s", "-s", script]
    out = subprocess.run([*base, f"-d{duration}s", url], env=env, capture_output=True, text=True).stdout
    if server:
        _settle(server)
    found = dict(re.findall(r"(\w+)=(\d+)", out.split("BENCH", 1)[1]))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"rps": round(rps, 1), "p50_ms": int(found["p50"]) / 1000, "p95_ms": int(found["p95"]) / 1000,
            "requests": int(found["requests"]), "errors": int(found["errors"]), "non2xx": int(found["non2xx"])}


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a server: the process and all its descendants (/proc)."""
    parent, cpu = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(stat.parent.name)] = int(fields[1])
        cpu[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    tree, todo = set(), [pid]
    while todo:
        p = todo.pop()
        tree.add(p)
        todo += [child for child, ppid in parent.items() if ppid == p and child not in tree]
    return sum(cpu.get(p, 0.0) for p in tree)


def _alone(url: str, cookie: str = "", token: str = "", n: int = 20, warm: int = 3, server: int = 0):
    """One user alone: the median of n requests in a row (after `warm` unmeasured), in ms; with the server's
    pid, also its CPU time per request in ms (all its processes; a database server's own processes not
    counted), which the other processes on the machine disturb far less than wall-clock figures."""
    headers = {**({"Cookie": cookie} if cookie else {}), **({"Authorization": f"Bearer {token}"} if token else {})}
    times = []
    with requests.Session() as session:
        for i in range(n + warm):
            if i == warm and server:
                cpu = _cpu_seconds(server)
            started = time.perf_counter()
            res = session.get(url, headers=headers)
            if i >= warm:
                times.append((time.perf_counter() - started) * 1000)
            assert res.status_code == 200, f"{url}: {res.status_code}"
    if server:
        return round(statistics.median(times), 1), round((_cpu_seconds(server) - cpu) * 1000 / n, 1)
    return round(statistics.median(times), 1)


def bench(kind: str, issues: int, journals: int, duration: int, repeat: int, work: Path) -> dict:
    load_before = [round(x, 1) for x in os.getloadavg()]
    _say(f"== {kind}: Redmine instance and seed")
    started = time.perf_counter()
    _name, env = _instance(kind, work)
    seeded = json.loads(_check([REDMINE / "bin" / "rails", "runner", SEED_RB], {**env, "PEER_ISSUES": str(issues),
                                                                   "PEER_JOURNALS": str(journals),
                                                                   "PEER_PASSWORD": PASSWORD}, REDMINE)
                        .strip().splitlines()[-1])
    redmine_seed_s = round(time.perf_counter() - started, 1)
    _say(f"  Redmine seeded ({kind}): {seeded} in {redmine_seed_s} s (with migration)")
    redmine, redmine_url = _serve_redmine(env, work / f"puma-{kind}.log")
    govit = None
    try:
        govit_env, govit, govit_url = _govit(kind, issues, work)
        cookie, token = govit_bench._sign_in(govit_url)
        project_id = govit_bench._run([sys.executable, "-c", (
            "from govit import create_app; from govit.extensions import db; from govit.models import Project;"
            "from sqlalchemy import select; app = create_app(); ctx = app.app_context(); ctx.push();"
            "print(db.session.scalar(select(Project.id).where(Project.state == 'in_construction')"
            ".order_by(Project.id.desc()).limit(1)))")], govit_env).strip().splitlines()[-1]
        redmine_cookie = _sign_in_redmine(redmine_url)
        status = seeded["in_progress_status_id"]
        redmine_list = urlencode([("set_filter", "1"), ("f[]", "status_id"), ("op[status_id]", "="),
                                  ("v[status_id][]", status), ("per_page", "50")])
        targets = {
            "list": ((f"{govit_url}/projects?state=in_construction", cookie, ""),
                     (f"{redmine_url}/issues?{redmine_list}", redmine_cookie, "")),
            "record page": ((f"{govit_url}/projects/{project_id}", cookie, ""),
                            (f"{redmine_url}/issues/{seeded['issue_id']}", redmine_cookie, "")),
            "API list": ((f"{govit_url}/api/v1/projects?state=in_construction&per_page=50", "", token),
                         (f"{redmine_url}/issues.json?status_id={status}&limit=50&key={seeded['api_key']}", "", "")),
        }
        for name, sides in targets.items():  # every page answers 200 before it is loaded
            for target, c, t in sides:
                _alone(target, c, t, n=1)
        runs = {(name, side): [] for name in targets for side in ("govit", "redmine")}
        for round_ in range(1, repeat + 1):  # interleaved, so the machine's drift hits both sides alike
            for name, sides in targets.items():
                for side, (target, c, t), pid in zip(("govit", "redmine"), sides, (govit.pid, redmine.pid)):
                    runs[(name, side)].append(_load(target, duration, c, t, pid))
                    _say(f"  {round_}/{repeat} {name:11} {side:7} {runs[(name, side)][-1]}")
        pairs = {}
        for name, sides in targets.items():
            pairs[name] = {}
            for side, (target, c, t), pid in zip(("govit", "redmine"), sides, (govit.pid, redmine.pid)):
                found = runs[(name, side)]
                pairs[name][side] = {**govit_bench._median(found), "rps_each_run": [r["rps"] for r in found],
                                     **dict(zip(("alone_ms", "cpu_ms"), _alone(target, c, t, n=30, server=pid)))}
            _say(f"  {name}: govit {pairs[name]['govit']['rps']} req/s, Redmine {pairs[name]['redmine']['rps']} req/s")
    finally:
        for proc in (govit, redmine):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=60)
        _drop_databases(kind, issues)
    return {"database": kind, "records": issues, "journals_per_issue": journals, "load_average_before": load_before,
            "load_average_after": [round(x, 1) for x in os.getloadavg()], "redmine_seed_s": redmine_seed_s,
            "redmine_seed": {k: v for k, v in seeded.items() if k != "api_key"}, "pairs": pairs}


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}×" if b else "—"


def section(result: dict) -> str:
    lines = [BEGIN, "## The peer side by side (make bench-peer)", "",
             f"Measured {result['measured_on']} at {result['commit']} with `make bench-peer` (`python -m bench.peer`, "
             f"{result['duration_s']} s runs, {result['repeat']} rounds) against Debian's {result['versions']}.",
             f"Both sides at {result['records']:,} records on the same database: govit seeded by bench/seed.py "
             f"(~50 history events per project) under gunicorn with 2 workers; Redmine seeded by "
             f"bench/peer/seed.rb ({result['records']:,} issues in 10 public projects, "
             f"{result['journals_per_issue']} journals each with one changed attribute) in production mode under "
             f"puma with 2 workers of {PUMA_THREADS.split(':')[1]} threads.",
             "Each side signed in as a user who sees everything (govit's planner; Redmine's `bench`, Manager in every",
             "project, not an administrator); the list is one state's 50 newest (projects in construction / issues",
             "In Progress), the record page the newest of them (a project with its history; an issue with its",
             "journals), the API list the same 50 as JSON (bearer token / API key). Interleaved — govit's page,",
             "then Redmine's — in rounds, wrk with 2 threads and 16 connections (2-second warm-up on 2 connections,",
             "wrk's timeout 30 s), the median run reported;",
             "\"alone\" is one user's median of 30 requests in a row, \"CPU\" the server's CPU time per request over",
             "those 30 (all its processes, a PostgreSQL server's own not counted): the figure the machine's other",
             "load disturbs least. Ratios are govit ÷ Redmine for req/s and Redmine ÷ govit for times (how many",
             "times faster govit is).", ""]
    for run in result["runs"]:
        load = (f" Load average (1, 5, 15 min) {run['load_average_before']} before, {run['load_average_after']} after."
                if "load_average_before" in run else "")
        lines += [f"### {run['database']}", "", f"Seeded Redmine in {run['redmine_seed_s']} s (migration included).{load}", "",
                  "| page (govit / Redmine) | govit req/s | Redmine req/s | req/s ratio | govit p50 ms | "
                  "Redmine p50 ms | p50 ratio | govit p95 ms | Redmine p95 ms | alone govit / Redmine ms | "
                  "CPU ms per request govit / Redmine | CPU ratio |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|"]
        names = {"list": "list (projects / issues)", "record page": "record page (project / issue)",
                 "API list": "API list (50)"}
        for name in PAIRS:
            g, r = run["pairs"][name]["govit"], run["pairs"][name]["redmine"]
            bad = " (errors or non-2xx!)" if g["non2xx"] or r["non2xx"] or g["errors"] or r["errors"] else ""
            lines.append(f"| {names[name]}{bad} | {g['rps']:,.0f} | {r['rps']:,.1f} | **{_ratio(g['rps'], r['rps'])}** | "
                         f"{g['p50_ms']:.1f} | {r['p50_ms']:.1f} | {_ratio(r['p50_ms'], g['p50_ms'])} | "
                         f"{g['p95_ms']:.1f} | {r['p95_ms']:.1f} | {g['alone_ms']} / {r['alone_ms']} | "
                         f"{g.get('cpu_ms', '—')} / {r.get('cpu_ms', '—')} | "
                         f"{_ratio(r['cpu_ms'], g['cpu_ms']) if g.get('cpu_ms') else '—'} |")
        worst = min(PAIRS, key=lambda n: run["pairs"][n]["govit"]["rps"] / max(run["pairs"][n]["redmine"]["rps"], 0.1))
        w = run["pairs"][worst]
        lines += ["", f"Lowest ratio: {worst}, {_ratio(w['govit']['rps'], w['redmine']['rps'])} "
                      f"(issue 24's bar: no page below 5×). Each run's req/s: "
                  + "; ".join(f"{n} govit {run['pairs'][n]['govit']['rps_each_run']}, Redmine "
                              f"{run['pairs'][n]['redmine']['rps_each_run']}" for n in PAIRS) + ".", ""]
    lines += [result.get("note", ""), "", "Re-run with `make bench-peer` (`BENCH_PEER_DATABASES=sqlite,postgresql` "
              "adds PostgreSQL on both sides); it installs Debian's redmine and puma when missing and replaces only "
              "this section.", END]
    return "\n".join(lines)


def write_section(text: str, target: Path = TARGET) -> Path:
    """Replace the text between the markers (or append it): the rest of the file is left as it is."""
    old = target.read_text(encoding="utf-8") if target.exists() else ""
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        new = head + text + rest.split(END, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    target.write_text(new, encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description="govit side by side with Redmine")
    parser.add_argument("--databases", default="sqlite", help="sqlite and/or postgresql (both sides on it)")
    parser.add_argument("--issues", type=int, default=20000, help="issues in Redmine, projects in govit")
    parser.add_argument("--journals", type=int, default=10)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--note", default=os.environ.get("BENCH_PEER_NOTE", ""),
                        help="a sentence for the section (e.g. what else ran on the machine)")
    parser.add_argument("--section-only", action="store_true",
                        help="rewrite the section from bench/peer/results.json (with --note) without measuring")
    args = parser.parse_args()
    if args.section_only:
        result = json.loads(RESULTS.read_text())
        result["note"] = args.note or result.get("note", "")
        for run in result["runs"]:
            run["redmine_seed"].pop("api_key", None)
        RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=1))
        _say(f"section written to {write_section(section(result))}")
        return
    databases = args.databases.split(",")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: make bench-deps")
    versions = install(databases)
    _say(f"peer: {versions}")
    runs = []
    with tempfile.TemporaryDirectory(prefix="govit-peer-") as tmp:
        for kind in databases:
            runs.append(bench(kind, args.issues, args.journals, args.duration, args.repeat, Path(tmp)))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    result = {"versions": versions, "records": args.issues, "journals_per_issue": args.journals, "runs": runs,
              "duration_s": args.duration, "repeat": args.repeat, "connections": govit_bench.CONNECTIONS,
              "commit": commit.stdout.strip() or "unknown", "measured_on": time.strftime("%Y-%m-%d %H:%M"),
              "note": args.note}
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    _say(f"results in {RESULTS.relative_to(ROOT)}; section written to {write_section(section(result))}")


if __name__ == "__main__":
    main()
