"""The 商用密码 primitives govit uses (CRYPTO.md): SM3 and SM4 from OpenSSL 3 (hashlib, the
`cryptography` package), SM2 from `gmalg`, and the constructions built on them. Plain Python: no
Flask, no database. Every function here is checked against the standards' test vectors in
tests/unit/test_gm.py (GB/T 32905 SM3, GB/T 32907 SM4, GB/T 32918 / GM/T 0003 SM2, RFC 6238 TOTP).
"""
import base64
import functools
import hashlib
import hmac
import json
import os
import secrets
import struct
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SM3 = "sm3"


class CryptoError(RuntimeError):
    """A ciphertext, wrapped key or signature that does not verify, or a key that is missing."""


# ---- SM3 (GB/T 32905) -------------------------------------------------------------------------

def sm3(data: bytes) -> str:
    return hashlib.new(SM3, data).hexdigest()


def sm3_hasher():
    return hashlib.new(SM3)


def hmac_sm3(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, SM3).hexdigest()


def canonical(data) -> bytes:
    """The one serialisation signed and MACed: JSON, sorted keys, no spaces, UTF-8."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


# ---- SM4 (GB/T 32907) -------------------------------------------------------------------------

KEY_BYTES = 16
CHUNK = 64 * 1024  # plaintext bytes per authenticated chunk of a stored document
TAG = 16


def sm4_ecb_block(key: bytes, block: bytes) -> bytes:
    """One SM4 block: only for the GB/T 32907 test vector; data is never encrypted in ECB."""
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(aad)
    return enc.update(plaintext) + enc.finalize() + enc.tag


def gcm_decrypt(key: bytes, nonce: bytes, sealed: bytes, aad: bytes = b"") -> bytes:
    if len(sealed) < TAG:
        raise CryptoError("密文不完整")
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, sealed[-TAG:])).decryptor()
    dec.authenticate_additional_data(aad)
    try:
        return dec.update(sealed[:-TAG]) + dec.finalize()
    except InvalidTag:
        raise CryptoError("SM4-GCM 认证失败：密文被改动或密钥不符") from None


def _chunk_nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def _chunk_aad(index: int, last: bool) -> bytes:
    return b"govit-doc|" + struct.pack(">IB", index, 1 if last else 0)


def encrypt_stream(key: bytes, prefix: bytes, source, sink) -> None:
    """SM4-GCM in chunks of CHUNK bytes (each with its own tag, its index and a last-chunk flag in
    the associated data), so a reader checks each chunk before it hands it on, in bounded memory,
    and a truncated, reordered or spliced file is refused. `prefix`: 8 random bytes per document."""
    index, pending = 0, source.read(CHUNK)
    while True:
        following = source.read(CHUNK) if len(pending) == CHUNK else b""
        last = not following
        sink.write(gcm_encrypt(key, _chunk_nonce(prefix, index), pending, _chunk_aad(index, last)))
        if last:
            return
        index, pending = index + 1, following


def decrypt_stream(key: bytes, prefix: bytes, source):
    """Yield the plaintext chunk by chunk, each authenticated before it is yielded."""
    index, pending = 0, source.read(CHUNK + TAG)
    while True:
        following = source.read(CHUNK + TAG) if len(pending) == CHUNK + TAG else b""
        last = not following
        yield gcm_decrypt(key, _chunk_nonce(prefix, index), pending, _chunk_aad(index, last))
        if last:
            return
        index, pending = index + 1, following


def encrypted_size(size: int) -> int:
    chunks = max(1, -(-size // CHUNK))
    return size + chunks * TAG


def new_data_key() -> tuple[bytes, bytes]:
    """A fresh SM4 data key and the 8-byte nonce prefix of one document."""
    return secrets.token_bytes(KEY_BYTES), secrets.token_bytes(8)


def kek_from_secret(value: str | bytes) -> bytes:
    """The key-encryption key from GOVIT_DOCUMENT_KEY (any length ≥ 32): HMAC-SM3 as a KDF."""
    raw = value.encode() if isinstance(value, str) else value
    return hmac.new(raw, b"govit-document-kek-v1", SM3).digest()[:KEY_BYTES]


def key_id(kek: bytes) -> str:
    """A public fingerprint of a KEK (which KEK wrapped a data key): never the key itself."""
    return hmac_sm3(kek, b"govit-kek-id")[:16]


def wrap(kek: bytes, data_key: bytes, context: str) -> str:
    """The data key sealed under the KEK (SM4-GCM, the document's sha256 as associated data)."""
    nonce = secrets.token_bytes(12)
    return base64.b64encode(nonce + gcm_encrypt(kek, nonce, data_key, context.encode())).decode()


def unwrap(kek: bytes, wrapped: str, context: str) -> bytes:
    raw = base64.b64decode(wrapped)
    return gcm_decrypt(kek, raw[:12], raw[12:], context.encode())


# ---- passwords: PBKDF2-HMAC-SM3 ----------------------------------------------------------------

PBKDF2_PREFIX = "pbkdf2-sm3"
# measured on this machine (2 cores, OpenSSL 3.0.19): 10,000 iterations of PBKDF2-HMAC-SM3 cost
# 10.3 ms, so 100,000 cost ~100 ms per check (GB/T 39786 身份鉴别; tests lower it by config)
PBKDF2_ITERATIONS = 100_000


def pbkdf2_iterations(method: str) -> int | None:
    """The iteration count of a method "pbkdf2-sm3:N" (or "pbkdf2-sm3"), None for another method."""
    name, _, count = method.partition(":")
    if name != PBKDF2_PREFIX:
        return None
    return int(count) if count else PBKDF2_ITERATIONS


def hash_password(password: str, iterations: int) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac(SM3, password.encode(), salt, iterations)
    return f"{PBKDF2_PREFIX}${iterations}${salt.hex()}${digest.hex()}"


def check_pbkdf2(stored: str, password: str) -> bool:
    try:
        _, count, salt, digest = stored.split("$")
        computed = hashlib.pbkdf2_hmac(SM3, password.encode(), bytes.fromhex(salt), int(count))
    except ValueError:
        return False
    return hmac.compare_digest(computed.hex(), digest)


def stored_iterations(stored: str) -> int | None:
    if not stored.startswith(PBKDF2_PREFIX + "$"):
        return None
    try:
        return int(stored.split("$")[1])
    except (IndexError, ValueError):
        return None


# ---- TOTP (RFC 6238 over RFC 4226), HMAC-SHA1 as the authenticator apps use ------------------

TOTP_STEP, TOTP_DIGITS = 30, 6


def new_totp_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def hotp(secret: bytes, counter: int, digits: int = TOTP_DIGITS, digest: str = "sha1") -> str:
    mac = hmac.new(secret, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return str(code).zfill(digits)


def _b32(secret: str) -> bytes:
    secret = secret.strip().replace(" ", "").upper()
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def totp(secret: str, at: float, digits: int = TOTP_DIGITS, step: int = TOTP_STEP) -> str:
    return hotp(_b32(secret), int(at // step), digits)


def totp_step(secret: str, code: str, at: float | None = None, window: int = 1) -> int | None:
    """The time step `code` belongs to (±`window` steps for clock drift), or None."""
    at = time.time() if at is None else at
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != TOTP_DIGITS:
        return None
    now = int(at // TOTP_STEP)
    for step in range(now - window, now + window + 1):
        if hmac.compare_digest(hotp(_b32(secret), step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str = "govit") -> str:
    from urllib.parse import quote
    return f"otpauth://totp/{quote(issuer)}:{quote(account)}?secret={secret}&issuer={quote(issuer)}"


def new_recovery_codes(count: int = 8) -> list[str]:
    return ["-".join(secrets.token_hex(2) for _ in range(3)) for _ in range(count)]


def recovery_digest(code: str) -> str:
    return sm3(("govit-recovery|" + code.strip().lower()).encode())


# ---- SM2 signatures (GB/T 32918.2 / GM/T 0003.2) via gmalg -------------------------------------

SM2_UID = b"1234567812345678"  # the default distinguishing identifier of GM/T 0009


def sm2_keypair() -> tuple[str, str]:
    """(private key hex, public key hex, uncompressed 04||x||y)."""
    from gmalg import SM2
    sk, pk = SM2().generate_keypair()
    return sk.hex(), pk.hex()


def sm2_public(private_hex: str) -> str:
    from gmalg import SM2
    return SM2().generate_pk(bytes.fromhex(private_hex)).hex()


@functools.lru_cache(maxsize=8)
def _public_of(private_hex: str) -> bytes:
    """The public point of a private key, derived once (a scalar multiplication: a third of a
    signature's time when gmalg derives it again for every signer)."""
    from gmalg import SM2
    return SM2().generate_pk(bytes.fromhex(private_hex))


def sm2_sign(private_hex: str, message: bytes, uid: bytes = SM2_UID) -> str:
    """The signature r||s in hex (64 bytes)."""
    from gmalg import SM2
    signer = SM2(bytes.fromhex(private_hex), uid, _public_of(private_hex))
    r, s = signer.sign(message)
    return (r.rjust(32, b"\0") + s.rjust(32, b"\0")).hex()


def sm2_verify(public_hex: str, message: bytes, signature_hex: str, uid: bytes = SM2_UID) -> bool:
    from gmalg import SM2
    try:
        raw = bytes.fromhex(signature_hex)
        if len(raw) != 64:
            return False
        return bool(SM2(uid=uid, pk=bytes.fromhex(public_hex)).verify(message, raw[:32], raw[32:]))
    except Exception:  # a malformed key or point: gmalg raises its own errors; it does not verify
        return False


def random_bytes(n: int) -> bytes:
    return os.urandom(n)
