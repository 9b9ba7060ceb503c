"""The hash chain of the history (R-AUDIT-TRAIL): each event seals the one before it."""
import hashlib
import json

GENESIS = "0" * 64


def canonical(data) -> str:
    """JSON with sorted keys and no spaces, so the same data always hashes the same."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def event_hash(prev_hash: str, fields: dict) -> str:
    """sha256 over the previous hash and this event's fields."""
    return hashlib.sha256((prev_hash + canonical(fields)).encode("utf-8")).hexdigest()


def first_broken(events) -> int | None:
    """Given (seq, prev_hash, hash, fields) in order, the seq of the first event that fails."""
    found = first_break(events)
    return found[0] if found else None


def first_break(events) -> tuple[int, str] | None:
    """(seq, 'deleted' | 'altered' | 'inserted') of the first break in the chain, or None."""
    expected_prev, expected_seq = GENESIS, 1
    for seq, prev, digest, fields in events:
        if seq > expected_seq:
            return expected_seq, "deleted"
        if seq < expected_seq:
            return seq, "inserted"
        if prev != expected_prev:
            return seq, "inserted" if event_hash(prev, fields) == digest else "altered"
        if event_hash(prev, fields) != digest:
            return seq, "altered"
        expected_prev, expected_seq = digest, seq + 1
    return None
