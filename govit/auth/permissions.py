"""The declared route × role × scope table, and the one hook that enforces it before any view runs.

Every endpoint of the URL map (web and API) has an entry here; an endpoint without one is refused
(fail closed) and `tests/web/test_permissions.py` fails until it is declared. Views and services keep
their own finer checks (the lead department, the design approver of an intranet project); this
table is the outer wall that a new route cannot forget (等保2.0 8.1.4.2 访问控制; ASVS V4.1).

Scopes:
- PUBLIC: no sign-in.
- SELF: the caller's own account, inbox or home page.
- PROVINCE: province-wide records, shown to the roles named only.
- DEPARTMENT: lists narrowed to the caller's department and the projects it co-builds.
- PROJECT: one project (the URL's project_id): its lead department, its co-builders and the
  authorities; anyone else is refused (R-SCOPE).
"""
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import g, jsonify, redirect, request, url_for
from flask_login import current_user

from ..domain.errors import Forbidden
from ..domain.letters import ISSUERS as LETTER_ISSUERS
from ..domain.roles import (ACCEPTANCE_REVIEWERS,  # R-JOINT-ACCEPT
                            ACTION_RULES, ADMIN, AUDITOR, BUDGET_DECIDERS, DEPARTMENT_ROLES, DEPT_ADMIN, FINANCE, NDRC,
                            NO_PROJECT_ROLES, PLAN_ACTION_ROLES, PLAN_READERS, PLANNER, PROJECT_ACTION_ROLES,
                            REVIEWERS, ROLE_LABELS, ROLES, SECURITY_ADMIN)

PUBLIC, SELF, PROVINCE, DEPARTMENT, PROJECT = "public", "self", "province", "department", "project"


@dataclass(frozen=True)
class Access:
    """Who may call one endpoint. `by` names the URL argument that picks the step, and `steps`
    gives the roles of each step; the endpoint's roles are then their union."""
    roles: frozenset[str]
    scope: str
    rule: str = "R-ROLE"
    by: str | None = None
    steps: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def roles_for(self, view_args: Mapping) -> frozenset[str]:
        if self.by is None:
            return self.roles
        # an unknown step keeps the union, so that the view answers 404 (no such step), not 403
        return self.steps.get(view_args.get(self.by), self.roles)

    def rule_for(self, view_args: Mapping) -> str:
        return ACTION_RULES.get(view_args.get(self.by), self.rule) if self.by else self.rule


def allow(*roles, scope: str, rule: str = "R-ROLE") -> Access:
    return Access(frozenset().union(*(r if isinstance(r, frozenset) else {r} for r in roles)), scope, rule)


def by_step(argument: str, steps: Mapping[str, frozenset[str]], scope: str = PROJECT) -> Access:
    return Access(frozenset().union(*steps.values()), scope, by=argument, steps=dict(steps))


def pick(table: Mapping[str, frozenset[str]], *names: str) -> dict[str, frozenset[str]]:
    return {name: table[name] for name in names}


EVERYONE = frozenset(ROLES)
STAFF = EVERYONE - NO_PROJECT_ROLES  # everyone who works on projects; the two administrators run the system
DEPT = DEPARTMENT_ROLES
REGISTER_READERS = frozenset({FINANCE, PLANNER, AUDITOR})
FINANCE_READERS = frozenset({FINANCE, PLANNER, NDRC, AUDITOR})  # issue 22: execution and the registers
OPEN = Access(frozenset(), PUBLIC)

WEB_APPROVAL_STEPS = pick(PROJECT_ACTION_ROLES, "submit_feasibility", "approve_feasibility", "submit_design",
                          "return_to_feasibility", "approve_design", "record_gov_approval", "file_budget_change",
                          "record_settlement", "record_surplus_return", "send_back_to_feasibility",
                          "decide_deviation", "return", "refuse", "appeal", "decide_appeal")
WEB_BUILD_STEPS = pick(PROJECT_ACTION_ROLES, "report_progress", "file_performance_report", "report_incident",
                       "resume", "complete", "request_extension", "decide_extension", "apply_acceptance",
                       "accept", "reject_acceptance", "confirm_classification", "self_evaluate",
                       "post_evaluate", "close")
