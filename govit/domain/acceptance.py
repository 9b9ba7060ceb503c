"""Joint completion acceptance (第二十九条, R-JOINT-ACCEPT) and the 涉密 confirmation (第四条)."""
from .errors import RuleViolation

PASS, CONDITIONAL, FAIL = "pass", "conditional", "fail"
ACCEPTANCE_VERDICTS = {PASS: "通过", CONDITIONAL: "有条件通过", FAIL: "不通过"}
BASE_AUTHORITIES = ("cyber", "crypto", "police", "ndrc")
OPINION_WORKING_DAYS = 20  # R-JOINT-ACCEPT / R-ALERT: an opinion is due 20 working days after the application
CLASSIFIED_GRADES = {"secret": "秘密", "confidential": "机密", "top_secret": "绝密"}


def required_authorities(classified: bool) -> list[str]:
    """R-JOINT-ACCEPT: 网信办, 密码管理局, 公安厅, 发改委 and, for a 涉密 system, 保密办."""
    return [*BASE_AUTHORITIES, "secrecy"] if classified else list(BASE_AUTHORITIES)


def check_acceptance_opinion(authority: str, verdict: str, text: str, classified: bool,
                             already_given: bool) -> None:
    """R-JOINT-ACCEPT: an authority that takes part gives one opinion per application, with its text."""
    if authority not in required_authorities(classified):
        raise RuleViolation("R-JOINT-ACCEPT", "该项目不是涉密系统，保密办不参加其竣工验收；如项目实为涉密，请先确认涉密属性")
    if verdict not in ACCEPTANCE_VERDICTS:
        raise RuleViolation("R-JOINT-ACCEPT", f"验收意见只能是：{'、'.join(ACCEPTANCE_VERDICTS)}",
                            fields={"verdict": "应为 pass、conditional 或 fail"})
    if not (text or "").strip():
        raise RuleViolation("R-JOINT-ACCEPT", "请填写验收意见的具体内容", fields={"text": "请填写验收意见"})
    if already_given:
        raise RuleViolation("R-JOINT-ACCEPT", "本部门已对这次验收申请出具意见，不能重复出具")


def missing_authorities(given: dict[str, str], classified: bool) -> list[str]:
    """The authorities that have not yet answered this application."""
    return [a for a in required_authorities(classified) if a not in given]


def check_conclusion(given: dict[str, str], classified: bool, accepting: bool, labels: dict[str, str]) -> None:
    """R-JOINT-ACCEPT: the planner concludes only when all have answered; `accept` needs no `fail`."""
    missing = missing_authorities(given, classified)
    if missing:
        raise RuleViolation("R-JOINT-ACCEPT", f"须各部门均出具验收意见后才能作出结论，尚缺：{'、'.join(labels[a] for a in missing)}")
    failed = [a for a in required_authorities(classified) if given[a] == FAIL]
    if accepting and failed:
        raise RuleViolation("R-JOINT-ACCEPT", f"{'、'.join(labels[a] for a in failed)}验收意见为不通过，不能通过验收；"
                                              "请作出验收不通过结论并告知建设单位理由")


def check_classification(classified: bool, grade: str, reason: str) -> None:
    """保密办's confirmation: a 涉密 system names its grade; every confirmation gives its basis."""
    if classified and grade not in CLASSIFIED_GRADES:
        raise RuleViolation("R-INPUT", "涉密系统须确定密级", fields={"grade": f"应为：{'、'.join(CLASSIFIED_GRADES)}"})
    if not (reason or "").strip():
        raise RuleViolation("R-INPUT", "请填写确认依据", fields={"reason": "请填写确认依据"})
