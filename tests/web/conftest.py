"""The shared sample world of the route tests: every role, two departments, one project in construction."""
from decimal import Decimal

import pytest

from govit.acceptance import services as construction
from govit.approval import budget
from govit.auth import services as accounts
from govit.domain.roles import ROLES
from govit.extensions import db
from govit.models import Document, Notification
from govit.planning import plans

from ..helpers import planned
from ..services.test_approval import building

NAME = "权限矩阵测试项目"
HOMES = {"reviewer_business": "YSHJ", "reviewer_cyber": "WXB", "reviewer_crypto": "MMJ", "planner": "YSHJ",
         "ndrc": "FGW", "finance": "CZT", "intranet": "NWB", "auditor": "SJT", "police": "GAT", "secrecy": "BMB", "admin": "YSHJ", "security_admin": "YSHJ",
         "applicant": "DEPA", "dept_admin": "DEPA"}


def _any_message_id() -> int:
    """An inbox message of the sample world (issue 19: /inbox/<note_id>/open); 0 if there is none."""
    return db.session.query(Notification.id).order_by(Notification.id).limit(1).scalar() or 0


@pytest.fixture
def world(make, reviewers, app):
    make.department("DEPA", "省交通运输厅")
    make.department("DEPB", "省水利厅")
    users = {role: make.user(role, HOMES[role]) for role in ROLES if not role.startswith("reviewer")}
    users.update({r.role: r for r in reviewers})
    users["other_applicant"] = make.user("applicant", "DEPB")
    users["other_dept_admin"] = make.user("dept_admin", "DEPB")
    w = {"head": users["dept_admin"], "planner": users["planner"], "finance": users["finance"],
         "ndrc": users["ndrc"], "reviewers": reviewers}
    w["planned"] = lambda **kw: planned(make, w["head"], w["planner"], w["finance"], reviewers, **kw)
    project = building(w, name=NAME)
    change = budget.file_budget_change(w["head"], project, Decimal("300000"), Decimal("3300000"),
                                       "other", "增加接口", True)
    incident = construction.report_incident(w["head"], project, "delay", "供货延误两个月")
    flag = plans.flag_department(w["planner"], make.department("DEPB"), "data_sharing", "未按目录共享数据")
    plan = plans.plan_for_year(2027)
    spare = make.user("applicant", "DEPA")
    db.session.commit()
    doc = db.session.query(Document).filter_by(project_id=project.id).first()
    values = {"project_id": project.id, "document_id": doc.id, "incident_id": incident.id,
              "change_id": change.id, "plan_id": plan.id, "item_id": plan.items[0].id, "code": "DEPB",
              "flag_id": flag.id, "user_id": spare.id, "note_id": _any_message_id(),
              "name": "funnel", "kind": "department", "filename": "govit.css",
              "role": "finance",  # issue 19: /help/<role>
              "letter_id": 987654, "fmt": "pdf",
              "sha256": "0" * 64}  # issue 20: a ledger check's annotated copy  # issue 21: no such letter, so 404 for the roles let in
    tokens = {key: accounts.issue_token(user) for key, user in users.items()}
    db.session.commit()
    return {"users": users, "values": values, "tokens": tokens}
