"""Who needs a second factor (CRYPTO.md 身份鉴别, GB/T 39786-2021 三级: two kinds of credential for
the users whose decisions or rights matter most): the authority roles, whose decisions are signed,
and the system and security administrators, where GOVIT_2FA_REQUIRED is on (production)."""
from .roles import (ADMIN, DESIGN_APPROVERS, FINANCE, INTRANET, NDRC, PLANNER, POLICE, REVIEWERS, SECRECY,
                    SECURITY_ADMIN)

SECOND_FACTOR_ROLES = frozenset({PLANNER, FINANCE, NDRC, INTRANET, POLICE, SECRECY, ADMIN, SECURITY_ADMIN}
                                | REVIEWERS | DESIGN_APPROVERS)


def second_factor_required(role: str, enforced: bool) -> bool:
    """Whether an account of `role` must use a second factor (`enforced`: GOVIT_2FA_REQUIRED)."""
    return enforced and role in SECOND_FACTOR_ROLES
