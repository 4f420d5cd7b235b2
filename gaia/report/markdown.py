"""Markdown pieces shared by the reports."""

from __future__ import annotations

from collections.abc import Sequence


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
