"""Rounds, proposals, documents and the consolidated submission on a real database."""
from datetime import date

import pytest
from sqlalchemy import func, select

from govit import clock, vault
from govit.domain.errors import Forbidden, InvalidInput, RuleViolation
from govit.domain.proposal import RongqueItem
from govit.extensions import db
from govit.history import project_events, verify_chain
from govit.models import Document, Event, Notification, Project
from govit.planning import services

from ..helpers import as_insider, docx_bytes, pdf_bytes


@pytest.fixture
def people(make):
    make.department("DEPA", "省人力资源和社会保障厅")
    return {"applicant": make.user("applicant", "DEPA"), "head": make.user("dept_admin", "DEPA"),
            "planner": make.user("planner", "YSHJ"), "other": make.user("applicant", "DEPB")}


def test_create_writes_history_in_the_same_transaction(people, make):
    project = make.project(people["applicant"])
    events = project_events(project.id)
    assert [e.action for e in events] == ["create"]
    assert events[0].to_state == "draft" and "全省一体化" in events[0].detail


def test_r_consolidate_applicant_cannot_submit(people, make, today):
    """R-CONSOLIDATE: only the department head submits, as one batch."""
    make.round(people["planner"])
    today("2026-06-10")
    project = make.project(people["applicant"])
    with pytest.raises(Forbidden) as err:
        services.submit_batch(people["applicant"], [project])
    assert err.value.rule == "R-CONSOLIDATE"
    assert db.session.get(Project, project.id).state == "draft"


def test_r_consolidate_batch_is_all_or_nothing(people, make, today):
    """R-CONSOLIDATE with R-PROPOSAL-FIELDS: one incomplete proposal stops the whole batch."""
    make.round(people["planner"])
    today("2026-06-10")
    good = make.project(people["applicant"])
    bad = make.project(people["applicant"], crypto_plan="", cloud_plan="")
    events_before = db.session.scalar(select(func.count(Event.id)))
    with pytest.raises(RuleViolation) as err:
        services.submit_batch(people["head"], [good, bad])
    assert err.value.rule == "R-PROPOSAL-FIELDS"
    assert "密码应用方案" in err.value.message and "政务云需求方案" in err.value.message
    assert set(err.value.fields[str(bad.id)]) == {"crypto_plan", "cloud_plan"}
    assert db.session.get(Project, good.id).state == "draft"
    assert db.session.scalar(select(func.count(Event.id))) == events_before
    batch = services.submit_batch(people["head"], [good])
    assert db.session.get(Project, good.id).state == "joint_review"
    assert db.session.get(Project, good.id).batch_id == batch.id


def test_r_review_5wd_due_recorded_on_submit_and_department_told(people, make, today):
    """R-REVIEW-5WD and R-NOTIFY: the submit event carries the due date; the inbox has it."""
    make.round(people["planner"])
    today("2026-06-16")
    project = make.project(people["applicant"])
    services.submit_batch(people["head"], [project])
    submit = project_events(project.id)[-1]
    assert (submit.action, submit.from_state, submit.to_state) == ("submit", "draft", "joint_review")
    assert submit.due_on == date(2026, 6, 24)
    notes = db.session.execute(select(Notification.message)).scalars().all()
    assert any("2026-06-24" in n for n in notes)


def test_r_round_june_closed_round_refuses_but_urgent_passes(people, make, today):
    """R-ROUND-JUNE: outside the round only an urgent project may be submitted."""
    make.round(people["planner"])
    today("2026-08-03")
    normal = make.project(people["applicant"])
    with pytest.raises(RuleViolation) as err:
        services.submit_batch(people["head"], [normal])
    assert err.value.rule == "R-ROUND-JUNE"
    urgent = make.project(people["applicant"], urgent=True, urgent_basis="国务院办公厅通知要求")
    services.submit_batch(people["head"], [urgent])
    assert urgent.state == "joint_review" and urgent.plan_year == 2026


def test_r_round_june_one_round_per_year_and_window_in_year_before(people, make):
    make.round(people["planner"])
    with pytest.raises(RuleViolation):
        make.round(people["planner"])
    with pytest.raises(RuleViolation):
        make.round(people["planner"], plan_year=2028, opens_on="2028-06-01", closes_on="2028-06-30")
    with pytest.raises(Forbidden):
        make.round(people["applicant"], plan_year=2029, opens_on="2028-06-01", closes_on="2028-06-30")


def test_r_rongque_document_fulfilled_by_upload(people, make, today):
    """R-RONGQUE: a missing supporting document is accepted with a promised date, then fulfilled."""
    make.round(people["planner"])
    today("2026-06-10")
    project = make.project(people["applicant"])
    services.submit_batch(people["head"], [project],
                          {project.id: [RongqueItem("sharing_analysis", date(2026, 6, 30))]})
    item = project.rongque[0]
    assert item.promised_on == date(2026, 6, 30) and item.fulfilled_on is None
    services.upload_document(people["applicant"], project, "sharing_analysis", "共享分析.docx", docx_bytes())
    assert item.fulfilled_on == date(2026, 6, 10)
    assert [e.action for e in project_events(project.id)][-2:] == ["upload_document", "fulfil_rongque"]


