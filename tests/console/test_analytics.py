"""Analytics: masking and the summary computed from a Rasa-style events table."""
from __future__ import annotations

import json
import sqlite3
import time

import pytest

from console.masking import mask_personal_data
from tests.console.helpers import bot_summary, start_console


@pytest.mark.parametrize("text,leak", [
    ("電話番号は090-1234-5678です", "1234"),
    ("０９０１２３４５６７８に電話して", "1234"),
    ("メールは taro.yamada@example.co.jp", "yamada"),
    ("〒289-2511 旭市", "2511"),
    ("受付番号 PR-7F3K-9Q2M の状況", "7F3K"),
    ("お客さま番号 12345678", "12345678"),
    ("0479 (62) 1234 まで", "1234"),
])
def test_masking_hides_personal_data(text, leak):
    masked = mask_personal_data(text)
    assert leak not in masked
    assert "＊" in masked


def test_masking_keeps_the_question_readable():
    assert mask_personal_data("第3条について教えて") == "第3条について教えて"
    assert mask_personal_data("個人情報を消してほしい") == "個人情報を消してほしい"


def _tracker_db(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                 "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                 "action_name VARCHAR(255), data TEXT)")
    now = time.time()
    rows = [
        ("s1", "user", now - 10, "greet", {"text": "こんにちは"}),
        ("s1", "user", now - 9, "nlu_fallback", {"text": "電話 090-1234-5678 に折り返して"}),
        ("s2", "user", now - 8, "nlu_fallback", {"text": "電話 080-9999-0000 に折り返して"}),
        ("s2", "user", now - 7, "out_of_scope", {"text": "taro@example.com の件 PR-7F3K-9Q2M"}),
        ("s2", "user", now - 6, "ask_purpose", {"text": "利用目的は？"}),
        ("s2", "pause", now - 5, None, {}),
        # a fallback answered by the not-understood action is still one question
        ("s3", "user", now - 4, "nlu_fallback", {"text": "ほげほげ"}),
        ("s3", "action", now - 3.9, "action_handle_fallback", {}),
        # a stray address outside any form: inform, no rule fits, Rasa's core fallback
        ("s3", "user", now - 3, "inform", {"text": "〒289-2511 旭市イ2345"}),
        ("s3", "action", now - 2.9, "action_default_fallback", {}),
        ("s3", "user", now - 2, "inform", {"text": "山田です"}),  # inform answered in a form: not counted
        ("old", "user", now - 400 * 86400, "greet", {"text": "old"}),
    ]
    for sender, kind, ts, name, data in rows:
        intent, action = (None, name) if kind == "action" else (name, None)
        conn.execute("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                     "VALUES (?,?,?,?,?,?)", (sender, kind, ts, intent, action, json.dumps(data, ensure_ascii=False)))
    conn.commit()
    conn.close()


def test_summary_counts_and_masks(tmp_path):
    _tracker_db(tmp_path / "tracker.db")
    server = start_console(tmp_path, tracker_db_url=f"sqlite:///{tmp_path / 'tracker.db'}")
    try:
        server.ctx.handoffs.enqueue("s2", bot_summary("x"))
        analyst = server.login("analyst1")
        resp = analyst.get(analyst.url("/api/analytics/summary?days=30"))
        assert resp.status_code == 200
        data = resp.json()
        assert data["tracker_available"] is True
        assert data["intents"] == {"nlu_fallback": 3, "inform": 2, "greet": 1, "out_of_scope": 1, "ask_purpose": 1}
        texts = [q["text"] for q in data["unanswered"]]
        body = json.dumps(data, ensure_ascii=False)
        for leak in ("1234", "5678", "9999", "taro", "example", "7F3K"):
            assert leak not in body
        # the two calls differ only in their numbers, so masking groups them
        assert data["unanswered"][0]["count"] == 2 and texts[0].startswith("電話 ＊")
        counts = {q["text"]: q["count"] for q in data["unanswered"]}
        assert counts["ほげほげ"] == 1
        assert counts["〒＊ 旭市イ＊"] == 1  # masked like every other question
        assert not any("山田" in t for t in texts)
        assert sum(counts.values()) == 5  # s1: 1, s2: 2, s3: 2 (ほげほげ once, not twice)
        assert data["handoffs"] == {"requested": 1, "waiting": 1, "claimed": 0}
        assert sum(d["messages"] for d in data["per_day"]) == 8
        assert data["tickets"]["total"] == 0
        assert analyst.get(analyst.url("/api/analytics/summary?days=abc")).status_code == 400
        assert analyst.get(analyst.url("/api/analytics/summary?days=9999")).status_code == 400
        # the tracker store was opened read-only
        with pytest.raises(Exception):
            with server.ctx.tracker_engine.begin() as conn:
                conn.exec_driver_sql("DELETE FROM events")
    finally:
        server.stop()


def test_summary_without_tracker_store(console):
    admin = console.login("admin1")
    data = admin.get(admin.url("/api/analytics/summary")).json()
    assert data["tracker_available"] is False and data["intents"] == {}
