"""govit as served in production, plus one bare endpoint: the framework's ceiling on this machine.

The ceiling goes through the same app (its before-request hooks, headers and session handling) but
renders nothing and reads no table, so a page's requests per second divided by the ceiling's is
the share of the framework's budget the page leaves unused."""
from govit import create_app
from govit.auth.permissions import OPEN, ROUTES

app = create_app()
ROUTES["bench_ceiling"] = OPEN


@app.get("/_bench/ceiling", endpoint="bench_ceiling")
def bench_ceiling():
    return "ok"
