"""A department's 台账 (ledger) of existing projects, row by row (issue 20): the columns, how each
cell is read, and the checks of one row — the same domain checks the API and the web apply
(R-PROPOSAL-FIELDS, R-ONLINE-CODE, R-GOV-APPROVE, R-SELF-EVAL, lifecycle states), so a value one
refuses the others refuse too. Plain Python: the workbook is read and written in govit.ledger."""
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from .approval import check_funds, online_code_problem
from .construction import check_progress, check_score, check_self_evaluation, is_month
from .errors import RuleViolation
from .lifecycle import STATE_LABELS
from .money import MoneyError, parse_money
from .plan import PLAN_YEARS
from .proposal import missing_fields, schedule_errors

MAX_ROWS = 10_000  # a ledger above this is refused whole: split it by department or by year
# the states a ledger may place a project in, in lifecycle order; before `planned` a project is
# proposed in govit itself, and a suspension or a joint acceptance is recorded there
STAGES = ("planned", "feasibility_review", "feasibility_approved", "design_review", "design_approved",
          "in_construction", "completed", "in_operation", "self_evaluated", "closed")
STAGE_OF_LABEL = {STATE_LABELS[s]: s for s in STAGES}
CONSTRUCTION_TYPES = {"新建": "new", "扩建": "expansion", "升级改造": "upgrade", "设备购置": "equipment"}
NETWORKS = {"政务外网": "extranet", "政务内网": "intranet"}
YES_NO = {"是": True, "否": False}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str  # text | code | dept | year | date | month | money | percent | score | stage | choice | annual | bool
    stage: str | None = None  # the stage from which the fact exists (None: every row)
    required: bool = True
    note: str = ""


def _c(key, header, kind="text", stage=None, required=True, note=""):
    return Column(key, header, kind, stage, required, note)


COLUMNS: tuple[Column, ...] = (
    _c("ledger_id", "台账编号", required=False, note="部门自己的编号；没有项目代码的涉密项目靠它匹配"),
    _c("online_code", "项目代码", "code", required=False, note="投资项目在线审批监管平台代码，如 2025-230000-65-01-000001；非涉密项目必填"),
    _c("department", "部门代码", "dept", note="建设单位的部门代码，如 JYT"),
    _c("name", "项目名称"),
    _c("stage", "当前阶段", "stage", note="从下拉列表选择"),
    _c("plan_year", "计划年度", "year", "planned"),
    _c("plan_doc_no", "年度计划批复文号", stage="planned"),
    _c("plan_approved_on", "年度计划批准日期", "date", "planned"),
    _c("construction_type", "建设类型", "choice"),
    _c("network", "网络", "choice"),
    _c("classified", "是否涉密", "bool"),
    _c("basis", "建设依据和必要性"),
    _c("content_scale", "建设内容和规模"),
    _c("technical_route", "技术路线", required=False),
    _c("start_month", "建设工期开始年月", "month"),
    _c("end_month", "建设工期结束年月", "month"),
    _c("total_investment", "项目总投资（元）", "money"),
    _c("annual", "年度投资额（元）", "annual", note="每年一项，如 2025:6000000.00；2026:4000000.00，合计等于总投资"),
    _c("fund_source", "资金来源"),
    _c("performance_goals", "项目绩效目标"),
    _c("data_catalog", "数据资源目录"),
    _c("cloud_plan", "政务云需求方案"),
    _c("protection_plan", "等级保护或分级保护方案"),
    _c("security_plan", "安全保障方案"),
    _c("product_reliability", "产品安全可靠情况"),
    _c("crypto_plan", "密码应用方案"),
    _c("feas_submitted_on", "可研报送日期", "date", "feasibility_review"),
    _c("feas_doc_no", "可研批复文号", stage="feasibility_approved"),
    _c("feas_approved_on", "可研批复日期", "date", "feasibility_approved"),
    _c("approved_investment", "可研批复投资（元）", "money", "feasibility_approved"),
    _c("design_submitted_on", "初设报送日期", "date", "design_review"),
    _c("estimate", "概算（元）", "money", "design_review", note="初设审批中为报送的概算，已批复为批复概算"),
    _c("design_doc_no", "初设批复文号", stage="design_approved"),
    _c("design_approved_on", "初设批复日期", "date", "design_approved"),
    _c("gov_doc_no", "省政府审定文号", stage="in_construction"),
    _c("gov_approved_on", "省政府审定日期", "date", "in_construction"),
    _c("gov_funds", "省政府审定资金（元）", "money", "in_construction", note="来源即“资金来源”列，金额等于概算"),
    _c("progress_period", "最近进度报告月份", "month", "in_construction", required=False),
    _c("progress_percent", "完成比例（%）", "percent", "in_construction", required=False),
    _c("progress_spent", "累计支出（元）", "money", "in_construction", required=False),
    _c("completed_on", "完工日期", "date", "completed"),
    _c("accepted_on", "竣工验收日期", "date", "in_operation"),
    _c("live_on", "上线日期", "date", "in_operation"),
    _c("self_eval_on", "自评价日期", "date", "self_evaluated"),
    _c("self_eval_score", "自评价得分", "score", "self_evaluated"),
    _c("self_eval_summary", "自评价结论", stage="self_evaluated"),
    _c("post_evaluator", "后评价机构", stage="closed"),
    _c("post_eval_on", "后评价日期", "date", "closed"),
    _c("post_eval_score", "后评价得分", "score", "closed"),
    _c("post_eval_summary", "后评价结论", stage="closed"),
)
BY_KEY = {c.key: c for c in COLUMNS}
HEADERS = tuple(c.header for c in COLUMNS)
PROGRESS = ("progress_period", "progress_percent", "progress_spent")


