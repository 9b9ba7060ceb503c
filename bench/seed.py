"""Generate a province's decade of govit data at scale, straight into the database (bulk inserts).

    python -m bench.seed --scale 20000        # into GOVIT_DATABASE_URL, after `govit init`

100 departments with a head and an applicant each, the authorities' users, N projects spread over
every state and the plan years 2017–2027, an approved plan per year, about 50 history events per
project on one valid hash chain, opinions, documents' metadata, budget changes; finally the
deadline scan opens the alerts. Every user's password is `Bench@2026x`.
"""
import argparse
import random
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import insert, select, update

PASSWORD = "Bench@2026x"
STATE_WEIGHTS = {  # a decade of projects: most done, some building, this June's round under review
    "draft": 4, "joint_review": 3, "supplement_requested": 1, "review_passed": 2, "review_failed": 3,
    "planned": 4, "feasibility_review": 2, "feasibility_approved": 2, "design_review": 2, "design_approved": 2,
    "in_construction": 15, "suspended": 1, "completed": 4, "acceptance_review": 2, "in_operation": 20,
    "self_evaluated": 8, "closed": 22, "terminated": 3,
}
BEFORE_PLAN = ("draft", "joint_review", "supplement_requested", "review_passed", "review_failed")
BUILT = ("in_construction", "suspended", "completed", "acceptance_review", "in_operation", "self_evaluated",
         "closed")
NEXT_YEAR = ("planned", "feasibility_review", "feasibility_approved", "design_review", "design_approved",
             "in_construction")
EVENTS_PER_PROJECT = 50
BATCH = 5000


def _insert(table, rows: list[dict]) -> None:
    from govit.extensions import db
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start:start + BATCH])


def _people(now: datetime) -> tuple[dict, list[int]]:
    """100 departments, a head and an applicant each, and one user per authority role."""
    from werkzeug.security import generate_password_hash

    from govit.extensions import db
    from govit.models import Department, User
    secret = generate_password_hash(PASSWORD, method="scrypt")
    codes = {d.code: d.id for d in db.session.execute(select(Department)).scalars()}
    next_id = max(codes.values()) + 1
    depts = []
    for i in range(1, 101):
        depts.append({"id": next_id, "code": f"B{i:03d}", "name": f"省测试厅{i:03d}", "is_authority": False,
                      "created_at": now})
        next_id += 1
    _insert(Department.__table__, depts)
    users, uid = [], 1
    authority = {"planner": "YSHJ", "finance": "CZT", "ndrc": "FGW", "auditor": "SJT", "intranet": "NWB",
                 "reviewer_business": "YSHJ", "reviewer_cyber": "WXB", "reviewer_crypto": "MMJ", "admin": "YSHJ"}
    for role, code in authority.items():
        users.append({"id": uid, "username": f"bench_{role}", "display_name": role, "password_hash": secret,
                      "role": role, "department_id": codes[code], "must_change_password": False, "created_at": now})
        uid += 1
    heads = {}
    for dept in depts:
        for role in ("dept_admin", "applicant"):
            users.append({"id": uid, "username": f"bench_{dept['code'].lower()}_{role}", "display_name": role,
                          "password_hash": secret, "role": role, "department_id": dept["id"],
                          "must_change_password": False, "created_at": now})
            if role == "dept_admin":
                heads[dept["id"]] = uid
            uid += 1
    from govit.history import audit_key
    from govit.integrity import account_mac
    for user in users:  # CRYPTO.md: an account without its integrity MAC may not sign in
        user["integrity_mac"] = account_mac(audit_key(), user["username"], user["role"], user["department_id"], True)
    _insert(User.__table__, users)
    return heads, [u["id"] for u in users[:9]]


