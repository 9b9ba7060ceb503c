"""govit as served in production, plus two bare endpoints: the framework's ceiling on this machine,
and the same for a signed-in user (the signed-in floor).

The ceiling goes through the same app (its before-request hooks, headers and session handling) but
renders nothing and reads no table, so a page's requests per second divided by the ceiling's is
the share of the framework's budget the page leaves unused. /_bench/signed-in does the same behind
sign-in: the session cookie checked, the server-side session and the user loaded, nothing else.

Each worker is warmed up as wsgi.py's are in production (govit/warmup.py), unless GOVIT_WARMUP=0."""
import os

from flask_login import login_required

from govit import create_app
from govit.auth.permissions import EVERYONE, OPEN, ROUTES, SELF, allow

app = create_app({"GOVIT_WARMUP": os.environ.get("GOVIT_WARMUP", "1").strip().lower() not in ("0", "false", "no", "off")})
ROUTES["bench_ceiling"] = OPEN
ROUTES["bench_signed_in"] = allow(EVERYONE, scope=SELF)


@app.get("/_bench/ceiling", endpoint="bench_ceiling")
def bench_ceiling():
    return "ok"


@app.get("/_bench/signed-in", endpoint="bench_signed_in")
@login_required
def bench_signed_in():
    return "ok"


if app.config["GOVIT_WARMUP"]:  # last: the warm-up serves requests, after which no route may be added
    from govit.warmup import warm_up
    warm_up(app)
