"""gunicorn settings for one govit app server (docs/DEPLOY.md). Start: gunicorn -c deploy/gunicorn.conf.py wsgi:app"""
import multiprocessing
import os

bind = os.environ.get("GOVIT_BIND", "127.0.0.1:8000")  # nginx (on this or another VM) proxies here
workers = int(os.environ.get("GOVIT_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "sync"
timeout = 60  # exports and charts finish well within this
graceful_timeout = 30  # `systemctl reload govit` lets running requests finish
max_requests, max_requests_jitter = 2000, 200
forwarded_allow_ips = os.environ.get("GOVIT_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog, errorlog = "-", "-"  # to the journal
# no preload_app: each worker loads wsgi.py itself, which warms it up (GOVIT_WARMUP, govit/warmup.py)
# before the worker takes a request, and `systemctl reload` starts workers on the new code


def when_ready(server):
    """Once listening, say where the load balancer's checks are (docs/DEPLOY.md 6a)."""
    server.log.info("govit ready on %s: liveness GET /healthz, readiness GET /readyz (503 while the "
                    "database is unreachable)", bind)


def post_worker_init(worker):
    """Say how long the worker's warm-up took (docs/DEPLOY.md, GOVIT_WARMUP)."""
    done = getattr(worker.wsgi, "extensions", {}).get("govit_warmup")
    if done:
        worker.log.info("govit worker %s warmed up in %s s: %s modules, %s templates, holidays, menus",
                        worker.pid, done["seconds"], done["modules"], done["templates"])
