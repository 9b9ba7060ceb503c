"""Password hashing (CRYPTO.md 身份鉴别): PBKDF2-HMAC-SM3 with a per-user salt; a hash of an older
method (werkzeug scrypt, pbkdf2:sha256) still verifies and is replaced at the next sign-in."""
from werkzeug.security import check_password_hash, generate_password_hash

from . import gm


def hash_password(password: str, method: str) -> str:
    iterations = gm.pbkdf2_iterations(method)
    if iterations is None:  # an older method, kept only to build legacy hashes in tests
        return generate_password_hash(password, method=method)
    return gm.hash_password(password, iterations)


def check_password(stored: str, password: str) -> bool:
    if stored.startswith(gm.PBKDF2_PREFIX + "$"):
        return gm.check_pbkdf2(stored, password)
    return check_password_hash(stored, password)


def needs_upgrade(stored: str, method: str) -> bool:
    """A hash made by another method, or with fewer iterations than configured, is made again."""
    wanted = gm.pbkdf2_iterations(method)
    if wanted is None:
        return False
    have = gm.stored_iterations(stored)
    return have is None or have < wanted
