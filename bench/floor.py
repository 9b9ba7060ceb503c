"""The signed-in floor, in process: the bare endpoint against the same endpoint behind sign-in.

    python -m bench.floor [--databases sqlite,postgresql] [--requests 2000] [--rounds 3]

For each database: a fresh database (upgraded, the authorities and the calendar seeded, one planner),
the app as bench/wsgi.py serves it, a Flask test client signed in through the login form, then
`--rounds` rounds of `--requests` GETs of /_bench/ceiling (without a cookie, as wrk asks for it) and
/_bench/signed-in (with the signed-in cookie) each, interleaved;
prints the mean milliseconds per request of each round, wall clock and the process's CPU time (on a
loaded machine the CPU time is the steadier figure; on PostgreSQL the wall clock includes the round
trips to the server, which the CPU time does not).
"""
import argparse
import os
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path

PG_SERVER = os.environ.get("GOVIT_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "Bench@2026x"


def _database(kind: str, work: Path) -> tuple[str, callable]:
    if kind == "sqlite":
        return f"sqlite:///{work / 'floor.sqlite'}", lambda: None
    from sqlalchemy import create_engine, make_url, text
    name = f"govit_floor_{uuid.uuid4().hex[:8]}"
    server = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()
    return make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False), drop


def measure(kind: str, requests: int, rounds: int) -> dict:
    """Run in a process of its own (the app reads GOVIT_DATABASE_URL when bench.wsgi is imported)."""
    from flask_migrate import upgrade
    from bench.wsgi import app
    from govit.auth.services import create_user, seed_authorities
    from govit.calendar_store import seed_from_package
    from govit.extensions import db
    with app.app_context():
        upgrade()
        seed_authorities()
        seed_from_package()
        db.session.commit()
        create_user(None, "bench_planner", "planner", "YSHJ", PASSWORD, must_change=False)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    res = client.post("/login", data={"username": "bench_planner", "password": PASSWORD, "csrf_token": token})
    assert res.status_code == 302, res.status_code
    assert client.get("/_bench/signed-in").status_code == 200
    anonymous = app.test_client()  # the ceiling as wrk asks for it: no cookie
    for _ in range(200):  # warm both paths
        anonymous.get("/_bench/ceiling"), client.get("/_bench/signed-in")
    found = {"ceiling": [], "signed_in": [], "ceiling_cpu": [], "signed_in_cpu": []}
    for _ in range(rounds):
        for name, path, who in (("ceiling", "/_bench/ceiling", anonymous), ("signed_in", "/_bench/signed-in", client)):
            start, cpu = time.perf_counter(), time.process_time()
            for _ in range(requests):
                who.get(path)
            found[name].append(round((time.perf_counter() - start) / requests * 1000, 3))
            found[f"{name}_cpu"].append(round((time.process_time() - cpu) / requests * 1000, 3))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(measure(args.one, args.requests, args.rounds))
        return
    import ast
    import subprocess
    for kind in args.databases.split(","):
        with tempfile.TemporaryDirectory() as work:
            url, drop = _database(kind, Path(work))
            try:
                env = {**os.environ, "GOVIT_DATABASE_URL": url, "GOVIT_ENV": "development",
                       "GOVIT_UPLOAD_DIR": work, "GOVIT_TODAY": "2026-11-22",
                       "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]),
                                                                    os.environ.get("PYTHONPATH")]))}
                out = subprocess.run([sys.executable, "-m", "bench.floor", "--one", kind, "--requests",
                                      str(args.requests), "--rounds", str(args.rounds)],
                                     env=env, capture_output=True, text=True)
                if out.returncode:
                    raise SystemExit(out.stderr)
                found = ast.literal_eval(out.stdout.strip().splitlines()[-1])
            finally:
                drop()
        print(f"{kind}: mean ms per request in each round (wall; the process's CPU)")
        for name in ("ceiling", "signed_in"):
            print(f"  {name:9}  wall {found[name]}  cpu {found[name + '_cpu']}  "
                  f"best wall {min(found[name])}  best cpu {min(found[name + '_cpu'])}")


if __name__ == "__main__":
    main()
