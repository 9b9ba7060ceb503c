"""The benchmark's writer: real changes through govit's services while wrk reads (issue 24).

    python -m bench.writer --interval 0.5 --project 1234     # until SIGTERM; then one line of JSON

Every `--interval` seconds one change, committed by the service as a person's would be, each
appending to the history (so each moves the data version the dashboard and the 待办 are kept by):
- 8 in 10: a department saves a field of one of its drafts (planning.services.update_project),
  a draft drawn at random from all of them;
- 1 in 10: a department re-files this month's progress report of a project under construction
  (acceptance.services.report_progress, same figures, a new note), drawn at random;
- 1 in 10: the same on `--project`, the project whose page the benchmark reads.
On SIGTERM it prints {"writes", "errors", "seconds", "mean_ms", "p95_ms", "max_ms", "interval_s"}: how
many changes were committed in how long (a change slower than the interval lowers the rate: the
writer never runs two at once), how long each took, and the interval asked for.
"""
import argparse
import json
import random
import signal
import sys
import time
from decimal import Decimal


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--project", type=int, required=True, help="the project the page benchmark reads")
    parser.add_argument("--seed", type=int, default=24)
    args = parser.parse_args()
    from sqlalchemy import select

    from govit import clock, create_app
    from govit.acceptance.services import report_progress
    from govit.extensions import db
    from govit.models import ProgressReport, Project, User
    from govit.planning.services import update_project

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    rng = random.Random(args.seed)
    app = create_app()
    with app.app_context():
        drafts = list(db.session.scalars(select(Project.id).where(Project.state == "draft")))
        building = list(db.session.scalars(select(Project.id).where(Project.state == "in_construction")))
        applicants = dict(db.session.execute(select(User.department_id, User.id).where(User.role == "applicant")).all())
        db.session.rollback()
        period = clock.today().strftime("%Y-%m")
        took, errors, n = [], 0, 0
        print("writer ready", file=sys.stderr, flush=True)
        next_at = began = time.monotonic()
        while not stop:
            n += 1
            draw = rng.random()
            project_id = (rng.choice(drafts) if draw < 0.8 else
                          rng.choice(building) if draw < 0.9 or not args.project else args.project)
            start = time.perf_counter()
            try:
                project = db.session.get(Project, project_id)
                actor = db.session.get(User, applicants[project.department_id])
                if project.state == "draft":
                    update_project(actor, project, {"content_scale": f"基准测试写入第 {n} 次：建设内容与规模的修订稿。"})
                else:
                    latest = db.session.scalars(select(ProgressReport).where(ProgressReport.project_id == project_id)
                                                .order_by(ProgressReport.period.desc()).limit(1)).first()
                    this = latest if latest and latest.period >= period else None
                    percent = latest.percent_complete if latest else Decimal(0)
                    spent = latest.spent if latest else Decimal(0)
                    report_progress(actor, project, this.period if this else period, percent, spent,
                                    f"基准测试第 {n} 次报送")
                took.append(time.perf_counter() - start)
            except Exception as exc:  # noqa: BLE001 — counted and shown; the run goes on
                db.session.rollback()
                errors += 1
                if errors <= 3:
                    print(f"writer: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            db.session.expunge_all()
            next_at = max(next_at + args.interval, time.monotonic() - args.interval)  # late: no burst to catch up
            time.sleep(max(0.0, next_at - time.monotonic()))
    took.sort()
    print(json.dumps({"writes": len(took), "errors": errors, "interval_s": args.interval,
                      "seconds": round(time.monotonic() - began, 1),
                      "mean_ms": round(1000 * sum(took) / len(took), 1) if took else None,
                      "p95_ms": round(1000 * took[int(len(took) * 0.95)], 1) if took else None,
                      "max_ms": round(1000 * took[-1], 1) if took else None}), flush=True)


if __name__ == "__main__":
    main()
