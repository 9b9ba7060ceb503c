"""Plan charts drawn with matplotlib's Figure (never pyplot in a server), Chinese labels in a CJK font."""
import functools
import glob
import io
import logging
from decimal import Decimal

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

matplotlib.use("Agg")
# freely licensed CJK fonts, Debian's fonts-noto-cjk first, WenQuanYi as the fallback
CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei"]


# where Debian puts those fonts: registered from the file when matplotlib's font cache predates them
CJK_FILES = ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK*.ttc", "/usr/share/fonts/truetype/wqy/wqy-*.tt[cf]"]
log = logging.getLogger(__name__)


class FontMissingError(RuntimeError):
    """No freely licensed CJK font is installed: `apt-get install fonts-noto-cjk`."""


def _installed_family() -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


def cjk_family() -> str:
    """The CJK family to draw with. matplotlib's font cache is written once and never refreshed,
    so a cache older than `make fonts` lists no CJK font: the font files are then added directly."""
    family = _installed_family()
    if family is None:
        for pattern in CJK_FILES:
            for path in sorted(glob.glob(pattern)):
                font_manager.fontManager.addfont(path)
        family = _installed_family()
    if family is None:
        raise FontMissingError("未找到中文字体，请安装 fonts-noto-cjk（Debian）")
    return family


def unavailable_png(reason: str) -> bytes:
    """An image that says why a chart could not be drawn, in matplotlib's own font (always present):
    a page keeps working, and whoever looks at it learns what to install."""
    figure = Figure(figsize=(6, 1.4), dpi=110)
    figure.text(0.5, 0.5, reason, ha="center", va="center", fontsize=10, color="#b42318", wrap=True)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _safely(draw):
    """A chart that cannot be drawn answers with an image saying why, never a server error."""
    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        try:
            return draw(*args, **kwargs)
        except FontMissingError:
            log.error("chart %s: no CJK font installed", draw.__name__)
            return unavailable_png("Chart unavailable: no Chinese font installed (apt-get install fonts-noto-cjk)")
        except Exception as err:  # issue 19 finding 4: a broken font file or cache, bad data: an image, not a 500
            log.exception("chart %s could not be drawn", draw.__name__)
            return unavailable_png(f"Chart unavailable: {type(err).__name__} (see the server log)")
    return wrapper


@_safely
def bar_chart_png(title: str, values: dict[str, Decimal], unit: str = "万元", decimals: int = 2,
                  keep_order: bool = False) -> bytes:
    """A horizontal bar chart as PNG bytes: largest on top, or in the given order from the top."""
    family = cjk_family()
    labels = list(reversed(values)) if keep_order else sorted(values, key=lambda k: values[k])
    numbers = [float(values[k]) for k in labels]  # plotting only: the money stays Decimal elsewhere
    figure = Figure(figsize=(7.5, max(2.5, 0.45 * len(labels) + 1.2)), dpi=110)
    axes = figure.subplots()
    bars = axes.barh(labels, numbers, color="#1b4f9c")
    axes.bar_label(bars, labels=[f"{n:,.{decimals}f}" for n in numbers], padding=3, fontsize=9, family=family)
    axes.set_title(title, family=family, fontsize=13)
    axes.set_xlabel(unit, family=family)
    for label in axes.get_yticklabels():
        label.set_family(family)
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.18)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


@_safely
def progress_chart_png(periods: list[str], planned: list[Decimal], actual: list[Decimal]) -> bytes:
    """Planned against reported % complete by month: the schedule variance at a glance."""
    family = cjk_family()
    figure = Figure(figsize=(6, 2.6), dpi=110)
    axes = figure.subplots()
    axes.plot(periods, [float(p) for p in planned], linestyle="--", color="#667085", label="计划")
    axes.plot(periods, [float(a) for a in actual], marker="o", color="#1b4f9c", label="实际")
    axes.set_ylim(0, 100)
    axes.set_ylabel("完成（%）", family=family)
    axes.set_title("进度：计划与实际", family=family, fontsize=11)
    axes.legend(prop={"family": family}, loc="upper left")
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
