"""No service writes what customers type to its log, on any failure path we can provoke.

Marker values for a name, kana, address, phone number and e-mail address go through the
request form and every failure path the public interfaces allow (an oversize message, control
characters, malformed JSON, an unknown 受付番号, an action that raises, a forged action call);
then every log file of the running servers (Rasa, action server, console) is searched.
"""
from __future__ import annotations

import json
import uuid

import pytest
import requests

pytestmark = [pytest.mark.servers, pytest.mark.model]

NAME, KANA = "漏洩確認 花子", "ろうえいかくにん はなこ"
ADDRESS = "旭市漏洩町9-8-7"
PHONE, EMAIL = "090-8765-4321", "leak.marker@example.jp"
MARKERS = ["漏洩確認", "ろうえいかくにん", "漏洩町", "8765", "leak.marker", "example.jp"]
OUTAGE_NAME = "望月 検証子"


def say(bot, sender: str, text) -> list:
    return requests.post(f"{bot.rasa_url}/webhooks/rest/webhook", params={"token": bot.token},
                         json={"sender": sender, "message": text}, timeout=60).json()


def test_no_marker_reaches_any_service_log(running_bot):
    bot = running_bot
    sender = f"leak-{uuid.uuid4().hex[:10]}"
    # The request form with every personal field, then a cancel.
    for text in ["個人情報の開示を請求したいです", "本人です", NAME, KANA, "〒289-2511", ADDRESS, PHONE, EMAIL,
                 "わからない", f"{NAME}の登録内容をすべて見せてください。連絡は{EMAIL}へ", "やっぱりやめます"]:
        say(bot, sender, text)
    # A policy question that carries the markers: the FAQ action answers it (and logs its answer).
    faq = say(bot, f"{sender}-faq", f"{NAME}です。{ADDRESS}に住んでいますが、個人情報の利用目的を教えてください")
    assert any("プライバシーポリシー" in (m.get("text") or "") for m in faq), faq
    # Failure paths: oversize, control characters, wrong types, malformed JSON.
    say(bot, sender, (NAME + ADDRESS + PHONE + EMAIL) * 200)
    say(bot, sender, f"{NAME}\u0000{ADDRESS}\ud800{PHONE}\x1b{EMAIL}")
    say(bot, sender, {"name": NAME, "phone": PHONE})
    requests.post(f"{bot.rasa_url}/webhooks/rest/webhook", params={"token": bot.token},
                  data=f'{{"sender": "{sender}", "message": "{NAME} {EMAIL}'.encode(), timeout=30)
    requests.post(f"{bot.rasa_url}/model/parse", params={"token": bot.token},
                  data=f'{{"text": "{NAME} {PHONE}'.encode(), timeout=30)
    # An unknown 受付番号 with the marker phone, in one message and in two.
    say(bot, sender, f"受付番号 PR-0000-0000 電話 {PHONE} の状況を教えて")
    say(bot, sender, PHONE)
    # A forged and a failing action-server call carrying the markers.
    call = {"next_action": "action_check_ticket_status", "sender_id": sender, "version": "3.6.21",
            "domain": {"x": NAME}, "tracker": None}
    actions = f"http://127.0.0.1:{bot.actions_port}/webhook"
    requests.post(actions, json=call, timeout=10)
    requests.post(actions, json=call, timeout=10,
                  headers={"Authorization": f"Bearer {bot.env['ACTION_SERVER_TOKEN']}"})
    # The conversation reached the tracker store (so the text did pass through the servers).
    texts = [e.get("text") for e in bot.tracker(sender)["events"] if e.get("event") == "user"]
    assert NAME in texts and EMAIL in texts

    logs = sorted((bot.workdir / "logs").glob("*.log"))
    assert {p.name.split("-")[0] for p in logs} >= {"rasa", "actions", "console"}
    for path in logs:
        content = path.read_text(encoding="utf-8", errors="replace")
        for marker in MARKERS + ["望月", "検証子", "モチヅキ", "もちづき"]:
            assert marker not in content, f"{marker!r} in {path.name}"


@pytest.mark.postgres
def test_a_database_outage_leaves_no_marker_in_any_log(tmp_path):
    """The database goes away in the middle of a request: the customer is told, the details
    stay in the chat, and no service logs what was typed while failing."""
    import psycopg2

    from tests.servers import start_bot

    name = f"leak_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    bot = start_bot(tmp_path, with_console=True, DATABASE_URL=f"postgresql://postgres@127.0.0.1:5432/{name}")
    try:
        sender = f"leak-db-{uuid.uuid4().hex[:8]}"
        # (a name with 漏洩 in it would be read as a question about leaks: another marker name here)
        for text in ["個人情報の開示を請求したいです", "本人です", OUTAGE_NAME, "もちづき けんしょうこ", "〒289-2511",
                     ADDRESS, PHONE, EMAIL, "わからない", f"{OUTAGE_NAME}の登録内容をすべて見せてください"]:
            reply = " ".join(m.get("text") or "" for m in say(bot, sender, text))
            assert "読み取れませんでした" not in reply and "お送りください。（例" not in reply, (text, reply)
        assert "以下の内容で" in " ".join(m.get("text") or "" for m in say(bot, sender, "郵送"))
        with admin.cursor() as cursor:  # the database goes down
            cursor.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        reply = " ".join(m.get("text") or "" for m in say(bot, sender, "/affirm"))
        assert "保存できませんでした" in reply  # told, and the details are kept in the chat
        say(bot, f"leak-db-{uuid.uuid4().hex[:8]}", f"受付番号 PR-0000-0000 電話 {PHONE} の状況を教えて")
        requests.post(f"{bot.console_url}/login", data={"username": OUTAGE_NAME, "password": EMAIL}, timeout=10)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        bot.stop()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    logs = sorted((tmp_path / "logs").glob("*.log"))
    assert {p.name.split("-")[0] for p in logs} >= {"rasa", "actions", "console"}
    for path in logs:
        content = path.read_text(encoding="utf-8", errors="replace")
        for marker in MARKERS + ["望月", "検証子", "モチヅキ", "もちづき"]:
            assert marker not in content, f"{marker!r} in {path.name}"
