"""Forms of procurement, contracts and payments (shape only; the rules are in govit.domain.finance)."""
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, FieldList, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..approval.forms import AMOUNT, amount_field
from ..domain.finance import CONTRACT_KINDS, IP_CLAUSE, PROCUREMENT_METHODS
from ..formkit import FlaskForm, Form, options


class ProcurementForm(FlaskForm):
    method = SelectField("采购方式", choices=options(PROCUREMENT_METHODS))
    number = StringField("采购编号", validators=[DataRequired("请填写采购编号"), Length(max=100)])
    procured_on = DateField("采购（开标）日期", validators=[DataRequired("请填写采购日期")])
    supplier = StringField("中标（成交）供应商", validators=[DataRequired("请填写供应商"), Length(max=200)])
    supplier_code = StringField("统一社会信用代码", validators=[DataRequired("请填写统一社会信用代码"), Length(max=18)])
    amount = amount_field("中标（成交）金额（元）")
    classified = BooleanField("涉密采购（详情仅限建设单位和主管部门查看）")


class MilestoneRow(Form):
    title = StringField("付款节点", validators=[Optional(), Length(max=100)])
    amount = StringField("金额（元）", validators=[Optional(), Length(max=20)], render_kw=AMOUNT)
    due_on = DateField("计划付款日期", validators=[Optional()])


class ContractForm(FlaskForm):
    number = StringField("合同编号", validators=[DataRequired("请填写合同编号"), Length(max=100)])
    kind = SelectField("合同类别", choices=options(CONTRACT_KINDS))
    supplier = StringField("供应商", validators=[DataRequired("请填写供应商"), Length(max=200)])
    supplier_code = StringField("统一社会信用代码", validators=[DataRequired("请填写统一社会信用代码"), Length(max=18)])
    amount = amount_field("合同金额（元）")
    signed_on = DateField("签订日期", validators=[DataRequired("请填写签订日期")])
    milestones = FieldList(FormField(MilestoneRow), min_entries=3, max_entries=8)
    ip_clause = BooleanField("合同已明确（第三十条）：" + IP_CLAUSE)


class PaymentForm(FlaskForm):
    contract = SelectField("合同", coerce=str, validate_choice=False)
    seq = IntegerField("付款期次", validators=[DataRequired("请填写期次"), NumberRange(1, 99, "期次为 1 至 99")])
    voucher = StringField("国库集中支付凭证号", validators=[DataRequired("请填写凭证号"), Length(max=64)])
    paid_on = DateField("支付日期", validators=[DataRequired("请填写支付日期")])
    amount = amount_field("支付金额（元）")
    over_reason = TextAreaField("超年度预算支付理由（仅超出时填写）", validators=[Optional(), Length(max=5000)],
                                render_kw={"rows": 1})


class ImportForm(FlaskForm):
    file = FileField("财政国库集中支付导出文件（CSV）")
