"""Roles and who may see what (RULES.md 'Actors')."""
APPLICANT = "applicant"
DEPT_ADMIN = "dept_admin"
REVIEWER_BUSINESS = "reviewer_business"
REVIEWER_CYBER = "reviewer_cyber"
REVIEWER_CRYPTO = "reviewer_crypto"
PLANNER = "planner"
NDRC = "ndrc"
FINANCE = "finance"
INTRANET = "intranet"
AUDITOR = "auditor"
ADMIN = "admin"
POLICE = "police"  # 省公安厅: 等级保护 (第四条, 第二十九条)
SECRECY = "secrecy"  # 省委保密办: 涉密 status and grade (第四条, 第二十九条, 第三十二条)
SECURITY_ADMIN = "security_admin"  # 安全管理员: accounts, roles, unlocks, resets (R-DUTIES, 三员分立)

ROLE_LABELS = {
    APPLICANT: "项目建设单位经办人", DEPT_ADMIN: "部门负责人（统一申报）",
    REVIEWER_BUSINESS: "营商环境局审核专家", REVIEWER_CYBER: "网信办审核人",
    REVIEWER_CRYPTO: "密码管理局审核人", PLANNER: "营商环境局（统筹）", NDRC: "发改委",
    FINANCE: "财政厅", INTRANET: "内网办", AUDITOR: "审计厅（只读）", POLICE: "公安厅（等级保护）",
    SECRECY: "保密办（涉密）", ADMIN: "系统管理员", SECURITY_ADMIN: "安全管理员",
}
ROLES = list(ROLE_LABELS)
DEPARTMENT_ROLES = frozenset({APPLICANT, DEPT_ADMIN})
NO_PROJECT_ROLES = frozenset({ADMIN, SECURITY_ADMIN})  # they run the system and its accounts, no projects
PROJECT_EDITORS = DEPARTMENT_ROLES

# R-REVIEW-PARALLEL: each reviewer role speaks for one authority (第十条)
AUTHORITY_OF_ROLE = {
    REVIEWER_BUSINESS: "business",
    REVIEWER_CYBER: "cyber",
    REVIEWER_CRYPTO: "crypto",
}
AUTHORITIES = list(AUTHORITY_OF_ROLE.values())
AUTHORITY_LABELS = {
    "business": "集约化建设和数据共享（省营商环境局）",
    "cyber": "网络安全（省委网信办）",
    "crypto": "密码应用（省国家密码管理局）",
}

# R-JOINT-ACCEPT (第二十九条): who gives an acceptance opinion, for which authority; 保密办 only
# for a 涉密 system
ACCEPTANCE_AUTHORITY_OF_ROLE = {
    REVIEWER_CYBER: "cyber", REVIEWER_CRYPTO: "crypto", POLICE: "police", NDRC: "ndrc", SECRECY: "secrecy",
}
ACCEPTANCE_REVIEWERS = frozenset(ACCEPTANCE_AUTHORITY_OF_ROLE)
ACCEPTANCE_LABELS = {
    "cyber": "网络安全（省委网信办）", "crypto": "密码应用（省国家密码管理局）", "police": "等级保护（省公安厅）",
    "ndrc": "投资（省发改委）", "secrecy": "保密（省委保密办）",
}
ACCEPTANCE_DEPARTMENTS = {"cyber": "WXB", "crypto": "MMJ", "police": "GAT", "ndrc": "FGW", "secrecy": "BMB"}

AUTHORITY_DEPARTMENTS = {
    "YSHJ": "省营商环境局", "WXB": "省委网信办", "FGW": "省发改委", "CZT": "省财政厅",
    "GAT": "省公安厅", "SJT": "省审计厅", "MMJ": "省国家密码管理局", "NWB": "省内网办",
    "BMB": "省委保密办", "SZF": "省政府",
}


def sees_all_projects(role: str) -> bool:
    """Authority roles see every project; department roles only their own (and co-built)."""
    return role not in DEPARTMENT_ROLES


def may_see_project(role: str, user_department: str, lead: str, participants: set[str]) -> bool:
    """Department scope (第十三条: participants of a co-built project see it too)."""
    if sees_all_projects(role):
        return role not in NO_PROJECT_ROLES
    return user_department == lead or user_department in participants


