"""Configuration read from GOVIT_* environment variables (API.md, 'Configuration')."""
import os
import secrets
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"
MIB = 1024 * 1024


class ConfigError(RuntimeError):
    """The environment asks for something govit refuses to run with."""


MIN_SECRET_BYTES = 32
# a fixed key outside production only, so that a development history verifies across restarts
DEVELOPMENT_AUDIT_KEY = "govit-development-audit-key-never-for-production"
# every value the repository shows as an example or uses in tests or development: never a secret
KNOWN_EXAMPLES = frozenset({
    "change-me-to-64-random-hex-characters", "test-secret", "dev", "secret", "changeme", "change-me",
    DEVELOPMENT_AUDIT_KEY, "govit-test-audit-key-0123456789abcdef", "govit-development-document-key-never-for-production",
})
# the KEK of documents at rest outside production only (CRYPTO.md); production needs its own
DEVELOPMENT_DOCUMENT_KEY = "govit-development-document-key-never-for-production"


def secret_problem(name: str, value: str | None) -> str | None:
    """Why `value` cannot be production's `name`, or None (issue 15: a guessable key forges sessions
    and re-seals the history)."""
    if not value:
        return f"生产环境必须设置 {name}（用 govit gen-secrets 生成）"
    if value in KNOWN_EXAMPLES or value.lower().startswith(("change-me", "changeme")):
        return f"{name} 不能使用仓库中的示例值，请用 govit gen-secrets 生成新的"
    if len(value.encode()) < MIN_SECRET_BYTES:
        return f"{name} 至少 {MIN_SECRET_BYTES} 字节，请用 govit gen-secrets 生成"
    if len(set(value)) < 8:  # "x" * 32 is 32 bytes and no secret
        return f"{name} 过于简单，请用 govit gen-secrets 生成随机值"
    return None


def _parse_today(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"GOVIT_TODAY 必须是 YYYY-MM-DD 格式，收到 {value!r}") from exc


