"""PNG plots of evaluation results (matplotlib, Agg canvas: no display, no global pyplot state).

* :func:`plot_recall_curves` — mean recall@k against k, one line per system (and dev set);
* :func:`plot_latency` — per-query latency distributions (ms, log scale), one box per system;
* :func:`plot_ratio_table` — a table of figures side by side with their ratio (medcite / other);
* :func:`plot_answer_rates` — bars of the answer metrics (rates 0..1).

Each function writes one PNG and returns its path.

Raises (all): :class:`~medcite.errors.UsageError` when matplotlib is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import UsageError


def _figure(w: float, h: float):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as e:  # pragma: no cover - optional dependency
        raise UsageError("plots need matplotlib: pip install 'medcite[eval]'") from e
    fig = Figure(figsize=(w, h), dpi=110)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: str | Path) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(p, format="png")
    return p


def plot_recall_curves(curves: Mapping[str, Sequence[tuple[int, float]]], path: str | Path, title: str = "recall@k") -> Path:
    """Line plot of recall@k.

    Args:
        curves: label (``"hybrid"``, ``"medcite / pubmedqa"``) → ``[(k, mean recall@k)]``.
        path: PNG to write.
    """
    fig = _figure(6.4, 4.2)
    ax = fig.add_subplot(1, 1, 1)
    for label, pts in curves.items():
        if not pts:
            continue
        ks, ys = zip(*sorted(pts))
        ax.plot(ks, ys, marker="o", label=label)
    ax.set_xlabel("k (papers)")
    ax.set_ylabel("mean recall@k")
    ax.set_ylim(0, 1.0)
    ax.grid(alpha=0.3)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return _save(fig, path)


def plot_latency(latencies_ms: Mapping[str, Sequence[float]], path: str | Path, title: str = "query latency") -> Path:
    """Box plot of per-query latency (milliseconds, log axis), one box per label."""
    fig = _figure(6.4, 4.2)
    ax = fig.add_subplot(1, 1, 1)
    labels = [k for k, v in latencies_ms.items() if len(v)]
    data = [[max(float(x), 1e-3) for x in latencies_ms[k]] for k in labels]
    if data:
        ax.boxplot(data, tick_labels=labels, showfliers=True, whis=(5, 95))
        ax.set_yscale("log")
    ax.set_ylabel("ms per query (whiskers: p5–p95)")
    ax.grid(alpha=0.3, axis="y")
    ax.set_title(title)
    for lab in ax.get_xticklabels():
        lab.set_rotation(15)
    return _save(fig, path)


def plot_ratio_table(rows: Sequence[Sequence], columns: Sequence[str], path: str | Path, title: str = "") -> Path:
    """A figure holding a table (e.g. metric, medcite, LangChain, ratio).

    Args:
        rows: table rows; numbers are shown with 3 significant digits.
        columns: header cells.
    """

    def fmt(v) -> str:
        if isinstance(v, float):
            return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"
        return "" if v is None else str(v)

    cells = [[fmt(v) for v in r] for r in rows]
    fig = _figure(2.0 * max(len(columns), 1) + 3.0, 0.32 * (len(cells) + 2) + 0.6)
    ax = fig.add_subplot(1, 1, 1)
    ax.axis("off")
    if cells:
        first = min(0.4, 0.007 * max(len(str(r[0])) for r in cells + [list(columns)]) + 0.04)
        widths = [first] + [(1 - first) / max(len(columns) - 1, 1)] * (len(columns) - 1)
        t = ax.table(cellText=cells, colLabels=list(columns), loc="center", cellLoc="right", colLoc="right", colWidths=widths)
        t.auto_set_font_size(False)
        t.set_fontsize(9)
        t.scale(1, 1.3)
    if title:
        ax.set_title(title, fontsize=10)
    return _save(fig, path)


def plot_answer_rates(rates: Mapping[str, float | None], path: str | Path, title: str = "answers") -> Path:
    """Bars of answer metrics (0..1); ``None`` values are shown as "n/a"."""
    fig = _figure(6.4, 3.8)
    ax = fig.add_subplot(1, 1, 1)
    names = list(rates)
    vals = [rates[n] if rates[n] is not None else 0.0 for n in names]
    bars = ax.bar(range(len(names)), vals, color="#4a7ab5")
    for b, n in zip(bars, names):
        v = rates[n]
        ax.annotate("n/a" if v is None else f"{v:.2f}", (b.get_x() + b.get_width() / 2, b.get_height()),
                    ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=20, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.grid(alpha=0.3, axis="y")
    return _save(fig, path)
