"""Turning measurements into the table (plain text for the terminal, Markdown for docs/performance.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .harness import CONTENDERS, NUMPY, OPTIONAL, TINYGRAD, Measurements, Target, Workload, median, median_interval


@dataclass
class Cell:
    """One contender in one row: its median (in the row's unit) and its median paired ratio to NumPy."""

    median: float | None = None
    median_low: float | None = None  # 95% confidence interval of the median
    median_high: float | None = None
    ratio: float | None = None
    ratio_low: float | None = None  # 95% confidence interval of the median paired ratio
    ratio_high: float | None = None
    ratio_min: float | None = None
    ratio_max: float | None = None
    spread: float | None = None  # (max - min) / median of its values over the rounds
    page_faults: float | None = None  # median minor page faults per step
    note: str | None = None  # instead of numbers: why there are none


@dataclass
class Row:
    label: str
    unit: str
    target: Target | None
    cells: dict[str, Cell] = field(default_factory=dict)
    rounds: int = 0

    @property
    def verdict(self) -> str:
        """PASS or MISS for tinygrad_lite against the target; ERROR if it did not run; — without a target.

        A ``*`` marks a target inside the 95% confidence interval of the median: this run alone
        cannot tell PASS from MISS (another run may well say the opposite).
        """
        cell = self.cells.get(TINYGRAD)
        if self.target is None or cell is None:
            return "—"
        if cell.median is None:
            return "ERROR"
        if self.target.kind == "ratio":
            value, low, high = cell.ratio, cell.ratio_low, cell.ratio_high
        else:
            value, low, high = cell.median, cell.median_low, cell.median_high
        if value is None:
            return "—"
        verdict = "PASS" if value <= self.target.value else "MISS"
        undecided = low is not None and high is not None and low < high and low <= self.target.value <= high
        return verdict + ("*" if undecided else "")


def make_row(workload: Workload, results: Measurements, notes: dict[str, str]) -> Row:
    """Medians, paired ratios and spreads of one workload; ``notes`` for contenders without numbers."""
    row = Row(workload.label, workload.unit, workload.target)
    for name in CONTENDERS:
        if name in notes:
            row.cells[name] = Cell(note=notes[name])
        elif name in results.errors:
            row.cells[name] = Cell(note=results.errors[name])
        elif name in results.values and results.values[name]:
            values = [v * workload.per_block for v in results.values[name]]
            cell = Cell(median=median(values), spread=(max(values) - min(values)) / median(values))
            cell.median_low, cell.median_high = median_interval(values)
            if results.page_faults.get(name):
                cell.page_faults = median(results.page_faults[name]) / workload.steps
            row.rounds = len(values)
            if name != NUMPY and NUMPY in results.values and results.values[NUMPY]:
                ratios = results.paired_ratios(name)
                cell.ratio, cell.ratio_min, cell.ratio_max = median(ratios), min(ratios), max(ratios)
                cell.ratio_low, cell.ratio_high = median_interval(ratios)
            row.cells[name] = cell
    return row


def linearity_row(rows: list[Row], lengths: tuple[int, ...], limit: float) -> Row:
    """Time per link at the longest chain over time per link at the shortest, per contender (1 = linear)."""
    first, last = rows[0], rows[-1]
    label = f"W6 per-link time, 10^{len(str(lengths[-1])) - 1} / 10^{len(str(lengths[0])) - 1}"
    row = Row(label, "×", Target("absolute", limit), rounds=last.rounds)
    for name in CONTENDERS:
        a, b = first.cells.get(name), last.cells.get(name)
        if a is None or b is None:
            continue
        if a.median is None or b.median is None:
            row.cells[name] = Cell(note=b.note or a.note)
            continue
        row.cells[name] = Cell(median=(b.median / lengths[-1]) / (a.median / lengths[0]))
    return row


# ----- formatting ----------------------------------------------------------------------------------


def number(value: float) -> str:
    if value >= 1000:
        return f"{value:.0f}"
    return f"{value:.3g}"


def ratio(value: float) -> str:
    return f"{value:.2f}×" if value < 10 else f"{value:.1f}×" if value < 100 else f"{value:.0f}×"


HEADER = ["workload", "unit", NUMPY, TINYGRAD, "vs NumPy", "(95% CI)", *OPTIONAL, "target", "result"]


def table_cells(rows: list[Row], present: set[str]) -> list[list[str]]:
    """The table as strings: a header, then one line per row. Optional contenders not installed
    keep their column, saying so, so that every table has the same shape."""
    lines = [HEADER]
    for row in rows:
        tiny = row.cells.get(TINYGRAD, Cell(note="—"))
        line = [row.label, row.unit, _cell(row.cells.get(NUMPY), with_ratio=False, unit=row.unit)]
        line.append(_cell(tiny, with_ratio=False, unit=row.unit))
        if tiny.ratio is not None and tiny.ratio_low is not None and tiny.ratio_high is not None:
            line += [ratio(tiny.ratio), f"{tiny.ratio_low:.2f}–{tiny.ratio_high:.2f}"]
        else:
            line += ["—", "—"]
        for name in OPTIONAL:
            if name not in present:
                line.append("not installed")
            else:
                line.append(_cell(row.cells.get(name), with_ratio=True, unit=row.unit))
        line += [row.target.describe(row.unit) if row.target else "—", row.verdict]
        lines.append(line)
    return lines


def _cell(cell: Cell | None, with_ratio: bool, unit: str) -> str:
    if cell is None:
        return "—"
    if cell.median is None:  # an exception shows as its type alone; the check lines have the message
        return (cell.note or "—").split(":")[0]
    text = ratio(cell.median) if unit == "×" else number(cell.median)
    if with_ratio and cell.ratio is not None:
        text += f" ({ratio(cell.ratio)})"
    return text


def text_table(rows: list[Row], present: set[str]) -> str:
    lines = table_cells(rows, present)
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    numeric = set(range(2, len(HEADER) - 2))  # right-align the numbers

    def render(line: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(line, widths)))

    out = [render(lines[0]), "  ".join("-" * w for w in widths)]
    out += [render(line) for line in lines[1:]]
    return "\n".join(line.rstrip() for line in out)


