"""Use cases of the joint review (第十条): opinions, 补正, expert evaluation, the result."""
from sqlalchemy import Select, select
from sqlalchemy.orm import subqueryload

from .. import clock, history
from ..auth.access import require_lead_department, require_role
from ..calendar_store import load_calendar
from ..domain import lifecycle
from ..domain.calendar import Due
from ..domain.errors import InvalidInput, RuleViolation
from ..domain.review import (CONDITIONAL, FINAL_VERDICTS, SUPPLEMENT, VERDICTS, Pause,
                             check_opinion, check_supplement_once, review_due, review_result)
from ..domain.roles import AUTHORITIES, AUTHORITY_LABELS, AUTHORITY_OF_ROLE
from ..extensions import db
from ..models import Department, ExpertReview, Opinion, Project, SupplementConsent, SupplementRequest, User
from ..transaction import transactional

IN_REVIEW = (lifecycle.JOINT_REVIEW, lifecycle.SUPPLEMENT_REQUESTED)


# What the review's due date and result read: loaded with the projects in one query each, however
# many projects (subqueryload re-runs the project query once per relationship).
REVIEW_LOADS = (subqueryload(Project.opinions), subqueryload(Project.supplements),
                subqueryload(Project.expert_reviews))


def pauses_of(project: Project) -> list[Pause]:
    """R-CLOCK and R-REVIEW-EXPERT: the spans that do not count against the 5 working days."""
    return ([Pause(s.requested_on, s.answered_on) for s in project.supplements]
            + [Pause(e.started_on, e.finished_on) for e in project.expert_reviews])


def pauses_by_project(project_ids: list[int], among: Select | None = None) -> dict[int, list[Pause]]:
    """pauses_of for many projects in two queries (supplements, expert reviews), for list pages.
    `among`: a select of the same projects' ids, to filter by in the database instead of by a list (read
    by a later statement, it may name a project that has just entered review: not among the ids, left out)."""
    found: dict[int, list[Pause]] = {pid: [] for pid in project_ids}
    for model, start, end in ((SupplementRequest, SupplementRequest.requested_on, SupplementRequest.answered_on),
                              (ExpertReview, ExpertReview.started_on, ExpertReview.finished_on)):
        for pid, began, ended in db.session.execute(select(model.project_id, start, end).where(
                model.project_id.in_(project_ids if among is None else among)).order_by(model.id)):
            if pid in found:
                found[pid].append(Pause(began, ended))
    return found


def review_due_for(project: Project, today=None, pauses: list[Pause] | None = None) -> Due | None:
    """R-REVIEW-5WD: the joint review's due date as of today (None before submission). `pauses`:
    the project's pauses when the caller read them for many projects at once (pauses_by_project)."""
    if project.submitted_on is None:
        return None
    today = today or clock.today()
    if project.concluded_on:
        today = project.concluded_on
    return review_due(load_calendar(), project.submitted_on, pauses_of(project) if pauses is None else pauses, today)


def latest_opinions(project: Project) -> dict[str, Opinion]:
    latest: dict[str, Opinion] = {}
    for opinion in project.opinions:
        latest[opinion.authority] = opinion
    return latest


def open_supplements(project: Project) -> list[SupplementRequest]:
    return [s for s in project.supplements if s.answered_on is None]


