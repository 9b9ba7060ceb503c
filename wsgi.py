"""WSGI entry point: `gunicorn wsgi:app` or any WSGI server."""
import sys

from govit import create_app
from govit.config import serving_problems

app = create_app()
if problems := serving_problems(app.config):  # CRYPTO.md: no plain HTTP, no document key: no start
    sys.exit("govit 拒绝启动：" + "；".join(problems))
if app.config["GOVIT_WARMUP"]:  # issue 24: each worker warmed up before its first request
    from govit.warmup import warm_up
    warm_up(app)
