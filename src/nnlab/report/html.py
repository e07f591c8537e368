"""Render report sections as one self-contained HTML page (figures inlined as base64 data URIs)."""
from __future__ import annotations

import base64
import html
import numbers
from pathlib import Path
from typing import Any, Sequence

from nnlab.report._core import SectionResult, SectionSpec, Table

__all__ = ["render_page", "format_value", "image_data_uri"]

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #ddd; padding-bottom: 0.2em; margin-top: 2.2em; }
.meta { color: #666; font-size: 0.9em; }
nav ol { columns: 2; } nav li { margin: 0.15em 0; }
.status { font-size: 0.75em; padding: 0.1em 0.5em; border-radius: 0.8em; margin-left: 0.4em; color: white; }
.ok { background: #2e7d32; } .error { background: #c62828; } .unavailable { background: #9e9e9e; }
pre.command { background: #f4f4f4; padding: 0.6em 0.8em; border-left: 4px solid #1565c0; overflow-x: auto; }
pre.failure { background: #fff3f3; border-left: 4px solid #c62828; padding: 0.6em 0.8em; white-space: pre-wrap; }
p.unavailable-note { background: #f5f5f5; border-left: 4px solid #9e9e9e; padding: 0.6em 0.8em; color: #333; }
figure { display: inline-block; margin: 0.6em 1em 0.6em 0; vertical-align: top; max-width: 100%; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #555; max-width: 520px; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f0f0f0; } td:first-child, th:first-child { text-align: left; }
caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 0.3em; }
.notes { color: #555; font-size: 0.9em; }
"""


def format_value(value: Any) -> str:
    """A number printed for a reader: 4 significant digits, scientific when very small or large."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if v != v:
            return "nan"
        if v == 0 or 1e-3 <= abs(v) < 1e5:
            return f"{v:.4g}"
        return f"{v:.3e}"
    return str(value)


def image_data_uri(path: str | Path) -> str:
    """A PNG file as a ``data:image/png;base64,...`` URI (the page then needs no files beside it)."""
    data = Path(path).read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _table(table: Table) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{_esc(format_value(c))}</td>" for c in row) + "</tr>"
                   for row in table.rows)
    caption = f"<caption>{_esc(table.caption)}</caption>" if table.caption else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _status(result: SectionResult) -> tuple[str, str]:
    if result.error:
        return "error", "error"
    if result.unavailable:
        return "unavailable", "not available"
    return "ok", "ok"


def _section(spec: SectionSpec, result: SectionResult) -> str:
    css, label = _status(result)
    parts = [f'<section id="{_esc(spec.key)}" data-status="{css}">',
             f'<h2>{_esc(spec.title)}<span class="status {css}">{_esc(label)}</span></h2>',
             f"<p>{_esc(spec.summary)}</p>"]
    refs = []
    if spec.lecture:
        refs.append(f"Lecture: {_esc(spec.lecture)}.")
    if spec.docs:
        refs.append(f"Guide: <code>{_esc(spec.docs)}</code>.")
    if refs:
        parts.append(f'<p class="meta">{" ".join(refs)} Ran in {result.seconds:.1f} s.</p>')
    parts.append(f'<p>Reproduce:</p><pre class="command">{_esc(spec.command)}</pre>')
    if result.error:
        parts.append(f'<p>This section failed; the rest of the report is unaffected:</p>'
                     f'<pre class="failure">{_esc(result.error)}</pre>')
    if result.unavailable:
        parts.append(f'<p class="unavailable-note">Not available here: {_esc(result.unavailable)}</p>')
    for fig in result.figures:
        parts.append(f'<figure><img src="{image_data_uri(fig.path)}" alt="{_esc(fig.caption or Path(fig.path).name)}">'
                     f"<figcaption>{_esc(fig.caption)}</figcaption></figure>")
    if result.numbers:
        rows = [[k, v] for k, v in result.numbers.items()]
        parts.append(_table(Table(["quantity", "value"], rows, "Numbers")))
    parts.extend(_table(t) for t in result.tables)
    if result.notes:
        parts.append('<ul class="notes">' + "".join(f"<li>{_esc(n)}</li>" for n in result.notes) + "</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def render_page(sections: Sequence[tuple[SectionSpec, SectionResult]], title: str, meta: str) -> str:
    """The whole page: header, table of contents with each section's status, then the sections."""
    toc = "".join(
        f'<li><a href="#{_esc(spec.key)}">{_esc(spec.title)}</a>'
        f'<span class="status {_status(res)[0]}">{_esc(_status(res)[1])}</span></li>'
        for spec, res in sections)
    body = "\n".join(_section(spec, res) for spec, res in sections)
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"<h1>{_esc(title)}</h1>\n<p class=\"meta\">{_esc(meta)}</p>\n"
            f"<nav><ol>{toc}</ol></nav>\n{body}\n</body>\n</html>\n")
