"""make report: `python -m analytics report` writes a self-contained HTML page and a CSV per
table; the page draws its charts offline, in the real browser, from nothing but the file."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.figures import compute_figures
from analytics.report import tables, write_report
from storage import Database
from storage.analytics import AnalyticsStore

from .test_figures import PERIOD, consume
from .test_consumer import DAY, known_conversations

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def filled(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    consume(AnalyticsStore(Database(url)), known_conversations())
    return url


def test_the_command_writes_the_page_and_every_table(tmp_path, filled):
    out = tmp_path / "reports" / "latest"
    done = subprocess.run(
        [sys.executable, "-m", "analytics", "report", "--from", DAY.isoformat(), "--to", DAY.isoformat(), "--out", str(out)],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": filled}, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = compute_figures(AnalyticsStore(Database(filled)), PERIOD)
    assert sorted(p.name for p in out.iterdir()) == sorted(["index.html"] + [f"{name}.csv" for name, *_ in tables(figures)])
    with open(out / "summary.csv", encoding="utf-8-sig", newline="") as handle:
        summary = dict(csv.reader(handle))
    assert summary["会話数"] == "8" and summary["自己解決率"] == "75.0%"
    with open(out / "unanswered_clusters.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][:2] == ["3", "3"] and rows[1][4] == "ポイントはたまりますか"
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<script src=" not in page and "<link" not in page  # nothing to fetch
    assert "Chart.js v4.4.7" in page and "ガス代の支払い方法" not in page and "総武花子" not in page


def test_a_bad_period_is_refused(tmp_path, filled):
    done = subprocess.run(
        [sys.executable, "-m", "analytics", "report", "--from", "2026-11-30", "--to", "2026-11-01", "--out", str(tmp_path)],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": filled}, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1 and "--from is after --to" in done.stderr


def test_a_formula_in_a_text_cannot_run_in_a_spreadsheet(tmp_path):
    from analytics.report import _write_csv

    _write_csv(tmp_path / "t.csv", ("例",), [("=HYPERLINK(\"http://x\")",), ("+1",), ("ふつうの質問",)])
    with open(tmp_path / "t.csv", encoding="utf-8-sig", newline="") as handle:
        assert [r[0] for r in csv.reader(handle)][1:] == ["'=HYPERLINK(\"http://x\")", "'+1", "ふつうの質問"]


@pytest.mark.browser
def test_the_page_draws_offline_in_the_browser(tmp_path, filled):
    from playwright.sync_api import sync_playwright

    from tests.console.test_browser import CHROMIUM, LAUNCH_ARGS

    index = write_report(compute_figures(AnalyticsStore(Database(filled)), PERIOD), tmp_path / "report")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(offline=True)
        page = context.new_page()
        requests_made = []
        page.on("request", lambda r: requests_made.append(r.url))
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(index.as_uri())
        page.wait_for_selector("#analytics[data-rendered=true]")
        assert page.locator("[data-chart] canvas").count() == 5
        assert page.text_content("[data-figure=conversations]") == "8"
        assert "ポイントはたまりますか" in page.text_content("#analytics-clusters")
        assert requests_made == [index.as_uri()] and errors == []
        browser.close()
