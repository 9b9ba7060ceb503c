"""A stateful fuzz (issue 16 Build 3): hypothesis drives projects through the API's actions with
bodies that are now right and now wrong, then renders every page and chart of every project, on
the web and the API, as the planner and as the lead department: 0 server errors.

What once broke a page for good (a progress period "hello" accepted over the API) is the kind of
thing this finds: the write answers 2xx, and only a later page or chart fails.
"""
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select

from govit.extensions import db
from govit.models import Project

from ..helpers import COMPLETE, PASSWORD
from .test_validation_api import OTHER_WRITES, PROJECT_ACTIONS, WRONG, with_ids

EXAMPLES = 25
STEPS = 10
DAYS = st.dates(date(2025, 1, 1), date(2029, 12, 31))


def _right(kind: str, valid):
    """Values of the field's kind that the API should take (or refuse for a rule, never for its shape)."""
    return {
        "text": st.text(max_size=30),
        "day": DAYS.map(date.isoformat),
        "money": st.decimals(0, 10**8, places=2, allow_nan=False, allow_infinity=False).map(str),
        "month": st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2025, 2029), st.integers(1, 12)),
        "year": st.integers(2025, 2029),
        "number": st.decimals(0, 100, places=1, allow_nan=False, allow_infinity=False).map(str),
        "flag": st.booleans(),
    }.get(kind, st.just(valid))


def _body(valid: dict, fields: dict):
    """The action's body: usually right in every field (so that projects move on), else with each
    field now kept, now right, now wrong."""
    def drawn(choose):
        return st.fixed_dictionaries({key: choose(kind, valid.get(key)) for key, kind in fields.items()}).map(
            lambda values: {**valid, **{k: v for k, v in values.items() if v is not None}})
    right = drawn(lambda kind, value: st.one_of(st.just(value), _right(kind, value)))
    mixed = drawn(lambda kind, value: st.one_of(st.just(value), _right(kind, value), st.sampled_from(WRONG[kind])))
    return st.one_of(st.just({**valid}), right, mixed)


WRITES = [("post", f"/projects/{{pid}}/actions/{action}", role, valid, fields)
          for action, role, valid, fields in PROJECT_ACTIONS] + OTHER_WRITES
STEP = st.one_of(*[st.tuples(st.just((method, path, role)), _body(valid, fields))
                   for method, path, role, valid, fields in WRITES],
                 st.tuples(st.just(("post", "/projects", "applicant")),
                           st.fixed_dictionaries({}, optional={k: st.one_of(st.just(v), st.text(max_size=10))
                                                               for k, v in COMPLETE.items()})))


@pytest.fixture
def pages(app):
    return [rule.rule for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and set(rule.arguments) == {"project_id"}]


def test_fuzz_lifecycle_then_every_project_page_renders(app, client, world, today, pages, capsys):
    """R-INPUT, issue 16 #3: random action sequences, right and wrong, never leave a page that answers 5xx."""
    today("2026-08-15")
    tokens, values = world["tokens"], world["values"]
    web = {}
    for role in ("planner", "dept_admin"):
        web[role] = app.test_client()
        res = web[role].post("/login", data={"username": world["users"][role].username, "password": PASSWORD})
        assert res.status_code == 302
    seen = {"writes": 0, "ok": 0, "pages": 0}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(steps=st.lists(st.tuples(STEP, st.integers(0, 3)), min_size=3, max_size=STEPS))
    def run(steps):
        # the world's project in construction (twice as likely, so it moves on), and the newest drafts
        newest = db.session.execute(select(Project.id).order_by(Project.id.desc()).limit(2)).scalars()
        ids = [values["project_id"]] * 2 + list(newest)
        touched = set()
        for ((method, path, role), body), pick in steps:
            pid = ids[pick % len(ids)]
            touched.add(pid)
            target = path.format(pid=pid, plan=values["plan_id"], change=values["change_id"])
            res = getattr(client, method)(f"/api/v1{target}", json=with_ids(body, pid),
                                          headers={"Authorization": f"Bearer {tokens[role]}"})
            assert res.status_code < 500, (target, body, res.status_code)
            seen["writes"] += 1
            seen["ok"] += res.status_code < 300
        created = db.session.execute(select(Project.id).where(Project.id > max(ids))).scalars()
        for pid in touched | set(created):  # each page of each project the steps touched or created
            for rule in pages:
                url = rule.replace("<int:project_id>", str(pid))
                if url.startswith("/api/"):
                    res = client.get(url, headers={"Authorization": f"Bearer {tokens['planner']}"})
                    assert res.status_code < 500, (url, res.status_code)
                else:
                    for role_client in web.values():
                        res = role_client.get(url)
                        assert res.status_code < 500, (url, res.status_code)
                seen["pages"] += 1

    run()
    with capsys.disabled():
        print(f"\nlifecycle fuzz: {seen['writes']} writes ({seen['ok']} accepted), {seen['pages']} page renders, no 5xx")
    assert seen["ok"] > 0


def test_web_forms_given_json_or_odd_bodies_answer_no_server_error(client, world):
    """A web form posted with a JSON body (a list, a number, nested) is refused, never a 500."""
    client.post("/login", data={"username": world["users"]["applicant"].username, "password": PASSWORD})
    pid = world["values"]["project_id"]
    for body in ([1, 2], 5, "x", {"name": ["a"]}, {"name": {"a": 1}}, [[["x"]]]):
        for path in ("/projects/new", f"/projects/{pid}/edit", f"/projects/{pid}/build/report_progress"):
            res = client.post(path, json=body)
            assert res.status_code < 500, (path, body, res.status_code)
    for depth in (33, 5000):
        res = client.post("/projects/new", data="[" * depth + "]" * depth, content_type="application/json")
        assert res.status_code in (302, 400)  # the web's refusal: a message and back, or the form again
