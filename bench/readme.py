"""The performance table of the repository's README.md, made from bench/results/*.json.

`make bench` rewrites what lies between the two marker lines below in README.md (nothing else),
so every figure there comes from a results file that records its commit and machine load; a
figure whose file is missing shows as –.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench import report, tables

README = Path(__file__).resolve().parents[1] / "README.md"
BEGIN = "<!-- bench:begin (make bench writes this table from bench/results) -->"
END = "<!-- bench:end -->"


def _cell(summary: Any, digits: int = 1, p90: bool = False) -> str:
    if not isinstance(summary, dict) or summary.get("median") is None:
        return "–"
    text = tables.fmt(float(summary["median"]), digits)
    if p90 and summary.get("p90") is not None:
        text += f" ({tables.fmt(float(summary['p90']), digits)})"
    return text


def _failover_rows(data: dict[str, Any]) -> list[list[str]]:
    impls = data.get("implementations", {})

    def row(label: str, kind: str, key: str, p90: bool = False) -> list[str]:
        cells = [label]
        for impl in tables.IMPLS:
            run = impls.get(impl, {})
            cells.append(_cell(run.get("summary", {}).get(kind, {}).get(key), p90=p90))
        return cells

    usable = report.failover_cells(data, "unplanned", "usable_overhead_ms")
    rc, ka = tables.median(usable, "rcnet"), tables.median(usable, "keepalived")
    planned = tables.median(report.failover_cells(data, "planned", "usable_handover_ms"), "rcnet")
    return [
        [
            *row("unplanned failover, VIP usable beyond the protocol's bound, median (p90)",
                 "unplanned", "usable_overhead_ms", p90=True),
            f"≤ keepalived: {tables.verdict(rc, ka if ka is not None else float('nan'))}",
        ],
        [*row("unplanned failover, first GARP beyond the bound, median (p90)",
              "unplanned", "overhead_ms", p90=True), ""],
        [
            *row("planned handover, VIP usable after the bow-out, median",
                 "planned", "usable_handover_ms"),
            f"≤ {report.TARGET_PLANNED_MS:g}: {tables.verdict(planned, report.TARGET_PLANNED_MS)}",
        ],
        [*row("planned handover, VIP usable, less VRRP's Skew_Time, median",
              "planned", "usable_handover_minus_wait_ms"), ""],
        [*row("client view, longest probe gap, unplanned, median",
              "unplanned", "client_gap_ms"), ""],
        [*row("client view, longest probe gap, planned, median",
              "planned", "client_gap_ms"), ""],
    ]  # fmt: skip


def _resource_rows(data: dict[str, Any]) -> list[list[str]]:
    runs = report.cpu_memory(data)
    targets = dict(report.resource_targets(runs))
    rows = []
    for n in (64, 255):
        run = runs.get(n, {})
        cpu = [tables.spread(run.get(i, {}).get("cpu_percent_both"), 3) for i in tables.IMPLS]
        verdicts = " / ".join(
            v.replace("**", "") for t, v in targets.items() if t.startswith(f"CPU at {n} ")
        )
        label = f"CPU at {n} vhids, both hosts, % of a core, median (min–max)"
        rows.append([label, *cpu, f"≤ 0.5 x keepalived / ≤ 0.1 x ucarp: {verdicts}"])
    run = runs.get(255, {})
    for key, label in (("pss_mb", "PSS"), ("rss_mb", "RSS")):
        cells = [tables.spread(run.get(i, {}).get(key), 1) for i in tables.IMPLS]
        target = ""
        if key == "pss_mb":
            (verdict,) = [v for t, v in targets.items() if t.startswith("PSS")]
            target = "≤ keepalived + 30: " + verdict.replace("**", "")
        rows.append([f"{label} of the MASTER host at 255 vhids, MB", *cells, target])
    return rows


def table() -> list[str]:
    failover, resources = report.load("failover.json"), report.load("resources.json")
    lines = [
        "| figure (ms unless said) | " + " | ".join(tables.IMPLS) + " | target |",
        "|---|" + "---:|" * len(tables.IMPLS) + "---|",
    ]
    rows = (_failover_rows(failover) if failover else []) + (
        _resource_rows(resources) if resources else []
    )
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    sources = []
    for name, data in (("failover.json", failover), ("resources.json", resources)):
        if data:
            trials = data.get("trials_per_kind") or data.get("rounds")
            quick = " quick mode;" if data.get("quick") else ""
            unit = "trials per kind" if name == "failover.json" else "windows"
            line = tables.machine_line(data)
            line = line[:1].lower() + line[1:]
            sources.append(f"`bench/results/{name}` ({trials} {unit};{quick} {line})")
    lines += ["", "From " + "; ".join(sources) if sources else "No results files yet."]
    return lines


def update(path: Path = README) -> bool:
    """Rewrite the marked block of README.md; False when the markers are not there."""
    text = path.read_text()
    if BEGIN not in text or END not in text:
        return False
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(head + BEGIN + "\n" + "\n".join(table()) + "\n" + END + tail)
    return True
