"""R-AUDIT-TRAIL under concurrency: appends to the one chain take turns, whatever they act on.

Issue 18: every earlier concurrency test raced on one project, whose row lock already serialised
the writers; here ten edits of ten different projects meet only at the chain head (on PostgreSQL
they fail with uq_event_seq without its FOR UPDATE). Issue 15, point 9: on SQLite parallel logins
read the head before holding the write lock and collided on event.seq (10 of 15 got 500)."""
from sqlalchemy import func, select

from govit.extensions import db
from govit.history import chain_break
from govit.models import Event, Project, User
from govit.planning import services

from ..helpers import PASSWORD, all_at_once


def _count(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Event).where(Event.action == action))


def test_r_audit_trail_ten_concurrent_edits_of_ten_projects_all_succeed(app, make, today):
    today("2026-06-10")
    owner = make.user("applicant", "DEPA")
    ids = [make.project(owner, name=f"并发编辑项目{i}").id for i in range(10)]
    owner_id = owner.id

    def edit(project_id: int, n: int):
        def call():
            project = db.session.get(Project, project_id)
            services.update_project(db.session.get(User, owner_id), project, {"name": f"改名{n}"})
            return project_id
        return call
    outcomes = all_at_once(app, [edit(pid, n) for n, pid in enumerate(ids)])
    assert sorted(outcomes) == sorted(ids), outcomes  # no IntegrityError, no lock error
    db.session.expire_all()
    assert _count("edit") == 10
    assert {db.session.get(Project, pid).name for pid in ids} == {f"改名{n}" for n in range(10)}
    assert chain_break() is None


def _token(app, username: str, password: str):
    def call():
        return app.test_client().post("/api/v1/auth/token", json={"username": username, "password": password})
    return call


def test_r_audit_trail_parallel_logins_all_answered_and_all_recorded(app, make):
    """15 valid logins at once: 15 tokens and 15 login events; 30 unknown users at once: 30 refusals
    and 30 recorded failures; no 500, and the chain verifies."""
    users = [make.user("applicant", "DEPA") for _ in range(15)]
    names = [u.username for u in users]
    db.session.commit()
    answers = all_at_once(app, [_token(app, name, PASSWORD) for name in names])
    assert sorted(a.status_code for a in answers) == [200] * 15, [a.get_data(as_text=True)[:200] for a in answers]
    assert all(a.get_json()["token"] for a in answers)
    answers = all_at_once(app, [_token(app, f"nobody{i}", PASSWORD) for i in range(30)])
    assert sorted(a.status_code for a in answers) == [401] * 30
    db.session.expire_all()
    assert _count("login") == 15 and _count("login_failed") == 30
    assert chain_break() is None
