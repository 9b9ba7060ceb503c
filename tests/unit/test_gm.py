"""CRYPTO.md: the 商用密码 primitives against the standards' own test vectors."""
import io

import pytest

from govit import gm
from govit.domain.second_factor import SECOND_FACTOR_ROLES, second_factor_required
from govit.domain.roles import ROLES


def test_sm3_gbt_32905_examples():
    """GB/T 32905-2016 附录 A: "abc" and the 64-byte "abcd" × 16."""
    assert gm.sm3(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert gm.sm3(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm4_gbt_32907_example():
    """GB/T 32907-2016 附录 A 例 1: key = plaintext = 0123456789abcdeffedcba9876543210."""
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert gm.sm4_ecb_block(key, key).hex() == "681edf34d206965e86b3e94f536e4246"


# GB/T 32918.2-2016 / GM/T 0003.2-2012 附录 A: the signature example on its Fp-256 test curve
TEST_CURVE = dict(
    p=0x8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3,
    a=0x787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498,
    b=0x63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A,
    G=(0x421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D,
       0x0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2),
    n=0x8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7)
D_A = 0x128B2FA8BD433C6C068C8D803DFF79792A519A55171B1B650C23661D15897263
K = 0x6CB28D99385C175C94F94E934817663FC176D925DD72B727260DBAAE1FB2F96F
R = 0x40F1EC59F793D9F49E09DCEF49130D4194F79FB1EED2CAA55BACDB49C4E755D1
S = 0x6FC6DAC32C5D5CF10C77DFB20F7C2EB667A457872FB09EC56327A67EC7DEEBE7


def _core(k=None):
    from gmalg import ellipticcurve, sm2
    from gmalg.sm3 import SM3
    c = TEST_CURVE
    return sm2.SM2Core(ellipticcurve.ECDLP(c["p"], c["a"], c["b"], c["G"], c["n"]), SM3(),
                       (lambda bits: k) if k else None)


def test_sm2_gmt_0003_signature_example_with_the_standards_k():
    """The library signs the standard's message with its private key and its k to exactly its
    (r, s), derives its public key, and verifies; a changed message or s does not verify."""
    core = _core(K)
    public = core.generate_pk(D_A)
    assert public == (0x0AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A,
                      0x7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857)
    assert core.sign(b"message digest", D_A, b"ALICE123@YAHOO.COM", public) == (R, S)
    assert core.verify(b"message digest", R, S, b"ALICE123@YAHOO.COM", public)
    assert not core.verify(b"message digest!", R, S, b"ALICE123@YAHOO.COM", public)
    assert not core.verify(b"message digest", R, S + 1, b"ALICE123@YAHOO.COM", public)


def test_sm2_on_the_recommended_curve_signs_and_verifies_and_refuses_a_change():
    sk, pk = gm.sm2_keypair()
    signature = gm.sm2_sign(sk, b"decision")
    assert gm.sm2_public(sk) == pk and len(signature) == 128
    assert gm.sm2_verify(pk, b"decision", signature)
    assert not gm.sm2_verify(pk, b"decisioN", signature)
    assert not gm.sm2_verify(gm.sm2_keypair()[1], b"decision", signature)
    assert not gm.sm2_verify(pk, b"decision", "zz")


@pytest.mark.parametrize("size", [0, 1, gm.CHUNK - 1, gm.CHUNK, gm.CHUNK + 1, 3 * gm.CHUNK])
def test_sm4_gcm_stream_round_trips_at_the_chunk_edges(size):
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    key, prefix = gm.new_data_key()
    sink = io.BytesIO()
    gm.encrypt_stream(key, prefix, io.BytesIO(data), sink)
    sealed = sink.getvalue()
    assert len(sealed) == gm.encrypted_size(size) and (size < 16 or data[:16] not in sealed)
    assert b"".join(gm.decrypt_stream(key, prefix, io.BytesIO(sealed))) == data


def test_sm4_stream_refuses_a_flipped_bit_a_truncation_and_another_key():
    data = b"x" * (2 * gm.CHUNK + 5)
    key, prefix = gm.new_data_key()
    sink = io.BytesIO()
    gm.encrypt_stream(key, prefix, io.BytesIO(data), sink)
    sealed = sink.getvalue()
    flipped = sealed[:10] + bytes([sealed[10] ^ 1]) + sealed[11:]
    truncated = sealed[:gm.CHUNK + gm.TAG]  # the first chunk alone, not marked last
    for bad, k in ((flipped, key), (truncated, key), (sealed, gm.new_data_key()[0])):
        with pytest.raises(gm.CryptoError):
            b"".join(gm.decrypt_stream(k, prefix, io.BytesIO(bad)))


def test_wrapped_key_needs_the_kek_and_its_context():
    kek, other = gm.kek_from_secret("k" * 8 + "0123456789abcdef" * 2), gm.kek_from_secret("another-secret" * 3)
    key = gm.new_data_key()[0]
    wrapped = gm.wrap(kek, key, "govit-document|aa")
    assert gm.unwrap(kek, wrapped, "govit-document|aa") == key and key.hex() not in wrapped
    for k, context in ((other, "govit-document|aa"), (kek, "govit-document|bb")):
        with pytest.raises(gm.CryptoError):
            gm.unwrap(k, wrapped, context)
    assert gm.key_id(kek) != gm.key_id(other) and len(gm.key_id(kek)) == 16


def test_pbkdf2_hmac_sm3_hash_checks_and_knows_its_iterations():
    stored = gm.hash_password("Passw0rd!x", 1000)
    assert stored.startswith("pbkdf2-sm3$1000$") and gm.stored_iterations(stored) == 1000
    assert gm.check_pbkdf2(stored, "Passw0rd!x") and not gm.check_pbkdf2(stored, "Passw0rd!y")
    assert gm.hash_password("Passw0rd!x", 1000) != stored  # a salt of its own
    assert gm.pbkdf2_iterations("pbkdf2-sm3") == gm.PBKDF2_ITERATIONS == 100_000
    assert gm.pbkdf2_iterations("pbkdf2-sm3:1000") == 1000 and gm.pbkdf2_iterations("scrypt") is None


def test_password_upgrade_edges():
    from govit.passwords import needs_upgrade
    stored = gm.hash_password("x", 1000)
    assert not needs_upgrade(stored, "pbkdf2-sm3:1000") and not needs_upgrade(stored, "pbkdf2-sm3:999")
    assert needs_upgrade(stored, "pbkdf2-sm3:1001") and needs_upgrade("scrypt:32768:8:1$a$b", "pbkdf2-sm3:1000")


RFC6238_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # "12345678901234567890", RFC 6238 appendix B (SHA-1)


@pytest.mark.parametrize("at,code", [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
                                     (1234567890, "89005924"), (2000000000, "69279037"),
                                     (20000000000, "65353130")])
def test_totp_rfc_6238_vectors(at, code):
    assert gm.totp(RFC6238_SECRET, at, digits=8) == code


def test_totp_accepts_one_step_of_drift_and_not_two():
    secret = gm.new_totp_secret()
    at = 1_800_000_000
    code = gm.totp(secret, at)
    assert gm.totp_step(secret, code, at) == at // 30
    assert gm.totp_step(secret, code, at + 30) == at // 30 and gm.totp_step(secret, code, at - 30) == at // 30
    assert gm.totp_step(secret, code, at + 60) is None and gm.totp_step(secret, code, at - 60) is None
    assert gm.totp_step(secret, "12345", at) is None and gm.totp_step(secret, "abcdef", at) is None


def test_second_factor_roles_are_the_authorities_and_the_administrators():
    """R-DUTIES' three duty accounts (admin, security_admin and, since issue 23, the auditor) and the
    authority roles need the second factor in production; the departments' own staff do not."""
    assert second_factor_required("planner", True) and second_factor_required("security_admin", True)
    assert second_factor_required("admin", True) and second_factor_required("reviewer_crypto", True)
    assert second_factor_required("auditor", True) and not second_factor_required("auditor", False)
    assert not second_factor_required("planner", False)
    assert not second_factor_required("applicant", True) and not second_factor_required("dept_admin", True)
    assert SECOND_FACTOR_ROLES <= set(ROLES)
    assert {"applicant", "dept_admin"}.isdisjoint(SECOND_FACTOR_ROLES)
    assert {"admin", "security_admin", "auditor"} <= SECOND_FACTOR_ROLES
