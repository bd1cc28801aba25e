"""The payments audit as an HTML page and an XLSX workbook, for people who read reports."""

from collections import Counter
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook

_TEMPLATES = Environment(
    loader=PackageLoader("krai.entrypoints.reports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
)


def render_html(findings: list[dict[str, Any]], context: dict[str, Any]) -> str:
    """The audit page: a summary by kind, then every finding with its transactions."""
    summary = sorted(Counter(f["kind"] for f in findings).items())
    page = _TEMPLATES.get_template("audit.html.j2")
    return page.render(findings=findings, summary=summary, **context)


def write_xlsx(findings: list[dict[str, Any]], context: dict[str, Any], path: Path) -> None:
    """A workbook: a sheet of findings (one row each) and a sheet on the ledger audited."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "findings"
    sheet.append(["kind", "subject", "evidence", "entries", "transactions"])
    for finding in findings:
        evidence = "; ".join(f"{k}: {v}" for k, v in finding["evidence"].items())
        entries = ", ".join(str(t["index"]) for t in finding["transactions"])
        txs = ", ".join(t["tx_id"] for t in finding["transactions"])
        sheet.append([finding["kind"], finding["subject"], evidence, entries, txs])
    about = book.create_sheet("ledger")
    for name, value in context.items():
        about.append([name, str(value)])
    book.save(path)
