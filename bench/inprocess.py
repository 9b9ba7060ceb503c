"""Where a page's time goes, measured inside one process (issue 24, points 3 and 4).

    python -m bench.inprocess --project 1234 [--seconds 2]     # one line of JSON

The app of bench/wsgi.py through Flask's test client, signed in as bench_planner (cookie) and with
its API token: each target is requested for `--seconds` (at least 20 times) after 5 unmeasured
requests, and per request we report the mean time, the SQL statements and the time spent in them
(SQLAlchemy's before/after_cursor_execute: the statement, its round trip and reading the rows), the
pool checkouts (on PostgreSQL each one pings the server first: a round trip not counted among the
statements). On PostgreSQL, when pg_stat_statements answers (the extension needs
shared_preload_libraries; `make bench` loads it through tools/pg-stat-statements), the server's own
count and execution time per page as well, and its three longest statements; else the reason it did
not, once. The minimal signed-in endpoint (`/_bench/signed-in`, bench/wsgi.py) is
measured when it answers 200, else skipped with a note: with the bare endpoint, in interleaved
rounds (floor_rounds), so that the signed-in overhead is the median of the rounds' differences.
"""
import argparse
import json
import re
import time


def _gist(statement: str) -> str:
    """A statement as PERFORMANCE.md names it: its column list left out (what it reads from and how
    is what tells one statement from another), one line, at most 110 characters."""
    one_line, depth = " ".join(statement.split()), 0
    if one_line.upper().startswith("SELECT "):
        for at, char in enumerate(one_line):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0 and one_line.startswith(" FROM ", at):
                one_line = "SELECT …" + one_line[at:]
                break
    return one_line[:110]


ROUNDS = 15  # of the signed-in floor: the bare endpoint and the signed-in one, interleaved