def markdown_table(rows: list[Row], present: set[str]) -> str:
    lines = table_cells(rows, present)
    align = ["---", "---"] + ["---:"] * (len(HEADER) - 4) + ["---", "---"]
    out = ["| " + " | ".join(lines[0]) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in line) + " |" for line in lines[1:]]
    return "\n".join(out)


def noise_lines(rows: list[Row]) -> list[str]:
    """How much the rounds varied: each contender's spread, and the tinygrad_lite/NumPy ratio's range."""
    lines = []
    for row in rows:
        spreads = [
            f"{name} {cell.spread:.0%}" for name, cell in row.cells.items() if cell.spread is not None
        ]
        if not spreads or row.unit == "×":
            continue
        rounds = f"{row.rounds} round{'' if row.rounds == 1 else 's'}"
        text = f"{row.label} ({rounds}): (max-min)/median " + ", ".join(spreads)
        tiny, base = row.cells.get(TINYGRAD), row.cells.get(NUMPY)
        if tiny and base and tiny.ratio is not None and tiny.median and base.median:
            text += (
                f"; tinygrad_lite/NumPy median paired ratio {tiny.ratio:.3f} "
                f"(95% CI {tiny.ratio_low:.3f}–{tiny.ratio_high:.3f}, "
                f"all rounds {tiny.ratio_min:.3f}–{tiny.ratio_max:.3f}), "
                f"ratio of medians {tiny.median / base.median:.3f}"
            )
        lines.append(text)
        faults = [f"{name} {cell.page_faults:.0f}" for name, cell in row.cells.items() if cell.page_faults is not None]
        if faults and row.unit != "MiB":
            lines.append(f"  minor page faults per step: {', '.join(faults)}")
    return lines