def test_r_rongque_core_field_refused_and_nothing_changes(people, make, today):
    make.round(people["planner"])
    today("2026-06-10")
    project = make.project(people["applicant"])
    with pytest.raises(RuleViolation) as err:
        services.submit_batch(people["head"], [project],
                              {project.id: [RongqueItem("crypto_plan", date(2026, 6, 30))]})
    assert err.value.rule == "R-RONGQUE"
    assert project.state == "draft"


def test_r_proposal_fields_material_uploaded_instead_of_text(people, make, today):
    """R-PROPOSAL-FIELDS: an uploaded 密码应用方案 satisfies the field."""
    make.round(people["planner"])
    today("2026-06-10")
    project = make.project(people["applicant"], crypto_plan="")
    services.upload_document(people["applicant"], project, "proposal", "密码应用方案.pdf", pdf_bytes(),
                             material="crypto_plan")
    services.submit_batch(people["head"], [project])
    assert project.state == "joint_review"


def test_documents_versioned_with_sha256_and_stored_once(people, make, app):
    project = make.project(people["applicant"])
    first = services.upload_document(people["applicant"], project, "proposal", "申报书.pdf", pdf_bytes("a"))
    second = services.upload_document(people["applicant"], project, "proposal", "申报书.pdf", pdf_bytes("b"))
    assert (first.version, second.version) == (1, 2)
    assert first.sha256 != second.sha256 and len(first.sha256) == 64
    assert vault.read_all(first) == pdf_bytes("a")  # on disk only as SM4 ciphertext (CRYPTO.md)
    assert services.document_path(first).read_bytes() != pdf_bytes("a")


def test_upload_with_wrong_content_is_not_stored(people, make):
    project = make.project(people["applicant"])
    with pytest.raises(RuleViolation):
        services.upload_document(people["applicant"], project, "proposal", "x.pdf", b"MZ-not-a-pdf")
    assert db.session.scalar(select(func.count(Document.id))) == 0


def test_edit_only_by_lead_department_and_only_in_draft(people, make, today):
    project = make.project(people["applicant"])
    with pytest.raises(Forbidden):
        services.update_project(people["other"], project, {"name": "别人的项目"})
    services.update_project(people["applicant"], project, {"name": "新名称"})
    edit = project_events(project.id)[-1]
    assert edit.action == "edit" and "新名称" in edit.detail and "全省一体化" in edit.detail
    make.round(people["planner"])
    today("2026-06-10")
    services.submit_batch(people["head"], [project])
    with pytest.raises(RuleViolation):
        services.update_project(people["applicant"], project, {"name": "审核中改名"})
    assert db.session.get(Project, project.id).name == "新名称"


def test_r_audit_trail_every_action_chained_and_verified(people, make, today):
    """R-AUDIT-TRAIL: each action writes one event; the chain verifies; tampering is found."""
    make.round(people["planner"])
    today("2026-06-10")
    project = make.project(people["applicant"])
    services.upload_document(people["applicant"], project, "proposal", "a.pdf", pdf_bytes())
    services.submit_batch(people["head"], [project])
    assert [e.action for e in project_events(project.id)] == ["create", "upload_document", "submit"]
    assert verify_chain() is None
    victim = project_events(project.id)[1]
    with as_insider() as conn:  # through the database, not govit (which refuses: the test below)
        conn.execute(Event.__table__.update().where(Event.id == victim.id).values(detail="{}"))
    assert verify_chain() == victim.seq


def test_r_audit_trail_orm_refuses_rewriting_an_event(people, make):
    project = make.project(people["applicant"])
    event = project_events(project.id)[0]
    event.action = "forged"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_invalid_co_department_refused(people, make):
    with pytest.raises(InvalidInput) as err:
        make.project(people["applicant"], co_departments=["NOPE"])
    assert "co_departments" in err.value.fields


def test_clock_travel_overrides_today(app):
    with clock.travel(date(2026, 6, 1)):
        assert clock.today() == date(2026, 6, 1)
        assert clock.now().date() == date(2026, 6, 1)


def test_r_plan_urgent_needs_its_basis(people, make, today):
    """R-PLAN-URGENT: an urgent project names the 党中央/国务院/省委/省政府/国家部委 requirement."""
    today("2026-08-03")
    project = make.project(people["applicant"], urgent=True, urgent_basis="")
    with pytest.raises(RuleViolation) as err:
        services.submit_batch(people["head"], [project])
    assert "urgent_basis" in err.value.fields[str(project.id)]
    assert project.state == "draft"
