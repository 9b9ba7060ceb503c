"""Chinese names for everything the history records (issue 19, finding 3): one table of action labels
for the history page, its Excel export and the full-process record, and the labels of the fields an
event's detail carries, so that nobody has to read codes or JSON."""
import json

from .documents import DOCUMENT_KINDS
from .lifecycle import ACTION_LABELS as PROJECT_ACTION_LABELS
from .lifecycle import STATE_LABELS
from .proposal import CORE_FIELDS
from .record import DETAIL_LABELS, _value, describe
from .review import VERDICTS
from .roles import AUTHORITY_LABELS, ROLE_LABELS

# actions outside a project's lifecycle: accounts, sign-in, the calendar, rounds, plans, the scan
OTHER_ACTION_LABELS = {
    "login": "登录", "login_failed": "登录失败", "end_session": "退出登录", "revoke_token": "撤销 API 令牌",
    "change_password": "修改密码", "reset_password": "重置密码", "create_user": "创建账号",
    "set_user_active": "启用或停用账号", "change_role": "变更角色", "unlock_user": "解除账号锁定",
    "create_department": "新增部门", "calendar_import": "导入节假日安排", "calendar_seed": "载入节假日年份",
    "calendar_set": "设置工作日",
    "open_round": "开启申报批次", "change_round": "修改申报批次", "create_plan": "编制年度计划",
    "plan_finance_check": "财政厅审核年度计划", "plan_return_to_draft": "年度计划退回编制",
    "plan_submit": "年度计划报省政府", "plan_approve": "年度计划经省政府批准", "plan_comment": "年度计划意见",
    "flag_department": "标记部门问题", "clear_flag": "整改销号", "override_backlog": "准予积压部门申报",
    "scan_deadlines": "期限巡检", "reseal_history": "历史记录重新密封",
    "letter_generate": "生成文书草稿", "letter_upload": "上传文书修改稿", "letter_finalize": "文书定稿",  # issue 21
    "import": "台账导入", "ledger_update": "台账更新", "import_plan": "台账导入年度计划",  # issue 20
    "encrypt_document": "材料加密存储（SM4）", "encrypt_file": "文书、台账文件加密存储（SM4）",  # issue 23
    "rotate_document_keys": "数据密钥重新封装（密钥轮换）",
}
ACTION_LABELS = {**PROJECT_ACTION_LABELS, **OTHER_ACTION_LABELS}

# the history shows every field; the record's labels first, then the rest of what events carry
FIELD_LABELS = {
    **DETAIL_LABELS, "before": "修改前", "after": "修改后",
    "username": "账号", "role": "角色", "before_role": "原角色", "department": "部门", "channel": "方式",
    "code": "代码", "name": "名称", "plan_id": "年度计划编号", "plan_year": "计划年度", "watched": "审计关注",
    "locked_until": "锁定至", "active": "启用", "kind": "类型", "filename": "文件名", "version": "版本",
    "sha256": "SHA-256 校验值", "authority": "审核单位", "verdict": "意见", "from_state": "原状态",
    "to_state": "新状态", "year": "年度", "period": "期间", "percent_complete": "完成比例", "spent": "累计支出",
    "description": "情况", "order": "处理意见", "approve": "同意", "decision": "决定", "grade": "密级",
    "classified": "涉密", "project_id": "项目编号", "name_before": "原名称", "days": "天数", "count": "数量",
    "years": "年份", "opened": "新增", "escalated": "升级为逾期", "closed": "关闭", "moved": "期限或逾期天数变化",
    "opens_on": "开始日期", "closes_on": "截止日期", "reason_category": "原因类别", "token_id": "令牌编号",
    # a project's fields, as an edit's before/after carry them (第九条 labels first)
    **CORE_FIELDS, "construction_type": "建设类型", "network": "网络类型", "urgent": "紧急项目",
    "urgent_basis": "紧急依据", "online_code": "项目代码", "technical_route": "技术路线", "lead_share": "牵头部门分工",
    "co_departments": "参建部门", "business_flows": "业务流程", "data_flows": "数据流向", "interfaces": "接口",
    "total": "总投资", "self_filed": "累计自行调整", "status": "状态", "percent": "完成比例", "day": "日期",
}
VALUE_LABELS = {"role": ROLE_LABELS, "before_role": ROLE_LABELS, "verdict": VERDICTS, "authority": AUTHORITY_LABELS,
                "kind": DOCUMENT_KINDS, "from_state": STATE_LABELS, "to_state": STATE_LABELS}


def action_label(action: str) -> str:
    """The Chinese name of an action; an unknown code is shown as it is."""
    return ACTION_LABELS.get(action, action)


def _shown(key: str, value) -> str:
    """A value in words: codes named (roles, verdicts, states…), nested fields labelled, money #,##0.00."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _value(VALUE_LABELS.get(key, {}).get(value, value))
    if isinstance(value, dict):
        return "，".join(f"{FIELD_LABELS.get(k, k)} {_shown(k, v)}" for k, v in value.items())
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return "；".join(_shown(key, v) for v in value)
    return _value(value)


def _parsed(detail):
    if isinstance(detail, str):
        try:
            return json.loads(detail) if detail else {}
        except ValueError:
            return detail
    return detail


def changes(detail: str | dict | None) -> list[tuple[str, str, str]]:
    """Before and after, field by field: (label, before, after) for every field either one names."""
    detail = _parsed(detail)
    if not isinstance(detail, dict) or not isinstance(detail.get("before"), dict) \
            or not isinstance(detail.get("after"), dict):
        return []
    before, after = detail["before"], detail["after"]
    keys = list(dict.fromkeys([*before, *after]))
    return [(FIELD_LABELS.get(k, k), _shown(k, before.get(k)), _shown(k, after.get(k))) for k in keys]


def detail_rows(detail: str | dict | None) -> list[tuple[str, str]]:
    """An event's detail as (label, value) rows in Chinese, field by field; unknown keys keep their
    name. Before/after given as fields are left to `changes` (a table of their own)."""
    detail = _parsed(detail)
    if isinstance(detail, str):
        return [("内容", detail)]
    if not isinstance(detail, dict):
        return [("内容", _value(detail))] if detail else []
    skip = {"before", "after"} if changes(detail) else set()
    return [(FIELD_LABELS.get(key, key), _shown(key, value)) for key, value in detail.items() if key not in skip]


def record_content(action: str, detail: dict) -> str:
    """R-FULL-RECORD: a step's content in one line (record.describe), with an edit's before/after
    field by field under the same labels as the history page."""
    changed = changes(detail)
    if not changed:
        return describe(action, detail)
    rest = describe(action, {k: v for k, v in detail.items() if k not in ("before", "after")})
    return "；".join([*([rest] if rest else []), *(f"{label}：{b or '（空）'} → {a or '（空）'}" for label, b, a in changed)])
