"""What each document says, read from the record (issue 21): the template's context and the annex
(tables, charts). Nothing here is typed again by hand; a kind whose record is missing is refused."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..domain.acceptance import ACCEPTANCE_VERDICTS
from ..domain.errors import RuleViolation
from ..domain.letters import AUTHORITY_NAMES, KINDS, chinese_date, wan
from ..domain.proposal import CORE_FIELDS
from ..domain.review import VERDICTS
from ..domain.roles import ACCEPTANCE_LABELS, AUTHORITY_LABELS
from ..extensions import db
from ..models import (AcceptanceOpinion, ApprovalDecision, ApprovalRecord, Plan, Project,
                      SupplementRequest)

STAGE_LABELS = {"feasibility": "可行性研究报告", "design": "初步设计方案及投资概算", "gov": "省政府审定"}


def yuan(amount: Decimal | None) -> str:
    return f"{wan(amount)}万元"


def _section(heading: str, *paras: str) -> dict:
    return {"heading": heading, "paras": [p for p in paras if p]}


def base(kind: str, authority: str | None, doc_no: str, day: date, title: str, addressee: str,
         sections: list[dict], **more) -> dict:
    return {"authority_name": AUTHORITY_NAMES.get(authority or "", ""), "doc_no": doc_no, "title": title,
            "addressee": addressee, "sections": sections, "attachments": [], "cc": "",
            "signer": AUTHORITY_NAMES.get(authority or "", ""), "date_cn": chinese_date(day),
            "subtitle": "", "kind_label": KINDS[kind].label, **more}


def _missing(rule: str, what: str):
    raise RuleViolation(rule, f"记录中还没有{what}，暂不能生成该文书")


def joint_review_opinion(project: Project, **common) -> tuple[dict, list]:
    """R-REVIEW-PARALLEL / R-SUPPLEMENT-ONCE: the three authorities' latest opinions in one letter."""
    latest = {}
    for op in project.opinions:
        latest[op.authority] = op
    if not latest:
        _missing("R-REVIEW-PARALLEL", "联合审核意见")
    sections = [_section("", f"你单位报送的“{project.name}”（项目编号 {project.id}）申报材料收悉。"
                             f"经省营商环境局会同省委网信办、省国家密码管理局联合审核，现将审核意见一次性告知如下：")]
    for number, authority in enumerate(AUTHORITY_LABELS, start=1):
        op = latest.get(authority)
        if op is None:
            sections.append(_section(f"{'一二三'[number - 1]}、{AUTHORITY_LABELS[authority]}", "（尚未出具意见）"))
            continue
        sections.append(_section(f"{'一二三'[number - 1]}、{AUTHORITY_LABELS[authority]}",
                                 f"审核结论：{VERDICTS.get(op.verdict, op.verdict)}。", op.text,
                                 f"附加条件：{op.conditions}" if op.conditions else ""))
    asks = [s for s in project.supplements if s.answered_on is None]
    if asks:
        sections.append(_section("四、需补正的材料（一次性告知）",
                                 *[f"{i}. {s.request_text}" for i, s in enumerate(asks, 1)]))
    return base("joint_review_opinion", addressee=project.department.name, sections=sections,
                title=f"关于{project.name}联合审核意见的函", **common), []


def supplement_notice(project: Project, **common) -> tuple[dict, list]:
    """R-SUPPLEMENT-ONCE: every open 补正 ask of every authority, merged into one notice."""
    asks = list(db.session.execute(select(SupplementRequest).where(
        SupplementRequest.project_id == project.id, SupplementRequest.answered_on.is_(None))
        .order_by(SupplementRequest.id)).scalars())
    if not asks:
        _missing("R-SUPPLEMENT-ONCE", "未答复的补正要求")
    sections = [_section("", f"你单位报送的“{project.name}”经联合审核，需陈述和补正。"
                             f"根据一次性告知的要求，现将各审核部门需补正的全部内容通知如下：")]
    for i, ask in enumerate(asks, 1):
        label = AUTHORITY_LABELS.get(ask.authority, ask.authority)
        sections.append(_section(f"{i}. {label}（{ask.requested_on:%Y-%m-%d} 提出）", ask.request_text))
    return base("supplement_notice", addressee=project.department.name, sections=sections,
                title=f"关于{project.name}补正材料的通知", **common), []


def _approval(project: Project, kind: str) -> ApprovalRecord | None:
    return db.session.execute(select(ApprovalRecord).where(
        ApprovalRecord.project_id == project.id, ApprovalRecord.kind == kind)
        .order_by(ApprovalRecord.id.desc()).limit(1)).scalar_one_or_none()


