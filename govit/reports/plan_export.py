"""The annual plan as a workbook fit to send to the 省政府, and as CSV (the same rows)."""
from decimal import Decimal

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from sqlalchemy import select
from sqlalchemy.orm import subqueryload

from ..domain.plan import PLAN_STATE_LABELS
from ..extensions import db
from ..models import Plan, PlanItem, Project
from .cells import csv_bytes, printable, workbook_bytes

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
    """Title, unit line, the items with department subtotals and total, and a fund-source sheet,
    written straight with openpyxl (one pass; the styles are shared objects)."""
    book = Workbook()
    book.active.title = "项目计划"
    _sheet(book.active, plan, COLUMNS, plan_rows(plan), "")
    _sheet(book.create_sheet("资金来源汇总"), plan, SOURCE_COLUMNS, source_rows(plan), " · 资金来源汇总")
    return workbook_bytes(book)  # names typed by users stay text, never formulas


THIN = Side(style="thin", color="999999")
BOX = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
BOLD, HEAD_FILL = Font(bold=True), PatternFill("solid", fgColor="EEF2F8")
# a freely licensed CJK font (the brief); Excel falls back to the system's own where it is missing
TITLE_FONT = Font(name="Noto Sans CJK SC", size=16, bold=True)
WIDTHS = (6, 22, 36, 10, 18, 14, 16, 20, 18)


def _sheet(sheet, plan: Plan, columns: list[str], rows: list[dict], suffix: str) -> None:
    width = len(columns)
    state = PLAN_STATE_LABELS.get(plan.state, plan.state)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"] = _title(plan) + suffix
    sheet["A1"].font, sheet["A1"].alignment = TITLE_FONT, Alignment(horizontal="center")
    unit = sheet.cell(row=2, column=width, value=f"单位：万元 （{state}{'，' + plan.doc_no if plan.doc_no else ''}）")
    unit.alignment = Alignment(horizontal="right")
    sheet.append(columns)
    for row in rows:
        sheet.append([printable(row.get(c)) for c in columns])
    for row in sheet.iter_rows(min_row=3, max_row=sheet.max_row):
        label = str(row[1].value or row[0].value or "")
        emphasis = row[0].row == 3 or label.endswith("小计") or label == "合计"
        for cell in row:
            cell.border = BOX
            if cell.column > 1 and isinstance(cell.value, (int, float, Decimal)):
                cell.number_format = "#,##0.00"
            if emphasis:
                cell.font, cell.fill = BOLD, HEAD_FILL
    for column, size in zip("ABCDEFGHI", WIDTHS):
        sheet.column_dimensions[column].width = size
