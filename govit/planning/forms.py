"""Web forms of the June round and the joint review: shape only (STYLE habit 5)."""
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateField, FieldList, FormField, HiddenField,
                     IntegerField, SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..formkit import FlaskForm, Form, options
from ..domain.documents import DOCUMENT_KINDS
from ..domain.proposal import CORE_FIELDS, MATERIAL_FIELDS
from ..domain.review import VERDICTS
from .fields import CHOICES


class AnnualRow(Form):
    year = StringField("年度", validators=[Optional(), Length(max=4)])
    amount = StringField("金额（元）", validators=[Optional(), Length(max=20)])


class ParticipantRow(Form):
    """R-JOINT-BUILD: one participating department and its share."""

    code = StringField("参建部门（名称或代码）", validators=[Optional(), Length(max=100)],
                       render_kw={"list": "department-names", "autocomplete": "off", "placeholder": "如 人社厅 或 RST"})
    content = TextAreaField("建设内容分工", validators=[Optional(), Length(max=5000)], render_kw={"rows": 2})
    business_flows = TextAreaField("业务流程", validators=[Optional(), Length(max=5000)], render_kw={"rows": 2})
    data_flows = TextAreaField("数据流向", validators=[Optional(), Length(max=5000)], render_kw={"rows": 2})
    interfaces = TextAreaField("系统接口", validators=[Optional(), Length(max=5000)], render_kw={"rows": 2})


def _text(label, rows=4):
    return TextAreaField(label, validators=[Optional(), Length(max=20000)], render_kw={"rows": rows})


class ProposalForm(FlaskForm):
    """The 第九条 proposal in sections; a draft may be saved incomplete."""

    name = StringField(CORE_FIELDS["name"], validators=[DataRequired("请填写项目名称"), Length(max=200)])
    construction_type = SelectField("建设类型", choices=options(CHOICES["construction_type"]))
    network = SelectField("网络类型", choices=options(CHOICES["network"]))
    classified = BooleanField("涉密项目")
    urgent = BooleanField("紧急项目（党中央、国务院、省委、省政府或国家部委要求）")
    urgent_basis = _text("紧急项目依据", rows=2)
    basis = _text(CORE_FIELDS["basis"])
    content_scale = _text(CORE_FIELDS["content_scale"])
    start_month = StringField("开始年月（年-月，如 2027-03）", validators=[Optional(), Length(max=7)],
                              render_kw={"placeholder": "2027-03"})
    end_month = StringField("结束年月（年-月，如 2028-06）", validators=[Optional(), Length(max=7)],
                            render_kw={"placeholder": "2027-12"})
    total_investment = StringField("项目总投资（元）", validators=[Optional(), Length(max=20)],
                                   render_kw={"inputmode": "decimal", "placeholder": "3000000.00"})
    annual = FieldList(FormField(AnnualRow), min_entries=4, max_entries=8)
    fund_source = _text(CORE_FIELDS["fund_source"], rows=2)
    performance_goals = _text(CORE_FIELDS["performance_goals"])
    data_catalog = _text(CORE_FIELDS["data_catalog"])
    cloud_plan = _text(CORE_FIELDS["cloud_plan"])
    protection_plan = _text(CORE_FIELDS["protection_plan"])
    security_plan = _text(CORE_FIELDS["security_plan"])
    product_reliability = _text(CORE_FIELDS["product_reliability"])
    crypto_plan = _text(CORE_FIELDS["crypto_plan"])
    technical_route = _text("技术路线")
    lead_share = _text("牵头部门承担的建设内容（跨部门共建时填写）", rows=2)
    participants = FieldList(FormField(ParticipantRow), min_entries=2, max_entries=10)
    online_code = StringField("投资项目在线审批监管平台项目代码（可后补）", validators=[Optional(), Length(max=64)])

    def to_values(self) -> dict:
        """The raw values in the API's shape, for the shared parser."""
        data = {k: v for k, v in self.data.items() if k not in ("annual", "participants", "csrf_token")}
        data["co_departments"] = [row for row in self.participants.data if (row["code"] or "").strip()]
        data["annual_investments"] = {row["year"].strip(): row["amount"] for row in self.annual.data
                                      if row["year"] and row["year"].strip()}
        return data

    def load(self, project) -> None:
        """Fill from a saved project (GET of the edit page)."""
        from ..domain.money import format_money
        for key in CORE_FIELDS.keys() - {"department", "annual_investments"} | {
                "construction_type", "network", "classified", "urgent", "urgent_basis", "online_code",
                "technical_route", "lead_share"}:
            if key in self._fields:
                value = getattr(project, key)
                self[key].data = format_money(value) if key == "total_investment" else value
        for row, part in zip(self.participants, project.participants):
            row.code.data = part.department.code
            for key in ("content", "business_flows", "data_flows", "interfaces"):
                row[key].data = getattr(part, key)
        for row, item in zip(self.annual, project.annual):
            row.year.data, row.amount.data = str(item.year), format_money(item.amount)


class UploadForm(FlaskForm):
    kind = SelectField("材料类型", choices=options(DOCUMENT_KINDS))
    material = SelectField("对应申报内容（可选）", choices=options(
        [("", "（无）")] + [(k, CORE_FIELDS[k]) for k in MATERIAL_FIELDS]))
    file = FileField("文件（PDF、DOCX、XLSX、OFD、PNG、JPEG）", validators=[FileRequired("请选择文件")])


class OpinionForm(FlaskForm):
    verdict = SelectField("审核结论", choices=options(VERDICTS))
    text = TextAreaField("审核意见", validators=[DataRequired("请填写审核意见"), Length(max=20000)],
                         render_kw={"rows": 5})
    conditions = TextAreaField("通过条件（有条件通过时填写；不填则以审核意见为条件）", validators=[Optional(), Length(max=5000)],
                               render_kw={"rows": 2})


class AnswerForm(FlaskForm):
    text = TextAreaField("陈述和补正", validators=[DataRequired("请填写陈述和补正的内容"), Length(max=20000)],
                         render_kw={"rows": 5})


class ConsentForm(FlaskForm):
    """R-SUPPLEMENT-ONCE: the planner lets one authority ask for 补正 once more."""
    authority = SelectField("审核部门", choices=[])
    reason = TextAreaField("同意再次要求补正的理由", validators=[DataRequired("请填写理由"), Length(max=5000)],
                           render_kw={"rows": 2})

    def __init__(self, *args, **kwargs):
        from ..domain.roles import AUTHORITY_LABELS
        super().__init__(*args, **kwargs)
        self.authority.choices = options(AUTHORITY_LABELS)


class ReasonForm(FlaskForm):
    reason = TextAreaField("理由", validators=[DataRequired("请填写理由"), Length(max=5000)],
                           render_kw={"rows": 3})


class RoundForm(FlaskForm):
    plan_year = IntegerField("计划年度", validators=[DataRequired("请填写计划年度"), NumberRange(2020, 2100)])
    opens_on = DateField("征集开始日期", validators=[DataRequired("请填写开始日期")])
    closes_on = DateField("征集截止日期", validators=[DataRequired("请填写截止日期")])


class BatchForm(FlaskForm):
    """CSRF only: the selected project ids and 容缺 rows come from the request."""

    confirm = HiddenField()
