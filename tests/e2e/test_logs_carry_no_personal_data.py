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
        for marker in MARKERS:
            assert marker not in content, f"{marker!r} in {path.name}"
