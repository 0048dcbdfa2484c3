"""The command line: run the selected workloads, print the table, write the results file for the docs.

``python -m benchmarks`` measures every workload and writes ``docs/_generated/bench_results.json``
and ``.md`` (docs/performance.md includes the Markdown); ``--quick`` is a smoke run (one round,
short W6 chains) that writes nothing unless ``--out`` is given. A profile of any run is
``python -m cProfile -s tottime -m benchmarks --only W6``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

import tinygrad_lite as tl

from . import arrays, scalar
from .harness import (
    CHECK_TOLERANCE,
    OPTIONAL,
    Contender,
    Workload,
    describe,
    load_optional,
    measure,
    paired_ratios,
    pin_blas,
    quartiles,
    step0_difference,
    time_block,
    tracked_objects,
    version,
)

ROOT = Path(__file__).resolve().parent.parent
TL = "tinygrad_lite"
COLUMNS = ("numpy", "best numpy", "minimal engine", *OPTIONAL)
KEYS = ("W1", "W2", "W3", "W4", "W5", "W6", "MEM")
LINEARITY_LIMIT = 2.0  # per-op cost at the longest chain ÷ at the shortest; a quadratic engine gives 100×


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round, W6 chains of 10^3 and 10^4: a smoke run")
    parser.add_argument("--rounds", type=int,
                        help="rounds for every workload (default 15; W1 9; W6 5/3/2 for 10^4/10^5/10^6; MEM 3)")
    parser.add_argument("--only", help="comma-separated workloads, e.g. W2,W4 (" + ", ".join(KEYS) + ")")
    parser.add_argument("--out", type=Path, help="directory for bench_results.json/.md "
                        "(default docs/_generated; --quick writes none unless given)")
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.only is not None:
        args.only = {key.strip().upper() for key in args.only.split(",") if key.strip()}
        if not args.only or args.only - set(KEYS):
            parser.error(f"--only: unknown workload(s) {', '.join(sorted(args.only - set(KEYS))) or '(none)'}; "
                         f"choose from {', '.join(KEYS)}")
    if args.out is None and not args.quick:
        args.out = ROOT / "docs" / "_generated"
    return args


def environment(optional: dict[str, Any], pools: list[str]) -> dict[str, Any]:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "tinygrad_lite", "benchmarks"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "", ""
    return {
        "date": datetime.datetime.now().isoformat(sep=" ", timespec="minutes"),
        "machine": f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "load average": " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "",
        "software": f"Python {platform.python_version()}, NumPy {np.__version__}, tinygrad_lite {tl.__version__}"
        + (f" (git {commit}{', uncommitted changes' if dirty else ''})" if commit else ""),
        "BLAS": "; ".join(pools),
        "contenders": ", ".join(f"{name} {version(name)}" if name in optional else f"{name} not installed"
                                for name in OPTIONAL),
    }


def run_workload(workload: Workload, optional: dict[str, Any], rounds: int) -> dict[str, Any]:
    """Build the contenders, check step 0 (a contender that fails is not timed), measure, summarize."""
    built = workload.build(optional)
    contenders = {name: c for name, c in built.items() if isinstance(c, Contender)}
    notes = {name: c for name, c in built.items() if isinstance(c, str)}
    checks: dict[str, float] = {}
    tolerance = CHECK_TOLERANCE[np.dtype(workload.dtype)]
    for name in [n for n in contenders if n != "numpy"]:
        try:
            checks[name] = step0_difference(contenders[name], contenders["numpy"])
        except Exception as error:  # a contender that cannot run this workload is reported, not fatal
            notes[name] = describe(error)
        if name in notes or checks[name] >= tolerance:
            notes.setdefault(name, f"step-0 check FAILED ({checks[name]:.1e})")
            del contenders[name]
    values = measure(contenders, rounds, workload.measure or time_block, workload.warm_up)
    cells: dict[str, Any] = {name: {"note": note} for name, note in notes.items()}
    for name, result in values.items():
        if isinstance(result, str):
            cells[name] = {"note": result}
        else:
            scaled = [v * workload.scale for v in result]
            q1, median, q3 = quartiles(scaled)
            cells[name] = {"median": median, "q1": q1, "q3": q3, "values": scaled}
    row = {"key": workload.key, "label": workload.label, "unit": workload.unit, "rounds": rounds,
           "dtype": np.dtype(workload.dtype).name, "step0": checks, "cells": cells, "ratios": {}}
    mine = cells.get(TL, {}).get("values")
    peers = [n for n in OPTIONAL if "median" in cells.get(n, {})]
    if peers:
        row["best peer"] = min(peers, key=lambda n: cells[n]["median"])
    for name in [n for n in cells if n != TL and "values" in cells[n]]:
        if mine:
            q1, median, q3 = quartiles(paired_ratios(mine, cells[name]["values"]))
            row["ratios"][name] = {"median": median, "q1": q1, "q3": q3}
    row["targets"] = judge(row, workload.targets)
    return row


def judge(row: dict[str, Any], targets: tuple[tuple[str, float], ...]) -> list[dict[str, Any]]:
    """Each target (versus, limit) with tinygrad_lite's median paired ratio to ``versus`` and whether it is met."""
    judged = []
    for versus, limit in targets:
        name = row.get("best peer", "") if versus == "best peer" else versus
        ratio = row["ratios"].get(name, {}).get("median")
        judged.append({"versus": versus, "name": name, "limit": limit, "ratio": ratio,
                       "met": None if ratio is None else ratio <= limit})
    return judged


