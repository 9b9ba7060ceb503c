"""WSGI entry point: `gunicorn wsgi:app` or any WSGI server."""
import sys

from govit import create_app
from govit.config import serving_problems

app = create_app()
if problems := serving_problems(app.config):  # CRYPTO.md: no plain HTTP, no document key: no start
    sys.exit("govit 拒绝启动：" + "；".join(problems))
