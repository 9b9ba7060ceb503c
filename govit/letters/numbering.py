"""The 文号 sequence: per issuing authority and year, no gap, no number twice, safe under concurrent
finalisations on several app servers: the counter row is taken with one UPDATE … RETURNING, which
holds its row lock until the finalising transaction commits or rolls back (a rollback gives the
number back, so no gap either)."""
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import LetterCounter


def take_number(authority: str, year: int) -> int:
    """The next 文号 of `authority` in `year`, inside the caller's transaction."""
    bump = (update(LetterCounter).where(LetterCounter.authority == authority, LetterCounter.year == year)
            .values(last=LetterCounter.last + 1).returning(LetterCounter.last))
    number = db.session.execute(bump).scalar_one_or_none()
    if number is None:  # the year's first letter: make the row (once, whoever comes first), then take
        insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        db.session.execute(insert(LetterCounter).values(authority=authority, year=year, last=0)
                           .on_conflict_do_nothing())
        number = db.session.execute(bump).scalar_one()
    return number
