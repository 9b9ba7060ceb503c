"""Forms of the annual plan and the department flags (shape only)."""
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..domain.plan import FLAG_KINDS
from ..formkit import FlaskForm, options


class PlanForm(FlaskForm):
    plan_year = IntegerField("计划年度", validators=[DataRequired("请填写计划年度"), NumberRange(2020, 2100)])


class CommentForm(FlaskForm):
    comment = TextAreaField("意见", validators=[Optional(), Length(max=5000)], render_kw={"rows": 2})


class ApprovalForm(FlaskForm):
    doc_no = StringField("省政府批复文号", validators=[DataRequired("请填写批复文号"), Length(max=100)])
    approved_on = DateField("批复日期", validators=[DataRequired("请填写批复日期")])


class ReasonForm(FlaskForm):
    reason = TextAreaField("理由", validators=[DataRequired("请填写理由"), Length(max=5000)], render_kw={"rows": 2})


class InsertionForm(FlaskForm):
    project_id = SelectField("紧急项目（已通过联合审核）", coerce=int, choices=[])
    basis = TextAreaField("增补依据（党中央、国务院、省委、省政府或国家部委的要求）",
                          validators=[DataRequired("请填写增补依据"), Length(max=5000)], render_kw={"rows": 2})


class FlagForm(FlaskForm):
    department = SelectField("部门", choices=[])
    kind = SelectField("问题类型", choices=options(FLAG_KINDS))
    reason = TextAreaField("问题说明", validators=[DataRequired("请说明问题"), Length(max=5000)], render_kw={"rows": 2})