# Who may take each step (第九–三十三条); the route table (govit/auth/permissions.py) and the
# services both refuse anyone else. The design approver is 营商环境局, or 内网办 for an intranet
# project (R-DESIGN-20WD): the service narrows {planner, intranet} to the one the project needs.
REVIEWERS = frozenset(AUTHORITY_OF_ROLE)
DESIGN_APPROVERS = frozenset({PLANNER, INTRANET})
PROJECT_ACTION_ROLES: dict[str, frozenset[str]] = {
    "submit": frozenset({DEPT_ADMIN}),  # R-CONSOLIDATE
    "answer_supplement": DEPARTMENT_ROLES,
    "call_expert_review": frozenset({PLANNER}), "finish_expert_review": frozenset({PLANNER}),
    "terminate": frozenset({PLANNER}),
    "submit_feasibility": DEPARTMENT_ROLES, "approve_feasibility": frozenset({NDRC}),  # R-FEAS-NDRC
    "submit_design": DEPARTMENT_ROLES,
    "approve_design": DESIGN_APPROVERS, "return_to_feasibility": DESIGN_APPROVERS,
    "send_back_to_feasibility": DESIGN_APPROVERS, "decide_deviation": frozenset({NDRC}),  # R-DESIGN-DEVIATION
    # R-RETURN: ndrc (可研), planner or intranet (初设), planner (省政府审定); the service narrows to the stage's
    "return": frozenset({NDRC, PLANNER, INTRANET}), "refuse": frozenset({NDRC, PLANNER, INTRANET}),
    "appeal": frozenset({DEPT_ADMIN}), "decide_appeal": frozenset({PLANNER}),
    "record_gov_approval": frozenset({PLANNER}),  # R-GOV-APPROVE
    "file_budget_change": DEPARTMENT_ROLES, "record_settlement": DEPARTMENT_ROLES,
    "record_surplus_return": frozenset({FINANCE}),  # R-SURPLUS
    "report_progress": DEPARTMENT_ROLES, "file_performance_report": DEPARTMENT_ROLES,
    "report_incident": DEPARTMENT_ROLES, "complete": DEPARTMENT_ROLES,
    "order_rectification": frozenset({PLANNER}), "suspend": frozenset({PLANNER}),
    "resume": frozenset({PLANNER}),  # R-INCIDENT
    "request_extension": DEPARTMENT_ROLES, "decide_extension": frozenset({PLANNER}),
    "apply_acceptance": DEPARTMENT_ROLES, "accept": frozenset({PLANNER}),
    "reject_acceptance": frozenset({PLANNER}),  # R-JOINT-ACCEPT
    "confirm_classification": frozenset({SECRECY}),  # 保密办 confirms 涉密 status (第四条)
    "consent_supplement": frozenset({PLANNER}),  # R-SUPPLEMENT-ONCE
    "self_evaluate": DEPARTMENT_ROLES, "post_evaluate": frozenset({PLANNER}), "close": frozenset({PLANNER}),
}
BUDGET_DECIDERS = frozenset({PLANNER, FINANCE})  # R-BUDGET-15
# the rule a refusal names, where a step has a rule of its own (else R-ROLE)
ACTION_RULES = {
    "submit": "R-CONSOLIDATE", "call_expert_review": "R-REVIEW-EXPERT", "finish_expert_review": "R-REVIEW-EXPERT",
    "approve_feasibility": "R-FEAS-NDRC", "approve_design": "R-DESIGN-20WD", "return_to_feasibility": "R-DESIGN-20WD",
    "record_gov_approval": "R-GOV-APPROVE", "record_surplus_return": "R-SURPLUS",
    "send_back_to_feasibility": "R-DESIGN-DEVIATION", "decide_deviation": "R-DESIGN-DEVIATION",
    "return": "R-RETURN", "refuse": "R-RETURN", "appeal": "R-RETURN", "decide_appeal": "R-RETURN",
    "order_rectification": "R-INCIDENT", "suspend": "R-INCIDENT", "resume": "R-INCIDENT",
    "decide_extension": "R-ACCEPT-6M", "accept": "R-JOINT-ACCEPT", "reject_acceptance": "R-JOINT-ACCEPT",
    "confirm_classification": "R-JOINT-ACCEPT",
    "consent_supplement": "R-SUPPLEMENT-ONCE", "post_evaluate": "R-POST-EVAL",
    "close": "R-POST-EVAL", "insert_urgent": "R-PLAN-URGENT", "approve_insertion": "R-PLAN-URGENT",
    "record_insertion": "R-PLAN-URGENT", "approve": "R-BUDGET-15", "reject": "R-BUDGET-15",
}
PLAN_ACTION_ROLES: dict[str, frozenset[str]] = {
    "finance_check": frozenset({FINANCE}), "return_to_draft": frozenset({FINANCE, PLANNER}),
    "submit": frozenset({PLANNER}), "approve": frozenset({PLANNER}),
    "insert_urgent": frozenset({PLANNER}), "approve_insertion": frozenset({PLANNER, FINANCE}),
    "record_insertion": frozenset({PLANNER}),  # R-PLAN-URGENT
}
PLAN_READERS = frozenset({PLANNER, FINANCE, NDRC, AUDITOR})
