"""bench/results/README.md: the Markdown sections made from failover.json, resources.json,
flood.json and rcnet-diagnosis.json (their tables and lines come from bench/tables.py).

Rebuilt by each of these benchmarks from whatever result files exist, so the table always
matches the JSON beside it. Targets are the issue's; a missed one is shown as missed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.tables import (
    IMPLS,
    fmt,
    machine_line,
    median,
    ratio,
    spread,
    table,
    verdict,
    version_text,
)

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_PLANNED_MS = 50.0
TARGET_CPU_TO_KEEPALIVED = 0.5
TARGET_CPU_TO_UCARP = 0.1
TARGET_PSS_OVER_KEEPALIVED_MB = 30.0


def load(name: str) -> dict[str, Any] | None:
    try:
        data = json.loads((RESULTS / name).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def failover_cells(data: dict[str, Any], kind: str, key: str) -> dict[str, dict[str, Any] | str]:
    cells: dict[str, dict[str, Any] | str] = {}
    for impl, run in data.get("implementations", {}).items():
        if "skipped" in run:
            cells[impl] = f"skipped: {run['skipped']}"
        else:
            cells[impl] = run.get("summary", {}).get(kind, {}).get(key, {})
    return cells


def failover_section(data: dict[str, Any]) -> list[str]:
    probe = data.get("probe_interval_s")
    stream = f"{1000 * probe:g} ms" if isinstance(probe, (int, float)) else "10 ms"
    out = ["## Failover on the wire", ""]
    out += [
        f"{data.get('trials_per_kind')} trials per kind and implementation"
        f"{' (quick mode)' if data.get('quick') else ''}; {data.get('segment')}."
        f" Times from the captures; a client pings the VIP every {stream}. The VIP is usable"
        " when the new master first answers the client's probe (echo or ARP reply, in the"
        " capture of what enters the bridge from its port). rcnet's rc.conf syntax: "
        f"{data.get('rcnet_syntax')}. {machine_line(data)}",
        "",
    ]
    bound_note = (
        "Link cut at a random phase, processes killed. Master-down: CARP 3 × advbase +"
        " advskew/256; VRRP 3 × advert_int + (256 − priority)/256."
    )
    usable_u = failover_cells(data, "unplanned", "usable_overhead_ms")
    out += table(
        "Unplanned failover, VIP usable: first answer − (dead master's last advert +"
        " master-down), ms",
        usable_u,
        bound_note,
    )
    out += table(
        "Unplanned failover: first gratuitous ARP − (dead master's last advert + master-down), ms",
        failover_cells(data, "unplanned", "overhead_ms"),
    )
    usable_p = failover_cells(data, "planned", "usable_handover_ms")
    out += table(
        "Planned handover, VIP usable: first answer − the stopping master's last advert, ms",
        usable_p,
        "SIGTERM. rcnet's last advert is its bow-out (255/255), after which a CARP backup takes"
        " over at once; keepalived's is a priority-0 advert, after which a VRRP backup waits"
        " Skew_Time, (256 − priority)/256 s (0.22 s or 0.61 s: the roles alternate); ucarp"
        " sends none, so its backup waits out the master-down interval.",
    )
    out += table(
        "Planned handover, VIP usable, less the protocol's wait after the bow-out"
        " (VRRP Skew_Time; CARP none), ms",
        failover_cells(data, "planned", "usable_handover_minus_wait_ms"),
        "What the implementation adds to its protocol; ucarp has no bow-out (–).",
    )
    out += table(
        "Planned handover: first gratuitous ARP − the stopping master's last advert, ms",
        failover_cells(data, "planned", "handover_ms"),
    )
    for kind, title in (("unplanned", "unplanned failover"), ("planned", "planned handover")):
        out += table(
            f"Client view, {title}: longest gap between probe replies ({stream} stream), ms",
            failover_cells(data, kind, "client_gap_ms"),
        )
    med_u, ka_u = median(usable_u, "rcnet"), median(usable_u, "keepalived")
    med_p = median(usable_p, "rcnet")
    out += [
        "- Target: rcnet's unplanned failover, VIP usable, no worse than keepalived's median: "
        f"**{verdict(med_u, ka_u if ka_u is not None else float('nan'))}**"
        f" ({fmt(med_u)} ms against {fmt(ka_u)} ms).",
        f"- Target: rcnet's planned handover within {TARGET_PLANNED_MS:g} ms of the bow-out"
        f" (VIP usable): **{verdict(med_p, TARGET_PLANNED_MS)}** (median {fmt(med_p)} ms).",
        "",
    ]
    return out


def cpu_memory(data: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {r["vhids"]: r for r in data.get("cpu_memory", []) if isinstance(r, dict)}


def resource_targets(runs: dict[int, dict[str, Any]]) -> list[tuple[str, str]]:
    """(target, verdict text) for the issue's CPU and memory targets."""
    out = []
    for n in (64, 255):
        run = runs.get(n, {})
        cpu = {i: run.get(i, {}).get("cpu_percent_both", {}).get("median") for i in IMPLS}
        to_ka, to_uc = ratio(cpu["rcnet"], cpu["keepalived"]), ratio(cpu["rcnet"], cpu["ucarp"])
        out.append((
            f"CPU at {n} vhids ≤ {TARGET_CPU_TO_KEEPALIVED:g} × keepalived's",
            f"**{verdict(to_ka, TARGET_CPU_TO_KEEPALIVED)}** (ratio {fmt(to_ka, 2)})",
        ))  # fmt: skip
        out.append((
            f"CPU at {n} vhids ≤ {TARGET_CPU_TO_UCARP:g} × ucarp's",
            f"**{verdict(to_uc, TARGET_CPU_TO_UCARP)}** (ratio {fmt(to_uc, 2)})",
        ))  # fmt: skip
    run = runs.get(255, {})
    pss = {i: run.get(i, {}).get("pss_mb", {}).get("median") for i in ("rcnet", "keepalived")}
    limit = pss["keepalived"] + TARGET_PSS_OVER_KEEPALIVED_MB if pss["keepalived"] else None
    out.append((
        f"PSS at 255 vhids ≤ keepalived's + {TARGET_PSS_OVER_KEEPALIVED_MB:g} MB",
        f"**{verdict(pss['rcnet'], limit if limit is not None else float('nan'))}**"
        f" ({fmt(pss['rcnet'])} MB against {fmt(limit)} MB)",
    ))  # fmt: skip
    return out


