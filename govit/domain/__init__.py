"""govit's rules as plain Python: no Flask, no SQLAlchemy (STYLE.md habit 2)."""
from .errors import RuleViolation

__all__ = ["RuleViolation"]