def letter(index: int) -> str:
    """Column letter of a 0-based index: 0 -> A, 26 -> AA."""
    name, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


LETTER = {c.key: letter(i) for i, c in enumerate(COLUMNS)}


def where(row_no: int, key: str) -> str:
    """The cell address as a person reads it: 第 7 行 H 列."""
    return f"第 {row_no} 行 {LETTER[key]} 列"


@dataclass(frozen=True)
class FormulaCell:
    """A cell holding a formula: never evaluated into the database (refused with its text)."""
    text: str


@dataclass
class RowCheck:
    row_no: int
    values: dict = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # key -> message (without the address)

    @property
    def ok(self) -> bool:
        return not self.problems

    def messages(self) -> list[str]:
        return [f"{where(self.row_no, k)}（{BY_KEY[k].header}）：{m}" if k in BY_KEY else f"第 {self.row_no} 行：{m}"
                for k, m in self.problems.items()]


@dataclass(frozen=True)
class Context:
    """What a row is checked against: today, the known departments, the department the person may
    import for (None: any), the state of each year's annual plan, and the working calendar."""
    today: date
    departments: frozenset[str]
    only_department: str | None = None
    plan_states: dict = field(default_factory=dict)
    calendar: object = None
    creates_plans: bool = False  # the planner's import may bring a plan year govit has no plan for


def plan_year_problem(year: int, state: str | None, today: date, creates_plans: bool) -> str | None:
    """R-LEDGER-PLAN: a row's plan year needs govit's approved plan of that year; only the planner's
    import may bring a missing plan year in from the ledger, and never a year after this one (the
    ledger is history: a future year's plan is compiled in govit)."""
    if state == "approved":
        return None
    if state is not None:
        return f"{year} 年度计划正在系统中编制，尚未经省政府批准；该项目请在系统中申报，或待计划批准后再导入"
    if not creates_plans:
        return f"系统中没有 {year} 年度计划；请营商环境局先导入或在系统中编制该年度计划，再导入本行"
    if year > today.year:
        return f"{year} 年度晚于今年（{today.year} 年），台账只能导入已批准的以往年度计划；该年度计划请在系统中编制"
    return None


def _blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime):
        raw = raw.date()
    return str(raw).strip()


DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def read_date(raw) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    match = DATE_TEXT.match(_text(raw))
    if match:
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            pass
    raise ValueError(f"“{_text(raw)}”不是日期，应为 2025-03-01 这样的日期")


def read_month(raw) -> str:
    if isinstance(raw, (date, datetime)):
        return f"{raw.year:04d}-{raw.month:02d}"
    text = _text(raw).replace("/", "-").replace(".", "-")
    parts = text.split("-")
    if len(parts) == 2 and parts[1].isdigit() and len(parts[1]) == 1:
        text = f"{parts[0]}-0{parts[1]}"
    if not is_month(text):
        raise ValueError(f"“{_text(raw)}”不是年月，应为 2025-03 这样的年月")
    return text


def read_money(raw) -> Decimal:
    """Yuan as Decimal: a number cell is read through its shortest text (never float arithmetic)."""
    if isinstance(raw, bool):
        raise ValueError("应为金额（元）")
    if isinstance(raw, float):
        raw = repr(raw)
    try:
        return parse_money(raw)
    except MoneyError as err:
        raise ValueError(str(err)) from None


def read_number(raw) -> Decimal:
    try:
        value = Decimal(repr(raw) if isinstance(raw, float) else _text(raw))
    except InvalidOperation:
        raise ValueError(f"“{_text(raw)}”不是数字") from None
    if not value.is_finite() or value.as_tuple().exponent < -2:
        raise ValueError(f"“{_text(raw)}”不是最多两位小数的数字")
    return value


ANNUAL_ITEM = re.compile(r"^\s*(\d{4})\s*[:：=]\s*(.+?)\s*$")


def read_annual(raw) -> dict[str, Decimal]:
    """'2025:6000000.00；2026:4000000.00' -> {'2025': Decimal, '2026': Decimal}."""
    found: dict[str, Decimal] = {}
    for part in re.split(r"[;；\n]", _text(raw)):
        if not part.strip():
            continue
        match = ANNUAL_ITEM.match(part)
        if not match:
            raise ValueError(f"“{part.strip()}”格式不对，应为 年份:金额，如 2025:6000000.00；2026:4000000.00")
        if match.group(1) in found:
            raise ValueError(f"{match.group(1)} 年填了两次")
        found[match.group(1)] = read_money(match.group(2))
    return found


def format_annual(annual: dict[str, Decimal]) -> str:
    return "；".join(f"{y}:{a:.2f}" for y, a in sorted(annual.items()))


def _read(column: Column, raw, ctx: Context):
    kind = column.kind
    if kind in ("text", "code"):
        return _text(raw)
    if kind == "dept":
        code = _text(raw).upper()
        if code not in ctx.departments:
            raise ValueError(f"部门代码“{code}”不存在，请先由系统管理员添加该部门，或核对代码")
        if ctx.only_department and code != ctx.only_department:
            raise ValueError(f"只能导入本部门（{ctx.only_department}）的项目")
        return code
    if kind == "year":
        year = int(read_number(raw))
        if year not in PLAN_YEARS:
            raise ValueError(f"“{_text(raw)}”不是有效年度")
        return year
    if kind == "date":
        day = read_date(raw)
        if day > ctx.today:
            raise ValueError(f"{day:%Y-%m-%d} 晚于今天，台账只能登记已经发生的事项")
        return day
    if kind == "month":
        return read_month(raw)
    if kind == "money":
        return read_money(raw)
    if kind == "percent":
        value = read_number(raw)
        check_progress(value, Decimal(0), None)
        return value
    if kind == "score":
        value = read_number(raw)
        check_score(value)
        return value
    if kind == "annual":
        return read_annual(raw)
    if kind == "stage":
        label = _text(raw)
        if label not in STAGE_OF_LABEL:
            raise ValueError(f"“{label}”不是可导入的阶段，应为：{'、'.join(STAGE_OF_LABEL)}")
        return STAGE_OF_LABEL[label]
    if kind == "bool":
        if _text(raw) not in YES_NO:
            raise ValueError("应填“是”或“否”")
        return YES_NO[_text(raw)]
    if kind == "choice":
        choices = CONSTRUCTION_TYPES if column.key == "construction_type" else NETWORKS
        if _text(raw) not in choices:
            raise ValueError(f"应为：{'、'.join(choices)}")
        return choices[_text(raw)]
    raise ValueError(f"未知的列类型 {kind}")  # pragma: no cover - the table above is closed


