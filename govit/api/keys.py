"""GET /api/v1/keys: the authorities' SM2 public keys (CRYPTO.md 不可否认性), published so that
anyone can check a decision's or a letter's signature offline (`govit verify-signature`)."""
from flask import jsonify

from .. import keys
from . import bp


@bp.get("/keys")
def public_keys():
    return jsonify({"algorithm": "SM2 with SM3 (GB/T 32918.2, GM/T 0009 default ID)",
                    "signature_format": "SM2:<authority>:<key_id>:<r||s hex>", "keys": keys.public_keys()})
