"""Small builders for test data (make.user(...), make.project(...)), all through the services."""
import io
import itertools
import zipfile
from contextlib import contextmanager

from govit import clock
from govit.auth import services as accounts
from govit.extensions import db
from govit.models import Department, User
from govit.planning import services

PASSWORD = "Passw0rd!x"
_n = itertools.count(1)

COMPLETE = {
    "name": "全省一体化政务服务平台升级项目",
    "basis": "依据《黑龙江省政务信息化项目建设管理办法（试行）》及省政府年度重点工作，需要升级。",
    "content_scale": "升级统一身份认证、电子证照、好差评三个子系统，覆盖13个市地。",
    "start_month": "2027-03", "end_month": "2027-12",
    "total_investment": "3000000.00", "annual_investments": {"2027": "3000000.00"},
    "fund_source": "省级财政资金",
    "performance_goals": "办件平均时长压减30%，群众满意率不低于98%。",
    "data_catalog": "涉及电子证照目录12项，全部纳入省级数据共享平台。",
    "cloud_plan": "部署于省政务云，需要计算资源64核、存储20TB。",
    "protection_plan": "按等级保护三级建设并测评。",
    "security_plan": "部署态势感知与日志审计，落实安全管理制度。",
    "product_reliability": "核心软硬件均采用通过安全可靠测评的产品。",
    "crypto_plan": "采用商用密码实现身份鉴别与数据传输加密，开展密评。",
}


def pdf_bytes(text: str = "govit") -> bytes:
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


class Factory:
    """Builds rows through the services, so every test row has its history too."""

    def department(self, code: str | None = None, name: str | None = None) -> Department:
        code = code or f"D{next(_n)}"
        existing = db.session.query(Department).filter_by(code=code).one_or_none()
        return existing or accounts.create_department(None, code, name or f"测试厅{code}")

    def user(self, role: str, department: str = "DEPA", username: str | None = None,
             must_change: bool = False) -> User:
        if department not in ("YSHJ", "WXB", "FGW", "CZT", "GAT", "SJT", "MMJ", "NWB", "BMB", "SZF"):
            self.department(department)
        return accounts.create_user(None, username or f"{role}{next(_n)}", role, department, PASSWORD,
                                    display_name=f"{role}用户", must_change=must_change)

    def project(self, owner: User, **overrides):
        values = {**COMPLETE, **overrides}
        from govit.planning.fields import parse_proposal
        return services.create_project(owner, parse_proposal(values))

    def round(self, planner: User, plan_year: int = 2027, opens_on="2026-06-01", closes_on="2026-06-30"):
        from datetime import date
        return services.open_round(planner, plan_year, date.fromisoformat(opens_on),
                                   date.fromisoformat(closes_on))

    def submitted(self, dept_admin: User, planner: User, on: str = "2026-06-16", **overrides):
        """A complete proposal submitted on `on` inside the 2027 round."""
        from datetime import date
        from govit.models import Round
        if db.session.query(Round).filter_by(plan_year=2027).one_or_none() is None:
            self.round(planner)
        project = self.project(dept_admin, **overrides)
        with clock.travel(date.fromisoformat(on)):
            services.submit_batch(dept_admin, [project])
        return project


def passed(make: "Factory", head: User, planner: User, reviewers: list[User], **overrides):
    """A proposal submitted in the 2027 round and passed by the three authorities."""
    from datetime import date
    from govit.planning import review
    project = make.submitted(head, planner, **overrides)
    with clock.travel(date(2026, 6, 18)):
        for reviewer in reviewers:
            review.record_opinion(reviewer, project, "pass", "符合要求")
    assert project.state == "review_passed"
    return project


def online_code(serial: int | None = None) -> str:
    """A well-formed 项目代码 (R-ONLINE-CODE) no other test project holds."""
    return f"2027-230000-65-02-{serial if serial is not None else next(_n):06d}"


DOCUMENTS = ("data_catalog", "sharing_analysis", "feasibility_report", "design_report")


