"""Use cases of the joint completion acceptance (第二十九条, R-JOINT-ACCEPT) and of the 保密办's
confirmation of a project's 涉密 status (第四条, 第三十二条)."""
from datetime import date

from sqlalchemy import select

from .. import clock, history
from ..auth.access import require_role
from ..calendar_store import load_calendar
from ..domain import lifecycle
from ..domain.acceptance import (ACCEPTANCE_VERDICTS, CLASSIFIED_GRADES, CONDITIONAL, OPINION_WORKING_DAYS,
                                 check_acceptance_opinion, check_classification, check_conclusion,
                                 missing_authorities)
from ..domain.errors import InvalidInput
from ..domain.roles import ACCEPTANCE_AUTHORITY_OF_ROLE, ACCEPTANCE_DEPARTMENTS, ACCEPTANCE_LABELS
from ..extensions import db
from ..models import AcceptanceOpinion, Project, User
from ..transaction import transactional
from .services import _notify_authorities


def acceptance_opinions(project: Project) -> dict[str, AcceptanceOpinion]:
    """The opinions given on the project's current application for acceptance, by authority."""
    rows = db.session.execute(select(AcceptanceOpinion).where(
        AcceptanceOpinion.project_id == project.id,
        AcceptanceOpinion.application == project.acceptance_application).order_by(AcceptanceOpinion.id)).scalars()
    return {row.authority: row for row in rows}


def opinion_due(applied_on: date) -> date:
    """R-JOINT-ACCEPT / R-ALERT: each opinion is due 20 working days after the application."""
    return load_calendar().add_working_days(applied_on, OPINION_WORKING_DAYS).due_on


def notify_authorities_of_application(project: Project) -> None:
    """Each acceptance authority's department, and the planner, learn of the application at once."""
    codes = [ACCEPTANCE_DEPARTMENTS[a] for a in missing_authorities({}, project.classified)]
    _notify_authorities(project, f"项目“{project.name}”申请竣工验收，请于 {opinion_due(project.acceptance_applied_on):%Y-%m-%d} "
                                 "前出具验收意见", ("YSHJ", *codes))


@transactional
def record_acceptance_opinion(actor: User, project: Project, verdict: str, text: str,
                              conditions: str = "") -> AcceptanceOpinion:
    """R-JOINT-ACCEPT: the caller's authority gives its acceptance opinion, independent of the others."""
    require_role(actor, *ACCEPTANCE_AUTHORITY_OF_ROLE, rule="R-JOINT-ACCEPT")
    authority = ACCEPTANCE_AUTHORITY_OF_ROLE[actor.role]
    lifecycle.next_state("record_acceptance_opinion", project.state)
    given = acceptance_opinions(project)
    check_acceptance_opinion(authority, verdict, text, project.classified, authority in given)
    text = text.strip()
    conditions = (conditions or "").strip() or (text if verdict == CONDITIONAL else "")  # as API.md's opinions
    row = AcceptanceOpinion(project_id=project.id, application=project.acceptance_application, authority=authority,
                            verdict=verdict, text=text, conditions=conditions, reviewer_id=actor.id, at=clock.now())
    db.session.add(row)
    history.record(actor, "acceptance_opinion", project=project, from_state=project.state, to_state=project.state,
                   due_on=opinion_due(project.acceptance_applied_on) if project.acceptance_applied_on else None,
                   application=project.acceptance_application, authority=authority, verdict=verdict, text=text,
                   conditions=conditions)
    label = ACCEPTANCE_LABELS[authority]
    message = f"项目“{project.name}”收到{label}竣工验收意见：{ACCEPTANCE_VERDICTS[verdict]}。{text}"
    history.notify(project.department_id, project, message)  # R-NOTIFY: the department at once
    _notify_authorities(project, message, ("YSHJ",))  # the planner, who concludes
    return row


def _conclusion_detail(project: Project, accepting: bool) -> dict:
    given = acceptance_opinions(project)
    check_conclusion({a: o.verdict for a, o in given.items()}, project.classified, accepting, ACCEPTANCE_LABELS)
    return {"application": project.acceptance_application, "verdicts": {a: o.verdict for a, o in given.items()}}


def check_may_accept(project: Project) -> dict:
    """R-JOINT-ACCEPT: every authority answered and none failed; the verdicts for the record."""
    return _conclusion_detail(project, accepting=True)


def authorities_text(project: Project) -> str:
    """Who took part in the acceptance, from the opinions (R-ACCEPT-RECORD)."""
    given = acceptance_opinions(project)
    return "省营商环境局、" + "、".join(f"{ACCEPTANCE_LABELS[a]}{ACCEPTANCE_VERDICTS[o.verdict]}" for a, o in given.items())


@transactional
def reject_acceptance(actor: User, project: Project, reasons: list[str] | str) -> Project:
    """R-JOINT-ACCEPT: not accepted; the reasons go to the department, which may apply again."""
    require_role(actor, "planner", rule="R-JOINT-ACCEPT")
    lifecycle.next_state("reject_acceptance", project.state)
    items = [reasons] if isinstance(reasons, str) else list(reasons or [])
    items = [str(r).strip() for r in items if str(r).strip()]
    if not items:
        raise InvalidInput({"reasons": "请逐条写明验收不通过的理由"})
    detail = _conclusion_detail(project, accepting=False)
    history.move(actor, project, "reject_acceptance", reasons=items, **detail)
    listed = "；".join(f"{n}. {r}" for n, r in enumerate(items, 1))
    history.notify(project.department_id, project,
                   f"项目“{project.name}”竣工验收未通过：{listed}。整改后可再次申请竣工验收。")
    return project


@transactional
def confirm_classification(actor: User, project: Project, classified: bool, grade: str, reason: str) -> Project:
    """保密办 confirms (or corrects) whether the project is a 涉密 system and its grade; the
    department's declaration alone no longer decides it (第四条, 第三十二条)."""
    require_role(actor, "secrecy", rule="R-JOINT-ACCEPT")
    lifecycle.next_state("confirm_classification", project.state)
    grade = (grade or "").strip() if classified else ""
    check_classification(classified, grade, reason)
    before = {"classified": project.classified, "grade": project.classified_grade}
    project.classified, project.classified_grade = classified, grade
    project.classified_confirmed_on = clock.today()
    history.record(actor, "confirm_classification", project=project, from_state=project.state,
                   to_state=project.state, before=before, after={"classified": classified, "grade": grade},
                   reason=reason.strip())
    word = f"涉密（{CLASSIFIED_GRADES[grade]}）" if classified else "非涉密"
    history.notify(project.department_id, project, f"省委保密办确认项目“{project.name}”为{word}：{reason.strip()}")
    return project
