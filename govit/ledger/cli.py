"""`govit ledger template|import|export` (issue 20): the same services as the web page."""
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..domain.errors import GovitError


def _fail(message: str) -> None:
    from ..cli import _fail as fail
    fail(message)


@click.group("ledger")
def ledger_group():
    """台账：下载模板、检查并导入、按同一格式导出。"""


@ledger_group.command("template")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def template_command(path):
    """Write the empty ledger template (instructions, drop-downs, a sample row)."""
    from .services import template_bytes
    Path(path).write_bytes(template_bytes())
    click.echo(f"已生成台账模板 {path}")


@ledger_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--department", default=None, help="只导出该部门（部门代码）")
@with_appcontext
def export_command(path, department):
    """Export the projects in the ledger's layout (what `import` reads back)."""
    from .services import export_bytes
    Path(path).write_bytes(export_bytes(None, department))
    click.echo(f"已导出台账 {path}")


def _show(report) -> None:
    for row in report.rows:
        if row.status == "error":
            for message in row.check.messages():
                click.echo(f"  ✗ {message}")
        elif row.status == "changed":
            click.echo(f"  第 {row.check.row_no} 行 {row.check.values.get('name')}：有变化")
            for header, before, after in row.changes:
                click.echo(f"      {header}：{before or '（空）'} → {after or '（空）'}")
        elif row.status == "kept":
            click.echo(f"  第 {row.check.row_no} 行 {row.check.values.get('name')}：已在系统中继续办理，不覆盖")
    click.echo(report.summary())


@ledger_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--department", default=None, help="只导入该部门的行（部门代码）")
@click.option("--user", "username", required=True, help="导入人的账号（部门管理员或营商环境局），记入历史")
@click.option("--dry-run", is_flag=True, help="只检查并报告，不写入")
@click.option("--only-valid", is_flag=True, help="有错误的行跳过，仅导入正确的行")
@click.option("--yes", is_flag=True, help="有变化的行不再询问，直接更新")
@with_appcontext
def import_command(path, department, username, dry_run, only_valid, yes):
    """Check every row, then import the ledger in one transaction."""
    from sqlalchemy import select

    from ..extensions import db
    from ..models import User
    from .services import check_ledger, import_ledger

    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        _fail(f"账号 {username} 不存在")
    data = Path(path).read_bytes()
    try:
        click.echo("正在逐行检查台账……", err=True)
        report = check_ledger(data, Path(path).name, user, department)
        _show(report)
        if dry_run:
            click.echo("（试运行：未写入任何数据）")
            return
        if report.count("changed") and not yes and not click.confirm("以上有变化的行将按台账更新，确定？", default=False,
                                                                     err=True):
            _fail("已取消，未写入任何数据")
        with click.progressbar(length=len(report.rows), label="导入台账", file=sys.stderr) as bar:
            report, batch = import_ledger(user, data, Path(path).name, department, only_valid, progress=bar.update)
    except GovitError as err:
        _fail(err.message)
    click.echo(f"已导入：新增 {batch.created} 个项目，更新 {batch.updated} 个，未改动 {batch.skipped} 行"
               f"（文件 sha256 {batch.sha256}）")
