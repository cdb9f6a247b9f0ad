"""The analysts' API and page: the figures of the analytics tables, by role, for a period."""
from __future__ import annotations

import json

import pytest

from analytics.consumer import Consumer
from policy_kb import load_knowledge_base
from sobu_privacy.intents import INTENT_LABELS
from storage.analytics import AnalyticsStore
from tests.analytics.test_consumer import KEY, known_conversations, mask_known
from tests.console.helpers import start_console

DAY = "2026-11-25"  # the fixture's conversations (tests/analytics/chats.py)


def fill(db) -> None:
    """The analytics tables as the consumer leaves them after the eight known conversations."""
    kb = load_knowledge_base()
    Consumer(AnalyticsStore(db), mask_known, lambda intent: kb.answer_for(intent).sections,
             pseudonym_key=KEY).process(known_conversations())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    console = start_console(tmp_path_factory.mktemp("analytics"))
    fill(console.db)
    yield console
    console.stop()


def test_analysts_and_admins_get_the_figures_staff_and_strangers_do_not(server):
    for user in ("analyst1", "admin1"):
        client = server.login(user)
        reply = client.get(client.url(f"/api/analytics/summary?from={DAY}&to={DAY}"))
        assert reply.status_code == 200, user
    staff = server.login("staff1")
    assert staff.get(staff.url(f"/api/analytics/summary?from={DAY}&to={DAY}")).status_code == 403
    import requests

    assert requests.get(server.url + "/api/analytics/summary", timeout=10).status_code == 401


def test_the_figures_are_those_of_the_known_conversations_in_japanese(server):
    analyst = server.login("analyst1")
    data = analyst.get(analyst.url(f"/api/analytics/summary?from={DAY}&to={DAY}")).json()
    assert data["period"] == {"first": DAY, "last": DAY}
    assert (data["conversations"], data["messages"], data["questions"], data["unanswered"]) == (8, 16, 12, 5)
    assert data["containment"] == 0.75 and data["handoffs"] == 2
    labels = {i["key"]: i["label"] for i in data["by_intent"]}
    assert labels["faq_fee"] == INTENT_LABELS["faq_fee"] and "faq_" not in "".join(labels.values())
    assert [c["examples"] for c in data["clusters"]] == [["ポイントはたまりますか"]]
    assert data["unanswered_hidden"] == 2
    body = json.dumps(data, ensure_ascii=False)
    assert "総武花子" not in body and "佐藤" not in body and "ガス代の支払い方法" not in body
    # Another period has nothing.
    empty = analyst.get(analyst.url("/api/analytics/summary?from=2026-10-01&to=2026-10-31")).json()
    assert empty["conversations"] == 0 and empty["clusters"] == [] and len(empty["per_day"]) == 31


@pytest.mark.parametrize("query", [
    "days=abc", "days=0", "days=9999", "from=2026-11-30&to=2026-11-01", "from=2025-01-01&to=2026-11-30",
    "from=yesterday",
])
def test_a_bad_period_is_refused_in_japanese(server, query):
    analyst = server.login("analyst1")
    reply = analyst.get(analyst.url(f"/api/analytics/summary?{query}"))
    assert reply.status_code == 400 and reply.json()["error"].endswith("。")


def test_the_last_days_end_today(server):
    analyst = server.login("analyst1")
    data = analyst.get(analyst.url("/api/analytics/summary?days=7")).json()
    assert len(data["per_day"]) == 7


def test_the_page_loads_its_charts_from_this_server(server):
    analyst = server.login("analyst1")
    page = analyst.get(analyst.url("/console/analytics"))
    assert page.status_code == 200
    assert '<script src="/static/chart.umd.js">' in page.text and '<script src="/static/analytics.js">' in page.text
    chart = analyst.get(analyst.url("/static/chart.umd.js"))
    assert chart.status_code == 200 and "Chart.js v4.4.7" in chart.text[:300]
