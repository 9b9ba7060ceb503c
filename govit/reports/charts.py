"""Plan charts drawn with matplotlib's Figure (never pyplot in a server), Chinese labels in a CJK font."""
import io
from decimal import Decimal

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

matplotlib.use("Agg")
# freely licensed CJK fonts, Debian's fonts-noto-cjk first, WenQuanYi as the fallback
CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei"]


class FontMissingError(RuntimeError):
    """No freely licensed CJK font is installed: `apt-get install fonts-noto-cjk`."""


def cjk_family() -> str:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    raise FontMissingError("未找到中文字体，请安装 fonts-noto-cjk（Debian）")


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
