"""The OpenAPI 3.1 document of the JSON API, served at /api/v1/openapi.json."""
from flask import jsonify

from ..domain.budget import STATUS_LABELS
from ..domain.deadlines import KINDS as ALERT_KINDS
from ..domain.documents import DOCUMENT_KINDS
from ..domain.letters import PROJECT_KINDS as LETTER_KINDS
from ..domain.finance import CONTRACT_KINDS, PROCUREMENT_METHODS
from ..domain.lifecycle import STATES
from ..domain.review import VERDICTS
from ..formkit import MONTH
from ..planning.fields import BOOLS, CHOICES, TEXT_FIELDS
from . import bp
from .plans import ACTIONS as PLAN_ACTIONS
from .resources import ACTIONS

ERROR = {"type": "object", "required": ["error", "message"], "properties": {
    "error": {"type": "string"}, "message": {"type": "string"},
    "rule": {"type": "string", "description": "RULES.md id that refused the request"},
    "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}
MONEY = {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$", "example": "1234567.00"}
PROJECT_IN = {"type": "object", "properties": {
    **{k: {"type": "string", "maxLength": n} for k, n in TEXT_FIELDS.items()},
    **{k: {"type": "string", "enum": list(v)} for k, v in CHOICES.items()},
    **{k: {"type": "boolean"} for k in BOOLS},
    "department": {"type": "string"},
    "start_month": {"type": "string", "pattern": f"^{MONTH.pattern}$"},
    "end_month": {"type": "string", "pattern": f"^{MONTH.pattern}$"},
    "total_investment": MONEY,
    "annual_investments": {"type": "object", "additionalProperties": MONEY},
    "co_departments": {"type": "array", "items": {"type": "string"}}}}
PROJECT_OUT = {"allOf": [PROJECT_IN, {"type": "object", "properties": {
    "id": {"type": "integer"}, "state": {"type": "string", "enum": STATES},
    "plan_year": {"type": ["integer", "null"]},
    "due": {"type": ["object", "null"], "properties": {  # R-CAL-PREDICT: false while the year is predicted
        "kind": {"type": "string"}, "due_on": {"type": "string", "format": "date"},
        "calendar_confirmed": {"type": "boolean"}}}, "opinions": {"type": "array"},
    "acceptance_opinions": {"type": "array"}, "acceptance_applied_on": {"type": ["string", "null"]},
    "classified_grade": {"type": "string"}, "classified_confirmed_on": {"type": ["string", "null"]},
    "similar_projects": {"type": "array"}, "alerts": {"type": "array"},
    "approved_estimate": {"type": ["string", "null"]}, "approved_investment": {"type": ["string", "null"]},
    "merge_refused": {"type": "boolean"}, "design_content_changed": {"type": "boolean"},
    "deviation_status": {"type": ["string", "null"], "enum": [None, "referred", "cleared"]}}}]}

# GET /projects: one page of summaries (view=full: whole Project records)
PROJECT_SUMMARY = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": ["string", "null"]}, "department": {"type": "string"},
    "state": {"type": "string", "enum": STATES}, "plan_year": {"type": ["integer", "null"]},
    "urgent": {"type": "boolean"}, "total_investment": {"type": ["string", "null"]},
    "approved_estimate": {"type": ["string", "null"]}, "submitted_on": {"type": ["string", "null"]},
    "updated_at": {"type": ["string", "null"]}, "due": {"type": ["object", "null"]}, "alerts": {"type": "array"}}}

DATE = {"type": "string", "format": "date"}
OWN_SCHEMA = {"/projects/{id}/procurements", "/projects/{id}/contracts", "/projects/{id}/payments"}  # not a Project


def _body(required: list[str], **properties) -> dict:
    return {"type": "object", "required": required, "properties": properties}


# the body of each project action as API.md names it (finding 15: the contract binds both ways)
ACTION_BODIES = {
    "submit": _body([], rongque={"type": "array", "items": _body(["kind", "promised_on"], kind={
        "type": "string", "enum": list(DOCUMENT_KINDS)}, promised_on=DATE)}),
    "answer_supplement": _body(["text"], text={"type": "string"}),
    "submit_feasibility": _body([], merged_reason={"type": "string"}),
    "approve_feasibility": _body(["doc_no", "approved_on", "approved_investment"], doc_no={"type": "string"},
                                 approved_on=DATE, approved_investment=MONEY, merge_accepted={
                                     "type": "boolean", "default": True, "description": "R-MERGED：是否同意合并审批"}),
    "submit_design": _body(["estimate"], estimate={**MONEY, "description": "概算（元）"}, content_changed={
        "type": "boolean", "default": False, "description": "R-DESIGN-DEVIATION：建设内容是否超出可研批复"}),
    # R-DESIGN-DEVIATION: the planner (intranet for an intranet project) sends back; ndrc decides above 10%
    "send_back_to_feasibility": _body(["reason"], reason={"type": "string"}),
    "return_to_feasibility": _body(["reason"], reason={"type": "string", "description": "已弃用，同 send_back_to_feasibility"}),
    "decide_deviation": _body(["refeasibility", "reason"], refeasibility={"type": "boolean"}, reason={"type": "string"}),
    # R-RETURN: feasibility (ndrc), design (planner or intranet), the 省政府审定 (planner)
    "return": _body(["reasons"], reasons={"type": "array", "items": {"type": "string"}, "minItems": 1}),
    "refuse": _body(["reason"], reason={"type": "string", "description": "项目终止；10 个工作日内可申诉"}),
    "appeal": _body(["reason"], reason={"type": "string"}),
    "decide_appeal": _body(["uphold", "reason"], uphold={"type": "boolean"}, reason={"type": "string"}),
    "approve_design": _body(["doc_no", "approved_on", "approved_estimate"], doc_no={"type": "string"},
                            approved_on=DATE, approved_estimate=MONEY),
    "record_gov_approval": _body(["doc_no", "approved_on", "funds"], doc_no={"type": "string"}, approved_on=DATE,
                                 funds={"type": "array", "items": _body(["source", "amount"], source={
                                     "type": "string"}, amount=MONEY)}),
    "file_performance_report": _body(["year"], year={"type": "integer"}, summary={"type": "string"}, supervisor_opinion={
        "type": "string", "description": "第二十五条：监理单位意见（或上传 supervision_opinion 材料）"}, user_opinions={
        "type": "string", "description": "第二十五条：使用单位意见（或上传 user_opinion 材料）"}),
    "complete": _body(["completed_on"], completed_on=DATE),
    "request_extension": _body(["reason", "until"], reason={"type": "string"}, until=DATE),
    "accept": _body(["accepted_on", "live_on"], accepted_on=DATE, live_on=DATE, authorities={"type": "string"}),
    "self_evaluate": _body(["score", "summary"], score={"type": "string"}, summary={"type": "string"}),
    "terminate": _body(["reason"], reason={"type": "string"}),
    "report_progress": _body(["period", "percent_complete", "spent"],
                             period={"type": "string", "pattern": "^20[0-9]{2}-(0[1-9]|1[0-2])$"},
                             percent_complete={"type": ["string", "number"]}, spent=MONEY, note={"type": "string"}),
    # R-JOINT-ACCEPT: the planner's refusal; 保密办 confirms a project's 涉密 status and grade
    "reject_acceptance": _body(["reasons"], reasons={"type": "array", "items": {"type": "string"}}),
    "confirm_classification": _body(["classified"], classified={"type": "boolean"}, grade={
        "type": "string", "enum": ["secret", "confidential", "top_secret"]}, reason={"type": "string"}),
    # R-SUPPLEMENT-ONCE: the planner consents to an authority's second 补正 request, with a reason
    "consent_supplement": _body(["authority", "reason"], authority={
        "type": "string", "enum": ["business", "cyber", "crypto"]}, reason={"type": "string"}),
}

ROUTES = [  # (method, path, summary, request schema or None, success status)
    ("post", "/auth/token", "取得访问令牌（启用动态口令的账号另给 otp：6 位动态口令或恢复码）", {
        "type": "object", "required": ["username", "password"],
        "properties": {"username": {"type": "string"}, "password": {"type": "string"}, "otp": {"type": "string"}}}, 200),
    ("delete", "/auth/token", "撤销本次请求所用的访问令牌", None, 204),
    ("post", "/auth/password", "修改本人密码（R-PASSWORD-CHANGE）；其他令牌和网页登录随之失效", {
        "type": "object", "required": ["old_password", "new_password"],
        "properties": {"old_password": {"type": "string"}, "new_password": {"type": "string"}}}, 200),
    ("get", "/me", "当前用户", None, 200),
    ("get", "/todo", "我的待办（与工作台相同：需要办理的事项、期限、剩余或逾期天数，按紧急程度排序）", None, 200),
    ("get", "/keys", "各审批单位的 SM2 签名公钥（CRYPTO.md，不可否认性）；无需认证", None, 200),
    ("get", "/departments", "部门列表", None, 200),
    ("post", "/departments", "新增部门（admin）", {"type": "object", "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}}}, 201),
    ("get", "/rounds", "需求征集轮次", None, 200),
    ("post", "/rounds", "开启需求征集（planner）", {"type": "object", "properties": {
        "plan_year": {"type": "integer"}, "opens_on": {"type": "string", "format": "date"},
        "closes_on": {"type": "string", "format": "date"}}}, 201),
    ("get", "/projects", "项目列表（按部门范围，分页；每项为摘要，view=full 为完整记录）", None, 200),
    ("post", "/projects", "创建项目草稿", PROJECT_IN, 201),
    ("get", "/projects/{id}", "项目详情", None, 200),
    ("patch", "/projects/{id}", "修改项目（草稿或待补正）", PROJECT_IN, 200),
    ("get", "/projects/{id}/documents", "项目材料", None, 200),
    ("post", "/projects/{id}/documents", "上传材料（multipart: kind, file, material?）", None, 201),
    ("post", "/projects/{id}/opinions", "联合审核意见", {"type": "object", "required": ["verdict", "text"],
        "properties": {"verdict": {"type": "string", "enum": list(VERDICTS)},
                       "text": {"type": "string"}, "conditions": {"type": "string"}}}, 201),
    ("post", "/projects/{id}/acceptance-opinions", "竣工验收意见（R-JOINT-ACCEPT：reviewer_cyber、reviewer_crypto、"
     "police、ndrc，涉密系统另加 secrecy）", {"type": "object", "required": ["verdict", "text"], "properties": {
         "verdict": {"type": "string", "enum": ["pass", "conditional", "fail"]}, "text": {"type": "string"},
         "conditions": {"type": "string"}}}, 201),
    ("get", "/projects/{id}/history", "全流程记录（R-FULL-RECORD）", None, 200),
    ("post", "/projects/{id}/actions/{action}", "生命周期动作：{project_actions}", {"type": "object"}, 200),
    ("post", "/projects/{id}/budget-changes", "预算调整（R-BUDGET-15）", {"type": "object", "required": [
        "amount", "new_total", "reason_category", "content"], "properties": {
        "amount": MONEY, "new_total": MONEY, "content": {"type": "string"}, "goal_kept": {"type": "boolean"},
        "reason_category": {"type": "string", "enum": ["deployment", "optimisation", "business_need", "other"]}}},
     201),
    ("get", "/budget-changes", "预算调整登记簿（finance, planner, auditor）", None, 200),
    ("post", "/budget-changes/{id}/actions/{action}", "审批预算调整：approve、reject", {"type": "object"}, 200),
    ("get", "/plans", "年度计划列表", None, 200),
    ("post", "/plans", "新建年度计划（planner）", {"type": "object", "properties": {
        "plan_year": {"type": "integer"}}}, 201),
    ("get", "/plans/{id}", "年度计划（含按部门、资金来源、年度汇总）", None, 200),
    ("post", "/plans/{id}/items", "列入计划（planner，R-PLAN-ONLY-PASSED）", {"type": "object", "properties": {
        "project_id": {"type": "integer"}}}, 201),
    ("post", "/plans/{id}/actions/{action}", "计划动作：{plan_actions}", {"type": "object"}, 200),
    ("get", "/plans/{id}/export.xlsx", "导出 Excel（万元）", None, 200),
    ("get", "/alerts", "预警（R-ALERT，按部门范围）", None, 200),
    # issue 21: official documents drafted from the record (GB/T 9704), DOCX and PDF
    ("get", "/projects/{id}/letters", "项目文书（草稿和定稿，含发文字号、版本、sha256）", None, 200),
    ("post", "/projects/{id}/letters", "从记录生成文书草稿", {"type": "object", "required": ["kind"], "properties": {
        "kind": {"type": "string", "enum": LETTER_KINDS}}}, 201),
    ("get", "/projects/{id}/letters/download", "下载文书（letter_id，format=docx|pdf；定稿为固化的 PDF）", None, 200),
    ("post", "/projects/{id}/letters/final", "文书定稿：编定文号、固化 PDF、告知建设单位", {
        "type": "object", "required": ["letter_id"], "properties": {"letter_id": {"type": "integer"}}}, 200),
    # issue 22: money actually paid (第二十一、二十四、二十七、三十条)
    ("get", "/projects/{id}/procurements", "采购记录（涉密采购的详情仅限建设单位和主管部门，第二十一条）", None, 200),
    ("post", "/projects/{id}/procurements", "登记采购（建设单位；统一社会信用代码按 GB 32100 校验，R-USCC）", _body(
        ["method", "number", "procured_on", "supplier", "supplier_code", "amount"], method={
            "type": "string", "enum": list(PROCUREMENT_METHODS)}, number={"type": "string"}, procured_on=DATE,
        supplier={"type": "string"}, supplier_code={"type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$"},
        amount=MONEY, classified={"type": "boolean", "default": False}), 201),
    ("get", "/projects/{id}/contracts", "合同及付款计划", None, 200),
    ("post", "/projects/{id}/contracts", "登记合同（R-CONTRACT-ESTIMATE：合同合计不超过现行批复概算；R-IP-CLAUSE）", _body(
        ["number", "kind", "supplier", "supplier_code", "amount", "signed_on", "ip_clause", "milestones"],
        number={"type": "string"}, kind={"type": "string", "enum": list(CONTRACT_KINDS)}, supplier={"type": "string"},
        supplier_code={"type": "string"}, amount=MONEY, signed_on=DATE, procurement_id={"type": "integer"},
        ip_clause={"type": "boolean", "description": "第三十条：成果及知识产权归建设单位所有"},
        milestones={"type": "array", "minItems": 1, "items": _body(["amount", "due_on"], name={"type": "string"},
                                                                   amount=MONEY, due_on=DATE)}), 201),
    ("get", "/projects/{id}/payments", "国库集中支付记录", None, 200),
    ("post", "/projects/{id}/payments", "登记支付（R-PAYMENT-CONTRACT、R-PAYMENT-YEAR；同一凭证号同一内容重复提交不再登记）", _body(
        ["contract_id", "milestone", "voucher", "paid_on", "amount"], contract_id={"type": "integer"},
        milestone={"type": "integer", "description": "付款期次（1、2……）"}, voucher={"type": "string"},
        paid_on=DATE, amount=MONEY, fund_source={"type": "string"},
        over_reason={"type": "string", "description": "超过本年预算时必填"}), 201),
    ("get", "/execution", "资金执行（R-EXECUTION）：按项目、部门、全省的预算、合同、支付、执行率、结余", None, 200),
]


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "同一用户 24 小时内以同一键重试，返回首次应答（响应头 Idempotent-Replayed: true），不重复办理；"
                   "同一键用于不同请求为 422；首次办理已完成而应答未保存为 409",
    "schema": {"type": "string", "pattern": r"^[\x21-\x7e]{1,200}$"}}

QUERY = {  # path -> its query parameters (name, JSON type)
    "/projects": [("state", {"type": "string", "enum": STATES}), ("department", "string"), ("plan_year", "integer"),
                  ("q", "string"), ("page", "integer"), ("per_page", "integer"),
                  ("view", {"type": "string", "enum": ["summary", "full"]})],
    "/alerts": [("project", "integer"), ("kind", {"type": "string", "enum": list(ALERT_KINDS)}),
                ("status", {"type": "string", "enum": ["open", "closed"]})],
    "/projects/{id}/letters/download": [("letter_id", "integer"), ("format", {"type": "string", "enum": ["docx", "pdf"]})],
    "/execution": [("year", "integer"), ("department", "string")],
    "/budget-changes": [("status", {"type": "string", "enum": list(STATUS_LABELS)}), ("department", "string"),
                        ("year", "integer")],
}


HEALTH = [("/healthz", "进程存活检查（负载均衡用，不访问数据库）"),
          ("/readyz", "数据库就绪检查（负载均衡用；数据库不可用时 503）")]


def _path_parameters(path: str) -> list[dict]:
    """{id} is an integer; {action} is one of the actions that path takes."""
    actions = (["approve", "reject"] if path.startswith("/budget-changes") else
               list(PLAN_ACTIONS) if path.startswith("/plans") else list(ACTIONS))
    params = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    if "{action}" in path:
        params.append({"name": "action", "in": "path", "required": True, "schema": {"type": "string",
                                                                                  "enum": actions}})
    return params if "{id}" in path else []


def build_document() -> dict:
    paths: dict = {}
    names = {"project_actions": "、".join(ACTIONS), "plan_actions": "、".join(PLAN_ACTIONS)}
    for method, path, summary, schema, status in ROUTES:
        op = {"summary": summary.format(**names), "responses": {
            str(status): {"description": "成功", "content": {"application/json": {"schema": (
                PROJECT_OUT if path.startswith("/projects/{id}") and method != "get" and "/letters" not in path and path not in OWN_SCHEMA else
                {"type": "array", "items": PROJECT_SUMMARY} if (method, path) == ("get", "/projects") else {})}}},
            **{str(s): {"description": d, "content": {"application/json": {"schema": ERROR}}}
               for s, d in ((400, "输入有误"), (401, "未认证"), (403, "无权"), (404, "不存在"),
                            (409, "状态不符或规则阻止"), (503, "数据库暂时无法连接，请稍后重试"))}}}
        if status == 204:  # no body
            op["responses"]["204"].pop("content")
        if schema:
            op["requestBody"] = {"content": {"application/json": {"schema": schema}}}
            if path == "/projects/{id}/actions/{action}":
                op["requestBody"]["description"] = "各动作的请求体见 components.schemas.ProjectActionBodies"
        if (method, path) not in (("post", "/auth/token"), ("get", "/keys")):
            op["security"] = [{"bearer": []}]
        if method == "post" and path != "/auth/token":  # retry-safe writes (API.md)
            op["parameters"] = [IDEMPOTENCY_KEY]
            op["responses"].update({str(s): {"description": d, "content": {"application/json": {"schema": ERROR}}}
                                    for s, d in ((413, "请求体过大"), (422, "Idempotency-Key 已用于另一请求"))})
        params = _path_parameters(path) + [
            {"name": n, "in": "query", "required": False, "schema": t if isinstance(t, dict) else {"type": t}}
            for n, t in QUERY.get(path, []) if method == "get"]
        if params:
            op["parameters"] = params + op.get("parameters", [])
        paths.setdefault(path, {})[method] = op
    for path, summary in HEALTH:  # served at the root (API.md) and under /api/v1 alike; no auth
        paths[path] = {"get": {"summary": summary, "servers": [{"url": "/"}, {"url": "/api/v1"}], "responses": {
            "200": {"description": "正常", "content": {"application/json": {"schema": {"type": "object"}}}},
            **({"503": {"description": "数据库暂时无法连接", "content": {"application/json": {"schema": ERROR}}}}
               if path == "/readyz" else {})}}}
    paths["/docs"] = {"get": {"summary": "API 文档页面（Swagger UI，由 govit 自身提供，无需登录）", "responses": {
        "200": {"description": "HTML 页面", "content": {"text/html": {"schema": {"type": "string"}}}}}}}
    return {"openapi": "3.1.0",
            "info": {"title": "govit API", "version": "1", "description": "黑龙江省政务信息化项目管理系统"},
            "servers": [{"url": "/api/v1"}], "paths": paths,
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                           "schemas": {"Error": ERROR, "Project": PROJECT_OUT, "ProjectSummary": PROJECT_SUMMARY,
                                       "DocumentKind": {"type": "string", "enum": list(DOCUMENT_KINDS)},
                                       "ProjectActionBodies": {"type": "object", "description": "各生命周期动作的请求体",
                                                               "properties": ACTION_BODIES}}}}


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_document())
