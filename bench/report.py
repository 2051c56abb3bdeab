"""bench/results/README.md: the Markdown tables made from failover.json and resources.json.

Rebuilt by each of the two benchmarks from whatever result files exist, so the table always
matches the JSON beside it. Targets are the issue's; a missed one is shown as missed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
IMPLS = ("rcnet", "ucarp", "keepalived")
TARGET_UNPLANNED_MS = 5.0
TARGET_PLANNED_MS = 50.0
TARGET_CPU_RATIO = 0.25
TARGET_RSS_MB = 60.0


def load(name: str) -> dict[str, Any] | None:
    try:
        data = json.loads((RESULTS / name).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


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


def failover_cells(data: dict[str, Any], kind: str, key: str) -> dict[str, dict[str, Any] | str]:
    cells: dict[str, dict[str, Any] | str] = {}
    for impl, run in data.get("implementations", {}).items():
        if "skipped" in run:
            cells[impl] = f"skipped: {run['skipped']}"
        else:
            cells[impl] = run.get("summary", {}).get(kind, {}).get(key, {})
    return cells


def verdict(value: float | None, limit: float, below: bool = True) -> str:
    if value is None:
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


def failover_section(data: dict[str, Any]) -> list[str]:
    out = ["## Failover on the wire", ""]
    out += [
        f"{data.get('trials_per_kind')} trials per kind and implementation"
        f"{' (quick mode)' if data.get('quick') else ''}; {data.get('segment')}."
        " Times from the capture. rcnet's rc.conf syntax: "
        f"{data.get('rcnet_syntax')}. {machine_line(data)}",
        "",
    ]
    unplanned = failover_cells(data, "unplanned", "overhead_ms")
    out += table(
        "Unplanned failover: first gratuitous ARP − (dead master's last advert + master-down), ms",
        unplanned,
        "Link cut at a random phase, processes killed. Master-down: CARP 3 × advbase +"
        " advskew/256; VRRP 3 × advert_int + (256 − priority)/256.",
    )
    planned = failover_cells(data, "planned", "handover_ms")
    out += table(
        "Planned handover: first gratuitous ARP − the stopping master's last advert, ms",
        planned,
        "SIGTERM. rcnet's last advert is its bow-out (255/255), keepalived's a priority-0"
        " advert; ucarp sends none, so its backup waits out the master-down interval. A"
        " gratuitous ARP may leave before the VIP is usable (rcnet sends its frames before the"
        " netlink call that brings the vhid link up): the client-gap tables below show what a"
        " client sees.",
    )
    for kind, title in (("unplanned", "unplanned failover"), ("planned", "planned handover")):
        out += table(
            f"Client view, {title}: longest gap between ping replies (10 ms stream), ms",
            failover_cells(data, kind, "client_gap_ms"),
        )
    rc_u = unplanned.get("rcnet")
    rc_p = planned.get("rcnet")
    med_u = rc_u.get("median") if isinstance(rc_u, dict) else None
    med_p = rc_p.get("median") if isinstance(rc_p, dict) else None
    out += [
        f"- Target: rcnet's unplanned median ≤ {TARGET_UNPLANNED_MS:g} ms: "
        f"**{verdict(med_u, TARGET_UNPLANNED_MS)}** ({fmt(med_u)} ms).",
        f"- Target: rcnet's planned handover within {TARGET_PLANNED_MS:g} ms of the bow-out: "
        f"**{verdict(med_p, TARGET_PLANNED_MS)}** (median {fmt(med_p)} ms).",
        "",
    ]
    return out


def _runs(data: dict[str, Any], impl: str) -> dict[int, dict[str, Any]]:
    run = data.get("implementations", {}).get(impl, {})
    return {r["vhids"]: r for r in run.get("runs", [])}


def resources_section(data: dict[str, Any]) -> list[str]:
    window = data.get("window_s")
    out = [
        "## CPU and memory",
        "",
        f"Two hosts, every vhid MASTER on one and BACKUP on the other; a {window} s window"
        f"{' (quick mode)' if data.get('quick') else ''}. CPU in % of one core, both hosts"
        " together; memory per host (the MASTER's), RSS and PSS (shared pages divided among"
        " processes). rcnet: one daemon per host; ucarp: one process per vhid. keepalived is"
        f" not part of this comparison. {machine_line(data)}",
        "",
        "| vhids | rcnet CPU % | ucarp CPU % | rcnet RSS MB | ucarp RSS MB (sum) |"
        " rcnet PSS MB | ucarp PSS MB (sum) | ucarp processes |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rc, uc = _runs(data, "rcnet"), _runs(data, "ucarp")
    notes = []
    for n in sorted(set(rc) | set(uc)):
        r, u = rc.get(n, {}), uc.get(n, {})
        rm, um = r.get("m", {}), u.get("m", {})
        cells = [
            str(n),
            fmt(r.get("cpu_percent_both"), 2) if rm else str(r.get("error", "–")),
            fmt(u.get("cpu_percent_both"), 2) if um else str(u.get("error", "–")),
            fmt(rm.get("rss_mb")),
            fmt(um.get("rss_mb")),
            fmt(rm.get("pss_mb")),
            fmt(um.get("pss_mb")),
            fmt(um.get("processes")),
        ]
        if u.get("note"):
            cells[2] += " ¹"
            notes.append(f"¹ {u['note']}.")
        out.append("| " + " | ".join(cells) + " |")
    out += ["", *notes, ""] if notes else [""]
    r64, u64, r255 = rc.get(64, {}), uc.get(64, {}), rc.get(255, {})
    ratio = None
    if r64.get("cpu_percent_both") is not None and u64.get("cpu_percent_both"):
        ratio = round(r64["cpu_percent_both"] / u64["cpu_percent_both"], 2)
    rss = r255.get("m", {}).get("rss_mb")
    out += [
        f"- Target: rcnet's CPU ≤ {TARGET_CPU_RATIO:g} × ucarp's at 64 vhids: "
        f"**{verdict(ratio, TARGET_CPU_RATIO)}** (ratio {fmt(ratio, 2)}).",
        f"- Target: one rcnet with 255 vhids under {TARGET_RSS_MB:g} MB resident: "
        f"**{verdict(rss, TARGET_RSS_MB)}** ({fmt(rss)} MB).",
        "",
    ]
    out += jitter_section(rc, uc)
    return out


def jitter_section(rc: dict[int, dict[str, Any]], uc: dict[int, dict[str, Any]]) -> list[str]:
    out = [
        "## Advert timing",
        "",
        "|interval − 1 s| of consecutive adverts of each vhid, 64 vhids on the MASTER, from the"
        " capture; busy = one spinning shell per core.",
        "",
        "| | rcnet idle | rcnet busy | ucarp idle | ucarp busy |",
        "|---|---:|---:|---:|---:|",
    ]
    cols = [
        rc.get(64, {}).get("jitter_idle", {}),
        rc.get(64, {}).get("jitter_busy", {}),
        uc.get(64, {}).get("jitter_idle", {}),
        uc.get(64, {}).get("jitter_busy", {}),
    ]
    for label, key in (
        ("p50, ms", "abs_jitter_p50_ms"),
        ("p99, ms", "abs_jitter_p99_ms"),
        ("max, ms", "abs_jitter_max_ms"),
        ("mean interval, ms", "mean_interval_ms"),
        ("intervals", "intervals"),
    ):
        digits = 1 if key == "mean_interval_ms" else 2
        row = [label, *(fmt(c.get(key), digits) for c in cols)]
        out.append("| " + " | ".join(row) + " |")
    return [*out, ""]


STEPS = (
    ("rx_latency_ms", "wire → survivor reads the old master's last advert"),
    ("deadline_shift_ms", "its master-down deadline, against last advert + bound on the wire"),
    ("start_to_send_ms", "deadline (or bow-out read) → advert sent"),
    ("send_to_announce_ms", "advert → gratuitous ARP sent"),
    ("announce_to_wire_ms", "gratuitous ARP → on the wire"),
    ("up_call_ms", "netlink call bringing the vhid link up"),
    ("link_up_after_garp_ms", "vhid link up (VIP usable), after the GARP"),
)


def diagnosis_section(data: dict[str, Any]) -> list[str]:
    """What bench/diagnose_rcnet.py found (if it was run): medians of each step."""
    take = data.get("takeover", {})
    out = [
        "## Where rcnet's time goes (bench/diagnose_rcnet.py, run by hand)",
        "",
        "Medians over probed rcnet failover trials (a few of the daemon's methods wrapped in"
        " timing probes; rcnet's code itself unchanged); ms. "
        + version_text(data.get("rcnet"))
        + " "
        + machine_line(data),
        "",
        "| step | unplanned | planned |",
        "|---|---:|---:|",
    ]
    u = take.get("unplanned", {}).get("median_ms", {})
    p = take.get("planned", {}).get("median_ms", {})
    for key, label in STEPS:
        if key in u or key in p:
            out.append(f"| {label} | {fmt(u.get(key), 2)} | {fmt(p.get(key), 2)} |")
    figure_u = take.get("unplanned", {}).get("figure_median_ms")
    figure_p = take.get("planned", {}).get("figure_median_ms")
    out.append(f"| **figure (overhead / handover)** | {fmt(figure_u, 2)} | {fmt(figure_p, 2)} |")
    out.append("")
    for prof in data.get("cpu", []):
        for host, role in (("m", "MASTER"), ("b", "BACKUP")):
            rows = prof.get(host, {})
            top = rows.get("top_own_time", [])[:3]
            named = ", ".join(f"{r['function']} {100 * r['share']:.0f} %" for r in top)
            busy = fmt(rows.get("busy_percent_of_window"), 2)
            out.append(
                f"- {prof.get('vhids')} vhids, {role}: busy {busy} % of the window under"
                f" cProfile; most own time: {named}."
            )
    lateness = data.get("asyncio_timer_lateness", {})
    if lateness:
        out += ["", "asyncio `call_at` lateness on this machine (ms, median / max):", ""]
        out += [
            f"- {k}: {fmt(v.get('median_ms'), 2)} / {fmt(v.get('max_ms'), 2)}"
            for k, v in lateness.items()
        ]
    return [*out, ""]


def render() -> str:
    out = [
        "# rcnet benchmarks",
        "",
        "Written by `make bench` (`BENCH_QUICK=1` for a short run): failover.json,"
        " resources.json and timeline.png come from bench/bench_failover.py and"
        " bench/bench_resources.py; the other JSON files from the other bench_*.py scripts.",
        "",
    ]
    failover = load("failover.json")
    resources = load("resources.json")
    if failover is not None:
        out += failover_section(failover)
        if (RESULTS / "timeline.png").exists():
            out += ["![one failover of each implementation](timeline.png)", ""]
    if resources is not None:
        out += resources_section(resources)
    diagnosis = load("rcnet-diagnosis.json")
    if diagnosis is not None:
        out += diagnosis_section(diagnosis)
    return "\n".join(out).rstrip() + "\n"


def write() -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "README.md"
    path.write_text(render())
    return path
