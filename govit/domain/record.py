"""R-FULL-RECORD (seed 003, 全流程记录表): what each step of the history says, and whether it was late.
Generic over the events: a step this module does not know is still shown, with its label and detail."""
import re
from datetime import date
from decimal import Decimal

from .documents import DOCUMENT_KINDS
from .review import VERDICTS
from .roles import AUTHORITY_LABELS

# the detail keys shown in the record, in this order; other keys are internal (hashes of snapshots etc.)
DETAIL_LABELS = {
    "reasons": "理由", "reason": "理由", "text": "内容", "conditions": "条件", "conclusion": "结论",
    "doc_no": "文号", "approved_on": "批复日期", "approved_investment": "批复投资", "approved_estimate": "批复概算",
    "estimate": "概算", "merged_reason": "合并理由", "completed_on": "完工日期", "accepted_on": "验收日期",
    "live_on": "上线日期", "until": "延期至", "score": "得分", "summary": "结论", "uphold": "维持原决定",
    "amount": "金额", "new_total": "调整后总额", "reason_category": "原因类别", "content": "内容",
    "before": "原期限", "after": "新期限", "authorities": "参加单位", "note": "说明", "comment": "意见",
}


def late_days(done_on: date, due_on: date | None) -> int | None:
    """R-FULL-RECORD: days a step was done after its due date (0: on time); None without a due date."""
    if due_on is None:
        return None
    return max((done_on - due_on).days, 0)


def late_text(days: int | None) -> str:
    """The 是否超期 column: 是（超期 N 天）, 否, or — where the step has no due date."""
    if days is None:
        return "—"
    return f"是（超期 {days} 天）" if days else "否"


LEDGER_NOTE = "此前环节于系统上线前办理，据台账导入"  # issue 20
AMOUNT = re.compile(r"-?\d+\.\d{2}")  # money is stored as text with two decimals


def _value(value) -> str:
    if isinstance(value, str) and AMOUNT.fullmatch(value):
        return f"{Decimal(value):,.2f}"  # issue 19: money reads #,##0.00 everywhere
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "；".join(f"{i}. {_value(v)}" for i, v in enumerate(value, start=1)) if len(value) > 1 \
            else "".join(map(_value, value))
    if isinstance(value, dict):
        return "，".join(f"{k} {_value(v)}" for k, v in value.items())
    return str(value)


def describe(action: str, detail: dict) -> str:
    """The step's content in one line: an opinion's verdict and text, a document's kind, version and
    sha256, a return's or refusal's reasons, and for any other step its labelled details."""
    if action == "opinion" or "verdict" in detail:
        who = AUTHORITY_LABELS.get(detail.get("authority"), detail.get("authority") or "")
        verdict = VERDICTS.get(detail.get("verdict"), detail.get("verdict", ""))
        head = f"{who}：{verdict}" if who else verdict
        rest = {k: v for k, v in detail.items() if k not in ("authority", "verdict")}
        tail = _labelled(rest, skip={"conditions"} if rest.get("conditions") == rest.get("text") else set())
        return f"{head}。{tail}" if tail else head
    if action == "import":  # issue 20: the steps before go-live are in the department's ledger
        return f"{LEDGER_NOTE}（{detail.get('filename', '')} 第 {detail.get('row_no', '')} 行，sha256 {detail.get('sha256', '')}）"
    if action == "ledger_update":
        changes = "；".join(f"{c['field']}：{c['before'] or '（空）'} → {c['after'] or '（空）'}"
                            for c in detail.get("changes", []))
        return f"据台账更新（{detail.get('filename', '')} 第 {detail.get('row_no', '')} 行）：{changes}"
    if action == "upload_document" or {"sha256", "version"} <= detail.keys():
        kind = DOCUMENT_KINDS.get(detail.get("kind"), detail.get("kind", ""))
        return f"{kind} 第 {detail.get('version')} 版 {detail.get('filename', '')} sha256 {detail.get('sha256', '')}"
    return _labelled(detail)


def _labelled(detail: dict, skip: frozenset | set = frozenset()) -> str:
    parts = [f"{label}：{_value(detail[key])}" for key, label in DETAIL_LABELS.items()
             if key in detail and key not in skip and detail[key] not in (None, "", [])]
    return "；".join(parts)
