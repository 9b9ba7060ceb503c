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

ROLE_LABELS = {
    APPLICANT: "项目建设单位经办人", DEPT_ADMIN: "部门负责人（统一申报）",
    REVIEWER_BUSINESS: "营商环境局审核专家", REVIEWER_CYBER: "网信办审核人",
    REVIEWER_CRYPTO: "密码管理局审核人", PLANNER: "营商环境局（统筹）", NDRC: "发改委",
    FINANCE: "财政厅", INTRANET: "内网办", AUDITOR: "审计厅（只读）", ADMIN: "系统管理员",
}
ROLES = list(ROLE_LABELS)
DEPARTMENT_ROLES = frozenset({APPLICANT, DEPT_ADMIN})
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
        return role != ADMIN
    return user_department == lead or user_department in participants
