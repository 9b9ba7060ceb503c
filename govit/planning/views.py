from flask import Blueprint

bp = Blueprint("planning", __name__)
