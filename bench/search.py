"""How long a search takes at 20,000 projects (issue 19, Build 4): a throwaway database of N projects
whose names and content come from the demo's texts, their words cut once (as on write), then each
query timed as an authority (all projects) and as a department applicant (its scope).

    GOVIT_DATABASE_URL=sqlite:////tmp/search.db govit init
    GOVIT_DATABASE_URL=sqlite:////tmp/search.db python -m bench.search --scale 20000
"""
import argparse
import random
import statistics
import time

from sqlalchemy import insert, select

QUERIES = ("社会保障卡", "人社厅 就业", "一网通办 电子证照", "医保 结算", "2027-230000", "智慧 交通 监测 平台")


def seed(scale: int, rng: random.Random) -> dict:
    """100 departments, a planner and an applicant, `scale` projects with their search words."""
    from govit import clock
    from govit.auth import services as accounts
    from govit.demo_data import LAST_YEAR, THIS_YEAR, TWO_YEARS_AGO
    from govit.search_index import word_rows
    from govit.extensions import db
    from govit.models import Department, Project, SearchWord
    texts = [(row[1], row[4]) for row in (*TWO_YEARS_AGO, *LAST_YEAR, *THIS_YEAR)]
    for i in range(100):
        accounts.create_department(None, f"B{i:03d}", f"省测试{'人力资源和社会保障' if i == 7 else ''}厅{i:03d}")
    planner = accounts.create_user(None, "bench_planner", "planner", "YSHJ", "Bench@2026x", must_change=False)
    applicant = accounts.create_user(None, "bench_applicant", "applicant", "B007", "Bench@2026x", must_change=False)
    departments = list(db.session.execute(select(Department.id).where(Department.code.like("B%"))).scalars())
    now, rows, started = clock.now(), [], time.perf_counter()
    for n in range(scale):
        name, content = rng.choice(texts)
        name = f"{name}（{n}）"
        content = f"{content}；{rng.choice(texts)[1]}。覆盖13个市地，建设统一平台。"
        rows.append({"name": name, "content_scale": content, "performance_goals": "办件时长压减30%。",
                     "online_code": f"2027-230000-65-01-{n:06d}", "department_id": rng.choice(departments),
                     "created_by_id": applicant.id, "created_at": now, "updated_at": now, "state": "in_operation"})
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(Project), rows[start:start + 5000])
    words = [w for p in db.session.execute(select(Project.id, Project.name, Project.content_scale,
                                                  Project.performance_goals)).all() for w in word_rows(*p)]
    cut = time.perf_counter() - started
    for start in range(0, len(words), 20000):
        db.session.execute(insert(SearchWord), words[start:start + 20000])
    db.session.commit()
    return {"planner": planner, "applicant": applicant, "cut_seconds": round(cut, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from govit import create_app
    from govit.extensions import db
    from govit.finder.search import search_query
    from govit.planning.queries import paginate
    app = create_app()
    with app.app_context():
        people = seed(args.scale, random.Random(2026))
        people = {"planner": people["planner"].id, "applicant": people["applicant"].id, "cut": people["cut_seconds"]}
    print(f"{args.scale} projects; cutting their words took {people['cut']} s (once, on write)")
    from govit.models import User
    with app.test_request_context():
        for who in ("planner", "applicant"):
            user = db.session.get(User, people[who])
            for q in QUERIES:
                times = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    page = paginate(search_query(user, q), 1, per_page=20, rows=True)
                    times.append((time.perf_counter() - started) * 1000)
                print(f"{who:9} {q:20} {page.total:6} hits  median {statistics.median(times):7.1f} ms")


if __name__ == "__main__":
    main()
