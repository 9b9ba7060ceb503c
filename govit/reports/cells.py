"""Exports that cannot carry formulas (OWASP "CSV injection"; issue 15, point 3): one helper for
every spreadsheet govit writes. Project names, display names and comments are typed by users, and a
name like =HYPERLINK("http://…","16") must reach the 省政府's workbook as the text it is.

- XLSX: every text cell is a string cell (never a formula), and one that begins like a formula also
  carries Excel's quote prefix, so editing the cell later does not turn it into one.
- CSV: a value beginning with =, +, -, @, tab or CR is prefixed with an apostrophe (OWASP's advice),
  so no spreadsheet program evaluates it.
"""
import io

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral(value):
    """A CSV value a spreadsheet shows as text: text beginning like a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def printable(value):
    """Text without the control characters a worksheet cannot hold (openpyxl refuses them, so one
    such character typed into any field made the export answer 500: found by the lifecycle fuzz)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV, every value neutral; UTF-8 with BOM, so that Excel opens Chinese correctly."""
    return frame.map(neutral).to_csv(index=False).encode("utf-8-sig")


def text_cells(sheet) -> None:
    """Make every text cell of an openpyxl sheet a string cell (openpyxl takes "=…" for a formula)."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if cell.value.startswith(FORMULA_START):
                    cell.quotePrefix = True


def workbook_bytes(book) -> bytes:
    """Save an openpyxl workbook with every sheet's text cells made string cells first."""
    for sheet in book.worksheets:
        text_cells(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def frame_xlsx(frame: pd.DataFrame, sheet_name: str, title: str | None = None, widths=()) -> bytes:
    """A one-sheet workbook of `frame` (under a title row when `title` is given), text cells as text."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.map(printable).to_excel(writer, sheet_name=sheet_name, index=False, startrow=1 if title else 0)
        sheet = writer.sheets[sheet_name]
        if title:
            sheet["A1"] = printable(title)
        for column, width in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", widths):
            sheet.column_dimensions[column].width = width
        text_cells(sheet)
    return buffer.getvalue()
