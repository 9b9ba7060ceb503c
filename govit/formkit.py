"""Shared bits of the web forms."""
from wtforms.fields.choices import SelectChoice


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs or a {value: label} mapping."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]
