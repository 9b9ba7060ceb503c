"""The API page (issue 19 Build 9): Swagger UI served by govit itself at /api/v1/docs, reading
/api/v1/openapi.json. Its files are vendored under govit/static/swagger-ui (no CDN: the intranet
may be offline, and govit's CSP allows scripts from govit only)."""
from flask import render_template

from . import bp

SWAGGER_UI_VERSION = "5.35.0"  # govit/static/swagger-ui/README.md


@bp.get("/docs")
def docs():
    """The human-readable API page; no sign-in, like the OpenAPI document it reads."""
    return render_template("api/docs.html")
