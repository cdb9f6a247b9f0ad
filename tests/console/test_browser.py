"""Browser tests (Debian chromium via Playwright): the widget and the console login."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterator

import pytest

from tests.console.fake_socketio import HOSTILE, FakeRasaSocket
from tests.console.helpers import ConsoleServer, bot_summary, start_console

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
SHOTS = Path(os.environ.get("CONSOLE_SCREENSHOT_DIR", "/tmp/console-screenshots"))


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed: run `make browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def site(tmp_path) -> Iterator[tuple[ConsoleServer, FakeRasaSocket]]:
    fake = FakeRasaSocket().start()
    server = start_console(tmp_path, socket_url=fake.url)
    yield server, fake
    server.stop()
    fake.stop()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def log_in(browser, base_url: str, username: str, password: str, lands_on: str, *, height: int = 900):
    """A new desktop page, logged in through the login form; waits for the role's home page."""
    page = browser.new_page(viewport={"width": 1280, "height": height})
    page.goto(base_url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(lands_on) + "$"))
    return page


def test_widget_on_a_phone(browser, site):
    server, fake = site
    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "/")
    _shot(page, "01-site-375")
    launcher = page.locator("#chat-launcher")
    assert launcher.is_visible()
    launcher.click()
    panel = page.locator("#chat-panel")
    assert panel.is_visible()
    box = panel.bounding_box()
    assert box["width"] <= 375 and box["x"] >= 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.evaluate("document.activeElement.id") == "chat-input"
    page.wait_for_function("() => JSON.parse(sessionStorage.getItem('sobu-chat-v1')).sessionId")

    page.keyboard.type("こんにちは")
    page.keyboard.press("Enter")
    page.wait_for_selector("#chat-typing:not([hidden])", timeout=3000)
    page.wait_for_selector("text=受け取りました: こんにちは")
    assert page.locator("#chat-typing").is_hidden()

    # a hostile bot message is shown as text and nothing runs
    page.fill("#chat-input", "hostile")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#chat-log').textContent.includes('onerror')")
    assert page.evaluate("window.__xss") is None
    assert page.locator("#chat-log img, #chat-log script").count() == 0
    assert page.locator(".chat-msg-bot .chat-bubble").last.text_content() == HOSTILE

    # quick replies: title shown, payload sent
    page.fill("#chat-input", "choices")
    page.keyboard.press("Enter")
    button = page.locator(".chat-choice", has_text="開示<b>")
    button.wait_for()
    _shot(page, "02-widget-375-choices")
    button.click()
    page.wait_for_selector("text=受け取りました: /request_disclosure")
    assert fake.user_messages[-1]["message"] == "/request_disclosure"
    assert page.locator(".chat-msg-user .chat-bubble", has_text="開示<b>").count() == 1
    assert page.locator(".chat-choice:disabled").count() == 2  # old choices cannot be sent again

    # a staff reply arrives over the same socket and is marked 担当者
    session_id = page.evaluate("JSON.parse(sessionStorage.getItem('sobu-chat-v1')).sessionId")
    assert all(m["session_id"] == session_id for m in fake.user_messages)
    fake.push(session_id, {"staff_reply": "総務部の佐藤です。<b>太字ではない</b>", "staff_name": "佐藤"})
    staff_msg = page.locator(".chat-msg-staff")
    staff_msg.wait_for()
    assert "担当者" in staff_msg.locator(".chat-who").text_content()
    assert staff_msg.locator(".chat-bubble").text_content() == "総務部の佐藤です。<b>太字ではない</b>"
    _shot(page, "03-widget-375-staff")

    # reload: same session, same messages, room joined again
    shown = page.locator(".chat-msg").count()
    page.reload()
    page.wait_for_selector("#chat-panel:not([hidden])")
    assert page.locator(".chat-msg").count() == shown
    page.wait_for_function("() => true")
    page.wait_for_timeout(500)
    assert fake.session_requests[-1] == session_id
    fake.push(session_id, {"text": "再接続後のメッセージ"})
    page.wait_for_selector("text=再接続後のメッセージ")

    # Escape closes and gives focus back to the launcher
    page.focus("#chat-input")
    page.keyboard.press("Escape")
    assert page.locator("#chat-panel").is_hidden()
    assert page.evaluate("document.activeElement.id") == "chat-launcher"
    assert errors == []
    context.close()


