"""不可否认性 (CRYPTO.md): every final decision is signed with SM2 by the deciding authority's key
when it is stored, over a canonical serialisation of the decision; `govit verify-signature KIND ID`
checks one offline against the published public key.

The decisions: joint-review opinions (`opinion`), approvals (`approval`: 可研、初设、省政府审定),
returns and refusals (`refusal`), acceptance opinions (`acceptance`). The deciding authority is
the department of the user who decided. A session listener signs each new decision row before it is
written, so no service can store one unsigned."""
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import event as orm_event
from sqlalchemy.orm import Session

from . import keys
from .models import AcceptanceOpinion, ApprovalDecision, ApprovalRecord, Opinion, User

# kind -> (model, the deciding user's column, the columns signed)
DECISIONS = {
    "opinion": (Opinion, "reviewer_id",
                ("project_id", "authority", "verdict", "text", "conditions", "reviewer_id", "at")),
    "approval": (ApprovalRecord, "decided_by_id",
                 ("project_id", "kind", "version", "doc_no", "approved_on", "amount", "decided_by_id",
                  "created_at")),
    "refusal": (ApprovalDecision, "decided_by_id",
                ("project_id", "stage", "kind", "reasons", "from_state", "decided_on", "decided_by_id")),
    "acceptance": (AcceptanceOpinion, "reviewer_id",
                   ("project_id", "application", "authority", "verdict", "text", "conditions", "reviewer_id",
                    "at")),
}
KIND_OF = {model: kind for kind, (model, _, _) in DECISIONS.items()}
LABELS = {"opinion": "联审意见", "approval": "审批决定", "refusal": "退回或不予批准决定", "acceptance": "验收意见"}


IMPORTED = "imported:"  # a decision taken before govit, brought in from a ledger (issue 20): not signed
IMPORTED_TEXT = "据台账导入的系统上线前决定，无电子签名"


def imported_marker(sha256: str) -> str:
    """What an imported decision carries instead of a signature: the ledger file's sha256, first 16 hex."""
    return f"{IMPORTED}{sha256[:16]}"


def is_imported(signature: str | None) -> bool:
    return bool(signature) and signature.startswith(IMPORTED)


def _value(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()  # what every database keeps
    if isinstance(value, date):
        return value.isoformat()
    return value


def payload(kind: str, row) -> dict:
    """What is signed: the decision's kind and its columns, canonically serialised by keys.sign."""
    _, _, columns = DECISIONS[kind]
    return {"govit": "decision-v1", "kind": kind, **{name: _value(getattr(row, name)) for name in columns}}


def authority_of(session: Session, row, kind: str) -> str:
    _, who, _ = DECISIONS[kind]
    with session.no_autoflush:
        user = session.get(User, getattr(row, who))
    return user.department.code


def sign_row(session: Session, row) -> None:
    kind = KIND_OF[type(row)]
    row.signature = keys.sign(authority_of(session, row, kind), payload(kind, row))


@orm_event.listens_for(Session, "before_flush")
def _sign_new_decisions(session: Session, flush_context, instances) -> None:
    if not current_app:
        return
    for row in list(session.new):
        if type(row) in KIND_OF and row.signature is None:
            sign_row(session, row)


def check(kind: str, row, public_hex: str | None = None) -> tuple[bool, str]:
    """(verified, what) for one stored decision."""
    if not row.signature:
        return False, "该决定没有签名（签名功能启用前作出）"
    if is_imported(row.signature):
        return False, f"{IMPORTED_TEXT}（台账文件 SHA-256 前 16 位 {row.signature[len(IMPORTED):]}）"
    authority, kid, _ = keys.parse(row.signature)
    if keys.verify(payload(kind, row), row.signature, public_hex):
        return True, f"{LABELS[kind]}的 SM2 签名有效：{authority} 的密钥 {kid} 签署"
    return False, f"{LABELS[kind]}的 SM2 签名无效：内容在签署后被改动，或公钥不是 {authority} 的密钥 {kid}"


def short(signature: str | None) -> str:
    """The signature as a page shows it (template filter `sm2`): signer, key and the value's ends."""
    if not signature:
        return ""
    if is_imported(signature):
        return IMPORTED_TEXT
    try:
        authority, kid, value = keys.parse(signature)
    except keys.CryptoError:
        return "签名格式不正确"
    return f"SM2 签名 · {authority} · 密钥 {kid} · {value[:16]}…{value[-16:]}"
