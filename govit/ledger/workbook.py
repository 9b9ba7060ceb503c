"""The ledger workbook: refusing bad files before anything is read (not an xlsx, encrypted, a macro
workbook, a zip bomb, merged or wrong headers, too many rows), reading the rows, and writing the
template, the export and the annotated copy in one layout (issue 20)."""
import io
import re
import zipfile
from datetime import date

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from ..domain.documents import zip_excess
from ..domain.errors import UploadRefused
from ..domain.ledger import (COLUMNS, CONSTRUCTION_TYPES, HEADERS, LETTER, MAX_ROWS, NETWORKS, STAGE_OF_LABEL,
                             YES_NO, FormulaCell, letter)
from ..reports.cells import printable, workbook_bytes

SHEET = "项目台账"
GUIDE = "填写说明"
SAMPLE = "填写示例"
CODES = "代码表"
RESULTS = "检查结果"
MAX_FILE_BYTES = 20 * 1024 * 1024  # the upload itself
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted xlsx (or an old .xls) is an OLE container
BAD = PatternFill("solid", fgColor="FFC7CE")
HEAD = PatternFill("solid", fgColor="DDEBF7")


class LedgerFileError(UploadRefused):
    """The file is refused whole, before any row is read; nothing is written (400)."""


def _open_zip(data: bytes) -> zipfile.ZipFile:
    if not data:
        raise LedgerFileError("上传的文件是空的")
    if len(data) > MAX_FILE_BYTES:
        raise LedgerFileError(f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MiB，请按部门或年度拆分台账")
    if data.startswith(OLE):
        raise LedgerFileError("该文件设有打开密码（已加密），或是旧版 .xls 格式：请在 Excel 中取消密码"
                              "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码），另存为 .xlsx 后再上传")
    if not data.startswith(b"PK"):
        raise LedgerFileError("该文件不是 Excel 工作簿（.xlsx）：请用“下载模板”得到的格式填写，另存为 .xlsx 后上传")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise LedgerFileError("该文件不是有效的 Excel 工作簿（.xlsx），可能已损坏：请在 Excel 中打开并另存为 .xlsx") from None


def check_container(data: bytes) -> None:
    """Refuse before inflating: the declared sizes of every entry are read from the zip's directory."""
    book = _open_zip(data)
    entries = book.infolist()
    excess, declared = zip_excess(book)
    if excess == "entries":
        raise LedgerFileError("该文件包含的部件过多，不是正常的台账工作簿，已拒绝")
    if excess == "inflated":
        raise LedgerFileError(f"该文件解压后达 {declared // (1024 * 1024)} MiB，压缩比异常（疑似“压缩炸弹”），"
                              "已在解压前拒绝；请上传正常的台账工作簿")
    names = {e.filename for e in entries}
    types = book.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in types:
        raise LedgerFileError("该文件是含宏的工作簿（.xlsm），台账不接受宏：请另存为不含宏的 .xlsx 后上传")
    if "xl/workbook.xml" not in names:
        raise LedgerFileError("该文件不是 Excel 工作簿（缺少工作簿内容），请另存为 .xlsx 后上传")


MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def read_rows(data: bytes, progress=None) -> list[tuple[int, dict]]:
    """(row number, {column key: raw cell value}) for every non-empty data row of the 项目台账 sheet,
    read by openpyxl's streaming reader (formulas kept as their text, never evaluated)."""
    check_container(data)
    try:
        book = load_workbook(io.BytesIO(data), data_only=False, read_only=True)
    except Exception as err:  # openpyxl raises many kinds on a broken part
        raise LedgerFileError(f"无法读取该工作簿（{type(err).__name__}），请在 Excel 中打开并另存为 .xlsx 后上传") from None
    try:
        if SHEET not in book.sheetnames:
            raise LedgerFileError(f"工作簿中没有“{SHEET}”工作表：请使用“下载模板”得到的台账格式")
        sheet = book[SHEET]
        _check_merged_header(data, sheet)
        return _rows(sheet, progress)
    except LedgerFileError:
        raise
    except Exception as err:  # a malformed cell (e.g. <c t="n"><v>abc</v></c>) while streaming the rows
        raise LedgerFileError(f"“{SHEET}”工作表中有无法读取的单元格（{type(err).__name__}）：该文件可能不是由 Excel 保存的，"
                              "请在 Excel 中打开并另存为 .xlsx 后重新上传") from None
    finally:
        book.close()


def _check_merged_header(data: bytes, sheet) -> None:
    """Merged cells in the header row (the streaming reader does not list merges: read them from the XML)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(sheet._worksheet_path.lstrip("/"))  # sizes were checked before: check_container
    for match in MERGE.finditer(xml):
        first, last = int(match.group(2)), int(match.group(4) or match.group(2))
        if first <= 1 <= last:
            span = match.group(0).split(b'"')[1].decode()
            raise LedgerFileError(f"表头有合并单元格 {span}：请取消合并，每列一个表头，与模板一致")


def _rows(sheet, progress) -> list[tuple[int, dict]]:
    rows, header = [], None
    for cells in sheet.iter_rows():
        if header is None:
            header = [str(c.value).strip() if c.value is not None else "" for c in cells]
            _check_header(header)
            continue
        number = cells[0].row if cells and hasattr(cells[0], "row") else len(rows) + 2
        if number - 1 > MAX_ROWS:
            raise LedgerFileError(f"台账超过 {MAX_ROWS:,} 行上限：请按部门或年度拆分成几个文件")
        raw = {}
        for column, cell in zip(COLUMNS, cells):
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                value = FormulaCell(str(value))
            elif value is not None and not isinstance(value, (str, int, float, date)):
                value = FormulaCell(str(getattr(value, "text", value)))  # an array formula
            raw[column.key] = value
        if any(v not in (None, "") and not (isinstance(v, str) and not v.strip()) for v in raw.values()):
            rows.append((number, raw))
        if progress:
            progress(1)
    if header is None:
        raise LedgerFileError("“项目台账”工作表是空的：第 1 行应为表头")
    return rows


def _check_header(found: list[str]) -> None:
    while found and not found[-1]:
        found.pop()
    missing = [h for h in HEADERS if h not in found]
    extra = [f"{letter(i)} 列“{h or '（空表头）'}”" for i, h in enumerate(found) if h not in HEADERS]
    if missing or extra:
        parts = ([f"缺少列：{'、'.join(missing)}"] if missing else []) + ([f"多出列：{'、'.join(extra)}"] if extra else [])
        raise LedgerFileError("表头与台账模板不一致（" + "；".join(parts) + "）：请使用“下载模板”得到的格式，不要增删列")
    if tuple(found) != HEADERS:
        wrong = next(i for i, (a, b) in enumerate(zip(found, HEADERS)) if a != b)
        raise LedgerFileError(f"表头顺序与台账模板不一致：{letter(wrong)} 列应为“{HEADERS[wrong]}”，"
                              f"现为“{found[wrong]}”；请按模板的列顺序")


# ---- writing: template, export, annotated copy --------------------------------------------------

def _codes_sheet(book, departments: list[tuple[str, str]]) -> None:
    sheet = book.create_sheet(CODES)
    lists = {"A": list(STAGE_OF_LABEL), "B": list(CONSTRUCTION_TYPES), "C": list(NETWORKS), "D": list(YES_NO),
             "E": [code for code, _ in departments], "F": [name for _, name in departments]}
    for col, heading in zip("ABCDEF", ("当前阶段", "建设类型", "网络", "是否涉密", "部门代码", "部门名称")):
        sheet[f"{col}1"] = heading
        for i, value in enumerate(lists[col], start=2):
            sheet[f"{col}{i}"] = printable(value)
    return {key: f"{CODES}!${col}$2:${col}${max(len(lists[col]), 1) + 1}"
            for key, col in (("stage", "A"), ("construction_type", "B"), ("network", "C"), ("classified", "D"),
                             ("department", "E"))}


def _data_sheet(sheet, ranges: dict | None, rows: list[dict]) -> None:
    for i, column in enumerate(COLUMNS):
        cell = sheet.cell(row=1, column=i + 1, value=column.header)
        cell.font, cell.fill = Font(bold=True), HEAD
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[letter(i)].width = 14 if column.kind != "text" else 24
        if column.note:
            cell.comment = Comment(column.note, "govit")
    sheet.freeze_panes = "E2"
    for r, row in enumerate(rows, start=2):
        for i, column in enumerate(COLUMNS):
            value = row.get(column.key)
            if value in (None, ""):
                continue
            cell = sheet.cell(row=r, column=i + 1, value=printable(value))
            if column.kind == "money":
                cell.number_format = "#,##0.00"
            elif column.kind == "date":
                cell.number_format = "yyyy-mm-dd"
    if ranges is None:
        return
    last = MAX_ROWS + 1
    for key, source in ranges.items():
        rule = DataValidation(type="list", formula1=f"={source}", allow_blank=True, showErrorMessage=True,
                              errorTitle="请从下拉列表选择", error="请从下拉列表中选择")
        rule.add(f"{LETTER[key]}2:{LETTER[key]}{last}")
        sheet.add_data_validation(rule)
    for column in COLUMNS:
        span = f"{LETTER[column.key]}2:{LETTER[column.key]}{last}"
        if column.kind == "date":
            rule = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                                  showErrorMessage=True, error="请填写日期，如 2025-03-01")
        elif column.kind == "money":
            rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                  showErrorMessage=True, error="请填写以元为单位的金额，最多两位小数")
        elif column.kind in ("percent", "score"):
            rule = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                                  showErrorMessage=True, error="请填写 0 到 100 之间的数")
        else:
            continue
        rule.add(span)
        sheet.add_data_validation(rule)


GUIDE_LINES = (
    "政务信息化项目台账（导入 govit 用）",
    "1. 每行一个项目，在“项目台账”工作表填写；表头不要修改、合并、增删或调换顺序。",
    "2. “当前阶段”从下拉列表选择；已经过的每个环节的事实都要填（如“建设中”须填可研批复、初设批复和省政府审定），"
    "尚未到达的环节不要填。",
    "3. 金额以元为单位，最多两位小数；“年度投资额”写成 2025:6000000.00；2026:4000000.00，合计等于项目总投资。",
    "4. 日期写成 2025-03-01，年月写成 2025-03；单元格中不要使用公式（含公式的台账会被拒绝）。",
    "5. 项目代码为投资项目在线审批监管平台代码（YYYY-23xxxx-II-TT-NNNNNN），非涉密项目必填，且不能重复。",
    "6. 再次导入同一台账时按项目代码（或台账编号）匹配：没有变化的行不做任何修改，有变化的行逐项列出，经确认后更新；"
    "已在系统中继续办理的项目不会被台账覆盖。",
    "7. 上传后系统先逐行检查并给出带单元格位置的检查报告，可下载标出问题单元格的工作簿；检查通过后确认才导入。",
    "8. 每个文件不超过 10,000 行；“填写示例”工作表中的示例行不会被导入。",
)


def layout(departments: list[tuple[str, str]], rows: list[dict], sample: dict | None) -> bytes:
    """The template (no rows, a sample sheet) or an export (rows): one layout, so a ledger round-trips."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    ranges = _codes_sheet(book, departments)
    _data_sheet(sheet, ranges, rows)
    guide = book.create_sheet(GUIDE, 0 if not rows else 1)
    for i, line in enumerate(GUIDE_LINES, start=1):
        guide.cell(row=i, column=1, value=line).font = Font(bold=i == 1)
    guide.column_dimensions["A"].width = 120
    if sample:
        _data_sheet(book.create_sheet(SAMPLE), None, [sample])
    book.active = book.sheetnames.index(SHEET)
    return workbook_bytes(book)


def annotated(data: bytes, problems: dict[int, dict[str, str]]) -> bytes:
    """A copy of the uploaded workbook with each problem cell filled red and commented, and a sheet
    listing every problem with its address (the file was checked already: it opens)."""
    book = load_workbook(io.BytesIO(data))
    sheet = book[SHEET]
    report = book.create_sheet(RESULTS, 0) if RESULTS not in book.sheetnames else book[RESULTS]
    report.append(["行", "列", "表头", "问题"])
    for row_no, found in sorted(problems.items()):
        for key, message in found.items():
            col = LETTER.get(key, "A")
            cell = sheet[f"{col}{row_no}"]
            cell.fill = BAD
            cell.comment = Comment(printable(message), "govit")
            header = next((c.header for c in COLUMNS if c.key == key), "")
            report.append([row_no, col, header, printable(message)])
    report.column_dimensions["D"].width = 100
    return workbook_bytes(book)  # the person's own formulas come back as text, never as formulas


def today_stamp(day: date) -> str:
    return day.strftime("%Y%m%d")