def _flag(value: str | None, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if value.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"GOVIT_WARMUP 只能是 1 或 0（on/off），收到 {value!r}")


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment plus explicit overrides."""
    env = os.environ.get("GOVIT_ENV", "development")
    if env not in ("development", "production", "testing"):
        raise ConfigError(f"GOVIT_ENV 只能是 development、production 或 testing，收到 {env!r}")
    secret, audit_key = os.environ.get("GOVIT_SECRET_KEY"), os.environ.get("GOVIT_AUDIT_KEY")
    if env == "production":
        for name, value in (("GOVIT_SECRET_KEY", secret), ("GOVIT_AUDIT_KEY", audit_key)):
            if problem := secret_problem(name, value):
                raise ConfigError(problem)
    today = _parse_today(os.environ.get("GOVIT_TODAY"))
    if env == "production" and today:
        raise ConfigError("生产环境不允许设置 GOVIT_TODAY")
    db_url = os.environ.get("GOVIT_DATABASE_URL") or f"sqlite:///{INSTANCE / 'govit.sqlite'}"
    config = {
        "GOVIT_ENV": env,
        "TESTING": env == "testing",
        "SECRET_KEY": secret or secrets.token_hex(32),
        # R-AUDIT-TRAIL: the history's MAC key, never stored in the database
        "GOVIT_AUDIT_KEY": audit_key or DEVELOPMENT_AUDIT_KEY,
        "SQLALCHEMY_DATABASE_URI": db_url,
        # PostgreSQL: a pooled connection is checked by polling its socket, and pinged only after
        # this many idle seconds (govit/pool.py), instead of pool_pre_ping's SELECT 1 per checkout
        "GOVIT_POOL_PING_IDLE_SECONDS": 2,
        "GOVIT_TODAY": today,
        "GOVIT_UPLOAD_DIR": os.environ.get("GOVIT_UPLOAD_DIR") or str(INSTANCE / "uploads"),
        "GOVIT_SMTP_URL": os.environ.get("GOVIT_SMTP_URL"),
        "GOVIT_AUDIT_CHECKPOINT": os.environ.get("GOVIT_AUDIT_CHECKPOINT"),  # unset: beside the uploads
        "GOVIT_MAIL_FROM": os.environ.get("GOVIT_MAIL_FROM", "govit@localhost"),
        # R-ALERT lead times: working days for working-day limits, days for month and date limits
        "GOVIT_ALERT_LEAD_WORKING_DAYS": int(os.environ.get("GOVIT_ALERT_LEAD_WORKING_DAYS", "2")),
        "GOVIT_ALERT_LEAD_DAYS": int(os.environ.get("GOVIT_ALERT_LEAD_DAYS", "30")),
        # R-EXECUTION: by MM-DD of a construction year, at least N% of the year's budget paid
        "GOVIT_EXECUTION_THRESHOLDS": os.environ.get("GOVIT_EXECUTION_THRESHOLDS", "06-30:30,09-30:60"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("GOVIT_MAX_UPLOAD_MIB", "50")) * MIB,
        "GOVIT_TOKEN_DAYS": int(os.environ.get("GOVIT_TOKEN_DAYS", "30")),
        # R-NO-SPLIT: TF-IDF cosine at or above this flags a possible split or duplicate project
        "GOVIT_SIMILARITY_THRESHOLD": float(os.environ.get("GOVIT_SIMILARITY_THRESHOLD", "0.45")),
        # issue 24: how many rendered project pages each worker keeps (project_page.py; 0: none)
        "GOVIT_PROJECT_PAGE_CACHE": int(os.environ.get("GOVIT_PROJECT_PAGE_CACHE", "256")),
        # issue 24: up to how many events the auditor's page verifies the whole history on every view;
        # a longer one from the newest signed full check on (history.page_verdict)
        "GOVIT_AUDIT_PAGE_FULL_EVENTS": int(os.environ.get("GOVIT_AUDIT_PAGE_FULL_EVENTS", "20000")),
        # issue 24: how long the province dashboard may show figures older than a change (unset: 30 s,
        # 0 in tests; alerts/dashboard.rebuild_seconds)
        **({"GOVIT_DASHBOARD_SECONDS": float(os.environ["GOVIT_DASHBOARD_SECONDS"])}
           if os.environ.get("GOVIT_DASHBOARD_SECONDS") else {}),
        "SESSION_COOKIE_HTTPONLY": True,
        "BOOTSTRAP_SERVE_LOCAL": True,  # the extranet has no internet: Bootstrap's files come from govit
        # behind nginx: how many proxies set X-Forwarded-For/-Proto/-Host (0: trust none)
        "GOVIT_PROXY_HOPS": int(os.environ.get("GOVIT_PROXY_HOPS", "0")),
        # 等保 三级: lock an account after repeated failures; end idle sessions
        "GOVIT_LOCKOUT_FAILURES": int(os.environ.get("GOVIT_LOCKOUT_FAILURES", "5")),
        "GOVIT_LOCKOUT_MINUTES": int(os.environ.get("GOVIT_LOCKOUT_MINUTES", "15")),
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=int(os.environ.get("GOVIT_IDLE_MINUTES", "30"))),
        "SESSION_REFRESH_EACH_REQUEST": True,
        # the idle timer in the cookie is moved at most this often (govit/auth/cookie.py): a session
        # ends between GOVIT_IDLE_MINUTES minus this and GOVIT_IDLE_MINUTES after the last request
        "GOVIT_SESSION_REFRESH_SECONDS": 60,
        # issue 24: the app servers (wsgi.py) warm each worker up before its first request
        # (govit/warmup.py): on by default in production, off otherwise (govit run, tests)
        "GOVIT_WARMUP": _flag(os.environ.get("GOVIT_WARMUP"), default=env == "production"),
        # the absolute lifetime of a signed-in session, however active (ASVS V3.3.4)
        "GOVIT_SESSION_HOURS": int(os.environ.get("GOVIT_SESSION_HOURS", "12")),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "WTF_CSRF_TIME_LIMIT": None,
    }
    config.update(crypto_settings(env))
    config.update(overrides or {})
    _check_thresholds(config["GOVIT_EXECUTION_THRESHOLDS"])
    return config


def _check_thresholds(value: str) -> None:
    """R-EXECUTION: the checkpoints are read on every request (the dashboard, the scan, every 待办
    home): a malformed value refuses to start instead of answering 500 there."""
    from .domain.finance import parse_thresholds
    try:
        parse_thresholds(value)
    except ValueError:
        raise ConfigError(f"GOVIT_EXECUTION_THRESHOLDS 应为逗号分隔的“MM-DD:百分比”（日期每年都有，百分比大于 0 "
                          f"且不超过 100），如 06-30:30,09-30:60；收到 {value!r}") from None


def _document_key(env: str, name: str) -> str | None:
    """GOVIT_DOCUMENT_KEY (or the file GOVIT_DOCUMENT_KEY_FILE names): never in the database."""
    value = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if not value and path:
        try:
            value = Path(path).read_text().strip()
        except OSError as err:
            raise ConfigError(f"无法读取 {name}_FILE（{path}）：{err.strerror or err}") from None
    return value or None


def crypto_settings(env: str) -> dict:
    """Keys and switches of CRYPTO.md, read from the environment."""
    iterations = os.environ.get("GOVIT_PBKDF2_ITERATIONS")
    return {
        # 重要数据存储机密性: the KEK wrapping every document's SM4 data key; _OLD only while rotating
        "GOVIT_DOCUMENT_KEY": _document_key(env, "GOVIT_DOCUMENT_KEY")
        or (None if env == "production" else DEVELOPMENT_DOCUMENT_KEY),
        "GOVIT_DOCUMENT_KEY_OLD": _document_key(env, "GOVIT_DOCUMENT_KEY_OLD"),
        # 不可否认性: one SM2 key pair per authority department, private keys only in this directory
        "GOVIT_SIGNING_KEY_DIR": os.environ.get("GOVIT_SIGNING_KEY_DIR"),  # unset: beside the uploads
        "GOVIT_TLS_TERMINATED": os.environ.get("GOVIT_TLS_TERMINATED") == "1",
        # 身份鉴别: the second factor is required of the authority and duty roles in production
        "GOVIT_2FA_REQUIRED": os.environ.get("GOVIT_2FA_REQUIRED", "1" if env == "production" else "0") == "1",
        # PBKDF2-HMAC-SM3 (gm.PBKDF2_ITERATIONS measured to ~100 ms here); the test suite lowers it
        "PASSWORD_HASH_METHOD": "pbkdf2-sm3:" + (iterations or ("1000" if env == "testing" else "100000")),
    }


def serving_problems(config: dict) -> list[str]:
    """Why production must not serve requests (wsgi.py refuses to start): CRYPTO.md's transport
    and storage keys."""
    if config.get("GOVIT_ENV") != "production":
        return []
    problems = []
    if not config.get("GOVIT_TLS_TERMINATED"):
        problems.append("生产环境不得以明文 HTTP 提供服务：请在 govit 前部署国密 TLS（TLCP）网关或铜锁 nginx，"
                        "并设置 GOVIT_TLS_TERMINATED=1 声明由网关终止 TLS（见 docs/DEPLOY.md）")
    if problem := secret_problem("GOVIT_DOCUMENT_KEY", config.get("GOVIT_DOCUMENT_KEY")):
        problems.append(problem + "（材料加密的密钥加密密钥，也可用 GOVIT_DOCUMENT_KEY_FILE 指向密钥文件）")
    return problems
