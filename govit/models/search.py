"""Search words (issue 19, Build 4): each project's words, cut with jieba when the project is
written (search_index), each with its weight: an inverted index the search reads by word."""
from sqlalchemy import ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class SearchWord(db.Model):
    __tablename__ = "search_word"
    __table_args__ = (Index("ix_search_word_word", "word", "project_id"),)  # a word → its projects
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), primary_key=True)
    word: Mapped[str] = mapped_column(String(64), primary_key=True)
    weight: Mapped[int] = mapped_column(SmallInteger)