def resources_section(data: dict[str, Any]) -> list[str]:
    window = data.get("window_s")
    runs = cpu_memory(data)
    out = [
        "## CPU and memory",
        "",
        f"Two hosts, every vhid MASTER on one and BACKUP on the other. {data.get('rounds')}"
        f" interleaved {window} s windows per implementation and vhid count (rcnet, ucarp,"
        " keepalived, rcnet, ...; the implementations not measured are frozen with SIGSTOP);"
        " a window in which other processes used more than"
        f" {fmt(data.get('other_max_percent'))} % of a core (/proc/stat less the measured"
        " processes) is repeated, not kept"
        f"{' (quick mode)' if data.get('quick') else ''}. Median (min–max) of the kept windows."
        " CPU in % of one core, both hosts together; memory of the MASTER host, RSS and PSS"
        " (shared pages divided among the processes sharing them: ucarp runs one process per"
        f" vhid). {machine_line(data)}",
        "",
    ]
    if data.get("skipped"):
        return [*out, f"Not measured: {data['skipped']}.", ""]
    out += [
        "| vhids | figure | " + " | ".join(IMPLS) + " |",
        "|---:|---|" + "---:|" * len(IMPLS),
    ]
    for n in sorted(runs):
        run = runs[n]
        for label, key, digits in (
            ("CPU %", "cpu_percent_both", 3),
            ("PSS MB", "pss_mb", 1),
            ("RSS MB", "rss_mb", 1),
        ):
            cells = [spread(run.get(i, {}).get(key), digits) for i in IMPLS]
            out.append(f"| {n} | {label} | " + " | ".join(cells) + " |")
        procs = [fmt(run.get(i, {}).get("processes")) for i in IMPLS]
        out.append(f"| {n} | processes per host | " + " | ".join(procs) + " |")
        kept = [str(run.get(i, {}).get("cpu_percent_both", {}).get("n", 0)) for i in IMPLS]
        out.append(f"| {n} | windows kept | " + " | ".join(kept) + " |")
    rejected = sum(len(r.get("rejected", [])) for r in runs.values())
    out += [
        "",
        f"Windows repeated because the machine was busy or a pair had not settled: {rejected}.",
        "",
    ]
    out += [f"- Target: {t}: {v}." for t, v in resource_targets(runs)]
    out += [""]
    out += jitter_section(data.get("jitter", {}))
    return out


def jitter_section(runs: dict[str, dict[str, Any]]) -> list[str]:
    rc, uc = runs.get("rcnet", {}), runs.get("ucarp", {})
    if not rc and not uc:
        return []
    out = [
        "## Advert timing",
        "",
        f"|interval − 1 s| of consecutive adverts of each vhid, {rc.get('vhids', 64)} vhids on"
        " the MASTER, from the capture; busy = one spinning shell per core.",
        "",
        "| | rcnet idle | rcnet busy | ucarp idle | ucarp busy |",
        "|---|---:|---:|---:|---:|",
    ]
    cols = [
        rc.get("jitter_idle", {}),
        rc.get("jitter_busy", {}),
        uc.get("jitter_idle", {}),
        uc.get("jitter_busy", {}),
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


def flood_section(data: dict[str, Any]) -> list[str]:
    """What bench/bench_flood.py measured (bench/flood.py)."""
    runs = data.get("implementations", {})
    out = [
        "## Under a junk flood (bench/bench_flood.py)",
        "",
        f"A third namespace sends protocol-112 junk to 224.0.0.18 for {data.get('window_s', '?')} s"
        f" per implementation ({data.get('junk')}); the MASTER's advert interval and adverts from"
        f" the BACKUP (false takeovers) from a capture on the bridge. Target: {data.get('target')}."
        f" {machine_line(data)}",
        "",
        "| | junk sent/s | interval median, ms | max, ms | false takeovers | targets |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name in IMPLS:
        run = runs.get(name, {})
        if "error" in run or not run:
            out.append(f"| {name} | {run.get('error', 'not run')} | | | | |")
            continue
        targets = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in run["targets"].items())
        out.append(
            f"| {name} | {fmt(run['flood']['rate_pps'])} | {fmt(run['interval_median_ms'])}"
            f" | {fmt(run['interval_max_ms'])} | {run['false_takeovers']} | {targets} |"
        )
    backup = runs.get("rcnet", {}).get("rcnet_counters", {}).get("backup", {})
    if backup:
        counted = ", ".join(f"{k} {v}" for k, v in sorted(backup.items()))
        out += ["", f"rcnet BACKUP's counters over the window: {counted}."]
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
    flood = load("flood.json")
    if flood is not None:
        out += flood_section(flood)
    diagnosis = load("rcnet-diagnosis.json")
    if diagnosis is not None:
        out += diagnosis_section(diagnosis)
    return "\n".join(out).rstrip() + "\n"


def write() -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "README.md"
    path.write_text(render())
    return path