def test_widget_keeps_messages_typed_while_the_connection_is_down(browser, site):
    server, fake = site
    page = browser.new_page(viewport={"width": 375, "height": 667})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "/")
    page.click("#chat-launcher")
    page.wait_for_function("() => JSON.parse(sessionStorage.getItem('sobu-chat-v1')).sessionId")
    session_id = page.evaluate("JSON.parse(sessionStorage.getItem('sobu-chat-v1')).sessionId")

    fake.drop_connections()
    page.wait_for_selector("#chat-status:has-text('接続が切れました')")
    for text in ["開示の手数料は？", "あと、代理人でもいいですか"]:
        page.fill("#chat-input", text)
        page.keyboard.press("Enter")
    pending = page.locator(".chat-msg-pending")
    assert pending.count() == 2
    assert "未送信" in pending.first.text_content()
    assert page.input_value("#chat-input") == ""
    assert fake.user_messages == []
    _shot(page, "04-widget-pending")

    # a reload while still offline keeps them too
    page.reload()
    page.wait_for_selector("#chat-panel:not([hidden])")
    assert page.locator(".chat-msg-pending").count() == 2

    fake.listen_again()  # socket.io reconnects by itself (backoff up to 10 s)
    page.wait_for_selector("text=受け取りました: あと、代理人でもいいですか", timeout=30000)
    assert [m["message"] for m in fake.user_messages] == ["開示の手数料は？", "あと、代理人でもいいですか"]
    assert all(m["session_id"] == session_id for m in fake.user_messages)
    assert page.locator(".chat-msg-pending").count() == 0
    stored = page.evaluate("JSON.parse(sessionStorage.getItem('sobu-chat-v1')).messages")
    assert [m for m in stored if m.get("pending") or "payload" in m] == []
    assert errors == []
    page.close()


def test_widget_keyboard_and_aria(browser, site):
    server, _fake = site
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(server.url + "/")
    # reach the launcher with Tab only, open it with Enter
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "chat-launcher":
            break
    assert page.evaluate("document.activeElement.id") == "chat-launcher"
    page.keyboard.press("Enter")
    assert page.locator("#chat-panel").is_visible()
    assert page.get_attribute("#chat-log", "aria-live") == "polite"
    assert page.get_attribute("#chat-launcher", "aria-expanded") == "true"
    assert page.get_attribute("#chat-close", "aria-label")
    assert page.get_attribute("#chat-panel", "role") == "dialog"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "chat-send"
    _shot(page, "04-widget-desktop")
    page.close()


def test_login_flow(browser, site):
    server, _fake = site
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(server.url + "/console/tickets")
    assert re.search(r"/login\?next=", page.url)
    _shot(page, "05-login")
    page.fill("#username", "staff1")
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    assert "正しくありません" in page.text_content("body")
    page.fill("#username", "staff1")
    page.fill("#password", server.users["staff1"])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/console/tickets$"))
    assert "チケット一覧" in page.text_content("h1")
    cookie = next(c for c in page.context.cookies() if c["name"] == "console_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie").find("console_session") == -1
    page.click("text=ログアウト")
    page.wait_for_url(re.compile(r"/login"))
    page.goto(server.url + "/console")
    assert "/login" in page.url
    page.close()


