"""The Markdown pieces the results README (bench/report.py) and the main README's figures
(bench/readme.py) are made of: number formats, the median/p90/min-max table of each
implementation, a target's verdict, and the line saying which machine load and which rcnet a
results file was measured with."""

from __future__ import annotations

from typing import Any

IMPLS = ("rcnet", "ucarp", "keepalived")


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def summary_rows(cells: dict[str, dict[str, Any] | str]) -> list[str]:
    """median / p90 / min–max / n rows; a str cell is a reason the column is empty."""
    rows = []
    for label, key in (("median", "median"), ("p90", "p90"), ("min / max", None), ("n", "n")):
        line = [label]
        for impl in IMPLS:
            cell = cells.get(impl, "not run")
            if isinstance(cell, str):
                line.append(cell if label == "median" else "")
            elif key is None:
                line.append(f"{fmt(cell.get('min'))} / {fmt(cell.get('max'))}")
            elif key == "n":
                failed = cell.get("failed") or 0
                line.append(f"{cell.get('n')}" + (f" ({failed} failed)" if failed else ""))
            else:
                line.append(fmt(cell.get(key)))
        rows.append("| " + " | ".join(line) + " |")
    return rows


def table(title: str, cells: dict[str, dict[str, Any] | str], note: str = "") -> list[str]:
    out = [f"### {title}", ""]
    if note:
        out += [note, ""]
    out += ["| | " + " | ".join(IMPLS) + " |", "|---|" + "---:|" * len(IMPLS)]
    out += summary_rows(cells)
    return [*out, ""]


def verdict(value: float | None, limit: float, below: bool = True) -> str:
    if value is None or limit != limit:  # no figure, or nothing to compare it with (NaN)
        return "not measured"
    ok = value <= limit if below else value >= limit
    return "met" if ok else "MISSED"


def machine_line(data: dict[str, Any]) -> str:
    """The load the run shared the machine with (other processes are not the benchmark's)."""
    parts = []
    for when in ("before", "after"):
        m = data.get(f"machine_{when}")
        if not isinstance(m, dict):
            continue
        others = ", ".join(
            f"{p['command']} {p['cpu_percent']} %" for p in m.get("busy_processes", [])
        )
        parts.append(f"{when}: load {m.get('loadavg')}; other processes {others or 'quiet'}")
    text = ("Machine " + "; ".join(parts) + ".") if parts else ""
    text += " " + version_text(data.get("rcnet_before"), data.get("rcnet_after"))
    return text.strip()


def version_text(before: Any, after: Any = None) -> str:
    """Which rcnet was measured; a change of its sources during the run is flagged."""
    if not isinstance(before, dict):
        return ""
    text = f"rcnet {before.get('commit')} (sources {before.get('rcnet_sources_sha1')})"
    if isinstance(after, dict):
        if after.get("rcnet_sources_sha1") != before.get("rcnet_sources_sha1"):
            text += (
                f" **changed during the run** to sources {after.get('rcnet_sources_sha1')}"
                f" ({after.get('commit')}): the figures mix both"
            )
        elif after.get("commit") != before.get("commit"):
            text += f"; HEAD moved to {after.get('commit')} with rcnet/ unchanged"
    return text + "."


def median(cells: dict[str, dict[str, Any] | str], impl: str) -> float | None:
    cell = cells.get(impl)
    value = cell.get("median") if isinstance(cell, dict) else None
    return float(value) if isinstance(value, (int, float)) else None


def spread(cell: Any, digits: int) -> str:
    """`median (min–max)` of a summary, or the reason there is none."""
    if not isinstance(cell, dict) or cell.get("median") is None:
        return "–"
    return (
        f"{fmt(cell['median'], digits)} ({fmt(cell.get('min'), digits)}–"
        f"{fmt(cell.get('max'), digits)})"
    )


def ratio(a: Any, b: Any) -> float | None:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b:
        return round(a / b, 2)
    return None
