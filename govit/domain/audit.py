"""The keyed chain of the history (R-AUDIT-TRAIL): each event seals the one before it with HMAC-SM3.

The key (GOVIT_AUDIT_KEY) is never in the database, so whoever can write the database but does not
hold the key cannot forge an event, and cannot re-seal the chain after an edit. The head of the
chain is also kept outside the database (a checkpoint signed with the same key), so that removing
the newest events, the head row or everything is found as well. Plain functions of plain values.
"""
import hashlib
import hmac
import json
from dataclasses import dataclass

GENESIS = "0" * 64
ALGORITHM = "sm3"  # OpenSSL's SM3 (GB/T 32905) through hashlib; a 64-hex-digit MAC

# what verify-audit names: the kind of tampering and the sentence the auditor reads ({seq}: the entry)
KINDS = {
    "edit": "第 {seq} 条记录被修改",
    "insert": "第 {seq} 条记录是插入的（没有以密钥签名）",
    "delete": "第 {seq} 条记录被删除",
    "reorder": "第 {seq} 条记录的位置被调换（顺序被改动）",
    "recomputed": "自第 {seq} 条起记录被改写，并在没有密钥的情况下重新计算了哈希链",
    "truncated": "自第 {seq} 条起的最新记录被删除（尾部截断）",
    "head_deleted": "自第 {seq} 条起的最新记录被删除，链头记录也被删除",
    "wipe": "全部历史记录被清空（应至少有第 {seq} 条）",
    "head_mismatch": "链头记录（第 {seq} 条）与最新的记录不符",
    "checkpoint_missing": "库外检查点文件缺失，无法确认第 {seq} 条之后没有记录被删除",
    "checkpoint_forged": "库外检查点文件的签名无效（被改动，或密钥不同）；最新记录为第 {seq} 条",
    "diverged": "第 {seq} 条记录与库外检查点不符（整条历史被替换）",
    "count_mismatch": "第 1–{seq} 条记录的条数或编号与最近一次完整校验时不符（有记录被插入或删除），请做一次完整校验查明",
}
SHORT = {"edit": "修改", "insert": "插入", "delete": "删除", "reorder": "调换顺序", "recomputed": "无密钥重算",
         "truncated": "尾部截断", "head_deleted": "删除链头", "wipe": "清空", "head_mismatch": "链头不符",
         "checkpoint_missing": "检查点缺失", "checkpoint_forged": "检查点伪造", "diverged": "历史被替换",
         "count_mismatch": "条数不符"}


class AuditKeyMissing(RuntimeError):
    """The history cannot be sealed or checked without GOVIT_AUDIT_KEY."""


