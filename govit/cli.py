"""The `govit` command (API.md 'Command line'): a Flask CLI group calling the same services."""
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from .domain.errors import GovitError
from .domain.roles import ROLES


def _fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


def _explain(err: GovitError) -> str:
    details = "；".join(f"{k}: {v}" for k, v in err.fields.items())
    return f"{err.message}" + (f"（{details}）" if details else "")


@click.command("init")
@with_appcontext
def init_command():
    """Create or upgrade the schema, seed the authority departments and the holiday calendar."""
    from . import history
    from .auth.services import seed_authorities
    from .calendar_store import seed_from_package
    from .domain.roles import AUTHORITY_DEPARTMENTS
    from .extensions import db
    from .models import ChainHead

    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)  # a fresh clone has no instance/
    upgrade()
    authorities = seed_authorities()
    years = seed_from_package()
    head = db.session.get(ChainHead, 1)
    if head is not None and head.seq:  # a running system's workers keep the departments and the calendar
        for code in authorities:     # by the history's head (alerts.dashboard.kept_by_head): recorded
            history.record(None, "create_department", code=code, name=AUTHORITY_DEPARTMENTS[code])
        if years:
            history.record(None, "calendar_seed", years=years)
    db.session.commit()
    click.echo(f"数据库已就绪；新载入节假日年份：{', '.join(map(str, years)) or '无'}")


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--department", "department", required=True, help="部门代码，如 YSHJ")
@click.option("--password", default=None, help="初始密码；不给则提示输入")
@click.option("--display-name", default="", help="显示姓名")
@click.option("--email", default=None, help="接收提醒邮件的地址")
@click.option("--no-change-required", is_flag=True, help="集成账号：首次登录不要求改密码")
@with_appcontext
def create_user_command(username, role, department, password, display_name, email, no_change_required):
    """Create a user account."""
    from .auth.services import create_user

    if password is None:
        password = click.prompt("初始密码", hide_input=True, confirmation_prompt=True)
    try:
        create_user(None, username, role, department, password, display_name,
                    must_change=not no_change_required, email=email)
    except GovitError as err:
        _fail(_explain(err))
    click.echo(f"已创建用户 {username}（{role}，{department}）")


@click.command("reset-password")
@click.argument("username")
@click.option("--password", default=None, help="新的初始密码；不给则提示输入")
@with_appcontext
def reset_password_command(username, password):
    """Reset an account's password on the server (R-DUTIES: the only way for admin, security_admin
    and auditor accounts); the account must change it at its next sign-in, every session ends."""
    from .auth.services import reset_password
    from .extensions import db
    from .models import User

    user = db.session.query(User).filter_by(username=username).one_or_none()
    if user is None:
        _fail(f"没有用户 {username}")
    if password is None:
        password = click.prompt("新的初始密码", hide_input=True, confirmation_prompt=True)
    try:
        reset_password(None, user, password)
    except GovitError as err:
        _fail(_explain(err))
    click.echo(f"已重置用户 {username} 的密码，下次登录须修改")


@click.command("gen-secrets")
def gen_secrets_command():
    """Print a fresh GOVIT_SECRET_KEY and GOVIT_AUDIT_KEY for /etc/govit/govit.env."""
    import secrets
    click.echo(f"GOVIT_SECRET_KEY={secrets.token_hex(32)}")
    click.echo(f"GOVIT_AUDIT_KEY={secrets.token_hex(32)}")
    click.echo(f"GOVIT_DOCUMENT_KEY={secrets.token_hex(32)}")


@click.command("demo")
@with_appcontext
def demo_command():
    """Load the demo data set (idempotent; refused in production)."""
    from .demo import DemoError, load_demo

    if current_app.config["GOVIT_ENV"] == "production":
        _fail("生产环境不允许载入演示数据")
    try:
        created = load_demo()
    except DemoError as err:
        _fail(str(err))
    click.echo("演示数据已载入" if created else "演示数据已存在，未重复载入")


