"""Issue 20: check and import a 2,000-row ledger on SQLite and PostgreSQL, and print the times
(targets: check < 10 s, import < 60 s). Not part of `make test`: `make bench-ledger`.

GOVIT_BENCH_POSTGRES names the PostgreSQL server (default the local one); each run makes its own
database there and drops it."""
import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

PG_SERVER = os.environ.get("GOVIT_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TODAY = date(2026, 11, 30)
DEPARTMENTS = [("JYT", "省教育厅"), ("WJW", "省卫生健康委员会"), ("RST", "省人力资源和社会保障厅"), ("MZT", "省民政厅")]


def _database(kind: str, work: Path):
    if kind == "sqlite":
        return f"sqlite:///{work / 'ledger-bench.sqlite'}", None
    name = f"govit_ledger_bench_{uuid.uuid4().hex[:8]}"
    server = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False), (server, name)


def _drop(pg) -> None:
    if pg:
        server, name = pg
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def run(kind: str, rows: int) -> tuple[float, float]:
    from flask_migrate import upgrade

    from govit import clock, create_app
    from govit.auth import services as accounts
    from govit.auth.services import seed_authorities
    from govit.calendar_store import seed_from_package
    from govit.extensions import db
    from govit.ledger import sample, services

    with tempfile.TemporaryDirectory() as work:
        url, pg = _database(kind, Path(work))
        try:
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "GOVIT_ENV": "testing",
                              "TESTING": True, "SECRET_KEY": "bench", "GOVIT_UPLOAD_DIR": str(Path(work) / "uploads"),
                              "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
            with app.app_context(), clock.travel(TODAY):
                upgrade()
                seed_authorities()
                seed_from_package()
                db.session.commit()
                for code, name in DEPARTMENTS:
                    accounts.create_department(None, code, name)
                planner = accounts.create_user(None, "planner", "planner", "YSHJ", "Bench@2026x", "王统筹",
                                               must_change=False)
                data = sample.ledger_bytes(sample.rows(rows, [c for c, _ in DEPARTMENTS], 2024, date(2023, 10, 30)),
                                           DEPARTMENTS)
                started = time.perf_counter()
                report = services.check_ledger(data, "bench.xlsx", planner)
                checked = time.perf_counter() - started
                assert not report.errors, report.errors[0].check.messages()
                started = time.perf_counter()
                _, batch = services.import_ledger(planner, data, "bench.xlsx")
                imported = time.perf_counter() - started
                assert batch.created == rows
                db.session.remove()
                db.engine.dispose()
        finally:
            _drop(pg)
    return checked, imported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    failed = False
    for kind in args.databases.split(","):
        checked, imported = run(kind, args.rows)
        ok = checked < 10 and imported < 60
        failed |= not ok
        print(f"{kind:10s} {args.rows} 行：检查 {checked:6.2f} s（目标 < 10 s），导入 {imported:6.2f} s（目标 < 60 s）"
              f"{'' if ok else '  未达标'}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
