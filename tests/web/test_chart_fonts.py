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


STALE_RUN = """
import warnings
from decimal import Decimal
from matplotlib import font_manager
from govit.reports import charts
assert not any(f.name.startswith(tuple(charts.CJK_FAMILIES)) for f in font_manager.fontManager.ttflist), "cache not stale"
with warnings.catch_warnings():
    warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
    png = charts.bar_chart_png("各部门投资（万元）", {"省教育厅": Decimal("1"), "省卫生健康委员会": Decimal("2")})
    progress = charts.progress_chart_png(["2026-01", "2026-02"], [Decimal(10), Decimal(20)], [Decimal(5), Decimal(15)])
assert png.startswith(b"\\x89PNG") and progress.startswith(b"\\x89PNG")
assert png != charts.unavailable_png("x") and charts._installed_family() in charts.CJK_FAMILIES
print("drawn with", charts._installed_family())
"""


def test_a_stale_matplotlib_cache_dir_written_before_the_font_still_draws_chinese(tmp_path):
    """Issue 19 Done-when: "every chart renders with a stale matplotlib cache" — a real MPLCONFIGDIR whose
    fontlist-v*.json was written before fonts-noto-cjk (no CJK entry), read by a fresh process."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path
    stale = font_manager.FontManager.__new__(font_manager.FontManager)
    stale.__dict__.update(font_manager.fontManager.__dict__)
    stale.ttflist = [f for f in font_manager.fontManager.ttflist if not f.name.startswith(CJK)]
    cache = tmp_path / f"fontlist-v{font_manager.FontManager.__version__}.json"
    font_manager.json_dump(stale, cache)
    assert not any(e["name"].startswith(CJK) for e in json.loads(cache.read_text())["ttflist"])
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path), "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", STALE_RUN], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "drawn with Noto Sans CJK" in done.stdout or "drawn with WenQuanYi" in done.stdout


def test_a_chart_that_fails_for_another_reason_is_an_image_saying_why(app, make, monkeypatch):
    """Never a 500: any failure while drawing gives an image naming the error (logged in full)."""
    def broken(*args, **kwargs):
        raise RuntimeError("font file unreadable")
    monkeypatch.setattr(charts, "cjk_family", broken)
    dashboard._charts.clear()
    response = signed_in(app, make).get("/dashboard/investment.png")
    dashboard._charts.clear()
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data == charts.unavailable_png("Chart unavailable: RuntimeError (see the server log)")