API_PROJECT_ACTIONS = {name: roles for name, roles in PROJECT_ACTION_ROLES.items() if name != "file_budget_change"}

ROUTES: dict[str, Access | dict[str, Access]] = {
    "static": OPEN,
    "favicon": OPEN,  # issue 19: the browser's tab icon, before anyone signs in
    "bootstrap.static": OPEN,  # Bootstrap 5's CSS and JS, served by govit itself
    # sign-in and the caller's own account
    "auth.login": OPEN,
    "auth.second_factor_step": OPEN,  # CRYPTO.md: the second step of signing in, before a session exists
    # the load balancer's checks (API.md): the process answers / the database answers
    "healthz": OPEN,
    "readyz": OPEN,
    "api.healthz": OPEN,
    "api.readyz": OPEN,
    "auth.logout": allow(EVERYONE, scope=SELF),
    "auth.change_password": allow(EVERYONE, scope=SELF),
    "auth.sessions": allow(EVERYONE, scope=SELF),
    "auth.two_factor": allow(EVERYONE, scope=SELF),  # CRYPTO.md: enrol the second factor
    "auth.end_session": allow(EVERYONE, scope=SELF),
    # 三员分立 (R-DUTIES): departments and the calendar for the system administrator; accounts, roles,
    # unlocks and resets for the security administrator; the authority accounts' changes for the auditor
    "admin.departments": allow(ADMIN, scope=PROVINCE),
    "admin.calendar": allow(ADMIN, scope=PROVINCE),
    "admin.users": allow(SECURITY_ADMIN, scope=PROVINCE, rule="R-DUTIES"),
    "admin.toggle_active": allow(SECURITY_ADMIN, scope=PROVINCE, rule="R-DUTIES"),
    "admin.reset_password": allow(SECURITY_ADMIN, scope=PROVINCE, rule="R-DUTIES"),
    "admin.change_role": allow(SECURITY_ADMIN, scope=PROVINCE, rule="R-DUTIES"),
    "admin.unlock": allow(SECURITY_ADMIN, scope=PROVINCE, rule="R-DUTIES"),
    "admin.account_changes": allow(AUDITOR, scope=PROVINCE, rule="R-DUTIES"),
    # the June round and the proposals
    "planning.home": allow(EVERYONE, scope=SELF),
    "planning.projects": allow(STAFF, scope=DEPARTMENT),
    "planning.new_project": allow(DEPT, scope=DEPARTMENT),
    "planning.submit_batch": allow(DEPT_ADMIN, scope=DEPARTMENT, rule="R-CONSOLIDATE"),
    "planning.project": allow(STAFF, scope=PROJECT),
    "planning.edit_project": allow(DEPT, scope=PROJECT),
    "planning.upload": allow(DEPT, scope=PROJECT),
    "planning.download": allow(STAFF, scope=PROJECT),
    "planning.rounds": {"GET": allow(STAFF, scope=PROVINCE), "POST": allow(PLANNER, scope=PROVINCE)},
    # the joint review (R-REVIEW-PARALLEL, R-CLOCK, R-REVIEW-EXPERT)
    "planning.review_queue": allow(REVIEWERS, PLANNER, scope=PROVINCE),
    "planning.opinion": allow(REVIEWERS, scope=PROJECT, rule="R-REVIEW-PARALLEL"),
    "planning.answer": allow(PROJECT_ACTION_ROLES["answer_supplement"], scope=PROJECT),
    "planning.call_expert": allow(PROJECT_ACTION_ROLES["call_expert_review"], scope=PROJECT, rule="R-REVIEW-EXPERT"),
    "planning.finish_expert": allow(PROJECT_ACTION_ROLES["finish_expert_review"], scope=PROJECT,
                                    rule="R-REVIEW-EXPERT"),
    "planning.terminate": allow(PROJECT_ACTION_ROLES["terminate"], scope=PROJECT),
    # the annual plan: API.md lets any signed-in user read a plan and its export; compiling it (the
    # candidates, additions, comments, actions) is for the authorities that make it
    "planning.plan_list": {"GET": allow(STAFF, scope=PROVINCE), "POST": allow(PLANNER, scope=PROVINCE)},
    "planning.plan_page": allow(STAFF, scope=PROVINCE),
    "planning.plan_candidates": allow(PLAN_READERS, scope=PROVINCE),
    "planning.plan_chart": allow(STAFF, scope=PROVINCE),
    "planning.plan_xlsx": allow(STAFF, scope=PROVINCE),
    "planning.plan_csv_export": allow(STAFF, scope=PROVINCE),
    "planning.plan_add": allow(PLANNER, scope=PROVINCE),
    "planning.plan_remove": allow(PLANNER, scope=PROVINCE),
    "planning.plan_comment": allow(FINANCE, scope=PROVINCE),
    "planning.plan_action": by_step("action", pick(PLAN_ACTION_ROLES, "finance_check", "return_to_draft",
                                                   "submit", "approve"), PROVINCE),
    "planning.plan_override": allow(PLANNER, scope=PROVINCE, rule="R-PLAN-BACKLOG"),
    "planning.plan_insert": allow(PLAN_ACTION_ROLES["insert_urgent"], scope=PROVINCE, rule="R-PLAN-URGENT"),
    "planning.plan_insertion_step": by_step("step", {"approve": PLAN_ACTION_ROLES["approve_insertion"],
                                                     "record": PLAN_ACTION_ROLES["record_insertion"]}),
    "planning.flags": {"GET": allow(PLANNER, FINANCE, AUDITOR, scope=PROVINCE),
                       "POST": allow(PLANNER, scope=PROVINCE, rule="R-SHARE-BLOCK")},
    "planning.clear_flag": allow(PLANNER, scope=PROVINCE, rule="R-SHARE-BLOCK"),
    # approval and money
    "approval.step": by_step("step", WEB_APPROVAL_STEPS),
    "approval.decide": by_step("decision", {"approve": BUDGET_DECIDERS, "reject": BUDGET_DECIDERS}, PROVINCE),
    "approval.register": allow(REGISTER_READERS, scope=PROVINCE),
    "approval.register_xlsx": allow(REGISTER_READERS, scope=PROVINCE),
    # money actually paid (issue 22): the department records, finance imports, the auditor reads all
    "finance.step": by_step("step", {s: DEPT for s in ("procurements", "contracts", "payments")}),
    "finance.dashboard": allow(FINANCE_READERS, DEPT, scope=DEPARTMENT),
    "finance.chart": by_step("chart", {c: FINANCE_READERS for c in ("departments", "sources", "months")}, PROVINCE),
    "finance.contract_register": allow(FINANCE_READERS, DEPT, scope=DEPARTMENT),
    "finance.contract_register_xlsx": allow(FINANCE_READERS, scope=PROVINCE),  # the exports: the authorities
    "finance.payment_register": allow(FINANCE_READERS, DEPT, scope=DEPARTMENT),
    "finance.payment_register_xlsx": allow(FINANCE_READERS, scope=PROVINCE),
    "finance.import_payments": allow(FINANCE, scope=PROVINCE, rule="R-PAYMENT-VOUCHER"),
    # construction to post-evaluation
    "acceptance.step": by_step("step", WEB_BUILD_STEPS),
    "acceptance.order": allow(PROJECT_ACTION_ROLES["order_rectification"], scope=PROJECT, rule="R-INCIDENT"),
    "acceptance.progress_chart": allow(STAFF, scope=PROJECT),
    "acceptance.opinion": allow(ACCEPTANCE_REVIEWERS, scope=PROJECT, rule="R-JOINT-ACCEPT"),
    "planning.consent_supplement": allow(PROJECT_ACTION_ROLES["consent_supplement"], scope=PROJECT,
                                         rule="R-SUPPLEMENT-ONCE"),
    # alerts, dashboards and the record
    "alerts.dashboard_page": allow(STAFF, scope=DEPARTMENT),
    "alerts.dashboard_chart": allow(PLANNER, AUDITOR, NDRC, scope=PROVINCE),
    "alerts.inbox": allow(EVERYONE, scope=SELF),
    "alerts.open_message": allow(EVERYONE, scope=SELF),  # issue 19: one message read when opened
    "alerts.mark_read": allow(EVERYONE, scope=SELF),
    "alerts.full_record": allow(STAFF, scope=PROJECT),
    "alerts.audit": allow(AUDITOR, PLANNER, scope=PROVINCE),
    "alerts.audit_export": allow(AUDITOR, PLANNER, scope=PROVINCE),  # issue 19: the filtered history
    # issue 24: a full check of the history, recorded for the page (it changes no project and no event)
    "alerts.audit_verify": allow(AUDITOR, PLANNER, scope=PROVINCE, rule="R-AUDIT-TRAIL"),
    # issue 19 (Build 4): search and the list's export, narrowed to the projects the caller may see
    "find.search": allow(STAFF, scope=DEPARTMENT),
    "find.projects_xlsx": allow(STAFF, scope=DEPARTMENT),
    # the JSON API (API.md)
    # issue 20: the ledger (台账); a dept_admin imports its own department's rows only (checked per row)
    "ledger.index": allow(DEPT_ADMIN, PLANNER, scope=DEPARTMENT),
    "ledger.template": allow(DEPT_ADMIN, PLANNER, scope=DEPARTMENT),
    "ledger.export": allow(DEPT_ADMIN, PLANNER, scope=DEPARTMENT),
    "ledger.check": allow(DEPT_ADMIN, PLANNER, scope=DEPARTMENT),
    "ledger.annotated": allow(DEPT_ADMIN, PLANNER, scope=DEPARTMENT),
    "ledger.confirm": allow(DEPT_ADMIN, PLANNER, scope=DEPARTMENT),
    "api.issue_token": OPEN,
    "api.revoke_token": allow(EVERYONE, scope=SELF),
    "api.change_password": allow(EVERYONE, scope=SELF),
    "api.openapi": OPEN,
    "api.docs": OPEN,  # issue 19: the API page (Swagger UI) reading the OpenAPI document
    "help.guide": allow(EVERYONE, scope=SELF),  # issue 19: 操作指引, the guide of the caller's role
    "help.role_guide": allow(EVERYONE, scope=SELF),  # 操作指引 of another role (documentation only)
    "api.public_keys": OPEN,  # CRYPTO.md: the SM2 public keys are public
    "api.me": allow(EVERYONE, scope=SELF),
    "api.my_todo": allow(EVERYONE, scope=SELF),  # issue 19: the caller's 待办
    "api.departments": allow(EVERYONE, scope=PROVINCE),
    "api.create_department": allow(ADMIN, scope=PROVINCE),
    "api.rounds": allow(STAFF, scope=PROVINCE),
    "api.open_round": allow(PLANNER, scope=PROVINCE),
    "api.list_projects": allow(STAFF, scope=DEPARTMENT),
    "api.create_project": allow(DEPT, scope=DEPARTMENT),
    "api.get_project": allow(STAFF, scope=PROJECT),
    "api.patch_project": allow(DEPT, scope=PROJECT),
    "api.list_documents": allow(STAFF, scope=PROJECT),
    "api.upload_document": allow(DEPT, scope=PROJECT),
    "api.post_opinion": allow(REVIEWERS, scope=PROJECT, rule="R-REVIEW-PARALLEL"),
    "api.project_history": allow(STAFF, scope=PROJECT),
    "api.post_acceptance_opinion": allow(ACCEPTANCE_REVIEWERS, scope=PROJECT, rule="R-JOINT-ACCEPT"),
    "api.project_action": by_step("action", API_PROJECT_ACTIONS),
    "api.list_alerts": allow(STAFF, scope=DEPARTMENT),
    "api.file_budget_change": allow(PROJECT_ACTION_ROLES["file_budget_change"], scope=PROJECT),
    "api.list_budget_changes": allow(REGISTER_READERS, scope=PROVINCE),
    "api.decide_budget_change": by_step("decision", {"approve": BUDGET_DECIDERS, "reject": BUDGET_DECIDERS},
                                        PROVINCE),
    "api.list_procurements": allow(STAFF, scope=PROJECT),
    "api.record_procurement": allow(DEPT, scope=PROJECT),
    "api.list_contracts": allow(STAFF, scope=PROJECT),
    "api.sign_contract": allow(DEPT, scope=PROJECT),
    "api.list_payments": allow(STAFF, scope=PROJECT),
    "api.record_payment": allow(DEPT, scope=PROJECT),
    "api.execution": allow(FINANCE_READERS, DEPT, scope=DEPARTMENT),
    "api.list_plans": allow(EVERYONE, scope=PROVINCE),  # API.md: any
    "api.get_plan": allow(EVERYONE, scope=PROVINCE),
    "api.export_plan": allow(EVERYONE, scope=PROVINCE),
    "api.create_plan": allow(PLANNER, scope=PROVINCE),
    "api.add_item": allow(PLANNER, scope=PROVINCE),
    "api.plan_action": by_step("action", PLAN_ACTION_ROLES, PROVINCE),
    # official documents (issue 21); the services check who issues each kind (domain.letters.KINDS)
    "letters.generate": allow(LETTER_ISSUERS, scope=PROJECT),
    "letters.download": allow(STAFF, scope=PROJECT),
    "letters.upload": allow(LETTER_ISSUERS, scope=PROJECT),
    "letters.finalize": allow(LETTER_ISSUERS, scope=PROJECT),
    "letters.generate_plan": allow(PLANNER, scope=PROVINCE),
    "letters.download_plan_letter": allow(STAFF, scope=PROVINCE),
    "letters.upload_plan_letter": allow(PLANNER, scope=PROVINCE),
    "letters.finalize_plan_letter": allow(PLANNER, scope=PROVINCE),
    "api.list_letters": allow(STAFF, scope=PROJECT),
    "api.create_letter": allow(LETTER_ISSUERS, scope=PROJECT),
    "api.download_letter": allow(STAFF, scope=PROJECT),
    "api.finalize_letter": allow(LETTER_ISSUERS, scope=PROJECT),
}


