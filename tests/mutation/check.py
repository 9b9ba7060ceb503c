"""Read mutmut's results over govit/domain/ and fail on a surviving mutant of a rule line (issue 18).

`make mutation` runs mutmut (configured in setup.cfg) and then this script; a mutant *survives* when
no test failed with it ("survived"), or when no test reaches it at all ("no tests"). A mutant is on
a rule line when a line it changes names a rule id (R-XXX, in a comment or the RuleViolation it
raises). tests/mutation/equivalent.txt lists mutants that cannot be killed because they behave as
the original (one a line: the mutant's name, then `#` and the reason); they are not counted.

Usage: python tests/mutation/check.py [--all]   (--all: print every survivor, not only rule lines)
Exit 1 when a non-equivalent mutant on a rule line survives, or when there are no results.
"""
import difflib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = ROOT / "mutants"
EQUIVALENT = Path(__file__).with_name("equivalent.txt")
RULE = re.compile(r"\bR-[A-Z][A-Z0-9-]*")
# mutmut's exit codes (mutmut/stats.py): 1, 3 killed; 0 survived; 5, 33 no tests; timeouts count as killed
KILLED, SURVIVED, NO_TESTS = {1, 3, 24, -24, 36, 152, 255}, {0}, {5, 33}


def equivalents() -> dict[str, str]:
    found = {}
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines() if EQUIVALENT.exists() else []:
        name, _, reason = line.partition("#")
        if name.strip():
            if not reason.strip():
                sys.exit(f"{EQUIVALENT.name}: {name.strip()} needs a one-line reason after #")
            found[name.strip()] = reason.strip()
    return found


def rule_lines(lines: list[str]) -> set[int]:
    """Indexes of the lines that name a rule: the line says R-XXX (a `# R-XXX` comment, or the
    RuleViolation it raises), or follows a comment line that does, or is the condition right before
    a `raise RuleViolation("R-XXX", ...)` (the check that decides whether the rule is broken)."""
    found = set()
    for i, line in enumerate(lines):
        text = line.strip()
        if RULE.search(text):
            found.add(i)
            if text.startswith("#") and i + 1 < len(lines):
                found.add(i + 1)
            if text.startswith("raise") and i > 0 and lines[i - 1].strip().startswith(("if ", "elif ")):
                found.add(i - 1)
    return found


def is_message_only(before: list[str], after: list[str]) -> bool:
    """A change inside a `raise` that keeps the rule id: the message or field hints only (what the
    user reads, not what the rule decides). Listed with --all, not failed on."""
    def ids(lines):
        return sorted(RULE.findall(" ".join(lines)))
    in_raise = all(line.startswith(("raise ", '"', "f\"", "fields=")) for line in before)
    return bool(before) and in_raise and ids(before) == ids(after)


def changed_lines(source: list[str], spans: dict, function: str) -> tuple[list[str], list[str], bool]:
    """The original function's lines the mutant changes, the mutant's lines instead, and whether a
    changed line is a rule line."""
    orig = function.rsplit("__mutmut_", 1)[0] + "__mutmut_orig"

    def body(name):
        start, end = spans[name]
        return [line.replace(name, "FN") for line in source[start - 1:end]]
    old, new = body(orig), body(function)
    rules, before, after, on_rule = rule_lines(old), [], [], False
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag != "equal":
            before += [line.strip() for line in old[i1:i2]]
            after += [line.strip() for line in new[j1:j2]]
            on_rule = on_rule or any(i in rules for i in range(i1, i2))
    return before, after, on_rule


def results():
    """(name, status, changed original lines, mutant lines) of every mutant over govit/domain."""
    for meta in sorted(MUTANTS.glob("govit/domain/*.py.meta")):
        source_path = meta.with_suffix("")
        spans_path = source_path.with_name(source_path.name + ".spans")
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        spans = json.loads(spans_path.read_text(encoding="utf-8"))["spans"]
        source = source_path.read_text(encoding="utf-8").splitlines()
        for key, code in sorted(codes.items(), key=lambda kv: (kv[0].rsplit("_", 1)[0], int(kv[0].rsplit("_", 1)[1]))):
            status = ("killed" if code in KILLED else "survived" if code in SURVIVED
                      else "no tests" if code in NO_TESTS else f"exit {code}")
            function = key.rsplit(".", 1)[1]
            before, after, on_rule = changed_lines(source, spans, function)
            yield key, status, before, after, on_rule and not is_message_only(before, after)


def main(argv: list[str]) -> int:
    if not MUTANTS.exists():
        print("no mutmut results: run `make mutation` first")
        return 1
    equivalent, total, killed, shown_all = equivalents(), 0, 0, "--all" in argv
    failing, survivors, used = [], [], set()
    for name, status, before, after, on_rule in results():
        total += 1
        if status == "killed":
            killed += 1
            continue
        entry = f"{status:9} {name}\n          - {' | '.join(before)}\n          + {' | '.join(after)}"
        if name in equivalent:
            used.add(name)
            killed += 1  # counted as not a gap: it cannot be told apart from the original
            continue
        survivors.append(entry)
        if on_rule:
            failing.append(entry)
    stale = sorted(set(equivalent) - used)
    print(f"mutation score over govit/domain: {killed}/{total} killed or equivalent "
          f"({100 * killed / max(total, 1):.1f}%), {len(survivors)} surviving, "
          f"{len(failing)} of them on a line naming a rule, {len(used)} equivalent")
    if shown_all:
        print("\n".join(["", "surviving mutants:", *survivors]))
    if stale:
        print("equivalent.txt names mutants that no longer exist or were killed: " + ", ".join(stale))
    if failing:
        print("\n".join(["", "surviving mutants on rule lines (add a test in tests/unit, or list an "
                         "equivalent one with its reason in tests/mutation/equivalent.txt):", *failing]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