def canonical(data) -> str:
    """JSON with sorted keys and no spaces, so the same data always hashes the same."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _key(key: bytes | str) -> bytes:
    if not key:
        raise AuditKeyMissing("未配置 GOVIT_AUDIT_KEY，无法写入或校验历史记录")
    return key.encode("utf-8") if isinstance(key, str) else key


def event_mac(key: bytes | str, prev_hash: str, fields: dict) -> str:
    """HMAC-SM3 over the previous MAC and every field of this event."""
    message = (prev_hash + canonical(fields)).encode("utf-8")
    return hmac.new(_key(key), message, ALGORITHM).hexdigest()


def unkeyed_hash(prev_hash: str, fields: dict) -> str:
    """The chain as it was before the key (plain sha256): read only to re-seal old history once."""
    return hashlib.sha256((prev_hash + canonical(fields)).encode("utf-8")).hexdigest()


def checkpoint_mac(key: bytes | str, seq: int, digest: str) -> str:
    """The signature of the checkpoint kept outside the database."""
    return hmac.new(_key(key), f"govit-checkpoint|{seq}|{digest}".encode(), ALGORITHM).hexdigest()


def check_mac(key: bytes | str, checked_at: str, checked_by: str, upto_seq: int, upto_hash: str,
              broken_seq: int | None, broken_kind: str | None) -> str:
    """The signature of a recorded full check of the chain (the auditor's page shows the newest one
    whose signature holds): who cannot sign cannot record a check that never ran, or change its verdict."""
    message = canonical(["govit-audit-check", checked_at, checked_by, upto_seq, upto_hash, broken_seq, broken_kind])
    return hmac.new(_key(key), message.encode("utf-8"), ALGORITHM).hexdigest()


@dataclass(frozen=True)
class Link:
    """One stored event as the verifier sees it."""

    seq: int
    prev_hash: str
    hash: str
    fields: dict  # every column but the MAC itself and prev_hash (which is chained in)


def _valid(key, link: Link, prev: str, seq: int | None = None) -> bool:
    fields = link.fields if seq is None else {**link.fields, "seq": seq}
    return hmac.compare_digest(event_mac(key, prev, fields), link.hash)


def _moved_from(key, link: Link, by_hash: dict) -> int | None:
    """The seq this genuine event was sealed at, when it now sits elsewhere; None if forged."""
    before = by_hash.get(link.prev_hash)
    original = (before.seq + 1) if before else None
    for seq in {original, link.seq + 1, link.seq - 1} - {None, link.seq}:
        if _valid(key, link, link.prev_hash, seq):
            return seq
    return None


def first_break(key, links: list[Link], anchored_seq: int | None = None,
                after: tuple[int, str] = (0, GENESIS)) -> tuple[int, str] | None:
    """(seq, kind) of the first event that fails, kind one of KINDS, or None when the chain holds.
    `anchored_seq`: the newest seq the checkpoint outside the database vouches for (None: unknown).
    `after`: the (seq, MAC) of the event `links` continue from, already verified (the whole chain:
    none, the genesis)."""
    by_hash = {link.hash: link for link in links}
    expected_seq, expected_prev = after[0] + 1, after[1]
    for index, link in enumerate(links):
        if link.seq > expected_seq:
            return expected_seq, "delete"
        if link.prev_hash == expected_prev and _valid(key, link, expected_prev):
            expected_prev, expected_seq = link.hash, link.seq + 1
            continue
        return link.seq, _diagnose(key, links, index, expected_prev, by_hash, anchored_seq)
    return None


def _diagnose(key, links: list[Link], index: int, expected_prev: str, by_hash: dict, anchored_seq: int) -> str:
    link, rest = links[index], links[index + 1:]
    moved = _moved_from(key, link, by_hash)
    if moved is not None:  # a genuine event, sealed at another place
        return "delete" if moved > link.seq and link.prev_hash not in by_hash else "reorder"
    if link.prev_hash == expected_prev:
        # the links from here on still hold, but none verifies: rewritten and recomputed keylessly
        linked = all(b.prev_hash == a.hash for a, b in zip([link] + rest, rest))
        if rest and linked and not any(_valid(key, b, b.prev_hash) for b in rest):
            return "recomputed"
        if not rest and unkeyed_hash(link.prev_hash, link.fields) == link.hash:
            return "recomputed"
        if not rest and anchored_seq is not None and link.seq > anchored_seq:
            return "insert"  # appended after the last sealed checkpoint, by someone without the key
        if rest and rest[0].prev_hash == expected_prev:
            return "insert"  # the next event follows the one before this: this one was slipped in
        return "edit"
    if rest and rest[0].prev_hash == expected_prev:
        return "insert"
    return "edit"


def legacy_break(links: list[Link]) -> tuple[int, str] | None:
    """The unkeyed sha256 chain of a database not yet re-sealed (a backup restored at its own, older
    revision, before the upgrade re-seals it): (seq, kind) of the first break, or None."""
    expected_prev, expected_seq = GENESIS, 1
    for link in links:
        if link.seq > expected_seq:
            return expected_seq, "delete"
        if link.prev_hash != expected_prev or unkeyed_hash(link.prev_hash, link.fields) != link.hash:
            return link.seq, "edit"
        expected_prev, expected_seq = link.hash, link.seq + 1
    return None


def head_break(events_seq: int, events_hash: str | None, head: tuple[int, str] | None,
               checkpoint: tuple[int, str] | None, hash_at, anchored: bool = True) -> tuple[int, str] | None:
    """Compare the last event with the chain_head row and (`anchored`) the checkpoint kept outside
    the database.

    `hash_at(seq)` gives the stored MAC of event `seq` (None when there is none); `checkpoint` is
    None when there is no checkpoint file, ("forged", "") when its signature fails."""
    last = (events_seq, events_hash or GENESIS)
    if checkpoint is not None and checkpoint[0] == "forged":
        return events_seq, "checkpoint_forged"
    if checkpoint is not None and checkpoint[0] > events_seq:
        if events_seq == 0:
            return 1, "wipe"
        return events_seq + 1, "head_deleted" if head is None else "truncated"
    if head is None:
        return events_seq + 1, "head_deleted"
    if head[0] > events_seq:
        return events_seq + 1, "wipe" if events_seq == 0 else "truncated"
    if head != last:
        return head[0], "head_mismatch"
    if not anchored:
        return None
    if checkpoint is None:
        return (events_seq, "checkpoint_missing") if events_seq else None
    if checkpoint[0] and hash_at(checkpoint[0]) != checkpoint[1]:
        return checkpoint[0], "diverged"
    return None


def describe(found: tuple[int, str]) -> str:
    """The verdict in one line of Chinese, naming the first bad entry and the kind of tampering."""
    seq, kind = found
    return KINDS[kind].format(seq=seq)
