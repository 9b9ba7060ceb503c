"""WSGI entry point: `gunicorn wsgi:app` or any WSGI server."""
from govit import create_app

app = create_app()
