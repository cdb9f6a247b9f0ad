"""The action server serves only Rasa (issue 9): token on every call, loopback, no tracker echo."""
from __future__ import annotations

import socket

import pytest
import requests

pytestmark = [pytest.mark.servers, pytest.mark.model]

MARKER_NAME = "漏洩確認太郎"
MARKER_SENDER = "leak-check-sender-7f3a"


def forged_status_check(number: str = "PR-0000-0000", phone: str = "09000000000") -> dict:
    """What a forger would post: the status check with a guessed pair."""
    return {
        "next_action": "action_check_ticket_status",
        "sender_id": MARKER_SENDER,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": MARKER_SENDER,
            "slots": {"status_ticket_number": number, "status_phone": phone, "customer_name": MARKER_NAME},
            "latest_message": {"text": MARKER_NAME, "intent": {"name": "inform"}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def webhook(bot) -> str:
    return f"http://127.0.0.1:{bot.actions_port}/webhook"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": "wrong"}])
def test_a_forged_call_gets_401_and_nothing_else(running_bot, headers):
    reply = requests.post(webhook(running_bot), json=forged_status_check(), headers=headers, timeout=10)
    assert reply.status_code == 401 and reply.content == b""
    listing = requests.get(f"http://127.0.0.1:{running_bot.actions_port}/actions", headers=headers, timeout=10)
    assert listing.status_code == 401 and listing.content == b""


def test_rasa_still_reaches_the_action_server(running_bot):
    """A policy answer is a custom action: it works only if Rasa sends the secret."""
    reply = running_bot.chat("action-server-check", "開示の手数料はいくらですか")
    assert "（プライバシーポリシー" in "".join(m.get("text") or "" for m in reply)


def test_an_action_that_raises_does_not_echo_the_tracker(running_bot):
    call = forged_status_check()
    call["domain"] = {"note": MARKER_NAME}
    call["tracker"] = None  # the executor raises on it
    headers = {"Authorization": f"Bearer {running_bot.env['ACTION_SERVER_TOKEN']}"}
    reply = requests.post(webhook(running_bot), json=call, headers=headers, timeout=10)
    assert reply.status_code == 500
    assert MARKER_NAME not in reply.text and MARKER_SENDER not in reply.text
    assert "request_body" not in reply.text
    log = next((running_bot.workdir / "logs").glob("actions-*.log")).read_text(encoding="utf-8", errors="replace")
    assert MARKER_NAME not in log and MARKER_SENDER not in log


def test_the_action_server_listens_on_loopback_only(running_bot):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("198.51.100.1", 9))  # no packet is sent: this only picks the outgoing address
        address = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.fail("this machine has no non-loopback address to test from")
    with socket.socket() as sock:
        sock.settimeout(2)
        assert sock.connect_ex((address, running_bot.actions_port)) != 0, address
    with socket.socket() as sock:  # the same port answers on loopback, so the check above is real
        sock.settimeout(2)
        assert sock.connect_ex(("127.0.0.1", running_bot.actions_port)) == 0


# --- faults cost the customer seconds, not the conversation (issue 12) -------------------------

def _apology() -> str:
    import yaml

    from tests.servers import ROOT

    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
    return domain["responses"]["utter_action_unavailable"][0]["text"]


def test_a_frozen_action_server_gets_an_apology_in_seconds_and_the_chat_goes_on(running_bot):
    import os
    import signal
    import time

    from tests.e2e.test_chat_rest import new_sender, texts

    sender, process = new_sender(), running_bot.actions_process()
    os.kill(process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        reply = texts(running_bot.chat(sender, "個人情報の利用目的を教えてください"))
        waited = time.monotonic() - started
    finally:
        os.kill(process.pid, signal.SIGCONT)
    assert reply == _apology() and waited < 10
    assert "プライバシーポリシー" in texts(running_bot.chat(sender, "個人情報の利用目的を教えてください"))


def test_a_dead_action_server_gets_an_apology_and_a_restarted_one_answers(running_bot):
    import subprocess
    import time

    from tests.e2e.test_chat_rest import new_sender, texts
    from tests.servers import ROOT

    sender, process = new_sender(), running_bot.actions_process()
    assert "ご本人さまですか" in texts(running_bot.chat(sender, "個人情報の開示を請求したいです"))
    process.terminate()
    process.wait(timeout=20)
    started = time.monotonic()
    assert _apology() in texts(running_bot.chat(sender, "本人です"))
    assert time.monotonic() - started < 10
    # Back: the form asks again for what it could not check, and goes on.
    log = open(running_bot.workdir / "logs" / "actions-restarted.log", "ab")
    running_bot.processes.append(subprocess.Popen(process.args, cwd=ROOT, env=running_bot.env, stdout=log,
                                                  stderr=subprocess.STDOUT, start_new_session=True))
    running_bot.processes.remove(process)
    running_bot.wait_until_ready()
    assert "お名前" in texts(running_bot.chat(sender, "本人です"))
