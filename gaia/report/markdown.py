"""Markdown pieces shared by the reports."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import numpy as np
from markdown_it import MarkdownIt


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
    """The mean and the sample standard deviation (0 for a single value, and exactly 0 for
    equal values, whose mean's rounding would otherwise read as a spread like 1.4e-16)."""
    mean = float(np.mean(values))
    if len(values) < 2 or min(values) == max(values):
        return mean, 0.0
    return mean, float(np.std(values, ddof=1))


def spread(values: Sequence[float]) -> str:
    """Several values as "mean ± sd"; a single value as itself."""
    mean, sd = mean_sd(values)
    return f"{number(mean)} ± {number(sd)}" if len(values) > 1 else number(mean)


def markdown_page(text: str, title: str) -> str:
    """A markdown report as one self-contained HTML page (Snakemake's report shows HTML
    results; it has the figures as results of their own, so an embedded figure becomes its
    caption and file name)."""
    without_figures = re.sub(
        r"!\[([^\]]*)\]\(([^)]*)\)", lambda m: f"*Figure `{m[2]}`: {m[1]}*", text
    )
    body = MarkdownIt("commonmark").enable("table").render(without_figures)
    style = (
        "body{font-family:sans-serif;max-width:75em;margin:auto;padding:1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}"
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{style}</style></head><body>{body}</body></html>\n"
    )
