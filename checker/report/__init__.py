"""Reports: json (contract), text (terminal), markdown, html, csv, xlsx."""
from __future__ import annotations

from pathlib import Path

from ..model import CheckResult
from .jsonout import check_dict, dumps, write_text


def render(result: CheckResult, fmt: str, output: str | Path | None = None, color: bool = False) -> None:
    if fmt == "json":
        write_text(dumps(check_dict(result)), output)
        return
    if fmt == "text":
        from .text import render_text

        write_text(render_text(result, color=color), output)
        return
    if fmt == "markdown":
        from .markdown import render_markdown

        write_text(render_markdown(result), output)
        return
    if fmt == "html":
        from .html import render_html

        write_text(render_html(result), output)
        return
    if fmt == "csv":
        from .tabular import render_csv

        write_text(render_csv(result), output)
        return
    if fmt == "xlsx":
        from .tabular import render_xlsx

        if output is None:
            from ..errors import UsageError

            raise UsageError("Voor --format xlsx is --output nodig.")
        write_text(render_xlsx(result), output)
        return
    raise ValueError(fmt)
