"""Login and password forms (shape only)."""
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..formkit import FlaskForm


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])


class ChangePasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码"), Length(min=8, message="密码至少 8 位")])
    confirm = PasswordField("再次输入新密码", validators=[EqualTo("new", "两次输入的新密码不一致")])


class SecondFactorForm(FlaskForm):
    code = StringField("动态口令或恢复码", validators=[DataRequired("请输入验证器显示的 6 位数字或一个恢复码"),
                                                Length(max=32)])
