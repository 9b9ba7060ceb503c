"""The annual plan as a workbook fit to send to the 省政府, and as CSV (the same rows)."""
from decimal import Decimal

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import subqueryload

from ..domain.plan import PLAN_STATE_LABELS
from ..extensions import db
from ..models import Plan, PlanItem, Project
from .cells import csv_bytes
from .styled import Column, Table, styled_workbook

WAN = Decimal("10000")
CENT_OF_WAN = Decimal("0.01")  # tables to the 省政府 are in 万元 with two decimals
COLUMNS = ["序号", "建设单位", "项目名称", "建设类型", "建设工期", "总投资（万元）",
           "本年度投资（万元）", "资金来源", "备注"]
SOURCE_COLUMNS = ["资金来源", "项目数", "总投资（万元）"]
TYPES = {"new": "新建", "expansion": "扩建", "upgrade": "升级改造", "equipment": "设备购置"}


def wan(amount: Decimal | None) -> Decimal:
    return ((amount or Decimal("0")) / WAN).quantize(CENT_OF_WAN)


def _with_annual(plan: Plan) -> list:
    """The plan's projects with their annual investments, read in two queries, not one per project."""
    return list(db.session.execute(select(Project).join(PlanItem, PlanItem.project_id == Project.id)
                                   .where(PlanItem.plan_id == plan.id).options(subqueryload(Project.annual)))
                .unique().scalars())


def plan_rows(plan: Plan) -> list[dict]:
    """Items grouped by department with a subtotal after each, then the grand total.

    Subtotals and the total are sums of the rounded item figures, so the sheet adds up as printed.
    """
    loaded = _with_annual(plan)  # noqa: F841  (held, so the items below find them in the session)
    rows, number = [], 0
    by_dept: dict[str, list] = {}
    for item in plan.items:
        by_dept.setdefault(item.project.department.name, []).append(item)
    grand, grand_year = Decimal("0"), Decimal("0")
    for dept in sorted(by_dept):
        sub, sub_year = Decimal("0"), Decimal("0")
        for item in by_dept[dept]:
            p, number = item.project, number + 1
            this_year = wan(next((a.amount for a in p.annual if a.year == plan.plan_year), Decimal("0")))
            total = wan(p.total_investment)
            sub, sub_year = sub + total, sub_year + this_year
            rows.append({"序号": number, "建设单位": dept, "项目名称": p.name,
                         "建设类型": TYPES.get(p.construction_type, p.construction_type),
                         "建设工期": f"{p.start_month or ''}至{p.end_month or ''}", "总投资（万元）": total,
                         "本年度投资（万元）": this_year, "资金来源": p.fund_source,
                         "备注": "紧急增补" if item.urgent else (item.finance_comment or "")})
        rows.append({"序号": "", "建设单位": f"{dept} 小计", "项目名称": f"{len(by_dept[dept])} 个项目",
                     "总投资（万元）": sub, "本年度投资（万元）": sub_year})
        grand, grand_year = grand + sub, grand_year + sub_year
    rows.append({"序号": "", "建设单位": "合计", "项目名称": f"{number} 个项目",
                 "总投资（万元）": grand, "本年度投资（万元）": grand_year})
    return rows


def source_rows(plan: Plan) -> list[dict]:
    sums: dict[str, Decimal] = {}
    for item in plan.items:
        key = item.project.fund_source or "未填写"
        sums[key] = sums.get(key, Decimal("0")) + wan(item.project.total_investment)
    rows = [{"资金来源": k, "项目数": sum(1 for i in plan.items if (i.project.fund_source or "未填写") == k),
             "总投资（万元）": v} for k, v in sorted(sums.items())]
    rows.append({"资金来源": "合计", "项目数": len(plan.items), "总投资（万元）": sum(sums.values(), Decimal("0"))})
    return rows


def _title(plan: Plan) -> str:
    return f"黑龙江省{plan.plan_year}年度省级政务信息化建设项目计划"


def plan_csv(plan: Plan) -> bytes:
    """UTF-8 with BOM, so that Excel opens the Chinese correctly; no value can be a formula."""
    return csv_bytes(pd.DataFrame(plan_rows(plan), columns=COLUMNS).fillna(""))


def plan_workbook(plan: Plan) -> bytes:
    """Title, unit line, the items with department subtotals and total, and a fund-source sheet, in
    the shared style (reports.styled: 万元 as #,##0.00, counts as 0, frozen header, CJK font)."""
    state = PLAN_STATE_LABELS.get(plan.state, plan.state)
    unit = f"单位：万元 （{state}{'，' + plan.doc_no if plan.doc_no else ''}）"
    return styled_workbook(
        Table("项目计划", _title(plan), unit, ITEM_COLUMNS, plan_rows(plan), emphasis=_is_total),
        Table("资金来源汇总", _title(plan) + " · 资金来源汇总", unit, SOURCE_SHEET, source_rows(plan),
              emphasis=_is_total))


def _is_total(values) -> bool:
    label = str(values[1] if len(values) > 3 else values[0] or "")
    return label.endswith("小计") or label == "合计"


ITEM_COLUMNS = [Column("序号", "count", 6), Column("建设单位", width=22), Column("项目名称", width=36),
                Column("建设类型", width=10), Column("建设工期", width=18), Column("总投资（万元）", "money", 14),
                Column("本年度投资（万元）", "money", 16), Column("资金来源", width=20), Column("备注", width=18)]
SOURCE_SHEET = [Column("资金来源", width=24), Column("项目数", "count", 10), Column("总投资（万元）", "money", 16)]
