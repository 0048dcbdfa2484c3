"""The command line: select the workloads, check step 0, time the contenders, print the table."""

from __future__ import annotations

import argparse
import cProfile
import datetime
import gc
import os
import platform
import pstats
import subprocess
import sys
import time
from dataclasses import dataclass, field

import numpy as np

import tinygrad_lite as tl

from . import deep_chain, linear, memory, quadratic, small_tensors, two_layer
from .harness import (
    OPTIONAL,
    TINYGRAD,
    CheckResult,
    Impl,
    Workload,
    check_step0,
    measure_interleaved,
    minor_page_faults,
)
from .optional import load_optional
from .pinning import pin_loaded_libraries
from .report import Row, linearity_row, make_row, markdown_table, noise_lines, text_table

LINEARITY_LIMIT = 2.0  # a quadratic algorithm would give 100× between 10^4 and 10^6 links


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="tinygrad_lite against a hand-written NumPy floor (and PyTorch, HIPS autograd, micrograd "
        "when installed): step-0 equality checks, then interleaved timing with BLAS pinned to one thread.",
    )
    parser.add_argument("--quick", action="store_true", help="one round and short W6 chains: a smoke run for CI")
    parser.add_argument(
        "--rounds", type=int, default=None,
        help="rounds for every workload (default: 25; W1 15; W6 9, 5 and 3 for 10^4, 10^5, 10^6 links; MEM 3; "
        "--quick: 1)",
    )
    parser.add_argument("--only", default=None, help="comma-separated workloads, e.g. W2,W4 (W1-W6, MEM)")
    parser.add_argument("--markdown", metavar="PATH", default=None, help="also write the table as Markdown to PATH")
    parser.add_argument(
        "--profile", action="store_true",
        help="after the table, profile tinygrad_lite on each selected timing workload (about 1 s of blocks) with "
        "cProfile, and report the garbage collector's share of a block and the page faults per step",
    )
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    all_keys = {"W1", "W2", "W3", "W4", "W5", "W6", "MEM"}
    if args.only is not None:
        args.only = {key.strip().upper() for key in args.only.split(",") if key.strip()}
        unknown = args.only - all_keys
        if unknown or not args.only:
            parser.error(f"--only: unknown workload(s) {', '.join(sorted(unknown)) or '(none given)'}; "
                         f"choose from {', '.join(sorted(all_keys))}")
    return args


def select_workloads(args: argparse.Namespace) -> list[Workload]:
    lengths = deep_chain.QUICK_LENGTHS if args.quick else deep_chain.FULL_LENGTHS
    everything = [
        *quadratic.WORKLOADS,
        *linear.WORKLOADS,
        *two_layer.WORKLOADS,
        *small_tensors.WORKLOADS,
        *deep_chain.workloads(lengths),
        *memory.WORKLOADS,
    ]
    return [w for w in everything if args.only is None or w.key in args.only]


def rounds_for(workload: Workload, args: argparse.Namespace) -> int:
    if args.rounds is not None:
        return int(args.rounds)
    if args.quick:
        return 1
    return workload.rounds


def environment_lines(pinning: list[str], contenders: list[str]) -> list[str]:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        cpu = platform.processor() or cpu
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    load = "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return [
        f"date: {datetime.datetime.now().isoformat(sep=' ', timespec='minutes')}",
        f"machine: {cpu}, {os.cpu_count()} cores ({usable} usable), {platform.system()} {platform.release()}; {load}",
        f"Python {platform.python_version()}, NumPy {np.__version__}, tinygrad_lite {tl.__version__}{git_state()}",
        "BLAS pinning: " + pinning[0],
        *("  " + line for line in pinning[1:]),
        "contenders: numpy (hand-written reference), tinygrad_lite; optional: " + "; ".join(contenders),
    ]


