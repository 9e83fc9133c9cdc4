"""The dashboard's charts: matplotlib, imported only when a chart is drawn, each figure an SVG
data URI. Every chart has a table with the same numbers beside it (page.py)."""

from __future__ import annotations

import base64
import io
import textwrap

from .statistics import ItemMiss, MarkerUse, ModuleCompletion, RewriteChange, fmt_percent

# Okabe & Ito's palette: distinguishable with every common colour-vision deficiency. Each
# series also differs by hatch or marker shape, so no chart relies on colour alone.
BLUE, ORANGE, VERMILLION, SKY, GREEN = "#0072B2", "#E69F00", "#D55E00", "#56B4E9", "#009E73"
GREY = "#DDDDDD"
TEXT = "#1f2328"
MAX_MISSED_IN_CHART = 10

_RC = {
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "axes.edgecolor": "#6e7781",
    "axes.labelcolor": TEXT,
    "text.color": TEXT,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "hatch.linewidth": 0.8,
    # Stable ids in the SVG, so the same data gives the same picture (and widget state).
    "svg.hashsalt": "repairlab-dashboard",
}


def _wrap(text: str, width: int = 30, lines: int = 2) -> str:
    return textwrap.fill(text, width, max_lines=lines, placeholder="…")


def _new_figure(rows: int, *, width: float = 8.0, per_row: float = 0.55, extra: float = 1.2):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # A Figure with its own Agg canvas, not pyplot: no global backend switch in the kernel,
    # nothing shown twice by the inline backend, and no figures kept alive by pyplot.
    figure = Figure(figsize=(width, extra + per_row * max(rows, 1)), layout="constrained",
                    facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def _svg_data_uri(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def render(draw, *args) -> str:
    import matplotlib

    with matplotlib.rc_context(_RC):
        return _svg_data_uri(draw(*args))


def _finish_axis(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_axisbelow(True)
    ax.grid(axis="x", color="#d0d7de", linewidth=0.8)


def _legend(figure, handles, labels, columns: int = 3) -> None:
    # Below the plot, so it never covers a bar (constrained layout makes room). The charts
    # carry no title: the section heading above each one is its title, for everyone.
    figure.legend(handles, labels, loc="outside lower left", ncols=columns, frameon=False)


def _count_axis(ax, most: int, label: str) -> None:
    """Whole-number ticks up to ``most`` only; the room beyond is for the bar-end labels."""
    from matplotlib.ticker import MaxNLocator

    most = max(most, 1)
    ax.set_xlim(0, most * 1.18 + 0.3)
    ax.set_xticks([t for t in MaxNLocator(integer=True).tick_values(0, most) if 0 <= t <= most])
    ax.set_xlabel(label)


def _label_end(ax, x: float, y: float, text: str) -> None:
    ax.annotate(text, (x, y), xytext=(4, 0), textcoords="offset points", va="center",
                fontsize=9)


def completion_chart(rows: list[ModuleCompletion]):
    figure = _new_figure(len(rows))
    ax = figure.add_subplot()
    y = range(len(rows))
    left = [0] * len(rows)
    series = [("All done", "all_done", BLUE, "", "white"),
              ("Some done", "some_done", ORANGE, "//", TEXT),
              ("None done yet", "none_done", GREY, "", TEXT)]
    for name, attr, colour, hatch, ink in series:
        values = [getattr(r, attr) for r in rows]
        bars = ax.barh(y, values, left=left, color=colour, hatch=hatch, edgecolor="#444444",
                       linewidth=0.6, label=name)
        for bar, value, row in zip(bars, values, rows, strict=True):
            if value and value / max(row.students, 1) >= 0.08:
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2,
                        str(value), ha="center", va="center", color=ink, fontweight="bold",
                        bbox={"facecolor": colour, "edgecolor": "none", "pad": 1.5})
        left = [a + b for a, b in zip(left, values, strict=True)]
    for bar_end, row, at in zip(left, rows, y, strict=True):
        _label_end(ax, bar_end, at, f"mean {fmt_percent(row.mean_completion)}")
    ax.set_yticks(list(y), [_wrap(r.title, 32) for r in rows])
    ax.invert_yaxis()  # course order, top to bottom
    _count_axis(ax, max(left), "Students")
    _finish_axis(ax)
    _legend(figure, *ax.get_legend_handles_labels())
    return figure


def missed_chart(rows: list[ItemMiss]):
    figure = _new_figure(len(rows), per_row=0.8)
    ax = figure.add_subplot()
    height = 0.38
    ys = list(range(len(rows)))
    first = ax.barh([y - height / 2 for y in ys], [r.first_wrong_percent or 0 for r in rows],
                    height, color=VERMILLION, edgecolor="#444444", linewidth=0.6,
                    label="Wrong on the first attempt")
    never = ax.barh([y + height / 2 for y in ys], [r.never_solved_percent or 0 for r in rows],
                    height, color=SKY, hatch="//", edgecolor="#444444", linewidth=0.6,
                    label="Never solved")
    for bars in (first, never):
        for bar in bars:
            _label_end(ax, bar.get_width(), bar.get_y() + bar.get_height() / 2,
                       f"{bar.get_width():.0f}%")
    ax.set_yticks(ys, [f"{_wrap(r.title, 34, 1)}\n{r.item_id} · {r.tried} tried" for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    ax.set_xticks(range(0, 101, 20), [f"{v}%" for v in range(0, 101, 20)])
    ax.set_xlabel("Share of the students who tried the item")
    _finish_axis(ax)
    _legend(figure, *ax.get_legend_handles_labels(), columns=2)
    return figure


def marker_chart(rows: list[MarkerUse]):
    figure = _new_figure(len(rows), per_row=0.5)
    ax = figure.add_subplot()
    ys = list(range(len(rows)))
    bars = ax.barh(ys, [r.students for r in rows], color=VERMILLION, edgecolor="#444444",
                   linewidth=0.6)
    for bar, row in zip(bars, rows, strict=True):
        _label_end(ax, bar.get_width(), bar.get_y() + bar.get_height() / 2,
                   f"{row.students} of {row.writers}")
    ax.set_yticks(ys, [_wrap(r.label, 34) for r in rows])
    ax.invert_yaxis()
    _count_axis(ax, max(r.writers for r in rows),
                "Students whose rewrites contained it at least once")
    _finish_axis(ax)
    return figure


def rewrite_chart(rows: list[RewriteChange]):
    figure = _new_figure(len(rows), width=9.0, per_row=0.75, extra=1.5)
    score_ax, defensive_ax = figure.subplots(1, 2, sharey=True, width_ratios=[3, 2])
    ys = list(range(len(rows)))
    panels = [(score_ax, "Mean score", lambda r: (r.first_score, r.last_score)),
              (defensive_ax, "Replies still defensive",
               lambda r: (r.first_defensive_percent, r.last_defensive_percent))]
    for ax, title, values in panels:
        for y, row in zip(ys, rows, strict=True):
            start, end = values(row)
            if start is not None and end is not None:
                ax.annotate("", xy=(end, y), xytext=(start, y),
                            arrowprops={"arrowstyle": "-|>", "color": "#6e7781", "lw": 1.2,
                                        "shrinkA": 5, "shrinkB": 6})
        pairs = [(values(r), y) for y, r in zip(ys, rows, strict=True)]
        firsts = [(start, y) for (start, _end), y in pairs if start is not None]
        lasts = [(end, y) for (_start, end), y in pairs if end is not None]
        ax.scatter([x for x, _ in firsts], [y for _, y in firsts], marker="o", s=70,
                   color=ORANGE, edgecolor="#444444", zorder=3, label="First attempt")
        ax.scatter([x for x, _ in lasts], [y for _, y in lasts], marker="s", s=70,
                   color=BLUE, edgecolor="#444444", zorder=3, label="Last attempt")
        ax.set_xlim(-5, 105)
        ax.set_xticks(range(0, 101, 25), [f"{v}%" for v in range(0, 101, 25)])
        ax.set_title(title, loc="left", fontsize=11)
        _finish_axis(ax)
    score_ax.set_yticks(ys, [f"{_wrap(r.title, 30)}\n{r.revised} revised" for r in rows])
    score_ax.set_ylim(len(rows) - 0.5, -0.5)  # first row on top
    if len(rows) > 1:  # the last row is the whole class: set it apart
        for ax in (score_ax, defensive_ax):
            ax.axhline(len(rows) - 1.5, color="#6e7781", linewidth=0.8, linestyle="--")
    _legend(figure, *score_ax.get_legend_handles_labels(), columns=2)
    return figure


