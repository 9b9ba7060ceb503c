"""The workbooks besides the plan: budget register, project list, history and full-process record,
each in the shared style (reports.styled): title, unit, widths, number formats, frozen header, font."""
from .. import clock
from .styled import Column, Table, styled_workbook

REGISTER_COLUMNS = [
    Column("编号", "count", 8), Column("建设单位", width=22), Column("项目", width=32), Column("备案日期", "date", 12),
    Column("调整金额（元）", "money", 16), Column("调整前（元）", "money", 18), Column("调整后（元）", "money", 18),
    Column("原因", width=18), Column("状态", width=22), Column("项目累计自行调整（%）", "percent", 14),
    Column("须审批原因", width=40)]

PROJECT_COLUMNS = [
    Column("编号", "count", 8), Column("项目名称", width=36), Column("项目代码", width=26), Column("建设单位", width=24),
    Column("计划年度", "count", 10), Column("状态", width=14), Column("总投资（元）", "money", 18),
    Column("申报日期", "date", 12), Column("创建日期", "date", 12), Column("最近期限", "date", 12)]

HISTORY_COLUMNS = [
    Column("序号", "count", 8), Column("时间", width=18), Column("办理人", width=16), Column("角色", width=16),
    Column("动作", width=22), Column("项目", width=30), Column("状态", width=24), Column("内容", width=80)]

RECORD_COLUMNS = [
    Column("时间", width=18), Column("步骤", width=24), Column("办理人", width=16), Column("角色", width=16),
    Column("状态", width=26), Column("期限", width=12), Column("是否超期", width=14), Column("内容", width=70)]


def exported() -> str:
    return f"导出日期：{clock.today().isoformat()}"


def register_xlsx(rows: list[dict], status_labels: dict) -> bytes:
    """R-BUDGET-15's register in 元, statuses in words."""
    rows = [{**row, "状态": status_labels.get(row["状态"], row["状态"])} for row in rows]
    return styled_workbook(Table("预算调整登记簿", "预算调整登记簿", f"单位：元　{exported()}", REGISTER_COLUMNS, rows))


def project_list_xlsx(rows: list[dict], conditions: str) -> bytes:
    """The project list as filtered on the page (same filters, same scope)."""
    title = "项目清单" + (f"（{conditions}）" if conditions else "")
    return styled_workbook(Table("项目清单", title, f"单位：元　{exported()}", PROJECT_COLUMNS, rows))


def history_xlsx(rows: list[dict]) -> bytes:
    """The filtered history, every name in Chinese."""
    return styled_workbook(Table("历史记录", "历史记录", exported(), HISTORY_COLUMNS, rows))


def record_xlsx(title: str, rows: list[dict]) -> bytes:
    """R-FULL-RECORD: the project's 全流程记录表."""
    return styled_workbook(Table("全流程记录", title, exported(), RECORD_COLUMNS, rows))
