"""The whole handoff with the real Rasa + action servers and a trained model.

A customer chats in the widget and asks for a person; a staff member logs in, claims the
conversation, replies; the reply appears in the customer's widget marked 担当者; staff hand
back and the assistant answers again. Uses the team's ``running_bot`` fixture
(tests/conftest.py), which also starts ``python -m console`` on its own port.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.console.test_browser import CHROMIUM, LAUNCH_ARGS, _shot, log_in

pytestmark = [pytest.mark.browser, pytest.mark.servers]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bot(request):
    """The real servers (running_bot); a missing prerequisite fails the run, saying which
    (`make test` installs all of them: a skip would hide a broken set-up)."""
    from tests.servers import MODEL

    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train`")
    if not (ROOT / "bot/web/node_modules/socket.io-client/dist/socket.io.min.js").exists():
        pytest.fail("the widget's socket.io client is missing: run `make web`")
    servers = request.getfixturevalue("running_bot")
    assert servers.console_url, "running_bot must start the console"
    return servers


def _bot_messages(page):
    return page.locator(".chat-msg-bot .chat-bubble").all_text_contents()


def test_customer_to_staff_and_back(bot):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        customer = browser.new_page(viewport={"width": 375, "height": 700})
        customer.goto(bot.console_url + "/")
        customer.click("#chat-launcher")
        customer.wait_for_function("() => (JSON.parse(sessionStorage.getItem('sobu-chat-v1')) || {}).sessionId")
        session_id = customer.evaluate("JSON.parse(sessionStorage.getItem('sobu-chat-v1')).sessionId")

        before = len(_bot_messages(customer))
        customer.fill("#chat-input", "担当者と話したいです")
        customer.keyboard.press("Enter")
        customer.wait_for_function(f"() => document.querySelectorAll('.chat-msg-bot').length > {before}", timeout=30000)
        assert any("担当者" in m for m in _bot_messages(customer)), _bot_messages(customer)
        # the socket.io variant of the response also tells the widget a person is awaited
        customer.wait_for_selector("#chat-status:has-text('担当者からの返信をお待ちください')", timeout=10000)

        staff = log_in(browser, bot.console_url, "admin", bot.env["CONSOLE_ADMIN_PASSWORD"], "/console")
        staff.goto(f"{bot.console_url}/console/conversations/{session_id}")
        staff.click("#claim-button")
        staff.wait_for_selector("#reply-text")
        assert "担当者と話したいです" in staff.text_content("#transcript")
        staff.fill("#reply-text", "総務部の担当です。<b>ご用件</b>を伺います。")
        staff.click("#reply-button")

        staff_msg = customer.locator(".chat-msg-staff .chat-bubble")
        staff_msg.wait_for(timeout=15000)
        assert staff_msg.text_content() == "総務部の担当です。<b>ご用件</b>を伺います。"
        assert "担当者" in customer.locator(".chat-msg-staff .chat-who").text_content()
        assert "担当者が対応しています" in customer.text_content("#chat-status")
        _shot(customer, "10-full-path-customer-staff-reply")

        # after a reload (a new socket) the customer still gets staff's next reply, live
        customer.reload()
        customer.wait_for_selector("#chat-panel:not([hidden])")
        customer.wait_for_function("() => document.querySelectorAll('.chat-msg-staff').length === 1", timeout=15000)
        staff.fill("#reply-text", "ご本人確認のため、お名前を伺えますか。")
        staff.click("#reply-button")
        customer.wait_for_function("() => document.querySelectorAll('.chat-msg-staff').length === 2", timeout=15000)
        assert customer.locator(".chat-msg-staff .chat-bubble").last.text_content() == "ご本人確認のため、お名前を伺えますか。"

        # while paused the customer's messages reach staff, and the assistant stays quiet
        customer.fill("#chat-input", "ありがとうございます")
        customer.keyboard.press("Enter")
        assert customer.locator("#chat-typing").is_hidden()  # nobody is typing: no false promise
        staff.wait_for_selector("text=ありがとうございます", timeout=10000)
        _shot(staff, "11-full-path-console")

        before = len(_bot_messages(customer))
        staff.click("#handback-button")
        staff.wait_for_url(re.compile(r"/console$"))
        customer.wait_for_function(f"() => document.querySelectorAll('.chat-msg-bot').length > {before}", timeout=15000)
        assert customer.locator("#chat-status").is_hidden()  # back with the assistant

        # the assistant answers again
        before = len(_bot_messages(customer))
        customer.fill("#chat-input", "個人情報の利用目的を教えてください")
        customer.keyboard.press("Enter")
        customer.wait_for_function(f"() => document.querySelectorAll('.chat-msg-bot').length > {before}", timeout=30000)
        customer.wait_for_timeout(1000)  # the answer may come in several messages
        _shot(customer, "12-full-path-after-handback")
        answer = _bot_messages(customer)[before:]
        # a real answer, not the fallback a half-finished turn would produce
        assert answer and not any("うまくお答えできませんでした" in m for m in answer), answer

        events = [e["event"] for e in bot.tracker(session_id)["events"]]
        assert "pause" in events and "resume" in events
        assert events.index("resume") > events.index("pause")
        tracker = bot.tracker(session_id)
        staff_events = [e for e in tracker["events"] if e["event"] == "bot" and (e.get("metadata") or {}).get("from_staff")]
        assert len(staff_events) == 2
        browser.close()


def test_reload_continues_and_end_chat_forgets(bot):
    """The real widget and Rasa: a reload resumes with the session secret; 「チャットを終了」
    ends the conversation for the assistant and clears what the browser holds."""
    from playwright.sync_api import sync_playwright

    store = "JSON.parse(sessionStorage.getItem('sobu-chat-v1')) || {}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        customer = browser.new_page(viewport={"width": 375, "height": 700})
        customer.goto(bot.console_url + "/")
        customer.click("#chat-launcher")
        customer.wait_for_function(f"() => ({store}).sessionSecret")
        first = customer.evaluate(f"({store}).sessionId")

        before = len(_bot_messages(customer))
        customer.fill("#chat-input", "開示の手数料はいくらですか")
        customer.keyboard.press("Enter")
        customer.wait_for_function(f"() => document.querySelectorAll('.chat-msg-bot').length > {before}", timeout=30000)

        customer.reload()  # the same conversation continues: the secret proves the browser
        customer.wait_for_selector("#chat-panel:not([hidden])")
        customer.wait_for_function("() => document.getElementById('chat-status').textContent === ''", timeout=15000)
        assert customer.evaluate(f"({store}).sessionId") == first
        before = len(_bot_messages(customer))
        customer.fill("#chat-input", "訂正の手数料はかかりますか")
        customer.keyboard.press("Enter")
        customer.wait_for_function(f"() => document.querySelectorAll('.chat-msg-bot').length > {before}", timeout=30000)
        users = [e["text"] for e in bot.tracker(first)["events"] if e["event"] == "user"]
        assert users == ["開示の手数料はいくらですか", "訂正の手数料はかかりますか"]

        customer.once("dialog", lambda dialog: dialog.accept())
        customer.click("#chat-end")
        customer.wait_for_function(f"() => ({store}).sessionId && ({store}).sessionId !== {first!r}", timeout=15000)
        held = customer.evaluate("sessionStorage.getItem('sobu-chat-v1')")
        assert "手数料" not in held and first not in held
        assert "手数料" not in customer.text_content("#chat-log")
        assert "チャットを終了しました" in customer.text_content("#chat-log")
        customer.wait_for_timeout(1000)
        # Rasa shows a conversation from its last restart: the old messages are behind it.
        assert [e for e in bot.tracker(first)["events"] if e["event"] == "user"] == []
        browser.close()