def planned(make: "Factory", head: User, planner: User, finance: User, reviewers: list[User],
            documents=DOCUMENTS, **overrides):
    """A passed project inside the approved 2027 plan, with the documents the approval needs."""
    from datetime import date
    from govit.planning import plans
    overrides = {"online_code": online_code(), **overrides}  # R-ONLINE-CODE: unique across projects
    project = passed(make, head, planner, reviewers, **overrides)
    plan = plans.plan_for_year(2027) or plans.create_plan(planner, 2027)
    if plan.state != "draft":
        raise AssertionError("planned(): the 2027 plan is already approved")
    plans.add_item(planner, plan, project)
    plans.finance_check(finance, plan)
    plans.submit_plan(planner, plan)
    plans.approve_plan(planner, plan, "黑政函〔2026〕88号", date(2026, 10, 28))
    for kind in documents:
        services.upload_document(head, project, kind, f"{kind}.pdf", pdf_bytes(kind))
    return project


def at_once(app, call, workers: int = 2) -> list:
    """Run `call()` in `workers` threads released together; see all_at_once."""
    return all_at_once(app, [call] * workers)


def all_at_once(app, calls: list) -> list:
    """Run each of `calls` in a thread of its own, all released together, each in an app context of
    its own (its own database connection, as on separate app servers); returns each result or the
    exception raised, in the order the calls finished."""
    import threading
    start, outcomes = threading.Barrier(len(calls)), []

    def run(call):
        with app.app_context():
            try:
                start.wait()
                outcomes.append(call())
            except Exception as exc:  # returned to the test, never swallowed
                outcomes.append(exc)
            finally:
                db.session.remove()
    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


_COUNTS = None  # (metadata, the statement counting every table's rows)


def snapshot() -> dict:
    """What a request could touch: the row count of every table (the history's events among them)
    and a digest of every project row, read in two statements, as committed."""
    import hashlib

    from sqlalchemy import func, select

    from govit.models import Project
    global _COUNTS
    if _COUNTS is None or _COUNTS[0] is not db.metadata:  # the statement built once (a route matrix takes
        _COUNTS = (db.metadata, select(*[select(func.count()).select_from(t).scalar_subquery().label(t.name)
                                         for t in db.metadata.sorted_tables]))  # thousands of snapshots)
    counts = db.session.execute(_COUNTS[1]).one()
    rows = db.session.execute(select(Project.__table__).order_by(Project.__table__.c.id)).all()
    db.session.rollback()  # hold no read transaction open while the request writes
    return {"rows": dict(counts._mapping), "events": counts._mapping["event"],
            "projects": hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()}


def changes(before: dict, after: dict) -> list[str]:
    """What differs between two snapshots, said plainly (empty: nothing changed)."""
    diff = [f"{name}: {count} -> {after['rows'][name]} rows" for name, count in before["rows"].items()
            if after["rows"][name] != count]
    if before["projects"] != after["projects"]:
        diff.append("a project row changed")
    return diff


class unchanged:
    """`with unchanged(): <a refused request>` fails the test when the request changed any table's
    row count, the event count or a project row ("every refused action changes nothing", RULES.md)."""

    def __init__(self, what: str = "the refused request", kept: tuple[str, ...] = ()):
        self.what, self.kept = what, kept  # `kept`: tables the request may add to (a stored file's row)

    def __enter__(self):
        db.session.expire_all()
        self.before = snapshot()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False
        db.session.expire_all()
        diff = [line for line in changes(self.before, snapshot()) if line.split(":")[0] not in self.kept]
        assert not diff, f"{self.what} changed: {'; '.join(diff)}"
        return False


@contextmanager
def as_insider():
    """Someone who can write the database itself, not through govit: the ORM's guards are not in
    the way, and on PostgreSQL the append-only trigger is switched off for this transaction (as its
    owner could). Yields the connection; commits at the end."""
    from sqlalchemy import text
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL govit.allow_event_rewrite = 'on'"))
    yield conn
    db.session.commit()
    db.session.expire_all()
