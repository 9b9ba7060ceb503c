"""Every workbook govit writes, styled one way (issue 19, Build 8 and finding 11): a title row, the
unit (元 or 万元) on the row below, a bold header with a frozen pane under it, set column widths,
money as #,##0.00 and counts as 0, every cell in the free CJK font. Cells go through reports.cells
(text stays text, never a formula)."""
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .cells import printable, workbook_bytes

FONT_NAME = "Noto Sans CJK SC"  # freely licensed (SIL OFL); Excel falls back to a system font where missing
FORMATS = {"money": "#,##0.00", "count": "0", "percent": "0.00", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm",
           "text": "@"}
BODY, BOLD = Font(name=FONT_NAME, size=10), Font(name=FONT_NAME, size=10, bold=True)
TITLE = Font(name=FONT_NAME, size=16, bold=True)
THIN = Side(style="thin", color="999999")
BOX = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
HEAD_FILL = PatternFill("solid", fgColor="EEF2F8")
HEADER_ROW = 3  # title, unit, header: the data start on row 4


@dataclass(frozen=True)
class Column:
    """One column: its heading, what it holds (text, money, count, percent, date, datetime), its width."""
    title: str
    kind: str = "text"
    width: float = 14


@dataclass
class Table:
    """One sheet: title, unit line, columns and rows (dicts keyed by column title, or sequences)."""
    sheet: str
    title: str
    unit: str
    columns: Sequence[Column]
    rows: Sequence
    emphasis: Callable[[Sequence], bool] | None = None  # subtotal rows, shown bold


def _cell_value(value, kind: str):
    if value is None:
        return None
    if kind in ("money", "percent") and isinstance(value, str):
        try:
            return Decimal(value.replace(",", ""))
        except ArithmeticError:
            return printable(value)
    return printable(value)


def write_table(sheet, table: Table) -> None:
    """Fill one worksheet: title, unit, header (frozen), rows with number formats, widths and font."""
    width = len(table.columns)
    sheet.title = table.sheet
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    sheet["A1"] = printable(table.title)
    sheet["A1"].font, sheet["A1"].alignment = TITLE, Alignment(horizontal="center")
    unit = sheet.cell(row=2, column=max(width, 1), value=printable(table.unit))
    unit.font, unit.alignment = BODY, Alignment(horizontal="right")
    for index, column in enumerate(table.columns, start=1):
        head = sheet.cell(row=HEADER_ROW, column=index, value=column.title)
        head.font, head.fill, head.border = BOLD, HEAD_FILL, BOX
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    formats = [FORMATS.get(c.kind, "General") if c.kind != "text" else "General" for c in table.columns]
    for number, row in enumerate(table.rows, start=HEADER_ROW + 1):
        values = [row.get(c.title) for c in table.columns] if isinstance(row, dict) else list(row)
        font = BOLD if table.emphasis and table.emphasis(values) else BODY
        for index, (column, value) in enumerate(zip(table.columns, values), start=1):
            cell = sheet.cell(row=number, column=index, value=_cell_value(value, column.kind))
            cell.font, cell.border = font, BOX
            if isinstance(cell.value, (int, float, Decimal, date, datetime)):
                cell.number_format = formats[index - 1]
            if font is BOLD:
                cell.fill = HEAD_FILL
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1).coordinate  # the header stays in view


def styled_workbook(*tables: Table) -> bytes:
    """A workbook of one sheet per table, every text cell a string cell (reports.cells)."""
    book = Workbook()
    for index, table in enumerate(tables):
        write_table(book.active if index == 0 else book.create_sheet(), table)
    return workbook_bytes(book)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str):
    """The workbook as a download."""
    from flask import Response
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={filename}"})
