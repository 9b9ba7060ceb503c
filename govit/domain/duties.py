"""三员分立 (R-DUTIES, 等保2.0 三级): who may manage which account, in plain values."""
from .errors import Forbidden
from .roles import ADMIN, AUDITOR, INTRANET, NDRC, FINANCE, PLANNER, POLICE, REVIEWERS, SECRECY, SECURITY_ADMIN

# the three duties, each held by accounts of its own: system, accounts, audit
DUTY_ROLES = frozenset({ADMIN, SECURITY_ADMIN, AUDITOR})
# accounts whose creation or change the auditor sees in a list of its own (R-DUTIES)
AUTHORITY_ROLES = frozenset({PLANNER, FINANCE, NDRC, POLICE, SECRECY, INTRANET}) | REVIEWERS
WATCHED_ROLES = AUTHORITY_ROLES | DUTY_ROLES
ACCOUNT_MANAGERS = frozenset({SECURITY_ADMIN})


def check_account_change(actor_role: str | None, actor_id: int | None, target_id: int | None,
                         old_role: str | None, new_role: str | None, sets_password: bool = False) -> None:
    """Refuse an account change that breaks R-DUTIES. `actor_role` None is the bootstrap path
    (`govit create-user` on the server), which may create any account; `old_role` None is a new
    account, `new_role` None a change that keeps the role (reset, unlock, deactivation);
    `sets_password`: the change hands the actor a password of the account (a reset)."""
    if actor_role is None:
        return
    if actor_role not in ACCOUNT_MANAGERS:  # R-DUTIES: accounts are the security administrator's
        raise Forbidden("账号、角色、解锁和重置密码由安全管理员办理", rule="R-DUTIES")
    if target_id is not None and target_id == actor_id:  # R-DUTIES: nobody changes their own account
        raise Forbidden("不能变更自己的账号（角色、状态或密码），请由另一位安全管理员办理", rule="R-DUTIES")
    if new_role is not None and new_role != old_role and (new_role in DUTY_ROLES or old_role in DUTY_ROLES):
        # R-DUTIES: a duty account keeps its duty, and no account gains a second one
        raise Forbidden("系统管理员、安全管理员、审计员账号只能在服务器上用 govit create-user 创建，"
                        "其角色不能变更，其他账号也不能改为这三种角色", rule="R-DUTIES")
    if sets_password and old_role in DUTY_ROLES:
        # R-DUTIES: a reset would let the security administrator sign in as the system administrator
        # or the auditor and so hold their duty too; such a password is reset on the server only
        raise Forbidden("系统管理员、安全管理员、审计员账号的密码不能在系统中重置，"
                        "请在服务器上用 govit reset-password 办理", rule="R-DUTIES")


def is_watched(role: str | None) -> bool:
    """Whether a change to an account of this role goes into the auditor's list (R-DUTIES)."""
    return role in WATCHED_ROLES