def floor_rounds(floor: dict, measure, stats: dict, reset, with_server_side, seconds: float) -> dict:
    """The bare endpoint and the minimal signed-in one measured in ROUNDS interleaved rounds (the
    pair's order alternating), each round a fraction of `seconds` per endpoint: each endpoint's time
    is its median round's, and the signed-in overhead the median of the rounds' differences. This
    machine's speed drifts by up to two times over seconds (a worker's statement and the ORM's work
    more than the bare endpoint's), so two windows measured one after the other compare moments as
    much as endpoints; rounds a fraction of a second apart compare the endpoints."""
    import statistics
    for get, path in floor.values():
        for _ in range(20):
            get(path)
    ms: dict[str, list[float]] = {name: [] for name in floor}
    totals = {name: dict.fromkeys(("requests", "statements", "db_s", "checkouts"), 0) for name in floor}
    last = {}
    names = list(floor)
    for number in range(ROUNDS):
        for name in names if number % 2 == 0 else names[::-1]:
            get, path = floor[name]
            reset()
            n, wall = measure(get, path, {}, 20, seconds / ROUNDS)
            ms[name].append(1000 * wall / n)
            for key, value in (("requests", n), *((key, stats[key]) for key in ("statements", "db_s", "checkouts"))):
                totals[name][key] += value
            last[name] = with_server_side({}, n)  # the server's figures: of the last round
    found = {}
    for name, total in totals.items():
        n = total["requests"]
        found[name] = {"requests": n, "ms": round(statistics.median(ms[name]), 2),
                       "statements": round(total["statements"] / n, 1), "db_ms": round(1000 * total["db_s"] / n, 2),
                       "checkouts": round(total["checkouts"] / n, 1), "rounds": ROUNDS, **last[name]}
    differences = sorted(signed - bare for bare, signed in zip(ms["ceiling"], ms["signed-in"]))
    found["signed-in"].update(overhead_ms=round(statistics.median(differences), 2),
                              overhead_spread_ms=[round(differences[0], 2), round(differences[-1], 2)])
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    from sqlalchemy import create_engine, event, text

    from bench.wsgi import app
    from govit.extensions import db
    from . import run

    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").get_data(as_text=True))
    signed = client.post("/login", data={"username": "bench_planner", "password": "Bench@2026x",
                                         "csrf_token": token.group(1) if token else ""})
    if signed.status_code != 302:
        raise SystemExit(f"bench_planner could not sign in in process ({signed.status_code})")
    api = client.post("/api/v1/auth/token", json={"username": "bench_planner", "password": "Bench@2026x"}).get_json()
    bearer = {"Authorization": f"Bearer {api['token']}"}
    with app.app_context():
        engine = db.engine
    stats = {"statements": 0, "db_s": 0.0, "checkouts": 0}
    started: list[float] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(*_):
        started.append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _after(*_):
        stats["statements"] += 1
        stats["db_s"] += time.perf_counter() - started.pop()

    @event.listens_for(engine.pool, "checkout")
    def _checkout(*_):
        stats["checkouts"] += 1

    pg_stat, pg_note = None, None
    if engine.dialect.name == "postgresql":
        pg_stat = create_engine(engine.url, isolation_level="AUTOCOMMIT")
        try:
            with pg_stat.connect() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
                conn.execute(text("SELECT pg_stat_statements_reset()"))
                conn.execute(text("SELECT count(*) FROM pg_stat_statements"))
        except Exception as exc:  # noqa: BLE001 — the fallback is the in-process count above
            pg_note = str(exc).strip().splitlines()[0][:200]
            pg_stat.dispose()
            pg_stat = None

    def server_side() -> dict:
        """The server's count and execution time of this page's statements, and the three that took
        longest (their text shortened), so that PERFORMANCE.md can say where the time goes."""
        with pg_stat.connect() as conn:
            rows = conn.execute(text(
                "SELECT query, calls, total_exec_time FROM pg_stat_statements "
                "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC")).all()
        return {"calls": sum(row.calls for row in rows), "exec_ms": sum(row.total_exec_time for row in rows),
                "top": [(_gist(row.query), row.calls, row.total_exec_time) for row in rows[:3]]}

    def measure(get, path, headers, at_least: int, seconds: float) -> tuple[int, float]:
        """Requests of `path` for `seconds` (at least `at_least`): their number and the wall time."""
        n, start = 0, time.perf_counter()
        while n < at_least or time.perf_counter() - start < seconds:
            get(path, headers=headers)
            n += 1
        return n, time.perf_counter() - start

    def per_request(n: int, wall: float) -> dict:
        return {"requests": n, "ms": round(1000 * wall / n, 2), "statements": round(stats["statements"] / n, 1),
                "db_ms": round(1000 * stats["db_s"] / n, 2), "checkouts": round(stats["checkouts"] / n, 1)}

    def reset() -> None:
        if pg_stat is not None:
            with pg_stat.connect() as conn:
                conn.execute(text("SELECT pg_stat_statements_reset()"))
        stats.update(statements=0, db_s=0.0, checkouts=0)

    def with_server_side(row: dict, n: int) -> dict:
        if pg_stat is not None:
            server = server_side()
            row.update(pg_calls=round(server["calls"] / n, 1), pg_exec_ms=round(server["exec_ms"] / n, 3),
                       pg_top=[{"statement": query, "calls": round(calls / n, 2), "exec_ms": round(ms / n, 3)}
                               for query, calls, ms in server["top"]])
        return row

    anonymous = app.test_client()  # the ceiling and the API list as wrk asks for them: no cookie
    found, notes = {}, []
    floor = {"ceiling": (anonymous.get, "/_bench/ceiling"), "signed-in": (client.get, "/_bench/signed-in")}
    for name, (get, path) in list(floor.items()):
        answered = get(path).status_code
        if answered != 200:
            notes.append(f"{name} ({path}) answered {answered}: not measured")
            del floor[name]
    if len(floor) == 2:
        found.update(floor_rounds(floor, measure, stats, reset, with_server_side, args.seconds))
        floor = {}
    targets = {**{name: path for name, (_, path) in floor.items()}, **run.page_paths(args.project)}
    for name, path in targets.items():
        headers = bearer if name == "API list" else {}
        get = (anonymous if name in ("ceiling", "API list") else client).get
        first = get(path, headers=headers)
        if first.status_code != 200:
            notes.append(f"{name} ({path}) answered {first.status_code}: not measured")
            continue
        for _ in range(4):
            get(path, headers=headers)
        reset()
        n, wall = measure(get, path, headers, 20, args.seconds)
        found[name] = with_server_side(per_request(n, wall), n)
    if pg_note:
        notes.append(f"pg_stat_statements not available ({pg_note}); statements counted in process instead")
    print(json.dumps({"in_process": found, "in_process_notes": notes}, ensure_ascii=False))


if __name__ == "__main__":
    main()
