"""The commands of CRYPTO.md: `govit keys init|rotate|list`, `govit documents encrypt` (documents,
letter files and checked ledgers),
`govit verify-signature`, `govit verify-accounts`."""
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from .gm import CryptoError


def _fail(message: str) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


def _progress(label: str):
    def show(done: int, total: int) -> None:
        click.echo(f"{label}：{done}/{total}")
    return show


@click.group("keys")
def keys_group():
    """密钥管理：SM2 签名密钥、材料加密的密钥加密密钥（KEK）。"""


@keys_group.command("init")
@with_appcontext
def keys_init():
    """Create an SM2 key pair for each authority department that has none (GOVIT_SIGNING_KEY_DIR)."""
    from . import keys
    from .domain.roles import AUTHORITY_DEPARTMENTS
    made = [code for code in AUTHORITY_DEPARTMENTS if keys.create_key(code)]
    click.echo(f"签名密钥目录：{keys.key_dir()}；新生成 {len(made)} 对（{'、'.join(made) or '无'}），"
               f"已有的保持不变；公钥见 GET /api/v1/keys")


@keys_group.command("list")
@with_appcontext
def keys_list():
    """Print each authority's public key and its id."""
    from . import keys
    for item in keys.public_keys():
        click.echo(f"{item['authority']}\t{item['key_id']}\t{item['public_key']}")


@keys_group.command("rotate")
@with_appcontext
def keys_rotate():
    """Re-wrap every document data key under the current GOVIT_DOCUMENT_KEY (the previous KEK given
    as GOVIT_DOCUMENT_KEY_OLD); content untouched; run again to resume after an interruption."""
    from . import keys, vault
    try:
        kid, _ = keys.current_kek()
        done = vault.rotate(_progress("已重新封装"))
    except CryptoError as err:
        _fail(str(err))
    click.echo(f"完成：{done} 份材料和文件（文书、待导入的台账）的数据密钥已由密钥加密密钥 {kid} 封装；"
               "确认后可删除 GOVIT_DOCUMENT_KEY_OLD")


@click.group("documents")
def documents_group():
    """材料存储。"""


@documents_group.command("encrypt")
@with_appcontext
def documents_encrypt():
    """Encrypt (SM4) every document, letter file and checked ledger still stored in plaintext;
    recorded in the history; resumable."""
    from . import vault
    try:
        done = vault.encrypt_existing(_progress("已加密材料"))
        files = vault.encrypt_files(_progress("已加密文件"))
    except (CryptoError, OSError) as err:
        _fail(str(err))
    click.echo(f"完成：{done} 份材料内容已加密（SM4-GCM），明文文件已删除；未加密的还剩 {vault.plaintext_left()} 份")
    click.echo(f"完成：{files} 个文书、台账文件已加密（SM4-GCM），明文文件已删除；"
               f"未加密的还剩 {len(vault.files_left())} 个")


@click.command("verify-signature")
@click.argument("kind", type=click.Choice(["opinion", "approval", "refusal", "acceptance", "file"]))
@click.argument("target")
@click.option("--signature", default=None, help="file：签名值（SM2:单位:密钥编号:签名）")
@click.option("--public-key", default=None, help="公钥（十六进制，或含公钥的文件）；默认用密钥目录中的公钥")
@with_appcontext
def verify_signature_command(kind, target, signature, public_key):
    """Check the SM2 signature of a decision (KIND ID) or of a downloaded letter (file PATH
    --signature S), against the published public key. Exit 0 when it verifies, 1 otherwise."""
    from . import keys, signatures
    from .extensions import db
    if public_key and Path(public_key).exists():
        public_key = Path(public_key).read_text().strip()
    if kind == "file":
        if not signature:
            _fail("校验文件须给出 --signature")
        ok = keys.verify(Path(target).read_bytes(), signature, public_key)
        click.echo("签名有效" if ok else "签名无效：文件被改动，或签名、公钥不符")
        sys.exit(0 if ok else 1)
    if not target.isdigit():
        _fail("请给出决定的编号（整数）")
    model = signatures.DECISIONS[kind][0]
    row = db.session.get(model, int(target))
    if row is None:
        _fail(f"没有编号为 {target} 的{signatures.LABELS[kind]}")
    ok, what = signatures.check(kind, row, public_key)
    click.echo(what)
    sys.exit(0 if ok else 1)


@click.command("verify-accounts")
@with_appcontext
def verify_accounts_command():
    """List accounts whose role, department or status fail their HMAC-SM3; exit 1 if any."""
    from .integrity import broken_accounts
    broken = broken_accounts()
    for user in broken:
        click.echo(f"完整性校验失败：{user.username}（角色 {user.role}）")
    click.echo(f"账号完整性：{len(broken)} 个不符" if broken else "账号完整性：全部相符")
    sys.exit(1 if broken else 0)


@click.command("reset-second-factor")
@click.argument("username")
@with_appcontext
def reset_second_factor_command(username):
    """Turn a user's second factor off (the phone and the recovery codes are lost), on the server only,
    like `govit reset-password`: the user enrols again at the next sign-in; recorded in the history."""
    from . import history
    from .extensions import db
    from .models import User
    from sqlalchemy import select
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        _fail(f"没有用户名为“{username}”的账号")
    user.totp_enabled, user.totp_secret, user.totp_last_step, user.recovery_codes = False, None, None, None
    history.record(None, "reset_second_factor", username=username, role=user.role)
    db.session.commit()
    click.echo(f"已停用 {username} 的动态口令；该用户下次登录后须重新启用")


COMMANDS = (keys_group, documents_group, verify_signature_command, verify_accounts_command,
            reset_second_factor_command)
