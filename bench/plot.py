"""bench/results/timeline.png: one failover of each implementation on a shared time axis.

The trial shown is each implementation's median one. Time 0 is the dead (or stopping) master's
last advert; the dashed line is the protocol's master-down bound for the host taking over; then
the first gratuitous ARP of the new master, its adverts, and the answers to the client's probes.
Needs matplotlib (the `bench` extra); without it the plot is skipped, saying so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
IMPLS = ("rcnet", "ucarp", "keepalived")
KINDS = (("unplanned", "unplanned failover (link cut, killed)"), ("planned", "planned (SIGTERM)"))


def timelines(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for impl in IMPLS:
        run = data.get("implementations", {}).get(impl, {})
        for kind, _ in KINDS:
            tl = run.get("summary", {}).get(kind, {}).get("median_trial") or {}
            if tl:
                out[(impl, kind)] = tl
    return out


def draw(data: dict[str, Any], path: Path) -> str | None:
    """Write the plot; returns why it was not written, or None."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install '.[bench]')"
    lines = timelines(data)
    if not lines:
        return "no trial with a timeline"
    fig, axes = plt.subplots(len(IMPLS), len(KINDS), figsize=(14, 7.5), sharex="col", squeeze=False)
    for col, (kind, title) in enumerate(KINDS):
        for row, impl in enumerate(IMPLS):
            ax = axes[row][col]
            tl = lines.get((impl, kind))
            ax.set_yticks([1, 2, 3], ["probe replies", "new master", "old master"])
            ax.set_ylim(0.4, 3.6)
            ax.grid(axis="x", alpha=0.3)
            if row == 0:
                ax.set_title(title)
            if col == 0:
                ax.set_ylabel(impl, rotation=0, ha="right", va="center", fontweight="bold")
            if tl is None:
                ax.text(0.5, 0.5, "not measured", transform=ax.transAxes, ha="center")
                continue
            _one(ax, tl, kind)
        axes[-1][col].set_xlabel("seconds since the old master's last advert")
    fig.suptitle("One failover of each implementation (the median trial), times from the capture")
    handles, labels = _legend(axes)
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


def _legend(axes: Any) -> tuple[list[Any], list[str]]:
    """One legend for the figure: every kind of mark once, whichever panel drew it."""
    seen: dict[str, Any] = {}
    for row in axes:
        for ax in row:
            for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
                seen.setdefault(label, handle)
    return list(seen.values()), list(seen)


def _one(ax: Any, tl: dict[str, Any], kind: str) -> None:
    s = 1000.0
    old = [t / s for t in tl.get("victim_adverts_ms", [])]
    new = [t / s for t in tl.get("survivor_adverts_ms", [])]
    replies = [t / s for t in tl.get("replies_ms", [])]
    ax.plot(replies, [1] * len(replies), "|", color="0.55", markersize=7, label="probe reply")
    ax.plot(new, [2] * len(new), "|", color="tab:green", markersize=14, mew=2, label="new adverts")
    ax.plot(old, [3] * len(old), "|", color="tab:blue", markersize=14, mew=2, label="old adverts")
    bow = bool(tl.get("bow_out"))
    last = "last advert: bow-out" if bow else "last advert"
    ax.plot([0], [3], "o", color="tab:purple" if bow else "tab:blue", label=last)
    bound = tl.get("bound_ms")
    if bound is not None and kind == "unplanned":
        ax.axvline(bound / s, color="tab:red", ls="--", lw=1, label="master-down bound")
    garp = tl.get("garp_ms")
    if garp is not None:
        ax.plot([garp / s], [2], "*", color="tab:red", markersize=13, label="first GARP")
        text = (
            f"GARP − bound = {garp - bound:,.1f} ms"
            if kind == "unplanned" and bound is not None
            else f"GARP − last advert = {garp:,.1f} ms"
        )
        ax.annotate(text, (garp / s, 2), xytext=(6, 8), textcoords="offset points", fontsize=8)
