"""Forms of construction, acceptance and evaluation (shape only)."""
from wtforms import BooleanField, DateField, FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..domain.acceptance import ACCEPTANCE_VERDICTS, CLASSIFIED_GRADES
from ..domain.construction import INCIDENT_KINDS, INCIDENT_ORDERS
from ..formkit import FlaskForm, Form, MONTH, YEAR, options


def text(label, rows=2, required=True):
    checks = [DataRequired(f"请填写{label}")] if required else [Optional()]
    return TextAreaField(label, validators=[*checks, Length(max=5000)], render_kw={"rows": rows})


class ProgressForm(FlaskForm):
    period = StringField("报告月份（年-月，如 2027-06）", validators=[DataRequired("请填写月份"), Regexp(f"^{MONTH.pattern}$", message="格式如 2027-06")])
    percent_complete = StringField("累计完成（%）", validators=[DataRequired("请填写完成百分比"), Length(max=6)])
    spent = StringField("累计支出（元）", validators=[DataRequired("请填写累计支出"), Length(max=20)],
                        render_kw={"inputmode": "decimal"})
    note = text("进展说明", required=False)


class PerformanceForm(FlaskForm):
    year = StringField("年度", validators=[DataRequired("请填写年度"), Regexp(f"^{YEAR.pattern}$", message="如 2027")])
    summary = text("报告摘要（进度、投资执行、试运行情况）", rows=3)
    # 第二十五条: typed here, or uploaded as 监理意见 / 使用单位意见 documents
    supervisor_opinion = text("监理单位意见（或上传“监理意见”材料）", required=False)
    user_opinions = text("项目使用单位意见（或上传“使用单位意见”材料）", required=False)


class IncidentForm(FlaskForm):
    kind = SelectField("类型", choices=options(INCIDENT_KINDS))
    description = text("情况说明", rows=3)


class OrderForm(FlaskForm):
    order = SelectField("处理", choices=options(INCIDENT_ORDERS))
    note = text("处理意见")


class NoteForm(FlaskForm):
    note = text("说明")


class CompleteForm(FlaskForm):
    completed_on = DateField("完工日期", validators=[DataRequired("请填写完工日期")])


class ExtensionForm(FlaskForm):
    until = DateField("延期至", validators=[DataRequired("请填写延期日期")])
    reason = text("延期理由")


class ExtensionDecisionForm(FlaskForm):
    approve = BooleanField("同意延期", default=True)
    note = text("意见", required=False)


class AcceptForm(FlaskForm):
    accepted_on = DateField("验收日期", validators=[DataRequired("请填写验收日期")])
    live_on = DateField("上线日期", validators=[DataRequired("请填写上线日期")])
    authorities = StringField("参加验收的部门（含专项验收）", validators=[Optional(), Length(max=500)])


class GoalRow(Form):
    goal = StringField("绩效目标", validators=[Optional(), Length(max=500)])
    achieved = StringField("实际达成", validators=[Optional(), Length(max=500)])


class SelfEvaluationForm(FlaskForm):
    score = StringField("自评得分（0–100）", validators=[DataRequired("请填写得分"), Length(max=6)])
    summary = text("自评价结论", rows=3)
    goals = FieldList(FormField(GoalRow), min_entries=3, max_entries=10)


class PostEvaluationForm(FlaskForm):
    evaluator = StringField("第三方评价机构", validators=[DataRequired("请填写评价机构"), Length(max=200)])
    score = StringField("后评价得分（0–100）", validators=[DataRequired("请填写得分"), Length(max=6)])
    summary = text("后评价结论", rows=3)


class AcceptanceOpinionForm(FlaskForm):
    """R-JOINT-ACCEPT: one authority's acceptance opinion."""
    verdict = SelectField("验收意见", choices=options(ACCEPTANCE_VERDICTS))
    text = TextAreaField("意见内容", validators=[DataRequired("请填写意见内容"), Length(max=5000)],
                         render_kw={"rows": 3})
    conditions = TextAreaField("整改条件（有条件通过时填写；不填则以意见内容为条件）",
                               validators=[Optional(), Length(max=5000)], render_kw={"rows": 2})


class RejectAcceptanceForm(FlaskForm):
    """R-JOINT-ACCEPT: the planner's conclusion 'not accepted', one reason per line."""
    reasons = text("验收不通过的理由（每行一条，将告知建设单位）", rows=3)


class ClassificationForm(FlaskForm):
    """保密办 confirms whether the project is a 涉密 system, and its grade."""
    classified = BooleanField("涉密系统")
    grade = SelectField("密级", choices=options([("", "（非涉密）"), *CLASSIFIED_GRADES.items()]))
    reason = text("确认依据")
