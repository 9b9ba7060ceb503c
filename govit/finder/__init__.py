"""Finding projects (issue 19, Build 4): search, the project list's filters, sorting and export,
and departments chosen by name."""
from flask import Blueprint

bp = Blueprint("find", __name__)

from . import views  # noqa: E402,F401