def feasibility_approval(project: Project, **common) -> tuple[dict, list]:
    """R-FEAS-NDRC: the approved investment as recorded."""
    record = _approval(project, "feasibility")
    if record is None:
        _missing("R-FEAS-NDRC", "可行性研究报告的批准记录")
    sections = [_section("", f"你单位报送的《{project.name}可行性研究报告》收悉。经研究，现批复如下："),
                _section("一、原则同意该项目可行性研究报告。", f"项目建设内容和规模：{project.content_scale}"),
                _section("二、项目总投资", f"核定项目总投资{yuan(record.amount)}，资金来源为{project.fund_source}。"),
                _section("三、建设工期", f"{project.start_month or ''}至{project.end_month or ''}。"),
                _section("四、有关要求", "请按照本批复要求抓紧编制初步设计方案及投资概算，按程序报批。"
                         + ("本项目可研与初步设计合并审批。" if project.merged_reason and not project.merge_refused else ""))]
    return base("feasibility_approval", addressee=project.department.name, sections=sections,
                title=f"关于{project.name}可行性研究报告的批复", record_no=record.doc_no, **common), []


def design_approval(project: Project, **common) -> tuple[dict, list]:
    """R-DESIGN-20WD: the approved 概算 as recorded."""
    record = _approval(project, "design")
    if record is None:
        _missing("R-DESIGN-20WD", "初步设计的批准记录")
    sections = [_section("", f"你单位报送的《{project.name}初步设计方案及投资概算》收悉。经审核，现批复如下："),
                _section("一、原则同意该项目初步设计方案。", project.content_scale),
                _section("二、投资概算", f"核定项目投资概算{yuan(record.amount)}，作为项目建设和资金安排的基准。"),
                _section("三、有关要求", "请严格按照批复的建设内容、规模、标准和概算组织实施，"
                                       "不得擅自变更；确需调整的，按规定程序办理。")]
    return base("design_approval", addressee=project.department.name, sections=sections,
                title=f"关于{project.name}初步设计方案及投资概算的批复", record_no=record.doc_no, **common), []


def _decision(project: Project, kind: str) -> ApprovalDecision | None:
    return db.session.execute(select(ApprovalDecision).where(
        ApprovalDecision.project_id == project.id, ApprovalDecision.kind == kind)
        .order_by(ApprovalDecision.id.desc()).limit(1)).scalar_one_or_none()


def return_letter(project: Project, **common) -> tuple[dict, list]:
    """R-RETURN: every point of the return at once (一次性告知)."""
    decision = _decision(project, "return")
    if decision is None:
        _missing("R-RETURN", "退回修改的决定")
    points = [line.strip() for line in decision.reasons.splitlines() if line.strip()]
    stage = STAGE_LABELS.get(decision.stage, decision.stage)
    sections = [_section("", f"你单位报送的“{project.name}”{stage}，经审查，需修改完善后重新报送。"
                             f"现将需修改的全部内容一次性告知如下："),
                _section("", *[f"{i}. {p}" for i, p in enumerate(points, 1)])]
    return base("return_letter", addressee=project.department.name, sections=sections,
                title=f"关于退回{project.name}{stage}修改完善的通知", stage=decision.stage, **common), []


def refusal_letter(project: Project, **common) -> tuple[dict, list]:
    """R-RETURN: the refusal with its reason and the 10 working days to appeal."""
    decision = _decision(project, "refuse")
    if decision is None:
        _missing("R-RETURN", "不予批复的决定")
    stage = STAGE_LABELS.get(decision.stage, decision.stage)
    sections = [_section("", f"你单位报送的“{project.name}”{stage}，经审查，决定不予批复。"),
                _section("理由", decision.reasons)]
    return base("refusal_letter", addressee=project.department.name, sections=sections,
                title=f"关于{project.name}{stage}不予批复的通知", stage=decision.stage, **common), []