@click.command("verify-audit")
@with_appcontext
def verify_audit_command():
    """Check the history has not been altered; exit 1 where it has."""
    from .domain.audit import AuditKeyMissing, describe
    from .history import full_check

    try:
        # R-AUDIT-TRAIL: every MAC under the key, the head row and the checkpoint; the check recorded,
        # signed, for the auditor's page of a long history to continue from (issue 24)
        broken, check = full_check("govit verify-audit")
    except AuditKeyMissing as err:
        _fail(str(err))
    if broken is not None:
        _fail(f"历史记录校验失败（{broken[1]}）：{describe(broken)}")
    upto = f"（第 1–{check.upto_seq} 条，已记录本次校验）" if check is not None and check.upto_seq else ""
    click.echo(f"历史记录完整：HMAC-SM3 链、链头与库外检查点校验通过{upto}")


@click.command("scan-deadlines")
@click.option("--today", "today", default=None, help="以该日期扫描（YYYY-MM-DD），默认今天")
@click.option("--again", is_flag=True, help="当天已扫描过也再扫描一次")
@click.option("--status", "show_status", is_flag=True, help="只显示上次扫描何时由谁完成、当前是否有扫描在进行")
@with_appcontext
def scan_deadlines_command(today, again, show_status):
    """Evaluate every deadline, store and send alerts; one line per new alert and a summary.
    Run daily on every app server: the first start of the day scans, the others skip (or wait for
    a scan still running elsewhere, and finish the day if it died)."""
    from datetime import date
    from .alerts.scan import RENEW_EVERY as RENEW, WAIT_SECONDS as WAIT
    from .alerts.scan import ScanBusy, ScanDone, describe, scan, status

    if show_status:
        now = status()
        if now["last_run_on"] is None:
            click.echo("尚未完成过扫描")
        else:
            finished = f"{now['last_finished_at']:%Y-%m-%d %H:%M:%S}" if now["last_finished_at"] else "时间未记录"
            click.echo(f"上次完成的扫描：{now['last_run_on']:%Y-%m-%d} 的扫描，于 {finished} 由 {now['last_run_by']} 完成")
        if now["holder"]:
            click.echo(f"正在扫描：{now['holder']}（租约至 {now['locked_until']:%H:%M:%S}，每 {int(RENEW)} 秒续约）")
        elif now["lapsed"]:
            click.echo(f"当前无扫描在进行；{now['lapsed']} 的扫描未完成即中断（租约已过期），下次启动将完成当天扫描")
        else:
            click.echo("当前无扫描在进行")
        return

    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        _fail("--today 须为 YYYY-MM-DD")
    try:
        result = scan(day, once_a_day=not again)
    except ScanDone as err:
        click.echo(str(err))
        return
    except ScanBusy as err:
        if again:
            _fail(str(err))
        _fail(f"{err}；已等待其完成 {WAIT // 60} 分钟仍未结束，本次未扫描")  # alive but stuck: say so
    for alert in result.opened + result.escalated:
        click.echo(describe(alert))
    click.echo(f"新增 {len(result.opened)} 条，升级为逾期 {len(result.escalated)} 条，关闭 {len(result.closed)} 条，"
               f"当前未关闭 {result.still_open} 条")


@click.group("calendar")
def calendar_group():
    """The working-day calendar (R-CAL)."""


@calendar_group.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--confirm", is_flag=True, help="确认该年度（通知未按七个法定节日逐日导入时由管理员确认）")
@with_appcontext
def calendar_import(file, confirm):
    """Enter a year's notice: CSV lines `YYYY-MM-DD,holiday|workday[,名称]` (R-CAL-CONFIRM)."""
    from .calendar_store import import_notice

    try:
        done = import_notice(None, file.read(), confirm=confirm)
    except GovitError as err:
        _fail(_explain(err))
    if done.confirmed:
        click.echo(f"已导入并确认年度：{', '.join(map(str, done.confirmed))}")
    if done.predicted:
        click.echo(f"已导入，但通知不完整（七个法定节日未全部列出），仍为预测：{', '.join(map(str, done.predicted))}；"
                   "如确为完整通知，请加 --confirm")
    click.echo(f"重新计算的期限：{done.moved} 个")