def git_state() -> str:
    """`` (git abc1234)`` of the checkout the package is imported from, noting uncommitted changes to it."""
    package = os.path.dirname(os.path.abspath(tl.__file__))
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=package, capture_output=True,
                                text=True, timeout=10)
        changes = subprocess.run(["git", "status", "--porcelain", "--", "."], cwd=package, capture_output=True,
                                 text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    if commit.returncode != 0:
        return ""
    dirty = ", with uncommitted changes in tinygrad_lite/" if changes.stdout.strip() else ""
    return f" (git {commit.stdout.strip()}{dirty})"


@dataclass
class Plan:
    """A workload with its contenders built and checked."""

    workload: Workload
    impls: dict[str, Impl]
    notes: dict[str, str] = field(default_factory=dict)  # contenders left out, and why
    checks: dict[str, CheckResult] = field(default_factory=dict)


def build_and_check(workload: Workload, optional: dict[str, object]) -> Plan:
    built = workload.build(optional)
    impls = {name: impl for name, impl in built.items() if isinstance(impl, Impl)}
    plan = Plan(workload, impls, {name: note for name, note in built.items() if isinstance(note, str)})
    plan.checks = check_step0(impls)
    for name, result in plan.checks.items():
        if not result.passed:
            plan.notes[name] = result.error or f"check failed ({result.difference:.1e})"
            del plan.impls[name]
    return plan


def check_line(plan: Plan) -> str:
    parts = []
    for name in (TINYGRAD, *OPTIONAL):
        if name in plan.checks:
            result = plan.checks[name]
            if result.error is not None:
                parts.append(f"{name} {result.error} (left out)")
            else:
                parts.append(f"{name} {result.difference:.1e} {'ok' if result.passed else 'FAILED'}")
    return f"  {plan.workload.label:<34} " + ", ".join(parts)


def profile_block(plan: Plan, top: int = 16, seconds: float = 1.0) -> list[str]:
    """cProfile of tinygrad_lite's blocks (repeated for about ``seconds``): the functions with the
    most own time, with their share. Time inside NumPy's C code counts as the own time of the
    Python function that called it (operators such as ``a @ b`` are not calls cProfile sees)."""
    impl = plan.impls.get(TINYGRAD)
    if impl is None:
        return [f"{plan.workload.label}: tinygrad_lite did not run"]
    block_seconds, collector_seconds = time_in_collector(impl)
    profiler = cProfile.Profile()
    blocks, faults, begin = 0, minor_page_faults(), time.perf_counter()
    while blocks == 0 or (time.perf_counter() - begin < seconds and blocks < 100):
        profiler.enable()
        impl.run()
        profiler.disable()
        blocks += 1
    faults = minor_page_faults() - faults
    entries = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(own for (_, _, own, _, _) in entries.values()) or 1.0
    names = _qualified_names()
    lines = [
        f"{plan.workload.label}: one block without the profiler {block_seconds:.3f} s, of which "
        f"{collector_seconds / block_seconds:.1%} in the cyclic garbage collector;",
        f"  under cProfile {blocks} block(s), {total:.3f} s, "
        f"{faults / (blocks * plan.workload.steps):.0f} minor page faults per step; top functions by own time:",
        f"  {'own %':>6} {'own s':>8} {'cum s':>8} {'calls':>9}  function",
    ]
    ranked = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:top]
    for (filename, line, function), (_, calls, own, cumulative, _) in ranked:
        where = function
        if line:
            where = f"{names.get((filename, line), function)} ({os.path.basename(filename)}:{line})"
        lines.append(f"  {own / total:6.1%} {own:8.3f} {cumulative:8.3f} {calls:9d}  {where}")
    return lines