def read_cells(row_no: int, raw: dict, ctx: Context) -> RowCheck:
    """Each cell read as its column's kind; a formula or an unreadable value is a problem of its cell."""
    check = RowCheck(row_no)
    for column in COLUMNS:
        value = raw.get(column.key)
        if isinstance(value, FormulaCell):
            check.problems[column.key] = (f"是公式（{value.text[:60]}），台账不计算公式；"
                                          "请复制后“选择性粘贴 → 数值”再导入")
            continue
        if _blank(value):
            continue
        try:
            check.values[column.key] = _read(column, value, ctx)
        except (ValueError, RuleViolation) as err:
            check.problems[column.key] = getattr(err, "message", None) or str(err)
    return check


def check_row(row_no: int, raw: dict, ctx: Context) -> RowCheck:
    """Every problem of one ledger row, each at its cell (the file-wide checks are the caller's)."""
    check = read_cells(row_no, raw, ctx)
    stage = check.values.get("stage")
    if stage is None and "stage" not in check.problems:
        check.problems["stage"] = "缺少当前阶段"
    if stage is not None:
        _stage_facts(check, stage)
    _proposal_facts(check)
    _approval_facts(check, ctx)
    _later_facts(check, ctx)
    return check


def _reached(stage: str, since: str | None) -> bool:
    return since is None or STAGES.index(stage) >= STAGES.index(since)


def _stage_facts(check: RowCheck, stage: str) -> None:
    """A state consistent with the facts given: every fact of a stage passed, none of a later one."""
    label = STATE_LABELS[stage]
    for column in COLUMNS:
        if column.key in check.problems:
            continue
        given = column.key in check.values
        if _reached(stage, column.stage):
            if column.required and not given and column.key not in ("online_code",):
                check.problems[column.key] = f"当前阶段为“{label}”，须填写{column.header}"
        elif given:
            check.problems[column.key] = (f"当前阶段为“{label}”，不应填写{column.header}"
                                          f"（{STATE_LABELS[column.stage]}后才有）；请核对当前阶段")
    progress = [k for k in PROGRESS if k in check.values]
    if progress and len(progress) < len(PROGRESS):
        for key in PROGRESS:
            if key not in check.values and key not in check.problems:
                check.problems[key] = "进度报告的月份、完成比例和累计支出须一并填写"


CORE_KEYS = {"department": "department", "annual_investments": "annual"}


def _proposal_facts(check: RowCheck) -> None:
    """R-PROPOSAL-FIELDS: the 第九条 fields and the money schedule, as for a proposal."""
    v = check.values
    values = {**v, "annual_investments": v.get("annual") or {}}
    problems = {**missing_fields(values, set()), **schedule_errors(values)}
    for key, message in problems.items():
        key = CORE_KEYS.get(key, key)
        if key not in check.problems and (key not in v or key in ("annual", "end_month")):
            check.problems[key] = message