def seed(scale: int, today: date, rng: random.Random) -> dict:
    from govit.alerts.scan import scan
    from govit.backup import reset_sequences
    from govit import checkpoint
    from govit.domain.audit import GENESIS, canonical, event_mac
    from govit.extensions import db
    from govit.history import audit_key, sealed_fields
    from govit.models import ChainHead, Plan, Round
    started = time.perf_counter()
    now = datetime.combine(today, datetime.min.time()) + timedelta(hours=9)
    heads, authority_ids = _people(now)
    planner_id, reviewer_ids = authority_ids[0], authority_ids[5:8]
    round_id = db.session.execute(insert(Round).values(
        plan_year=today.year + 1, opens_on=date(today.year, 6, 1), closes_on=date(today.year, 6, 30),
        created_at=now).returning(Round.id)).scalar()
    years = list(range(today.year - 9, today.year + 2))  # 2017 … 2027 for today = 2026
    plans = {}
    for year in years:
        plans[year] = db.session.execute(insert(Plan).values(
            plan_year=year, state="approved", created_at=now,
            doc_no=f"黑政函〔{year - 1}〕{year % 100}号", approved_on=date(year - 1, 11, 20)).returning(Plan.id)).scalar()
    states = rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()), k=scale)
    projects, items, opinions, documents, changes, events = [], [], [], [], [], []
    seq, prev, next_plan = 0, GENESIS, min(2000, scale // 10)
    for pid, state in enumerate(states, start=1):
        dept = rng.choice(list(heads))
        if state in BEFORE_PLAN:
            year = today.year + 1
        elif next_plan and state in NEXT_YEAR:  # next year's plan: 2,000 projects from N = 20,000 on
            year, next_plan = today.year + 1, next_plan - 1
        else:  # the rest spread over the decade
            year = rng.choice(years[:-1])
        amount = Decimal(rng.randrange(50, 5000) * 10000)
        built = state in BUILT
        projects.append({
            "id": pid, "state": state, "department_id": dept, "plan_year": year,
            "round_id": round_id if year == today.year + 1 else None, "created_by_id": heads[dept],
            "created_at": now, "updated_at": now, "submitted_on": date(year - 1, 6, 16) if state != "draft" else None,
            "name": f"{rng.choice(('政务服务', '数据共享', '电子证照', '一网通办', '智慧监管', '协同办公'))}平台建设项目{pid}",
            "basis": "依据省政府年度重点工作安排。", "content_scale": "建设统一平台，覆盖13个市地。",
            "start_month": f"{year}-03", "end_month": f"{year}-12", "total_investment": amount,
            "fund_source": rng.choice(("省级财政资金", "中央转移支付", "部门自筹")),
            "performance_goals": "办件时长压减30%。", "data_catalog": "数据目录12项。", "cloud_plan": "部署于省政务云。",
            "protection_plan": "等级保护三级。", "security_plan": "态势感知。", "product_reliability": "安全可靠产品。",
            "crypto_plan": "商用密码。", "online_code": f"{year}-230000-65-01-{pid:06d}",
            "approved_investment": amount if built else None, "approved_estimate": amount if built else None,
            "feasibility_submitted_on": date(year - 1, 11, 5) if state not in (*BEFORE_PLAN, "planned") else None,
            "design_submitted_on": (today - timedelta(days=pid % 40) if state == "design_review" else
                                    date(year - 1, 12, 1) if state in ("design_approved", *BUILT) else None),
            "completed_on": date(year, 12, 1) if state in BUILT[2:] else None,
            "live_on": date(year + 1, 3, 1) if state in BUILT[4:] else None,
        })
        if state not in BEFORE_PLAN and state != "terminated":
            items.append({"plan_id": plans[year], "project_id": pid, "added_on": date(year - 1, 10, 1)})
        if state != "draft":
            opinions += [{"project_id": pid, "authority": a, "verdict": "pass", "text": "符合要求",
                          "reviewer_id": r, "at": now} for a, r in zip(("business", "cyber", "crypto"), reviewer_ids)]
        if state not in BEFORE_PLAN:
            documents += [{"project_id": pid, "kind": kind, "version": 1, "filename": f"{kind}.pdf",
                           "content_type": "application/pdf", "size": 20480, "sha256": f"{pid:032x}{i:032x}",
                           "uploaded_by_id": heads[dept], "uploaded_at": now}
                          for i, kind in enumerate(("data_catalog", "sharing_analysis", "feasibility_report",
                                                    "design_report"))]
        if built:
            pending = rng.random() < 0.1
            changes.append({"project_id": pid, "amount": amount / 20, "total_before": amount,
                            "new_total": amount + amount / 20, "reason_category": "optimisation",
                            "content": "技术方案优化", "status": "pending" if pending else "filed",
                            "cumulative_self_filed": amount / 20, "filed_on": date(year, 6, 1),
                            "filed_by_id": heads[dept]})
        for n in range(EVENTS_PER_PROJECT):
            seq += 1
            row = {"id": seq, "seq": seq, "at": now - timedelta(days=scale - pid, minutes=EVENTS_PER_PROJECT - n),
                   "actor_id": heads[dept], "actor": "dept_admin", "role": "dept_admin", "project_id": pid,
                   "action": "create" if n == 0 else ("edit" if n < EVENTS_PER_PROJECT - 1 else "submit"),
                   "from_state": "draft", "to_state": "draft" if n < EVENTS_PER_PROJECT - 1 else state,
                   "due_on": None, "detail": canonical({"step": n}), "prev_hash": prev}
            row["hash"] = prev = event_mac(audit_key(), prev, sealed_fields(SimpleNamespace(**row)))
            events.append(row)
        if len(events) >= 100_000:
            _flush_rows(projects, items, opinions, documents, changes, events)
    _flush_rows(projects, items, opinions, documents, changes, events)
    db.session.execute(update(ChainHead).where(ChainHead.id == 1).values(seq=seq, hash=prev))
    reset_sequences()
    db.session.commit()
    checkpoint.write(checkpoint.path(), audit_key(), seq, prev, force=True)
    seeded = time.perf_counter() - started
    result = scan(today)  # the alerts a province of this size has open
    _analyze()  # after the scan, so the planner knows the alerts too
    return {"projects": scale, "events": seq, "seconds": round(seeded, 1), "alerts_opened": len(result.opened),
            "planner_id": planner_id}


def _analyze() -> None:
    """Planner statistics and PostgreSQL's visibility map, as autovacuum keeps them in production
    (a bulk load leaves neither, and index-only counts would read the table instead)."""
    from govit.extensions import db
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE")


def _flush_rows(projects, items, opinions, documents, changes, events) -> None:
    """Insert what was built so far (parents first) and empty the lists."""
    from govit.models import BudgetChange, Document, Event, Opinion, PlanItem, Project
    for table, rows in ((Project, projects), (PlanItem, items), (Opinion, opinions), (Document, documents),
                        (BudgetChange, changes), (Event, events)):
        _insert(table.__table__, rows)
        rows.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=2000, help="number of projects")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    from govit import clock, create_app
    app = create_app()
    with app.app_context():
        print(seed(args.scale, clock.today(), random.Random(args.seed)))


if __name__ == "__main__":
    main()
