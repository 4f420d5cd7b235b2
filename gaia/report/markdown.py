"""Markdown pieces shared by the reports."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """A GitHub markdown table as lines, followed by a blank line; a "|" inside a cell is escaped
    (it would otherwise start a new column)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += [
        "| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows
    ]
    return [*lines, ""]


def number(value: float) -> str:
    """Four significant digits: how every metric appears in the reports."""
    return f"{value:.4g}"


def with_interval(value: float | None, interval: tuple[float, float] | None) -> str:
    """'0.9114 [0.9074, 0.9152]'; the value alone without an interval; '-' without a value."""
    if value is None:
        return "-"
    return number(value) + (f" [{number(interval[0])}, {number(interval[1])}]" if interval else "")


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """The mean and the sample standard deviation (0 for a single value)."""
    return float(np.mean(values)), float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


def spread(values: Sequence[float]) -> str:
    """Several values as "mean ± sd"; a single value as itself."""
    mean, sd = mean_sd(values)
    return f"{number(mean)} ± {number(sd)}" if len(values) > 1 else number(mean)