@calendar_group.command("set")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--holiday", "kind", flag_value="holiday")
@click.option("--workday", "kind", flag_value="workday")
@click.option("--name", default="")
@with_appcontext
def calendar_set(day, kind, name):
    """Mark one day a holiday or a (makeup) workday."""
    from .calendar_store import set_day

    if kind is None:
        _fail("请指定 --holiday 或 --workday")
    set_day(None, day.date(), kind == "workday", name)
    click.echo(f"{day:%Y-%m-%d} 已设为{'工作日' if kind == 'workday' else '休息日'}")


@calendar_group.command("show")
@click.argument("year", type=int)
@with_appcontext
def calendar_show(year):
    """List a year's days off and makeup workdays, and whether the year is confirmed or predicted."""
    from .calendar_store import year_view
    from .domain.calendar import PREDICTED_MARK

    confirmed, days = year_view(year)
    # R-CAL-PREDICT: a year without its notice is predicted from the law, never plain Mon–Fri
    click.echo(f"{year} 年：{'已确认' if confirmed else '预测（' + PREDICTED_MARK + '）'}")
    for day, is_workday, name, source in days:
        kind = "班" if is_workday else "休"
        click.echo(f"{day:%Y-%m-%d} {kind} {name}{'（预测）' if source == 'predicted' else ''}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path):
    """Write the database and every document to one archive at PATH."""
    from .backup import backup

    try:
        manifest = backup(path)
    except GovitError as err:
        _fail(_explain(err))
    except OSError as err:  # the backup directory: full, read-only, missing
        _fail(f"无法写入备份 {path}：{err.strerror or err}；未生成备份文件")
    rows = sum(manifest["tables"].values())
    click.echo(f"已备份到 {path}：{len(manifest['tables'])} 张表 {rows} 行，材料 {len(manifest['documents']) + len(manifest.get('sealed', {}))} 份，"
               f"结构版本 {manifest['revision']}（一致快照；已回读校验归档与历史记录链）")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="覆盖已有数据（不可撤销，会先确认）")
@click.option("--yes", is_flag=True, help="不再询问（用于脚本）")
@with_appcontext
def restore_command(path, replace, yes):
    """Restore a `govit backup` archive into this database and upload directory."""
    from .backup import restore

    if replace and not yes:
        try:
            confirmed = click.confirm("将删除本数据库中的全部数据并以备份替换，确定继续？", default=False, err=True)
        except click.Abort:  # no terminal to answer: not a bare "Aborted!"
            confirmed = False
        if not confirmed:
            _fail("已取消恢复，数据库未做任何更改（脚本中请加 --yes）")
    try:
        manifest = restore(path, replace=replace)
    except GovitError as err:
        _fail(_explain(err))
    click.echo(f"已从 {path} 恢复：{sum(manifest['tables'].values())} 行，材料 {len(manifest['documents']) + len(manifest.get('sealed', {}))} 份"
               f"（备份于 {manifest['created_at']}）；历史记录链校验通过")


def register(app) -> None:
    for command in (init_command, create_user_command, reset_password_command, demo_command,
                    verify_audit_command, scan_deadlines_command, calendar_group, backup_command,
                    restore_command, gen_secrets_command):
        app.cli.add_command(command)
    from .crypto_cli import COMMANDS  # CRYPTO.md: keys, documents encrypt, verify-signature
    for command in COMMANDS:
        app.cli.add_command(command)
    from .ledger.cli import ledger_group  # issue 20: 台账
    app.cli.add_command(ledger_group)


def _create_app():
    from . import create_app
    from .config import ConfigError
    try:
        return create_app()
    except ConfigError as err:  # a refused setting says what to fix, in one line, not a traceback
        click.echo(f"配置错误：{err}", err=True)
        sys.exit(2)


main = FlaskGroup(create_app=_create_app, help="govit 政务信息化项目管理系统")


