"""The conformance report: ``report.md`` (a table, then one section per row
with its figure) and ``summary.json``."""

from __future__ import annotations

import json
from pathlib import Path

from .rows import Row

REPORT_NAME = "report.md"
SUMMARY_NAME = "summary.json"


def format_number(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e6):
        return f"{value:g}"
    return f"{value:.2g}"


def with_unit(value, unit: str) -> str:
    if value is None or unit in ("1", ""):
        return format_number(value)
    return f"{format_number(value)} {unit}"


def summary(rows: list[Row], quick: bool, nest_version: str | None, seconds: float) -> dict:
    return {"passed": not any(row.failed for row in rows), "quick": quick,
            "nest": nest_version or "not installed", "seconds": round(seconds, 1),
            "counts": {status: sum(row.status == status for row in rows)
                       for status in sorted({row.status for row in rows})},
            "rows": [row.to_dict() for row in rows]}


def markdown(rows: list[Row], info: dict) -> str:
    lines = ["# stpexplorer conformance report", "",
             f"Mode: {'quick' if info['quick'] else 'full'}; NEST: {info['nest']}; "
             f"{info['seconds']:g} s. Result: **{'all checks that ran passed' if info['passed'] else 'FAILED'}**.",
             "", "| # | compared | against | worst difference | tolerance | result | figure |",
             "|---|---|---|---|---|---|---|"]
    for k, row in enumerate(rows, 1):
        figure = f"[{row.figure}]({row.figure})" if row.figure else "–"
        lines.append(f"| {k} | {row.compared} | {row.against} | {with_unit(row.worst, row.unit)} "
                     f"| {with_unit(row.tolerance, row.unit)} | {row.status} | {figure} |")
    for k, row in enumerate(rows, 1):
        lines += ["", f"## {k}. {row.check}: {row.status}", "", f"**Compared:** {row.compared}.", "",
                  f"**Against:** {row.against}.", ""]
        if row.details:
            lines += [row.details, ""]
        if row.figure:
            lines += [f"![{row.check}]({row.figure})", ""]
    return "\n".join(lines) + "\n"


def write(out: Path, rows: list[Row], info: dict) -> tuple[Path, Path]:
    report, summary_file = out / REPORT_NAME, out / SUMMARY_NAME
    report.write_text(markdown(rows, info), encoding="utf-8")
    summary_file.write_text(json.dumps(info, indent=1, default=str) + "\n", encoding="utf-8")
    return report, summary_file


def console_table(rows: list[Row]) -> str:
    """One line per row for the terminal."""
    lines = []
    for row in rows:
        worst = ("" if row.worst is None else
                 f"worst {with_unit(row.worst, row.unit)} (tolerance {with_unit(row.tolerance, row.unit)})")
        lines.append(f"{row.status:<13} {row.check:<18} {worst}")
    return "\n".join(lines)
