"""Password rules (等保2.0 三级 identity: complexity)."""
import re

MIN_PASSWORD = 8
CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]")


def password_problem(password: str) -> str | None:
    """What is wrong with the password, or None: at least 8 characters from 3 of the 4 classes."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        return f"密码至少 {MIN_PASSWORD} 位"
    if sum(bool(re.search(pattern, password)) for pattern in CLASSES) < 3:
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类"
    return None