def acceptance_opinion(project: Project, **common) -> tuple[dict, list]:
    """R-JOINT-ACCEPT: each authority's acceptance opinion on the latest application, and the result."""
    opinions = list(db.session.execute(select(AcceptanceOpinion).where(
        AcceptanceOpinion.project_id == project.id,
        AcceptanceOpinion.application == project.acceptance_application).order_by(AcceptanceOpinion.id)).scalars())
    if not opinions:
        _missing("R-JOINT-ACCEPT", "竣工验收意见")
    sections = [_section("", f"根据《黑龙江省政务信息化项目建设管理办法（试行）》第二十九条，省营商环境局会同有关部门"
                             f"对“{project.name}”进行了竣工验收。各部门意见如下：")]
    for i, op in enumerate(opinions, 1):
        sections.append(_section(f"{i}. {ACCEPTANCE_LABELS.get(op.authority, op.authority)}",
                                 f"验收意见：{ACCEPTANCE_VERDICTS.get(op.verdict, op.verdict)}。", op.text))
    if any(op.verdict == "fail" for op in opinions):
        result = "验收结论：未通过验收。请按上述意见整改后重新申请验收。"
    elif project.accepted_on:
        result = f"验收结论：通过验收（{project.accepted_on:%Y-%m-%d}）。"
    else:
        result = "验收结论：待全部部门出具意见后作出。"
    sections.append(_section("", result))
    return base("acceptance_opinion", addressee=project.department.name, sections=sections,
                title=f"关于{project.name}竣工验收意见的函", **common), []


def record_sheet(project: Project, **common) -> tuple[dict, list]:
    """R-FULL-RECORD: the full-process record, every step with its due date and lateness."""
    from ..reports.record import record_of
    rows = [r.excel() for r in record_of(project)]
    header = ["时间", "步骤", "办理人", "状态", "期限", "是否超期", "内容"]
    context = base("record_sheet", None, "", common["day"], f"{project.name}全流程记录表", "", [],
                   subtitle=f"项目编号 {project.id}　建设单位 {project.department.name}")
    context["signer"] = "黑龙江省政务信息化项目管理系统"
    return context, [{"title": "", "new_page": False, "table": (header, [[r[h] for h in header] for r in rows])}]


def proposal_form(project: Project, **common) -> tuple[dict, list]:
    """R-PROPOSAL-FIELDS: the 第九条 items, in the article's order, for the department's own files."""
    uploaded = {d.material for d in project.documents if d.material}
    values = {"name": project.name, "department": project.department.name,
              "total_investment": yuan(project.total_investment),
              "annual_investments": "；".join(f"{a.year}年 {yuan(a.amount)}" for a in project.annual)}
    sections = []
    for i, (key, label) in enumerate(CORE_FIELDS.items(), 1):
        value = values.get(key, getattr(project, key, "") or "")
        if not value and key in uploaded:
            value = "（见上传的材料）"
        sections.append(_section(f"{i}. {label}", str(value or "（未填写）")))
    context = base("proposal_form", None, "", common["day"], f"{project.name}项目申报书", "", sections,
                   subtitle=f"项目建设单位：{project.department.name}")
    context["signer"] = project.department.name
    return context, []


def plan_notice(plan: Plan, **common) -> tuple[dict, list]:
    """R-PLAN-OCT31: the approved plan handed down, the table (万元) by department and fund source."""
    from ..reports.plan_export import plan_rows, source_rows
    if plan.state != "approved":
        raise RuleViolation("R-PLAN-OCT31", "年度计划经省政府批准后才能下达，请先记录批准文号和日期")
    rows = plan_rows(plan)
    header = ["序号", "建设单位", "项目名称", "资金来源", "总投资（万元）", "本年度投资（万元）"]
    sources = source_rows(plan)
    total = rows[-1]["总投资（万元）"] if rows else Decimal(0)
    sections = [_section("", f"《{plan.plan_year}年度省级政务信息化项目建设计划》已经省政府批准"
                             f"（{plan.doc_no}，{plan.approved_on:%Y-%m-%d}），现予下达。"),
                _section("", f"计划共安排项目{len(plan.items)}个，总投资{total}万元，"
                             f"具体项目及资金来源见附件。"),
                _section("", "列入计划的项目按照《黑龙江省政务信息化项目建设管理办法（试行）》办理可行性研究报告、"
                             "初步设计审批，未列入计划的项目不得审批、安排资金和开工建设。")]
    context = base("plan_notice", addressee="省直各有关部门", sections=sections,
                   title=f"关于下达{plan.plan_year}年度省级政务信息化项目建设计划的通知", **common)
    context["attachments"] = [f"1. {plan.plan_year}年度省级政务信息化项目建设计划表", "2. 按资金来源汇总表"]
    context["cc"] = "省政府办公厅，省财政厅，省发改委"
    annex = [{"title": f"附件1　{plan.plan_year}年度省级政务信息化项目建设计划表（单位：万元）",
              "table": (header, [[r.get(h, "") for h in header] for r in rows])},
             {"title": "附件2　按资金来源汇总表（单位：万元）",
              "table": (["资金来源", "项目数", "总投资（万元）"],
                        [[r["资金来源"], r["项目数"], r["总投资（万元）"]] for r in sources])}]
    return context, annex
