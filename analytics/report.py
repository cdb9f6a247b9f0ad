"""``make report``: the analysts' figures as a self-contained HTML page and a CSV per table.

The page is the console's analytics page, offline: the same template part, the same drawing
script (console/static/analytics.js) and Chart.js (console/web/node_modules, pinned by npm)
are inlined with the figures as JSON, so it opens from a file or an e-mail attachment with
no server and no network. The CSVs (UTF-8 with BOM, so Excel reads the Japanese) hold the
same numbers for a spreadsheet. Nothing here reads a table: it writes one ``Figures``.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Iterable, List, Sequence

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .figures import Figures, Labelled

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "console" / "templates"
CHART_JS = ROOT / "console" / "web" / "node_modules" / "chart.js" / "dist" / "chart.umd.js"
DRAWING_JS = ROOT / "console" / "static" / "analytics.js"
STYLES = ROOT / "console" / "static" / "console.css"


def write_report(figures: Figures, out: Path) -> Path:
    """Write index.html and the CSVs into ``out`` (created); returns the HTML file's path."""
    out.mkdir(parents=True, exist_ok=True)
    for name, header, rows in tables(figures):
        _write_csv(out / f"{name}.csv", header, rows)
    index = out / "index.html"
    index.write_text(render_html(figures), encoding="utf-8")
    return index


def render_html(figures: Figures) -> str:
    environment = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    return environment.get_template("analytics_report.html").render(
        figures=figures,
        # "</" could end the inline script early; JSON allows escaping it.
        figures_json=json.dumps(figures.to_json(), ensure_ascii=False).replace("</", "<\\/"),
        chart_js=_inline_script(CHART_JS),
        drawing_js=_inline_script(DRAWING_JS),
        styles=STYLES.read_text(encoding="utf-8"),
    )


def _inline_script(path: Path) -> str:
    if not path.exists():
        raise FileNotFoundError(f"{path.relative_to(ROOT)} is missing: run `make web`")
    return path.read_text(encoding="utf-8").replace("</script", "<\\/script")


# --- CSV ------------------------------------------------------------------------------------------


def tables(figures: Figures) -> List[tuple]:
    """(file name, header, rows) of each table, headers in Japanese as analysts read them."""
    def labelled(items: Iterable[Labelled], key: str, label: str) -> tuple:
        return (key, label, "件数"), [(i.key, i.label, i.count) for i in items]

    period = f"{figures.period.first.isoformat()}〜{figures.period.last.isoformat()}"
    summary = [
        ("期間", period),
        ("会話数", figures.conversations),
        ("メッセージ数", figures.messages),
        ("質問数", figures.questions),
        ("回答できなかった質問", figures.unanswered),
        ("担当者が対応した会話", figures.handoffs),
        ("自己解決率", _ratio(figures.containment)),
        ("引き継ぎ率", _ratio(figures.handoff_rate)),
        ("申請を受け付けた会話", figures.conversations_with_ticket),
        ("受け付けた申請", figures.tickets.opened),
        ("完了した申請", figures.tickets.closed),
        ("完了までの日数（中央値）", "" if figures.tickets.median_days_to_close is None else figures.tickets.median_days_to_close),
        ("期限超過の申請", figures.tickets.overdue),
        ("文面を表示しない回答できなかった質問", figures.unanswered_hidden),
    ]
    return [
        ("summary", ("項目", "値"), summary),
        ("per_day", ("日付", "会話数", "メッセージ数", "質問数", "回答できなかった質問", "担当者が対応した会話"),
         [(d.day.isoformat(), d.conversations, d.messages, d.questions, d.unanswered, d.handoffs) for d in figures.per_day]),
        ("questions_by_intent", *labelled(figures.by_intent, "インテント", "質問の種類")),
        ("questions_by_section", *labelled(figures.by_section, "条項", "ポリシーの条項")),
        ("confidence", *labelled(figures.confidence, "確信度の下限", "確信度")),
        ("handoff_after", *labelled(figures.handoff_after, "インテント", "引き継ぎ直前の質問")),
        ("unanswered_clusters", ("会話数", "メッセージ数", "主な種類", "提案", "例"),
         [(c.conversations, c.messages, "・".join(i.label for i in c.intents), c.suggestion_label, " / ".join(c.examples))
          for c in figures.clusters]),
        ("tickets_by_type", *labelled(figures.tickets.by_type, "種類コード", "申請の種類")),
        ("tickets_by_status", *labelled(figures.tickets.by_status, "ステータス", "ステータス")),
    ]


def _ratio(value: object) -> str:
    return "" if value is None else f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(value) for value in row])


def _cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula is prefixed with '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