def chain_rows(rows: list[dict[str, Any]], optional: dict[str, Any]) -> list[dict[str, Any]]:
    """W6's per-op cost at the longest chain ÷ at the shortest, and the GC-tracked objects each op keeps alive."""
    chains = [row for row in rows if row["key"] == "W6"]
    if len(chains) < 2:
        return []
    first, last = chains[0]["cells"], chains[-1]["cells"]
    growth: dict[str, Any] = {}
    for name in last:
        if "median" in first.get(name, {}) and "median" in last[name]:
            growth[name] = {"value": last[name]["median"] / first[name]["median"]}
        else:
            growth[name] = {"note": last[name].get("note") or first.get(name, {}).get("note", "—")}
    mine = growth.get(TL, {}).get("value")
    n = 10**4
    counts: dict[str, Any] = {}
    for name, contender in scalar.build_chain(n, optional).items():
        if name == "autograd" or not isinstance(contender, scalar.Chain):
            counts[name] = {"note": "n/a (graph inside value_and_grad)" if name == "autograd" else str(contender)}
        else:
            counts[name] = {"value": tracked_objects(partial(contender.forward, n)) / n}
    longest, shortest = chains[-1]["label"].split()[3], chains[0]["label"].split()[3]
    return [
        {"key": "W6", "label": f"W6 per-op cost, {longest} ÷ {shortest} ops",
         "unit": "×", "own": growth,
         "targets": [{"versus": "itself", "limit": LINEARITY_LIMIT, "ratio": mine,
                      "met": None if mine is None else mine <= LINEARITY_LIMIT}]},
        {"key": "W6", "label": "W6 GC-tracked objects alive per op (chain of 10^4)", "unit": "objects/op",
         "own": counts, "targets": []},
    ]


# ----- the table ------------------------------------------------------------------------------------


def number(value: float) -> str:
    return f"{value:.0f}" if value >= 1000 else f"{value:.3g}"


def table(rows: list[dict[str, Any]], optional: dict[str, Any]) -> list[list[str]]:
    """Header and one line of strings per row: tinygrad_lite's median, then per contender
    "tinygrad_lite ÷ contender (its median)"; rows with "own" values show each contender's own."""
    lines = [["workload", "unit", TL, *COLUMNS, "target", "result"]]
    for row in rows:
        line = [row["label"], row["unit"]]
        for name in (TL, *COLUMNS):
            if name in OPTIONAL and name not in optional:
                line.append("not installed")
            elif "own" in row:
                cell = row["own"].get(name, {"note": "—"})
                line.append(number(cell["value"]) if "value" in cell else cell["note"].split(":")[0])
            else:
                cell = row["cells"].get(name, {"note": "—"})
                if "median" not in cell:
                    line.append(cell["note"].split(":")[0])
                elif name == TL:
                    line.append(number(cell["median"]))
                else:
                    line.append(f"{row['ratios'][name]['median']:.2f}× ({number(cell['median'])})")
        line.append(", ".join(f"≤ {t['limit']:g}× {t['versus']}" for t in row["targets"]) or "—")
        verdicts = [t["met"] for t in row["targets"]]
        line.append("—" if not verdicts else "n/a" if None in verdicts else "PASS" if all(verdicts) else "MISS")
        lines.append(line)
    return lines


def text_table(lines: list[list[str]]) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    out = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines]
    return "\n".join([out[0], "  ".join("-" * w for w in widths), *out[1:]])


def markdown_table(lines: list[list[str]]) -> str:
    align = ["---", "---"] + ["---:"] * (len(lines[0]) - 4) + ["---", "---"]
    return "\n".join(["| " + " | ".join(line) + " |" for line in lines[:1]] + ["|" + "|".join(align) + "|"]
                     + ["| " + " | ".join(line) + " |" for line in lines[1:]])


