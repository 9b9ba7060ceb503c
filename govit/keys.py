"""The keys of CRYPTO.md, none of them in the database:

- the KEK of documents at rest, from GOVIT_DOCUMENT_KEY (or GOVIT_DOCUMENT_KEY_FILE); while a
  rotation runs the previous one is GOVIT_DOCUMENT_KEY_OLD;
- one SM2 key pair per authority department in GOVIT_SIGNING_KEY_DIR (`CODE.key`, mode 0600; the
  public key `CODE.pub`, also published at GET /api/v1/keys).

`sign(authority, payload)` and `verify(payload, signature)` are the one place that signs a decision
(joint-review opinions, approvals, refusals, acceptance opinions, final letters)."""
import os
from pathlib import Path

from flask import current_app

from . import gm
from .gm import CryptoError

SIGNATURE_PREFIX = "SM2"


# ---- the document KEK ------------------------------------------------------------------------

def _kek(name: str) -> bytes | None:
    value = current_app.config.get(name)
    return gm.kek_from_secret(value) if value else None


def current_kek() -> tuple[str, bytes]:
    """(key id, KEK) that wraps new data keys."""
    kek = _kek("GOVIT_DOCUMENT_KEY")
    if kek is None:
        raise CryptoError("未配置 GOVIT_DOCUMENT_KEY（或 GOVIT_DOCUMENT_KEY_FILE），材料无法加密或解密")
    return gm.key_id(kek), kek


def kek_for(key_id: str) -> bytes:
    """The KEK a data key was wrapped under: the current one or, during a rotation, the old one."""
    for name in ("GOVIT_DOCUMENT_KEY", "GOVIT_DOCUMENT_KEY_OLD"):
        kek = _kek(name)
        if kek is not None and gm.key_id(kek) == key_id:
            return kek
    raise CryptoError(f"没有编号为 {key_id} 的密钥加密密钥：请设置正确的 GOVIT_DOCUMENT_KEY"
                      "（轮换期间把原密钥设为 GOVIT_DOCUMENT_KEY_OLD）")


# ---- SM2 signing keys -----------------------------------------------------------------------

def key_dir() -> Path:
    configured = current_app.config.get("GOVIT_SIGNING_KEY_DIR")
    if configured:
        return Path(configured)
    return Path(current_app.config["GOVIT_UPLOAD_DIR"]).parent / "signing-keys"


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")


def create_key(code: str) -> bool:
    """A key pair for the authority unless it has one; True when one was made."""
    folder = key_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    private = folder / f"{code}.key"
    if private.exists():
        return False
    sk, pk = gm.sm2_keypair()
    try:
        _write_private(private, sk)
    except FileExistsError:  # another process made it first
        return False
    (folder / f"{code}.pub").write_text(pk + "\n")
    return True


def _private(code: str) -> str:
    path = key_dir() / f"{code}.key"
    if not path.exists():
        if current_app.config.get("GOVIT_ENV") == "production":
            raise CryptoError(f"{code} 的 SM2 签名私钥不存在（{path}）：请运行 govit keys init")
        create_key(code)  # development and tests: made on first use
    return path.read_text().strip()


def public_key(code: str) -> str | None:
    path = key_dir() / f"{code}.pub"
    return path.read_text().strip() if path.exists() else None


def public_key_id(public_hex: str) -> str:
    return gm.sm3(bytes.fromhex(public_hex))[:16]


def public_keys() -> list[dict]:
    """Every authority's current public key, as GET /api/v1/keys publishes them."""
    folder = key_dir()
    found = sorted(folder.glob("*.pub")) if folder.exists() else []
    return [{"authority": path.stem, "algorithm": "SM2", "curve": "sm2p256v1", "hash": "SM3",
             "uid": gm.SM2_UID.decode(), "public_key": (pk := path.read_text().strip()),
             "key_id": public_key_id(pk)} for path in found]


def sign(authority: str, payload) -> str:
    """SM2 signature of `payload` (a dict, serialised canonically, or bytes) by the authority's key:
    "SM2:<authority>:<key id>:<r||s hex>", self-describing, to be stored beside the decision."""
    message = payload if isinstance(payload, bytes) else gm.canonical(payload)
    private = _private(authority)
    public = public_key(authority) or gm.sm2_public(private)
    return f"{SIGNATURE_PREFIX}:{authority}:{public_key_id(public)}:{gm.sm2_sign(private, message)}"


def parse(signature: str) -> tuple[str, str, str]:
    """(authority, key id, signature hex) of a stored signature; CryptoError when malformed."""
    parts = (signature or "").split(":")
    if len(parts) != 4 or parts[0] != SIGNATURE_PREFIX:
        raise CryptoError("签名格式不正确（应为 SM2:单位:密钥编号:签名值）")
    return parts[1], parts[2], parts[3]


def verify(payload, signature: str, public_hex: str | None = None) -> bool:
    """Whether `signature` is the authority's SM2 signature of `payload`; `public_hex` (the key as
    published) or else the key in the key directory, whose id must match the signature's."""
    try:
        authority, kid, value = parse(signature)
    except CryptoError:
        return False
    public = public_hex or public_key(authority)
    if not public or public_key_id(public) != kid:
        return False
    message = payload if isinstance(payload, bytes) else gm.canonical(payload)
    return gm.sm2_verify(public, message, value)
