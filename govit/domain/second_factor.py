"""Who needs a second factor (CRYPTO.md 身份鉴别, GB/T 39786-2021 三级: two kinds of credential for
the users whose decisions or rights matter most): the authority roles, whose decisions are signed,
and the three duty accounts of 三员分立 (R-DUTIES) — the system and security administrators and the
auditor, who reads everything and whose audit must not be taken over with a stolen password (issue
23) — where GOVIT_2FA_REQUIRED is on (production)."""
from .roles import (ADMIN, AUDITOR, DESIGN_APPROVERS, FINANCE, INTRANET, NDRC, PLANNER, POLICE, REVIEWERS,
                    SECRECY, SECURITY_ADMIN)

SECOND_FACTOR_ROLES = frozenset({PLANNER, FINANCE, NDRC, INTRANET, POLICE, SECRECY, ADMIN, SECURITY_ADMIN, AUDITOR}
                                | REVIEWERS | DESIGN_APPROVERS)


def second_factor_required(role: str, enforced: bool) -> bool:
    """Whether an account of `role` must use a second factor (`enforced`: GOVIT_2FA_REQUIRED)."""
    return enforced and role in SECOND_FACTOR_ROLES