def _approval_facts(check: RowCheck, ctx: Context) -> None:
    """R-ONLINE-CODE, the plan year's plan, R-GOV-APPROVE; dates in the lifecycle's order."""
    v, p = check.values, check.problems
    if "online_code" not in p:
        code = v.get("online_code", "")
        if not code and not v.get("classified"):
            p["online_code"] = "非涉密项目须填写项目代码"  # R-ONLINE-CODE
        elif problem := online_code_problem(code):
            p["online_code"] = problem
        elif not code and not v.get("ledger_id") and "ledger_id" not in p:
            p["ledger_id"] = "没有项目代码的涉密项目须填写台账编号，再次导入时靠它匹配"
    year = v.get("plan_year")
    if year is not None and "plan_year" not in p and (
            problem := plan_year_problem(year, ctx.plan_states.get(year), ctx.today, ctx.creates_plans)):
        p["plan_year"] = problem  # R-LEDGER-PLAN
    if "gov_funds" in v and "estimate" in v and "gov_funds" not in p:  # R-GOV-APPROVE: funds make up the 概算
        try:
            check_funds([(v.get("fund_source", ""), v["gov_funds"])], v["estimate"])
        except RuleViolation as err:
            p["gov_funds"] = err.message
    order = ("plan_approved_on", "feas_submitted_on", "feas_approved_on", "design_submitted_on",
             "design_approved_on", "gov_approved_on", "completed_on", "accepted_on")
    last = None
    for key in order:
        if key in v and key not in p:
            if last and v[key] < v[last]:
                p[key] = f"{v[key]:%Y-%m-%d} 早于{BY_KEY[last].header} {v[last]:%Y-%m-%d}，日期顺序不对"
            last = key


def _later_facts(check: RowCheck, ctx: Context) -> None:
    """Construction, acceptance and evaluation as the services check them (R-SELF-EVAL)."""
    v, p = check.values, check.problems
    if "progress_period" in v and "start_month" in v and v["progress_period"] < v["start_month"]:
        p.setdefault("progress_period", f"进度报告月份早于建设工期开始年月 {v['start_month']}")
    if "progress_period" in v and v["progress_period"] > f"{ctx.today:%Y-%m}":
        p.setdefault("progress_period", "进度报告月份晚于本月")
    if "live_on" in v and "gov_approved_on" in v and v["live_on"] < v["gov_approved_on"]:
        p.setdefault("live_on", "上线日期早于省政府审定日期")
    if "live_on" in v and v.get("classified") and "accepted_on" in v and v["live_on"] < v["accepted_on"]:
        p.setdefault("live_on", "涉密系统须在验收（含保密测评）通过后方可上线")  # R-ACCEPT-PREREQ
    if "self_eval_on" in v and "live_on" in v and "self_eval_on" not in p:
        try:
            check_self_evaluation(v["live_on"], v["self_eval_on"], v.get("accepted_on"), ctx.calendar)
        except RuleViolation as err:  # R-SELF-EVAL: not earlier than 6 months
            p["self_eval_on"] = err.message
    if "post_eval_on" in v and "self_eval_on" in v and v["post_eval_on"] < v["self_eval_on"]:
        p.setdefault("post_eval_on", "后评价日期早于自评价日期")


def duplicates(checks: list[RowCheck], key: str, scope=lambda v: ()) -> None:
    """R-ONLINE-CODE: a code (or a department's ledger id) appears once in the file."""
    seen: dict = {}
    for check in checks:
        value = check.values.get(key)
        if not value:
            continue
        ident = (*scope(check.values), value)
        if ident in seen:
            check.problems.setdefault(key, f"与第 {seen[ident]} 行重复")
        else:
            seen[ident] = check.row_no


def display(key: str, value) -> str:
    """A value as the ledger shows it (the export writes it, a diff compares it)."""
    if value is None or value == "" or value == {}:
        return ""
    column = BY_KEY[key]
    if column.kind == "stage":
        return STATE_LABELS[value]
    if column.kind == "choice":
        names = CONSTRUCTION_TYPES if key == "construction_type" else NETWORKS
        return {v: k for k, v in names.items()}[value]
    if column.kind == "bool":
        return "是" if value else "否"
    if column.kind == "annual":
        return format_annual(value)
    if column.kind == "money":
        return f"{value:.2f}"
    if column.kind in ("percent", "score"):
        return f"{Decimal(value).normalize():f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def diff(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """(header, before, after) for every column whose shown value differs."""
    return [(c.header, display(c.key, before.get(c.key)), display(c.key, after.get(c.key))) for c in COLUMNS
            if display(c.key, before.get(c.key)) != display(c.key, after.get(c.key))]
