"""Cold start: the first hit of each page in a fresh worker process, with and without the warm-up.

    python -m bench.first_hit [--database sqlite|postgresql] [--scale 300]

A fresh database seeded by bench/seed.py; the users sign in from one process (their cookies kept);
then for GOVIT_WARMUP=0 and =1 a new process creates the app as bench/wsgi.py does (timing that),
and times the first GET of each main page (as a role that may open it), then the second. Prints
milliseconds per page: first hit, second hit. Issue 24: the first hit of every page ≤ 300 ms.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Bench@2026x"
USERS = ("bench_planner", "bench_b001_dept_admin", "bench_b001_applicant", "bench_finance", "bench_ndrc",
         "bench_auditor", "bench_admin", "bench_reviewer_business")


def _pages(project_id: int, plan_id: int) -> list[tuple[str, str]]:
    """(user, path): each main page once, asked by a user who may open it."""
    p, d = "bench_planner", "bench_b001_dept_admin"
    return [
        (p, "/"), (d, "/"), (p, "/projects"), (p, f"/projects/{project_id}"), (d, f"/projects/{project_id}"),
        (d, "/projects/new"), (d, "/submit"), ("bench_b001_applicant", "/"),
        (p, "/rounds"), (p, "/plans"), (p, f"/plans/{plan_id}"), (p, f"/plans/{plan_id}/candidates"),
        (p, f"/plans/{plan_id}/export.xlsx"), (p, f"/plans/{plan_id}/chart/state.png"), (p, "/flags"),
        (p, "/dashboard"), (p, "/dashboard/funnel.png"), ("bench_finance", "/finance/execution"),
        ("bench_finance", "/finance/contracts"), ("bench_finance", "/finance/payments"),
        (p, "/budget-changes"), (p, "/ledger"), (p, "/search?q=系统"), (p, "/projects.xlsx"),
        (p, f"/projects/{project_id}/record.xlsx"), (p, f"/projects/{project_id}/progress.png"),
        (p, "/inbox"), ("bench_reviewer_business", "/review"), ("bench_auditor", "/audit"),
        ("bench_admin", "/admin/users"), ("bench_admin", "/admin/calendar"), (p, "/help"),
        (p, "/account/sessions"), ("bench_ndrc", "/"),
    ]


def child(cookies: dict, pages: list) -> dict:
    """In a fresh process: create the app (the warm-up runs there when GOVIT_WARMUP says so), then
    the first and the second hit of each page."""
    start = time.perf_counter()
    from bench.wsgi import app
    startup = time.perf_counter() - start
    clients = {}
    for user, cookie in cookies.items():
        client = clients[user] = app.test_client()
        client.set_cookie("session", cookie)
    found = []
    for user, path in pages:
        times = []
        for _ in range(2):
            start = time.perf_counter()
            res = clients[user].get(path)
            times.append(round((time.perf_counter() - start) * 1000, 1))
        found.append([path, user, res.status_code, *times])
    return {"startup_s": round(startup, 2), "pages": found}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--scale", type=int, default=300)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        data = json.loads(Path(args.child).read_text())
        print(json.dumps(child(data["cookies"], data["pages"])))
        return
    work = Path(tempfile.mkdtemp())
    sys.path.insert(0, str(ROOT))
    from bench.run import _database
    url = _database(args.database, args.scale, work)
    env = {**os.environ, "GOVIT_DATABASE_URL": url, "GOVIT_ENV": "development", "GOVIT_UPLOAD_DIR": str(work),
           "GOVIT_TODAY": "2026-11-22", "GOVIT_SECRET_KEY": "first-hit-" + "0" * 54, "PYTHONPATH": str(ROOT)}
    for step in (["-c", "from govit.cli import main; main()", "init"], ["-m", "bench.seed", "--scale", str(args.scale)]):
        done = subprocess.run([sys.executable, *step], cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(done.stdout + done.stderr)
    os.environ.update(env)
    from bench.wsgi import app
    from sqlalchemy import select
    from govit.extensions import db
    from govit.models import Department, Plan, Project, User
    from govit.integrity import mac_of
    with app.app_context():
        for user in db.session.execute(select(User)).scalars():  # bench/seed.py leaves the accounts unsealed
            user.integrity_mac = mac_of(user)
        db.session.commit()
        b001 = db.session.execute(select(Department.id).where(Department.code == "B001")).scalar_one()
        project_id = db.session.execute(select(Project.id).where(Project.department_id == b001)
                                        .order_by(Project.id)).scalars().first()
        plan_id = db.session.execute(select(Plan.id).order_by(Plan.plan_year.desc())).scalars().first()
    cookies = {}
    for user in USERS:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        res = client.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": token})
        assert res.status_code == 302, (user, re.findall(r'invalid-feedback[^>]*>([^<]+)', res.get_data(as_text=True)))
        cookies[user] = client.get_cookie("session").value
    spec = work / "spec.json"
    spec.write_text(json.dumps({"cookies": cookies, "pages": _pages(project_id, plan_id)}))
    results = {}
    for warm in ("0", "1"):
        done = subprocess.run([sys.executable, "-m", "bench.first_hit", "--child", str(spec)], cwd=ROOT,
                              env={**env, "GOVIT_WARMUP": warm}, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(done.stderr)
        results[warm] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{args.database}, {args.scale} projects; app created in {results['0']['startup_s']} s without the "
          f"warm-up, {results['1']['startup_s']} s with it")
    print(f"{'page':44} {'user':24} {'status':>6} {'cold 1st':>9} {'2nd':>7} {'warm 1st':>9} {'2nd':>7}")
    for cold, warm in zip(results["0"]["pages"], results["1"]["pages"]):
        print(f"{cold[0]:44} {cold[1]:24} {cold[2]:>6} {cold[3]:>9} {cold[4]:>7} {warm[3]:>9} {warm[4]:>7}")
    worst = max(row[3] for row in results["1"]["pages"])
    print(f"slowest first hit: {max(row[3] for row in results['0']['pages'])} ms without, {worst} ms with the warm-up")


if __name__ == "__main__":
    main()