def test_console_conversation_page_polls_and_escapes(browser, site):
    server, _fake = site
    server.ctx.handoffs.enqueue("conv-ui", bot_summary("<b>質問</b>"))
    server.rasa.events["conv-ui"] = [{"event": "user", "text": "担当者と話したい", "timestamp": 1.0,
                                     "parse_data": {"intent": {"name": "request_human"}}}, {"event": "pause", "timestamp": 2.0}]
    page = log_in(browser, server.url, "staff1", server.users["staff1"], "/console")
    assert "<b>質問</b>" in page.text_content("#waiting-table")
    page.click("text=対応する")
    page.wait_for_url(re.compile(r"/console/conversations/conv-ui"))
    page.fill("#reply-text", "<script>window.__xss=1</script>こんにちは")
    page.click("#reply-button")
    page.wait_for_selector(".tr-staff")
    # a new customer message shows up by polling, without reloading
    server.rasa.events["conv-ui"].append({"event": "user", "text": "ありがとう<i>!</i>", "timestamp": 5.0,
                                          "parse_data": {"intent": {"name": "thanks"}}})
    page.wait_for_selector("text=ありがとう<i>!</i>", timeout=5000)
    assert page.evaluate("window.__xss") is None
    _shot(page, "06-console-conversation")
    page.close()


def test_analytics_page_for_an_analyst(browser, tmp_path):
    from sobu_privacy.intents import INTENT_LABELS
    from tests.console.test_analytics import DAY, fill

    server = start_console(tmp_path)
    fill(server.db)
    try:
        page = log_in(browser, server.url, "analyst1", server.users["analyst1"], "/console/analytics", height=2400)
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.fill("#a-from", DAY)
        page.fill("#a-to", DAY)
        page.click("#analytics-form button[type=submit]")
        page.wait_for_function(
            "() => document.querySelector('[data-figure=period]').textContent.startsWith('2026-11-25')")
        # Five charts drawn by Chart.js (served by this server); no request yet: no ticket chart.
        assert page.locator("[data-chart] canvas").count() == 5
        assert page.evaluate("Object.keys(Chart.instances).length") == 5
        assert "この期間のデータはありません" in page.text_content("[data-chart='tickets.by_type']")
        text = page.text_content("#analytics")
        assert page.text_content("[data-figure=conversations]") == "8"
        assert page.text_content("[data-figure=containment]") == "75.0%"
        assert INTENT_LABELS["faq_fee"] in page.text_content("[data-chart=by_intent]")
        assert "faq_" not in text and "out_of_scope" not in text  # labels, never code names
        assert "ポイントはたまりますか" in page.text_content("#analytics-clusters")
        assert "総武花子" not in text and "ガス代の支払い方法" not in text
        # a bad period is refused in Japanese, and the figures stay
        page.fill("#a-from", "2026-11-30")
        page.click("#analytics-form button[type=submit]")
        page.wait_for_selector("#analytics-error:not([hidden])")
        assert "開始日" in page.text_content("#analytics-error")
        expected = "Failed to load resource: the server responded with a status of 400"  # the bad period
        assert [p for p in problems if not p.startswith(expected)] == []  # no CSP refusal, no script error
        # analysts get no link to transcripts or tickets
        assert page.locator("nav a", has_text="チケット").count() == 0
        _shot(page, "07-analytics")
        page.close()
    finally:
        server.stop()


def test_password_change_on_the_account_page(browser, site):
    server, _fake = site
    other = server.login("staff1")  # the same user in another browser
    page = log_in(browser, server.url, "staff1", server.users["staff1"], "/console", height=800)
    page.click("nav >> text=アカウント")
    page.wait_for_url(re.compile(r"/console/account$"))
    page.fill("#current-password", server.users["staff1"])
    page.fill("#new-password", "browser-secret-2024")
    page.fill("#new-password-confirm", "browser-secret-2025")
    page.click("#password-form button[type=submit]")
    assert "一致しません" in page.text_content("[role=alert]")
    page.fill("#current-password", server.users["staff1"])
    page.fill("#new-password", "browser-secret-2024")
    page.fill("#new-password-confirm", "browser-secret-2024")
    page.click("#password-form button[type=submit]")
    page.wait_for_url(re.compile(r"/console/account\?changed=1$"))
    assert "パスワードを変更しました" in page.text_content("[role=status]")
    _shot(page, "08-account-password")
    # this browser stays logged in, the other one is not
    page.goto(server.url + "/console/tickets")
    assert "チケット一覧" in page.text_content("h1")
    assert other.get(other.url("/api/me")).status_code == 401
    assert server.login("staff1", "browser-secret-2024").get(server.url + "/api/me").status_code == 200
    page.close()
