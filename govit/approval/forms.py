"""Forms of approval and money (shape only); amounts are checked by the shared money parser."""
from wtforms import BooleanField, DateField, FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..domain.approval import MERGED_REASONS
from ..domain.budget import REASON_LABELS
from ..formkit import FlaskForm, Form, options

AMOUNT = {"inputmode": "decimal", "placeholder": "1234567.00"}


def amount_field(label):
    return StringField(label, validators=[DataRequired(f"请填写{label}"), Length(max=20)], render_kw=AMOUNT)


class FeasibilityForm(FlaskForm):
    merged_reason = SelectField("可研与初步设计合并审批（第十七条，可选）",
                                choices=options([("", "不合并")] + list(MERGED_REASONS.items())))


class DecisionForm(FlaskForm):
    doc_no = StringField("批复文号", validators=[DataRequired("请填写批复文号"), Length(max=100)])
    approved_on = DateField("批复日期", validators=[DataRequired("请填写批复日期")])
    amount = amount_field("批复金额（元）")
    # R-MERGED: shown only when the department asked for the merge; absent means agreed (API.md default)
    merge_accepted = SelectField("可研与初步设计合并审批（第十七条）", default="yes",
                                 choices=options([("yes", "同意合并审批"), ("no", "不同意合并，另行报批初步设计")]))




class DesignForm(FlaskForm):
    estimate = amount_field("初步设计概算（元）")
    content_changed = BooleanField("建设内容与可研批复相比有变化（须上传初步设计变更专章）")  # R-DESIGN-DEVIATION


class DeviationForm(FlaskForm):
    refeasibility = SelectField("是否须重新报批可研", choices=options([("no", "无需重新报批，继续初步设计审批"),
                                                                ("yes", "须重新报批可行性研究报告")]))
    reason = TextAreaField("决定理由", validators=[DataRequired("请说明理由"), Length(max=5000)], render_kw={"rows": 2})


class SendBackForm(FlaskForm):  # R-RETURN: return for revision, every point at once
    reasons = TextAreaField("修改意见（一次性告知，每行一条）", validators=[DataRequired("请逐条填写修改意见"),
                                                               Length(max=20000)], render_kw={"rows": 3})


class RefuseForm(FlaskForm):
    reason = TextAreaField("不予批准的理由", validators=[DataRequired("请说明理由"), Length(max=5000)],
                           render_kw={"rows": 2})


class AppealForm(FlaskForm):
    reason = TextAreaField("申诉理由", validators=[DataRequired("请说明申诉理由"), Length(max=5000)], render_kw={"rows": 2})


class AppealDecisionForm(FlaskForm):
    uphold = SelectField("申诉决定", choices=options([("no", "申诉不成立，维持不予批准"), ("yes", "申诉成立，恢复审批")]))
    reason = TextAreaField("理由", validators=[DataRequired("请说明理由"), Length(max=5000)], render_kw={"rows": 2})


class ReasonForm(FlaskForm):
    reason = TextAreaField("重大变更内容", validators=[DataRequired("请说明"), Length(max=5000)], render_kw={"rows": 2})


class FundRow(Form):
    source = StringField("资金来源", validators=[Optional(), Length(max=100)])
    amount = StringField("金额（元）", validators=[Optional(), Length(max=20)], render_kw=AMOUNT)


class GovApprovalForm(FlaskForm):
    doc_no = StringField("省政府审定文号", validators=[DataRequired("请填写文号"), Length(max=100)])
    approved_on = DateField("审定日期", validators=[DataRequired("请填写日期")])
    funds = FieldList(FormField(FundRow), min_entries=3, max_entries=6)


class BudgetChangeForm(FlaskForm):
    amount = amount_field("调整金额（元）")
    new_total = amount_field("调整后总投资（元）")
    reason_category = SelectField("调整原因", choices=options(REASON_LABELS))
    content = TextAreaField("调整内容", validators=[DataRequired("请写明调整内容"), Length(max=5000)],
                            render_kw={"rows": 3})
    goal_kept = BooleanField("不改变建设目标", default=True)


class ChangeDecisionForm(FlaskForm):
    note = TextAreaField("意见（不同意时必填）", validators=[Optional(), Length(max=5000)], render_kw={"rows": 1})


class SettlementForm(FlaskForm):
    settled_on = DateField("结算日期", validators=[DataRequired("请填写结算日期")])
    funds_received = amount_field("到位资金（元）")
    spent = amount_field("实际支出（元）")


class ReturnForm(FlaskForm):
    returned_on = DateField("上缴日期", validators=[DataRequired("请填写上缴日期")])
    amount = amount_field("上缴金额（元）")
    doc = StringField("缴款凭证号", validators=[Optional(), Length(max=100)])
