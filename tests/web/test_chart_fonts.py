"""Charts survive a matplotlib font cache written before the CJK font was installed (issue 19 finding 4),
and a machine with no CJK font at all gets an image that says why, never a 500."""
import warnings

import pytest
from matplotlib import font_manager

from govit.alerts import dashboard
from govit.reports import charts

from ..helpers import PASSWORD

CJK = tuple(charts.CJK_FAMILIES)


@pytest.fixture
def stale_cache(monkeypatch):
    """The font list as a cache from before `make fonts` has it: every font but the CJK ones."""
    ttflist = [f for f in font_manager.fontManager.ttflist if not f.name.startswith(CJK)]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", ttflist)
    dashboard._charts.clear()
    yield ttflist
    dashboard._charts.clear()


def signed_in(app, make):
    user = make.user("planner", "YSHJ")
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    return client


def test_a_stale_font_cache_still_draws_every_chinese_glyph(app, make, stale_cache):
    assert charts._installed_family() is None
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        response = signed_in(app, make).get("/dashboard/investment.png")
    assert response.status_code == 200 and response.data.startswith(b"\x89PNG")
    assert charts._installed_family() in CJK  # registered from the installed file


def test_no_cjk_font_at_all_gives_an_image_that_says_why(app, make, stale_cache, monkeypatch):
    monkeypatch.setattr(charts, "CJK_FILES", [])
    with pytest.raises(charts.FontMissingError):
        charts.cjk_family()
    response = signed_in(app, make).get("/dashboard/funnel.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data == charts.unavailable_png(
        "Chart unavailable: no Chinese font installed (apt-get install fonts-noto-cjk)")