@transactional
def record_opinion(actor: User, project: Project, verdict: str, text: str,
                   conditions: str = "") -> Opinion:
    """R-REVIEW-PARALLEL: the caller's authority gives its opinion, independent of the others."""
    require_role(actor, *AUTHORITY_OF_ROLE, rule="R-REVIEW-PARALLEL")
    authority = AUTHORITY_OF_ROLE[actor.role]
    lifecycle.next_state("record_opinion", project.state)
    current = latest_opinions(project).get(authority)
    awaiting = any(s.authority == authority for s in open_supplements(project))
    check_opinion(verdict, text, current.verdict if current else None, awaiting)
    consent = _supplement_allowed(project, authority) if verdict == SUPPLEMENT else None
    if verdict == CONDITIONAL and not (conditions or "").strip():
        conditions = text  # API.md: for `conditional`, `conditions` defaults to `text`
    due = review_due_for(project)
    opinion = Opinion(project_id=project.id, authority=authority, verdict=verdict, text=text.strip(),
                      conditions=(conditions or "").strip(), reviewer_id=actor.id, at=clock.now())
    db.session.add(opinion)
    project.opinions.append(opinion)
    before = project.state
    merged = []
    if verdict == SUPPLEMENT:  # R-SUPPLEMENT: back to the department; R-CLOCK pauses from today
        # R-SUPPLEMENT-ONCE: a request that falls while the project already waits joins that notice
        merged = [s.authority for s in open_supplements(project)]
        project.state = lifecycle.next_state("request_supplement", project.state)
        request = SupplementRequest(project_id=project.id, authority=authority,
                                    request_text=text.strip(), requested_on=clock.today())
        db.session.add(request)
        project.supplements.append(request)
        if consent is not None:
            consent.used_on = clock.today()
    history.record(actor, "opinion", project=project, from_state=before, to_state=project.state,
                   due_on=due.due_on if due else None, authority=authority, verdict=verdict,
                   text=text.strip(), conditions=opinion.conditions,
                   **({"merged_with": merged} if merged else {}), **({"consent": consent.id} if consent else {}))
    label = AUTHORITY_LABELS[authority]
    if merged:  # one notice, answered once (一次性告知)
        listed = "；".join(f"{AUTHORITY_LABELS[s.authority]}：{s.request_text}" for s in open_supplements(project))
        history.notify(project.department_id, project, f"项目“{project.name}”的补正通知已合并（{len(merged) + 1} 个部门），"
                                                       f"请一并陈述和补正，答复一次即可：{listed}")
    else:
        history.notify(project.department_id, project,
                       f"项目“{project.name}”收到{label}审核意见：{VERDICTS[verdict]}。{text.strip()}")
    _conclude_if_complete(actor, project)
    return opinion


def consents(project: Project) -> list[SupplementConsent]:
    return list(db.session.execute(select(SupplementConsent).where(
        SupplementConsent.project_id == project.id).order_by(SupplementConsent.id)).scalars())


def _supplement_allowed(project: Project, authority: str) -> SupplementConsent | None:
    """R-SUPPLEMENT-ONCE: None for an authority's first request; its unused consent for a later one."""
    earlier = [s for s in project.supplements if s.authority == authority]
    consent = next((c for c in consents(project) if c.authority == authority and c.used_on is None), None)
    check_supplement_once(AUTHORITY_LABELS[authority], earlier[0].requested_on if earlier else None,
                          consent is not None)
    return consent if earlier else None


@transactional
def consent_supplement(actor: User, project: Project, authority: str, reason: str) -> SupplementConsent:
    """R-SUPPLEMENT-ONCE: the planner lets an authority ask for 补正 once more, with a recorded reason."""
    require_role(actor, "planner", rule="R-SUPPLEMENT-ONCE")
    lifecycle.next_state("consent_supplement", project.state)
    if authority not in AUTHORITIES:
        raise InvalidInput({"authority": f"应为：{'、'.join(AUTHORITIES)}"})
    if not any(s.authority == authority for s in project.supplements):
        raise RuleViolation("R-SUPPLEMENT-ONCE", f"{AUTHORITY_LABELS[authority]}尚未要求过补正，第一次要求无需同意")
    if any(c.authority == authority and c.used_on is None for c in consents(project)):
        raise RuleViolation("R-SUPPLEMENT-ONCE", f"已同意{AUTHORITY_LABELS[authority]}再次要求补正，尚未使用")
    if not (reason or "").strip():
        raise InvalidInput({"reason": "请写明同意再次要求补正的理由"})
    row = SupplementConsent(project_id=project.id, authority=authority, reason=reason.strip(),
                            given_by_id=actor.id, given_on=clock.today())
    db.session.add(row)
    db.session.flush()
    history.record(actor, "consent_supplement", project=project, from_state=project.state,
                   to_state=project.state, authority=authority, reason=row.reason)
    code = {"business": "YSHJ", "cyber": "WXB", "crypto": "MMJ"}[authority]
    dept = db.session.execute(select(Department).where(Department.code == code)).scalar_one_or_none()
    if dept is not None:
        history.notify(dept.id, project, f"营商环境局同意{AUTHORITY_LABELS[authority]}对项目“{project.name}”再次要求补正：{row.reason}")
    return row


