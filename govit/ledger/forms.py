"""The ledger page's forms: shape only (a file; a confirmation naming the checked file)."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired, Regexp


class LedgerUploadForm(FlaskForm):
    file = FileField("台账文件（.xlsx）", validators=[FileRequired("请选择台账文件")])


class LedgerImportForm(FlaskForm):
    sha256 = HiddenField(validators=[DataRequired("请先上传并检查台账"), Regexp(r"^[0-9a-f]{64}$", message="文件标识无效")])
    filename = HiddenField()
    only_valid = BooleanField("仅导入正确的行（有错误的行跳过，不导入）")