LEGEND = ("Cells: tinygrad_lite's median over the rounds in the row's unit; for every other contender, the median "
          "over the rounds of tinygrad_lite's time ÷ its time in the same round (below 1 means tinygrad_lite is "
          "faster), then its own median. 'best numpy' computes the weight gradient as (dscores.T @ X).T; "
          "'minimal engine' is the least a reverse-mode engine on NumPy arrays can do per op (benchmarks/floor.py: "
          "a tape of closures, no graph, no checks). A target '≤ 1× autograd' is met when that median ratio is at "
          "most 1; 'best peer' is the fastest installed of torch, autograd, micrograd. The W6 rows below the chains "
          "give each contender's own figures.")


def noise_lines(rows: list[dict[str, Any]]) -> list[str]:
    """How much the rounds varied: interquartile ranges of tinygrad_lite's time and of its ratio to NumPy."""
    lines = []
    for row in rows:
        mine, ratio = row.get("cells", {}).get(TL, {}), row.get("ratios", {}).get("numpy")
        if "median" in mine and ratio:
            lines.append(f"{row['label']} ({row['rounds']} rounds): tinygrad_lite {number(mine['q1'])}–"
                         f"{number(mine['q3'])} {row['unit']}, ÷ numpy {ratio['q1']:.3f}–{ratio['q3']:.3f}")
    return lines


def step0_lines(rows: list[dict[str, Any]]) -> list[str]:
    return [f"{row['label']}: " + ", ".join(f"{name} {diff:.1e}" for name, diff in row["step0"].items())
            for row in rows if row.get("step0")]


def write_results(out: Path, env: dict[str, Any], rows: list[dict[str, Any]], lines: list[list[str]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rows_json = ",\n  ".join(json.dumps(row, ensure_ascii=False) for row in rows)  # one row a line
    (out / "bench_results.json").write_text(
        f'{{"environment": {json.dumps(env, ensure_ascii=False)},\n "rows": [\n  {rows_json}\n ]}}\n', encoding="utf-8")
    text = ["<!-- generated by `python -m benchmarks` (make bench): do not edit by hand -->", ""]
    text += [f"- **{key}**: {value}" for key, value in env.items()]
    text += ["", markdown_table(lines), "", LEGEND, "", "**Noise** (25th–75th percentile over the rounds):", ""]
    text += [f"- {line}" for line in noise_lines(rows)]
    text += ["", "**Step-0 checks** (max |a − b| / max |b| per array against the NumPy reference):", ""]
    text += [f"- {line}" for line in step0_lines(rows)]
    (out / "bench_results.md").write_text("\n".join(text) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    started = time.perf_counter()
    optional = load_optional()  # first, so that threadpoolctl also sees PyTorch's pools
    env = environment(optional, pin_blas(1))
    print("\n".join(f"{key}: {value}" for key, value in env.items()), flush=True)
    workloads = [*scalar.workloads(args.quick), *arrays.workloads()]
    workloads = [w for w in workloads if args.only is None or w.key in args.only]
    workloads.sort(key=lambda w: KEYS.index(w.key))
    rows = []
    for workload in workloads:
        rounds = args.rounds or (1 if args.quick else workload.rounds)
        print(f"{workload.label}: {rounds} round(s) ...", end=" ", file=sys.stderr, flush=True)
        begin = time.perf_counter()
        rows.append(run_workload(workload, optional, rounds))
        print(f"{time.perf_counter() - begin:.1f} s", file=sys.stderr, flush=True)
    last_chain = max((i for i, row in enumerate(rows) if row["key"] == "W6"), default=len(rows) - 1)
    rows[last_chain + 1:last_chain + 1] = chain_rows(rows, optional)
    env["total time"] = f"{time.perf_counter() - started:.0f} s" + (" (--quick: a smoke run, not results)"
                                                                      if args.quick else "")
    lines = table(rows, optional)
    print("\n" + text_table(lines) + "\n\n" + LEGEND + "\n\nnoise (25th-75th percentile):")
    print("\n".join("  " + line for line in noise_lines(rows)))
    print("step-0 checks:\n" + "\n".join("  " + line for line in step0_lines(rows)))
    print(f"total time {env['total time']}")
    if args.out is not None:
        write_results(args.out, env, rows, lines)
        print(f"wrote {args.out / 'bench_results.json'} and bench_results.md")
    failed = [f"{name} in {row['label']}" for row in rows for name, cell in row.get("cells", {}).items()
              if "FAILED" in cell.get("note", "") or (name == TL and "note" in cell)]
    if failed:
        print("step-0 check FAILED or tinygrad_lite raised an error: " + ", ".join(failed))
    return 1 if failed else 0