def _conclude_if_complete(actor: User, project: Project) -> None:
    """R-REVIEW-RESULT: when the three opinions are final, fail on any fail, else pass.

    R-REVIEW-EXPERT: not while an expert evaluation is open; finishing it concludes instead."""
    if project.state != lifecycle.JOINT_REVIEW or open_supplements(project):
        return
    if any(e.finished_on is None for e in project.expert_reviews):  # R-REVIEW-EXPERT
        return
    latest = latest_opinions(project)
    result = review_result({a: o.verdict for a, o in latest.items()}, AUTHORITIES)
    if result is None:
        return
    due = review_due_for(project)
    project.concluded_on = clock.today()
    project.conditions = "\n".join(
        f"{AUTHORITY_LABELS[a]}：{latest[a].conditions}" for a in AUTHORITIES
        if latest[a].verdict == CONDITIONAL)
    before, project.state = project.state, result
    history.record(actor, "conclude_review", project=project, from_state=before, to_state=result,
                   due_on=due.due_on, conditions=project.conditions,
                   verdicts={a: latest[a].verdict for a in AUTHORITIES})
    word = "通过" if result == lifecycle.REVIEW_PASSED else "未通过"
    history.notify(project.department_id, project, f"项目“{project.name}”联合审核{word}"
                   + (f"，附带条件：{project.conditions}" if project.conditions else ""))


@transactional
def answer_supplement(actor: User, project: Project, text: str) -> Project:
    """R-SUPPLEMENT: the department's 陈述和补正 returns the project to the reviewers who asked."""
    require_lead_department(actor, project)
    if not (text or "").strip():
        raise InvalidInput({"text": "请填写陈述和补正的内容"})
    before = project.state
    project.state = lifecycle.next_state("answer_supplement", project.state)
    asked = open_supplements(project)
    for request in asked:
        request.answered_on, request.answer_text = clock.today(), text.strip()
    due = review_due_for(project)
    history.record(actor, "answer_supplement", project=project, from_state=before,
                   to_state=project.state, due_on=due.due_on, text=text.strip(),
                   authorities=[r.authority for r in asked])
    return project


@transactional
def call_expert_review(actor: User, project: Project, reason: str) -> ExpertReview:
    """R-REVIEW-EXPERT: the planner calls experts; their time is kept apart from the 5 days."""
    require_role(actor, "planner", rule="R-REVIEW-EXPERT")
    lifecycle.next_state("call_expert_review", project.state)
    if any(e.finished_on is None for e in project.expert_reviews):
        raise RuleViolation("R-REVIEW-EXPERT", "专家评估论证正在进行中")
    if not (reason or "").strip():
        raise InvalidInput({"reason": "请说明组织专家评估论证的理由（投资规模大、数据资源重要或影响重大）"})
    review = ExpertReview(project_id=project.id, reason=reason.strip(), started_on=clock.today())
    db.session.add(review)
    project.expert_reviews.append(review)
    history.record(actor, "call_expert_review", project=project, from_state=project.state,
                   to_state=project.state, reason=reason.strip())
    history.notify(project.department_id, project, f"项目“{project.name}”进入专家评估论证，评估期间不计入5个工作日审核时限")
    return review


@transactional
def finish_expert_review(actor: User, project: Project, conclusion: str) -> ExpertReview:
    """R-REVIEW-EXPERT: an open evaluation can always be finished; the review may then conclude."""
    require_role(actor, "planner", rule="R-REVIEW-EXPERT")
    lifecycle.next_state("finish_expert_review", project.state)
    running = [e for e in project.expert_reviews if e.finished_on is None]
    if not running:
        raise RuleViolation("R-REVIEW-EXPERT", "没有进行中的专家评估论证")
    if not (conclusion or "").strip():
        raise InvalidInput({"conclusion": "请填写专家评估论证结论"})
    review = running[0]
    review.finished_on, review.conclusion = clock.today(), conclusion.strip()
    due = review_due_for(project)
    days = load_calendar().working_days_between(review.started_on, review.finished_on)
    history.record(actor, "finish_expert_review", project=project, from_state=project.state,
                   to_state=project.state, due_on=due.due_on, conclusion=review.conclusion,
                   working_days=days)
    _conclude_if_complete(actor, project)  # R-REVIEW-EXPERT: the last opinion waited for this
    return review


def is_final(opinion: Opinion | None) -> bool:
    return opinion is not None and opinion.verdict in FINAL_VERDICTS
