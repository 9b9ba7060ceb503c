"""Finance's 国库集中支付 CSV export, imported (第二十七条): all rows or none; a voucher already
recorded with the same figures is skipped, so importing the same file twice changes nothing.

Layout (UTF-8, with or without BOM; the first line is the header, in this order):
凭证号,支付日期,项目编号,合同编号,付款期次,金额,资金来源,超预算理由
- 支付日期 YYYY-MM-DD; 项目编号 govit's project id; 合同编号 the contract's number in that project;
  付款期次 the milestone's number (1, 2, …); 金额 yuan with at most two decimals;
  资金来源 and 超预算理由 may be empty (R-PAYMENT-YEAR: a payment past the year's budget needs the reason).
"""
import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ..auth.access import require_role
from ..domain.errors import GovitError, InvalidInput
from ..domain.money import MoneyError, parse_money
from ..extensions import db
from ..models import Contract, Project, User
from ..transaction import lock_for_update, transactional
from .services import add_payment

COLUMNS = ("凭证号", "支付日期", "项目编号", "合同编号", "付款期次", "金额", "资金来源", "超预算理由")
MAX_ROWS = 5000


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0  # vouchers already recorded with the same figures
    lines: list[int] = field(default_factory=list)


def _rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput({"file": "文件不是 UTF-8 编码的 CSV，请从财政系统按 UTF-8 导出"}) from None
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error:  # a field past csv's limit (131072 characters), a stray quote or NUL
        raise InvalidInput({"file": f"第 {reader.line_num} 行无法按 CSV 读取（单元格过长或含有非法字符），"
                                    "请检查该行后重新导出"}) from None
    if not rows or [c.strip() for c in rows[0][:len(COLUMNS)]] != list(COLUMNS):
        raise InvalidInput({"file": "第 1 行应为表头：" + ",".join(COLUMNS)})
    if len(rows) > MAX_ROWS + 1:
        raise InvalidInput({"file": f"一次最多导入 {MAX_ROWS} 行"})
    return rows[1:]


def _contract(project_id: str, number: str) -> tuple[Project, Contract]:
    if not project_id.strip().isdigit() or len(project_id.strip()) > 9:
        raise InvalidInput({"项目编号": f"“{project_id}”不是项目编号"})
    project = db.session.get(Project, int(project_id))
    if project is None:
        raise InvalidInput({"项目编号": f"项目 {project_id} 不存在"})
    contract = db.session.execute(select(Contract).where(Contract.project_id == project.id,
                                                         Contract.number == number.strip())).unique().scalar_one_or_none()
    if contract is None:
        raise InvalidInput({"合同编号": f"项目 {project.id} 没有合同 {number}"})
    return project, contract


def _line(actor: User, values: list[str], result: ImportResult) -> None:
    values = [v.strip() for v in values] + [""] * (len(COLUMNS) - len(values))
    voucher, day, project_id, number, seq, amount, source, reason = values[:len(COLUMNS)]
    try:
        paid_on = date.fromisoformat(day)
    except ValueError:
        raise InvalidInput({"支付日期": f"“{day}”应为 YYYY-MM-DD"}) from None
    if not seq.isdigit() or len(seq) > 4:
        raise InvalidInput({"付款期次": f"“{seq}”应为期次数字，如 1"})
    try:
        money = parse_money(amount, allow_zero=False)
    except MoneyError as err:
        raise InvalidInput({"金额": str(err)}) from None
    project, contract = _contract(project_id, number)
    lock_for_update(project)  # the project's sums are read under its row lock, as for an entry
    _, created = add_payment(actor, project, contract, int(seq), voucher, paid_on, money, reason, source, "import")
    if created:
        result.created += 1
    else:
        result.skipped += 1


@transactional
def import_payments(actor: User, data: bytes) -> ImportResult:
    """R-PAYMENT-VOUCHER: every row is checked; any bad row refuses the whole file, naming each bad
    line (its number in the file), and nothing is written."""
    require_role(actor, "finance", rule="R-PAYMENT-VOUCHER")
    result, problems = ImportResult(), {}
    for number, values in enumerate(_rows(data), start=2):
        if not any(v.strip() for v in values):
            continue
        try:
            _line(actor, values, result)  # every check comes before the row's one write
            result.lines.append(number)
        except GovitError as err:
            detail = "；".join(f"{k}：{v}" for k, v in err.fields.items()) or err.message
            problems[f"第 {number} 行"] = detail if err.fields else err.message
    if problems:
        raise InvalidInput(problems, "导入未执行，未写入任何记录；请修改以下各行后重新导入："
                           + "；".join(f"{k}：{v}" for k, v in problems.items()))
    return result
