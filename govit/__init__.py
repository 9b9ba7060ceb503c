"""govit: 黑龙江省政务信息化项目全流程管理 (黑政办发〔2023〕21号)."""
from pathlib import Path

from flask import Flask

from .config import load_config

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def create_app(config: dict | None = None) -> Flask:
    """The application factory: configure, then register each part by name. No I/O here."""
    app = Flask(__name__, template_folder=str(TEMPLATES), instance_relative_config=True)
    app.config.update(load_config(config))
    from .factory import (register_blueprints, register_commands, register_errorhandlers, register_extensions,
                          register_health, register_security_headers, register_template_helpers)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_health(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_commands(app)
    from .transaction import register_read_only_requests
    register_read_only_requests(app)
    hops = app.config.get("GOVIT_PROXY_HOPS", 0)
    if hops:  # the scheme and client address the user's browser used, as told by nginx
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app