def time_in_collector(impl: Impl) -> tuple[float, float]:
    """Seconds of one block, and the seconds the cyclic garbage collector ran during it (gc.callbacks)."""
    spent = [0.0, 0.0]  # total, start of the current collection

    def on_collection(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            spent[1] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - spent[1]

    gc.collect()
    gc.callbacks.append(on_collection)
    try:
        begin = time.perf_counter()
        impl.run()
        elapsed = time.perf_counter() - begin
    finally:
        gc.callbacks.remove(on_collection)
    return elapsed, spent[0]


def _qualified_names() -> dict[tuple[str, int], str]:
    """(file, first line) -> ``Class.method`` for the functions of tinygrad_lite and of the benchmarks."""
    names = {}
    for module in list(sys.modules.values()):
        if not (module.__name__.startswith("tinygrad_lite") or module.__name__.startswith("benchmarks")):
            continue
        for value in list(vars(module).values()):
            members = [value, *vars(value).values()] if isinstance(value, type) else [value]
            for member in members:
                function = getattr(member, "__func__", getattr(member, "fget", member))
                code = getattr(function, "__code__", None)
                if code is not None:
                    names[(code.co_filename, code.co_firstlineno)] = function.__qualname__
    return names


def main(argv: list[str] | None = None, pinning: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    if sys.stdout.encoding and sys.stdout.encoding.lower().replace("-", "") != "utf8":
        sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]
    started = time.perf_counter()
    optional, contender_lines = load_optional()  # first, so that threadpoolctl also sees their thread pools
    pinning = (pinning or ["(environment not set: run as python -m benchmarks)"]) + pin_loaded_libraries(1)
    header = environment_lines(pinning, contender_lines)
    print("\n".join(header), flush=True)

    workloads = select_workloads(args)
    print("\nstep-0 checks: largest relative difference of the loss and every gradient from the NumPy "
          "reference (max|a-b|/max|b| per array), must be < 1e-09", flush=True)
    plans = []
    for workload in workloads:
        plan = build_and_check(workload, optional)
        plans.append(plan)
        print(check_line(plan), flush=True)
    failed_checks = [
        (plan.workload.label, name)
        for plan in plans
        for name, result in plan.checks.items()
        if result.error is None and not result.passed
    ]
    tinygrad_errors = [plan.workload.label for plan in plans if plan.checks[TINYGRAD].error is not None]

    rows: list[Row] = []
    chain_rows: list[Row] = []
    for plan in plans:
        rounds = rounds_for(plan.workload, args)
        print(f"measuring {plan.workload.label}: {len(plan.impls)} contenders, {rounds} round(s) ...",
              end=" ", file=sys.stderr, flush=True)
        begin = time.perf_counter()
        kwargs = {} if plan.workload.measure is None else {"measure": plan.workload.measure}
        results = measure_interleaved(plan.impls, rounds, warm_up=plan.workload.warm_up, **kwargs)
        print(f"{time.perf_counter() - begin:.1f} s", file=sys.stderr, flush=True)
        if TINYGRAD in results.errors:
            tinygrad_errors.append(plan.workload.label)
        row = make_row(plan.workload, results, plan.notes)
        rows.append(row)
        if plan.workload.key == "W6":
            chain_rows.append(row)
    if len(chain_rows) > 1:
        lengths = deep_chain.QUICK_LENGTHS if args.quick else deep_chain.FULL_LENGTHS
        position = rows.index(chain_rows[-1]) + 1
        rows.insert(position, linearity_row(chain_rows, lengths, LINEARITY_LIMIT))

    present = set(optional)
    print("\nmedians over the rounds; 'vs NumPy' and the cells' (×) are medians of per-round paired ratios "
          "contender/NumPy, with a 95% confidence interval of tinygrad_lite's; result * = the target lies inside "
          "that interval (this run cannot decide)\n")
    print(text_table(rows, present))
    noise = noise_lines(rows)
    print("\nnoise:")
    print("\n".join("  " + line for line in noise))
    if args.quick:
        print("\n--quick: one round and chains of 10^3 and 10^4 links; the numbers are a smoke test, not results")
    if hasattr(os, "getloadavg"):
        print("load average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"total time {time.perf_counter() - started:.0f} s")

    if args.markdown:
        write_markdown(args.markdown, header, plans, rows, present, noise)
        print(f"wrote {args.markdown}")
    if args.profile:
        for plan in plans:
            if plan.workload.measure is None:
                print()
                print("\n".join(profile_block(plan)), flush=True)

    if failed_checks:
        print("\nstep-0 equality check FAILED for: " + ", ".join(f"{name} in {label}" for label, name in failed_checks))
    if tinygrad_errors:
        print("\ntinygrad_lite raised an error in: " + ", ".join(tinygrad_errors))
    return 1 if failed_checks or tinygrad_errors else 0


def write_markdown(
    path: str, header: list[str], plans: list[Plan], rows: list[Row], present: set[str], noise: list[str]
) -> None:
    lines = ["<!-- written by `python -m benchmarks --markdown` -->", ""]
    lines += [f"- {line.strip()}" for line in header]
    lines += ["", markdown_table(rows, present), ""]
    lines += ["Step-0 checks (max relative difference from the NumPy reference):", ""]
    lines += [f"- {check_line(plan).strip()}" for plan in plans]
    lines += ["", "Noise:", ""] + [f"  - {line.strip()}" if line.startswith(" ") else f"- {line}" for line in noise]
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")