# what an account that must change its initial password may still call (R-PASSWORD-CHANGE); the web
# pages redirect it to the password form (auth/views.py::force_password_change)
PASSWORD_CHANGE_ENDPOINTS = frozenset({"api.change_password", "api.revoke_token"})


def access_for(endpoint: str, method: str) -> Access | None:
    entry = ROUTES.get(endpoint)
    if isinstance(entry, dict):
        return entry.get("GET" if method == "HEAD" else method)
    return entry


def _caller():
    """The signed-in user: the bearer token's on the API, the session's on web pages."""
    if request.path.startswith("/api/"):
        from . import services
        header = request.headers.get("Authorization", "")
        user = services.user_for_token(header[7:].strip()) if header.startswith("Bearer ") else None
        g.api_user = user
        return user
    return current_user if current_user.is_authenticated else None


def enforce():
    """Before every request: refuse what the table does not allow, before a view or form runs."""
    endpoint = request.endpoint
    if endpoint is None or request.method == "OPTIONS":
        return None  # 404 / 405 / CORS preflight: nothing is served
    access = access_for(endpoint, request.method)
    if access is None:
        raise Forbidden(f"地址 {request.path} 未在权限表中声明，拒绝访问")
    if not access.roles:
        return None
    user = _caller()
    if user is None:
        from .services import INTEGRITY_SIGNED_OUT, SIGNED_OUT_FOR_INTEGRITY
        altered = g.get(SIGNED_OUT_FOR_INTEGRITY)  # CRYPTO.md: signed out for a failed account MAC
        if request.path.startswith("/api/"):
            return jsonify({"error": "unauthorized",
                            "message": INTEGRITY_SIGNED_OUT if altered else "缺少或无效的访问令牌"}), 401
        if altered:  # the reason is already flashed for the login page (factory.load_user)
            return redirect(url_for("auth.login"))
        from ..extensions import login_manager
        return login_manager.unauthorized()
    if user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        # R-PASSWORD-CHANGE: an initial (or reset) password is changed before anything else is done
        if request.path.startswith("/api/"):
            raise Forbidden("须先修改初始密码：POST /api/v1/auth/password", rule="R-PASSWORD-CHANGE")
    view_args = request.view_args or {}
    allowed = access.roles_for(view_args)
    if user.role not in allowed:
        names = "、".join(ROLE_LABELS[r] for r in ROLES if r in allowed)
        raise Forbidden(f"此操作仅限：{names}", rule=access.rule_for(view_args))
    if access.scope == PROJECT and "project_id" in view_args:
        from .access import load_project
        # R-SCOPE: 404 when absent, 403 out of scope; kept in g so the view's load_project reuses it
        g.scoped_project = load_project(view_args["project_id"], user,
                                        endpoint if request.method in ("GET", "HEAD") else None)
    return None
