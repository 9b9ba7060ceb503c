"""Admin forms: departments, users, the holiday calendar (shape only)."""
from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields import DateField
from wtforms.validators import DataRequired, Length, Optional

from ..formkit import FlaskForm, options
from ..domain.duties import DUTY_ROLES
from ..domain.roles import ROLE_LABELS

# R-DUTIES: the three duty roles are created on the server only (govit create-user)
MANAGED_ROLES = {role: label for role, label in ROLE_LABELS.items() if role not in DUTY_ROLES}


class DepartmentForm(FlaskForm):
    code = StringField("部门代码", validators=[DataRequired("请填写部门代码"), Length(max=16)])
    name = StringField("部门名称", validators=[DataRequired("请填写部门名称"), Length(max=100)])


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(max=64)])
    display_name = StringField("姓名", validators=[Optional(), Length(max=100)])
    role = SelectField("角色", choices=options(MANAGED_ROLES))
    department = SelectField("所属部门", choices=[])
    password = PasswordField("初始密码（首次登录须修改）", validators=[DataRequired("请填写初始密码")])


class RoleForm(FlaskForm):
    role = SelectField("新角色", choices=options(MANAGED_ROLES))


class PasswordResetForm(FlaskForm):
    password = PasswordField("新的初始密码", validators=[DataRequired("请填写新的初始密码")])


class CalendarDayForm(FlaskForm):
    day = DateField("日期", validators=[DataRequired("请选择日期")])
    kind = SelectField("类型", choices=options({"holiday": "休息日（节假日）", "workday": "工作日（调休上班）"}))
    name = StringField("名称", validators=[Optional(), Length(max=50)])


class CalendarImportForm(FlaskForm):
    text = TextAreaField("国务院办公厅节假日安排（每行：YYYY-MM-DD,holiday 或 workday,名称）",
                         validators=[Optional()], render_kw={"rows": 8})
    file = FileField("或上传 CSV 文件")
    confirm = BooleanField("确认该年度（通知未逐日列出七个法定节日时，由管理员确认其为完整通知）")  # R-CAL-CONFIRM
