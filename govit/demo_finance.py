"""`govit demo`, issue 22: every project that reaches construction gets its procurements, contracts
(a 监理 among them) and 国库集中支付 payments up to the demo's day; one department pays late (its
06-30 execution alert is due soon on the demo's day); one contract is refused for passing the 概算."""
import zlib
from datetime import date, timedelta
from decimal import Decimal

from . import clock
from .domain.errors import RuleViolation
from .domain.finance import uscc_check_char
from .finance import services

DEMO_DAY = date(2026, 6, 22)
SLOW_DEPARTMENT = "RST"  # 人社厅: in 2026 only its 监理 is paid, so its 06-30 execution alert is due (R-EXECUTION)
# kind, share of the 概算, method, supplier, [(milestone, share of the contract, days after signing)]
PLAN = (("development", "0.60", "open_tender", "黑龙江数字政务科技有限公司", (("预付款", "0.3", 20), ("初验", "0.4", 200), ("终验", "0.3", 420))),
        ("hardware", "0.20", "open_tender", "龙江信创设备集成有限公司", (("到货", "0.5", 40), ("验收", "0.5", 230))),
        ("supervision", "0.03", "consultation", "哈尔滨信息工程监理咨询有限公司", (("开工", "0.3", 15), ("竣工", "0.7", 430))),
        ("testing", "0.02", "inquiry", "黑龙江网络安全测评中心有限公司", (("测评", "1.0", 380),)))
CENT = Decimal("0.01")
REFUSED_DEPARTMENT = "YBJ"  # 医保局's 2025 project: one contract more than its 概算 allows, refused
REFUSED: list[str] = []  # what the demo's over-概算 contract was told (shown by `govit demo` and its test)


def credit_code(name: str) -> str:
    """A 统一社会信用代码 with a correct check digit (GB 32100) for a demo supplier."""
    first = f"91230100{zlib.crc32(name.encode()) % 10**9:09d}"
    return first + uscc_check_char(first)


def equip(users: dict, project, approved_on: date) -> None:
    """Procure, contract and pay for `project` from its 省政府审定 on (under clock.travel)."""
    head = users[f"{project.department.code.lower()}_head"]
    if project.approved_estimate is None:
        return
    total, signed = project.approved_estimate, approved_on + timedelta(days=10)
    slow = project.department.code == SLOW_DEPARTMENT
    for n, (kind, share, method, supplier, steps) in enumerate(PLAN, 1):
        amount = (total * Decimal(share)).quantize(CENT)
        number = f"{project.id:03d}-{n}"
        with clock.travel(signed - timedelta(days=5)):
            services.record_procurement(head, project, method, f"HLJCG-{signed.year}-{number}", signed - timedelta(days=5),
                                        supplier, credit_code(supplier), amount, classified=project.classified)
        parts = [(amount * Decimal(s)).quantize(CENT) for _, s, _ in steps]
        parts[-1] = amount - sum(parts[:-1])
        milestones = [services.Milestone(name, part, signed + timedelta(days=days))
                      for (name, _, days), part in zip(steps, parts)]
        with clock.travel(signed):
            contract = services.sign_contract(head, project, f"HT-{number}", kind, supplier, credit_code(supplier),
                                              amount, signed, True, milestones)
        for m in contract.milestones:
            if m.due_on > DEMO_DAY or (slow and kind != "supervision" and m.due_on.year == DEMO_DAY.year):
                continue
            with clock.travel(m.due_on):
                services.record_payment(head, project, contract.id, m.seq, f"GK{m.due_on:%Y%m%d}{contract.id:04d}{m.seq}",
                                        m.due_on, m.amount, over_reason="按合同约定节点支付（跨年度预算安排）")
    if project.department.code == REFUSED_DEPARTMENT:  # R-CONTRACT-ESTIMATE: one more would pass the 概算
        left = total - services.contracted_total(project.id)
        try:
            with clock.travel(signed):
                services.sign_contract(head, project, f"HT-{project.id:03d}-X", "other", "黑龙江运维服务有限公司",
                                       credit_code("黑龙江运维服务有限公司"), left + Decimal("0.01"), signed, True,
                                       [services.Milestone("一次性", left + Decimal("0.01"), signed)])
        except RuleViolation as err:
            REFUSED.append(f"项目“{project.name}”：{err.message}")
